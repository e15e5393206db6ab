"""Importing electors and their rolls from the administration's file, CSV or XLSX.

The format is documented in docs/import-format.md; `urne.campaign.import_parse` reads and
checks the file, `urne.campaign.import_store` writes the rows (on PostgreSQL through COPY and a
few set-based statements). `do_import_electors` is the only
implementation: the `urne import_electors` command and the back office's upload (through the
Celery task in `urne.campaign.tasks`) both call it.

What it guarantees:
- streaming: the file is read line by line (a workbook row by row) and written in batches, so a
  file of a million lines is never held in memory (only a 16-byte digest per address, to detect
  duplicates);
- all or nothing: one bad line and nothing is written; the report lists every bad line;
- idempotent: importing the same file twice changes nothing the second time; a changed field is
  updated; the scrutins on an elector's line become their roll (entries added and removed);
- electors absent from the file are left as they are (a file may cover a single academy).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from urne.audit import services as audit
from urne.campaign.import_parse import (
    Catalogue,
    Parser,
    Record,
    Row,
    UnreadableFile,
    format_count,
    read_header,
    records,
)
from urne.campaign.import_store import BatchCounts, Writer, writer_for
from urne.campaign.models import Campaign
from urne.campaign.services import RollsFrozen, check_roll_editable
from urne.web.spreadsheet import CSV_SEPARATOR, inert_cell

logger = logging.getLogger(__name__)

__all__ = [
    "ElectorImportRejected",
    "ElectorImportReport",
    "ImportIssue",
    "check_import_allowed",
    "do_import_electors",
    "format_count",
]

BATCH_SIZE: Final = 2000
# Beyond this many, errors are counted but not listed: a file in the wrong format would
# otherwise produce a report as large as itself.
MAX_LISTED_ERRORS: Final = 10_000
PROGRESS_EVERY: Final = 20_000


@dataclass(frozen=True)
class ImportIssue:
    """One problem found in the file; `line` is the spreadsheet's row number (header = 1),
    `column` the header's name of the cell at fault (empty: the whole line or file)."""

    line: int | None
    message: str
    column: str = ""

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("ligne %(line)d : %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ElectorImportReport:
    """What an import did (for a dry run: what it would do); for a rejected file, the errors."""

    campaign: str
    dry_run: bool = False
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    roll_added: int = 0
    roll_removed: int = 0
    errors: list[ImportIssue] = field(default_factory=list)
    error_count: int = 0

    def count(self, batch: BatchCounts) -> None:
        self.created += batch.created
        self.updated += batch.updated
        self.unchanged += batch.unchanged
        self.roll_added += batch.roll_added
        self.roll_removed += batch.roll_removed

    def add_error(self, line: int | None, message: str, column: str = "") -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(ImportIssue(line, message, column))

    def errors_csv(self) -> str:
        """The problems as a CSV file for a spreadsheet (« ; », a header, one problem a row:
        line, column, message), every cell safe from being run as a formula."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
        writer.writerow([_("ligne"), _("colonne"), _("message")])
        for issue in self.errors:
            writer.writerow(
                [
                    "" if issue.line is None else issue.line,
                    inert_cell(issue.column),
                    inert_cell(issue.message),
                ]
            )
        hidden = self.error_count - len(self.errors)
        if hidden:
            writer.writerow(
                ["", "", _("… et %(count)s autres erreurs non détaillées.") % {"count": hidden}]
            )
        return out.getvalue()

    def as_text(self) -> str:
        """The report in French, as printed by the command and shown in the back office."""
        out = [_("Import des électeurs — %(campaign)s") % {"campaign": self.campaign}]
        if self.error_count:
            out.append(
                ngettext(
                    "Import refusé : %(count)s erreur, rien n'a été enregistré.",
                    "Import refusé : %(count)s erreurs, rien n'a été enregistré.",
                    self.error_count,
                )
                % {"count": format_count(self.error_count)}
            )
            out.extend(str(issue) for issue in self.errors)
            hidden = self.error_count - len(self.errors)
            if hidden:
                out.append(
                    _("… et %(count)s autres erreurs non détaillées.")
                    % {"count": format_count(hidden)}
                )
            return "\n".join(out)
        if self.dry_run:
            out.append(_("Essai à blanc : rien n'a été enregistré. L'import ferait :"))
        out.append(_("Lignes lues : %(count)s") % {"count": format_count(self.lines)})
        out.append(
            _("Électeurs créés : %(created)s ; modifiés : %(updated)s ; inchangés : %(unchanged)s")
            % {
                "created": format_count(self.created),
                "updated": format_count(self.updated),
                "unchanged": format_count(self.unchanged),
            }
        )
        out.append(
            _(
                "Inscriptions sur les listes électorales ajoutées : %(added)s ; "
                "retirées : %(removed)s"
            )
            % {"added": format_count(self.roll_added), "removed": format_count(self.roll_removed)}
        )
        return "\n".join(out)


class ElectorImportRejected(Exception):
    """The file (or the moment) is refused: nothing was written; `report.errors` says why."""

    def __init__(self, report: ElectorImportReport) -> None:
        super().__init__(f"{report.error_count} error(s) in the electors file")
        self.report = report


def _email_digest(email: str) -> int:
    # 16 bytes: a collision among a million addresses is as unlikely as a UUID's.
    return int.from_bytes(hashlib.blake2b(email.encode(), digest_size=16).digest(), "big")


def check_import_allowed(campaign: Campaign) -> None:
    """Raise ElectorImportRejected once the rolls are sealed (`check_roll_editable`), with the
    rule's own message."""
    try:
        check_roll_editable(campaign)
    except RollsFrozen as frozen:
        report = ElectorImportReport(campaign=str(campaign))
        report.add_error(None, _("Import refusé : %(reason)s") % {"reason": frozen.message})
        raise ElectorImportRejected(report) from None


def do_import_electors(
    campaign: Campaign,
    source: Iterable[bytes] | Iterable[str],
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    actor: AbstractBaseUser | None = None,
    name: str = "",
) -> ElectorImportReport:
    """Import the electors file `source` into `campaign`, all or nothing.

    `source` is a binary file, CSV or XLSX (told by its content), or lines of a CSV (bytes or
    text); `name`, the file's name as staff gave it, words the messages. `progress` is called
    with the number of lines read so far, every PROGRESS_EVERY lines.

    Returns the report of what was done (for a dry run: what would be done; nothing is kept).
    Raises ElectorImportRejected, with every problem found, if any line is bad; nothing is
    written then. Runs in its own transaction and holds the campaign's row lock throughout, so
    two imports into one campaign run one after the other.

    The rolls are sealed when the vote opens: the rule is checked on the locked campaign as the
    import begins, and again just before it commits, so that an import still running at the
    opening (a large file takes minutes) is rolled back rather than changing a sealed roll.

    Its start and its outcome are written to the audit log ("import.start", "import.finish"),
    outside the import's transaction so that a rejected import is recorded too; `actor` is the
    staff member who asked for it (None: the command line).
    """
    audit.record(actor, "import.start", campaign, dry_run=dry_run)
    try:
        report = _import(campaign, source, dry_run, progress, name)
    except ElectorImportRejected as rejected:
        _record_finish(actor, campaign, "rejected", rejected.report)
        raise
    except BaseException:
        try:
            _record_finish(actor, campaign, "failed", None)
        except Exception:  # the database itself may be what failed: the first error matters
            logger.exception("the failure of an import could not be written to the audit log")
        raise
    _record_finish(actor, campaign, "dry_run" if dry_run else "done", report)
    return report


def _record_finish(
    actor: AbstractBaseUser | None,
    campaign: Campaign,
    outcome: str,
    report: ElectorImportReport | None,
) -> None:
    counts: dict[str, Any] = {}
    if report is not None:
        counts = {
            "lines": report.lines,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "roll_added": report.roll_added,
            "roll_removed": report.roll_removed,
            "errors": report.error_count,
        }
    audit.record(actor, "import.finish", campaign, outcome=outcome, **counts)


def _import(
    campaign: Campaign,
    source: Iterable[bytes] | Iterable[str],
    dry_run: bool,
    progress: Callable[[int], None] | None,
    name: str,
) -> ElectorImportReport:
    check_import_allowed(campaign)
    report = ElectorImportReport(campaign=str(campaign), dry_run=dry_run)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        check_import_allowed(locked)  # its dates as they are now, under the lock
        try:
            _run(
                locked, records(source, name or str(getattr(source, "name", ""))), report, progress
            )
        except UnreadableFile as unreadable:
            report.add_error(None, unreadable.message)
        if report.error_count:
            raise ElectorImportRejected(report)  # leaving the block rolls everything back
        check_import_allowed(locked)  # the vote may have opened while the file was read
        if dry_run:
            transaction.set_rollback(True)
    return report


def _run(
    campaign: Campaign,
    lines: Iterator[Record],
    report: ElectorImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    header, problems = read_header(next(lines, None))
    for line, message in problems:
        report.add_error(line, message)
    if header is None:
        return
    parser = Parser(header, Catalogue(campaign))
    writer: Writer | None = None
    seen: set[int] = set()
    batch: list[Row] = []
    for start, values in lines:
        if isinstance(values, str):
            report.add_error(start, values)
            continue
        if not any(value.strip() for value in values):
            continue  # blank lines, as spreadsheets leave at the end
        report.lines += 1
        if progress is not None and report.lines % PROGRESS_EVERY == 0:
            progress(report.lines)
        row = parser.parse(start, values)
        if not isinstance(row, Row):
            for column, message in row:
                report.add_error(start, message, column)
            continue
        digest = _email_digest(row.email)
        if digest in seen:
            report.add_error(
                start,
                _("l'adresse de messagerie « %(value)s » figure déjà plus haut dans le fichier")
                % {"value": row.email},
                "email",
            )
            continue
        seen.add(digest)
        if report.error_count:
            continue  # the import is lost already: only look for the other bad lines
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            writer = writer or writer_for(campaign, parser.has_birth_dates)
            writer.add(batch)
            batch = []
    if report.error_count:
        return
    writer = writer or writer_for(campaign, parser.has_birth_dates)
    if batch:
        writer.add(batch)
    report.count(writer.finish())
