"""The recorded draw between tied lists (docs/seats.md, step 5; docs/results.md).

When equal averages and equal votes leave more tied lists than seats, only a draw decides:
the bureau draws (by hand, in the room) and records its outcome here, once, before the
proclamation. The rule itself never draws (`urne.counting.seats`); `results.figures_of` applies
the recorded outcome (`results.recorded_draw`).

Who records it: those who proclaim (`urne.counting.proclamation.may_proclaim`: the president or
the secretary of the bureau covering the scrutin, or staff holding `counting.proclaim_result` in
their perimeter), since the draw is part of the result they proclaim.

- `pending(figures)`: the draw the figures wait for: a tie for seats, or, for a CAP counted
  grade by grade, the order of choice of lists with as many seats and votes;
- `check_drawable(scrutin)`: the figures and that draw, if one is needed now (refused
  otherwise);
- `do_record_draw(scrutin, who, order, account)`: check and record, journaled
  (`counting.draw`); refused (`CountingRefused`, `Forbidden`) with nothing changed otherwise;
- `access_drawing(user, scrutin_id)`: the scrutin `user` may record a draw for (404 out of
  reach, 403 reachable but not theirs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urne import clock
from urne.audit.services import Who, record
from urne.campaign.models import Scrutin
from urne.counting import results
from urne.counting.closing import CountingRefused
from urne.counting.models import SeatDraw
from urne.counting.proclamation import bureau_role, may_proclaim, proclamation_of
from urne.web.errors import Forbidden, NotFound

ACCOUNT_MAX: Final = 4000
"""The longest account of a draw, in characters."""


def draw_of(scrutin: Scrutin) -> SeatDraw | None:
    """The latest draw recorded for `scrutin`, of either kind."""
    return SeatDraw.objects.filter(scrutin_id=scrutin.pk).select_related("recorded_by").first()


@dataclass(frozen=True)
class Pending:
    """The draw the figures of a scrutin wait for."""

    kind: str
    """A `SeatDraw.Kind` value."""
    lists: tuple[str, ...]
    """The tied lists."""
    seat: int | None = None
    """The first seat it decides (a draw for seats)."""
    seats: int = 1
    """How many of the tied lists win a seat (a draw for seats)."""


def pending(figures: results.ScrutinFigures) -> Pending | None:
    """The draw `figures` wait for: first a tie for seats (docs/seats.md, step 5), then, for a
    CAP counted grade by grade, the order in which lists with as many seats and votes choose
    their grades; None when every seat is decided."""
    tie = figures.allocation.draw_needed
    if tie is not None:
        return Pending(SeatDraw.Kind.SEAT.value, tie.lists, tie.seat, tie.seats)
    if figures.grades is not None and figures.grades.order_tie:
        return Pending(SeatDraw.Kind.GRADE_ORDER.value, figures.grades.order_tie)
    return None


def _not_allowed() -> Forbidden:
    return Forbidden(
        _(
            "Seuls le président ou le secrétaire du bureau de vote, ou un agent habilité à "
            "proclamer les résultats, enregistrent un tirage au sort. Rien n'a été changé."
        )
    )


def access_drawing(user: Any, scrutin_id: Any) -> Scrutin:
    """The scrutin `scrutin_id` if `user` may record its draw: 404 if they cannot reach it,
    403 if they reach it but may not record."""
    return access_scrutin(user, scrutin_id, _not_allowed)


def access_scrutin(user: Any, scrutin_id: Any, refused: Callable[[], Forbidden]) -> Scrutin:
    """The scrutin `scrutin_id` if `user` may record what the bureau decides after the count
    (a draw, the lists' choices of grades: `may_proclaim`): 404 if they cannot reach it,
    `refused()` (403) if they reach it but may not."""
    from urne.backoffice import access

    try:
        scrutin = Scrutin.objects.select_related("campaign", "academy").get(pk=int(scrutin_id))
    except (Scrutin.DoesNotExist, ValueError, TypeError):
        raise NotFound from None
    if may_proclaim(user, scrutin):
        return scrutin
    if not bureau_role(user, scrutin) and not (
        getattr(user, "is_staff", False)
        and access.scoped(Scrutin.objects.filter(pk=scrutin.pk), user).exists()
    ):
        raise NotFound
    raise refused()


def _already(found: SeatDraw) -> CountingRefused:
    return CountingRefused(
        _(
            "Le tirage au sort du scrutin « %(scrutin)s » a déjà été enregistré le %(at)s par "
            "%(who)s : il ne l'est qu'une fois. Rien n'a été changé."
        )
        % {
            "scrutin": found.scrutin.code,
            "at": timezone.localtime(found.recorded_at).strftime("%d/%m/%Y à %H:%M:%S"),
            "who": found.recorded_by,
        }
    )


def check_drawable(scrutin: Scrutin) -> tuple[results.ScrutinFigures, Pending]:
    """The figures of `scrutin` and the draw they wait for: counted, not proclaimed, and a tie
    only a draw breaks, not yet recorded."""
    if proclamation_of(scrutin) is not None:
        raise CountingRefused(
            _(
                "Les résultats du scrutin « %(scrutin)s » sont proclamés : aucun tirage au sort "
                "ne peut plus être enregistré. Rien n'a été changé."
            )
            % {"scrutin": scrutin.code}
        )
    figures = results.figures_of(scrutin)
    if figures is None:
        raise CountingRefused(
            _(
                "Le résultat du scrutin « %(scrutin)s » n'est pas encore calculé : aucun tirage "
                "au sort n'est à faire. Rien n'a été changé."
            )
            % {"scrutin": scrutin.code}
        )
    waiting = pending(figures)
    if waiting is None:
        found = draw_of(scrutin)
        if found is not None:
            raise _already(found)
        raise CountingRefused(
            _(
                "Aucune égalité ne demande de tirage au sort dans le scrutin « %(scrutin)s » : "
                "tous ses sièges sont attribués par les voix. Rien n'a été changé."
            )
            % {"scrutin": scrutin.code}
        )
    return figures, waiting


def do_record_draw(scrutin: Scrutin, who: Who, order: Sequence[str], account: str) -> SeatDraw:
    """Record the draw `scrutin` waits for (`pending`): `order`, the tied lists' titles in the
    order drawn (each tied list once, no other); `account`, how it was drawn. Refused, nothing
    changed, when `who` may not, when no draw is needed now, or when the input does not fit
    the tie."""
    user: Any = getattr(who, "user", who)
    if not may_proclaim(user, scrutin):
        raise _not_allowed()
    figures, waiting = check_drawable(scrutin)
    drawn = [str(title).strip() for title in order]
    if sorted(drawn) != sorted(waiting.lists):
        if waiting.seat is not None:
            message = _(
                "Le tirage doit classer chacune des listes à égalité pour le siège %(seat)s "
                "(%(lists)s), une fois exactement, et aucune autre. Rien n'a été changé."
            )
        else:
            message = _(
                "Le tirage doit classer chacune des listes à égalité de sièges et de voix "
                "(%(lists)s), une fois exactement, et aucune autre. Rien n'a été changé."
            )
        raise CountingRefused(message % {"seat": waiting.seat, "lists": ", ".join(waiting.lists)})
    account = account.strip()
    if not account:
        raise CountingRefused(
            _(
                "Décrivez le déroulement du tirage au sort (comment, par qui, en présence de "
                "qui). Rien n'a été changé."
            )
        )
    if len(account) > ACCOUNT_MAX:
        raise CountingRefused(
            _(
                "Le déroulement du tirage au sort tient en %(max)s caractères au plus. Rien n'a "
                "été changé."
            )
            % {"max": ACCOUNT_MAX}
        )
    # The outcome must fit the rule (it checks the tie once more).
    outcome = results.RecordedDraw(seat=waiting.seat, lists=tuple(drawn))
    if waiting.kind == SeatDraw.Kind.SEAT:
        applied = results.scrutin_figures(
            figures.scrutin, figures.counts, draw=outcome, grade_order=None
        )
        won = [step.list for step in applied.drawn_seats]
    else:
        results.scrutin_figures(
            figures.scrutin,
            figures.counts,
            draw=figures.recorded_draw,
            grade_order=outcome,
        )
        won = drawn[:1]
    try:
        with transaction.atomic():
            made = SeatDraw.objects.create(
                scrutin=scrutin,
                kind=waiting.kind,
                seat=waiting.seat,
                order=drawn,
                account=account,
                recorded_by=user,
                role=bureau_role(user, scrutin),
                recorded_at=clock.now(),
            )
            record(
                who,
                "counting.draw",
                made,
                description=str(scrutin),
                scrutin=scrutin.code,
                kind=waiting.kind,
                seat=waiting.seat,
                order=drawn,
                won=won,
                role=made.role,
            )
    except IntegrityError:
        found = draw_of(scrutin)
        if found is None:  # pragma: no cover - (scrutin, kind) is the only constraint
            raise
        raise _already(found) from None
    return made


__all__ = [
    "ACCOUNT_MAX",
    "Pending",
    "access_drawing",
    "access_scrutin",
    "check_drawable",
    "do_record_draw",
    "draw_of",
    "pending",
]
