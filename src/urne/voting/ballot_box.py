"""The ballot box: what the voting server accepts, and the émargement written with it.

`do_cast_ballot(elector, election_uuid, text, submission)` is the one way a ballot gets in (the
JSON API, the booth through it, the tests and the benchmarks all call it). It returns a
`Receipt` or raises `BallotRefused`, whose `code` is the API's stable error code and `message`
the elector's reason, in the active language. In order:

1. cheap checks, no lock held: the scrutin's election exists (`unknown_scrutin`) and is sealed
   (`not_ready`), the elector is on its roll (`not_on_roll`), a vote already recorded (a retry
   of the very same submission gets its receipt again; anything else is `already_voted`), the
   ballot's length (`too_large`), the campaign's vote window (`vote_not_open`, `vote_closed`),
   the campaign's seal (`not_sealed`, `urne.sealing.gate`: none recorded, no ballot is taken),
   and the elector's public credential for this scrutin. The election, its scrutin and
   campaign, the roll, the credential and the émargement come from one query
   (`access_election_as_elector`), without the board's setup bytes (one public credential per
   elector: megabytes for a national scrutin);
2. the crypto core's full check, outside any transaction (it is the costly part): a defect is
   `invalid_ballot`; a ballot signed with any credential but the elector's is `wrong_credential`
   (another elector's ballot replayed, or a ballot for another scrutin);
3. one transaction: the election's row alone is locked (not its scrutin's or campaign's, which
   every scrutin of the campaign shares), the window and the émargement are checked again
   at that moment, the ballot is appended to the board's hash chain, and the ballot, the
   émargement and the chain's new head are written together, with the receipt to send
   (`urne.voting.receipts`: sent in batches after the commit).

Steps 1 and 3 are written as SQL statements (six in all, on PostgreSQL and SQLite alike): they
run for every ballot, and Django's ORM spent more processor compiling them than the database
spent running them (docs/benchmarks.md, « Urne : bulletins par seconde »). What they decide is
still decided here, by the same `check_*` functions.

The window is the campaign's own (`Campaign.vote_open`): it opens at `vote_opens_at` to the
second, included, and closes at `vote_closes_at`, excluded, on the server's clock (urne.clock).

The crypto core's check uses the fixed-base tables every process keeps (8-bit windows for g
and each election's key). With `URNE_PREPARED_ELECTIONS` (4 by default), a process also
prepares the elections it receives ballots for (`prepare_election`: 11-bit tables, each
number's membership test sharing its squarings with its proofs), at an election's first ballot,
keeping that many: about 15 % less processor for 7 choices (docs/benchmarks.md), for about
15 MB an election.

A vote is final (ARCHITECTURE.md, decision 5). The database's constraints (one émargement per
elector, one ballot per credential, per height) make concurrent submissions for one elector give
exactly one ballot: the others fail on the row lock's re-check or on a constraint, and are
answered as retries or `already_voted`.

`votes_of(elector)`: the elector's émargements, by scrutin id (what "Mes scrutins" and the
espace show: « a voté le ... »).

The émargement and the ballot have no link in the database (DOMAIN.md): the elector's public
credential is found by their keyed pseudonym (`urne.voting.pseudonyms`), and their ballot by
that credential (`ballot_of`), which only a process holding the pseudonym's key can do. The
émargement's time is kept to the second and its id is random (`Emargement`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from urne import clock
from urne.campaign.models import Campaign, Elector, RollEntry, Scrutin
from urne.crypto.archive import EventType
from urne.crypto.ballot import (
    CheckedBallot,
    check_ballot,
    max_ballot_length,
    prepare_election,
)
from urne.crypto.election import Election
from urne.crypto.errors import BallotDefect, InvalidBallot
from urne.crypto.group import Element
from urne.sealing.gate import ELECTOR_MESSAGE, seal_missing
from urne.sealing.models import CampaignSeal
from urne.voting import setup
from urne.voting.models import (
    Ballot,
    CountingEvent,
    Emargement,
    PendingReceipt,
    PublicCredential,
    ScrutinElection,
    random_id,
)
from urne.voting.pseudonyms import pseudonym
from urne.voting.receipts import schedule_receipts
from urne.web.errors import VisitorError

logger = logging.getLogger(__name__)


class BallotRefused(VisitorError):
    """A ballot the box does not take. `code` is the API's stable error code, `status` its HTTP
    status, `defect` the crypto core's reason for an `invalid_ballot`."""

    def __init__(
        self,
        code: str,
        status: int,
        message: str | Promise,
        defect: BallotDefect | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.defect = defect


def _refused(code: str) -> BallotRefused:
    status, message = REFUSALS[code]
    return BallotRefused(code, status, message)


REFUSALS: dict[str, tuple[int, Promise]] = {
    "unknown_scrutin": (404, _("Ce scrutin n'existe pas.")),
    "not_ready": (409, _("Ce scrutin n'est pas encore prêt pour le vote.")),
    "not_on_roll": (403, _("Vous n'êtes pas appelé(e) à voter dans ce scrutin.")),
    "vote_not_open": (403, _("Le vote n'est pas encore ouvert.")),
    "vote_closed": (403, _("Le vote est clos : aucun bulletin n'est plus accepté.")),
    "not_sealed": (409, ELECTOR_MESSAGE),
    "too_large": (413, _("Le bulletin est trop volumineux : il n'a pas été enregistré.")),
    "invalid_ballot": (
        422,
        _(
            "Le bulletin a été refusé : il n'a pas passé les vérifications. Recommencez depuis "
            "l'isoloir ; rien n'a été enregistré."
        ),
    ),
    "wrong_credential": (
        422,
        _(
            "Ce bulletin n'a pas été fait avec votre identifiant de vote pour ce scrutin. "
            "Vérifiez l'identifiant saisi ; rien n'a été enregistré."
        ),
    ),
    "already_voted": (
        409,
        _("Vous avez déjà voté dans ce scrutin : un vote est définitif."),
    ),
}
"""Every refusal of the domain layer: code → (HTTP status, message). The API adds its own
(not_logged_in, not_an_elector, malformed_request, too_many_requests)."""


@dataclass(frozen=True)
class Receipt:
    """What the elector gets back for an accepted ballot: never the choice."""

    scrutin: str
    """The scrutin's code."""
    uuid: str
    tracker: str
    """The smart ballot tracker: H_JSON of the ballot's text."""
    voted_at: datetime
    replayed: bool = False
    """True when this is the answer to a retry of a submission already accepted."""


def votes_of(elector: Elector) -> dict[int, Emargement]:
    """The elector's émargements, keyed by scrutin id."""
    rows = (
        Emargement.objects.filter(elector=elector)
        .select_related("election")
        .only("voted_at", "elector_id", "election__scrutin_id", "election__uuid")
    )
    return {row.election.scrutin_id: row for row in rows}


def credential_of(elector: Elector, election: ScrutinElection) -> str | None:
    """The elector's public credential in this election (base 10), found by their pseudonym."""
    return (
        PublicCredential.objects.filter(
            election=election, pseudonym=pseudonym(election.uuid, elector.pk)
        )
        .values_list("credential", flat=True)
        .first()
    )


def ballot_of(
    elector: Elector, election: ScrutinElection, credential: str | None = None
) -> Ballot | None:
    """The elector's ballot in this election, found through their credential (`credential`
    when the caller has it already), never through the émargement."""
    ballots = Ballot.objects.filter(election=election).only("tracker", "submission", "text")
    if credential is not None:
        return ballots.filter(credential=credential).first()
    theirs = PublicCredential.objects.filter(
        election=election, pseudonym=pseudonym(election.uuid, elector.pk)
    ).values("credential")[:1]
    return ballots.filter(credential=Subquery(theirs)).first()


def receipt_of(
    election: ScrutinElection, emargement: Emargement, ballot: Ballot, replayed: bool = False
) -> Receipt:
    return Receipt(
        scrutin=election.scrutin.code,
        uuid=election.uuid,
        tracker=ballot.tracker,
        voted_at=emargement.voted_at,
        replayed=replayed,
    )


# --- the checks, cheapest first -----------------------------------------------------------------


def access_election(election_uuid: str) -> ScrutinElection:
    """The scrutin election `election_uuid`, with its scrutin and campaign; `unknown_scrutin`."""
    try:
        return ScrutinElection.objects.select_related("scrutin__campaign").get(uuid=election_uuid)
    except ScrutinElection.DoesNotExist:
        raise _refused("unknown_scrutin") from None


@dataclass(frozen=True)
class Standing:
    """What the ballot box knows of one elector in one scrutin before the crypto check."""

    on_roll: bool
    credential: str | None
    """The elector's public credential for this scrutin (base 10), if the authority gave one."""
    voted: bool
    """An émargement exists (the vote may be a retry of the same submission)."""
    sealed: bool = False
    """The campaign's seal is recorded (`urne.sealing.gate.seal_missing` decides with it)."""


def access_election_as_elector(
    elector: Elector, election_uuid: str
) -> tuple[ScrutinElection, Standing]:
    """`access_election`, and in the same query the elector's `Standing` in it: on the roll of
    the scrutin (and of its campaign), their public credential (by their pseudonym), an
    émargement. Raises `unknown_scrutin`. Of `elector`, only the id is read.

    The ballot box's hot path: one SQL statement written out (the ORM spent several
    milliseconds of processor a ballot compiling the same joins), and the objects returned carry
    only what the ballot box reads: the election's id, uuid, seal and text, its scrutin's id and
    code, its campaign's id and vote window."""
    with connection.cursor() as cursor:
        cursor.execute(
            _ACCESS_SQL,
            [
                elector.pk,
                elector.pk,
                pseudonym(election_uuid, elector.pk),
                elector.pk,
                election_uuid,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        raise _refused("unknown_scrutin")
    (
        election_id,
        uuid,
        sealed_at,
        election_text,
        scrutin_id,
        scrutin_code,
        campaign_id,
        opens_at,
        closes_at,
        elector_campaign_id,
        on_roll,
        credential,
        voted,
        sealed,
    ) = row
    campaign = Campaign(
        pk=campaign_id, vote_opens_at=_moment(opens_at), vote_closes_at=_moment(closes_at)
    )
    scrutin = Scrutin(pk=scrutin_id, code=scrutin_code, campaign=campaign)
    election = ScrutinElection(
        pk=election_id,
        uuid=uuid,
        sealed_at=_datetime(sealed_at),
        election=election_text,
        scrutin=scrutin,
    )
    standing = Standing(
        on_roll=bool(on_roll) and elector_campaign_id == campaign_id,
        credential=credential,
        voted=bool(voted),
        sealed=bool(sealed),
    )
    return election, standing


def _moment(value: object) -> datetime:
    """`_datetime` of a column that is never null (the campaign's dates)."""
    moment = _datetime(value)
    if moment is None:  # pragma: no cover - NOT NULL columns
        raise ValueError("a campaign date is missing")
    return moment


def _datetime(value: object) -> datetime | None:
    """A timestamp read by a raw statement: aware already on PostgreSQL; on SQLite, naive or
    text, in UTC (how Django stores them there)."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _tables() -> dict[str, str]:
    return {
        "election": ScrutinElection._meta.db_table,
        "scrutin": Scrutin._meta.db_table,
        "campaign": Campaign._meta.db_table,
        "roll": RollEntry._meta.db_table,
        "elector": Elector._meta.db_table,
        "credential": PublicCredential._meta.db_table,
        "emargement": Emargement._meta.db_table,
        "ballot": Ballot._meta.db_table,
        "pending": PendingReceipt._meta.db_table,
        "seal": CampaignSeal._meta.db_table,
        "counting": CountingEvent._meta.db_table,
    }


_ACCESS_SQL = """
SELECT e.id, e.uuid, e.sealed_at, e.election, s.id, s.code, c.id, c.vote_opens_at,
       c.vote_closes_at,
       (SELECT el.campaign_id FROM {elector} el WHERE el.id = %s),
       EXISTS (SELECT 1 FROM {roll} r WHERE r.scrutin_id = s.id AND r.elector_id = %s),
       (SELECT p.credential FROM {credential} p
         WHERE p.election_id = e.id AND p.pseudonym = %s),
       EXISTS (SELECT 1 FROM {emargement} m WHERE m.election_id = e.id AND m.elector_id = %s),
       EXISTS (SELECT 1 FROM {seal} x WHERE x.campaign_id = c.id)
  FROM {election} e
  JOIN {scrutin} s ON s.id = e.scrutin_id
  JOIN {campaign} c ON c.id = s.campaign_id
 WHERE e.uuid = %s
""".format(**_tables())  # noqa: S608 - table names from the models only

_LOCK_SQL = """
SELECT e.archive_timestamp, e.last_event, e.height, e.ballot_count, c.vote_opens_at,
       c.vote_closes_at,
       EXISTS (SELECT 1 FROM {emargement} m WHERE m.election_id = e.id AND m.elector_id = %s),
       EXISTS (SELECT 1 FROM {counting} k WHERE k.election_id = e.id)
  FROM {election} e
  JOIN {scrutin} s ON s.id = e.scrutin_id
  JOIN {campaign} c ON c.id = s.campaign_id
 WHERE e.id = %s
""".format(**_tables())  # noqa: S608 - table names from the models only

_INSERT_BALLOT_SQL = """
INSERT INTO {ballot} (election_id, credential, text, tracker, height, event, submission)
VALUES (%s, %s, %s, %s, %s, %s, %s)
""".format(**_tables())

_INSERT_EMARGEMENT_SQL = """
INSERT INTO {emargement} (id, election_id, elector_id, voted_at) VALUES (%s, %s, %s, %s)
""".format(**_tables())

_PENDING_RECEIPT_SQL = """
INSERT INTO {pending} (emargement_id) VALUES (%s)
""".format(**_tables())

_ADVANCE_SQL = """
UPDATE {election} SET last_event = %s, height = %s, ballot_count = ballot_count + 1
 WHERE id = %s
""".format(**_tables())


def check_ready(election: ScrutinElection) -> Election:
    """The election's crypto object, once sealed; `not_ready` before. With
    `URNE_PREPARED_ELECTIONS`, the election is prepared in this process for the crypto check
    (`prepare_election`, at its first ballot here)."""
    if not election.is_sealed:
        raise _refused("not_ready")
    crypto = setup.sealed_election(election)
    if settings.URNE_PREPARED_ELECTIONS > 0:
        prepare_election(crypto, keep=settings.URNE_PREPARED_ELECTIONS)
    return crypto


def check_on_roll(standing: Standing) -> None:
    if not standing.on_roll:
        raise _refused("not_on_roll")


def check_not_voted(
    elector: Elector,
    election: ScrutinElection,
    text: str,
    submission: str,
    credential: str | None,
) -> Receipt | None:
    """None if the elector has not voted here; the receipt again for a retry of the very same
    submission (same key, same text, the ballot found by the elector's `credential`);
    otherwise `already_voted`."""
    emargement = (
        Emargement.objects.filter(election=election, elector=elector).only("voted_at").first()
    )
    if emargement is None:
        return None
    ballot = ballot_of(elector, election, credential) if credential is not None else None
    if (
        ballot is not None
        and submission
        and ballot.submission == submission
        and ballot.text == _canonical(text)
    ):
        return receipt_of(election, emargement, ballot, replayed=True)
    raise _refused("already_voted")


def check_size(crypto: Election, text: str) -> None:
    if len(text) > max_ballot_length(crypto):
        raise _refused("too_large")


def check_window(campaign: Campaign, at: datetime | None = None) -> None:
    """The campaign's vote window, to the second, on the server's clock: `vote_opens_at`
    included, `vote_closes_at` excluded (`Campaign.vote_open`)."""
    at = at or clock.now()
    if campaign.vote_closed(at):
        raise _refused("vote_closed")
    if not campaign.vote_open(at):
        raise _refused("vote_not_open")


def check_sealed(campaign: Campaign, recorded: bool | None = None) -> None:
    """The campaign's seal is recorded (`urne.sealing.gate.seal_missing`): no ballot before.
    `recorded`: as read by `access_election_as_elector` (`Standing.sealed`)."""
    if seal_missing(campaign.pk, recorded):
        raise _refused("not_sealed")


def elector_credential(standing: Standing) -> Element:
    """The elector's public credential for this scrutin (g^s, from the credential authority)."""
    if standing.credential is None:  # the seal requires one per elector on the roll
        raise _refused("not_ready")
    return Element(int(standing.credential))


def check_ballot_crypto(crypto: Election, text: str, credential: Element) -> CheckedBallot:
    """The crypto core's full check, with the elector's credential as the only one admitted.

    Call it outside any transaction: it takes tens of milliseconds and holds no lock."""
    try:
        return check_ballot(crypto, text, {credential: 1})
    except InvalidBallot as error:
        if error.reason is BallotDefect.UNKNOWN_CREDENTIAL:
            raise _refused("wrong_credential") from None
        if error.reason is BallotDefect.TOO_LARGE:
            raise _refused("too_large") from None
        refusal = _refused("invalid_ballot")
        refusal.defect = error.reason
        raise refusal from None


def _canonical(text: str) -> str:
    # read_ballot accepts one trailing newline (files written by belenios-tool end with one).
    return text.removesuffix("\n")


# --- the cast ------------------------------------------------------------------------------------


def do_cast_ballot(
    elector: Elector, election_uuid: str, text: str, submission: str = ""
) -> Receipt:
    """Check `text` for the scrutin election `election_uuid` and, if it passes, store it with
    the elector's émargement and append it to the board. Raises `BallotRefused`; nothing is
    stored then. `submission` is the client's key for this attempt (see `check_not_voted`)."""
    election, standing = access_election_as_elector(elector, election_uuid)
    crypto = check_ready(election)
    check_on_roll(standing)
    if standing.voted:
        replay = check_not_voted(elector, election, text, submission, standing.credential)
        if replay is not None:
            return replay
    check_size(crypto, text)
    check_window(election.scrutin.campaign)
    check_sealed(election.scrutin.campaign, standing.sealed)
    credential = elector_credential(standing)
    checked = check_ballot_crypto(crypto, text, credential)
    for attempt in range(2):
        try:
            return _store(elector, election, checked, submission)
        except IntegrityError:
            # A concurrent submission for this elector won the race (PostgreSQL's constraints
            # caught it): the same submission gets its receipt, any other is a second ballot.
            replay = check_not_voted(elector, election, text, submission, standing.credential)
            if replay is not None:
                return replay
            if attempt:  # pragma: no cover - a constraint failed for another reason
                raise
            # Not voted: the émargement's random id was taken (odds 2^-63 a row); draw again.
    raise AssertionError("unreachable")  # pragma: no cover


def _store(
    elector: Elector, election: ScrutinElection, checked: CheckedBallot, submission: str
) -> Receipt:
    """Append the checked ballot to the board and sign the émargement, in one transaction
    under the election's row lock; the receipt (or the one of a retry)."""
    ballot_text = checked.ballot.text
    credential = str(checked.ballot.credential)
    with transaction.atomic(), connection.cursor() as cursor:
        # The election's row only (`OF e`): its scrutin's and campaign's rows are read, not
        # locked, so that the campaign's other scrutins take their ballots meanwhile.
        lock = " FOR UPDATE OF e" if connection.features.has_select_for_update_of else ""
        cursor.execute(_LOCK_SQL + lock, [elector.pk, election.pk])
        row = cursor.fetchone()
        timestamp, last_event, height, ballot_count, opens_at, closes_at, voted, closed = row
        if closed:
            # The EndBallots event is on the board (urne.counting.closing): nothing follows the
            # ballots any more, whatever the clock says.
            raise _refused("vote_closed")
        now = clock.now()
        campaign = Campaign(
            pk=election.scrutin.campaign_id,
            vote_opens_at=_moment(opens_at),
            vote_closes_at=_moment(closes_at),
        )
        check_window(campaign, now)
        if voted:
            replay = check_not_voted(elector, election, ballot_text, submission, credential)
            if replay is not None:
                return replay
        locked = ScrutinElection(
            pk=election.pk,
            sealed_at=election.sealed_at,
            archive_timestamp=timestamp,
            last_event=last_event,
            height=height,
            ballot_count=ballot_count,
        )
        chain = setup.board_chain(locked)
        data_hash, _raw = chain.data(ballot_text)
        event_hash, _raw = chain.event(EventType.BALLOT, data_hash)
        cursor.execute(
            _INSERT_BALLOT_SQL,
            [
                election.pk,
                credential,
                ballot_text,
                checked.ballot.tracker,
                chain.state.height,
                event_hash,
                submission,
            ],
        )
        # To the second: a finer time would order the émargements as the board orders ballots.
        voted_at = now.replace(microsecond=0)
        emargement_id = random_id()
        cursor.execute(_INSERT_EMARGEMENT_SQL, [emargement_id, election.pk, elector.pk, voted_at])
        cursor.execute(_ADVANCE_SQL, [event_hash, chain.state.height, election.pk])
        cursor.execute(_PENDING_RECEIPT_SQL, [emargement_id])
        # Robust: once committed, the ballot is accepted whatever happens to the scheduling (its
        # receipt stays pending for the next sending, or `urne send_vote_receipts`).
        transaction.on_commit(schedule_receipts, robust=True)
    logger.info("ballot accepted: scrutin %s, height %d", election.scrutin.code, chain.state.height)
    return Receipt(
        scrutin=election.scrutin.code,
        uuid=election.uuid,
        tracker=checked.ballot.tracker,
        voted_at=voted_at,
    )


__all__ = [
    "REFUSALS",
    "BallotRefused",
    "Receipt",
    "Standing",
    "access_election",
    "access_election_as_elector",
    "ballot_of",
    "check_ballot_crypto",
    "check_not_voted",
    "check_on_roll",
    "check_ready",
    "check_sealed",
    "check_size",
    "check_window",
    "credential_of",
    "do_cast_ballot",
    "elector_credential",
    "receipt_of",
    "votes_of",
]
