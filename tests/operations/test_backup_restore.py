"""The restore drill: a ballot box restored from its backup is the box that was backed up.

A private PostgreSQL (initdb in a temporary folder, a port of its own: never the shared server)
runs with continuous WAL archiving through deploy/backup/archive-wal. urne is migrated into it
and an election is held (tests/operations/restore_scenario.py): two ballots, then a base backup
(deploy/backup/base-backup), then two more ballots, the last WAL segment switched and archived,
the backup checked (deploy/backup/check); then the server is stopped as if its machine were lost.
deploy/backup/restore rebuilds the database in fresh folders twice:

- to the end of the archive: every acknowledged ballot is there, those after the base backup
  too (they come from the WAL alone), and the board streamed from the restored database is the
  same archive (its last event's hash) and passes `urne verify`;
- to a moment between the third and the fourth ballot (point-in-time recovery): the third is
  there, the fourth is not, and that board passes `urne verify` too.

The scripts run as the PostgreSQL server's owner (postgres when the tests run as root), from a
copy in the temporary folder, which that user can read whatever the checkout's permissions.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
SCRIPTS = REPOSITORY / "deploy" / "backup"
PG_BIN = Path("/usr/lib/postgresql/15/bin")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (PG_BIN / "initdb").exists(),
        reason="needs PostgreSQL 15's server binaries (Debian's postgresql-15): a private server",
    ),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def as_owner() -> list[str]:
    """initdb refuses to run as root: then the servers and the scripts run as postgres."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class Drill:
    """The drill's folder: the scripts' copy, the WAL archive, the base backups, the servers."""

    root: Path
    servers: list[Server] = field(default_factory=list)

    @property
    def archive(self) -> Path:
        return self.root / "wal-archive"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    def prepare(self) -> None:
        (self.root / "bin").mkdir()
        for script in SCRIPTS.iterdir():
            shutil.copy(script, self.root / "bin" / script.name)
        self.archive.mkdir()
        self.backups.mkdir()
        if os.geteuid() == 0:
            for path in (self.root, self.archive, self.backups):
                shutil.chown(path, "postgres")

    def script(self, name: str, *args: str, port: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own scripts, our own arguments
            [*as_owner(), "env", *self.pg_env(port), str(self.root / "bin" / name), *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def pg_env(self, port: int) -> list[str]:
        path = f"{PG_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"
        return [f"PATH={path}", "PGHOST=127.0.0.1", f"PGPORT={port}", "PGUSER=postgres"]

    @property
    def received(self) -> Path:
        return self.root / "received"

    @contextmanager
    def receiver(self, port: int) -> Iterator[None]:
        """deploy/backup/receive-wal, running until the end of the block (then stopped)."""
        self.received.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.received, "postgres")
        command = [*as_owner(), "env", *self.pg_env(port), str(self.root / "bin" / "receive-wal")]
        process = subprocess.Popen(  # noqa: S603 - our own script, our own arguments
            [*command, str(self.received)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            yield
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)

    def server(self, name: str) -> Server:
        made = Server(self, self.root / name)
        self.servers.append(made)
        return made


@dataclass
class Server:
    drill: Drill
    data: Path
    port: int = field(default_factory=free_port)

    def run(self, program: str, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own programs, our arguments
            [*as_owner(), str(PG_BIN / program), *args],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"{program}: {done.stderr}"
        return done.stdout.strip()

    def create(self, *settings: str) -> None:
        """initdb, then the settings of docs/backups.md (and `settings`) in postgresql.conf."""
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        bin_folder = self.drill.root / "bin"
        lines = [
            "# urne's backup (docs/backups.md)",
            "wal_level = replica",
            "archive_mode = on",
            f"archive_command = '{bin_folder}/archive-wal %p %f {self.drill.archive}'",
            "archive_timeout = 60",
            *settings,
        ]
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n" + "\n".join(lines) + "\n")

    def start(self, *options: str) -> None:
        settings = " ".join(
            [f"-p {self.port} -k {self.drill.root}", "-c listen_addresses=127.0.0.1", *options]
        )
        log = str(self.drill.root / f"{self.data.name}.log")
        self.run("pg_ctl", "-D", str(self.data), "-o", settings, "-l", log, "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", mode, "stop")

    def sql(self, query: str, database: str = "urne") -> str:
        return self.run(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
            "-XAtc", query,
        )  # fmt: skip

    def switch_and_archive(self, database: str = "urne") -> None:
        """Close the current WAL segment and wait until archive-wal has copied it (what
        archive_timeout does within a minute)."""
        segment = self.sql("SELECT pg_walfile_name(pg_switch_wal())", database)
        archived = "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver"
        deadline = time.monotonic() + 60
        while self.sql(archived, database) < segment:
            assert time.monotonic() < deadline, f"{segment} was never archived"
            time.sleep(0.2)

    def wait_for_synchronous_receiver(self, timeout: float = 60) -> None:
        query = (
            "SELECT sync_state FROM pg_stat_replication"
            " WHERE application_name = 'urne_wal_receiver'"
        )
        deadline = time.monotonic() + timeout
        while self.sql(query, "postgres") != "sync":
            assert time.monotonic() < deadline, "receive-wal never became synchronous"
            time.sleep(0.2)

    def wait_until_promoted(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while self.sql("SELECT pg_is_in_recovery()", "postgres") != "f":
            assert time.monotonic() < deadline, "the restored server is still recovering"
            time.sleep(0.2)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/urne"


@pytest.fixture
def drill() -> Iterator[Drill]:
    # Not under tmp_path, which only its owner may enter: postgres must reach this folder.
    made = Drill(Path(tempfile.mkdtemp(prefix="urne-backup-")))
    made.prepare()
    try:
        yield made
    finally:
        for server in made.servers:
            server.stop()
        shutil.rmtree(made.root, ignore_errors=True)


def environment(database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "URNE_", "REDIS_"))
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="tests.settings",
        PYTHONPATH=str(REPOSITORY),
        URNE_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def scenario(server: Server, *args: str) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603 - our own module, our own arguments
        [sys.executable, "-m", "tests.operations.restore_scenario", *args],
        env=environment(server.url),
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def urne_verify(board: Path) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603 - urne's own command
        [sys.executable, "-m", "urne", "verify", "--json", "--jobs", "1", str(board)],
        env=environment("sqlite:///unused"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary: dict[str, object] = json.loads(done.stdout)
    return summary


def restored(drill: Drill, base: str, name: str, *options: str) -> Server:
    """A fresh server from the base backup and the WAL, with `restore`'s `options`; it archives
    nothing (it must never write into the archive it was restored from) and waits for no
    synchronous receiver."""
    server = drill.server(name)
    where = [base, str(drill.archive), str(server.data)]
    done = drill.script("restore", *options, *where, port=0)
    assert done.returncode == 0, done.stderr
    server.start("-c archive_mode=off", "-c synchronous_standby_names=")
    server.wait_until_promoted()
    return server


def test_a_restored_box_is_the_box_that_was_backed_up(drill: Drill) -> None:
    primary = drill.server("primary")
    primary.create()
    primary.start()
    primary.sql("CREATE DATABASE urne", "postgres")
    state = str(drill.root / "state.json")
    scenario(primary, "prepare", state)
    for index in (0, 1):
        scenario(primary, "cast", state, str(index))

    backup = drill.script("base-backup", str(drill.backups), str(drill.archive), port=primary.port)
    assert backup.returncode == 0, backup.stderr
    base = backup.stdout.strip().splitlines()[-1]

    third = scenario(primary, "cast", state, "2")
    time.sleep(1.1)  # recovery_target_time is to the microsecond; leave the clock no doubt
    between = datetime.now(UTC).isoformat(sep=" ")
    time.sleep(1.1)
    fourth = scenario(primary, "cast", state, "3")
    before = scenario(primary, "board", str(drill.root / "primary.bel"))
    assert before["last_event"] == fourth["last_event"]
    assert len(before["ballots"]) == 4  # type: ignore[arg-type]

    # The segment holding the last ballots leaves for the archive (archive_timeout would send it
    # within a minute); then the backup checks out, and the primary's machine is lost.
    primary.switch_and_archive()
    check = drill.script("check", str(drill.backups), str(drill.archive), port=primary.port)
    assert check.returncode == 0, check.stderr
    assert "verified" in check.stdout
    primary.stop()

    # To the end of the archive: the same box, every acknowledged ballot in it.
    latest = restored(drill, base, "restored-latest")
    board = drill.root / "latest.bel"
    after = scenario(latest, "board", str(board))
    assert after == before
    assert third["tracker"] in after["ballots"]  # type: ignore[operator]
    assert fourth["tracker"] in after["ballots"]  # type: ignore[operator]
    summary = urne_verify(board)
    assert summary["fingerprint"] == fourth["last_event"]
    assert summary["ballots"] == 4
    latest.stop("fast")

    # To a moment between the third and the fourth ballot.
    earlier = restored(drill, base, "restored-earlier", "--target-time", between)
    board = drill.root / "earlier.bel"
    then = scenario(earlier, "board", str(board))
    assert then["last_event"] == third["last_event"]
    assert third["tracker"] in then["ballots"]  # type: ignore[operator]
    assert fourth["tracker"] not in then["ballots"]  # type: ignore[operator]
    assert then["emargements"] == ["Alice", "Bob", "Chloé"]
    summary = urne_verify(board)
    assert summary["fingerprint"] == third["last_event"]
    assert summary["ballots"] == 3


def test_the_check_refuses_an_archive_with_a_missing_segment(drill: Drill) -> None:
    primary = drill.server("primary")
    primary.create()
    primary.start()
    backup = drill.script("base-backup", str(drill.backups), str(drill.archive), port=primary.port)
    assert backup.returncode == 0, backup.stderr
    for _ in range(3):
        primary.sql("SELECT pg_switch_wal(); CREATE TABLE IF NOT EXISTS t (x int)", "postgres")
        primary.sql("INSERT INTO t VALUES (1)", "postgres")
    primary.switch_and_archive("postgres")
    good = drill.script("check", str(drill.backups), str(drill.archive), port=primary.port)
    assert good.returncode == 0, good.stderr

    segments = sorted(p for p in drill.archive.iterdir() if len(p.name) == 24)
    segments[-2].unlink()  # one segment in the middle of the chain is lost
    bad = drill.script("check", str(drill.backups), str(drill.archive), port=primary.port)
    assert bad.returncode == 1
    assert f"segment {segments[-2].name} is missing" in bad.stderr


def test_an_acknowledged_ballot_is_on_the_backup_machine_before_its_answer(drill: Drill) -> None:
    """With the synchronous WAL receiver, a ballot's commit is acknowledged only once its WAL is
    on the receiver's disk: the primary lost right after, with the segment holding the ballots
    never archived, the restore from the base backup, the archive and the receiver's folder has
    every ballot."""
    primary = drill.server("primary")
    primary.create("archive_timeout = 0", "synchronous_standby_names = 'urne_wal_receiver'")
    primary.start()
    with drill.receiver(primary.port):
        primary.wait_for_synchronous_receiver()
        primary.sql("CREATE DATABASE urne", "postgres")  # a commit: it waits for the receiver
        state = str(drill.root / "state.json")
        scenario(primary, "prepare", state)
        backup = drill.script(
            "base-backup", str(drill.backups), str(drill.archive), port=primary.port
        )
        assert backup.returncode == 0, backup.stderr
        base = backup.stdout.strip().splitlines()[-1]
        cast = [scenario(primary, "cast", state, str(index)) for index in (0, 1)]
        primary.stop()  # "immediate": a crash, right after the answer
    shutil.rmtree(primary.data)  # and its disk lost with it

    unfinished = [path.name for path in drill.received.iterdir() if path.suffix == ".partial"]
    assert len(unfinished) == 1
    assert not (drill.archive / unfinished[0].removesuffix(".partial")).exists()
    server = restored(drill, base, "restored", "--received", str(drill.received))
    board = drill.root / "restored.bel"
    after = scenario(server, "board", str(board))
    assert after["ballots"] == sorted(str(one["tracker"]) for one in cast)
    assert after["emargements"] == ["Alice", "Bob"]
    summary = urne_verify(board)
    assert summary["fingerprint"] == cast[1]["last_event"]


def test_prune_keeps_the_newest_base_backups_and_the_wal_they_need(drill: Drill) -> None:
    primary = drill.server("primary")
    primary.create()
    primary.start()
    taken = []
    for _ in range(2):
        done = drill.script(
            "base-backup", str(drill.backups), str(drill.archive), port=primary.port
        )
        assert done.returncode == 0, done.stderr
        taken.append(Path(done.stdout.strip().splitlines()[-1]))
        primary.sql("CREATE TABLE IF NOT EXISTS t (x int); INSERT INTO t VALUES (1)", "postgres")
        primary.switch_and_archive("postgres")
        time.sleep(1.1)  # the backups are named to the second
    label = (taken[1] / "backup_label").read_text()
    start = label.split("(file ")[1].split(")")[0]

    done = drill.script("prune", str(drill.backups), str(drill.archive), "1", port=primary.port)

    assert done.returncode == 0, done.stderr
    assert not taken[0].exists()
    assert taken[1].exists()
    segments = sorted(p.name for p in drill.archive.iterdir() if len(p.name) == 24)
    assert segments[0] == start  # nothing the kept backup needs is gone, nothing older stays
    check = drill.script("check", str(drill.backups), str(drill.archive), port=primary.port)
    assert check.returncode == 0, check.stderr
