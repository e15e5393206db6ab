"""The results of the scrutins: the figures of each one, their aggregation, read from the archive.

Two halves:

- **Figures** (pure, no database): `scrutin_figures(data, counts)` turns a scrutin's data
  (`ScrutinData`: its lists in official order, their unions and candidates, its seats and its
  roll size) and the decrypted counts (`ResultCounts`) into what the procès-verbal states:
  inscrits, votants, blancs, nuls, exprimés, turnout, votes and share per list, seats
  (`urne.counting.seats.count_scrutin`) and the elected by name. `aggregate` and `aggregate_by`
  add scrutins up (national, per academy), joint lists split by their declared key
  (`urne.counting.seats.split_votes`).
- **Counts** (`result_counts(election)`): the decrypted counts are read from the scrutin's
  public archive, the source of truth, exactly as the board streams it
  (`urne.voting.setup.archive_chunks`), checked by `urne.crypto.archive.ArchiveReader`; None
  until the archive ends with a Result event. Nothing here reads a count from anywhere else.

Belenios and the counts. A scrutin is one question whose answers are its validated lists in
official order, exactly one choice, blank allowed. The Result holds one row for that question:
with blank allowed, its first number (`BLANK_INDEX`) counts the blank ballots, then one number
per answer, in order. Votants = the ballots tallied (the EncryptedTally's ``num_tallied``): each
is blank or for exactly one list, so votants = blancs + exprimés. **Nuls are always 0**: the
ballot box refuses any ballot whose proofs do not verify, so no invalid ballot ever enters the
tally (docs/results.md).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import IO, TYPE_CHECKING, Any, Final, TypeVar

from django.utils.translation import gettext as _

from urne.counting import seats as rule
from urne.crypto.archive import (
    ArchiveReader,
    EncryptedTallyRecord,
    ResultRecord,
    SetupRecord,
)
from urne.crypto.election import read_election_once
from urne.crypto.errors import CryptoError
from urne.crypto.jsonio import loads
from urne.crypto.tally import Result
from urne.web import dates
from urne.web.errors import NotFound, VisitorError

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from urne.backoffice.access import Staff
    from urne.campaign.models import Scrutin
    from urne.voting.models import ScrutinElection

BLANK_INDEX: Final = 0
"""Where a Belenios result row counts the blank ballots (a question with blank allowed)."""

NULS_WITH_BELENIOS: Final = 0
"""Null ballots: none can be counted, the ballot box refuses every ballot that does not verify."""


class ResultsError(VisitorError):
    """Counts that do not fit the scrutin (the lists changed, a number does not add up)."""

    status = 409


# --- the counts, as the archive gives them -------------------------------------------------------


@dataclass(frozen=True)
class ResultCounts:
    """The decrypted counts of one scrutin."""

    blank: int
    lists: tuple[int, ...]
    """Each answer's count, in the order of the election's answers (the lists' official order)."""
    tallied: int
    """Ballots tallied (votants)."""
    answers: tuple[str, ...] = ()
    """The answers of the sealed election, when read from its archive (to check the lists)."""
    fingerprint: str = ""
    """The hash of the archive's last event (the Result's), when read from the archive."""

    def __post_init__(self) -> None:
        if self.blank + sum(self.lists) != self.tallied:
            raise ResultsError(
                _(
                    "Le résultat ne s'additionne pas : %(blank)s blancs et %(lists)s voix pour "
                    "les listes, pour %(tallied)s bulletins dépouillés."
                )
                % {"blank": self.blank, "lists": sum(self.lists), "tallied": self.tallied}
            )


def counts_of_result(result: Result, tallied: int, answers: Sequence[str] = ()) -> ResultCounts:
    """The counts of a scrutin's Belenios `result` (one question, blank allowed)."""
    if len(result.counts) != 1:
        raise ResultsError(_("Le résultat d'un scrutin porte sur une seule question."))
    (row,) = result.counts
    if len(row) < 1:
        raise ResultsError(_("Le résultat ne compte pas les bulletins blancs."))
    lists = tuple(row[:BLANK_INDEX] + row[BLANK_INDEX + 1 :])
    return ResultCounts(
        blank=row[BLANK_INDEX], lists=lists, tallied=tallied, answers=tuple(answers)
    )


class _Chunks(io.RawIOBase):
    """A read-only stream over an iterator of byte strings (the board's archive as it streams)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._held = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._held:
            try:
                self._held = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._held))
        buffer[:size] = self._held[:size]
        self._held = self._held[size:]
        return size


def read_result(stream: IO[bytes]) -> ResultCounts | None:
    """The counts of the archive read from `stream` (checked as it is read: hash chain, order
    of events); None when it holds no Result event yet."""
    reader = ArchiveReader(stream)
    answers: tuple[str, ...] = ()
    tallied: int | None = None
    for record in reader.records():
        if isinstance(record, SetupRecord):
            (question, *_others) = read_election_once(record.election).questions
            answers = tuple(question.answers)
            if not question.allows_blank:
                raise ResultsError(_("L'élection de ce scrutin n'admet pas le vote blanc."))
        elif isinstance(record, EncryptedTallyRecord):
            tallied = record.num_tallied
        elif isinstance(record, ResultRecord):
            if tallied is None:  # pragma: no cover - the reader refuses a Result before a tally
                raise ResultsError(_("Le résultat ne suit pas un dépouillement."))
            counts = counts_of_result(Result.from_json(loads(record.result)), tallied, answers)
            return ResultCounts(
                counts.blank, counts.lists, counts.tallied, answers, record.event.hash
            )
    return None


_READ: dict[int, tuple[str, ResultCounts | None]] = {}
"""What each election's archive held when last read, with the head it was read at: the head
(the hash of the last event) fixes the whole archive, so the same head needs no second read."""


def result_counts(election: ScrutinElection) -> ResultCounts | None:
    """The decrypted counts of `election`, read from its public archive as the board streams it;
    None until the archive ends with a Result.

    Never read while the vote is open (a Result comes after EndBallots, hence after the
    closing): the pages may ask at every request without reading a growing archive. After the
    closing, an archive is read once per process for each head it has."""
    from urne.voting.setup import archive_chunks

    if not election.is_sealed or not election.scrutin.campaign.vote_closed():
        return None
    held = _READ.get(election.pk)
    if held is not None and held[0] == election.last_event:
        return held[1]
    try:
        with io.BufferedReader(_Chunks(archive_chunks(election)), 1 << 20) as stream:
            counts = read_result(stream)
    except CryptoError as refused:
        # Not kept: a board fixed by its operators is read again at the next request.
        raise ResultsError(
            _("L'archive publique de ce scrutin ne se vérifie pas (%(why)s) : aucun résultat.")
            % {"why": refused}
        ) from None
    _READ[election.pk] = (election.last_event, counts)
    return counts


# --- a scrutin's data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ListData:
    """A validated list: its title, its unions with their declared shares (None: no key), and
    its candidates' names in list order (None: not known, then its seats are not limited by
    them and nobody is named)."""

    title: str
    unions: tuple[tuple[str, Decimal | None], ...] = ()
    candidates: tuple[str, ...] | None = None
    grades: tuple[str, ...] | None = None
    """Each candidate's grade, as `candidates` (a CAP counted grade by grade; "" for a
    candidate of no grade with seats)."""


@dataclass(frozen=True)
class ScrutinData:
    """What the figures need of a scrutin."""

    code: str
    name: str
    seats: int
    inscrits: int
    lists: tuple[ListData, ...]
    academy: str | None = None
    """The academy's name, for an academic or departmental scrutin."""
    kind: str = ""
    level: str = ""
    short_lists: rule.ShortListRule = rule.ShortListRule.REDISTRIBUTE
    """Where the seats go that a list cannot fill (`Scrutin.seat_rules`)."""
    grades: tuple[tuple[str, int], ...] = ()
    """A CAP counted grade by grade: each grade with its seats of titulaires (`ScrutinGrade`),
    in order; empty for a scrutin counted as a whole."""
    tie_by_candidates: bool = False
    """Equal averages and votes go to the list with more candidates before a draw."""


@dataclass(frozen=True)
class ListFigures:
    title: str
    unions: tuple[tuple[str, Decimal | None], ...]
    votes: int
    share: Fraction | None
    titulaires: int
    suppleants: int
    elected_titulaires: tuple[str, ...]
    elected_suppleants: tuple[str, ...]
    grades: tuple[rule.GradeDesignation, ...] = ()
    """A CAP counted grade by grade: the list's titulaires and suppléants in each grade."""
    won: int | None = None
    """A CAP counted grade by grade: the seats the list won over the whole CAP (`titulaires`
    are those it holds in the grades)."""


@dataclass(frozen=True)
class RecordedDraw:
    """The recorded outcome of a draw between tied lists (`urne.counting.models.SeatDraw`):
    the tied lists in the order drawn, the first seat it decides, how it was drawn, who
    recorded it and when."""

    seat: int | None
    """The first seat it decides (None: a draw of the order of choice of the grades)."""
    lists: tuple[str, ...]
    account: str = ""
    recorded_by: str = ""
    recorded_at: datetime | None = None


@dataclass(frozen=True)
class RecordedPreference:
    """A list's order of preference among grades, as chosen at the bureau and recorded
    (`urne.counting.models.GradePreference`, the latest version): the grades in the order
    chosen, who recorded it, when, and how many versions were recorded."""

    list: str
    grades: tuple[str, ...]
    recorded_by: str = ""
    recorded_at: datetime | None = None
    versions: int = 1


@dataclass(frozen=True)
class ScrutinFigures:
    """A scrutin's result, as the procès-verbal and the results pages show it."""

    scrutin: ScrutinData
    counts: ResultCounts
    result: rule.ScrutinResult
    lists: tuple[ListFigures, ...]
    recorded_draw: RecordedDraw | None = None
    """The draw applied to break a tie, when one was needed and recorded."""
    grades: rule.GradeAllocation | None = None
    """A CAP counted grade by grade: which grades each list holds its seats in (None until
    the seats are all won, or for a scrutin counted as a whole)."""
    recorded_order: RecordedDraw | None = None
    """The draw applied to order the lists' choice of grades, when one was needed."""
    recorded_preferences: tuple[RecordedPreference, ...] = ()
    """A CAP counted grade by grade: the lists' recorded orders of preference among grades
    (applied once the grades are placed, `grades`)."""

    def preference_of(self, title: str) -> RecordedPreference | None:
        """The recorded preference that placed the grades of the list `title` (None: they were
        placed by its list order, or are not placed yet)."""
        if self.grades is None or not self.grades.chose(title):
            return None
        return next((item for item in self.recorded_preferences if item.list == title), None)

    @property
    def inscrits(self) -> int:
        return self.scrutin.inscrits

    @property
    def votants(self) -> int:
        return self.result.votants

    @property
    def blancs(self) -> int:
        return self.result.blancs

    @property
    def nuls(self) -> int:
        return self.result.nuls

    @property
    def exprimes(self) -> int:
        return self.result.exprimes

    @property
    def turnout(self) -> Fraction | None:
        return self.result.turnout

    @property
    def allocation(self) -> rule.Allocation:
        return self.result.allocation

    @property
    def complete(self) -> bool:
        """Every seat is allocated (False while a tie waits for its recorded draw, or, for a
        CAP counted grade by grade, while the order in which lists choose waits for one)."""
        return self.result.allocation.complete and (self.grades is None or self.grades.complete)

    @property
    def drawn_seats(self) -> tuple[rule.Step, ...]:
        """The seats the recorded draw gave (none without a draw)."""
        return tuple(step for step in self.allocation.steps if step.reason is rule.Reason.DRAW)


def scrutin_figures(
    data: ScrutinData,
    counts: ResultCounts,
    *,
    draw: Sequence[str] | RecordedDraw | None = None,
    short_lists: rule.ShortListRule | None = None,
    tie_by_candidates: bool | None = None,
    grade_order: Sequence[str] | RecordedDraw | None = None,
    preferences: Iterable[RecordedPreference] = (),
) -> ScrutinFigures:
    """The figures of a scrutin from its data and its decrypted counts.

    The counts' answers, when known (read from the archive), must be the lists' titles in
    order: otherwise a list's votes could be given to another (refused). `draw`: the recorded
    draw for a tie that needs one (`urne.counting.seats`): the tied lists in the order drawn,
    or the `RecordedDraw` (then its seat must be the tie's). `short_lists` and
    `tie_by_candidates`: the scrutin's own (`data`) unless given. `grade_order`: for a CAP
    counted grade by grade, the recorded draw of the order of choice of lists with as many
    seats and votes (`seats.assign_grades`). `preferences`: for such a CAP, the lists' recorded
    orders of preference among grades (the others choose by their list order)."""
    chosen = tuple(preferences)
    recorded = draw if isinstance(draw, RecordedDraw) else None
    order: Sequence[str] | None = draw.lists if isinstance(draw, RecordedDraw) else draw
    titles = tuple(entry.title for entry in data.lists)
    if counts.answers and counts.answers != titles:
        raise ResultsError(
            _(
                "Les listes du scrutin « %(scrutin)s » ne sont plus celles de son élection : "
                "le résultat ne peut pas leur être attribué."
            )
            % {"scrutin": data.code}
        )
    if len(counts.lists) != len(data.lists):
        raise ResultsError(
            _("Le résultat compte %(counts)s listes, le scrutin « %(scrutin)s » en a %(lists)s.")
            % {"counts": len(counts.lists), "scrutin": data.code, "lists": len(data.lists)}
        )
    if counts.tallied > data.inscrits:
        raise ResultsError(
            _("%(votants)s votants pour %(inscrits)s inscrits dans le scrutin « %(scrutin)s ».")
            % {"votants": counts.tallied, "inscrits": data.inscrits, "scrutin": data.code}
        )
    try:
        result = rule.count_scrutin(
            data.seats,
            [
                rule.ListEntry(entry.title, votes, entry.candidates)
                for entry, votes in zip(data.lists, counts.lists, strict=True)
            ],
            inscrits=data.inscrits,
            votants=counts.tallied,
            blancs=counts.blank,
            nuls=NULS_WITH_BELENIOS,
            draw=order,
            rule=data.short_lists if short_lists is None else short_lists,
            tie_by_candidates=(
                data.tie_by_candidates if tie_by_candidates is None else tie_by_candidates
            ),
        )
    except rule.SeatsError as refused:
        raise ResultsError(
            _("Les sièges ne peuvent pas être attribués : %(why)s") % {"why": refused}
        ) from None
    if recorded is not None:
        drawn = [step.seat for step in result.allocation.steps if step.reason is rule.Reason.DRAW]
        if not drawn or drawn[0] != recorded.seat:
            raise ResultsError(
                _(
                    "Le tirage au sort enregistré pour le scrutin « %(scrutin)s » départage le "
                    "siège %(seat)s, qui n'est pas celui de l'égalité."
                )
                % {"scrutin": data.code, "seat": recorded.seat}
            )
    ordered = grade_order if isinstance(grade_order, RecordedDraw) else None
    if data.grades:
        try:
            grades, lists = _by_grade(
                data,
                result,
                grade_order.lists if isinstance(grade_order, RecordedDraw) else grade_order,
                {item.list: item.grades for item in chosen},
            )
        except rule.SeatsError as refused:
            raise ResultsError(
                _("Les sièges ne peuvent pas être répartis entre les grades : %(why)s")
                % {"why": refused}
            ) from None
    else:
        grades = None
        lists = tuple(
            ListFigures(
                title=entry.title,
                unions=entry.unions,
                votes=counted.votes,
                share=counted.share,
                titulaires=counted.titulaires,
                suppleants=counted.suppleants,
                elected_titulaires=counted.elected_titulaires,
                elected_suppleants=counted.elected_suppleants,
            )
            for entry, counted in zip(data.lists, result.lists, strict=True)
        )
    return ScrutinFigures(
        scrutin=data,
        counts=counts,
        result=result,
        lists=lists,
        recorded_draw=recorded,
        grades=grades,
        recorded_order=ordered,
        recorded_preferences=chosen if data.grades else (),
    )


def _by_grade(
    data: ScrutinData,
    result: rule.ScrutinResult,
    order: Sequence[str] | None,
    preferences: Mapping[str, Sequence[str]],
) -> tuple[rule.GradeAllocation | None, tuple[ListFigures, ...]]:
    """A CAP counted grade by grade: the seats each list won over the whole CAP placed in the
    grades (`seats.assign_grades`), and its elected named grade by grade
    (`seats.designate_by_grade`). Nobody is named while a seat waits for its draw."""
    if not result.allocation.complete:
        if order is not None:
            raise rule.SeatsError("the order of choice is drawn once every seat is won")
        return None, tuple(
            ListFigures(
                title=entry.title,
                unions=entry.unions,
                votes=counted.votes,
                share=counted.share,
                titulaires=counted.titulaires,
                suppleants=counted.suppleants,
                elected_titulaires=(),
                elected_suppleants=(),
                won=counted.titulaires,
            )
            for entry, counted in zip(data.lists, result.lists, strict=True)
        )
    grades = rule.assign_grades(
        dict(data.grades),
        result.allocation.titulaires,
        result.allocation.votes,
        {entry.title: entry.grades or () for entry in data.lists},
        order=order,
        preferences=preferences,
    )
    lists = []
    for entry, counted in zip(data.lists, result.lists, strict=True):
        names: dict[str, list[str]] = {}
        for name, grade in zip(entry.candidates or (), entry.grades or (), strict=False):
            names.setdefault(grade, []).append(name)
        designated = rule.designate_by_grade(names, grades.seats[entry.title])
        lists.append(
            ListFigures(
                title=entry.title,
                unions=entry.unions,
                votes=counted.votes,
                share=counted.share,
                titulaires=sum(grades.seats[entry.title].values()),
                suppleants=sum(len(item.suppleants) for item in designated),
                elected_titulaires=tuple(name for item in designated for name in item.titulaires),
                elected_suppleants=tuple(name for item in designated for name in item.suppleants),
                grades=designated,
                won=counted.titulaires,
            )
        )
    return grades, tuple(lists)


# --- aggregation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Aggregate:
    """Scrutins added up: electors, voters, blank ballots, exprimés, and each union's votes
    (joint lists split by their key) with its share of the exprimés."""

    scrutins: int
    inscrits: int
    votants: int
    blancs: int
    nuls: int
    exprimes: int
    unions: rule.Representativeness

    @property
    def turnout(self) -> Fraction | None:
        return Fraction(self.votants, self.inscrits) if self.inscrits else None


def _joint(entry: ListFigures) -> rule.JointList:
    unions = entry.unions or ((entry.title, None),)
    return rule.JointList(votes=entry.votes, unions=tuple(unions))


def aggregate(figures: Iterable[ScrutinFigures]) -> Aggregate:
    """`figures` added up. Whoever calls it chooses scrutins that count each elector once (the
    CSA ministériel for the national figure, an academy's CSA for the academy)."""
    chosen = list(figures)
    try:
        unions = rule.representativeness(
            rule.ScrutinVotes(item.exprimes, tuple(_joint(entry) for entry in item.lists))
            for item in chosen
        )
    except rule.SeatsError as refused:
        raise ResultsError(
            _("La représentativité ne peut pas être calculée : %(why)s") % {"why": refused}
        ) from None
    return Aggregate(
        scrutins=len(chosen),
        inscrits=sum(item.inscrits for item in chosen),
        votants=sum(item.votants for item in chosen),
        blancs=sum(item.blancs for item in chosen),
        nuls=sum(item.nuls for item in chosen),
        exprimes=sum(item.exprimes for item in chosen),
        unions=unions,
    )


K = TypeVar("K", bound=Hashable)


def aggregate_by(
    figures: Iterable[ScrutinFigures], key: Callable[[ScrutinFigures], K | None]
) -> dict[K, Aggregate]:
    """`aggregate` per group (`key` gives a scrutin's group, e.g. its academy; None leaves it
    out), the groups in the order first met."""
    groups: dict[K, list[ScrutinFigures]] = {}
    for item in figures:
        group = key(item)
        if group is not None:
            groups.setdefault(group, []).append(item)
    return {group: aggregate(members) for group, members in groups.items()}


def short_lists_text(value: rule.ShortListRule) -> str:
    """The rule applied to short lists, in words (pages and PV)."""
    if value is rule.ShortListRule.DRAW:
        return _(
            "les sièges qu'une liste ne peut pas pourvoir sont attribués par tirage au sort parmi "
            "les électeurs éligibles (quotient calculé sur tous les sièges)"
        )
    return _(
        "les sièges qu'une liste ne peut pas pourvoir vont aux autres listes, à la plus forte "
        "moyenne (quotient calculé sur les sièges pourvus par l'élection)"
    )


def tie_text(by_candidates: bool) -> str:
    """How equal averages are broken, in words (pages and PV)."""
    if by_candidates:
        return _(
            "à égalité de moyenne, la liste qui a le plus de voix, puis celle qui a le plus de "
            "candidats, puis un tirage au sort"
        )
    return _("à égalité de moyenne, la liste qui a le plus de voix, puis un tirage au sort")


def percent(value: Fraction | None, places: int = 2) -> str:
    """A ratio as a French percentage (« 40,62 % »), rounded from the exact fraction; « — »
    when there is none."""
    if value is None:
        return "—"
    return rule.decimal(value * 100, places).replace(".", ",") + "\u00a0%"


def thousands(value: int) -> str:
    """A whole number in the French way (« 957 034 », a narrow no-break space)."""
    return f"{value:,}".replace(",", "\u202f")


# --- exports -------------------------------------------------------------------------------------


def _exact(value: Fraction | None) -> str | None:
    return rule.fraction_text(value) if value is not None else None


def _percent_number(value: Fraction | None) -> str | None:
    return rule.decimal(value * 100) if value is not None else None


def unions_text(entry: ListFigures) -> str:
    """A list's unions as printed: « FSU » or « SNES (60 %), SNEP (40 %) »."""
    return ", ".join(
        f"{union} ({share.normalize():f} %)" if share is not None else union
        for union, share in entry.unions
    )


def figures_json(figures: ScrutinFigures) -> dict[str, Any]:
    """A scrutin's figures as a JSON object: ratios exact (« 11/21 ») and as percentages
    rounded to two decimals (« 52.38 »)."""
    allocation = figures.allocation
    return {
        "scrutin": {
            "code": figures.scrutin.code,
            "name": figures.scrutin.name,
            "kind": figures.scrutin.kind,
            "level": figures.scrutin.level,
            "academy": figures.scrutin.academy,
            "seats": figures.scrutin.seats,
        },
        "rules": {
            "short_lists": figures.scrutin.short_lists.value,
            "tie_by_candidates": figures.scrutin.tie_by_candidates,
        },
        "inscrits": figures.inscrits,
        "votants": figures.votants,
        "blancs": figures.blancs,
        "nuls": figures.nuls,
        "exprimes": figures.exprimes,
        "turnout": _exact(figures.turnout),
        "turnout_percent": _percent_number(figures.turnout),
        "quotient": _exact(allocation.quotient),
        "complete": figures.complete,
        "draw_needed": (
            {"seat": allocation.draw_needed.seat, "lists": list(allocation.draw_needed.lists)}
            if allocation.draw_needed is not None
            else None
        ),
        "draw": (
            {
                "seat": figures.recorded_draw.seat,
                "order": list(figures.recorded_draw.lists),
                "seats": [{"seat": step.seat, "list": step.list} for step in figures.drawn_seats],
                "account": figures.recorded_draw.account,
                "recorded_by": figures.recorded_draw.recorded_by,
                "recorded_at": (
                    figures.recorded_draw.recorded_at.isoformat()
                    if figures.recorded_draw.recorded_at is not None
                    else None
                ),
            }
            if figures.recorded_draw is not None
            else None
        ),
        "unfilled_titulaires": figures.result.unfilled_titulaires,
        "unfilled_suppleants": figures.result.unfilled_suppleants,
        "lists": [
            {
                "title": entry.title,
                "unions": [
                    {"union": union, "share": str(share) if share is not None else None}
                    for union, share in entry.unions
                ],
                "votes": entry.votes,
                "share": _exact(entry.share),
                "share_percent": _percent_number(entry.share),
                "titulaires": entry.titulaires,
                "suppleants": entry.suppleants,
                "elected_titulaires": list(entry.elected_titulaires),
                "elected_suppleants": list(entry.elected_suppleants),
                **(
                    {
                        "won": entry.won,
                        "grades_placed_by": (
                            "choice" if figures.preference_of(entry.title) else "list_order"
                        ),
                        "grade_preference": _preference_json(figures.preference_of(entry.title)),
                        "grades": [
                            {
                                "grade": item.grade,
                                "titulaires": len(item.titulaires) + item.unfilled_titulaires,
                                "elected_titulaires": list(item.titulaires),
                                "elected_suppleants": list(item.suppleants),
                                "unfilled_titulaires": item.unfilled_titulaires,
                                "unfilled_suppleants": item.unfilled_suppleants,
                            }
                            for item in entry.grades
                        ],
                    }
                    if figures.grades is not None
                    else {}
                ),
            }
            for entry in figures.lists
        ],
        "grades": (
            {
                "seats": dict(figures.scrutin.grades),
                "order_draw": (
                    {
                        "order": list(figures.recorded_order.lists),
                        "account": figures.recorded_order.account,
                        "recorded_by": figures.recorded_order.recorded_by,
                    }
                    if figures.recorded_order is not None
                    else None
                ),
                "order_of_choice": list(figures.grades.order),
                "order_tie": (list(figures.grades.order_tie) if figures.grades.order_tie else None),
                "given": [
                    {"list": item.list, "grade": item.grade, "reason": item.reason}
                    for item in figures.grades.given
                ],
                "unfilled": figures.grades.unfilled,
                "preferences": [_preference_json(item) for item in figures.recorded_preferences],
            }
            if figures.grades is not None
            else None
        ),
        "archive_fingerprint": figures.counts.fingerprint or None,
    }


def _preference_json(chosen: RecordedPreference | None) -> dict[str, Any] | None:
    if chosen is None:
        return None
    return {
        "list": chosen.list,
        "grades": list(chosen.grades),
        "recorded_by": chosen.recorded_by,
        "recorded_at": chosen.recorded_at.isoformat() if chosen.recorded_at is not None else None,
        "versions": chosen.versions,
    }


FIGURES_CSV_HEADER: Final = (
    "Rubrique",
    "Liste",
    "Organisations",
    "Nombre",
    "Part (%)",
    "Titulaires",
    "Suppléants",
    "Titulaires élus",
    "Suppléants élus",
)


def figures_csv_rows(figures: ScrutinFigures) -> list[list[object]]:
    """A scrutin's figures as the rows of a spreadsheet (`FIGURES_CSV_HEADER`): the counts
    first, then one row per list."""

    def french(value: Fraction | None) -> str:
        number = _percent_number(value)
        return number.replace(".", ",") if number is not None else ""

    rows: list[list[object]] = [
        ["Inscrits", "", "", figures.inscrits, "", "", "", "", ""],
        ["Votants", "", "", figures.votants, french(figures.turnout), "", "", "", ""],
        ["Bulletins blancs", "", "", figures.blancs, "", "", "", "", ""],
        ["Bulletins nuls", "", "", figures.nuls, "", "", "", "", ""],
        ["Suffrages exprimés", "", "", figures.exprimes, "", "", "", "", ""],
    ]
    rows += [
        [
            "Liste",
            entry.title,
            unions_text(entry),
            entry.votes,
            french(entry.share),
            entry.titulaires,
            entry.suppleants,
            ", ".join(entry.elected_titulaires),
            ", ".join(entry.elected_suppleants),
        ]
        for entry in figures.lists
    ]
    for entry in figures.lists:
        rows += [
            [
                f"Grade : {item.grade}",
                entry.title,
                unions_text(entry),
                "",
                "",
                len(item.titulaires) + item.unfilled_titulaires,
                len(item.suppleants),
                ", ".join(item.titulaires),
                ", ".join(item.suppleants),
            ]
            for item in entry.grades
            if item.titulaires or item.unfilled_titulaires
        ]
    if figures.grades is not None and figures.grades.complete:
        rows += [
            [
                "Choix des grades",
                entry.title,
                grade_choice_text(figures, entry.title),
                *[""] * 6,
            ]
            for entry in figures.lists
            if entry.titulaires
        ]
    drawn = figures.recorded_draw
    if drawn is not None:
        blank = ["", "", "", "", "", "", ""]
        rows += [
            [f"Siège {step.seat} attribué par tirage au sort", step.list, *blank]
            for step in figures.drawn_seats
        ]
        rows += [
            ["Ordre du tirage au sort", ", ".join(drawn.lists), *blank],
            ["Déroulement du tirage au sort", drawn.account, *blank],
        ]
    if figures.recorded_order is not None:
        rows += [
            [
                "Ordre de choix des grades tiré au sort",
                ", ".join(figures.recorded_order.lists),
                *[""] * 7,
            ],
            ["Déroulement du tirage au sort", figures.recorded_order.account, *[""] * 7],
        ]
    if drawn is None and figures.allocation.draw_needed is not None:
        tie = figures.allocation.draw_needed
        rows.append(
            [
                f"Égalité pour le siège {tie.seat} : tirage au sort à faire",
                ", ".join(tie.lists),
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ]
        )
    return rows


def aggregate_json(total: Aggregate) -> dict[str, Any]:
    return {
        "scrutins": total.scrutins,
        "inscrits": total.inscrits,
        "votants": total.votants,
        "blancs": total.blancs,
        "nuls": total.nuls,
        "exprimes": total.exprimes,
        "turnout": _exact(total.turnout),
        "turnout_percent": _percent_number(total.turnout),
        "unions": [
            {
                "union": union,
                "votes": rule.fraction_text(votes),
                "votes_rounded": rule.decimal(votes, 0),
                "share": _exact(total.unions.share(union)),
                "share_percent": _percent_number(total.unions.share(union)),
            }
            for union, votes in total.unions.ranking()
        ],
    }


# --- from the database ---------------------------------------------------------------------------


def candidate_name(first_name: str, last_name: str) -> str:
    """A candidate's name as the minutes print it: « Prénom NOM »."""
    return f"{first_name} {last_name.upper()}".strip()


def scrutin_data(scrutin: Scrutin) -> ScrutinData:
    """The data of `scrutin`: its validated lists in official order (the answers of its
    election), their unions and shares, their candidates in list order, and its roll size."""
    from urne.candidacies.models import Candidate, ListUnion
    from urne.candidacies.rules import NAME_RULES, grade_key
    from urne.voting.setup import election_lists

    lists = election_lists(scrutin)
    rules = scrutin.seat_rules()
    ids = [entry.pk for entry in lists]
    unions: dict[int, list[tuple[str, Decimal | None]]] = {}
    for link in (
        ListUnion.objects.filter(candidate_list_id__in=ids).select_related("union").order_by("pk")
    ):
        unions.setdefault(link.candidate_list_id, []).append((link.union.acronym, link.share))
    seats_of_grades = (
        [(row.grade, row.seats) for row in scrutin.grade_seats.order_by("grade")]
        if NAME_RULES[scrutin.kind].per_grade
        else []
    )
    spelled = {grade_key(grade): grade for grade, _seats in seats_of_grades}
    names: dict[int, list[str]] = {}
    grades: dict[int, list[str]] = {}
    for candidate in (
        Candidate.objects.filter(candidate_list_id__in=ids)
        .select_related("elector")
        .order_by("candidate_list_id", "position")
    ):
        names.setdefault(candidate.candidate_list_id, []).append(
            candidate_name(candidate.first_name, candidate.last_name)
        )
        grade = candidate.elector.grade if candidate.elector is not None else ""
        grades.setdefault(candidate.candidate_list_id, []).append(spelled.get(grade_key(grade), ""))
    return ScrutinData(
        code=scrutin.code,
        name=scrutin.name,
        seats=scrutin.seats,
        inscrits=scrutin.roll.count(),
        lists=tuple(
            ListData(
                title=entry.title,
                unions=tuple(unions.get(entry.pk, ())),
                candidates=tuple(names.get(entry.pk, ())),
                grades=tuple(grades.get(entry.pk, ())) if seats_of_grades else None,
            )
            for entry in lists
        ),
        grades=tuple(seats_of_grades),
        academy=scrutin.academy.name if scrutin.academy is not None else None,
        kind=scrutin.kind,
        level=scrutin.level,
        short_lists=rule.ShortListRule(rules.short_lists),
        tie_by_candidates=rules.tie_by_candidates,
    )


def election_of(scrutin: Scrutin) -> ScrutinElection | None:
    from urne.voting.models import ScrutinElection

    return (
        ScrutinElection.objects.filter(scrutin=scrutin).select_related("scrutin__campaign").first()
    )


def figures_of(scrutin: Scrutin) -> ScrutinFigures | None:
    """The figures of `scrutin` once its archive holds a Result; None before."""
    election = election_of(scrutin)
    if election is None or not election.is_sealed:
        return None
    counts = result_counts(election)
    if counts is None:
        return None
    return scrutin_figures(
        scrutin_data(scrutin),
        counts,
        draw=recorded_draw(scrutin),
        grade_order=recorded_draw(scrutin, "grade_order"),
        preferences=recorded_preferences(scrutin),
    )


def recorded_preferences(scrutin: Scrutin) -> tuple[RecordedPreference, ...]:
    """The latest order of preference among grades recorded for each list of `scrutin`
    (`urne.counting.preferences`), in the order the lists were first recorded."""
    from urne.counting.models import GradePreference

    found: dict[str, RecordedPreference] = {}
    for row in (
        GradePreference.objects.filter(scrutin_id=scrutin.pk)
        .select_related("recorded_by")
        .order_by("recorded_at", "pk")
    ):
        versions = found[row.list_title].versions + 1 if row.list_title in found else 1
        found[row.list_title] = RecordedPreference(
            list=row.list_title,
            grades=tuple(row.grades),
            recorded_by=str(row.recorded_by),
            recorded_at=row.recorded_at,
            versions=versions,
        )
    return tuple(found.values())


def grade_choice_text(figures: ScrutinFigures, title: str) -> str:
    """How the grades of the list `title` were placed, for the page, the CSV and the PV: by
    its recorded choice (the grades in the order chosen, who recorded it, when) or by its list
    order."""
    chosen = figures.preference_of(title)
    if chosen is None:
        return _("selon l'ordre de ses candidats (aucun choix enregistré)")
    return _(
        "selon le choix de la liste au bureau : %(grades)s (enregistré par %(who)s le %(when)s)"
    ) % {
        "grades": ", puis ".join(chosen.grades),
        "who": chosen.recorded_by,
        "when": (
            dates.day_month_year_hour(chosen.recorded_at) if chosen.recorded_at is not None else "—"
        ),
    }


def recorded_draw(scrutin: Scrutin, kind: str = "seat") -> RecordedDraw | None:
    """The draw of `kind` (`SeatDraw.Kind`) recorded for `scrutin` (`urne.counting.draws`), if
    any."""
    from urne.counting.models import SeatDraw

    found = (
        SeatDraw.objects.filter(scrutin_id=scrutin.pk, kind=kind)
        .select_related("recorded_by")
        .first()
    )
    if found is None:
        return None
    return RecordedDraw(
        seat=found.seat,
        lists=tuple(found.order),
        account=found.account,
        recorded_by=str(found.recorded_by),
        recorded_at=found.recorded_at,
    )


def is_proclaimed(scrutin: Scrutin) -> bool:
    """Whether the results of `scrutin` are public: the bureau has proclaimed them
    (`urne.counting.proclamation.do_proclaim`, which first checks the archive's Result)."""
    from urne.counting.models import Proclamation

    return Proclamation.objects.filter(scrutin_id=scrutin.pk).exists()


# --- who sees which results ----------------------------------------------------------------------

VIEW_RESULTS: Final = "voting.view_turnout"
"""The back office's results pages need the permission to read the turnout (« Peut voir la
participation »): results are turnout figures carried on to the lists and seats."""


@dataclass(frozen=True)
class ScrutinRow:
    """A scrutin with its figures (None before its Result), or why they cannot be shown."""

    scrutin: Scrutin
    figures: ScrutinFigures | None
    error: str = ""


def scrutin_row(scrutin: Scrutin) -> ScrutinRow:
    try:
        return ScrutinRow(scrutin, figures_of(scrutin))
    except ResultsError as refused:
        return ScrutinRow(scrutin, None, str(refused.message))


def results_scrutins(user: Staff) -> QuerySet[Scrutin]:
    """The scrutins whose results `user` may read: those of their reach (an academy's staff
    read the national scrutins too: a scrutin's result is one whole, never per elector)."""
    from urne.backoffice import access
    from urne.campaign.models import Scrutin

    return access.scoped(Scrutin.objects.select_related("campaign", "academy"), user).order_by(
        "-campaign__year", "campaign__name", "level", "academy__name", "name"
    )


def access_results_scrutin(user: Staff, scrutin_id: int) -> Scrutin:
    """The scrutin `scrutin_id` if `user` reaches it; a 404 otherwise."""
    from urne.backoffice import access
    from urne.campaign.models import Scrutin

    return access.access_as_staff(
        user, Scrutin.objects.select_related("campaign", "academy"), scrutin_id
    )


@dataclass(frozen=True)
class Overview:
    """The aggregated results: the national figure (the national CSA scrutins, which count
    each elector once) and each academy's (its academic CSA scrutins)."""

    national: Aggregate | None
    academies: dict[str, Aggregate]


def overview(rows: Iterable[ScrutinRow]) -> Overview:
    decided = [row.figures for row in rows if row.figures is not None]

    def csa(item: ScrutinFigures, level: str) -> bool:
        return item.scrutin.kind == "CSA" and item.scrutin.level == level

    national = [item for item in decided if csa(item, "national")]
    academies = aggregate_by(
        (item for item in decided if csa(item, "academic")),
        lambda item: item.scrutin.academy,
    )
    return Overview(aggregate(national) if national else None, academies)


def public_scrutins() -> list[Scrutin]:
    """The scrutins of the current campaign whose results are public (`is_proclaimed`)."""
    from urne.campaign.models import Scrutin
    from urne.campaign.services import NoCurrentCampaign, current_campaign

    try:
        campaign = current_campaign()
    except NoCurrentCampaign:
        return []
    scrutins = (
        Scrutin.objects.filter(campaign=campaign, election__sealed_at__isnull=False)
        .select_related("campaign", "academy")
        .order_by("level", "academy__name", "name")
    )
    return [scrutin for scrutin in scrutins if is_proclaimed(scrutin)]


def access_public_results(code: str) -> Scrutin:
    """The scrutin `code` of the current campaign if its results are public; 404 otherwise."""
    from urne.campaign.models import Scrutin
    from urne.campaign.services import NoCurrentCampaign, current_campaign

    try:
        scrutin = Scrutin.objects.select_related("campaign", "academy").get(
            campaign=current_campaign(), code=code
        )
    except (NoCurrentCampaign, Scrutin.DoesNotExist):
        raise NotFound(_("Aucun résultat publié ne porte ce code de scrutin.")) from None
    if not is_proclaimed(scrutin):
        raise NotFound(_("Les résultats de ce scrutin ne sont pas encore proclamés."))
    return scrutin


__all__ = [
    "BLANK_INDEX",
    "FIGURES_CSV_HEADER",
    "NULS_WITH_BELENIOS",
    "VIEW_RESULTS",
    "Aggregate",
    "ListData",
    "ListFigures",
    "Overview",
    "RecordedDraw",
    "RecordedPreference",
    "ResultCounts",
    "ResultsError",
    "ScrutinData",
    "ScrutinFigures",
    "ScrutinRow",
    "access_public_results",
    "access_results_scrutin",
    "aggregate",
    "aggregate_by",
    "aggregate_json",
    "candidate_name",
    "counts_of_result",
    "election_of",
    "figures_csv_rows",
    "figures_json",
    "figures_of",
    "grade_choice_text",
    "is_proclaimed",
    "overview",
    "percent",
    "public_scrutins",
    "read_result",
    "recorded_draw",
    "recorded_preferences",
    "result_counts",
    "results_scrutins",
    "scrutin_data",
    "scrutin_figures",
    "scrutin_row",
    "short_lists_text",
    "thousands",
    "tie_text",
    "unions_text",
]
