"""The purge of a campaign's personal data once its retention period is over (docs/backups.md).

The texts keep émargement, boxes and results for two years (DOMAIN.md); after that the electors'
personal data has no more purpose and is deleted. What goes, per campaign: the electors (names,
professional email, corps, grade, establishment, date of birth), their accounts, their roll
entries, the émargement (and the receipts still to send), what the credential authority keeps
for them (sealed identifiers, requests to receive one by email or SMS), their profile correction
requests, the rolls' history, the messages sent to them (the address each went to), the
uploaded electors files with their reports, and the back office's history (Django's LogEntry)
of changes to those rows.

What stays: the ballots and each scrutin's public board (encrypted ballots, the public
credentials, whose pseudonyms no longer lead to anyone once the electors are gone), the results,
the candidate lists as published, the mailings' texts, and the audit log, which is append-only
and hash-chained (a changed entry would break the chain: `urne audit verify`); its entries name
staff and, in their short descriptions, some electors: it has a retention of its own.

`count_personal_data` says what would go (the dry run); `do_purge_personal_data` deletes it,
after `check_retention_over`, in one transaction, and records the counts (never the data) in the
audit log. Running it again deletes nothing more and records an entry with zero counts.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Model, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne import clock
from urne.accounts.models import User
from urne.audit import services as audit
from urne.audit.models import AuditEntry
from urne.authority.models import IdentifierDelivery, SealedIdentifier
from urne.campaign.models import (
    Campaign,
    Elector,
    ElectorImport,
    ProfileCorrectionRequest,
    RollChange,
    RollEntry,
)
from urne.candidacies.models import CandidateList
from urne.mailings.models import Send
from urne.voting.models import Ballot, Emargement, PendingReceipt, PublicCredential

BATCH = 2000
"""Rows deleted per statement: Django's deletion loads the rows it cascades from, so a million
electors are deleted a slice at a time, in the one transaction of the purge."""


class RetentionNotOver(Exception):
    """The campaign's personal data is still within its retention period."""

    def __init__(self, campaign: Campaign, ends_at: datetime) -> None:
        self.campaign = campaign
        self.ends_at = ends_at
        super().__init__(
            _(
                "Les données personnelles de la campagne « %(campaign)s » sont conservées "
                "jusqu'au %(date)s (clôture du vote et %(months)s mois) : rien n'a été supprimé."
            )
            % {
                "campaign": campaign.name,
                "date": formats.date_format(timezone.localtime(ends_at), "DATETIME_FORMAT"),
                "months": retention_months(),
            }
        )


@dataclass(frozen=True)
class Kind:
    """One kind of data of a campaign: a stable code (the audit entry's detail), a label, and
    the rows of the campaign it covers."""

    code: str
    label: str | Promise
    rows: Callable[[Campaign], QuerySet[Model]]


# In the order of deletion: what points to an elector before the elector.
_RECORDS: tuple[Kind, ...] = (
    Kind(
        "pending_receipts",
        gettext_lazy("Accusés de réception de vote encore à envoyer"),
        lambda c: PendingReceipt.objects.filter(emargement__election__scrutin__campaign=c),
    ),
    Kind(
        "emargements",
        gettext_lazy("Émargements"),
        lambda c: Emargement.objects.filter(election__scrutin__campaign=c),
    ),
    Kind(
        "accounts",
        gettext_lazy("Comptes des électeurs"),
        lambda c: User.objects.filter(elector__campaign=c),
    ),
    Kind(
        "authority_sealed",
        gettext_lazy("Identifiants de vote scellés (autorité de certification)"),
        lambda c: SealedIdentifier.objects.filter(elector__campaign=c),
    ),
    Kind(
        "authority_deliveries",
        gettext_lazy("Demandes de réception de l'identifiant de vote (courriel, SMS)"),
        lambda c: IdentifierDelivery.objects.filter(elector__campaign=c),
    ),
    Kind(
        "correction_requests",
        gettext_lazy("Demandes de mise à jour du profil"),
        lambda c: ProfileCorrectionRequest.objects.filter(elector__campaign=c),
    ),
    Kind(
        "mailing_sends",
        gettext_lazy("Messages envoyés aux électeurs (adresse, état)"),
        lambda c: Send.objects.filter(mailing__campaign=c),
    ),
    Kind(
        "roll_changes",
        gettext_lazy("Historique des listes électorales"),
        lambda c: RollChange.objects.filter(campaign=c),
    ),
    Kind(
        "roll_entries",
        gettext_lazy("Inscriptions sur les listes électorales"),
        lambda c: RollEntry.objects.filter(scrutin__campaign=c),
    ),
    Kind(
        "imports",
        gettext_lazy("Fichiers d'électeurs déposés et leurs comptes rendus"),
        lambda c: ElectorImport.objects.filter(campaign=c),
    ),
    Kind(
        "electors",
        gettext_lazy(
            "Électeurs (identité, adresse professionnelle, affectation, date de naissance)"
        ),
        lambda c: Elector.objects.filter(campaign=c),
    ),
)


def _with_proxies(model: type[Model]) -> list[type[Model]]:
    return [model] + [
        other
        for other in apps.get_models()
        if other._meta.proxy and other._meta.concrete_model is model
    ]


def _admin_history(campaign: Campaign) -> QuerySet[Model]:
    """Django's history of the back office's changes (LogEntry: the object's description, e.g.
    an elector's name, and the fields changed) to the rows the purge deletes, proxies included
    (the helpdesk's view of an elector has a content type of its own)."""
    condition = Q(pk__in=[])
    for kind in _RECORDS:
        rows = kind.rows(campaign)
        types = [ContentType.objects.get_for_model(m, False) for m in _with_proxies(rows.model)]
        ids = rows.annotate(text_pk=Cast("pk", TextField())).values("text_pk")
        condition |= Q(content_type__in=types, object_id__in=Subquery(ids))
    return cast(QuerySet[Model], LogEntry.objects.filter(condition))


# The history goes first, while the rows it is about can still be found.
PERSONAL: tuple[Kind, ...] = (
    Kind(
        "admin_history",
        gettext_lazy("Historique des modifications dans la gestion (électeurs, comptes…)"),
        _admin_history,
    ),
    *_RECORDS,
)

KEPT: tuple[Kind, ...] = (
    Kind(
        "ballots",
        gettext_lazy("Bulletins chiffrés (urne, anonymes)"),
        lambda c: Ballot.objects.filter(election__scrutin__campaign=c),
    ),
    Kind(
        "public_credentials",
        gettext_lazy("Codes de vote publics (tableau d'affichage, sans lien avec les électeurs)"),
        lambda c: PublicCredential.objects.filter(election__scrutin__campaign=c),
    ),
    Kind(
        "lists",
        gettext_lazy("Listes de candidats publiées"),
        lambda c: CandidateList.objects.filter(scrutin__campaign=c),
    ),
    Kind(
        "audit_entries",
        gettext_lazy("Entrées du journal d'audit (chaîné, conservation propre)"),
        lambda c: AuditEntry.objects.filter(campaign=c),
    ),
)


@dataclass(frozen=True)
class Count:
    kind: Kind
    rows: int


@dataclass(frozen=True)
class PersonalData:
    """What a campaign holds: the personal data the purge deletes, and what it keeps."""

    campaign: Campaign
    retention_ends_at: datetime
    personal: tuple[Count, ...]
    kept: tuple[Count, ...]

    @property
    def total(self) -> int:
        return sum(count.rows for count in self.personal)

    def details(self) -> dict[str, int]:
        return {count.kind.code: count.rows for count in self.personal}


def retention_months() -> int:
    months: int = settings.URNE_RETENTION_MONTHS
    if months < 0:
        raise ImproperlyConfigured("URNE_RETENTION_MONTHS must be 0 or more")
    return months


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day when it is shorter)."""
    years, month = divmod(moment.month - 1 + months, 12)
    year = moment.year + years
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def retention_ends_at(campaign: Campaign) -> datetime:
    """When the campaign's personal data may be deleted: the vote's close plus the retention
    period (URNE_RETENTION_MONTHS, 24 by default: DOMAIN.md's two years)."""
    return add_months(campaign.vote_closes_at, retention_months())


def count_personal_data(campaign: Campaign) -> PersonalData:
    return PersonalData(
        campaign=campaign,
        retention_ends_at=retention_ends_at(campaign),
        personal=tuple(Count(kind, kind.rows(campaign).count()) for kind in PERSONAL),
        kept=tuple(Count(kind, kind.rows(campaign).count()) for kind in KEPT),
    )


def check_retention_over(campaign: Campaign, at: datetime | None = None) -> None:
    """Raises `RetentionNotOver` until the campaign's retention period has ended."""
    ends_at = retention_ends_at(campaign)
    if (at or clock.now()) < ends_at:
        raise RetentionNotOver(campaign, ends_at)


def _delete(rows: QuerySet[Model]) -> None:
    model = rows.model
    while pks := list(rows.values_list("pk", flat=True)[:BATCH]):
        model._default_manager.filter(pk__in=pks).delete()


def _delete_import_files(campaign: Campaign) -> None:
    for job in ElectorImport.objects.filter(campaign=campaign).exclude(file=""):
        job.file.delete(save=False)
    folder = Path(settings.IMPORTS_ROOT) / "electeurs" / str(campaign.pk)
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def do_purge_personal_data(campaign: Campaign) -> PersonalData:
    """Delete the campaign's personal data (see the module's docstring) once its retention
    period is over, and record the counts in the audit log. Returns what was deleted.

    One transaction: a failure deletes nothing from the database. The uploaded files are deleted
    inside it, before the rows that name them: if the transaction then fails, running the purge
    again deletes the rows (a file already gone is no error)."""
    check_retention_over(campaign)
    with transaction.atomic():
        found = count_personal_data(campaign)
        _delete_import_files(campaign)
        for kind in PERSONAL:
            _delete(kind.rows(campaign))
        # The counts per kind and the date; never a name or an address.
        details: dict[str, Any] = {
            "retention_ends_at": found.retention_ends_at.isoformat(),
            **found.details(),
        }
        audit.record(
            None, "campaign.purge_personal_data", campaign, campaign=campaign.pk, **details
        )
    return found
