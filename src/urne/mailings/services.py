"""The staff verbs of mailings: who may, where, and what each action does (audited).

What: the permission `mailings.send_mailing` (the group « Envois aux électeurs », made after each
migrate by `urne.mailings.apps`). Where: the staff access layer, `urne.backoffice.access`, as
everywhere: a mailing for a whole campaign needs a campaign-wide perimeter, one for an academy
needs that academy (or its campaign); its scrutin must be one the staff member reaches, of that
campaign and, for an academy's mailing, national or the academy's own. A mailing outside the
perimeter is answered as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne import clock
from urne.accounts import invitations
from urne.audit import services as audit
from urne.backoffice import access
from urne.campaign.models import Academy, Campaign, Scrutin, family_name
from urne.mailings import audience, composing, sending
from urne.mailings.models import Kind, Mailing, Send
from urne.web.errors import Forbidden, VisitorError
from urne.web.spreadsheet import excel_csv

SEND_MAILING = "mailings.send_mailing"
SENDERS_GROUP = "Envois aux électeurs"


class MailingForbidden(Forbidden):
    message = gettext_lazy(
        "Vous n'avez pas le droit d'envoyer des courriels aux électeurs (permission « peut "
        "rédiger et envoyer des courriels aux électeurs »)."
    )


class InvalidTarget(VisitorError):
    """A scrutin that does not belong to the chosen perimeter."""


class MailingAlreadySent(VisitorError):
    message = gettext_lazy(
        "Cet envoi est déjà parti (ou en cours) : il ne peut plus être modifié ni renvoyé. "
        "Pour écrire de nouveau aux électeurs, rédigez un nouvel envoi."
    )


class NoRecipient(VisitorError):
    message = gettext_lazy(
        "Aucun électeur n'est concerné par cet envoi aujourd'hui : rien n'a été envoyé."
    )


class NotStuck(VisitorError):
    message = gettext_lazy(
        "Cet envoi n'est pas interrompu : il se poursuit, ou il est terminé. Rien n'a été relancé."
    )


def check_may_send_mailings(user: access.Staff) -> None:
    if not user.has_perm(SEND_MAILING):  # type: ignore[union-attr]
        raise MailingForbidden


# --- Where -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A perimeter a mailing may go to: a whole campaign (academy None) or one academy."""

    campaign: Campaign
    academy: Academy | None

    @property
    def key(self) -> str:
        return f"a{self.academy.pk}" if self.academy is not None else f"c{self.campaign.pk}"

    @property
    def label(self) -> str:
        if self.academy is not None:
            return _("Académie de %(academy)s (%(campaign)s)") % {
                "academy": self.academy.name,
                "campaign": self.campaign.name,
            }
        return _("Toute la campagne « %(campaign)s »") % {"campaign": self.campaign.name}


def targets(user: access.Staff) -> list[Target]:
    """The perimeters `user` may write to: their whole campaigns, then their academies."""
    campaigns = access.scoped(Campaign.objects.all(), user, for_change=True).order_by(
        "-year", "name"
    )
    academies = access.scoped(Academy.objects.select_related("campaign"), user).order_by(
        "-campaign__year", "campaign__name", "name"
    )
    return [Target(campaign, None) for campaign in campaigns] + [
        Target(academy.campaign, academy) for academy in academies
    ]


def scrutins(user: access.Staff) -> QuerySet[Scrutin]:
    """The scrutins `user` reaches (an academy's staff read the national ones too)."""
    return access.scoped(Scrutin.objects.select_related("campaign", "academy"), user).order_by(
        "-campaign__year", "campaign__name", "academy__name", "name"
    )


def check_target(
    user: access.Staff, campaign: Campaign, academy: Academy | None, scrutin: Scrutin | None
) -> None:
    """Raise OutOfScope unless `user` may write to this perimeter (whatever a form posted), and
    InvalidTarget for a scrutin outside it."""
    if academy is None:
        mine = access.scoped(
            Campaign.objects.filter(pk=campaign.pk), user, for_change=True
        ).exists()
    else:
        mine = access.scoped(
            Academy.objects.filter(pk=academy.pk, campaign=campaign), user
        ).exists()
    if not mine:
        raise access.OutOfScope
    if scrutin is None:
        return
    if not scrutins(user).filter(pk=scrutin.pk).exists():
        raise access.OutOfScope
    if scrutin.campaign_id != campaign.pk or (
        academy is not None and scrutin.academy_id not in (None, academy.pk)
    ):
        raise InvalidTarget(
            _(
                "Le scrutin « %(scrutin)s » n'est pas celui de ce périmètre : choisissez un "
                "scrutin national ou de l'académie choisie."
            )
            % {"scrutin": scrutin.name}
        )


def check_texts(subject: str, body: str) -> None:
    """Raise InvalidText for an empty subject or body, or an unknown placeholder."""
    if not subject.strip():
        raise composing.InvalidText(_("L'objet du message est vide."))
    if not body.strip():
        raise composing.InvalidText(_("Le texte du message est vide."))
    composing.check_text(subject)
    composing.check_text(body)


# --- What ----------------------------------------------------------------------------------------


def mailings_in_reach(user: access.Staff) -> QuerySet[Mailing]:
    check_may_send_mailings(user)
    return access.scoped(
        Mailing.objects.select_related("campaign", "academy", "scrutin"), user
    ).order_by("-created_at", "-pk")


def access_mailing(user: access.Staff, mailing_id: int) -> Mailing:
    """The mailing `mailing_id` if `user` may send mailings and reaches it; 403 without the
    permission, 404 outside the perimeter."""
    return access.access_as_staff(user, mailings_in_reach(user), mailing_id)


@dataclass(frozen=True)
class Draft:
    kind: str
    campaign: Campaign
    academy: Academy | None
    scrutin: Scrutin | None
    subject: str
    body: str


def _check_draft(user: access.Staff, draft: Draft) -> None:
    check_may_send_mailings(user)
    Kind(draft.kind)
    check_target(user, draft.campaign, draft.academy, draft.scrutin)
    check_texts(draft.subject, draft.body)


def do_create_mailing(request: HttpRequest, draft: Draft) -> Mailing:
    """Record a draft mailing (nothing is sent) after every check, and audit it."""
    _check_draft(request.user, draft)
    with transaction.atomic():
        mailing = Mailing.objects.create(
            kind=draft.kind,
            campaign=draft.campaign,
            academy=draft.academy,
            scrutin=draft.scrutin,
            subject=draft.subject.strip(),
            body=draft.body,
            created_by=request.user,  # type: ignore[misc]  # staff_page: a signed-in user
            created_at=clock.now(),
        )
        audit.record(request, "mailing.create", mailing, kind=mailing.kind)
    return mailing


def check_is_draft(mailing: Mailing) -> None:
    if not mailing.is_draft:
        raise MailingAlreadySent


def do_update_mailing(request: HttpRequest, mailing: Mailing, draft: Draft) -> Mailing:
    """Change a draft (refused once sent), audited."""
    check_is_draft(mailing)
    _check_draft(request.user, draft)
    with transaction.atomic():
        changed = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).update(
            kind=draft.kind,
            campaign=draft.campaign,
            academy=draft.academy,
            scrutin=draft.scrutin,
            subject=draft.subject.strip(),
            body=draft.body,
        )
        if not changed:
            raise MailingAlreadySent
        mailing.refresh_from_db()
        audit.record(request, "mailing.update", mailing, kind=mailing.kind)
    return mailing


@dataclass(frozen=True)
class Preview:
    recipients: int
    message: EmailMessage | None
    """The message of the first recipient (by name), None when there is none."""
    error: str = ""
    """Why the mailing cannot go now (the calendar), if it cannot."""


def preview(mailing: Mailing) -> Preview:
    """How many electors the mailing would go to now, and the message the first of them, a real
    one, would get."""
    electors = audience.recipients(mailing)
    count = electors.count()
    first = (
        electors.select_related("academy").order_by("last_name_key", "first_name_key", "pk").first()
    )
    error = ""
    try:
        audience.check_mailing_open(mailing)
    except audience.MailingClosed as closed:
        error = str(closed.message)
    message = composing.message(mailing, first) if first is not None else None
    return Preview(recipients=count, message=message, error=error)


def do_send_mailing(request: HttpRequest, mailing: Mailing) -> Mailing:
    """Queue a draft for the workers, once: refused if it already left, if the calendar does not
    allow its kind now, or if nobody is concerned. Audited."""
    check_may_send_mailings(request.user)
    check_is_draft(mailing)
    check_target(request.user, mailing.campaign, mailing.academy, mailing.scrutin)
    check_texts(mailing.subject, mailing.body)
    audience.check_mailing_open(mailing)
    count = audience.recipients(mailing).count()
    if not count:
        raise NoRecipient
    with transaction.atomic():
        queued = Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.DRAFT).update(
            status=Mailing.Status.QUEUED, sent_by=request.user, queued_at=clock.now()
        )
        if queued != 1:
            raise MailingAlreadySent
        mailing.refresh_from_db()
        audit.record(request, "mailing.send", mailing, kind=mailing.kind, recipients=count)
        transaction.on_commit(lambda: _queue(mailing.pk))
    # Without a broker the run happened as the transaction committed.
    mailing.refresh_from_db()
    return mailing


def make_invitations_mailing(campaign: Campaign) -> Mailing:
    """The campaign's invitations as a mailing, queued, with the invitation mail's own text:
    what `urne send_invitations` and the admin's action send (`urne.accounts.tasks`; they record
    who asked in the audit log, `invitation.send`). Refused
    (InvitationsNotOpen) outside the account creation's period."""
    invitations.check_invitations_open(campaign)
    subject, body = composing.default_text(Kind.INVITATION, campaign)
    now = clock.now()
    return Mailing.objects.create(
        kind=Kind.INVITATION,
        campaign=campaign,
        subject=subject,
        body=body,
        status=Mailing.Status.QUEUED,
        created_at=now,
        queued_at=now,
    )


def _queue(mailing_id: int) -> None:
    from urne.mailings.tasks import send_mailing

    send_mailing.delay(mailing_id)


def is_stuck(mailing: Mailing) -> bool:
    return mailing.pk in sending.stale_mailings() if not mailing.is_finished else False


def do_resume_mailing(request: HttpRequest | None, mailing: Mailing) -> None:
    """Queue again a mailing whose run fell silent (or that no worker took): the next run takes
    it up where it stopped. Audited; refused for a mailing that runs or is over."""
    if request is not None:
        check_may_send_mailings(request.user)
    if not is_stuck(mailing):
        raise NotStuck
    audit.record(request, "mailing.resume", mailing)
    transaction.on_commit(lambda: _queue(mailing.pk))


# --- Progress and the record of each send ------------------------------------------------------


def progress(mailing: Mailing) -> dict[str, object]:
    """What the page's polling reads (one row)."""
    return {
        "status": mailing.status,
        "status_label": str(mailing.get_status_display()),
        "finished": mailing.is_finished,
        "total": mailing.total,
        "done": mailing.done_count,
        "sent": mailing.sent_count,
        "failed": mailing.failed_count,
        "skipped": mailing.skipped_count,
        "interrupted": mailing.interrupted_count,
    }


def sends(mailing: Mailing) -> QuerySet[Send]:
    return (
        Send.objects.filter(mailing=mailing)
        .select_related("elector", "elector__academy")
        .order_by("pk")
    )


def _when(moment: object) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M:%S")  # type: ignore[arg-type]


def send_header() -> list[str]:
    return [_("Nom"), _("Prénom"), _("Académie"), _("Adresse"), _("État"), _("Le"), _("Erreur")]


def send_line(send: Send) -> list[str]:
    elector = send.elector
    return [
        family_name(elector.last_name),
        elector.first_name,
        elector.academy.name,
        send.address,
        str(send.get_status_display()),
        _when(send.sent_at or send.claimed_at),
        send.error,
    ]


def sends_csv(rows: Iterable[Send]) -> Iterator[str]:
    """The sends as CSV for French Excel (`urne.web.spreadsheet.excel_csv`)."""
    return excel_csv(send_header(), (send_line(row) for row in rows))


def record_export(request: HttpRequest, mailing: Mailing) -> None:
    audit.record(request, "mailing.export", mailing, rows=mailing.total or 0)
