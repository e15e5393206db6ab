"""The web tier is stateless and nothing acknowledged is lost: during a stream of logins and
ballots through the load balancer, one web node is killed (SIGKILL), PostgreSQL is restarted
(a crash: no checkpoint), then the Celery worker is killed in the middle of a mailing.

Only requests in flight may fail; every ballot the client got a receipt for (201, or 200 for a
retry of the same submission, docs/api.md) is in the box with its émargement and on the board's
archive, which `urne verify` accepts; the mailing, taken up again as `urne resume_mailings` does,
ends without sending any message twice.

The clients retry as the booth does: a ballot with the same submission key, a login again.
"""

from __future__ import annotations

import http.client
import queue
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from deploy.stack import REPOSITORY, Stack

from tests.operations.stack_client import (
    Browser,
    archive_trackers,
    needs_stack,
    private_stack,
    scenario,
)

pytestmark = [pytest.mark.slow, needs_stack]

VOTERS = 60
UNINVITED = 30
CLIENTS = 3
# Every request's attempt may be retried this often, a quarter of a second apart.
RETRIES = 60
FAULT_ENV = {
    # Retries must not run into the limits meant for people (each stays per account).
    "URNE_RATE_LOGIN_PER_ADDRESS": "1000/15m",
    "URNE_RATE_CAST_PER_ELECTOR": "1000/1m",
    # The mailing lasts long enough to be cut in the middle: 3 messages a second.
    "URNE_MAILING_RATE": "3",
}


@dataclass
class Attempt:
    what: str
    began: float
    ended: float
    status: int
    error: str = ""


@dataclass
class Stream:
    """Voters logging in and voting, CLIENTS at a time, until told to stop; once every voter has
    voted, the clients go on logging in voters who did (and opening their space), so that the
    stream lasts through every fault however fast the machine."""

    port: int
    uuid: str
    password: str
    voters: list[dict[str, str]]
    stop: threading.Event = field(default_factory=threading.Event)
    attempts: list[Attempt] = field(default_factory=list)
    receipts: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.pending: queue.SimpleQueue[dict[str, str]] = queue.SimpleQueue()
        for voter in self.voters:
            self.pending.put(voter)
        self.threads = [threading.Thread(target=self._client) for _ in range(CLIENTS)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def acknowledged(self) -> int:
        with self.lock:
            return len(self.receipts)

    def answered(self) -> int:
        """Requests answered with success so far (logins, pages, ballots)."""
        with self.lock:
            return sum(1 for a in self.attempts if a.status in (200, 201, 302))

    def wait_for(self, more: int, timeout: float = 120) -> None:
        """Until `more` requests more have succeeded: the stream goes on."""
        count = self.answered() + more
        deadline = time.monotonic() + timeout
        while self.answered() < count:
            assert time.monotonic() < deadline, f"the stream stalled: {self.attempts[-5:]}"
            assert any(thread.is_alive() for thread in self.threads), "the stream stopped"
            time.sleep(0.1)

    def _try(self, what: str, call: Any) -> Any:
        began = time.monotonic()
        try:
            answer = call()
        except (OSError, http.client.HTTPException) as failure:
            with self.lock:
                self.attempts.append(
                    Attempt(what, began, time.monotonic(), 0, type(failure).__name__)
                )
            return None
        with self.lock:
            self.attempts.append(Attempt(what, began, time.monotonic(), answer.status))
        return answer

    def _client(self) -> None:
        while not self.stop.is_set():
            try:
                voter = self.pending.get_nowait()
            except queue.Empty:
                self._visit(random.choice(self.voters))
            else:
                self._vote(voter)
            time.sleep(0.3)

    def _visit(self, voter: dict[str, str]) -> None:
        """A voter who voted comes back: logs in and opens their space."""
        browser = Browser(self.port, timeout=30)
        answer = self._try("login", lambda: browser.login(voter["email"], self.password))
        if answer is not None and answer.status == 302:
            self._try("page", lambda: browser.request("GET", "/espace/"))

    def _vote(self, voter: dict[str, str]) -> None:
        """Log in, then send the ballot; each retried until it goes through."""
        browser = Browser(self.port, timeout=30)
        for _ in range(RETRIES):
            answer = self._try("login", lambda: browser.login(voter["email"], self.password))
            if answer is not None and answer.status == 302:
                break
            browser.cookies.clear()
            time.sleep(0.25)
        submission = "faults-" + re.sub(r"[^a-z0-9]", "-", voter["email"])[:40]
        for _ in range(RETRIES):
            answer = self._try(
                "ballot", lambda: browser.cast(self.uuid, voter["ballot"], submission)
            )
            if answer is not None and answer.status in (200, 201):
                with self.lock:
                    self.receipts[voter["email"]] = answer.json()["tracker"]
                return
            time.sleep(0.25)


def mail_recipients(folder: Path) -> Counter[str]:
    """Who the messages written by the file mail backend went to, one count per message."""
    found: Counter[str] = Counter()
    for path in folder.glob("*") if folder.exists() else []:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("To: "):
                found[line[4:].strip()] += 1
    return found


def urne(stack: Stack, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own command
        [str(Path(sys.executable).with_name("urne")), *args],
        env=stack.env(),
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_nothing_acknowledged_is_lost_through_a_node_a_database_and_a_worker_lost(
    tmp_path: Path,
) -> None:
    with private_stack(tmp_path / "stack", extra_env=FAULT_ENV) as (stack, postgresql):
        prepared = scenario(stack, "prepare", str(VOTERS), str(UNINVITED))
        invited = set(prepared["uninvited"])
        stream = Stream(
            stack.ports["lb"], prepared["uuid"], prepared["password"], prepared["voters"]
        )
        windows: dict[str, tuple[float, float]] = {}
        stream.start()
        try:
            # 1. A web node lost: SIGKILL to its master and workers at once.
            stream.wait_for(8)
            began = time.monotonic()
            stack.kill("web1")
            windows["web node killed"] = (began, time.monotonic())
            stream.wait_for(8)

            # 2. PostgreSQL stopped as in a crash (no checkpoint), then started again.
            began = time.monotonic()
            postgresql.crash()
            time.sleep(1)
            postgresql.start()
            windows["PostgreSQL restarted"] = (began, time.monotonic())
            stream.wait_for(8)
            stack.start_node("web1")  # the node comes back; the balancer's check sees it
            stream.wait_for(4)

            # 3. The Celery worker lost in the middle of a mailing, while the stream goes on.
            mailing = scenario(stack, "mailing")["mailing"]
            deadline = time.monotonic() + 120
            while sum(mail_recipients(stack.mail)[a] for a in invited) < 5:
                assert time.monotonic() < deadline, "the mailing does not start"
                time.sleep(0.1)
            stack.kill("celery")
            cut = sum(mail_recipients(stack.mail)[a] for a in invited)
            assert cut < UNINVITED, "the mailing ended before its worker was killed"
            # Five minutes of silence make the run stale (docs/mailings.md): made to have
            # passed, then what cron runs, and a new worker.
            assert scenario(stack, "age-mailing", str(mailing))["moved"] == 1
            stack.start_worker()
            assert "relancé" in urne(stack, "resume_mailings")
            deadline = time.monotonic() + 180
            while (state := scenario(stack, "mailing-state", str(mailing)))["status"] != "done":
                assert time.monotonic() < deadline, state
                time.sleep(1)
        finally:
            stream.finish()

        # Only requests in flight at a fault failed: none outside the faults' moments, and
        # through the node's loss no more than the requests the clients had in flight.
        def during(attempt: Attempt, window: tuple[float, float], grace: float) -> bool:
            return attempt.began <= window[1] + grace and attempt.ended >= window[0]

        failed = [a for a in stream.attempts if a.status not in (200, 201, 302)]
        # After PostgreSQL is back, the balancer's health check (/sante/) takes a few seconds to
        # see the nodes healthy again: until then it answers 503 at once.
        grace = {"web node killed": 5.0, "PostgreSQL restarted": 10.0}
        outside = [
            a
            for a in failed
            if not any(during(a, window, grace[name]) for name, window in windows.items())
        ]
        assert outside == [], outside
        through_node = [a for a in failed if during(a, windows["web node killed"], 0.5)]
        assert len(through_node) <= CLIENTS, through_node

        # Every acknowledged ballot is in the box, with its émargement, and on the archive.
        receipts = stream.receipts
        assert len(receipts) >= 20
        stored = scenario(stack, "check")
        assert set(receipts.values()) <= set(stored["trackers"])
        assert stored["ballots"] == len(stored["emargements"]) == stored["verified"]
        assert set(receipts) <= set(stored["emargements"])
        trackers, report = archive_trackers(Browser(stack.ports["lb"]), prepared["uuid"], tmp_path)
        assert set(receipts.values()) <= set(trackers)
        assert report["ballots"] == stored["ballots"] == len(trackers)

        # The mailing went on where it stopped: each message at most once; every recipient
        # sent to, except at most the one whose message was leaving at the kill (« remise
        # incertaine, non renvoyé »).
        sent = mail_recipients(stack.mail)
        assert all(sent[address] <= 1 for address in invited), sent
        assert state["sends"].get("sent", 0) + state["sends"].get("interrupted", 0) == UNINVITED
        assert len(state["interrupted"]) <= 1
        assert all(sent[address] == 1 for address in state["sent_to"])
