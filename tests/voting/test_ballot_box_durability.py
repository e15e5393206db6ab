"""An acknowledged ballot is never lost: once the API answered 201, the ballot is in the
database, whatever happens next to the server.

Both tests run urne as production does, under gunicorn, in processes of their own against a
database of their own (tests/voting/durability_scenario.py prepares it and reads it back):

- the web worker, and its master, are killed (SIGKILL) right after the answer;
- a private PostgreSQL (initdb in a temporary folder, its own port: never the shared server) is
  stopped in "immediate" mode, which is a crash for the data (no checkpoint: the ballot comes
  back only from the write-ahead log), then started again.
"""

from __future__ import annotations

import http.client
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
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
CSRF = "d" * 32

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def environment(database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "URNE_"))
    }
    env.update(
        DATABASE_URL=database_url,
        PYTHONPATH=str(REPOSITORY),
        URNE_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        URNE_DATA_DIR=os.environ.get("URNE_DATA_DIR", ""),
    )
    if not env["URNE_DATA_DIR"]:
        del env["URNE_DATA_DIR"]
    return env


def scenario(env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run(  # noqa: S603 - our own module, our own arguments
        [sys.executable, "-m", "tests.voting.durability_scenario", *args],
        env={**env, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@contextmanager
def gunicorn(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """urne under gunicorn (one worker), as production runs it; killed at the end if alive."""
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "urne.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "urne.settings"},
        cwd=REPOSITORY,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port)
        yield server
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port}")


def cast(port: int, prepared: dict[str, object]) -> tuple[int, dict[str, str]]:
    """POST Bob's ballot as the booth does: session cookie, CSRF cookie and header."""
    body = json.dumps({"ballot": prepared["ballot"], "submission": "durability-test-0001"})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request(
        "POST",
        f"/api/v1/scrutins/{prepared['uuid']}/bulletins",
        body=body,
        headers={
            "Content-Type": "application/json",
            "Cookie": f"sessionid={prepared['session']}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
        },
    )
    response = connection.getresponse()
    answer: dict[str, str] = json.loads(response.read())
    connection.close()
    return response.status, answer


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()]


def test_a_ballot_answered_201_survives_the_worker_killed_right_after(tmp_path: Path) -> None:
    env = environment(f"sqlite:///{tmp_path / 'urne.sqlite3'}")
    prepared = scenario(env, "prepare")
    port = free_port()
    with gunicorn(env, port) as server:
        status, answer = cast(port, prepared)
        for worker in workers_of(server.pid):
            os.kill(worker, signal.SIGKILL)
        os.killpg(server.pid, signal.SIGKILL)
    assert status == 201, answer
    assert scenario(env, "check", answer["tracker"]) == EXPECTED


EXPECTED = {"ballots": 1, "stored": True, "emargements": 1, "ballot_count": 1, "verified": 1}


@dataclass
class PrivatePostgreSQL:
    """A PostgreSQL server of this test's own, in `folder`, on `port`. initdb refuses to run as
    root: then the cluster belongs to the user postgres."""

    folder: Path
    port: int = field(default_factory=free_port)

    @property
    def as_owner(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, program: str, *args: str, check: bool = True) -> None:
        subprocess.run(  # noqa: S603 - PostgreSQL's own programs, our arguments
            [*self.as_owner, str(PG_BIN / program), *args], check=check, capture_output=True
        )

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self.run("initdb", "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres")
        self.start()
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "urne")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on"
        log = str(self.folder / "log")
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-o", options, "-l", log, "-w", "start")

    def crash(self, check: bool = True) -> None:
        """Stop at once: no checkpoint, what was committed comes back from the WAL only."""
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop", check=check)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/urne"


@pytest.mark.skipif(
    not (PG_BIN / "initdb").exists(),
    reason="needs PostgreSQL 15's server binaries (Debian's postgresql-15) for a private server",
)
def test_a_ballot_answered_201_survives_postgresql_crashing_and_restarting() -> None:
    # Not under tmp_path, which only its owner may enter: the server's owner (postgres, when the
    # tests run as root) must reach its folder.
    server = PrivatePostgreSQL(Path(tempfile.mkdtemp(prefix="urne-pg-")))
    server.create()
    try:
        env = environment(server.url)
        prepared = scenario(env, "prepare")
        port = free_port()
        with gunicorn(env, port):
            status, answer = cast(port, prepared)
            server.crash()  # right after the answer
        assert status == 201, answer
        server.start()
        assert scenario(env, "check", answer["tracker"]) == EXPECTED
    finally:
        server.crash(check=False)  # already stopped if the test failed half-way
        shutil.rmtree(server.folder, ignore_errors=True)
