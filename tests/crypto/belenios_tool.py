"""Running the real belenios-tool (Debian's, 2.0) from tests marked `belenios`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

Completed = subprocess.CompletedProcess[str]


def run_tool(*args: str, cwd: Path | None = None, stdin: str | None = None) -> Completed:
    """Run ``belenios-tool ARGS`` (in `cwd`, feeding `stdin`); fails the test with the tool's
    output if the tool fails."""
    done = run_tool_unchecked(*args, cwd=cwd, stdin=stdin)
    assert done.returncode == 0, f"belenios-tool {' '.join(args)} failed:\n{done.stderr}"
    return done


def make_election_with_tool(folder: Path, template_text: str, uuid: str) -> str:
    """Have the tool make an election from a template (trustees.json must be in `folder`);
    return the election.json it wrote, without the newline the tool adds at the end."""
    template = folder / "template.json"
    template.write_text(template_text, encoding="utf-8")
    run_tool(
        "setup",
        "make-election",
        "--dir",
        str(folder),
        "--group",
        "BELENIOS-2048",
        "--template",
        str(template),
        "--uuid",
        uuid,
    )
    return (folder / "election.json").read_text(encoding="utf-8").removesuffix("\n")


def run_tool_unchecked(*args: str, cwd: Path | None = None, stdin: str | None = None) -> Completed:
    """Run ``belenios-tool ARGS`` and return whatever happened (for expected failures)."""
    tool = shutil.which("belenios-tool")
    assert tool is not None, "belenios-tool is not installed (Debian package belenios-tool)"
    # The arguments are the test's own constants and temporary paths, never outside input.
    return subprocess.run(  # noqa: S603
        [tool, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        input=stdin,
        timeout=120,
    )
