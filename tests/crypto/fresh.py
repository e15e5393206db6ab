"""Code run in a fresh interpreter, to see which frameworks it loads.

The test process has loaded Django already (pytest-django), so looking at its own `sys.modules`
could never fail: only a new process can tell whether some code needs Django.
"""

from __future__ import annotations

import json
import subprocess
import sys

FRAMEWORKS = ("django", "celery", "kombu")


def loaded_frameworks(code: str) -> list[str]:
    """The modules of `FRAMEWORKS` loaded after running `code` in a fresh interpreter."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r})))"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},  # no DJANGO_SETTINGS_MODULE either
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.splitlines()[-1]))
