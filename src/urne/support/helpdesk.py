"""The helpdesk: find an elector, read the state of their account, and act on it for them.

An agent answers a call or a message: they find the elector (`search_electors`), read their
record, rolls, account and the mails the platform keeps a trace of (`account_status`,
`mail_records`), and may do two things, each a right of its own (`urne.support.roles`):

- resend the confirmation message of an account waiting for it (`do_resend_confirmation`):
  the accounts' own service sends it, within the per-address mail limit that the elector's own
  requests count in too;
- unlock an account locked by too many wrong passwords (`do_unlock_account`), once the agent
  checked who is calling: they say which checks they made; the date of birth, which answers the
  voting identifier's challenge, is never shown to them, they type the one the caller gives
  and the server compares it.

Where comes from the staff access layer (`urne.backoffice.access`): an agent of Dijon finds,
opens and acts on Dijon's electors only, whatever the address or form they send. Nothing here
reads or sets a password, nor touches a voting identifier. Every action is written to the audit
log, with the agent, the elector and the checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.paginator import Page, Paginator
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne.accounts import services as account_services
from urne.accounts import throttle
from urne.accounts.models import User
from urne.audit import services as audit
from urne.audit.models import AuditEntry
from urne.backoffice import access
from urne.campaign.models import Elector, ProfileCorrectionRequest, name_key, normalize_email
from urne.support.roles import RESEND_CONFIRMATION, UNLOCK_ACCOUNT
from urne.web.errors import Forbidden, VisitorError

Staff = AbstractBaseUser | AnonymousUser

SEARCH_MIN_LENGTH = 2
"""Letters or digits a search needs: fewer would list half the rolls."""
SEARCH_PAGE_SIZE = 25
UNLOCK_MIN_CHECKS = 2
"""Identity checks an unlock needs: one alone is too easily known by someone else."""

RESEND_ACTION = "helpdesk.resend_confirmation"
UNLOCK_ACTION = "helpdesk.unlock"
UNLOCK_REFUSED_ACTION = "helpdesk.unlock_refused"


class HelpdeskRefusal(VisitorError):
    """The action cannot be done as asked; `message` says why, in French. Nothing changed.
    `field` names what the agent typed that is at fault ("checks", "birth_date"), if anything."""

    field: str | None = None

    def __init__(self, message: str | Promise | None = None, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field


class ActionNotPermitted(Forbidden):
    message = gettext_lazy(
        "Votre rôle ne permet pas cette action de l'assistance. Si vous en avez besoin, "
        "demandez ce droit à l'organisateur du scrutin."
    )


# --- Finding an elector --------------------------------------------------------------------------


def _establishments_matching(electors: QuerySet[Elector], keys: list[str]) -> dict[str, set[str]]:
    """For each key, the establishments of `electors` whose name contains it once written as a
    name key (no case, accents, spaces or signs): « Lycée Carnot » answers "lycee" and
    "carnot". Establishments are few beside electors (a few thousand per academy), so their
    names are compared here rather than stored a second time."""
    names = set(electors.order_by().values_list("establishment", flat=True).distinct())
    keyed = [(name_key(name), name) for name in names]
    return {key: {name for name_keyed, name in keyed if key in name_keyed} for key in keys}


def search_electors(staff: Staff, query: str) -> QuerySet[Elector]:
    """The electors of `staff`'s perimeter that match every word of `query` in their name,
    first name, professional address or establishment, without regard to case or accents
    (« helene » finds « Hélène »). Raises HelpdeskRefusal for a query too short to be useful."""
    words = query.split()
    keys = [key for key in (name_key(word) for word in words) if key]
    if sum(len(key) for key in keys) < SEARCH_MIN_LENGTH:
        raise HelpdeskRefusal(
            _(
                "Saisissez au moins %(count)d lettres ou chiffres du nom, de l'adresse ou de "
                "l'établissement."
            )
            % {"count": SEARCH_MIN_LENGTH},
            field="q",
        )
    electors = access.scoped(Elector.objects.all(), staff)
    establishments = _establishments_matching(electors, keys)
    condition = Q()
    for word in words:
        key = name_key(word)
        if not key:
            continue
        condition &= (
            Q(last_name_key__contains=key)
            | Q(first_name_key__contains=key)
            | Q(email__contains=normalize_email(word))
            | Q(establishment__in=establishments[key])
        )
    return (
        electors.filter(condition)
        .select_related("academy")
        .order_by("last_name_key", "first_name_key", "last_name", "first_name", "id")
    )


@dataclass(frozen=True)
class ElectorSearch:
    query: str
    page: Page[Elector]

    @property
    def total(self) -> int:
        return self.page.paginator.count


def search_page(staff: Staff, query: str, page_number: str | int | None) -> ElectorSearch:
    """One page of `search_electors` (an out-of-range number gives the last page)."""
    query = " ".join(query.split())
    paginator = Paginator(search_electors(staff, query), SEARCH_PAGE_SIZE)
    return ElectorSearch(query=query, page=paginator.get_page(page_number))


def access_elector(staff: Staff, elector_id: object, *, for_change: bool = False) -> Elector:
    """The elector `elector_id` if in `staff`'s perimeter; a 404 otherwise, as if they did not
    exist (whoever forged the address learns nothing of another academy)."""
    electors = Elector.objects.select_related("academy", "campaign")
    return access.access_as_staff(staff, electors, elector_id, for_change=for_change)


# --- The state of an account ---------------------------------------------------------------------


class AccountState(models.TextChoices):
    NONE = "none", gettext_lazy("Aucun compte")
    WAITING = "waiting", gettext_lazy("Compte créé, en attente de confirmation")
    CONFIRMED = "confirmed", gettext_lazy("Compte confirmé")
    DISABLED = "disabled", gettext_lazy("Compte désactivé par la gestion")


@dataclass(frozen=True)
class AccountStatus:
    """What the helpdesk may know of an elector's account: never its password (nor its hash)."""

    state: AccountState
    email: str = ""
    created_at: datetime | None = None
    confirmed_at: datetime | None = None
    locked: bool = False
    """Logins refused for now: too many wrong passwords typed for the address (by anyone)."""

    @property
    def may_resend_confirmation(self) -> bool:
        return self.state == AccountState.WAITING

    @property
    def may_unlock(self) -> bool:
        return self.state != AccountState.NONE and self.locked


def _account(staff: Staff, elector: Elector) -> User | None:
    """The elector's account, if `staff` reaches it (never a staff or superuser account, even
    linked to the elector: the access layer keeps those for superusers)."""
    accounts = User.objects.filter(elector=elector).only(
        "pk", "email", "is_active", "is_staff", "is_superuser", "created_at", "confirmed_at"
    )
    return access.scoped(accounts, staff).first()


def account_status(staff: Staff, elector: Elector) -> AccountStatus:
    account = _account(staff, elector)
    if account is None:
        return AccountStatus(state=AccountState.NONE)
    if account.is_active:
        state = AccountState.CONFIRMED
    elif account.confirmed_at is None:
        state = AccountState.WAITING
    else:
        state = AccountState.DISABLED
    return AccountStatus(
        state=state,
        email=account.email,
        created_at=account.created_at,
        confirmed_at=account.confirmed_at,
        locked=throttle.login_locked(account.email),
    )


# --- The mails the platform keeps a trace of -----------------------------------------------------


@dataclass(frozen=True)
class MailRecord:
    at: datetime
    what: str


def mail_records(staff: Staff, elector: Elector) -> list[MailRecord]:
    """The mails sent to the elector that something records, the latest first: the invitation
    to create an account, the confirmation message sent when the account was created, the
    confirmation messages the helpdesk resent, the answers to their correction requests. The
    mails electors ask for themselves (a resend, a forgotten password) leave no record."""
    records: list[MailRecord] = []
    if elector.invitation_sent_at is not None:
        records.append(
            MailRecord(elector.invitation_sent_at, _("Invitation à créer son compte électeur"))
        )
    account = _account(staff, elector)
    if account is not None:
        records.append(
            MailRecord(
                account.created_at,
                _("Message de confirmation du compte, envoyé à sa création (à %(email)s)")
                % {"email": account.email},
            )
        )
    resent = AuditEntry.objects.filter(
        action=RESEND_ACTION, object_type=Elector._meta.label_lower, object_id=str(elector.pk)
    ).only("at", "actor_label")
    for entry in resent:
        records.append(
            MailRecord(
                entry.at,
                _("Message de confirmation renvoyé par l'assistance (%(agent)s)")
                % {"agent": entry.actor_label},
            )
        )
    answered = elector.correction_requests.exclude(
        status=ProfileCorrectionRequest.Status.SUBMITTED
    ).exclude(answered_at=None)
    for request in answered:
        assert request.answered_at is not None  # noqa: S101 - excluded above
        records.append(
            MailRecord(
                request.answered_at,
                _("Réponse à la demande de mise à jour « %(field)s » : %(status)s")
                % {
                    "field": request.get_field_display(),
                    "status": request.get_status_display().lower(),
                },
            )
        )
    return sorted(records, key=lambda record: record.at, reverse=True)


# --- Resending the confirmation message ----------------------------------------------------------


def _check_permitted(staff: Staff, permission: str, elector: Elector) -> None:
    if not staff.has_perm(permission):  # type: ignore[union-attr]
        raise ActionNotPermitted
    access.check_staff_may_change(staff, elector)


def check_resend_confirmation(staff: Staff, elector: Elector) -> str:
    """The address to send the confirmation message to, if `staff` may resend it: the right,
    the perimeter, and an account waiting for its confirmation. Raises otherwise."""
    _check_permitted(staff, RESEND_CONFIRMATION, elector)
    status = account_status(staff, elector)
    if status.state == AccountState.NONE:
        raise HelpdeskRefusal(
            _(
                "Cet électeur n'a pas de compte : il le crée lui-même avec « JE CRÉE MON "
                "COMPTE », et reçoit alors le message de confirmation."
            )
        )
    if status.state != AccountState.WAITING:
        raise HelpdeskRefusal(
            _("Ce compte n'attend pas de confirmation (%(state)s) : aucun message n'a été envoyé.")
            % {"state": status.state.label.lower()}
        )
    return status.email


def do_resend_confirmation(request: HttpRequest, elector: Elector) -> None:
    """Send the account's confirmation message again, through the accounts' own service, once
    `check_resend_confirmation` passes and the address's mail limit lets it (TooManyAttempts
    otherwise: the elector's own requests count in it too). Audited."""
    address = check_resend_confirmation(request.user, elector)
    throttle.count_mail_to(request, address)
    with transaction.atomic():
        account_services.do_request_confirmation_mail(address)
        audit.record(request, RESEND_ACTION, elector)


# --- Unlocking an account ------------------------------------------------------------------------


class IdentityCheck(models.TextChoices):
    """What an agent may check before unlocking, among what the rolls hold. The date of birth
    is compared by the server, never shown; the others the agent reads on the elector's page."""

    BIRTH_DATE = "birth_date", gettext_lazy("Date de naissance (comparée par le serveur)")
    ESTABLISHMENT = "establishment", gettext_lazy("Établissement d'affectation")
    CORPS_GRADE = "corps_grade", gettext_lazy("Corps et grade")
    EMAIL = "email", gettext_lazy("Adresse de messagerie professionnelle")


class BirthDateMismatch(HelpdeskRefusal):
    field = "birth_date"
    message = gettext_lazy(
        "La date de naissance donnée ne correspond pas à celle de la liste électorale : le "
        "compte n'a pas été débloqué (ce refus est inscrit au journal d'audit)."
    )


def check_unlock_account(
    staff: Staff, elector: Elector, checks: list[str], birth_date: date | None
) -> tuple[str, list[str]]:
    """The account's address and the checks made, if `staff` may unlock it: the right, the
    perimeter, a locked account, at least UNLOCK_MIN_CHECKS known checks, and a date of birth
    that matches the rolls when it is one of them. Raises otherwise (BirthDateMismatch for a
    wrong date)."""
    _check_permitted(staff, UNLOCK_ACCOUNT, elector)
    known = set(IdentityCheck.values)
    made = sorted(set(checks))
    if any(check not in known for check in made):
        raise HelpdeskRefusal(_("Vérification inconnue : rien n'a été fait."), field="checks")
    status = account_status(staff, elector)
    if status.state == AccountState.NONE:
        raise HelpdeskRefusal(_("Cet électeur n'a pas de compte : il n'y a rien à débloquer."))
    if not status.locked:
        raise HelpdeskRefusal(
            _(
                "Ce compte n'est pas bloqué : la connexion est possible. Si l'électeur a "
                "oublié son mot de passe, il en choisit un nouveau avec « Mot de passe "
                "oublié ? »."
            )
        )
    if len(made) < UNLOCK_MIN_CHECKS:
        raise HelpdeskRefusal(
            _(
                "Cochez au moins %(count)d vérifications d'identité faites avec l'électeur "
                "avant de débloquer son compte."
            )
            % {"count": UNLOCK_MIN_CHECKS},
            field="checks",
        )
    if IdentityCheck.BIRTH_DATE in made:
        if elector.birth_date is None:
            raise HelpdeskRefusal(
                _(
                    "La liste électorale ne donne pas la date de naissance de cet électeur : "
                    "choisissez d'autres vérifications."
                ),
                field="checks",
            )
        if birth_date is None:
            raise HelpdeskRefusal(
                _("Saisissez la date de naissance donnée par l'électeur."), field="birth_date"
            )
        if birth_date != elector.birth_date:
            raise BirthDateMismatch
    return status.email, made


def do_unlock_account(
    request: HttpRequest, elector: Elector, checks: list[str], birth_date: date | None
) -> None:
    """Lift the account's login lock (`urne.accounts.throttle.unlock_login`) after
    `check_unlock_account`; audited with the checks made. A wrong date of birth is audited too,
    so that an agent trying dates shows in the log."""
    try:
        address, made = check_unlock_account(request.user, elector, checks, birth_date)
    except BirthDateMismatch:
        audit.record(request, UNLOCK_REFUSED_ACTION, elector, reason="birth_date_mismatch")
        raise
    with transaction.atomic():  # no unlock unrecorded: a failed unlock rolls the entry back
        audit.record(request, UNLOCK_ACTION, elector, checks=made)
        throttle.unlock_login(address)
