"""The audit log as CSV, for organizers and for `urne audit export --csv`.

Cells are made safe for spreadsheets: a value that a spreadsheet would run as a formula (it starts
with =, +, -, @, a tab or a carriage return — an actor's address or an object's name may, since
staff and electors type them) is written with a leading apostrophe, so it is shown as text.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from urne.audit.models import AuditEntry
from urne.web.spreadsheet import inert_cell


class _Echo:
    """A file-like object that hands back what is written (for a streamed response)."""

    def write(self, value: str) -> str:
        return value


def header() -> list[str]:
    return [
        _("n°"),
        _("date (UTC)"),
        _("auteur"),
        _("identifiant du compte"),
        _("rôle et périmètre"),
        _("action"),
        _("type d'objet"),
        _("identifiant de l'objet"),
        _("objet"),
        _("campagne"),
        _("académie"),
        _("provenance"),
        _("détails"),
        _("empreinte précédente"),
        _("empreinte"),
    ]


def row(entry: AuditEntry) -> list[str]:
    values: list[object] = [
        entry.sequence,
        entry.at.astimezone(UTC).isoformat(timespec="seconds"),
        entry.actor_label,
        entry.actor_id,
        entry.actor_role,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.campaign_id,
        entry.academy_id,
        entry.source,
        json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
        entry.previous_hash,
        entry.hash,
    ]
    return [inert_cell(value) for value in values]


def csv_lines(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    """The CSV text, line by line, in the chain's order, without holding the log in memory."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header())
    for entry in entries.order_by("sequence").iterator(chunk_size=2000):
        yield writer.writerow(row(entry))
