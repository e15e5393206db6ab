"""The lists' choices of grades, recorded (docs/seats.md « CAP grade by grade »; docs/results.md
« The lists' choices of grades »).

In a CAP counted grade by grade, the lists choose in turn, at the bureau, the grades where they
hold the seats they won (décret n° 82-451, art. 21 b). What a list's delegate chose is recorded
here as its order of preference among the grades where it has candidates; `results.figures_of`
passes the latest version of each list's to `seats.assign_grades`, which gives the list, in each
turn, the first grade of it that still has a free seat and that it may take. A list with no
record keeps the reading from its list order.

Who records it: those who record a draw (`urne.counting.proclamation.may_proclaim`). When:
before the proclamation, once the result is computed. It may be replaced until the
proclamation: each version is kept (`GradePreference` rows) and journaled
(`counting.grade_preference`), the latest applies.

- `check_choosable(scrutin)`: the figures, if `scrutin` is a CAP counted grade by grade whose
  result is computed and not proclaimed (refused otherwise);
- `do_record_preference(scrutin, who, title, grades)`: check and record, journaled; refused
  (`CountingRefused`, `Forbidden`) with nothing changed otherwise;
- `access_choosing(user, scrutin_id)`: the scrutin `user` may record choices for (404 out of
  reach, 403 reachable but not theirs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from urne import clock
from urne.audit.services import Who, record
from urne.campaign.models import Scrutin
from urne.counting import results
from urne.counting.closing import CountingRefused
from urne.counting.draws import access_scrutin
from urne.counting.models import GradePreference
from urne.counting.proclamation import bureau_role, may_proclaim, proclamation_of
from urne.web.errors import Forbidden


def _not_allowed() -> Forbidden:
    return Forbidden(
        _(
            "Seuls le président ou le secrétaire du bureau de vote, ou un agent habilité à "
            "proclamer les résultats, enregistrent le choix des grades d'une liste. Rien n'a été "
            "changé."
        )
    )


def access_choosing(user: Any, scrutin_id: Any) -> Scrutin:
    """The scrutin `scrutin_id` if `user` may record its lists' choices of grades: 404 if they
    cannot reach it, 403 if they reach it but may not record."""
    return access_scrutin(user, scrutin_id, _not_allowed)


def grades_of(figures: results.ScrutinFigures, title: str) -> tuple[str, ...]:
    """The grades where the list `title` has candidates, in the scrutin's order of grades."""
    entry = next(item for item in figures.scrutin.lists if item.title == title)
    own = set(entry.grades or ())
    return tuple(grade for grade, _seats in figures.scrutin.grades if grade in own)


def check_choosable(scrutin: Scrutin) -> results.ScrutinFigures:
    """The figures of `scrutin`, if its lists' choices of grades may be recorded now: a CAP
    counted grade by grade, its result computed, not proclaimed."""
    if proclamation_of(scrutin) is not None:
        raise CountingRefused(
            _(
                "Les résultats du scrutin « %(scrutin)s » sont proclamés : le choix des grades "
                "d'une liste ne peut plus être enregistré ni changé. Rien n'a été changé."
            )
            % {"scrutin": scrutin.code}
        )
    if not results.scrutin_data(scrutin).grades:
        raise CountingRefused(
            _(
                "Le scrutin « %(scrutin)s » n'est pas une CAP dont les sièges sont répartis par "
                "grade : ses listes n'ont pas de grades à choisir. Rien n'a été changé."
            )
            % {"scrutin": scrutin.code}
        )
    figures = results.figures_of(scrutin)
    if figures is None:
        raise CountingRefused(
            _(
                "Le résultat du scrutin « %(scrutin)s » n'est pas encore calculé : les listes "
                "ne choisissent leurs grades qu'ensuite. Rien n'a été changé."
            )
            % {"scrutin": scrutin.code}
        )
    return figures


def do_record_preference(
    scrutin: Scrutin, who: Who, title: str, grades: Sequence[str]
) -> GradePreference:
    """Record the order of preference among grades the list `title` of `scrutin` chose at the
    bureau: `grades`, grades where it has candidates, each once, in the order chosen (grades
    it has candidates in and did not name come after, in its list order). Replaces its
    previous record, if any (both kept and journaled). Refused, nothing changed, when `who`
    may not, when the scrutin does not take choices now, or when the input does not fit."""
    user: Any = getattr(who, "user", who)
    if not may_proclaim(user, scrutin):
        raise _not_allowed()
    figures = check_choosable(scrutin)
    title = str(title).strip()
    titles = [entry.title for entry in figures.scrutin.lists]
    if title not in titles:
        raise CountingRefused(
            _("« %(list)s » n'est pas une liste du scrutin « %(scrutin)s ». Rien n'a été changé.")
            % {"list": title, "scrutin": scrutin.code}
        )
    chosen = [str(grade).strip() for grade in grades if str(grade).strip()]
    own = grades_of(figures, title)
    if not chosen:
        raise CountingRefused(
            _(
                "Indiquez au moins un grade choisi par la liste « %(list)s » (parmi : "
                "%(grades)s). Rien n'a été changé."
            )
            % {"list": title, "grades": ", ".join(own) or "—"}
        )
    for grade in chosen:
        if grade not in own:
            raise CountingRefused(
                _(
                    "La liste « %(list)s » n'a aucun candidat du grade « %(grade)s » : elle ne "
                    "choisit que parmi %(grades)s. Rien n'a été changé."
                )
                % {"list": title, "grade": grade, "grades": ", ".join(own) or "—"}
            )
    twice = sorted({grade for grade in chosen if chosen.count(grade) > 1})
    if twice:
        raise CountingRefused(
            _(
                "Le grade « %(grade)s » est nommé plusieurs fois dans le choix de la liste "
                "« %(list)s » : chaque grade une fois au plus. Rien n'a été changé."
            )
            % {"grade": twice[0], "list": title}
        )
    if figures.allocation.complete:
        won = dict(figures.allocation.titulaires).get(title, 0)
        if won == 0:
            raise CountingRefused(
                _(
                    "La liste « %(list)s » n'a obtenu aucun siège : elle n'a pas de grade à "
                    "choisir. Rien n'a été changé."
                )
                % {"list": title}
            )
    # The choice must fit the rule (checked once more by the rule itself).
    replaced = next((item for item in figures.recorded_preferences if item.list == title), None)
    others = tuple(item for item in figures.recorded_preferences if item.list != title)
    applied = results.scrutin_figures(
        figures.scrutin,
        figures.counts,
        draw=figures.recorded_draw,
        grade_order=figures.recorded_order,
        preferences=(*others, results.RecordedPreference(list=title, grades=tuple(chosen))),
    )
    held = next(entry for entry in applied.lists if entry.title == title)
    with transaction.atomic():
        made = GradePreference.objects.create(
            scrutin=scrutin,
            list_title=title,
            grades=chosen,
            recorded_by=user,
            role=bureau_role(user, scrutin),
            recorded_at=clock.now(),
        )
        record(
            who,
            "counting.grade_preference",
            made,
            description=str(scrutin),
            scrutin=scrutin.code,
            list=title,
            grades=chosen,
            replaces=list(replaced.grades) if replaced is not None else None,
            version=replaced.versions + 1 if replaced is not None else 1,
            held={item.grade: len(item.titulaires) for item in held.grades if item.titulaires},
            role=made.role,
        )
    return made


__all__ = [
    "access_choosing",
    "check_choosable",
    "do_record_preference",
    "grades_of",
]
