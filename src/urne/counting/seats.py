"""From counts to seats: the proportional rule of the professional elections, pure and exact.

No Django here (the `urne seats` command runs it without a database, so that anyone can check a
proclaimed result from its numbers alone). Every quotient and average is a `Fraction`: no float
rounding can move a seat. The rule and its sources are in docs/seats.md; in short:

- suffrages valablement exprimés = votants − blancs − nuls = the lists' votes together;
- titulaires: quotient électoral = exprimés ÷ seats to fill by election; each list gets
  ⌊votes ÷ quotient⌋ seats; the seats left go one by one to the highest average
  votes ÷ (seats won + 1); equal averages go to the list with more votes, then to a draw;
- a list never gets more seats of titulaires than it has candidates (`ShortListRule` says where
  the seats it cannot fill go); seats nobody stands for are left to a draw among the eligible
  electors (a scrutin with no list: all of them);
- suppléants: as many as the list's titulaires, taken in list order after them (as many as its
  remaining names allow; the others are left to the same draw).

This module never draws by itself: when a draw decides a seat, the caller passes the draw's
recorded outcome (`draw`); without it the allocation stops there and says which lists tie
(`Allocation.draw_needed`).

Joint lists: `split_votes` shares a list's votes between its unions by the key declared at
filing (equal shares when none), and `representativeness` adds them up over scrutins.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Final, TypeVar


class SeatsError(ValueError):
    """The numbers given cannot be counted (negative votes, duplicate lists, a wrong draw...)."""


class ShortListRule(enum.Enum):
    """Where the seats of titulaires go that a list wins but has no candidate for.

    REDISTRIBUTE (the default): a list full is passed over and the seat goes on by the highest
    average to the lists that still have candidates; only seats no list can fill are left to a
    draw among the eligible electors, and the quotient is computed on the seats filled by
    election (Conseil d'État, 16 June 1999, ministre de l'économie c/ SNT CGT-FO).

    DRAW: the seats are allocated as if every list were long enough, and those a list cannot
    fill are left to the draw among the eligible electors (the wording of some texts, e.g. for
    the commissions consultatives paritaires: « les sièges laissés vacants sont attribués par
    voie de tirage au sort parmi les électeurs … éligibles »).
    """

    REDISTRIBUTE = "redistribute"
    DRAW = "draw"


class Reason(enum.Enum):
    """Why a remainder seat went to its list."""

    AVERAGE = "average"
    """The highest average, alone."""
    VOTES = "votes"
    """Equal highest averages: the list with the most votes."""
    EACH = "each"
    """Equal averages and votes, but seats enough for each of the tied lists: no draw needed."""
    CANDIDATES = "candidates"
    """Equal averages and votes: the list with more candidates (only with
    `tie_by_candidates`)."""
    DRAW = "draw"
    """Equal averages and votes, fewer seats than tied lists: the recorded draw."""


@dataclass(frozen=True)
class Step:
    """One seat given by the highest average."""

    seat: int
    """Its number among the seats of titulaires filled by election (1 to `Allocation.elected`)."""
    list: str
    average: Fraction
    """votes ÷ (seats the list had won before this one + 1)."""
    reason: Reason


@dataclass(frozen=True)
class Tie:
    """Lists with the same highest average and the same votes, more than the seats left."""

    seat: int
    """The number of the first seat the draw decides."""
    lists: tuple[str, ...]
    """The tied lists, in the order given."""
    seats: int
    """How many of them win a seat (fewer than `len(lists)`)."""
    average: Fraction


@dataclass(frozen=True)
class Allocation:
    """The seats of titulaires of one scrutin, and how they were found."""

    seats: int
    """Seats of titulaires of the body."""
    elected: int
    """Seats filled by election: `seats`, less those nobody stands for (REDISTRIBUTE)."""
    exprimes: int
    quotient: Fraction | None
    """exprimés ÷ `quotient_seats` (None: no seat to fill, or no vote cast)."""
    quotient_seats: int
    """The seats the quotient divides by: those filled by election (REDISTRIBUTE), all of
    them (DRAW)."""
    votes: dict[str, int]
    """Each list's votes, in the order given."""
    candidates: dict[str, int | None]
    """How many candidates each list has (None: not given, no limit)."""
    by_quotient: dict[str, int]
    steps: tuple[Step, ...]
    """The remainder seats, one by one."""
    titulaires: dict[str, int]
    """Seats of titulaires each list won (every list, 0 included)."""
    unfilled: int
    """Seats of titulaires left to a draw among the eligible electors: nobody stands for them."""
    draw_needed: Tie | None = None
    """A tie only a draw can break, when none was given: those seats are not allocated."""
    draw: tuple[str, ...] | None = None
    """The recorded draw that was applied (the tied lists in the order drawn)."""

    @property
    def complete(self) -> bool:
        """Every seat is allocated (to a list, or left to the draw among electors)."""
        return self.draw_needed is None

    @property
    def by_average(self) -> dict[str, int]:
        return {name: self.titulaires[name] - self.by_quotient[name] for name in self.votes}


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name.strip():
        raise SeatsError("a list needs a name")


def _check_count(what: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SeatsError(f"{what}: not a whole number: {value!r}")
    if value < 0:
        raise SeatsError(f"{what}: negative ({value})")


def allocate(
    seats: int,
    votes: Sequence[tuple[str, int]] | Mapping[str, int],
    *,
    candidates: Mapping[str, int] | None = None,
    draw: Sequence[str] | None = None,
    rule: ShortListRule = ShortListRule.REDISTRIBUTE,
    tie_by_candidates: bool = False,
) -> Allocation:
    """Allocate `seats` seats of titulaires between lists by their votes.

    `votes`: (list, votes) pairs in the official order (or a mapping, in its order).
    `candidates`: each list's number of candidates, where it limits the seats (a list absent
    from it, or no mapping at all, is not limited).
    `draw`: the recorded outcome of the draw for a tie that needs one: the tied lists in the
    order drawn (the first ones win). Refused when no draw is needed or when it does not name
    exactly the tied lists.
    `tie_by_candidates`: between lists with equal averages and votes, the list with more
    candidates wins before any draw (some bodies' texts; every tied list's candidates must be
    given).
    """
    _check_count("seats", seats)
    if seats < 1:
        raise SeatsError("a body has at least one seat of titulaire")
    pairs = list(votes.items()) if isinstance(votes, Mapping) else list(votes)
    counted: dict[str, int] = {}
    for name, count in pairs:
        _check_name(name)
        _check_count(f"votes of {name}", count)
        if name in counted:
            raise SeatsError(f"the list {name!r} is given twice")
        counted[name] = count
    limits: dict[str, int | None] = dict.fromkeys(counted)
    for name, count in (candidates or {}).items():
        if name not in counted:
            raise SeatsError(f"candidates given for {name!r}, which is not a list of the scrutin")
        _check_count(f"candidates of {name}", count)
        limits[name] = count
    if rule is ShortListRule.DRAW:
        # Allocated as if every list were long enough; the seats a list cannot fill are left
        # to the draw among electors afterwards.
        free = _allocate(
            seats, counted, dict.fromkeys(counted), draw, limits if tie_by_candidates else None
        )
        kept = {
            name: won if limits[name] is None else min(won, limits[name] or 0)
            for name, won in free.titulaires.items()
        }
        lost = sum(free.titulaires.values()) - sum(kept.values())
        return Allocation(
            seats=seats,
            elected=free.elected - lost,
            exprimes=free.exprimes,
            quotient=free.quotient,
            quotient_seats=free.quotient_seats,
            votes=free.votes,
            candidates=limits,
            # What a list won by the quotient but cannot fill is not counted as won.
            by_quotient={name: min(won, kept[name]) for name, won in free.by_quotient.items()},
            steps=free.steps,
            titulaires=kept,
            unfilled=free.unfilled + lost,
            draw_needed=free.draw_needed,
            draw=free.draw,
        )
    return _allocate(seats, counted, limits, draw, limits if tie_by_candidates else None)


def _allocate(
    seats: int,
    votes: dict[str, int],
    limits: dict[str, int | None],
    draw: Sequence[str] | None,
    names: dict[str, int | None] | None,
) -> Allocation:
    """The rule itself. `limits`: the seats each list can fill (None: any number); `names`:
    the candidates that break ties before a draw (None: not that way)."""
    exprimes = sum(votes.values())
    capacity = {
        name: seats if limit is None else min(limit, seats) for name, limit in limits.items()
    }
    # Seats filled by election: those the lists' candidates can take (CE, 16 June 1999).
    elected = min(seats, sum(capacity.values()))
    won = dict.fromkeys(votes, 0)
    quotient = Fraction(exprimes, elected) if elected and exprimes else None
    if quotient is not None:
        for name, count in votes.items():
            # ⌊votes ÷ quotient⌋ = ⌊votes × elected ÷ exprimés⌋, in integers.
            won[name] = min(count * elected // exprimes, capacity[name])
    by_quotient = dict(won)
    steps: list[Step] = []
    tie: Tie | None = None
    applied: tuple[str, ...] | None = None
    left = elected - sum(won.values())
    while left > 0:
        open_lists = [name for name in votes if won[name] < capacity[name]]
        best = max(Fraction(votes[name], won[name] + 1) for name in open_lists)
        at_best = [name for name in open_lists if Fraction(votes[name], won[name] + 1) == best]
        most = max(votes[name] for name in at_best)
        top = [name for name in at_best if votes[name] == most]
        seat = elected - left + 1
        by_names = False
        if names is not None and len(top) > left:
            unknown = [name for name in top if names[name] is None]
            if unknown:
                raise SeatsError(
                    f"the tie for seat {seat} between {', '.join(top)} goes to the list with "
                    f"more candidates: give the candidates of {', '.join(unknown)}"
                )
            most_names = max(names[name] or 0 for name in top)
            longest = [name for name in top if names[name] == most_names]
            by_names, top = len(longest) < len(top), longest
        if len(top) == 1:
            if by_names:
                reason = Reason.CANDIDATES
            else:
                reason = Reason.AVERAGE if len(at_best) == 1 else Reason.VOTES
            winners = top
        elif len(top) <= left:
            # Each tied list gets one of the next seats: who is first does not matter.
            reason, winners = (Reason.CANDIDATES if by_names else Reason.EACH), top
        elif draw is None:
            tie = Tie(seat=seat, lists=tuple(top), seats=left, average=best)
            break
        else:
            if sorted(draw) != sorted(top):
                raise SeatsError(
                    f"the draw names {', '.join(draw)}, but the tie for seat {seat} is between "
                    f"{', '.join(top)}"
                )
            applied = tuple(draw)
            reason, winners = Reason.DRAW, list(draw[:left])
        for offset, name in enumerate(winners):
            steps.append(Step(seat + offset, name, Fraction(votes[name], won[name] + 1), reason))
            won[name] += 1
        left -= len(winners)
    if draw is not None and applied is None:
        raise SeatsError(f"a draw was given ({', '.join(draw)}), but no tie needs one")
    return Allocation(
        seats=seats,
        elected=elected,
        exprimes=exprimes,
        quotient=quotient,
        quotient_seats=elected,
        votes=dict(votes),
        candidates=dict(limits),
        by_quotient=by_quotient,
        steps=tuple(steps),
        titulaires=won,
        unfilled=seats - elected,
        draw_needed=tie,
        draw=applied,
    )


# --- one scrutin: counts, seats, the elected -----------------------------------------------------


@dataclass(frozen=True)
class ListEntry:
    """A list as filed: its name, its votes, and its candidates in list order (None: unknown,
    then neither its seats are limited nor its elected named)."""

    name: str
    votes: int
    candidates: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ListResult:
    name: str
    votes: int
    share: Fraction | None
    """votes ÷ exprimés (None when nobody expressed a choice)."""
    titulaires: int
    suppleants: int
    elected_titulaires: tuple[str, ...] = ()
    elected_suppleants: tuple[str, ...] = ()
    unfilled_suppleants: int = 0
    """Seats of suppléants the list won but has no more names for."""


@dataclass(frozen=True)
class ScrutinResult:
    """What the procès-verbal of a scrutin states."""

    inscrits: int | None
    votants: int
    blancs: int
    nuls: int
    exprimes: int
    lists: tuple[ListResult, ...]
    allocation: Allocation
    turnout: Fraction | None
    """votants ÷ inscrits (None when the inscrits are not given)."""

    @property
    def unfilled_titulaires(self) -> int:
        return self.allocation.unfilled

    @property
    def unfilled_suppleants(self) -> int:
        """Seats of suppléants left to the draw among electors: those of titulaires nobody
        stands for (each comes with its suppléant) and those short lists cannot fill."""
        return self.allocation.unfilled + sum(entry.unfilled_suppleants for entry in self.lists)


def count_scrutin(
    seats: int,
    lists: Sequence[ListEntry],
    *,
    inscrits: int | None = None,
    votants: int | None = None,
    blancs: int = 0,
    nuls: int = 0,
    draw: Sequence[str] | None = None,
    rule: ShortListRule = ShortListRule.REDISTRIBUTE,
    candidates: Mapping[str, int] | None = None,
    tie_by_candidates: bool = False,
) -> ScrutinResult:
    """The result of one scrutin with list voting (a CSA, a CCP, a CAP counted as a whole).

    `votants`, when given, must be the blank and null ballots plus the lists' votes. The
    elected of a list whose candidates are given: its k titulaires are its first k names and its
    suppléants the next ones, as many as its titulaires (CSA and CCP: the list does not say who
    is which; for a CAP per grade, see `designate_by_grade`). `candidates` gives the number of
    candidates of lists whose names are not given, where it may limit their seats.
    """
    _check_count("blank ballots", blancs)
    _check_count("null ballots", nuls)
    limits = dict(candidates or {})
    for entry in lists:
        if entry.candidates is not None:
            if entry.name in limits:
                raise SeatsError(f"the candidates of {entry.name!r} are given twice")
            limits[entry.name] = len(entry.candidates)
    allocation = allocate(
        seats,
        [(entry.name, entry.votes) for entry in lists],
        candidates=limits,
        draw=draw,
        rule=rule,
        tie_by_candidates=tie_by_candidates,
    )
    exprimes = allocation.exprimes
    counted = exprimes + blancs + nuls
    if votants is None:
        votants = counted
    else:
        _check_count("votants", votants)
        if votants != counted:
            raise SeatsError(
                f"{votants} votants, but {blancs} blank + {nuls} null + {exprimes} votes for "
                f"the lists make {counted}"
            )
    if inscrits is not None:
        _check_count("inscrits", inscrits)
        if votants > inscrits:
            raise SeatsError(f"{votants} votants for {inscrits} inscrits")
    results = []
    for entry in lists:
        won = allocation.titulaires[entry.name]
        names = entry.candidates
        limit = limits.get(entry.name)
        # Suppléants come after the titulaires in list order: as many as the titulaires, as far
        # as the names go.
        suppleants = won if limit is None else min(won, max(limit - won, 0))
        results.append(
            ListResult(
                entry.name,
                entry.votes,
                _ratio(entry.votes, exprimes),
                won,
                suppleants,
                tuple(names[:won]) if names is not None else (),
                tuple(names[won : won + suppleants]) if names is not None else (),
                unfilled_suppleants=won - suppleants,
            )
        )
    return ScrutinResult(
        inscrits=inscrits,
        votants=votants,
        blancs=blancs,
        nuls=nuls,
        exprimes=exprimes,
        lists=tuple(results),
        allocation=allocation,
        turnout=_ratio(votants, inscrits) if inscrits is not None else None,
    )


def _ratio(part: int, whole: int) -> Fraction | None:
    return Fraction(part, whole) if whole else None


@dataclass(frozen=True)
class GradeDesignation:
    """A list's titulaires and suppléants for one grade of a CAP."""

    grade: str
    titulaires: tuple[str, ...]
    suppleants: tuple[str, ...]
    unfilled_titulaires: int
    unfilled_suppleants: int


def designate_by_grade(
    candidates: Mapping[str, Sequence[str]], seats: Mapping[str, int]
) -> tuple[GradeDesignation, ...]:
    """The elected of one list of a CAP whose seats are set grade by grade (the texts of
    2011–2018, décret n° 82-451, art. 21 and 22): for each grade, the list's titulaires are its
    first names of that grade, in list order, as many as the seats of that grade it holds, and
    its suppléants the next names of that grade, as many as its titulaires.

    `candidates`: the list's names per grade, in list order. `seats`: the seats of titulaires
    the list holds in each grade. Which grades a list takes its seats in is chosen by the lists
    in turn (art. 21 b); that choice is an input here, not computed.
    """
    designations = []
    for grade, won in seats.items():
        _check_count(f"seats of the grade {grade!r}", won)
        names = tuple(candidates.get(grade, ()))
        titulaires = names[:won]
        suppleants = names[won : won + len(titulaires)]
        designations.append(
            GradeDesignation(
                grade,
                titulaires,
                suppleants,
                unfilled_titulaires=won - len(titulaires),
                unfilled_suppleants=won - len(suppleants),
            )
        )
    return tuple(designations)


# --- a CAP counted grade by grade: which list holds which grade's seats ------------------------


@dataclass(frozen=True)
class GradeSeat:
    """One seat of a grade given to a list, in the order given."""

    list: str
    grade: str
    reason: str
    """"choice": the list's choice in its turn (art. 21 b, first paragraphs); "votes": a seat
    no list could choose, given to the list with the most votes that has a candidate of that
    grade left (art. 21 b, last paragraph)."""


@dataclass(frozen=True)
class GradeAllocation:
    """The seats of titulaires of each grade held by each list."""

    seats: dict[str, dict[str, int]]
    """list → grade → seats of titulaires (every list and grade, 0 included)."""
    order: tuple[str, ...]
    """The lists that choose, in the order they choose."""
    given: tuple[GradeSeat, ...]
    unfilled: dict[str, int]
    """grade → seats no list has a candidate for (left to the draw among eligible electors)."""
    order_tie: tuple[str, ...] | None = None
    """Lists with as many seats and votes as another, whose order of choice only a draw
    decides; when set (no `order` given), no seat is placed in the grades."""
    preferences: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The recorded orders of preference among grades that were applied (list → grades); the
    other lists' choices were read from their list order."""

    def chose(self, name: str) -> bool:
        """Whether `name`'s grades were placed by its recorded order of preference (False: by
        its list order)."""
        return name in self.preferences

    @property
    def complete(self) -> bool:
        return self.order_tie is None


def _max_flow(
    need: Mapping[str, int], room: Mapping[str, Mapping[str, int]], free: Mapping[str, int]
) -> int:
    """How many of the seats `need`ed by lists can be placed at once: each list in grades where
    it has `room` (candidates not yet seated), each grade up to its `free` seats. A bipartite
    flow by augmenting paths (a CAP has a few grades and lists: small numbers)."""
    flow: dict[tuple[str, str], int] = {}
    used = dict.fromkeys(free, 0)
    placed = dict.fromkeys(need, 0)

    def augment(name: str, seen: set[str]) -> bool:
        for grade, space in room[name].items():
            if grade in seen or flow.get((name, grade), 0) >= space:
                continue
            seen.add(grade)
            if used[grade] < free[grade]:
                used[grade] += 1
                flow[name, grade] = flow.get((name, grade), 0) + 1
                return True
            # The grade is full: move one of another list's seats there elsewhere.
            for other in need:
                if flow.get((other, grade), 0) > 0 and augment(other, seen):
                    flow[other, grade] -= 1
                    flow[name, grade] = flow.get((name, grade), 0) + 1
                    return True
        return False

    total = 0
    for name, wanted in need.items():
        while placed[name] < wanted and augment(name, set()):
            placed[name] += 1
            total += 1
    return total


def assign_grades(
    grade_seats: Mapping[str, int],
    titulaires: Mapping[str, int],
    votes: Mapping[str, int],
    candidates: Mapping[str, Sequence[str]],
    *,
    order: Sequence[str] | None = None,
    preferences: Mapping[str, Sequence[str]] | None = None,
) -> GradeAllocation:
    """Which grades each list holds its seats in, for a CAP whose seats are set grade by grade
    (décret n° 82-451, art. 21 b, as read in docs/seats.md « CAP grade by grade »).

    `grade_seats`: each grade's seats of titulaires, in the scrutin's order of grades.
    `titulaires`: the seats each list won over the whole CAP (`allocate`). `votes`: each
    list's votes. `candidates`: each list's candidates' grades, one per candidate, in list
    order. `order`: the recorded draw of the order of choice, when lists have as many seats
    and votes (`GradeAllocation.order_tie`): those lists in the order drawn. `preferences`:
    the orders of preference among grades the lists chose at the bureau, as recorded (list →
    grades, each a grade where the list has candidates, once; grades it has candidates in but
    did not name come after, in its list order).

    The lists choose in turn, by decreasing seats won, then votes (equal seats and votes: a
    draw, `order`). In its turn a list takes seats of titulaires — at most one per grade in a
    turn, unless no other list has candidates of that grade — and never one that would keep
    another list from the seats it won in the grades where it has candidates. The text leaves
    which grade to the list: a list with a recorded preference takes the first grade of it
    that still has a free seat and that it may take, then the next...; a list without one has
    its choice read from its own list order: its highest placed candidate not yet seated whose
    grade it may take. Keeping no other list from its seats is read
    as: after the choice, as many of the seats won can still be placed (in grades where their
    lists have candidates) as before, less the one taken. Turns go round until no list can take
    more. Seats still free go, grade by grade, to the list with the most votes (then the first
    in the order of choice) that has a candidate of that grade not yet seated; seats of a grade
    without such a candidate are left to the draw among the eligible electors.
    """
    for grade, count in grade_seats.items():
        _check_count(f"seats of the grade {grade!r}", count)
    for name in titulaires:
        if name not in votes:
            raise SeatsError(f"no votes given for the list {name!r}")
    choosing = [name for name in votes if titulaires.get(name, 0) > 0]

    def key(name: str) -> tuple[int, int]:
        return (titulaires[name], votes[name])

    # Lists with as many seats and votes as another: only a draw orders them.
    tied = tuple(
        name for name in choosing if sum(1 for other in choosing if key(other) == key(name)) > 1
    )
    seats = {name: dict.fromkeys(grade_seats, 0) for name in votes}
    if order is None:
        if tied:
            ranked = sorted(choosing, key=lambda name: (-key(name)[0], -key(name)[1]))
            return GradeAllocation(seats, tuple(ranked), (), {}, order_tie=tied)
        drawn: list[str] = []
    else:
        drawn = list(order)
        if sorted(drawn) != sorted(tied):
            raise SeatsError(
                f"the draw of the order of choice names {', '.join(drawn)}, but the lists with "
                f"equal seats and votes are {', '.join(tied) or 'none'}"
            )
    ranked = sorted(
        choosing,
        key=lambda name: (
            -key(name)[0],
            -key(name)[1],
            drawn.index(name) if name in drawn else 0,
        ),
    )
    free = {grade: count for grade, count in grade_seats.items()}
    left = {name: titulaires.get(name, 0) for name in votes}
    room = {
        name: {
            grade: sum(1 for own in candidates.get(name, ()) if own == grade)
            for grade in grade_seats
        }
        for name in votes
    }
    standing = {grade: {name for name in votes if room[name][grade]} for grade in grade_seats}
    # Each candidate as (grade, how many of the list's candidates of that grade come before).
    ranks: dict[str, list[tuple[str, int]]] = {}
    for name in votes:
        met: dict[str, int] = {}
        ranks[name] = []
        for grade in candidates.get(name, ()):
            ranks[name].append((grade, met.get(grade, 0)))
            met[grade] = met.get(grade, 0) + 1
    applied: dict[str, tuple[str, ...]] = {}
    for name, chosen in (preferences or {}).items():
        if name not in votes:
            raise SeatsError(f"a preference among grades is given for {name!r}, not a list here")
        wanted = tuple(chosen)
        if len(set(wanted)) != len(wanted):
            raise SeatsError(f"the preference of the list {name!r} names a grade twice")
        for grade in wanted:
            if grade not in grade_seats or not room[name][grade]:
                raise SeatsError(
                    f"the preference of the list {name!r} names the grade {grade!r}, where it "
                    "has no candidate"
                )
        applied[name] = wanted
        # Its candidates' grades in the order of its preference (stable: within a grade, and
        # for grades it did not name, list order).
        place = {grade: index for index, grade in enumerate(wanted)}
        ranks[name].sort(key=lambda item: place.get(item[0], len(place)))
    given: list[GradeSeat] = []

    def placeable() -> int:
        return _max_flow({name: left[name] for name in ranked}, room, free)

    def take(name: str, grade: str, reason: str) -> None:
        free[grade] -= 1
        room[name][grade] -= 1
        left[name] = max(left[name] - 1, 0)
        seats[name][grade] += 1
        given.append(GradeSeat(name, grade, reason))

    moved = True
    while moved:
        moved = False
        for name in ranked:
            this_turn: set[str] = set()
            for grade, rank in ranks[name]:
                if left[name] == 0:
                    break
                # Only the list's next candidate not yet seated in that grade.
                if grade not in free or free[grade] == 0 or seats[name][grade] != rank:
                    continue
                if grade in this_turn and standing[grade] != {name}:
                    continue
                # The choice must leave every other seat won placeable as before: part of a
                # placement of as many of the seats won as can be placed at all.
                before = placeable()
                free[grade] -= 1
                room[name][grade] -= 1
                left[name] -= 1
                after = placeable()
                free[grade] += 1
                room[name][grade] += 1
                left[name] += 1
                if after < before - 1:
                    continue
                take(name, grade, "choice")
                this_turn.add(grade)
                moved = True
    unfilled: dict[str, int] = {}
    for grade in grade_seats:
        while free[grade] > 0:
            able = [name for name in ranked if room[name][grade] > 0] or [
                name for name in votes if room[name][grade] > 0
            ]
            if not able:
                unfilled[grade] = free[grade]
                break
            best = max(votes[name] for name in able)
            take(next(name for name in able if votes[name] == best), grade, "votes")
    return GradeAllocation(seats, tuple(ranked), tuple(given), unfilled, preferences=applied)


# --- joint lists and representativeness ----------------------------------------------------------


@dataclass(frozen=True)
class JointList:
    """A list's votes in one scrutin and the unions that filed it, with the key declared at
    filing: each union's share in percent, or None for all when none was declared."""

    votes: int
    unions: tuple[tuple[str, Fraction | Decimal | int | None], ...]
    """(union, share in percent) pairs; a `Decimal` share as the filing stores it is exact too."""


HUNDRED: Final = Fraction(100)


def split_votes(entry: JointList) -> dict[str, Fraction]:
    """Each union's part of a list's votes: by the declared key, or in equal shares when none
    was declared (a list of one union keeps all its votes). Exact: a third of a vote stays a
    third."""
    _check_count("votes", entry.votes)
    if not entry.unions:
        raise SeatsError("a list is filed by at least one union")
    names = [union for union, _ in entry.unions]
    if len(set(names)) != len(names):
        raise SeatsError(f"a union is named twice on a list: {', '.join(names)}")
    shares = [share for _, share in entry.unions]
    if len(names) == 1:  # a share declared by a lone union means nothing (the filing ignores it)
        return {names[0]: Fraction(entry.votes)}
    if all(share is None for share in shares):
        return {union: Fraction(entry.votes, len(names)) for union in names}
    if any(share is None for share in shares):
        raise SeatsError("a joint list declares the share of every union, or of none")
    declared = [Fraction(share) for share in shares if share is not None]
    if any(share <= 0 for share in declared) or sum(declared) != HUNDRED:
        raise SeatsError(
            f"the declared shares ({', '.join(str(s) for s in declared)}) must be positive and "
            "total 100 %"
        )
    return {
        union: entry.votes * share / HUNDRED for union, share in zip(names, declared, strict=True)
    }


@dataclass(frozen=True)
class ScrutinVotes:
    """One scrutin's votes for representativeness: its suffrages valablement exprimés and its
    lists with their unions."""

    exprimes: int
    lists: tuple[JointList, ...]


@dataclass(frozen=True)
class Representativeness:
    """Each union's votes over the scrutins counted, and their share of the exprimés."""

    exprimes: int
    votes: dict[str, Fraction] = field(default_factory=dict)

    def share(self, union: str) -> Fraction | None:
        return _fraction_ratio(self.votes.get(union, Fraction(0)), self.exprimes)

    def ranking(self) -> list[tuple[str, Fraction]]:
        """Unions by votes, the most first (equal votes by name, so the order is stable)."""
        return sorted(self.votes.items(), key=lambda item: (-item[1], item[0]))


def _fraction_ratio(part: Fraction, whole: int) -> Fraction | None:
    return part / whole if whole else None


def representativeness(scrutins: Iterable[ScrutinVotes]) -> Representativeness:
    """Each union's votes added up over `scrutins` (e.g. the CSA ministériel for the national
    figure, or an academy's CSA), joint lists split by `split_votes`. Whoever calls it chooses
    scrutins that do not count an elector twice."""
    total = 0
    votes: dict[str, Fraction] = {}
    for scrutin in scrutins:
        _check_count("exprimés", scrutin.exprimes)
        given = sum(entry.votes for entry in scrutin.lists)
        if given != scrutin.exprimes:
            raise SeatsError(f"the lists' votes make {given}, not the {scrutin.exprimes} exprimés")
        total += scrutin.exprimes
        for entry in scrutin.lists:
            for union, part in split_votes(entry).items():
                votes[union] = votes.get(union, Fraction(0)) + part
    return Representativeness(exprimes=total, votes=votes)


K = TypeVar("K", bound=Hashable)


def representativeness_by(
    scrutins: Iterable[tuple[K, ScrutinVotes]],
) -> dict[K, Representativeness]:
    """`representativeness` per group (an academy...): `scrutins` as (group, votes) pairs."""
    groups: dict[K, list[ScrutinVotes]] = {}
    for key, scrutin in scrutins:
        groups.setdefault(key, []).append(scrutin)
    return {key: representativeness(members) for key, members in groups.items()}


# --- printing exact numbers ----------------------------------------------------------------------


def decimal(value: Fraction, places: int = 2) -> str:
    """`value` rounded to `places` decimals (half to even), from the exact fraction."""
    scaled = round(value * 10**places)
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}" if places else f"{sign}{digits}"


def fraction_text(value: Fraction) -> str:
    """`value` as exact text: ``7`` or ``349339/15``."""
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )
