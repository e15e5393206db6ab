"""Beyond capacity the site answers at once « Le service est très sollicité : réessayez dans N
secondes » (503, Retry-After) at the load balancer, and the ballot box never half-accepts: a
ballot is stored with its émargement, or refused and stored nowhere (then accepted when sent
again)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.operations.stack_client import Answer, Browser, needs_stack, private_stack, scenario

pytestmark = [pytest.mark.slow, needs_stack]

BURST = 24


def test_a_saturated_site_answers_at_once_and_the_box_never_half_accepts(tmp_path: Path) -> None:
    # A low limit: one worker per node, one request per node at a time, a new request refused
    # as soon as two wait for a node.
    with private_stack(
        tmp_path / "stack", web_workers=1, max_queue=2, queue_timeout=5, retry_after=7
    ) as (stack, _):
        prepared = scenario(stack, "prepare", str(BURST), "0")
        voters = prepared["voters"]
        browsers = [Browser(stack.ports["lb"]) for _ in voters]
        for browser, voter in zip(browsers, voters, strict=True):
            assert browser.login(voter["email"], prepared["password"]).status == 302

        answers: dict[int, tuple[Answer, float]] = {}
        start = threading.Barrier(BURST)

        def cast(index: int) -> None:
            start.wait()
            began = time.monotonic()
            answer = browsers[index].cast(
                prepared["uuid"], voters[index]["ballot"], f"overload-test-{index:04d}-x"
            )
            answers[index] = (answer, time.monotonic() - began)

        threads = [threading.Thread(target=cast, args=(i,)) for i in range(BURST)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        accepted = {i for i, (answer, _) in answers.items() if answer.status == 201}
        busy = {i for i, (answer, _) in answers.items() if answer.status == 503}
        assert accepted | busy == set(range(BURST)), {a.status for a, _ in answers.values()}
        assert accepted and busy
        for index in busy:
            answer, seconds = answers[index]
            assert answer.headers["retry-after"] == "7"
            assert answer.headers["content-type"] == "text/html; charset=utf-8"
            assert "Le service est très sollicité : réessayez dans 7 secondes" in answer.text
            # At once: refused on arrival, not after waiting out the queue's 5 seconds.
            assert seconds < 4, seconds

        # Whole or nothing: each 201 is a ballot with its émargement, each 503 left no trace.
        stored = scenario(stack, "check")
        assert stored["ballots"] == len(accepted) == stored["verified"]
        assert sorted(stored["trackers"]) == sorted(
            answers[i][0].json()["tracker"] for i in accepted
        )
        assert stored["emargements"] == sorted(voters[i]["email"] for i in accepted)

        # Sent again once the load has passed, as the page says: accepted, not « already voted ».
        for index in sorted(busy):
            again = browsers[index].cast(
                prepared["uuid"], voters[index]["ballot"], f"overload-test-{index:04d}-x"
            )
            assert again.status == 201, again.text[:300]
        stored = scenario(stack, "check")
        assert stored["ballots"] == BURST == len(stored["emargements"]) == stored["verified"]
