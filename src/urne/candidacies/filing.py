"""Filing, validating and ordering the lists: the verbs the back office's pages call.

A union delegate (a StaffScope row naming their union, permission `FILE`) drafts a list for one
scrutin, names its candidates from the roll, declares a joint list's shares, uploads the
profession de foi, and submits it, until the campaign's candidacies deadline
(`Campaign.candidacies_filing_open`). The organizer (permission `VALIDATE`) validates or rejects
each submitted list, then draws the official order of the validated lists. Electors see only
validated lists (`urne.campaign.services.candidate_lists`), from the candidacies' publication.

Each `do_*` checks who may act, where (`urne.backoffice.access`) and when, writes in one
transaction, and records itself in the audit log. Refusals are `FilingRefused`, in French.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne import clock
from urne.accounts.models import User
from urne.audit import services as audit
from urne.backoffice import access
from urne.campaign import apps as campaign_apps
from urne.campaign.models import Elector, Scrutin, name_key
from urne.candidacies import apps as candidacies_apps
from urne.candidacies.models import Candidate, CandidateList, ListDraw, ListUnion, Union
from urne.candidacies.rules import check_list
from urne.candidacies.validators import validate_pdf
from urne.voting import setup
from urne.web import dates
from urne.web.errors import Forbidden, VisitorError

FILE: Final = "candidacies.file_candidatelist"
VALIDATE: Final = "candidacies.validate_candidatelist"
READ: Final = "candidacies.view_candidatelist"
"""Reading the lists filed (observers, organizers): the review pages without their actions."""
DELEGATES_GROUP = candidacies_apps.DELEGATES_GROUP
ORGANIZERS_GROUP = campaign_apps.ORGANIZERS_GROUP
ROLL_RESULTS: Final = 20

Who = HttpRequest
Staff = AbstractBaseUser | AnonymousUser


class FilingRefused(VisitorError):
    """Something asked of a list that cannot be done; the message says why."""


class NotADelegate(Forbidden):
    message = gettext_lazy(
        "Seuls les délégués d'une organisation syndicale déposent des listes de candidats."
    )


class ListHasFailures(FilingRefused):
    """The list breaks rules: `failures` says each one."""

    def __init__(self, failures: Sequence[str]) -> None:
        self.failures = list(failures)
        super().__init__(
            _("La liste ne respecte pas toutes les règles : %(count)d point(s) à corriger.")
            % {"count": len(self.failures)}
        )


def _user(request: Who) -> Staff:
    return request.user


def _has_perm(user: Staff, permission: str) -> bool:
    return isinstance(user, User) and user.has_perm(permission)


def _account(user: Staff) -> User | None:
    return user if isinstance(user, User) else None


# --- Who files, where, when ----------------------------------------------------------------------


def delegate_unions(user: Staff) -> QuerySet[Union]:
    """The unions `user` files for (their StaffScope rows naming unions), if they may file."""
    reach = access.staff_reach(user)
    if not reach.unions or not _has_perm(user, FILE):
        return Union.objects.none()
    return Union.objects.filter(pk__in=reach.unions).order_by("acronym")


def check_may_file(user: Staff) -> None:
    if not delegate_unions(user).exists():
        raise NotADelegate


def filing_closed_notice(scrutin: Scrutin) -> str:
    return _("Le dépôt des listes est clos depuis le %(date)s : rien n'a été enregistré.") % {
        "date": dates.day_month_year_hour(scrutin.campaign.candidacies_filing_ends_at)
    }


def check_filing_open(scrutin: Scrutin) -> None:
    """The one filing gate: the campaign's deadline, and the scrutin's election not sealed."""
    if not scrutin.campaign.candidacies_filing_open():
        raise FilingRefused(filing_closed_notice(scrutin))
    _check_not_sealed(scrutin)


def _check_not_sealed(scrutin: Scrutin) -> None:
    try:
        setup.check_lists_editable(scrutin)
    except setup.SetupRefused as refused:
        raise FilingRefused(refused.message) from None


def filing_scrutins(user: Staff) -> QuerySet[Scrutin]:
    """The scrutins a delegate may file for: those of their unions' campaigns."""
    campaigns = delegate_unions(user).values("campaign")
    return access.scoped(Scrutin.objects.filter(campaign__in=campaigns), user).select_related(
        "campaign"
    )


def partner_unions(user: Staff, scrutin: Scrutin) -> QuerySet[Union]:
    """The unions a joint list may name: every union of the scrutin's campaign."""
    return access.scoped(Union.objects.filter(campaign=scrutin.campaign_id), user)


def lists_for(user: Staff) -> QuerySet[CandidateList]:
    """The lists `user` reaches, with their scrutin and unions, newest scrutins first."""
    return (
        access.scoped(CandidateList.objects.all(), user)
        .select_related("scrutin", "scrutin__campaign")
        .prefetch_related("unions")
        .order_by("scrutin__name", "title")
    )


def access_list(user: Staff, pk: object, *, for_change: bool = False) -> CandidateList:
    """A list `user` reaches (404 otherwise, as if it did not exist)."""
    queryset = CandidateList.objects.select_related("scrutin", "scrutin__campaign")
    return access.access_as_staff(user, queryset, pk, for_change=for_change)


def access_scrutin(user: Staff, pk: object) -> Scrutin:
    return access.access_as_staff(user, Scrutin.objects.select_related("campaign"), pk)


def list_shares(candidate_list: CandidateList) -> list[ListUnion]:
    return list(
        ListUnion.objects.filter(candidate_list=candidate_list)
        .select_related("union")
        .order_by("union__acronym")
    )


@dataclass(frozen=True)
class Share:
    """A union of a joint list and the share it declares (None: not declared)."""

    union: Union
    share: Decimal | None = None


def _check_editable(request: Who, candidate_list: CandidateList) -> None:
    """A delegate of one of the list's unions changes a draft or rejected list, while filing is
    open."""
    user = _user(request)
    check_may_file(user)
    access.check_staff_may_change(user, candidate_list)
    if not candidate_list.unions.filter(pk__in=delegate_unions(user)).exists():
        raise access.OutOfScope
    check_filing_open(candidate_list.scrutin)
    if not candidate_list.editable_by_union:
        raise FilingRefused(
            _(
                "La liste « %(title)s » est %(status)s : elle ne change plus (l'organisateur "
                "l'examine ou l'a validée)."
            )
            % {"title": candidate_list.title, "status": candidate_list.get_status_display()}
        )


def _locked(candidate_list: CandidateList) -> CandidateList:
    """The list's row, locked until the transaction ends, after its scrutin's: the lists of a
    scrutin are judged together (one list per union, a candidate on one list only), so changes
    to them wait for each other, always in this order. Call inside `transaction.atomic`."""
    Scrutin.objects.select_for_update().filter(pk=candidate_list.scrutin_id).exists()
    return (
        CandidateList.objects.select_for_update()
        .select_related("scrutin", "scrutin__campaign")
        .get(pk=candidate_list.pk)
    )


def _back_to_draft(candidate_list: CandidateList) -> None:
    """A rejected list its union corrects is a draft again (the reason stays shown)."""
    if candidate_list.status == CandidateList.Status.REJECTED:
        candidate_list.status = CandidateList.Status.DRAFT
        candidate_list.save(update_fields=["status"])


# --- The delegate's verbs ------------------------------------------------------------------------


def _check_one_list(scrutin: Scrutin, unions: Sequence[Union], but: CandidateList | None) -> None:
    others = CandidateList.objects.filter(scrutin=scrutin).exclude(
        status=CandidateList.Status.REJECTED
    )
    if but is not None:
        others = others.exclude(pk=but.pk)
    for union in unions:
        if others.filter(unions=union).exists():
            raise FilingRefused(
                _(
                    "L'organisation « %(union)s » a déjà une liste pour le scrutin « %(scrutin)s » "
                    ": une organisation dépose au plus une liste par scrutin."
                )
                % {"union": union.acronym, "scrutin": scrutin.name}
            )


def _check_shares(user: Staff, scrutin: Scrutin, shares: Sequence[Share]) -> None:
    mine = set(delegate_unions(user).values_list("pk", flat=True))
    if not any(share.union.pk in mine for share in shares):
        raise FilingRefused(
            _("Votre organisation syndicale doit figurer parmi celles de la liste.")
        )
    allowed = set(partner_unions(user, scrutin).values_list("pk", flat=True))
    if any(share.union.pk not in allowed for share in shares):
        raise access.OutOfScope
    if len({share.union.pk for share in shares}) != len(shares):
        raise FilingRefused(_("Une organisation ne figure qu'une fois sur une liste."))


def do_create_list(
    request: Who, scrutin: Scrutin, title: str, shares: Sequence[Share]
) -> CandidateList:
    """A new draft list of `shares`' unions (one of them the delegate's) for `scrutin`."""
    user = _user(request)
    check_may_file(user)
    scrutin = access_scrutin(user, scrutin.pk)
    if not filing_scrutins(user).filter(pk=scrutin.pk).exists():
        raise access.OutOfScope
    _check_shares(user, scrutin, shares)
    with transaction.atomic():
        # One list per union and scrutin: filings for one scrutin wait for each other.
        scrutin = Scrutin.objects.select_for_update().select_related("campaign").get(pk=scrutin.pk)
        check_filing_open(scrutin)
        _check_one_list(scrutin, [share.union for share in shares], but=None)
        candidate_list = CandidateList.objects.create(scrutin=scrutin, title=title)
        ListUnion.objects.bulk_create(
            ListUnion(candidate_list=candidate_list, union=share.union, share=share.share)
            for share in shares
        )
        audit.record(
            request,
            "candidacy.create",
            candidate_list,
            scrutin=scrutin.code,
            unions=[share.union.acronym for share in shares],
        )
    return candidate_list


def do_update_list(
    request: Who, candidate_list: CandidateList, title: str, shares: Sequence[Share]
) -> CandidateList:
    """Change a list's title, unions and declared shares."""
    user = _user(request)
    with transaction.atomic():
        candidate_list = _locked(candidate_list)
        _check_editable(request, candidate_list)
        _check_shares(user, candidate_list.scrutin, shares)
        _check_one_list(candidate_list.scrutin, [s.union for s in shares], but=candidate_list)
        candidate_list.title = title
        candidate_list.save(update_fields=["title"])
        ListUnion.objects.filter(candidate_list=candidate_list).delete()
        ListUnion.objects.bulk_create(
            ListUnion(candidate_list=candidate_list, union=share.union, share=share.share)
            for share in shares
        )
        _back_to_draft(candidate_list)
        audit.record(
            request,
            "candidacy.update",
            candidate_list,
            unions=[share.union.acronym for share in shares],
            shares=[str(share.share) if share.share is not None else "" for share in shares],
        )
    return candidate_list


def search_roll(user: Staff, scrutin: Scrutin, query: str) -> list[Elector]:
    """The first electors of the scrutin's roll whose names hold every word of `query`."""
    words = [name_key(word) for word in query.split()[:4]]
    words = [word for word in words if word]
    if not words:
        return []
    electors = access.scoped(Elector.objects.filter(roll_entries__scrutin=scrutin), user)
    for word in words:
        electors = electors.filter(
            Q(last_name_key__contains=word) | Q(first_name_key__contains=word)
        )
    return list(
        electors.only(
            "civilite", "first_name", "last_name", "corps", "grade", "establishment"
        ).order_by("last_name_key", "first_name_key", "id")[:ROLL_RESULTS]
    )


def match_on_roll(
    scrutin: Scrutin, civilite: str, last_name: str, first_name: str
) -> Elector | None:
    """The one elector of the scrutin's roll with these names and civilité (None: nobody, or
    several: the delegate then picks from the roll)."""
    found = list(
        Elector.objects.filter(
            roll_entries__scrutin=scrutin,
            civilite=civilite,
            last_name_key=name_key(last_name),
            first_name_key=name_key(first_name),
        )[:2]
    )
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class CandidateEntry:
    """A candidate as the delegate enters them."""

    civilite: str
    last_name: str
    first_name: str
    corps_grade: str
    affectation: str


def entry_of(elector: Elector) -> CandidateEntry:
    corps_grade = " – ".join(part for part in (elector.corps, elector.grade) if part)
    return CandidateEntry(
        civilite=elector.civilite,
        last_name=elector.last_name,
        first_name=elector.first_name,
        corps_grade=corps_grade[:200],
        affectation=elector.establishment[:200],
    )


def do_add_candidate(
    request: Who,
    candidate_list: CandidateList,
    *,
    elector_id: int | str | None = None,
    entry: CandidateEntry | None = None,
) -> Candidate:
    """Add a candidate at the end of the list: an elector picked from the roll (`elector_id`),
    or an `entry` typed in, matched to the roll by civilité and names (unmatched, it is kept,
    and the rules say so)."""
    user = _user(request)
    with transaction.atomic():
        candidate_list = _locked(candidate_list)
        _check_editable(request, candidate_list)
        scrutin = candidate_list.scrutin
        if elector_id is not None:
            try:
                elector = access.scoped(
                    Elector.objects.filter(roll_entries__scrutin=scrutin), user
                ).get(pk=elector_id)
            except (Elector.DoesNotExist, ValueError, TypeError):
                raise FilingRefused(
                    _("Cet électeur n'est pas inscrit sur la liste électorale de ce scrutin.")
                ) from None
            entry = entry_of(elector)
            matched: Elector | None = elector
        elif entry is not None:
            matched = match_on_roll(scrutin, entry.civilite, entry.last_name, entry.first_name)
        else:
            raise FilingRefused(_("Choisissez un électeur ou saisissez un candidat."))
        last = candidate_list.candidates.aggregate(last=Max("position"))["last"] or 0
        candidate = Candidate.objects.create(
            candidate_list=candidate_list,
            position=last + 1,
            elector=matched,
            civilite=entry.civilite,
            last_name=entry.last_name,
            first_name=entry.first_name,
            corps_grade=entry.corps_grade,
            affectation=entry.affectation,
        )
        _back_to_draft(candidate_list)
        audit.record(
            request,
            "candidacy.candidate_add",
            candidate_list,
            rank=candidate.position,
            on_roll=matched is not None,
        )
    return candidate


def _access_candidate(candidate_list: CandidateList, candidate_id: int | str) -> Candidate:
    try:
        return candidate_list.candidates.get(pk=candidate_id)
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise FilingRefused(_("Ce candidat ne figure pas sur cette liste.")) from None


def do_remove_candidate(
    request: Who, candidate_list: CandidateList, candidate_id: int | str
) -> None:
    """Take a candidate off the list; those after move up a rank."""
    with transaction.atomic():
        candidate_list = _locked(candidate_list)
        _check_editable(request, candidate_list)
        candidate = _access_candidate(candidate_list, candidate_id)
        rank = candidate.position
        candidate.delete()
        for later in candidate_list.candidates.filter(position__gt=rank).order_by("position"):
            later.position -= 1
            later.save(update_fields=["position"])
        _back_to_draft(candidate_list)
        audit.record(request, "candidacy.candidate_remove", candidate_list, rank=rank)


def do_move_candidate(
    request: Who, candidate_list: CandidateList, candidate_id: int | str, up: bool
) -> None:
    """Swap a candidate with the one before (`up`) or after them."""
    with transaction.atomic():
        candidate_list = _locked(candidate_list)
        _check_editable(request, candidate_list)
        candidate = _access_candidate(candidate_list, candidate_id)
        rank = candidate.position
        other = candidate_list.candidates.filter(position=rank - 1 if up else rank + 1).first()
        if other is None:
            return
        # Through a free rank (0), since two candidates never share one.
        candidate.position = 0
        candidate.save(update_fields=["position"])
        other.position, candidate.position = rank, other.position
        other.save(update_fields=["position"])
        candidate.save(update_fields=["position"])
        _back_to_draft(candidate_list)
        audit.record(
            request,
            "candidacy.candidate_move",
            candidate_list,
            rank=rank,
            new_rank=candidate.position,
        )


def do_upload_profession_de_foi(
    request: Who, candidate_list: CandidateList, upload: UploadedFile
) -> None:
    """Store the list's profession de foi, a PDF by its content (`validate_pdf`), replacing the
    one before."""
    if not (upload.name or "").lower().endswith(".pdf"):
        raise FilingRefused(_("La profession de foi doit être un fichier PDF (nom en « .pdf »)."))
    try:
        validate_pdf(upload)
    except ValidationError as invalid:
        raise FilingRefused(" ".join(invalid.messages)) from None
    with transaction.atomic():
        candidate_list = _locked(candidate_list)
        _check_editable(request, candidate_list)
        previous = candidate_list.profession_de_foi.name
        candidate_list.profession_de_foi.save("profession-de-foi.pdf", upload, save=False)
        candidate_list.save(update_fields=["profession_de_foi"])
        _back_to_draft(candidate_list)
        audit.record(
            request,
            "candidacy.profession_de_foi",
            candidate_list,
            size=upload.size,
        )
    if previous and previous != candidate_list.profession_de_foi.name:
        candidate_list.profession_de_foi.storage.delete(previous)


def do_submit_list(request: Who, candidate_list: CandidateList) -> CandidateList:
    """Submit a list that meets every rule (`check_list`); ListHasFailures says what it breaks."""
    with transaction.atomic():
        candidate_list = _locked(candidate_list)
        _check_editable(request, candidate_list)
        failures = check_list(candidate_list)
        if not failures:
            candidate_list.status = CandidateList.Status.SUBMITTED
            candidate_list.submitted_at = clock.now()
            candidate_list.rejection_reason = ""
            candidate_list.decided_at = None
            candidate_list.decided_by = None
            candidate_list.save()
            audit.record(request, "candidacy.submit", candidate_list)
    if failures:
        # Recorded once the lock is released: the refusal is part of the filing's story.
        audit.record(request, "candidacy.submit_refused", candidate_list, failures=len(failures))
        raise ListHasFailures(failures)
    return candidate_list


# --- The organizer's verbs -----------------------------------------------------------------------


def check_may_validate(user: Staff) -> None:
    if not _has_perm(user, VALIDATE):
        from urne.backoffice.pages import NotPermitted

        raise NotPermitted


def review_scrutins(user: Staff) -> QuerySet[Scrutin]:
    """The scrutins an organizer reviews: those they may change, with lists filed."""
    return access.scoped(Scrutin.objects.all(), user, for_change=True).select_related("campaign")


def readable_scrutins(user: Staff) -> QuerySet[Scrutin]:
    """The scrutins whose filed lists `user` sees in the review pages: those they review, or,
    for a reader without the right to validate (an observer), those of their perimeter."""
    if _has_perm(user, VALIDATE):
        return review_scrutins(user)
    return access.scoped(Scrutin.objects.all(), user).select_related("campaign")


def do_decide(
    request: Who, candidate_list: CandidateList, *, validate: bool, reason: str = ""
) -> CandidateList:
    """Validate a submitted list (its rules checked again) or reject it with `reason`."""
    user = _user(request)
    check_may_validate(user)
    reason = reason.strip()
    if not validate and not reason:
        raise FilingRefused(_("Donnez le motif du rejet : le délégué le lira."))
    with transaction.atomic():
        candidate_list = _locked(candidate_list)
        access.check_staff_may_change(user, candidate_list)
        _check_not_sealed(candidate_list.scrutin)
        if candidate_list.status != CandidateList.Status.SUBMITTED:
            raise FilingRefused(
                _("La liste « %(title)s » n'est pas déposée (elle est %(status)s).")
                % {"title": candidate_list.title, "status": candidate_list.get_status_display()}
            )
        if validate:
            failures = check_list(candidate_list)
            if failures:
                raise ListHasFailures(failures)
        candidate_list.status = (
            CandidateList.Status.VALIDATED if validate else CandidateList.Status.REJECTED
        )
        candidate_list.rejection_reason = "" if validate else reason
        candidate_list.decided_at = clock.now()
        candidate_list.decided_by = _account(user)
        # A list validated after a draw has no place yet: the order is drawn again.
        candidate_list.position = None
        candidate_list.save()
        audit.record(
            request,
            "candidacy.validate" if validate else "candidacy.reject",
            candidate_list,
            reason=reason,
        )
    return candidate_list


def do_draw_order(request: Who, scrutin: Scrutin) -> ListDraw:
    """Draw the official order of the scrutin's validated lists (the server's `secrets`), set
    their positions, keep the draw: who, when, which order."""
    user = _user(request)
    check_may_validate(user)
    with transaction.atomic():
        scrutin = Scrutin.objects.select_for_update().select_related("campaign").get(pk=scrutin.pk)
        access.check_staff_may_change(user, scrutin)
        _check_not_sealed(scrutin)
        lists = list(
            CandidateList.objects.filter(
                scrutin=scrutin, status=CandidateList.Status.VALIDATED
            ).order_by("pk")
        )
        if not lists:
            raise FilingRefused(_("Ce scrutin n'a aucune liste validée : rien à tirer au sort."))
        if CandidateList.objects.filter(
            scrutin=scrutin, status=CandidateList.Status.SUBMITTED
        ).exists():
            raise FilingRefused(
                _(
                    "Des listes déposées attendent encore votre décision : validez-les ou "
                    "rejetez-les avant le tirage."
                )
            )
        secrets.SystemRandom().shuffle(lists)
        CandidateList.objects.filter(scrutin=scrutin).update(position=None)
        for position, candidate_list in enumerate(lists, start=1):
            candidate_list.position = position
            candidate_list.save(update_fields=["position"])
        draw = ListDraw.objects.create(
            scrutin=scrutin,
            drawn_at=clock.now(),
            drawn_by=_account(user),
            drawn_by_label=str(user.get_username())[:254],
            order=[{"id": item.pk, "title": item.title} for item in lists],
        )
        audit.record(
            request,
            "candidacy.draw",
            scrutin,
            order=[item.title for item in lists],
        )
    return draw
