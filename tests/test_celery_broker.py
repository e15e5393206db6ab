"""Background work through a real broker: the production path, not the embedded eager mode.

CI's machine (and ours) runs Redis on 127.0.0.1:6379; REDIS_URL may name another.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import kombu.pools
import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from django.core import mail

from tests.conftest import make_elector
from urne.campaign.models import Academy, Campaign, Elector
from urne.celery import app

BROKER = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def broker_app() -> Iterator[Any]:
    """The project's Celery app, switched from eager mode to the Redis broker for one test."""
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as error:
        pytest.fail(f"Redis is required at {BROKER} for the broker test: {error}")
    saved = {
        key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")
    }
    queue = f"urne-test-{os.getpid()}-{time.monotonic_ns()}"
    _forget_connections()
    app.conf.update(broker_url=BROKER, task_always_eager=False, task_default_queue=queue)
    try:
        yield app
    finally:
        _forget_connections()
        app.conf.update(saved)


def _forget_connections() -> None:
    """Celery caches its connection and producer pools, and its queues: drop them so the broker
    URL and the test's queue apply.

    kombu keeps producer pools in a registry of its own, keyed by connection: reset it too, or a
    later eager task (Celery takes a producer even then, for the serializer) would draw from the
    pool closed here."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()  # type: ignore[no-untyped-call]
    # The queues and the router are cached from their first use, with the default queue of that
    # moment: a second test through the broker (each has a queue of its own) would publish to its
    # queue while its worker consumed the first one's.
    for cached in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(cached, None)


@pytest.mark.django_db(transaction=True)
def test_invitations_are_sent_by_a_worker_through_the_broker(
    broker_app: Any, campaign: Campaign, dijon: Academy
) -> None:
    electors = [make_elector(campaign, dijon, f"Prénom{i}", f"Nom{i}") for i in range(3)]
    from urne.accounts.tasks import send_invitations

    with start_worker(broker_app, perform_ping_check=False, shutdown_timeout=20):
        result = send_invitations.delay(campaign.pk)
        assert not isinstance(result, EagerResult), "the task ran in-process, not via the broker"
        deadline = time.monotonic() + 30
        while (
            Elector.objects.filter(campaign=campaign, invitation_sent_at=None).exists()
            or len(mail.outbox) < len(electors)
        ) and time.monotonic() < deadline:
            time.sleep(0.1)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.email for e in electors)
    assert not Elector.objects.filter(campaign=campaign, invitation_sent_at=None).exists()
