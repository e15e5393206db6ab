"""Running the bureau member's in-browser modules (src/urne/static/urne/counting/) in Node
(tests/counting/js/trustee.mjs), to cross-check them against urne's Python core."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.voting.booth_js import node
from urne.crypto import pedersen
from urne.crypto.group import BELENIOS_2048 as GROUP
from urne.crypto.group import Exponent
from urne.crypto.jsonio import dumps
from urne.crypto.trustees import (
    SingleTrustee,
    make_trustee_key,
    private_key_to_json,
    trustees_to_json,
)

RUNNER = Path(__file__).resolve().parent / "js" / "trustee.mjs"


def run_trustee_js(requests: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runner's answer to each request, in order (see trustee.mjs)."""
    # The command is fixed: node and this repository's runner; the input goes through stdin.
    done = subprocess.run(  # noqa: S603
        [node(), "--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", str(RUNNER)],
        input=json.dumps(list(requests)),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, f"the member's JavaScript failed in Node:\n{done.stderr}"
    answers: list[dict[str, Any]] = json.loads(done.stdout)
    return answers


@dataclass(frozen=True)
class Ceremony:
    """A "Single" key (trustee 1) then a 2-of-3 Pedersen group (trustees 2-4), as Python makes
    them: each group member's seed and voutput, their share S_j, and trustees.json."""

    single: tuple[Exponent, str]
    seeds: tuple[str, ...]
    voutputs: tuple[str, ...]
    shares: tuple[Exponent, ...]
    trustees: str


def make_ceremony() -> Ceremony:
    keys = [pedersen.derive_keys(GROUP, pedersen.make_seed()) for _ in range(3)]
    certs = [pedersen.make_cert(GROUP, k) for k in keys]
    polynomials = [pedersen.make_polynomial(GROUP, certs, k, 2) for k in keys]
    vinputs = pedersen.make_vinputs(GROUP, certs, polynomials)
    voutputs = [
        pedersen.make_voutput(GROUP, certs, k, v) for k, v in zip(keys, vinputs, strict=True)
    ]
    parameters = pedersen.make_threshold_parameters(GROUP, certs, polynomials, voutputs)
    shares = tuple(
        pedersen.read_decryption_key(GROUP, k, parameters, v.private_key)[1]
        for k, v in zip(keys, voutputs, strict=True)
    )
    x, public = make_trustee_key(GROUP)
    return Ceremony(
        single=(x, private_key_to_json(x)),
        seeds=tuple(k.seed for k in keys),
        voutputs=tuple(dumps(v.to_json()) for v in voutputs),
        shares=shares,
        trustees=dumps(trustees_to_json([SingleTrustee(public), parameters])),
    )
