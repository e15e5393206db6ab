"""Running the real belenios-tool (Debian's, 2.0) from tests marked `belenios`."""

from __future__ import annotations

import shutil
import subprocess


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``belenios-tool ARGS``; fails the test with the tool's output if it fails."""
    tool = shutil.which("belenios-tool")
    assert tool is not None, "belenios-tool is not installed (Debian package belenios-tool)"
    # The arguments are the test's own constants and temporary paths, never outside input.
    done = subprocess.run([tool, *args], capture_output=True, text=True, check=False)  # noqa: S603
    assert done.returncode == 0, f"belenios-tool {' '.join(args)} failed:\n{done.stderr}"
    return done
