"""Running the booth's JavaScript modules in Node (tests/voting/js/make_ballots.mjs).

Node.js 20 or later is needed (BigInt, globalThis.crypto.subtle): `make test` needs it, as the
Makefile's `npm ci` already does. Without it the tests that use it fail and say so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

RUNNER = Path(__file__).resolve().parent / "js" / "make_ballots.mjs"


def node() -> str:
    """The path of `node`; fails the test with a clear message when Node.js is missing."""
    found = shutil.which("node")
    if found is None:
        pytest.fail(
            "Node.js (20 or later) is required to run the booth's JavaScript in tests: "
            "install it (Debian: apt-get install nodejs), as `make test` needs."
        )
    return found


def make_ballots_in_node(
    election: str, ballots: Sequence[tuple[str, Sequence[Sequence[int]]]], tables: bool = True
) -> dict[str, Any]:
    """Have the booth's modules make one ballot per (identifier, vote); returns the runner's
    answer: {"setup_ms", "results": [{"text", "tracker", "ms"} or {"error", "code", ...}]}."""
    request = {
        "election": election,
        "tables": tables,
        "ballots": [{"credential": c, "vote": [list(q) for q in vote]} for c, vote in ballots],
    }
    # The command is fixed: node and this repository's runner; the input goes through stdin.
    done = subprocess.run(  # noqa: S603
        [node(), "--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", str(RUNNER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, f"the booth's JavaScript failed in Node:\n{done.stderr}"
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer
