"""Closing the ballot box and computing the encrypted tally (issue 9, « Clôture et dépouillement »).

The board of a scrutin (`UUID.bel`) goes on after its ballots with the events of the count, each
stored as a `CountingEvent` (its exact tar entries) and appended to the same hash chain, whose
head stays on the `ScrutinElection` row:

1. `do_close_election(election)`: at the campaign's closing time (`Campaign.vote_closes_at`, to
   the second, on urne's clock) the EndBallots event is appended, once; from then on the ballot
   box refuses every ballot (it reads the closing under the same row lock as it appends).
   `do_close_due_elections()` closes every scrutin whose time has come: a periodic Celery task
   (`urne.counting.tasks.close_due_elections`, every minute with celery beat), the command
   `urne close_elections`, and any later visit of the scrutin's board or count page call it, so
   that the box closes even without a broker or a beat process.
2. `do_tally_chunk(election)`: the encrypted tally is the product, choice by choice, of the
   stored ballots' ciphertexts (spec §4.16). It is computed by chunks of ballots in the board's
   order; after each chunk the running products are saved (`TallyProgress`), so that staff see
   the progress and a worker that stops resumes where it was. `do_compute_tally` runs the chunks
   to the end (the Celery task `urne.counting.tasks.compute_tally`); then the EncryptedTally
   event is appended.

The ballots were fully checked by the ballot box when they came in; the tally only multiplies
their ciphertexts (`urne verify` and belenios-tool check everything again from the archive).
No ballot is ever decrypted: only the tally is, by the bureau (`urne.counting.decryption`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import gmpy2
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne import clock
from urne.audit.services import Who, record
from urne.backoffice.access import access_as_staff, scoped
from urne.crypto.archive import Chain, ChainState, EventType
from urne.crypto.elgamal import Ciphertext
from urne.crypto.group import Element
from urne.crypto.jsonio import dumps, loads
from urne.crypto.tally import EncryptedTally
from urne.voting.models import Ballot, CountingEvent, ScrutinElection, TallyProgress
from urne.voting.setup import GROUP, sealed_election
from urne.web.errors import VisitorError

logger = logging.getLogger(__name__)

CHUNK = 2000
"""Ballots multiplied per chunk of the tally (one transaction, one progress update)."""

Kind = CountingEvent.Kind


class CountingRefused(VisitorError):
    """A step of the count that cannot be done now, or bad input; the message says why."""

    message = gettext_lazy("Cette étape du dépouillement n'est pas possible maintenant.")
    status = 409


# --- reading where the count stands -------------------------------------------------------------


def counting_events(election: ScrutinElection) -> list[CountingEvent]:
    """The count's events of `election`, in the chain's order, without their tar entries."""
    return list(CountingEvent.objects.filter(election=election).defer("entries").order_by("height"))


def has_event(election: ScrutinElection, kind: str) -> bool:
    return CountingEvent.objects.filter(election=election, kind=kind).exists()


def is_closed(election: ScrutinElection) -> bool:
    """The EndBallots event is on the board: the box takes no more ballots."""
    return has_event(election, Kind.END_BALLOTS)


def is_due(election: ScrutinElection, at: datetime | None = None) -> bool:
    """The scrutin is sealed and its campaign's vote is over (closing time included)."""
    return election.is_sealed and election.scrutin.campaign.vote_closed(at or clock.now())


def _locked(election: ScrutinElection) -> ScrutinElection:
    """The election's row, locked until the transaction ends (the ballot box takes the same
    lock to append a ballot): its chain's head as it stands."""
    return ScrutinElection.objects.select_for_update().get(pk=election.pk)


def _chain(locked: ScrutinElection) -> Chain:
    last = (
        CountingEvent.objects.filter(election=locked)
        .order_by("-height")
        .values_list("kind", flat=True)
        .first()
    )
    if last is not None:
        last_type = EventType(last)
    else:
        last_type = EventType.BALLOT if locked.ballot_count else EventType.SETUP
    if locked.archive_timestamp is None:  # pragma: no cover - sealed elections have one
        raise CountingRefused(_("Ce scrutin n'est pas scellé : il n'a pas d'urne à clore."))
    return Chain(ChainState(locked.archive_timestamp, locked.last_event, locked.height, last_type))


def append_event(
    locked: ScrutinElection,
    kind: str,
    build: Callable[[Chain], tuple[list[bytes], str | None]],
    *,
    text: str = "",
    owner: int | None = None,
    tallied: int | None = None,
    by: Any = None,
) -> CountingEvent:
    """Append one event of the count to `locked`'s board (the election's row locked by the
    caller's transaction): `build(chain)` returns the payloads' tar entries and the event's
    payload hash; the event is made here, stored with them, and becomes the chain's head."""
    chain = _chain(locked)
    entries, payload = build(chain)
    event_hash, raw = chain.event(EventType(kind), payload)
    stored = CountingEvent.objects.create(
        election=locked,
        height=chain.state.height,
        kind=kind,
        event=event_hash,
        entries=b"".join([*entries, raw]),
        text=text,
        owner=owner,
        tallied=tallied,
        recorded_at=clock.now(),
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    ScrutinElection.objects.filter(pk=locked.pk).update(
        last_event=event_hash, height=chain.state.height
    )
    locked.last_event, locked.height = event_hash, chain.state.height
    return stored


def _user(who: Who) -> Any:
    return getattr(who, "user", who)


# --- 1. closing ---------------------------------------------------------------------------------


def check_closable(election: ScrutinElection, at: datetime | None = None) -> None:
    """The box may close once the scrutin is sealed and the vote's closing time has come."""
    if not election.is_sealed:
        raise CountingRefused(
            _("Le scrutin « %(scrutin)s » n'est pas scellé : il n'a pas d'urne à clore.")
            % {"scrutin": election.scrutin.code}
        )
    if not is_due(election, at):
        closes = election.scrutin.campaign.vote_closes_at
        raise CountingRefused(
            _(
                "Le vote du scrutin « %(scrutin)s » n'est pas clos : l'urne se fermera "
                "d'elle-même le %(closes)s."
            )
            % {"scrutin": election.scrutin.code, "closes": _moment(closes)}
        )


def _moment(value: Any) -> str:
    return str(date_format(timezone.localtime(value), "DATETIME_FORMAT"))


def do_close_election(election: ScrutinElection, who: Who = None) -> bool:
    """Append the EndBallots event, once: True if this call closed the box, False if it was
    closed already. Refused (`CountingRefused`) before the closing time. The tally is then
    scheduled (after the commit)."""
    check_closable(election)
    try:
        return _close(election, who)
    except IntegrityError:
        # Without row locks (SQLite), a concurrent closing got there first: the database's
        # constraint (one EndBallots per scrutin) refused this one, which changed nothing.
        if is_closed(election):
            return False
        raise


def _close(election: ScrutinElection, who: Who) -> bool:
    with transaction.atomic():
        locked = _locked(election)
        if is_closed(locked):
            return False
        append_event(locked, Kind.END_BALLOTS, lambda chain: ([], None), by=_user(who))
        TallyProgress.objects.get_or_create(
            election=locked,
            defaults={"total": locked.ballot_count, "started_at": clock.now()},
        )
        record(
            who,
            "counting.close",
            election,
            description=str(election.scrutin),
            scrutin=election.scrutin.code,
            received=locked.ballot_count,
        )
        transaction.on_commit(lambda: schedule_tally(election.pk), robust=True)
    logger.info("ballot box closed: scrutin %s", election.scrutin.code)
    return True


def schedule_tally(election_id: int) -> None:
    """Have the encrypted tally computed (a Celery task; in-process without a broker)."""
    from urne.counting.tasks import compute_tally

    compute_tally.delay(election_id)


def due_elections(at: datetime | None = None) -> list[ScrutinElection]:
    """The sealed elections whose vote is over and whose box is not closed yet."""
    return list(
        ScrutinElection.objects.filter(
            sealed_at__isnull=False, scrutin__campaign__vote_closes_at__lte=at or clock.now()
        )
        .exclude(counting_events__kind=Kind.END_BALLOTS)
        .select_related("scrutin__campaign")
        .order_by("pk")
    )


def untallied_elections() -> list[ScrutinElection]:
    """The closed elections whose encrypted tally is not on the board yet."""
    return list(
        ScrutinElection.objects.filter(counting_events__kind=Kind.END_BALLOTS)
        .exclude(Q(counting_events__kind=Kind.ENCRYPTED_TALLY))
        .select_related("scrutin__campaign")
        .order_by("pk")
    )


def do_close_due_elections(at: datetime | None = None) -> list[ScrutinElection]:
    """Close every election whose closing time has come (`do_close_election`); those closed."""
    closed = []
    for election in due_elections(at):
        if do_close_election(election):
            closed.append(election)
    return closed


def close_if_due(election: ScrutinElection) -> bool:
    """Close `election` if its time has come and it is still open (a later visit of its board
    or of its count page does it, so that the box closes without a broker too)."""
    if election.is_sealed and is_due(election) and not is_closed(election):
        return do_close_election(election)
    return False


# --- 2. the encrypted tally ---------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How far the encrypted tally is, for staff."""

    total: int
    done: int
    finished: bool
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


def tally_progress(election: ScrutinElection) -> Progress | None:
    """None before the closing."""
    progress = TallyProgress.objects.filter(election=election).first()
    if progress is None:
        return None
    return Progress(
        total=progress.total,
        done=progress.done,
        finished=progress.finished_at is not None,
        started_at=progress.started_at,
        finished_at=progress.finished_at,
    )


def _shape(election: ScrutinElection) -> list[int]:
    return [question.choice_count for question in sealed_election(election).questions]


def _read_state(progress: TallyProgress, shape: Sequence[int]) -> tuple[list[list[Any]], ...]:
    if not progress.state:
        return tuple([[gmpy2.mpz(1)] * n for n in shape] for _ in range(2))
    value = json.loads(progress.state)
    return tuple(
        [[gmpy2.mpz(item) for item in row] for row in value[key]] for key in ("alphas", "betas")
    )


def _write_state(alphas: list[list[Any]], betas: list[list[Any]]) -> str:
    return json.dumps(
        {
            "alphas": [[str(item) for item in row] for row in alphas],
            "betas": [[str(item) for item in row] for row in betas],
        }
    )


def multiply_ballots(
    texts: Sequence[str], alphas: list[list[Any]], betas: list[list[Any]], p: Any
) -> None:
    """Multiply the ballots' ciphertexts into the running products (in place). The ballots are
    those the ballot box accepted (fully checked then): only their numbers are read here."""
    mpz, f_mod = gmpy2.mpz, gmpy2.f_mod
    for text in texts:
        answers = json.loads(text)["answers"]
        for question_alphas, question_betas, answer in zip(alphas, betas, answers, strict=True):
            for j, choice in enumerate(answer["choices"]):
                question_alphas[j] = f_mod(question_alphas[j] * mpz(choice["alpha"]), p)
                question_betas[j] = f_mod(question_betas[j] * mpz(choice["beta"]), p)


def do_tally_chunk(election: ScrutinElection, size: int = CHUNK) -> bool:
    """Count the next `size` ballots into the running tally (one transaction, the progress
    row locked: two workers never count a ballot twice); when every ballot is counted, append
    the EncryptedTally event. True once the encrypted tally is on the board."""
    with transaction.atomic():
        progress = TallyProgress.objects.select_for_update().filter(election=election).first()
        if progress is None:
            raise CountingRefused(
                _("L'urne du scrutin « %(scrutin)s » n'est pas close : rien à dépouiller.")
                % {"scrutin": election.scrutin.code}
            )
        if progress.finished_at is not None:
            return True
        shape = _shape(election)
        alphas, betas = _read_state(progress, shape)
        rows = list(
            Ballot.objects.filter(election=election, height__gt=progress.last_height)
            .order_by("height")
            .values_list("height", "text")[:size]
        )
        if rows:
            multiply_ballots([text for _, text in rows], alphas, betas, GROUP.p)
            progress.done += len(rows)
            progress.last_height = rows[-1][0]
            progress.state = _write_state(alphas, betas)
        if progress.done < progress.total:
            progress.save(update_fields=["done", "last_height", "state"])
            return False
        tally = EncryptedTally(
            ciphertexts=tuple(
                tuple(
                    Ciphertext(Element(alpha), Element(beta))
                    for alpha, beta in zip(row_alphas, row_betas, strict=True)
                )
                for row_alphas, row_betas in zip(alphas, betas, strict=True)
            ),
            num_tallied=progress.done,
            total_weight=progress.done,
        )
        _append_tally(election, tally)
        progress.finished_at = clock.now()
        progress.save(update_fields=["done", "last_height", "state", "finished_at"])
    logger.info("encrypted tally appended: scrutin %s", election.scrutin.code)
    return True


def _append_tally(election: ScrutinElection, tally: EncryptedTally) -> CountingEvent:
    locked = _locked(election)
    if has_event(locked, Kind.ENCRYPTED_TALLY):  # pragma: no cover - the progress row says so
        raise CountingRefused(_("Le dépouillement chiffré de ce scrutin est déjà publié."))
    text = dumps(tally.to_json())

    def build(chain: Chain) -> tuple[list[bytes], str]:
        tally_hash, tally_raw = chain.data(text)
        sized = dumps(tally.sized_to_json(tally_hash))
        sized_hash, sized_raw = chain.data(sized)
        return [tally_raw, sized_raw], sized_hash

    stored = append_event(locked, Kind.ENCRYPTED_TALLY, build, text=text, tallied=tally.num_tallied)
    record(
        None,
        "counting.encrypted_tally",
        election,
        description=str(election.scrutin),
        scrutin=election.scrutin.code,
        tallied=tally.num_tallied,
    )
    return stored


def do_compute_tally(
    election: ScrutinElection,
    size: int = CHUNK,
    report: Callable[[Progress], None] | None = None,
) -> None:
    """Run `do_tally_chunk` until the encrypted tally is on the board (resuming where an earlier
    run stopped)."""
    while not do_tally_chunk(election, size):
        if report is not None:
            progress = tally_progress(election)
            if progress is not None:
                report(progress)


def encrypted_tally(election: ScrutinElection) -> EncryptedTally | None:
    """The encrypted tally on the board, read back (None before it is)."""
    event = (
        CountingEvent.objects.filter(election=election, kind=Kind.ENCRYPTED_TALLY)
        .defer("entries")
        .first()
    )
    if event is None or event.tallied is None:
        return None
    return EncryptedTally.from_json(
        sealed_election(election), loads(event.text), event.tallied, event.tallied
    )


__all__ = [
    "CHUNK",
    "CountingRefused",
    "Progress",
    "access_counting",
    "append_event",
    "check_closable",
    "close_if_due",
    "counting_elections",
    "counting_events",
    "do_close_due_elections",
    "do_close_election",
    "do_compute_tally",
    "do_tally_chunk",
    "due_elections",
    "encrypted_tally",
    "is_closed",
    "is_due",
    "multiply_ballots",
    "schedule_tally",
    "tally_progress",
    "untallied_elections",
]


# --- staff access ------------------------------------------------------------------------------


def counting_elections(user: Any) -> Any:
    """The sealed elections `user` may follow (`urne.backoffice.access`: their perimeter)."""
    queryset = (
        ScrutinElection.objects.filter(sealed_at__isnull=False)
        .select_related("scrutin__campaign", "scrutin__academy")
        .order_by("scrutin__academy__name", "scrutin__name")
    )
    return scoped(queryset, user)


def access_counting(user: Any, election_id: Any, *, for_change: bool = False) -> ScrutinElection:
    """One sealed election in `user`'s perimeter (404 otherwise); `for_change` for the actions
    (closing, uploading, publishing): an academy's staff read a national scrutin's count, they
    do not act on it."""
    queryset = ScrutinElection.objects.filter(sealed_at__isnull=False).select_related(
        "scrutin__campaign", "scrutin__academy"
    )
    return access_as_staff(user, queryset, election_id, for_change=for_change)
