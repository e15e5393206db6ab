"""The live figures of the platform, for the supervision page and the metrics.

Two sources, said as such on the page:

- the database and the broker, the same from every node: ballots in the box and per minute
  (émargements by time, to the second), mailings' messages sent and failed, receipts waiting,
  the depth of each Celery queue;
- this node's counters since its start (`urne.operations.metrics`, added up over its worker
  processes): logins by outcome, the ballot box's answers by reason, messages sent. Prometheus,
  which scrapes every node, gives the whole platform's.

Platform-wide totals, no elector and no perimeter in them: `operations.view_supervision` only.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Sum

from urne import clock
from urne.operations import health, metrics


def queue_names() -> list[str]:
    """Celery's default queue and every queue the task routes name."""
    names = [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None) or "celery"]
    for route in getattr(settings, "CELERY_TASK_ROUTES", {}).values():
        queue = route.get("queue") if isinstance(route, dict) else None
        if queue and queue not in names:
            names.append(queue)
    return names


def queue_depths() -> dict[str, int | None]:
    """Tasks waiting in each queue on the broker; {} without a broker (eager), None for a
    queue the broker could not tell (down)."""
    if not settings.CELERY_BROKER_URL:
        return {}
    depths: dict[str, int | None] = {}
    try:
        with health.broker_connection() as connection:
            connection.ensure_connection(max_retries=0, timeout=health.BROKER_TIMEOUT)
            for name in queue_names():
                depths[name] = _depth(connection, name)
    except Exception:  # the broker is down: the health says so
        return dict.fromkeys(queue_names())
    return depths


def _depth(connection: Any, name: str) -> int:
    # A passive declare asks the size without creating the queue; a queue that does not exist
    # (yet, or no more: Redis drops an empty list) holds nothing. A refused declare closes its
    # channel, so each queue gets a channel of its own.
    from kombu.exceptions import ChannelError

    channel = connection.channel()
    try:
        return int(channel.queue_declare(queue=name, passive=True).message_count)
    except ChannelError:
        return 0
    finally:
        with contextlib.suppress(Exception):  # already closed by the broker's refusal
            channel.close()


def pending_receipts() -> int | None:
    from urne.voting.models import PendingReceipt

    try:
        return int(PendingReceipt.objects.count())
    except Exception:  # the database is down: the health says so
        return None


@dataclass(frozen=True)
class BallotRate:
    in_box: int
    last_minute: int
    per_minute_5: float
    per_minute_15: float


def ballot_rate() -> BallotRate:
    """Ballots in every box, and accepted per minute (émargements by their time)."""
    from urne.voting.models import Emargement, ScrutinElection

    elections = list(ScrutinElection.objects.values_list("pk", flat=True))
    in_box = ScrutinElection.objects.aggregate(total=Sum("ballot_count"))["total"] or 0
    now = clock.now()

    def since(minutes: int) -> int:
        if not elections:
            return 0
        # The émargement's index (election, voted_at) serves this, election by election.
        return int(
            Emargement.objects.filter(
                election__in=elections, voted_at__gt=now - timedelta(minutes=minutes)
            ).count()
        )

    return BallotRate(
        in_box=int(in_box),
        last_minute=since(1),
        per_minute_5=round(since(5) / 5, 1),
        per_minute_15=round(since(15) / 15, 1),
    )


def mailing_totals() -> dict[str, int]:
    from urne.mailings.models import Mailing

    totals = Mailing.objects.aggregate(sent=Sum("sent_count"), failed=Sum("failed_count"))
    return {key: int(value or 0) for key, value in totals.items()}


def node_counters() -> dict[str, list[dict[str, Any]]]:
    """This node's counters as rows: logins, ballot answers, messages."""

    def rows(name: str, *labels: str) -> list[dict[str, Any]]:
        values = metrics.counter_values(name)
        found = [
            {**dict(key), "value": int(value)}
            for key, value in values.items()
            if all(label in dict(key) for label in labels)
        ]
        return sorted(found, key=lambda row: tuple(str(row[label]) for label in labels))

    return {
        "logins": rows("urne_logins", "step", "outcome"),
        "ballots": rows("urne_ballots", "outcome"),
        "mail": rows("urne_mail_sent", "kind", "outcome"),
    }


def supervision_figures() -> dict[str, Any]:
    """Everything the supervision page shows, as JSON-ready values."""
    node = health.node_health()
    rate = ballot_rate()
    counters = node_counters()
    refused = [row for row in counters["ballots"] if row["outcome"] not in {"accepted"}]
    return {
        "at": clock.now().isoformat(timespec="seconds"),
        "ok": node.ok,
        "health": [
            {"name": c.name, "ok": c.ok, "detail": c.detail, "ms": c.milliseconds}
            for c in node.components
        ],
        "ballots_in_box": rate.in_box,
        "ballots_last_minute": rate.last_minute,
        "ballots_per_minute_5": rate.per_minute_5,
        "ballots_per_minute_15": rate.per_minute_15,
        "queues": [{"queue": name, "depth": depth} for name, depth in queue_depths().items()],
        "receipts_pending": pending_receipts(),
        "mailings": mailing_totals(),
        "node_logins": counters["logins"],
        "node_ballots": counters["ballots"],
        "node_refused": refused,
        "node_mail": counters["mail"],
    }
