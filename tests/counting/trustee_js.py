"""Running the bureau member's in-browser modules (src/urne/static/urne/counting/) in Node
(tests/counting/js/trustee.mjs), to cross-check them against urne's Python core."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.voting.booth_js import node

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
