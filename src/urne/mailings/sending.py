"""A mailing's run: what a Celery worker does with a queued mailing, resumable and safe.

One run at a time holds a mailing: it claims it with a conditional update (queued, or sending
with a heartbeat older than STALE_AFTER) that writes a token of its own, and keeps writing its
heartbeat while it works. A run whose worker died (process killed, machine stopped) thus leaves
the mailing to the next run once stale: the Celery message comes back (late acknowledgement,
`reject_on_worker_lost`), or `urne resume_mailings` / the page's « Reprendre l'envoi » queue it
again. A run that finds the mailing held by a live one leaves it alone.

The run first lists the recipients (one `Send` row each, unique per mailing and elector: a run
taken up again continues the list where it stopped), then sends to them in order. Each message is
claimed (pending → sending) and committed *before* it leaves, and marked sent *after*: a run
killed in between leaves the row "sending", and no run sends it again (it is counted as
interrupted at the end). A message the mail server refuses is "failed"; an exception that stops
the run itself (time limit, shutdown) gives the claim of the message in flight back, since the
message did not leave. So an elector never gets a mailing twice.

Messages leave at most URNE_MAILING_RATE per second per mailing (a pause between two messages).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Final

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Max, Q

from urne import clock
from urne.accounts import invitations
from urne.audit import services as audit
from urne.campaign.models import Elector
from urne.mailings import audience, composing
from urne.mailings.models import HEARTBEAT, STALE_AFTER, Kind, Mailing, Send
from urne.operations import metrics

logger = logging.getLogger(__name__)

BATCH_SIZE: Final = 200
PREPARE_BATCH_SIZE: Final = 2000


class Pacer:
    """At most `rate` calls of `wait` returning per second: each waits until `1 / rate` seconds
    after the previous one returned (no bursts). A rate of 0 never waits.

    `now` and `sleep` are the clock seam (time.monotonic and time.sleep)."""

    def __init__(
        self,
        rate: float,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1 / rate if rate > 0 else 0.0
        self._now = now
        self._sleep = sleep
        self._next: float | None = None

    def wait(self) -> None:
        if not self.interval:
            return
        at = self._now()
        if self._next is not None and at < self._next:
            self._sleep(self._next - at)
            # From when the sleep really ended: a sleep that overran is not made up for by a
            # shorter gap after it.
            at = self._now()
        self._next = at + self.interval


def mailing_rate() -> float:
    return float(getattr(settings, "URNE_MAILING_RATE", 0))


@dataclass(frozen=True)
class RunReport:
    """What one run did. `busy_until`: the mailing is held by a live run until then (this run
    did nothing)."""

    status: str
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    busy_until: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        report = asdict(self)
        report["busy_until"] = self.busy_until.isoformat() if self.busy_until else None
        return report


class RunLost(Exception):
    """Another run took the mailing over (this one was presumed dead): stop quietly."""


# --- Holding the mailing -------------------------------------------------------------------------


def claimable(at: datetime) -> Q:
    """The mailings a run may take at `at`: queued, or sending with a silent run."""
    return Q(status=Mailing.Status.QUEUED) | Q(
        status=Mailing.Status.SENDING, heartbeat_at__lt=at - STALE_AFTER
    )


def claim_run(mailing_id: int, at: datetime) -> str | None:
    """This run's token if it now holds the mailing, else None (one winner among runs at once:
    the update is conditional on the state and token seen)."""
    seen = (
        Mailing.objects.filter(claimable(at), pk=mailing_id).values("status", "run_token").first()
    )
    if seen is None:
        return None
    token = uuid.uuid4().hex
    takeover = seen["status"] == Mailing.Status.SENDING
    won = Mailing.objects.filter(
        claimable(at), pk=mailing_id, status=seen["status"], run_token=seen["run_token"]
    ).update(
        status=Mailing.Status.SENDING,
        run_token=token,
        heartbeat_at=at,
        takeovers=F("takeovers") + (1 if takeover else 0),
    )
    if won != 1:
        return None
    if takeover:
        logger.warning("mailing %s: its run fell silent; taken up again", mailing_id)
        audit.record(None, "mailing.takeover", Mailing.objects.get(pk=mailing_id))
    return token


class Heart:
    """The run's heartbeat: written at most every HEARTBEAT, and only while the run holds the
    mailing (RunLost otherwise)."""

    def __init__(self, mailing_id: int, token: str) -> None:
        self.mailing_id = mailing_id
        self.token = token
        self.last = clock.now()

    def beat(self, force: bool = False) -> None:
        now = clock.now()
        if not force and now - self.last < HEARTBEAT:
            return
        held = Mailing.objects.filter(pk=self.mailing_id, run_token=self.token).update(
            heartbeat_at=now
        )
        if held != 1:
            raise RunLost
        self.last = now


# --- Listing the recipients ----------------------------------------------------------------------


def prepare(mailing: Mailing, heart: Heart) -> None:
    """One `Send` row per recipient, then the total. Resumable: a run taken up again continues
    after the last elector listed (keyset paging by elector id; a row already there is kept)."""
    if mailing.total is not None:
        return
    sends = Send.objects.filter(mailing=mailing)
    last = sends.aggregate(last=Max("elector_id"))["last"] or 0
    while True:
        heart.beat()
        batch = list(
            audience.recipients(mailing)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "email")[:PREPARE_BATCH_SIZE]
        )
        if not batch:
            break
        Send.objects.bulk_create(
            [Send(mailing=mailing, elector_id=pk, address=email) for pk, email in batch],
            ignore_conflicts=True,
        )
        last = batch[-1][0]
    mailing.total = sends.count()
    Mailing.objects.filter(pk=mailing.pk, run_token=heart.token).update(total=mailing.total)


# --- Sending -------------------------------------------------------------------------------------


def _count(mailing_id: int, field: str) -> None:
    Mailing.objects.filter(pk=mailing_id).update(**{field: F(field) + 1})


def _outcome(send: Send, status: str, field: str, **values: Any) -> None:
    """Record a send's outcome and its count on the mailing, together."""
    with transaction.atomic():
        Send.objects.filter(pk=send.pk, status=Send.Status.SENDING).update(status=status, **values)
        _count(send.mailing_id, field)


def _skip(send: Send, reason: str) -> None:
    with transaction.atomic():
        if Send.objects.filter(pk=send.pk, status=Send.Status.PENDING).update(
            status=Send.Status.SKIPPED, error=reason[:200]
        ):
            _count(send.mailing_id, "skipped_count")


def _claim(send: Send, at: datetime) -> bool:
    """True when this run, and no other, now owns the send (committed before the message
    leaves)."""
    return (
        Send.objects.filter(pk=send.pk, status=Send.Status.PENDING).update(
            status=Send.Status.SENDING, claimed_at=at
        )
        == 1
    )


def _give_back(send: Send) -> None:
    Send.objects.filter(pk=send.pk, status=Send.Status.SENDING).update(
        status=Send.Status.PENDING, claimed_at=None
    )


def send_one(mailing: Mailing, send: Send, elector: Elector, connection: Any, pacer: Pacer) -> str:
    """Send `send`'s message if this run wins its claim; returns the send's new status (or
    "" when another run had it)."""
    stamp = clock.now()
    if not _claim(send, stamp):
        return ""
    # An invitation also holds the elector's own claim (Elector.invitation_sent_at), shared with
    # `urne send_invitations`: an elector is invited once, whichever way.
    invitation = mailing.kind == Kind.INVITATION
    if invitation and not invitations.claim(elector.pk, stamp):
        _give_back(send)
        _skip(send, "invitation déjà envoyée")
        return Send.Status.SKIPPED
    try:
        message = composing.message(mailing, elector)
        message.connection = connection
        pacer.wait()
        message.send()
    except Exception as error:
        if invitation:
            invitations.release(elector.pk, stamp)
        # The elector's id, never their address: logs are not a copy of the roll.
        logger.warning(
            "mailing %s: message to elector %s not sent (%s)",
            mailing.pk,
            elector.pk,
            type(error).__name__,
        )
        _outcome(send, Send.Status.FAILED, "failed_count", error=type(error).__name__[:200])
        metrics.count_mail("mailing", "failed")
        return Send.Status.FAILED
    except BaseException:
        # The run itself is stopping (time limit, shutdown): this message did not leave.
        if invitation:
            invitations.release(elector.pk, stamp)
        _give_back(send)
        raise
    _outcome(send, Send.Status.SENT, "sent_count", sent_at=clock.now())
    metrics.count_mail("mailing", "sent")
    return Send.Status.SENT


def _send_all(mailing: Mailing, heart: Heart, pacer: Pacer) -> dict[str, int]:
    counts: dict[str, int] = {Send.Status.SENT: 0, Send.Status.FAILED: 0, Send.Status.SKIPPED: 0}
    last = 0
    while True:
        heart.beat()
        batch = list(
            Send.objects.filter(mailing=mailing, status=Send.Status.PENDING, pk__gt=last).order_by(
                "pk"
            )[:BATCH_SIZE]
        )
        if not batch:
            return counts
        last = batch[-1].pk
        try:
            audience.check_mailing_open(mailing)
        except audience.MailingClosed:
            for send in batch:
                _skip(send, "calendrier clos")
                counts[Send.Status.SKIPPED] += 1
            continue
        concerned = audience.still_concerned(mailing, [send.elector_id for send in batch])
        electors = Elector.objects.select_related("academy").in_bulk(
            [send.elector_id for send in batch]
        )
        with get_connection() as connection:
            for send in batch:
                heart.beat()
                if send.elector_id not in concerned:
                    _skip(send, "plus concerné")
                    counts[Send.Status.SKIPPED] += 1
                    continue
                outcome = send_one(mailing, send, electors[send.elector_id], connection, pacer)
                if outcome:
                    counts[outcome] += 1


def _finish(mailing: Mailing, token: str) -> bool:
    """Close the mailing: the sends a dead run left "sending" are interrupted (never sent
    again). False if another run holds it by now."""
    with transaction.atomic():
        held = Mailing.objects.select_for_update().filter(pk=mailing.pk, run_token=token)
        if not held.exists():
            return False
        interrupted = Send.objects.filter(mailing=mailing, status=Send.Status.SENDING).update(
            status=Send.Status.INTERRUPTED
        )
        held.update(
            status=Mailing.Status.DONE,
            finished_at=clock.now(),
            interrupted_count=F("interrupted_count") + interrupted,
        )
    mailing.refresh_from_db()
    audit.record(
        None,
        "mailing.finish",
        mailing,
        sent=mailing.sent_count,
        failed=mailing.failed_count,
        skipped=mailing.skipped_count,
        interrupted=mailing.interrupted_count,
    )
    return True


def run_mailing(mailing_id: int, pacer: Pacer | None = None) -> RunReport:
    """Do (or continue) the mailing `mailing_id`, if no live run holds it."""
    now = clock.now()
    token = claim_run(mailing_id, now)
    mailing = Mailing.objects.select_related("campaign").get(pk=mailing_id)
    if token is None:
        busy = None
        if mailing.status == Mailing.Status.SENDING and mailing.heartbeat_at is not None:
            busy = mailing.heartbeat_at + STALE_AFTER
        return RunReport(status=mailing.status, busy_until=busy)
    heart = Heart(mailing_id, token)
    pacer = pacer or Pacer(mailing_rate())
    try:
        prepare(mailing, heart)
        counts = _send_all(mailing, heart, pacer)
    except RunLost:
        logger.warning("mailing %s: taken over by another run; this one stops", mailing_id)
        mailing.refresh_from_db(fields=["status"])
        return RunReport(status=mailing.status)
    _finish(mailing, token)
    return RunReport(
        status=Mailing.Status.DONE,
        sent=counts[Send.Status.SENT],
        failed=counts[Send.Status.FAILED],
        skipped=counts[Send.Status.SKIPPED],
    )


def stale_mailings(at: datetime | None = None) -> list[int]:
    """The mailings whose run fell silent (or that wait for one), to queue again."""
    at = at or clock.now()
    queued_long_ago = Q(status=Mailing.Status.QUEUED, queued_at__lt=at - STALE_AFTER)
    silent = Q(status=Mailing.Status.SENDING, heartbeat_at__lt=at - STALE_AFTER)
    return list(
        Mailing.objects.filter(queued_long_ago | silent).order_by("pk").values_list("pk", flat=True)
    )
