"""What the stack's tests share: a stack on a PostgreSQL of its own, the scenario's steps, and a
voter's client speaking HTTP to the load balancer as a browser and the booth do."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from deploy.stack import REPOSITORY, Settings, Stack

from tests.voting.test_ballot_box_durability import PG_BIN, PrivatePostgreSQL

needs_stack = pytest.mark.skipif(
    not (PG_BIN / "initdb").exists()
    or shutil.which("haproxy") is None
    or shutil.which("redis-server") is None,
    reason="needs Debian's haproxy and redis-server and PostgreSQL 15's server binaries "
    "(`make deps`)",
)

# The tests' electors all connect from 127.0.0.1: the limit of logins per address is raised so
# that a stream of logins from one address is not refused (each account keeps its own limit).
TEST_ENV = {"URNE_RATE_LOGIN_PER_IP": "100000/15m"}


@contextmanager
def private_stack(folder: Path, **settings: Any) -> Iterator[tuple[Stack, PrivatePostgreSQL]]:
    """A whole stack whose PostgreSQL is a private server (never the shared one: the fault test
    restarts it). Everything stopped at the end, by process id."""
    # Not under pytest's tmp_path, which only its owner may enter: PostgreSQL's owner must.
    server = PrivatePostgreSQL(Path(tempfile.mkdtemp(prefix="urne-stack-pg-")))
    server.create()
    extra = {**TEST_ENV, **settings.pop("extra_env", {})}
    stack = Stack(
        Settings(folder=folder, database_url=server.url, port=0, extra_env=extra, **settings)
    )
    try:
        stack.start()
        yield stack, server
    finally:
        stack.stop()
        server.crash(check=False)
        shutil.rmtree(server.folder, ignore_errors=True)


def scenario(stack: Stack, *args: str) -> dict[str, Any]:
    """One step of tests/operations/stack_scenario.py, with the stack's own settings."""
    done = subprocess.run(  # noqa: S603 - our own module, our own arguments
        [sys.executable, "-m", "tests.operations.stack_scenario", *args],
        env={**stack.env(), "PYTHONPATH": str(REPOSITORY)},
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Browser:
    """One voter's cookies, sent to the balancer; a new connection for each request."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60

    @property
    def origin(self) -> str:
        # What a browser sends: the balancer's address, https since urne is told so
        # (X-Forwarded-Proto) and checks CSRF's origin against it.
        return f"https://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(
                response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
            )
            for line in response.msg.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(line)
                for name, morsel in cookie.items():
                    self.cookies[name] = morsel.value
            return answer
        finally:
            connection.close()

    def login(self, email: str, password: str) -> Answer:
        """ACCÉDER, as a person does: the page (its CSRF cookie), then the form."""
        page = self.request("GET", "/compte/connexion/")
        if page.status != 200:
            return page
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token is not None, page.text[:500]
        form = urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "email": email, "password": password}
        ).encode()
        return self.request(
            "POST",
            "/compte/connexion/",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}/compte/connexion/",
            },
        )

    def cast(self, uuid: str, ballot: str, submission: str) -> Answer:
        """The booth's request to the ballot box's API (docs/api.md)."""
        return self.request(
            "POST",
            f"/api/v1/scrutins/{uuid}/bulletins",
            json.dumps({"ballot": ballot, "submission": submission}).encode(),
            {
                "Content-Type": "application/json",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "Origin": self.origin,
                "Referer": f"{self.origin}/espace/",
            },
        )


def archive_trackers(browser: Browser, uuid: str, folder: Path) -> tuple[list[str], dict[str, Any]]:
    """The board's archive downloaded through the balancer: the trackers of its ballots, and what
    `urne verify --json` says of it."""
    from urne.crypto.archive import ArchiveReader, BallotRecord
    from urne.crypto.hashing import hash_json

    answer = browser.request("GET", f"/tableau/{uuid}/{uuid}.bel")
    assert answer.status == 200, answer.status
    board = folder / "board"
    board.mkdir()
    path = board / f"{uuid}.bel"
    path.write_bytes(answer.body)
    with ArchiveReader.open(path) as reader:
        trackers = [hash_json(r.ballot) for r in reader.records() if isinstance(r, BallotRecord)]
    verify = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).with_name("urne")), "verify", "--json", str(board)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    report: dict[str, Any] = json.loads(verify.stdout)
    return trackers, report
