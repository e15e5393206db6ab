"""What a staff member may reach: the one access layer of the back office.

Every staff queryset and lookup goes through `scoped` (or `access_as_staff` for one object), and
every staff write through `check_staff_may_change`: the Django admin (through
`urne.backoffice.admin`), and the staff pages to come. Nothing else filters by academy.

Four kinds of staff:
- superusers reach everything;
- campaign-wide staff (a StaffScope row naming a campaign) reach all of that campaign;
- academy staff (rows naming academies) reach their academies' electors, rolls, correction
  requests and lists, and *read* what the campaign shares with every academy (the campaign
  itself, national scrutins and their lists, unions, the FAQ) without changing it;
- union delegates (rows naming unions) reach the lists their union files (joint lists included)
  and their candidates, and *read* what filing needs: their campaign, its scrutins, rolls and
  unions (to name a joint list's partners), and the draws of the lists' order. Nothing else: no
  other union's list, no correction request, no audit entry.
Anyone else, staff or not, reaches nothing: a model without a rule below is for superusers only
(the groups, registered with `urne.backoffice.admin.SuperuserOnlyAdminMixin`). Accounts are
electors' accounts only: no staff or superuser account is ever in another staff member's reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from urne.accounts.models import InvitationCampaign, User
from urne.audit.models import AuditEntry
from urne.backoffice.models import StaffScope
from urne.campaign.models import (
    Academy,
    Campaign,
    Elector,
    ElectorImport,
    ProfileCorrectionRequest,
    RollChange,
    RollEntry,
    Scrutin,
    ScrutinGrade,
)
from urne.candidacies.models import Candidate, CandidateList, ListDraw, ListUnion, Union
from urne.mailings.models import Mailing
from urne.support.models import FaqEntry
from urne.voting.models import ScrutinElection
from urne.web.errors import Forbidden, NotFound

M = TypeVar("M", bound=Model)
Staff = AbstractBaseUser | AnonymousUser


class OutOfScope(Forbidden):
    """A staff member tried to write outside their perimeter."""

    message = _(
        "Cette opération sort de votre périmètre de gestion (campagne, académie ou "
        "organisation syndicale) : rien n'a été enregistré."
    )


@dataclass(frozen=True)
class ScopeRule:
    """Where a model's rows belong, as lookup paths from the model.

    `campaign`: the path to the row's campaign ("pk" for a campaign itself).
    `academy`: the path to its academy, or None for what belongs to the whole campaign.
    `shared`: rows without an academy are read (never changed) by every academy's staff.
    `only`: (field, value) pairs every row must also have to be reached by anyone but a
    superuser, whatever their perimeter (fields of the model itself, not paths).
    `union`: the path to the unions the row is filed by: union delegates read and change the
    rows of their unions.
    `union_reads`: union delegates read (never change) every row of their union's campaign.
    """

    campaign: str
    academy: str | None = None
    shared: bool = False
    only: tuple[tuple[str, Any], ...] = ()
    union: str | None = None
    union_reads: bool = False


RULES: dict[type[Model], ScopeRule] = {
    Campaign: ScopeRule(campaign="pk", shared=True, union_reads=True),
    # Sending the invitations acts on the whole campaign: its staff only.
    InvitationCampaign: ScopeRule(campaign="pk"),
    Academy: ScopeRule(campaign="campaign", academy="pk"),
    # Union delegates read the rolls to find their candidates on them (the pages show names,
    # civilité, corps, grade and affectation only).
    Elector: ScopeRule(campaign="campaign", academy="academy", union_reads=True),
    Scrutin: ScopeRule(campaign="campaign", academy="academy", shared=True, union_reads=True),
    ScrutinGrade: ScopeRule(
        campaign="scrutin__campaign", academy="scrutin__academy", shared=True, union_reads=True
    ),
    RollEntry: ScopeRule(
        campaign="scrutin__campaign", academy="elector__academy", union_reads=True
    ),
    ProfileCorrectionRequest: ScopeRule(campaign="elector__campaign", academy="elector__academy"),
    # The history of the rolls: filed under the elector's academy; an import's row, about the
    # whole campaign, is its staff's.
    RollChange: ScopeRule(campaign="campaign", academy="academy"),
    # An import may touch every academy of the campaign.
    ElectorImport: ScopeRule(campaign="campaign"),
    Union: ScopeRule(campaign="campaign", shared=True, union_reads=True),
    CandidateList: ScopeRule(
        campaign="scrutin__campaign", academy="scrutin__academy", shared=True, union="unions"
    ),
    Candidate: ScopeRule(
        campaign="candidate_list__scrutin__campaign",
        academy="candidate_list__scrutin__academy",
        shared=True,
        union="candidate_list__unions",
    ),
    ListUnion: ScopeRule(
        campaign="candidate_list__scrutin__campaign",
        academy="candidate_list__scrutin__academy",
        shared=True,
        union="candidate_list__unions",
    ),
    ListDraw: ScopeRule(
        campaign="scrutin__campaign", academy="scrutin__academy", shared=True, union_reads=True
    ),
    FaqEntry: ScopeRule(campaign="campaign", shared=True),
    # A scrutin's election belongs where the scrutin does. Ballots and public credentials have
    # no rule on purpose: no staff member lists them (the board shows them to everyone).
    ScrutinElection: ScopeRule(
        campaign="scrutin__campaign", academy="scrutin__academy", shared=True
    ),
    # Electors' accounts only: staff accounts and their scopes are the superusers' business,
    # even when a staff member also has an elector record (their account would be taken over
    # by whoever may change it).
    User: ScopeRule(
        campaign="elector__campaign",
        academy="elector__academy",
        only=(("is_staff", False), ("is_superuser", False)),
    ),
    # The audit log is read, never changed (its admin is read-only): campaign-wide staff read
    # their campaign's entries, academy staff those about their academies; entries about no
    # campaign (logins of staff without one perimeter, rights, groups) are the superusers'.
    AuditEntry: ScopeRule(campaign="campaign", academy="academy"),
    # A mailing is its perimeter's: the campaign's staff reach every mailing of the campaign, an
    # academy's staff those written for their academy (never one for the whole campaign).
    Mailing: ScopeRule(campaign="campaign", academy="academy"),
}


@dataclass(frozen=True)
class StaffReach:
    """The perimeters of one staff member, read once per request."""

    unrestricted: bool = False
    campaigns: frozenset[int] = frozenset()
    academies: frozenset[int] = frozenset()
    # The campaigns of `academies`: what these share with every academy is readable.
    academy_campaigns: frozenset[int] = frozenset()
    unions: frozenset[int] = frozenset()
    # The campaigns of `unions`: what filing needs there is readable.
    union_campaigns: frozenset[int] = frozenset()


NOWHERE = StaffReach()
_CACHE_ATTRIBUTE = "_urne_staff_reach"


def staff_reach(user: Staff) -> StaffReach:
    """The perimeters of `user`: everything for an active superuser, nothing for a visitor, an
    elector or an inactive account, else their StaffScope rows.

    Kept on the user object, which Django loads anew for each request, so a change of scope
    counts from the staff member's next page.
    """
    cached: StaffReach | None = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active or not getattr(user, "is_staff", False):
        reach = NOWHERE
    elif getattr(user, "is_superuser", False):
        reach = StaffReach(unrestricted=True)
    else:
        rows = list(
            StaffScope.objects.filter(user_id=user.pk).values_list(
                "campaign_id",
                "academy_id",
                "academy__campaign_id",
                "union_id",
                "union__campaign_id",
            )
        )
        reach = StaffReach(
            campaigns=frozenset(row[0] for row in rows if row[0] is not None),
            academies=frozenset(row[1] for row in rows if row[1] is not None),
            academy_campaigns=frozenset(row[2] for row in rows if row[2] is not None),
            unions=frozenset(row[3] for row in rows if row[3] is not None),
            union_campaigns=frozenset(row[4] for row in rows if row[4] is not None),
        )
    setattr(user, _CACHE_ATTRIBUTE, reach)
    return reach


def rule_for(model: type[Model]) -> ScopeRule | None:
    return RULES.get(model)


def _visible(
    model: type[Model], rule: ScopeRule, reach: StaffReach, for_change: bool, through: str = ""
) -> Q:
    def path(name: str) -> str:
        return f"{through}__{name}" if through else name

    condition = Q(**{f"{path(rule.campaign)}__in": reach.campaigns})
    if rule.academy is not None:
        condition |= Q(**{f"{path(rule.academy)}__in": reach.academies})
    if rule.shared and not for_change:
        shared = Q(**{f"{path(rule.campaign)}__in": reach.academy_campaigns})
        if rule.academy is not None:
            shared &= Q(**{f"{path(rule.academy)}__isnull": True})
        condition |= shared
    if rule.union is not None and reach.unions:
        # Through a subquery: a joint list of two of the delegate's unions is one row, not two.
        filed = model._default_manager.filter(**{f"{rule.union}__in": reach.unions})
        condition |= Q(**{f"{path('pk')}__in": filed.values("pk")})
    if rule.union_reads and not for_change and reach.union_campaigns:
        condition |= Q(**{f"{path(rule.campaign)}__in": reach.union_campaigns})
    if rule.only:
        condition &= Q(**{path(name): value for name, value in rule.only})
    return condition


def scoped(queryset: QuerySet[M], user: Staff, *, for_change: bool = False) -> QuerySet[M]:
    """The rows of `queryset` that `user` may read (or, with `for_change`, change or delete)."""
    reach = staff_reach(user)
    if reach.unrestricted:
        return queryset
    rule = rule_for(queryset.model)
    if rule is None or reach == NOWHERE:
        return queryset.none()
    return queryset.filter(_visible(queryset.model, rule, reach, for_change))


def reachable_through(model: type[Model], through: str, user: Staff) -> Q | None:
    """The condition on the relation `through` (e.g. "roll" from a scrutin) that keeps only the
    `model` rows `user` may read, for counts and annotations; None when nothing is cut.

    A national scrutin counts, for the staff of Dijon, Dijon's electors on its roll: the number
    their list shows when they follow it."""
    reach = staff_reach(user)
    if reach.unrestricted:
        return None
    rule = rule_for(model)
    if rule is None or reach == NOWHERE:
        return Q(pk__in=[])
    return _visible(model, rule, reach, for_change=False, through=through)


def access_as_staff(user: Staff, queryset: QuerySet[M], pk: Any, *, for_change: bool = False) -> M:
    """The row `pk` of `queryset` if `user` may reach it; a 404 otherwise, as if it did not
    exist (a 403 would tell an academy's staff what another academy holds)."""
    try:
        return scoped(queryset, user, for_change=for_change).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound(
            _("Cet élément n'existe pas ou sort de votre périmètre de gestion.")
        ) from None


def _target_id(obj: Model, path: str) -> Any:
    """The id at the end of `path`, followed through the object's attributes (so that a row not
    saved yet, or just edited in a form, is judged on what it would store)."""
    if path == "pk":
        return obj.pk
    target: Any = obj
    for part in path.split("__"):
        # A relation not set yet raises RelatedObjectDoesNotExist, an AttributeError.
        target = getattr(target, part, None)
        if target is None:
            return None
    return target.pk


def _union_ids(obj: Model, path: str) -> set[Any]:
    """The unions at the end of `path` ("candidate_list__unions"), the last part a relation to
    many: none for a row not saved yet (the filing names its union itself)."""
    *parts, last = path.split("__")
    target: Any = obj
    for part in parts:
        target = getattr(target, part, None)
        if target is None:
            return set()
    if target.pk is None:
        return set()
    return set(getattr(target, last).values_list("pk", flat=True))


def may_change(user: Staff, obj: Model) -> bool:
    """May `user` write `obj` as it stands in memory (created, edited, or to be deleted)?"""
    reach = staff_reach(user)
    if reach.unrestricted:
        return True
    rule = rule_for(type(obj))
    if rule is None:
        return False
    if any(getattr(obj, name, None) != value for name, value in rule.only):
        return False
    if _target_id(obj, rule.campaign) in reach.campaigns:
        return True
    if rule.union is not None and reach.unions and _union_ids(obj, rule.union) & reach.unions:
        return True
    return rule.academy is not None and _target_id(obj, rule.academy) in reach.academies


def check_staff_may_change(user: Staff, obj: Model) -> None:
    """Raise OutOfScope unless `user` may write `obj`: both what it would become (in memory) and,
    for a stored row, what it is now (so nobody moves a row in from elsewhere)."""
    if not may_change(user, obj):
        raise OutOfScope
    if obj.pk is not None and not staff_reach(user).unrestricted:
        stored = type(obj)._default_manager.filter(pk=obj.pk)
        if stored.exists() and not scoped(stored, user, for_change=True).exists():
            raise OutOfScope


def check_staff_may_change_all(user: Staff, queryset: QuerySet[M]) -> None:
    """Raise OutOfScope unless `user` may change every row of `queryset` (bulk actions)."""
    if staff_reach(user).unrestricted:
        return
    if queryset.exclude(pk__in=scoped(queryset, user, for_change=True).values("pk")).exists():
        raise OutOfScope
