"""Setting up a campaign, in the back office: its calendar, academies, scrutins, and who is on
which scrutin's roll. The verbs the setup pages call (and a command or a test would).

Who: organizers, i.e. staff holding the page's permission *and* a campaign-wide perimeter —
the campaign is reached for change through the access layer (`access_campaign_for_setup`), so
an academy's staff, whatever their permissions, never set up the campaign.

When: until the vote opens (`check_campaign_editable`); after, the calendar, academies and
scrutins are part of what the vote is judged against, and the rolls are sealed
(`urne.campaign.services.check_roll_editable`). A scrutin whose election is sealed changes no
more either (`urne.voting.setup.check_setup_editable`).

What is valid is the model's rule, never the page's: the calendar's order (CALENDAR_ORDER, its
messages on the later date), a scrutin's level and academy (`Scrutin.clean`), its seats.

Each change is written to the audit log, with what changed.

Membership rules: "add to scrutin X every elector of corps Y (in academy Z)" is
`do_apply_roll_rule`; `preview_roll_rule` tells its effect first. Applying it twice adds nothing
the second time. The other way in is the electors import (`urne.campaign.imports`), whose file
names each elector's scrutins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from urne.audit import services as audit
from urne.backoffice import access
from urne.campaign import roll_history
from urne.campaign.models import (
    Academy,
    Campaign,
    Elector,
    RollChange,
    RollEntry,
    Scrutin,
    ScrutinGrade,
)
from urne.campaign.services import check_roll_editable
from urne.web import dates
from urne.web.errors import NotFound, VisitorError

CALENDAR_FIELDS: Final = (
    "accounts_open_at",
    "rolls_published_at",
    "candidacies_published_at",
    "identifiers_available_at",
    "corrections_deadline",
    "vote_opens_at",
    "vote_closes_at",
)

INSERT_BATCH: Final = 2000


class SetupLocked(VisitorError):
    """The vote has opened: the campaign's setup no longer changes."""

    status = 403

    def __init__(self, campaign: Campaign) -> None:
        super().__init__(
            _(
                "Le vote a ouvert le %(date)s : le paramétrage de la campagne (calendrier, "
                "académies, scrutins, inscriptions) ne peut plus être modifié."
            )
            % {"date": dates.day_month_year_hour(campaign.vote_opens_at)}
        )


class RuleRefused(VisitorError):
    """A membership rule that cannot be applied; the message says why, and nothing changed."""


def check_campaign_editable(campaign: Campaign) -> None:
    """Raise SetupLocked once the campaign's vote has opened (for good)."""
    if not campaign.rolls_editable():
        raise SetupLocked(campaign)


def setup_campaigns(user: access.Staff) -> QuerySet[Campaign]:
    """The campaigns `user` may set up: those their perimeter lets them change."""
    return access.scoped(Campaign.objects.all(), user, for_change=True).order_by("-year", "name")


def access_campaign_for_setup(user: access.Staff, campaign_id: Any) -> Campaign:
    """The campaign `campaign_id` if `user` may set it up; a 404 otherwise."""
    return access.access_as_staff(user, Campaign.objects.all(), campaign_id, for_change=True)


def access_academy_for_setup(user: access.Staff, campaign: Campaign, academy_id: Any) -> Academy:
    return access.access_as_staff(
        user, Academy.objects.filter(campaign=campaign), academy_id, for_change=True
    )


def access_scrutin_for_setup(user: access.Staff, campaign: Campaign, scrutin_id: Any) -> Scrutin:
    return access.access_as_staff(
        user,
        Scrutin.objects.filter(campaign=campaign).select_related("academy", "campaign"),
        scrutin_id,
        for_change=True,
    )


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Model):
        return str(value)
    return "" if value is None else str(value)


def _check_scrutin_unsealed(scrutin: Scrutin) -> None:
    from urne.voting.models import ScrutinElection
    from urne.voting.setup import check_setup_editable

    election = ScrutinElection.objects.filter(scrutin=scrutin).select_related("scrutin").first()
    if election is not None:
        check_setup_editable(election)


def check_setup_change(user: access.Staff, obj: Campaign | Academy | Scrutin) -> None:
    """May `user` save `obj` as it stands in memory (new or changed)? Raises SetupLocked after
    the vote's opening (judged on the stored calendar: moving the dates does not reopen it),
    OutOfScope outside their perimeter, SetupRefused for a sealed scrutin."""
    campaign = obj if isinstance(obj, Campaign) else obj.campaign
    stored = Campaign.objects.filter(pk=campaign.pk).first() if campaign.pk else None
    check_campaign_editable(stored or campaign)
    access.check_staff_may_change(user, obj)
    if isinstance(obj, Scrutin) and obj.pk is not None:
        _check_scrutin_unsealed(obj)


def do_save_setup(
    user: access.Staff,
    obj: Campaign | Academy | Scrutin,
    changed: Iterable[str],
    *,
    action: str,
) -> None:
    """Save `obj`, already validated (its form ran the model's rules), after
    `check_setup_change`, and write the audit entry `action` naming each changed field with
    its value before and after."""
    changed = list(changed)
    with transaction.atomic():
        check_setup_change(user, obj)
        before = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
        obj.save()
        audit.record(
            user,
            action,
            obj,
            # A list of [field, before, after]: names of fields are not keys of the details.
            changes=[
                [name, _shown(getattr(before, name, None)), _shown(getattr(obj, name))]
                for name in changed
            ],
        )


# --- Seats per grade ----------------------------------------------------------------------------


def roll_grades(scrutin: Scrutin) -> list[str]:
    """The grades of the scrutin's roll, as the roll writes them (what seats can be set for)."""
    return sorted(
        {
            grade
            for grade in RollEntry.objects.filter(scrutin=scrutin)
            .values_list("elector__grade", flat=True)
            .distinct()
            if grade
        },
        key=str.casefold,
    )


def do_set_grade_seats(
    user: access.Staff, scrutin: Scrutin, grade: str, seats: int, substitute_seats: int
) -> ScrutinGrade:
    """Set the seats of `grade` in `scrutin` (a CAP's lists are then counted grade by grade:
    urne.candidacies.rules), after the same checks as a change of the scrutin; audited."""
    with transaction.atomic():
        check_setup_change(user, scrutin)
        row, created = ScrutinGrade.objects.update_or_create(
            scrutin=scrutin,
            grade=grade,
            defaults={"seats": seats, "substitute_seats": substitute_seats},
        )
        audit.record(
            user,
            "scrutin.grade_seats",
            scrutin,
            grade=grade,
            seats=seats,
            substitute_seats=substitute_seats,
            created=created,
        )
    return row


def do_remove_grade_seats(user: access.Staff, scrutin: Scrutin, grade_id: Any) -> None:
    """Remove one grade's seats from `scrutin` (another scrutin's row is not found); audited."""
    with transaction.atomic():
        check_setup_change(user, scrutin)
        row = ScrutinGrade.objects.filter(scrutin=scrutin, pk=grade_id).first()
        if row is None:
            raise NotFound(_("Ce grade n'a pas de sièges dans ce scrutin."))
        row.delete()
        audit.record(user, "scrutin.grade_seats_remove", scrutin, grade=row.grade)


# --- Membership rules ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RollRule:
    """ "Add to `scrutin`'s roll every elector of `corps` (in `academy`, or in every academy)."
    For an academic or departmental scrutin, only its academy's electors are ever added."""

    scrutin: Scrutin
    corps: str
    academy: Academy | None = None

    def describe(self) -> str:
        where = self.academy or self.scrutin.academy
        if where is not None:
            return _(
                "Inscrire sur la liste « %(scrutin)s » chaque électeur du corps « %(corps)s » "
                "de l'académie de %(academy)s."
            ) % {"scrutin": self.scrutin.name, "corps": self.corps, "academy": where.name}
        return _(
            "Inscrire sur la liste « %(scrutin)s » chaque électeur du corps « %(corps)s », "
            "toutes académies."
        ) % {"scrutin": self.scrutin.name, "corps": self.corps}


@dataclass(frozen=True)
class RuleEffect:
    """What a rule does: electors it matches, those already on the roll, those it adds."""

    matching: int
    already: int

    @property
    def to_add(self) -> int:
        return self.matching - self.already


def rule_electors(rule: RollRule) -> QuerySet[Elector]:
    """The electors the rule matches (on the roll already or not)."""
    scrutin = rule.scrutin
    electors = Elector.objects.filter(campaign_id=scrutin.campaign_id, corps=rule.corps)
    for academy in (rule.academy, scrutin.academy):
        if academy is not None:
            electors = electors.filter(academy=academy)
    return electors


def corps_choices(campaign: Campaign) -> list[str]:
    """The corps of the campaign's electors, as written in their records, sorted."""
    names = (
        Elector.objects.filter(campaign=campaign)
        .order_by("corps")
        .values_list("corps", flat=True)
        .distinct()
    )
    return [name for name in names if name]


def preview_roll_rule(rule: RollRule) -> RuleEffect:
    electors = rule_electors(rule)
    already = electors.filter(roll_entries__scrutin=rule.scrutin).count()
    return RuleEffect(matching=electors.count(), already=already)


def check_roll_rule(user: access.Staff, rule: RollRule) -> RuleEffect:
    """May `user` apply `rule` now, and does it match anyone? Its effect if so; raises
    RollsFrozen after the vote's opening, SetupRefused for a sealed scrutin, OutOfScope out of
    their perimeter, RuleRefused for an academy that does not fit or a rule matching nobody."""
    scrutin = rule.scrutin
    check_roll_editable(scrutin.campaign)
    access.check_staff_may_change(user, scrutin)
    _check_scrutin_unsealed(scrutin)
    if rule.academy is not None:
        if rule.academy.campaign_id != scrutin.campaign_id:
            raise RuleRefused(_("Cette académie n'appartient pas à la campagne du scrutin."))
        if scrutin.academy_id is not None and rule.academy.pk != scrutin.academy_id:
            raise RuleRefused(
                _(
                    "Le scrutin « %(scrutin)s » ne concerne que l'académie de %(academy)s : "
                    "une règle ne peut y inscrire les électeurs d'une autre académie."
                )
                % {"scrutin": scrutin.name, "academy": scrutin.academy}
            )
    effect = preview_roll_rule(rule)
    if effect.matching == 0:
        raise RuleRefused(
            _("Aucun électeur ne correspond à cette règle : rien n'a été ajouté. (%(rule)s)")
            % {"rule": rule.describe()}
        )
    return effect


def do_apply_roll_rule(user: access.Staff, rule: RollRule, reason: str = "") -> RuleEffect:
    """Apply `rule`: every matching elector not yet on the roll gets an entry (idempotent: a
    second run adds nothing). Checked by `check_roll_rule`; audited; once the rolls are
    published, each addition goes to the rolls' history with the rule as its reason. Returns
    the effect as it was before: `to_add` entries were added."""
    scrutin = rule.scrutin
    with transaction.atomic():
        # The scrutin's row, locked: two organizers applying rules at once add each entry once.
        Scrutin.objects.select_for_update().filter(pk=scrutin.pk).first()
        effect = check_roll_rule(user, rule)
        new = (
            access.scoped(rule_electors(rule), user, for_change=True)
            .exclude(roll_entries__scrutin=scrutin)
            .select_related("academy")
            .order_by("pk")
        )
        added: list[Elector] = []
        batch: list[RollEntry] = []
        for elector in new.iterator(chunk_size=INSERT_BATCH):
            added.append(elector)
            batch.append(RollEntry(scrutin=scrutin, elector=elector))
            if len(batch) >= INSERT_BATCH:
                RollEntry.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        RollEntry.objects.bulk_create(batch, ignore_conflicts=True)
        roll_history.do_record_roll_additions(
            user,
            scrutin,
            added,
            source=RollChange.Source.BACK_OFFICE,
            reason=reason.strip() or rule.describe(),
        )
        audit.record(
            user,
            "roll.rule_apply",
            scrutin,
            corps=rule.corps,
            rule_academy=rule.academy.name if rule.academy is not None else "",
            matching=effect.matching,
            added=len(added),
        )
    return RuleEffect(matching=effect.matching, already=effect.matching - len(added))
