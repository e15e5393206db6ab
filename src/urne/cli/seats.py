"""`urne seats`: the seats of titulaires from the counts alone, so that anyone can check a
proclaimed allocation (`urne.counting.seats`, docs/seats.md). No Django, no database.

``urne seats --seats N [--json] [--blank B] [--null X] [--registered I] [--voters V]
[--candidates LIST=K ...] [--draw LIST ...] [--short-lists redistribute|draw]
[--tie-by-candidates] LIST=VOTES ...``

Exit 0 with the allocation (also when a tie needs a draw that was not given: the output says
between which lists, and `complete` is false); 2 for bad input (votes that are not whole
numbers, a list given twice, fewer than one seat, no list, a draw that does not match the tie).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from typing import Any

from urne.cli.protocol import EXIT_OK, BadInput, _count, _Parser, _print_json, _whole, inert
from urne.counting.seats import (
    ListEntry,
    ScrutinResult,
    SeatsError,
    ShortListRule,
    count_scrutin,
    decimal,
    fraction_text,
)

_DIGITS = re.compile(r"[0-9]+")


def _pair(text: str, what: str) -> tuple[str, int]:
    """``NAME=NUMBER`` (the last ``=`` splits: a list's name may hold one)."""
    name, equals, number = text.rpartition("=")
    if not equals or not name.strip():
        raise BadInput(f"urne seats: {text!r}: expected LIST={what}, such as 'Liste A=120'")
    if not _DIGITS.fullmatch(number):
        raise BadInput(
            f"urne seats: {text!r}: the {what.lower()} of {name!r} must be a whole number"
        )
    return name, int(number)


def _percent(value: Any) -> str | None:
    return None if value is None else decimal(100 * value)


def to_json(
    result: ScrutinResult, rule: ShortListRule, tie_by_candidates: bool = False
) -> dict[str, Any]:
    allocation = result.allocation
    tie = allocation.draw_needed
    return {
        "ok": True,
        "complete": allocation.complete,
        "seats": dict(allocation.titulaires),
        "total_seats": allocation.seats,
        "elected_seats": allocation.elected,
        "unfilled_seats": allocation.unfilled,
        "unfilled_suppleants": result.unfilled_suppleants,
        "registered": result.inscrits,
        "voters": result.votants,
        "blank": result.blancs,
        "null": result.nuls,
        "exprimes": result.exprimes,
        "turnout_percent": _percent(result.turnout),
        "quotient": None if allocation.quotient is None else fraction_text(allocation.quotient),
        "quotient_decimal": None if allocation.quotient is None else decimal(allocation.quotient),
        "quotient_seats": allocation.quotient_seats,
        "lists": [
            {
                "name": entry.name,
                "votes": entry.votes,
                "share_percent": _percent(entry.share),
                "candidates": allocation.candidates[entry.name],
                "by_quotient": allocation.by_quotient[entry.name],
                "by_average": allocation.by_average[entry.name],
                "titulaires": entry.titulaires,
                "suppleants": entry.suppleants,
            }
            for entry in result.lists
        ],
        "remainder": [
            {
                "seat": step.seat,
                "list": step.list,
                "average": fraction_text(step.average),
                "average_decimal": decimal(step.average),
                "reason": step.reason.value,
            }
            for step in allocation.steps
        ],
        "draw_needed": None
        if tie is None
        else {"seat": tie.seat, "lists": list(tie.lists), "seats": tie.seats},
        "draw": None if allocation.draw is None else list(allocation.draw),
        "short_lists": rule.value,
        "tie_by_candidates": tie_by_candidates,
    }


_REASONS = {
    "average": "highest average",
    "votes": "equal averages, more votes",
    "each": "equal averages and votes, one seat each",
    "candidates": "equal averages and votes, more candidates",
    "draw": "equal averages and votes, by the recorded draw",
}


def _seats_text(count: int) -> str:
    return "one seat" if count == 1 else f"{count} seats"


def format_result(result: ScrutinResult) -> str:
    allocation = result.allocation
    lines = [f"Seats of titulaires: {allocation.seats}"]
    counts = f"Voters: {result.votants}"
    if result.inscrits is not None:
        counts += f" of {result.inscrits} registered"
        if result.turnout is not None:
            counts += f" (turnout {decimal(100 * result.turnout)} %)"
    lines.append(f"{counts}; blank {result.blancs}, null {result.nuls}.")
    lines.append(f"Suffrages valablement exprimés: {result.exprimes}")
    if allocation.unfilled:
        lines.append(
            f"Seats filled by election: {allocation.elected}; {allocation.unfilled} with no "
            "candidate, to be drawn among the eligible electors."
        )
    if allocation.quotient is not None:
        lines.append(
            f"Quotient: {result.exprimes} / {allocation.quotient_seats} = "
            f"{fraction_text(allocation.quotient)} ≈ {decimal(allocation.quotient)}"
        )
    names = [inert(entry.name) for entry in result.lists]
    width = max([len("List"), *(len(name) for name in names)])
    lines.append(
        f"{'List':<{width}}  {'Votes':>9}  {'Share':>8}  {'By quotient':>11}  {'By average':>10}  "
        f"{'Titulaires':>10}  {'Suppléants':>10}"
    )
    for name, entry in zip(names, result.lists, strict=True):
        share = "-" if entry.share is None else f"{decimal(100 * entry.share)} %"
        lines.append(
            f"{name:<{width}}  {entry.votes:>9}  {share:>8}  "
            f"{allocation.by_quotient[entry.name]:>11}  {allocation.by_average[entry.name]:>10}  "
            f"{entry.titulaires:>10}  {entry.suppleants:>10}"
        )
    if allocation.steps:
        lines.append("Remainder seats, one by one to the highest average votes / (seats won + 1):")
        for step in allocation.steps:
            lines.append(
                f"  seat {step.seat}: {inert(step.list)}, average {fraction_text(step.average)}"
                f" ≈ {decimal(step.average)} ({_REASONS[step.reason.value]})"
            )
    if allocation.draw is not None:
        drawn = ", ".join(inert(name) for name in allocation.draw)
        lines.append(f"Recorded draw applied, in the order drawn: {drawn}.")
    if result.unfilled_suppleants:
        lines.append(
            f"Seats of suppléants with no candidate, to be drawn among the eligible electors: "
            f"{result.unfilled_suppleants}."
        )
    tie = allocation.draw_needed
    if tie is not None:
        tied = ", ".join(inert(name) for name in tie.lists)
        lines.append(
            f"A DRAW IS NEEDED for seat {tie.seat}"
            + (f" to {tie.seat + tie.seats - 1}" if tie.seats > 1 else "")
            + f": {tied} have the same average ({fraction_text(tie.average)}) and the same "
            f"votes; the draw gives {_seats_text(tie.seats)} among them. Run again with its "
            "outcome, each tied list in the order drawn: "
            + " ".join(f"--draw {shlex.quote(inert(name))}" for name in tie.lists)
            + "."
        )
    return "\n".join(lines)


def seats(args: Sequence[str]) -> int:
    parser = _Parser(
        prog="urne seats",
        description=(
            "Allocate the seats of titulaires from the counts: quotient (exprimés / seats), then "
            "the highest average votes / (seats won + 1), ties to the most votes, then to a "
            "recorded draw. See docs/seats.md."
        ),
    )
    parser.add_argument(
        "lists", nargs="*", metavar="LIST=VOTES", help="each list's votes, in the official order"
    )
    parser.add_argument(
        "--seats",
        type=_whole(1, "not a whole number", "a body has at least one seat"),
        required=True,
        help="seats of titulaires to fill",
    )
    parser.add_argument("--blank", type=_count, default=0, help="blank ballots (default 0)")
    parser.add_argument("--null", type=_count, default=0, help="null ballots (default 0)")
    parser.add_argument("--registered", type=_count, default=None, help="inscrits (for turnout)")
    parser.add_argument(
        "--voters", type=_count, default=None, help="votants: checked against the other counts"
    )
    parser.add_argument(
        "--candidates",
        action="append",
        default=[],
        metavar="LIST=K",
        help="a list's number of candidates, when it may limit its seats (repeatable)",
    )
    parser.add_argument(
        "--draw",
        action="append",
        default=None,
        metavar="LIST",
        help="the recorded draw for a tie: each tied list, in the order drawn (repeat)",
    )
    parser.add_argument(
        "--short-lists",
        choices=[rule.value for rule in ShortListRule],
        default=ShortListRule.REDISTRIBUTE.value,
        help="seats a list has no candidate for: go on to the other lists (default) or to "
        "the draw among electors",
    )
    parser.add_argument(
        "--tie-by-candidates",
        action="store_true",
        help="equal averages and votes: the list with more candidates wins before any draw "
        "(give --candidates for the tied lists)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    options = parser.parse_args(list(args))
    if not options.lists:
        raise BadInput("urne seats: no list: give each list's votes as LIST=VOTES")
    votes: dict[str, int] = {}
    for text in options.lists:
        name, count = _pair(text, "VOTES")
        if name in votes:
            raise BadInput(f"urne seats: the list {name!r} is given twice")
        votes[name] = count
    limits: dict[str, int] = {}
    for text in options.candidates:
        name, count = _pair(text, "K")
        if name not in votes:
            raise BadInput(f"urne seats: --candidates names {name!r}, which is not a list given")
        if name in limits:
            raise BadInput(f"urne seats: --candidates gives {name!r} twice")
        limits[name] = count
    rule = ShortListRule(options.short_lists)
    try:
        result = count_scrutin(
            options.seats,
            [ListEntry(name, count) for name, count in votes.items()],
            inscrits=options.registered,
            votants=options.voters,
            blancs=options.blank,
            nuls=options.null,
            draw=options.draw,
            rule=rule,
            candidates=limits,
            tie_by_candidates=options.tie_by_candidates,
        )
    except SeatsError as error:
        raise BadInput(f"urne seats: {error}") from None
    if options.json:
        _print_json(to_json(result, rule, options.tie_by_candidates))
    else:
        print(format_result(result))
    return EXIT_OK
