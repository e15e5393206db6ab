"""Turnout and the émargement, for staff: who may see which figures and which names.

Two permissions, given through groups (docs/backoffice.md):

- ``voting.view_turnout`` (`Emargement`'s custom permission): live turnout per scrutin and per
  academy — electors on the roll, voters, percentage. The group « Observateurs » holds it, with
  read access to the rolls and candidacies and never the émargement (`OBSERVERS_PERMISSIONS`,
  urne.voting.apps).
- ``voting.view_emargement`` (Django's view permission of `Emargement`): the émargement list
  itself (elector, establishment, academy, time of the vote) and its CSV export.

Where comes from the staff access layer (`urne.backoffice.access`), never from here: a scrutin is
reached with `access_as_staff` (an academy's staff read the national scrutins too), and every
count or row keeps only the electors the staff member may reach (`scoped` for roll entries,
`reachable_through` for émargements). The staff of Dijon thus see, for a national scrutin, the
turnout of Dijon's electors, and the émargement of Dijon's electors only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne.backoffice import access
from urne.campaign.models import Elector, RollEntry, Scrutin, family_name
from urne.voting.models import Emargement
from urne.web.errors import Forbidden
from urne.web.spreadsheet import excel_csv

VIEW_TURNOUT = "voting.view_turnout"
VIEW_EMARGEMENT = "voting.view_emargement"
OBSERVERS_GROUP = "Observateurs"


class TurnoutForbidden(Forbidden):
    message = gettext_lazy(
        "Vous n'avez pas le droit de consulter la participation (permission « voir la "
        "participation »)."
    )


class EmargementForbidden(Forbidden):
    message = gettext_lazy(
        "Vous n'avez pas le droit de consulter la liste d'émargement (permission « voir "
        "émargement »)."
    )


def check_may_view_turnout(user: access.Staff) -> None:
    if not user.has_perm(VIEW_TURNOUT):  # type: ignore[union-attr]
        raise TurnoutForbidden


def check_may_view_emargement(user: access.Staff) -> None:
    if not user.has_perm(VIEW_EMARGEMENT):  # type: ignore[union-attr]
        raise EmargementForbidden


def may_view_emargement(user: access.Staff) -> bool:
    return bool(user.has_perm(VIEW_EMARGEMENT))  # type: ignore[union-attr]


# --- Figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turnout:
    electors: int
    """Electors on the roll (within the staff member's reach)."""
    voters: int

    @property
    def percent(self) -> float | None:
        """Voters per hundred electors; None for an empty roll."""
        return 100 * self.voters / self.electors if self.electors else None


@dataclass(frozen=True)
class ScrutinTurnout:
    scrutin: Scrutin
    turnout: Turnout | None
    """None for staff who may read the émargement but not the figures."""
    sealed: bool
    """Whether its election is sealed (before, nobody can have voted)."""


def _voters_in_reach(user: access.Staff) -> Q:
    """The émargements of the electors `user` may reach (the access layer's rule)."""
    return access.reachable_through(Elector, "elector", user) or Q()


def turnout_scrutins(user: access.Staff) -> QuerySet[Scrutin]:
    """The scrutins whose turnout `user` may read: those of their reach."""
    return access.scoped(
        Scrutin.objects.select_related("campaign", "academy", "election"), user
    ).order_by("-campaign__year", "campaign__name", "academy__name", "name")


def turnout_by_scrutin(user: access.Staff) -> list[ScrutinTurnout]:
    """Live turnout of each scrutin in `user`'s reach, counting only electors in reach."""
    check_may_view_turnout(user)
    scrutins = list(turnout_scrutins(user))
    ids = [scrutin.pk for scrutin in scrutins]
    electors = dict(
        access.scoped(RollEntry.objects.filter(scrutin_id__in=ids), user)
        .values_list("scrutin_id")
        .annotate(count=Count("pk"))
        .values_list("scrutin_id", "count")
    )
    voters = dict(
        Emargement.objects.filter(election__scrutin_id__in=ids)
        .filter(_voters_in_reach(user))
        .values_list("election__scrutin_id")
        .annotate(count=Count("pk"))
        .values_list("election__scrutin_id", "count")
    )
    return [
        ScrutinTurnout(
            scrutin=scrutin,
            turnout=Turnout(electors.get(scrutin.pk, 0), voters.get(scrutin.pk, 0)),
            sealed=_is_sealed(scrutin),
        )
        for scrutin in scrutins
    ]


def participation_index(user: access.Staff) -> list[ScrutinTurnout]:
    """The index of /gestion/participation/: each scrutin in reach, with its turnout for those
    who may read it; the scrutins alone for those who may read only the émargement."""
    if user.has_perm(VIEW_TURNOUT):  # type: ignore[union-attr]
        return turnout_by_scrutin(user)
    if not may_view_emargement(user):
        raise TurnoutForbidden
    return [
        ScrutinTurnout(scrutin=scrutin, turnout=None, sealed=_is_sealed(scrutin))
        for scrutin in turnout_scrutins(user)
    ]


def _is_sealed(scrutin: Scrutin) -> bool:
    election = getattr(scrutin, "election", None)
    return election is not None and election.is_sealed


def access_turnout_scrutin(user: access.Staff, scrutin_id: int) -> Scrutin:
    """The scrutin `scrutin_id` if `user` may read its turnout; 403 without the permission,
    404 outside their reach."""
    check_may_view_turnout(user)
    return access.access_as_staff(user, turnout_scrutins(user), scrutin_id)


def scrutin_turnout(user: access.Staff, scrutin: Scrutin) -> Turnout:
    electors = access.scoped(RollEntry.objects.filter(scrutin=scrutin), user).count()
    voters = (
        Emargement.objects.filter(election__scrutin=scrutin).filter(_voters_in_reach(user)).count()
    )
    return Turnout(electors, voters)


def turnout_by_academy(user: access.Staff, scrutin: Scrutin) -> list[tuple[str, Turnout]]:
    """The scrutin's turnout per academy of its electors (those in `user`'s reach)."""
    electors = dict(
        access.scoped(RollEntry.objects.filter(scrutin=scrutin), user)
        .values_list("elector__academy__name")
        .annotate(count=Count("pk"))
        .values_list("elector__academy__name", "count")
    )
    voters = dict(
        Emargement.objects.filter(election__scrutin=scrutin)
        .filter(_voters_in_reach(user))
        .values_list("elector__academy__name")
        .annotate(count=Count("pk"))
        .values_list("elector__academy__name", "count")
    )
    return [(name, Turnout(electors[name], voters.get(name, 0))) for name in sorted(electors)]


# --- The émargement ------------------------------------------------------------------------------


def access_emargement_scrutin(user: access.Staff, scrutin_id: int) -> Scrutin:
    """The scrutin `scrutin_id` if `user` may read its émargement; 403 without the permission,
    404 outside their reach."""
    check_may_view_emargement(user)
    return access.access_as_staff(user, turnout_scrutins(user), scrutin_id)


def emargement_rows(user: access.Staff, scrutin: Scrutin) -> QuerySet[Emargement]:
    """Who voted in `scrutin`, in the order of the votes (to the second, then by name):
    electors in `user`'s reach only."""
    check_may_view_emargement(user)
    return (
        Emargement.objects.filter(election__scrutin=scrutin)
        .filter(_voters_in_reach(user))
        .select_related("elector", "elector__academy")
        .order_by("voted_at", "elector__last_name_key", "elector__first_name_key", "elector_id")
    )


def local_time(moment: datetime) -> str:
    """The time of a vote, to the second, in the server's time zone (Europe/Paris)."""
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M:%S")


def emargement_header() -> list[str]:
    return [_("Nom"), _("Prénom"), _("Établissement"), _("Académie"), _("A voté le")]


def emargement_line(row: Emargement) -> list[str]:
    elector = row.elector
    return [
        family_name(elector.last_name),
        elector.first_name,
        elector.establishment,
        elector.academy.name,
        local_time(row.voted_at),
    ]


def emargement_csv(rows: Iterable[Emargement]) -> Iterator[str]:
    """The émargement as CSV for French Excel (`urne.web.spreadsheet.excel_csv`)."""
    return excel_csv(emargement_header(), (emargement_line(row) for row in rows))


__all__ = [
    "OBSERVERS_GROUP",
    "VIEW_EMARGEMENT",
    "VIEW_TURNOUT",
    "EmargementForbidden",
    "ScrutinTurnout",
    "Turnout",
    "TurnoutForbidden",
    "access_emargement_scrutin",
    "access_turnout_scrutin",
    "check_may_view_emargement",
    "check_may_view_turnout",
    "emargement_csv",
    "emargement_header",
    "emargement_line",
    "emargement_rows",
    "local_time",
    "may_view_emargement",
    "participation_index",
    "scrutin_turnout",
    "turnout_by_academy",
    "turnout_by_scrutin",
    "turnout_scrutins",
]
