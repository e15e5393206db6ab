"""Importing electors and their rolls from the administration's CSV file.

The format is documented in docs/import-format.md. `do_import_electors` is the only
implementation: the `urne import_electors` command and the back office's upload (through the
Celery task in `urne.campaign.tasks`) both call it.

What it guarantees:
- streaming: the file is read line by line and written in batches, so a file of a million lines
  is never held in memory (only a 16-byte digest per address, to detect duplicates);
- all or nothing: one bad line and nothing is written; the report lists every bad line;
- idempotent: importing the same file twice changes nothing the second time; a changed field is
  updated; the scrutins on an elector's line become their roll (entries added and removed);
- electors absent from the file are left as they are (a file may cover a single academy).
"""

from __future__ import annotations

import csv
import hashlib
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from urne.campaign.models import (
    Academy,
    Campaign,
    Civilite,
    Elector,
    RollEntry,
    Scrutin,
    normalize_email,
)
from urne.campaign.services import RollsFrozen, check_roll_editable

DELIMITER: Final = ";"
SCRUTIN_SEPARATOR: Final = "|"

# The header's names, in the documented order.
COLUMNS: Final = (
    "civilite",
    "prenom",
    "nom",
    "email",
    "corps",
    "grade",
    "etablissement",
    "academie",
    "scrutins",
)
_TEXT_FIELDS: Final = {
    "prenom": "first_name",
    "nom": "last_name",
    "corps": "corps",
    "grade": "grade",
    "etablissement": "establishment",
}
_OPTIONAL: Final = frozenset({"grade", "scrutins"})
_CIVILITES: Final = {
    "m": Civilite.M,
    "m.": Civilite.M,
    "monsieur": Civilite.M,
    "mme": Civilite.MME,
    "mme.": Civilite.MME,
    "madame": Civilite.MME,
}
# The fields an import may change on an existing elector (the email is the key).
UPDATED_FIELDS: Final = (
    "civilite",
    "first_name",
    "last_name",
    "corps",
    "grade",
    "establishment",
    "academy_id",
)

BATCH_SIZE: Final = 2000
# Beyond this many, errors are counted but not listed: a file in the wrong format would
# otherwise produce a report as large as itself.
MAX_LISTED_ERRORS: Final = 10_000
PROGRESS_EVERY: Final = 100_000


def _max_length(name: str) -> int:
    model_field = Elector._meta.get_field(name)
    assert isinstance(model_field, models.CharField) and model_field.max_length  # noqa: S101
    return model_field.max_length


_validate_email = EmailValidator()
_EMAIL_MAX_LENGTH: Final = _max_length("email")
# The model's limits, so that the file and the database never disagree.
_LIMITS: Final = {column: _max_length(name) for column, name in _TEXT_FIELDS.items()}


@dataclass(frozen=True)
class ImportIssue:
    """One problem found in the file; `line` is the spreadsheet's row number (header = 1)."""

    line: int | None
    message: str

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

    def add_error(self, line: int | None, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(ImportIssue(line, message))

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


def format_count(value: int) -> str:
    """French digit grouping with a narrow no-break space: 100 000."""
    return f"{value:,}".replace(",", "\u202f")


def _fold(name: str) -> str:
    """A header name as compared: trimmed, lower case, without accents (« Prénom » = prenom)."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    email: str
    civilite: str
    first_name: str
    last_name: str
    corps: str
    grade: str
    establishment: str
    academy_id: int
    scrutin_ids: frozenset[int]


class _Lines:
    """Decodes the file line by line, remembering which physical lines were not UTF-8.

    Accepts text lines or bytes lines (a file opened in binary mode, an upload, an iterator);
    a byte order mark at the start is dropped.
    """

    def __init__(self, source: Iterable[bytes] | Iterable[str]) -> None:
        self._source = source
        self.physical = 0
        self.undecodable: deque[int] = deque()

    def __iter__(self) -> Iterator[str]:
        for raw in self._source:
            self.physical += 1
            if isinstance(raw, bytes):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    self.undecodable.append(self.physical)
                    text = raw.decode("utf-8", errors="replace")
            else:
                text = raw
            if self.physical == 1:
                text = text.removeprefix("\ufeff")
            yield text

    def undecodable_up_to(self, last: int) -> bool:
        """Whether a line up to `last` failed to decode (and forget them)."""
        found = bool(self.undecodable) and self.undecodable[0] <= last
        while self.undecodable and self.undecodable[0] <= last:
            self.undecodable.popleft()
        return found


class _Catalogue:
    """The campaign's academies and scrutins by code, read once."""

    def __init__(self, campaign: Campaign) -> None:
        self.academies = {a.code: a for a in Academy.objects.filter(campaign=campaign)}
        self.scrutins = {s.code: s for s in Scrutin.objects.filter(campaign=campaign)}
        self.academy_names = {a.pk: a.name for a in self.academies.values()}


class _Parser:
    """Checks one record against the format; collects every problem of the line."""

    def __init__(self, header: list[str], catalogue: _Catalogue) -> None:
        self.index = {_fold(name): i for i, name in enumerate(header)}
        self.width = len(header)
        self.catalogue = catalogue

    def parse(self, line: int, values: list[str], report: ElectorImportReport) -> _Row | None:
        """The row, or None after adding each of its problems to the report."""
        if len(values) != self.width:
            report.add_error(
                line,
                _("%(found)d colonnes au lieu de %(expected)d (séparateur attendu : « ; »)")
                % {"found": len(values), "expected": self.width},
            )
            return None
        cell = {name: values[self.index[name]].strip() for name in COLUMNS}
        errors_before = report.error_count

        for name in COLUMNS:
            if not cell[name] and name not in _OPTIONAL:
                report.add_error(line, _("le champ « %(column)s » est vide") % {"column": name})

        civilite = _CIVILITES.get(cell["civilite"].lower())
        if cell["civilite"] and civilite is None:
            report.add_error(
                line,
                _("civilité « %(value)s » inconnue (attendu : M. ou Mme)")
                % {"value": cell["civilite"]},
            )

        email = normalize_email(cell["email"])
        if cell["email"]:
            if len(email) > _EMAIL_MAX_LENGTH:
                report.add_error(
                    line,
                    _("l'adresse de messagerie dépasse %(max)d caractères")
                    % {"max": _EMAIL_MAX_LENGTH},
                )
            else:
                try:
                    _validate_email(email)
                except ValidationError:
                    report.add_error(
                        line,
                        _("adresse de messagerie invalide « %(value)s »")
                        % {"value": cell["email"]},
                    )

        for column, limit in _LIMITS.items():
            if len(cell[column]) > limit:
                report.add_error(
                    line,
                    _("le champ « %(column)s » dépasse %(max)d caractères (%(length)d)")
                    % {"column": column, "max": limit, "length": len(cell[column])},
                )

        academy = self.catalogue.academies.get(cell["academie"])
        if cell["academie"] and academy is None:
            report.add_error(
                line, _("code d'académie inconnu « %(value)s »") % {"value": cell["academie"]}
            )

        scrutin_ids: set[int] = set()
        for code in (c.strip() for c in cell["scrutins"].split(SCRUTIN_SEPARATOR)):
            if not code:
                continue
            scrutin = self.catalogue.scrutins.get(code)
            if scrutin is None:
                report.add_error(line, _("code de scrutin inconnu « %(value)s »") % {"value": code})
            elif (
                academy is not None
                and scrutin.academy_id is not None
                and scrutin.academy_id != academy.pk
            ):
                # An academic (or departmental) scrutin belongs to one academy's electors.
                report.add_error(
                    line,
                    _("le scrutin « %(code)s » relève de l'académie de %(other)s, pas de %(own)s")
                    % {
                        "code": code,
                        "other": self.catalogue.academy_names.get(scrutin.academy_id, "?"),
                        "own": academy.name,
                    },
                )
            else:
                scrutin_ids.add(scrutin.pk)

        if report.error_count != errors_before or civilite is None or academy is None:
            return None
        return _Row(
            line=line,
            email=email,
            civilite=civilite,
            first_name=cell["prenom"],
            last_name=cell["nom"],
            corps=cell["corps"],
            grade=cell["grade"],
            establishment=cell["etablissement"],
            academy_id=academy.pk,
            scrutin_ids=frozenset(scrutin_ids),
        )


_UNDECODABLE = gettext_noop(
    "caractères illisibles : le fichier doit être enregistré en UTF-8 "
    "(« CSV UTF-8 » dans le tableur)"
)
_UNREADABLE = gettext_noop(
    "ligne illisible : guillemets mal placés ou caractère interdit "
    "(un champ contenant « ; » doit être entre guillemets)"
)


def _read_header(
    reader: Iterator[list[str]], lines: _Lines, report: ElectorImportReport
) -> list[str] | None:
    """The header's names, or None after reporting why the file cannot be read at all."""
    try:
        header = next(reader)
    except StopIteration:
        report.add_error(None, _("Le fichier est vide : la ligne d'en-tête manque."))
        return None
    except csv.Error:
        report.add_error(1, _(_UNREADABLE))
        return None
    if lines.undecodable_up_to(lines.physical):
        report.add_error(1, _(_UNDECODABLE))
        return None
    if len(header) == 1 and any(sep in header[0] for sep in (",", "\t")):
        report.add_error(1, _("le séparateur des colonnes doit être le point-virgule « ; »"))
        return None
    _check_header(header, report)
    return None if report.error_count else header


def _check_header(header: list[str], report: ElectorImportReport) -> None:
    folded = [_fold(name) for name in header]
    for name in COLUMNS:
        if name not in folded:
            report.add_error(1, _("colonne manquante « %(column)s »") % {"column": name})
    seen: set[str] = set()
    for original, name in zip(header, folded, strict=True):
        if name in seen:
            report.add_error(1, _("colonne en double « %(column)s »") % {"column": original})
        elif name not in COLUMNS:
            report.add_error(
                1,
                _("colonne inconnue « %(column)s » (colonnes attendues : %(expected)s)")
                % {"column": original, "expected": DELIMITER.join(COLUMNS)},
            )
        seen.add(name)


def _executemany(
    model: type[models.Model], columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """INSERT `rows` with one prepared statement run for all of them.

    Django's bulk_create builds one large statement per batch and instantiates its expressions
    row by row; the driver's executemany does the same work several times faster.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    # Only the model's own table and column names go into the text, quoted; values are bound.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insert(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """INSERT unsaved model instances, each value prepared by its field as Django would
    (defaults included)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [
        tuple(f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields)
        for obj in objects
    ]
    _executemany(model, [f.column for f in fields], rows)


# A roll entry is a bare link: its rows are written straight from the pairs of keys, which
# saves a model instance per entry (millions of them). Should the model ever gain another
# column, the entries go through their model instances again.
_ROLL_IS_A_LINK: Final = {
    f.attname for f in RollEntry._meta.concrete_fields if not f.primary_key
} == {"elector_id", "scrutin_id"}


def _insert_roll(pairs: list[tuple[int, int]]) -> None:
    """Add (elector id, scrutin id) pairs to the roll."""
    if _ROLL_IS_A_LINK:
        _executemany(RollEntry, [_roll_column("elector_id"), _roll_column("scrutin_id")], pairs)
    else:
        _insert(RollEntry, [RollEntry(elector_id=e, scrutin_id=s) for e, s in pairs])


def _roll_column(name: str) -> str:
    model_field = RollEntry._meta.get_field(name)
    assert isinstance(model_field, models.Field)  # noqa: S101
    return model_field.column


def _column(name: str) -> str:
    model_field = Elector._meta.get_field(name)
    assert isinstance(model_field, models.Field)  # noqa: S101
    return model_field.column


_IMPORTED: Final = ("campaign_id", "email", *UPDATED_FIELDS)
_ELECTOR_FIELDS: Final = [f for f in Elector._meta.concrete_fields if not f.primary_key]
# The file gives plain text and keys, ready for the database; every other column takes its
# default. When those defaults are constants (today: invitation_sent_at, empty), rows are
# written straight from the file; a default computed per row (a token, a date) would need the
# model instances again.
_ELECTOR_DEFAULTS_ARE_CONSTANT: Final = all(
    not callable(f.default)
    and not getattr(f, "auto_now", False)
    and not getattr(f, "auto_now_add", False)
    for f in _ELECTOR_FIELDS
    if f.attname not in _IMPORTED
)


def _insert_electors(campaign: Campaign, created: list[tuple[str, tuple[str | int, ...]]]) -> None:
    """Add new electors, (email, values of UPDATED_FIELDS) each."""
    if not _ELECTOR_DEFAULTS_ARE_CONSTANT:
        _insert(
            Elector,
            [
                Elector(
                    campaign=campaign, email=email, **dict(zip(UPDATED_FIELDS, values, strict=True))
                )
                for email, values in created
            ],
        )
        return
    defaults = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in _ELECTOR_FIELDS
        if f.attname not in _IMPORTED
    }
    rows = []
    for email, values in created:
        given = {
            "campaign_id": campaign.pk,
            "email": email,
            **dict(zip(UPDATED_FIELDS, values, strict=True)),
        }
        rows.append(
            tuple(
                given[f.attname] if f.attname in given else defaults[f.attname]
                for f in _ELECTOR_FIELDS
            )
        )
    _executemany(Elector, [f.column for f in _ELECTOR_FIELDS], rows)


def _update_electors(changes: list[tuple[int, tuple[str | int, ...]]]) -> None:
    """UPDATE the changed electors, (id, new values of UPDATED_FIELDS) each, in one statement
    run for all of them (Django's bulk_update is two orders of magnitude slower here)."""
    if not changes:
        return
    columns = [_column(name) for name in UPDATED_FIELDS]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names only, as in _insert
        quote(Elector._meta.db_table),
        ", ".join(f"{quote(column)} = %s" for column in columns),
        quote(Elector._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*values, pk) for pk, values in changes])


def _write_batch(campaign: Campaign, rows: list[_Row], report: ElectorImportReport) -> None:
    """Create or update the batch's electors and set their rolls: a few statements per batch."""
    existing = {
        email: (pk, tuple(values))
        for pk, email, *values in Elector.objects.filter(
            campaign=campaign, email__in=[row.email for row in rows]
        ).values_list("id", "email", *UPDATED_FIELDS)
    }
    created: list[tuple[str, tuple[str | int, ...]]] = []
    changed: list[tuple[int, tuple[str | int, ...]]] = []
    for row in rows:
        values = tuple(getattr(row, name) for name in UPDATED_FIELDS)
        found = existing.get(row.email)
        if found is None:
            created.append((row.email, values))
        elif found[1] != values:
            changed.append((found[0], values))
    _insert_electors(campaign, created)
    _update_electors(changed)
    report.created += len(created)
    report.updated += len(changed)
    report.unchanged += len(existing) - len(changed)

    ids = {email: pk for email, (pk, _) in existing.items()}
    if created:
        ids.update(
            Elector.objects.filter(
                campaign=campaign, email__in=[email for email, _ in created]
            ).values_list("email", "id")
        )

    current: dict[int, dict[int, int]] = {}
    if existing:
        for entry_id, elector_id, scrutin_id in RollEntry.objects.filter(
            elector_id__in=[pk for pk, _ in existing.values()]
        ).values_list("id", "elector_id", "scrutin_id"):
            current.setdefault(elector_id, {})[scrutin_id] = entry_id
    added: list[tuple[int, int]] = []
    removed: list[int] = []
    for row in rows:
        elector_id = ids[row.email]
        entries = current.get(elector_id, {})
        added.extend((elector_id, scrutin_id) for scrutin_id in row.scrutin_ids - entries.keys())
        removed.extend(
            entry_id
            for scrutin_id, entry_id in entries.items()
            if scrutin_id not in row.scrutin_ids
        )
    _insert_roll(added)
    if removed:
        RollEntry.objects.filter(id__in=removed).delete()
    report.roll_added += len(added)
    report.roll_removed += len(removed)


def _email_digest(email: str) -> int:
    # 16 bytes: a collision among a million addresses is as unlikely as a UUID's.
    return int.from_bytes(hashlib.blake2b(email.encode(), digest_size=16).digest(), "big")


def check_import_allowed(campaign: Campaign) -> None:
    """Raise ElectorImportRejected once the rolls are sealed (`check_roll_editable`)."""
    try:
        check_roll_editable(campaign)
    except RollsFrozen:
        report = ElectorImportReport(campaign=str(campaign))
        report.add_error(
            None,
            _(
                "Import refusé : le vote est ouvert depuis le %(date)s, les listes électorales "
                "sont scellées."
            )
            % {"date": f"{timezone.localtime(campaign.vote_opens_at):%d/%m/%Y à %H:%M}"},
        )
        raise ElectorImportRejected(report) from None


def do_import_electors(
    campaign: Campaign,
    source: Iterable[bytes] | Iterable[str],
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ElectorImportReport:
    """Import the electors file `source` (lines, bytes or text) into `campaign`, all or nothing.

    Returns the report of what was done (for a dry run: what would be done; nothing is kept).
    Raises ElectorImportRejected, with every problem found, if any line is bad; nothing is
    written then. Runs in its own transaction and holds the campaign's row lock throughout, so
    two imports into one campaign run one after the other.
    """
    check_import_allowed(campaign)
    report = ElectorImportReport(campaign=str(campaign), dry_run=dry_run)
    lines = _Lines(source)
    reader = csv.reader(lines, delimiter=DELIMITER, strict=True)
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        _run(campaign, reader, lines, report, progress)
        if report.error_count:
            raise ElectorImportRejected(report)  # leaving the block rolls everything back
        if dry_run:
            transaction.set_rollback(True)
    return report


def _run(
    campaign: Campaign,
    reader: Iterator[list[str]],
    lines: _Lines,
    report: ElectorImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    header = _read_header(reader, lines, report)
    if header is None:
        return
    parser = _Parser(header, _Catalogue(campaign))
    seen: set[int] = set()
    batch: list[_Row] = []
    while True:
        start = lines.physical + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:
            report.add_error(start, _(_UNREADABLE))
            continue
        if lines.undecodable_up_to(lines.physical):
            report.add_error(start, _(_UNDECODABLE))
            continue
        if not any(value.strip() for value in values):
            continue  # blank lines, as spreadsheets leave at the end
        report.lines += 1
        if progress is not None and report.lines % PROGRESS_EVERY == 0:
            progress(report.lines)
        row = parser.parse(start, values, report)
        if row is None:
            continue
        digest = _email_digest(row.email)
        if digest in seen:
            report.add_error(
                start,
                _("l'adresse de messagerie « %(value)s » figure déjà plus haut dans le fichier")
                % {"value": row.email},
            )
            continue
        seen.add(digest)
        if report.error_count:
            continue  # the import is lost already: only look for the other bad lines
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            _write_batch(campaign, batch, report)
            batch = []
    if batch and not report.error_count:
        _write_batch(campaign, batch, report)
