"""Answering electors' profile correction requests: the staff's verbs.

An elector asks from their espace (`urne.campaign.services.do_request_correction`, until the
corrections deadline); the request waits in the queue of their academy. Staff whose perimeter
covers the elector (`urne.backoffice.access`) answer it, until the rolls are sealed at the
opening of the vote (`check_roll_editable`):

- **accept**: the elector's record takes the corrected value — as asked, or as staff corrected
  it — in the same transaction as the answer; an address changes the account's login address
  too (refused if another account or elector already has it); a change of academy takes the
  elector off the rolls of their former academy's scrutins; a correction of the scrutins makes
  the elector's roll exactly the scrutins named. Nothing else decides who votes where: the
  scrutins carry no rule by corps or grade (an import or staff name them), so a new corps or
  grade leaves the roll entries as they are;
- **refuse**, with a reason the elector reads.

Either way the elector is told by email once the answer is saved, and reads the outcome on their
profile. Each answer is written to the audit log (`correction.accept` / `correction.refuse`) and,
once the rolls are published, each change it makes to the history of the rolls
(`urne.campaign.roll_history`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne import clock
from urne.accounts import tasks as account_tasks
from urne.accounts.models import User
from urne.audit import services as audit
from urne.backoffice import access
from urne.campaign import roll_history
from urne.campaign.models import (
    Academy,
    Civilite,
    Elector,
    ProfileCorrectionRequest,
    RollChange,
    RollEntry,
    Scrutin,
    name_key,
    normalize_email,
)
from urne.campaign.services import check_roll_editable
from urne.web.errors import Forbidden, VisitorError

Staff = AbstractBaseUser | AnonymousUser
Field = ProfileCorrectionRequest.Field

TEXT_FIELDS: dict[str, str] = {
    Field.FIRST_NAME: "first_name",
    Field.LAST_NAME: "last_name",
    Field.CORPS: "corps",
    Field.GRADE: "grade",
    Field.ESTABLISHMENT: "establishment",
}
CIVILITES = {
    "m": Civilite.M,
    "m.": Civilite.M,
    "monsieur": Civilite.M,
    "mme": Civilite.MME,
    "mme.": Civilite.MME,
    "madame": Civilite.MME,
}
SCRUTIN_SEPARATORS = re.compile(r"[,;\n|]+")


ANSWER_PERMISSION = "campaign.change_profilecorrectionrequest"


class CorrectionNotAnswerable(VisitorError):
    """The answer cannot be saved as given; `message` says why, in French. Nothing changed."""


class AnsweringNotPermitted(Forbidden):
    """The staff member's role does not include answering requests (a helpdesk agent who only
    reads them, an observer)."""

    message = gettext_lazy(
        "Votre rôle ne permet pas de répondre aux demandes de mise à jour du profil "
        "(permission « modifier demande de mise à jour du profil »)."
    )


@dataclass
class Correction:
    """What accepting a request would write: the elector's new values, and for the roll the
    scrutins joined and left. Built by `check_accept_correction`, written by
    `do_accept_correction`."""

    request: ProfileCorrectionRequest
    elector: Elector
    changes: dict[str, Any] = field(default_factory=dict)
    shown: str = ""
    added: list[Scrutin] = field(default_factory=list)
    removed: list[Scrutin] = field(default_factory=list)
    account: User | None = None


def _max_length(model: type[Model], name: str) -> int:
    found = model._meta.get_field(name)
    return int(getattr(found, "max_length", None) or 0)


def current_value(request: ProfileCorrectionRequest) -> str:
    """What the elector's record says now of the information the request is about."""
    elector = request.elector
    if request.field == Field.ACADEMY:
        return elector.academy.name
    if request.field == Field.CIVILITE:
        return elector.get_civilite_display()
    if request.field == Field.SCRUTINS:
        return ", ".join(
            Scrutin.objects.filter(roll__elector=elector)
            .order_by("code")
            .values_list("code", flat=True)
        )
    value: str = getattr(elector, request.field)
    return value


def check_may_answer(staff: Staff, request: ProfileCorrectionRequest) -> None:
    """Raise unless `staff` may answer `request` now: their role includes answering
    (AnsweringNotPermitted, a 403), it is in their perimeter (OutOfScope, a 403, otherwise),
    still waiting, and the rolls are not sealed (RollsFrozen)."""
    if not staff.has_perm(ANSWER_PERMISSION):  # type: ignore[union-attr]
        raise AnsweringNotPermitted
    access.check_staff_may_change(staff, request)
    if not request.is_open:
        raise CorrectionNotAnswerable(
            _("Cette demande a déjà reçu une réponse : elle ne peut plus changer.")
        )
    check_roll_editable(request.elector.campaign)


def check_accept_correction(
    staff: Staff, request: ProfileCorrectionRequest, value: str | None = None
) -> Correction:
    """What accepting `request` with `value` (by default, what the elector asked) would write,
    after checking it all: the staff member's perimeter, the request still open, the rolls not
    sealed, the value valid for its field. Raises CorrectionNotAnswerable (or OutOfScope,
    RollsFrozen) with the reason; writes nothing."""
    check_may_answer(staff, request)
    elector = request.elector
    text = " ".join((request.correction if value is None else value).split())
    correction = Correction(request=request, elector=elector, shown=text)
    if request.field in TEXT_FIELDS:
        name = TEXT_FIELDS[request.field]
        limit = _max_length(Elector, name)
        if not text and name != "grade":
            raise CorrectionNotAnswerable(_("L'information corrigée ne peut pas être vide."))
        if len(text) > limit:
            raise CorrectionNotAnswerable(
                _("L'information corrigée dépasse %(limit)d caractères.") % {"limit": limit}
            )
        correction.changes[name] = text
    elif request.field == Field.CIVILITE:
        civilite = CIVILITES.get(text.lower())
        if civilite is None:
            raise CorrectionNotAnswerable(
                _("Civilité attendue : « M. » ou « Mme » (reçu : « %(value)s »).") % {"value": text}
            )
        correction.changes["civilite"] = civilite
        correction.shown = str(civilite.label)
    elif request.field == Field.EMAIL:
        _check_email(correction, normalize_email(text))
    elif request.field == Field.ACADEMY:
        _check_academy(staff, correction, text)
    elif request.field == Field.SCRUTINS:
        _check_scrutins(correction, text)
    else:  # a field added to the form without a rule here
        raise CorrectionNotAnswerable(_("Cette information ne peut pas être corrigée ici."))
    return correction


def _check_email(correction: Correction, address: str) -> None:
    elector = correction.elector
    try:
        validate_email(address)
    except ValidationError:
        raise CorrectionNotAnswerable(
            _("« %(value)s » n'est pas une adresse de messagerie valide.") % {"value": address}
        ) from None
    account = User.objects.filter(elector=elector).first()
    taken_by_elector = (
        Elector.objects.filter(campaign_id=elector.campaign_id, email=address)
        .exclude(pk=elector.pk)
        .exists()
    )
    taken_by_account = User.objects.filter(email=address)
    if account is not None:
        taken_by_account = taken_by_account.exclude(pk=account.pk)
    if taken_by_elector or taken_by_account.exists():
        raise CorrectionNotAnswerable(
            _(
                "L'adresse « %(value)s » est déjà celle d'un autre électeur ou d'un autre compte : "
                "la demande ne peut pas être acceptée telle quelle (rien n'a été modifié)."
            )
            % {"value": address}
        )
    correction.changes["email"] = address
    correction.shown = address
    correction.account = account


def _check_academy(staff: Staff, correction: Correction, text: str) -> None:
    elector = correction.elector
    key = name_key(text)
    academy = next(
        (
            academy
            for academy in Academy.objects.filter(campaign_id=elector.campaign_id)
            if key in (name_key(academy.code), name_key(academy.name))
        ),
        None,
    )
    if academy is None:
        known = ", ".join(
            Academy.objects.filter(campaign_id=elector.campaign_id)
            .order_by("name")
            .values_list("name", flat=True)
        )
        raise CorrectionNotAnswerable(
            _("Académie inconnue : « %(value)s ». Académies de la campagne : %(known)s.")
            % {"value": text, "known": known}
        )
    moved = Elector(pk=elector.pk, campaign_id=elector.campaign_id, academy=academy)
    if not access.may_change(staff, moved):
        raise CorrectionNotAnswerable(
            _(
                "Ce changement d'académie ferait sortir l'électeur de votre périmètre de "
                "gestion : il revient à l'organisation de la campagne de l'accepter."
            )
        )
    correction.changes["academy"] = academy
    correction.shown = academy.name
    # The only rule that ties a scrutin to electors: an academic or departmental scrutin is one
    # academy's. The elector leaves those of any other academy.
    correction.removed = list(
        Scrutin.objects.filter(roll__elector=elector)
        .exclude(Q(academy__isnull=True) | Q(academy=academy))
        .order_by("name")
    )


def _check_scrutins(correction: Correction, text: str) -> None:
    elector = correction.elector
    wanted: dict[int, Scrutin] = {}
    unknown = []
    scrutins = list(Scrutin.objects.filter(campaign_id=elector.campaign_id))
    for word in SCRUTIN_SEPARATORS.split(text):
        key = name_key(word)
        if not key:
            continue
        found = next((s for s in scrutins if key in (name_key(s.code), name_key(s.name))), None)
        if found is None:
            unknown.append(word.strip())
        else:
            wanted[found.pk] = found
    if unknown:
        raise CorrectionNotAnswerable(
            _(
                "Scrutin(s) inconnu(s) : %(unknown)s. Indiquez les codes des scrutins, séparés "
                "par des virgules."
            )
            % {"unknown": ", ".join(f"« {word} »" for word in unknown)}
        )
    elsewhere = [s for s in wanted.values() if s.academy_id not in (None, elector.academy_id)]
    if elsewhere:
        raise CorrectionNotAnswerable(
            _("Le scrutin « %(name)s » est celui d'une autre académie que celle de l'électeur.")
            % {"name": elsewhere[0].name}
        )
    current = {s.pk: s for s in Scrutin.objects.filter(roll__elector=elector)}
    correction.added = sorted((s for pk, s in wanted.items() if pk not in current), key=str)
    correction.removed = sorted((s for pk, s in current.items() if pk not in wanted), key=str)
    correction.shown = ", ".join(sorted(s.code for s in wanted.values()))


def _lock(request_id: int) -> ProfileCorrectionRequest:
    """The request and its elector, locked until the transaction ends."""
    return (
        ProfileCorrectionRequest.objects.select_for_update()
        .select_related("elector__campaign", "elector__academy")
        .get(pk=request_id)
    )


def do_accept_correction(
    staff: Staff,
    request: ProfileCorrectionRequest,
    value: str | None = None,
    answer: str = "",
) -> ProfileCorrectionRequest:
    """Accept `request`, writing `value` (default: what the elector asked) to the elector's
    record, their account's address and their roll, all in one transaction, after
    `check_accept_correction` (its errors; nothing written then). The elector is emailed once it
    commits."""
    try:
        return _accept(staff, request, value, answer)
    except IntegrityError:
        # Another elector or account took the address between the check and the write.
        raise CorrectionNotAnswerable(
            _(
                "L'adresse demandée vient d'être prise par un autre électeur ou un autre "
                "compte : rien n'a été modifié."
            )
        ) from None


def _accept(
    staff: Staff, request: ProfileCorrectionRequest, value: str | None, answer: str
) -> ProfileCorrectionRequest:
    with transaction.atomic():
        locked = _lock(request.pk)
        correction = check_accept_correction(staff, locked, value)
        elector = correction.elector
        before = roll_history.snapshot(elector)
        for name, new in correction.changes.items():
            setattr(elector, name, new)
        access.check_staff_may_change(staff, elector)
        elector.save()
        if correction.account is not None:
            correction.account.email = elector.email
            correction.account.save(update_fields=["email"])
        RollEntry.objects.filter(elector=elector, scrutin__in=correction.removed).delete()
        RollEntry.objects.bulk_create(
            [RollEntry(elector=elector, scrutin=scrutin) for scrutin in correction.added]
        )
        locked.status = ProfileCorrectionRequest.Status.ACCEPTED
        locked.answered_at = clock.now()
        locked.answered_by = staff if isinstance(staff, User) else None
        locked.staff_answer = answer.strip()
        locked.applied_value = correction.shown[:500]
        locked.save()
        reason = _("Demande de mise à jour n° %(number)d acceptée") % {"number": locked.pk}
        if locked.staff_answer:
            reason = f"{reason} : {locked.staff_answer}"
        source = RollChange.Source.CORRECTION
        roll_history.do_record_elector_change(
            staff, elector, before, source=source, reason=reason, correction=locked
        )
        roll_history.do_record_roll_entries(
            staff,
            elector,
            added=correction.added,
            removed=correction.removed,
            source=source,
            reason=reason,
            correction=locked,
        )
        audit.record(
            staff,
            "correction.accept",
            locked,
            field=locked.field,
            answered=bool(locked.staff_answer),
            edited=value is not None and correction.shown != " ".join(locked.correction.split()),
            roll_added=len(correction.added),
            roll_removed=len(correction.removed),
        )
        transaction.on_commit(partial(account_tasks.send_correction_answer.delay, locked.pk))
    return locked


def check_refuse_correction(staff: Staff, request: ProfileCorrectionRequest, reason: str) -> str:
    """The reason, cleaned, if `staff` may refuse `request` with it; raises otherwise."""
    check_may_answer(staff, request)
    reason = reason.strip()
    if not reason:
        raise CorrectionNotAnswerable(
            _("Un refus doit être motivé : écrivez la raison, que l'électeur lira.")
        )
    limit = _max_length(ProfileCorrectionRequest, "staff_answer")
    if len(reason) > limit:
        raise CorrectionNotAnswerable(
            _("La réponse dépasse %(limit)d caractères.") % {"limit": limit}
        )
    return reason


def do_refuse_correction(
    staff: Staff, request: ProfileCorrectionRequest, reason: str
) -> ProfileCorrectionRequest:
    """Refuse `request` with `reason` (required: the elector reads it); nothing else changes.
    The elector is emailed once it commits."""
    with transaction.atomic():
        locked = _lock(request.pk)
        locked.staff_answer = check_refuse_correction(staff, locked, reason)
        locked.status = ProfileCorrectionRequest.Status.REFUSED
        locked.answered_at = clock.now()
        locked.answered_by = staff if isinstance(staff, User) else None
        locked.save()
        audit.record(staff, "correction.refuse", locked, field=locked.field, answered=True)
        transaction.on_commit(partial(account_tasks.send_correction_answer.delay, locked.pk))
    return locked


@dataclass
class AnswerReport:
    """What a batch of answers did: how many were answered, and why the others were not."""

    answered: int = 0
    problems: list[tuple[ProfileCorrectionRequest, str]] = field(default_factory=list)


def do_answer_corrections(
    requests: QuerySet[ProfileCorrectionRequest],
    status: str,
    staff: Staff,
    answer: str = "",
) -> AnswerReport:
    """Accept (each as asked) or refuse (all with `answer`) the still-open requests among
    `requests`, each on its own: one that cannot be answered (an address already taken, the
    rolls sealed) is reported and leaves the others be. Answered requests are skipped."""
    if status not in (
        ProfileCorrectionRequest.Status.ACCEPTED,
        ProfileCorrectionRequest.Status.REFUSED,
    ):
        raise ValueError(f"not an answer: {status!r}")
    report = AnswerReport()
    still_open = requests.filter(status=ProfileCorrectionRequest.Status.SUBMITTED).order_by("pk")
    for request in still_open.select_related("elector__campaign"):
        try:
            if status == ProfileCorrectionRequest.Status.ACCEPTED:
                do_accept_correction(staff, request, answer=answer)
            else:
                do_refuse_correction(staff, request, answer)
        except VisitorError as refused:  # the value, the perimeter, the rolls sealed...
            report.problems.append((request, str(refused.message)))
        else:
            report.answered += 1
    return report
