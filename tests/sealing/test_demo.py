"""`make demo` seals its campaign before opening the vote, so that its vote opens with the gate
on (urne's own settings, as `make demo` runs them), and `urne seal verify` finds it identical."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def urne(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`urne ARGS` as `make demo` runs it (tests/demo/test_demo_command.py's environment)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("URNE_")
        and k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"URNE_DATA_DIR": str(data_dir), "URNE_DEMO": "1", "URNE_DEBUG": "1"})
    return subprocess.run(  # noqa: S603 - our own command with the test's own arguments
        [sys.executable, "-m", "urne", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def seals(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "urne.sqlite3") as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM sealing_campaignseal").fetchone()
    return int(count)


def test_the_demo_seals_its_campaign_and_its_vote_opens(tmp_path: Path) -> None:
    first = urne(tmp_path, "demo", "--no-serve")
    assert first.returncode == 0, first.stderr
    assert seals(tmp_path) == 1

    # A second run moves the calendar to today and keeps its one seal.
    assert urne(tmp_path, "demo", "--no-serve").returncode == 0
    assert seals(tmp_path) == 1

    # The vote is open and the gate lets ballots in, with the gate on (urne's own settings).
    opened = urne(
        tmp_path,
        "shell",
        "-c",
        "from urne.demo.generator import find_demo_campaign as find; "
        "from urne.sealing.gate import seal_missing; "
        "c = find(); print('open', c.vote_open(), 'missing', seal_missing(c.pk))",
    )
    assert opened.returncode == 0, opened.stderr
    assert "open True missing False" in opened.stdout

    verified = urne(tmp_path, "seal", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "identique" in verified.stdout
