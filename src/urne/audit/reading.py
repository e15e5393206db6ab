"""Reading the audit log in the back office: which entries a staff member reaches, filtered.

Reach is the access layer's (`urne.backoffice.access`, the rule of `AuditEntry`): organizers
(campaign-wide) read their campaign's entries, academy staff given the right the entries about
their academies, superusers everything; reading needs ``audit.view_auditentry``. The page and
its CSV export (`urne.audit.export`, the same as `urne audit export --csv`) use the same
filters, and exporting is itself recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from urne.audit import services
from urne.audit.models import AuditEntry
from urne.backoffice import access

VIEW_LOG: Final = "audit.view_auditentry"
PARIS: Final = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class LogFilter:
    """What the organizer asked: every part optional. Days are Paris days, both included."""

    actor: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None
    target: str = ""

    def describe(self) -> dict[str, str]:
        """The filter as the audit entry of an export records it."""
        return {
            "actor": self.actor,
            "action": self.action,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "target": self.target,
        }


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=PARIS)


def reachable_entries(user: access.Staff) -> QuerySet[AuditEntry]:
    return access.scoped(AuditEntry.objects.all(), user)


def log_entries(user: access.Staff, log_filter: LogFilter) -> QuerySet[AuditEntry]:
    """The entries `user` reaches that match `log_filter`, the latest first."""
    entries = reachable_entries(user)
    if log_filter.actor:
        entries = entries.filter(actor_label__icontains=log_filter.actor)
    if log_filter.action:
        entries = entries.filter(action=log_filter.action)
    if log_filter.since is not None:
        entries = entries.filter(at__gte=_start_of(log_filter.since))
    if log_filter.until is not None:
        entries = entries.filter(at__lt=_start_of(log_filter.until + timedelta(days=1)))
    if log_filter.target:
        entries = entries.filter(
            Q(object_repr__icontains=log_filter.target)
            | Q(object_id=log_filter.target)
            | Q(object_type=log_filter.target)
        )
    return entries.order_by("-sequence")


def action_choices(user: access.Staff) -> list[str]:
    """The actions found in the entries `user` reaches, for the filter's list."""
    return list(
        reachable_entries(user).order_by("action").values_list("action", flat=True).distinct()
    )


def do_export_log(user: access.Staff, log_filter: LogFilter) -> QuerySet[AuditEntry]:
    """Record the export (what was asked), then give the entries to write."""
    reach = access.staff_reach(user)
    campaign = next(iter(reach.campaigns), None) if len(reach.campaigns) == 1 else None
    services.record(
        user,
        "audit.export",
        description=_("export CSV du journal d'audit"),
        campaign=campaign,
        filters=log_filter.describe(),
    )
    return log_entries(user, log_filter)
