"""The proclamation of a scrutin's results by its bureau (docs/counting.md, « Proclamation »).

Once the archive of a scrutin ends with its Result and reads back whole (the figures of
`urne.counting.results.figures_of`), the bureau proclaims it: the president or the secretary of
the bureau covering the scrutin, or, for a scrutin without a bureau (or standing in), a staff
member holding `counting.proclaim_result` in their perimeter. A proclamation records who and
when, once: a second one is refused with a clear message and changes nothing. It is written in
the audit journal. The public results (/resultats/) show only proclaimed scrutins.

- `may_proclaim(user, scrutin)`: whether `user` may proclaim `scrutin` (its role or permission);
- `access_proclaiming(user, election_id)`: the sealed election whose scrutin `user` may
  proclaim (404 if out of reach, 403 if reachable but not theirs to proclaim);
- `check_proclaimable(scrutin)`, `do_proclaim(scrutin, who)`, `proclamation_of(scrutin)`.
"""

from __future__ import annotations

from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urne import clock
from urne.audit.services import Who, record
from urne.backoffice import access
from urne.campaign.models import Scrutin
from urne.counting import results
from urne.counting.closing import CountingRefused
from urne.counting.composition import Role
from urne.counting.models import BureauMember, Proclamation
from urne.voting.models import ScrutinElection
from urne.web.errors import Forbidden, NotFound

PROCLAIM: Final = "counting.proclaim_result"
"""Staff who may proclaim a scrutin of their perimeter without being of its bureau."""

PROCLAIMING_ROLES: Final = (Role.PRESIDENT.value, Role.SECRETARY.value)


def proclamation_of(scrutin: Scrutin) -> Proclamation | None:
    return (
        Proclamation.objects.filter(scrutin_id=scrutin.pk).select_related("proclaimed_by").first()
    )


def bureau_role(user: Any, scrutin: Scrutin) -> str:
    """`user`'s role in the bureau covering `scrutin` ("" if none)."""
    if getattr(user, "pk", None) is None:
        return ""
    role = (
        BureauMember.objects.filter(user_id=user.pk, bureau__scrutins=scrutin)
        .values_list("role", flat=True)
        .first()
    )
    return role or ""


def _in_perimeter(user: Any, scrutin: Scrutin) -> bool:
    return (
        access.scoped(Scrutin.objects.filter(pk=scrutin.pk), user, for_change=True).exists()
        if getattr(user, "is_staff", False)
        else False
    )


def may_proclaim(user: Any, scrutin: Scrutin) -> bool:
    if bureau_role(user, scrutin) in PROCLAIMING_ROLES:
        return True
    return bool(user.has_perm(PROCLAIM)) and _in_perimeter(user, scrutin)


def access_proclaiming(user: Any, election_id: Any) -> ScrutinElection:
    try:
        election = (
            ScrutinElection.objects.filter(sealed_at__isnull=False)
            .select_related("scrutin__campaign", "scrutin__academy")
            .get(pk=int(election_id))
        )
    except (ScrutinElection.DoesNotExist, ValueError, TypeError):
        raise NotFound from None
    if bureau_role(user, election.scrutin) in PROCLAIMING_ROLES:
        return election
    if not _in_perimeter(user, election.scrutin) and not bureau_role(user, election.scrutin):
        raise NotFound
    if not user.has_perm(PROCLAIM):
        raise Forbidden(
            _(
                "Seuls le président ou le secrétaire du bureau de vote, ou un agent habilité, "
                "proclament les résultats. Rien n'a été changé."
            )
        )
    return election


def _already(found: Proclamation) -> CountingRefused:
    return CountingRefused(
        _(
            "Les résultats du scrutin « %(scrutin)s » ont déjà été proclamés le %(at)s par "
            "%(who)s : ils ne le sont qu'une fois. Rien n'a été changé."
        )
        % {
            "scrutin": found.scrutin.code,
            "at": timezone.localtime(found.proclaimed_at).strftime("%d/%m/%Y à %H:%M:%S"),
            "who": found.proclaimed_by,
        }
    )


def check_proclaimable(scrutin: Scrutin) -> results.ScrutinFigures:
    """Not proclaimed yet, its archive ends with a Result that reads back whole, and every seat
    is allocated (a tie that needs a draw has its draw recorded, `urne.counting.draws`)."""
    found = proclamation_of(scrutin)
    if found is not None:
        raise _already(found)
    figures = results.figures_of(scrutin)  # a ResultsError if the archive does not read back
    if figures is None:
        raise CountingRefused(
            _(
                "Le résultat du scrutin « %(scrutin)s » n'est pas encore calculé : il se "
                "proclame une fois les déchiffrements partiels du bureau reçus. Rien n'a été "
                "changé."
            )
            % {"scrutin": scrutin.code}
        )
    tie = figures.allocation.draw_needed
    if tie is not None:
        raise CountingRefused(
            _(
                "Égalité pour le siège %(seat)s du scrutin « %(scrutin)s » entre %(lists)s : "
                "enregistrez d'abord le tirage au sort qui les départage (page des résultats du "
                "scrutin), puis proclamez. Rien n'a été changé."
            )
            % {"seat": tie.seat, "scrutin": scrutin.code, "lists": ", ".join(tie.lists)}
        )
    if figures.grades is not None and figures.grades.order_tie:
        raise CountingRefused(
            _(
                "Égalité de sièges et de voix entre %(lists)s dans le scrutin « %(scrutin)s » : "
                "enregistrez d'abord le tirage au sort de l'ordre dans lequel ces listes "
                "choisissent leurs grades (page des résultats du scrutin), puis proclamez. Rien "
                "n'a été changé."
            )
            % {"scrutin": scrutin.code, "lists": ", ".join(figures.grades.order_tie)}
        )
    return figures


def do_proclaim(scrutin: Scrutin, who: Who) -> Proclamation:
    """Record the proclamation of `scrutin` by `who` (a request or a user allowed by
    `may_proclaim`); refused (`CountingRefused`, `Forbidden`), nothing changed, otherwise."""
    user: Any = getattr(who, "user", who)
    if not may_proclaim(user, scrutin):
        raise Forbidden(
            _(
                "Seuls le président ou le secrétaire du bureau de vote, ou un agent habilité, "
                "proclament les résultats. Rien n'a été changé."
            )
        )
    figures = check_proclaimable(scrutin)
    try:
        with transaction.atomic():
            made = Proclamation.objects.create(
                scrutin=scrutin,
                proclaimed_by=user,
                role=bureau_role(user, scrutin),
                proclaimed_at=clock.now(),
            )
            record(
                who,
                "counting.proclamation",
                made,
                description=str(scrutin),
                scrutin=scrutin.code,
                role=made.role,
                votants=figures.votants,
                titulaires={item.title: item.titulaires for item in figures.lists},
            )
    except IntegrityError:
        found = proclamation_of(scrutin)
        if found is None:  # pragma: no cover - the unique scrutin is the only constraint
            raise
        raise _already(found) from None
    return made


__all__ = [
    "PROCLAIM",
    "PROCLAIMING_ROLES",
    "access_proclaiming",
    "bureau_role",
    "check_proclaimable",
    "do_proclaim",
    "may_proclaim",
    "proclamation_of",
]
