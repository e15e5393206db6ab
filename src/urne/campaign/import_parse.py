"""Reading the electors file: its format, line by line, without writing anything.

The format is documented in docs/import-format.md; `urne.campaign.imports` runs the import and
`urne.campaign.import_store` writes what this module accepted. Every function here answers with
the rows it could read and, for the others, the problems in French, each with its line and,
when one cell is at fault, its column.

A file is a CSV (UTF-8, « ; ») or an Excel workbook (XLSX, its first sheet), with the same
columns: `records` tells them apart by their first bytes and yields each line's cells as text,
so that everything after it (header, checks, storing) is one code for both.
"""

from __future__ import annotations

import csv
import functools
import os
import pickle
import re
import subprocess
import sys
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Final, cast

import openpyxl
from django.core.validators import EmailValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from urne import clock
from urne.campaign import xlsx_rows
from urne.campaign.models import (
    Academy,
    Campaign,
    Civilite,
    Elector,
    Scrutin,
    name_key,
    normalize_email,
)
from urne.text import first_invisible
from urne.web.spreadsheet import FORMULA_STARTS

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
HEADER: Final = DELIMITER.join(COLUMNS)
# Columns a file may add after them (docs/import-format.md). When a file leaves one out, what
# the electors already have for it is kept.
BIRTH_DATE: Final = "date_naissance"
OPTIONAL_COLUMNS: Final = (BIRTH_DATE,)
_BIRTH_DATE_FORMAT: Final = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_OLDEST_BIRTH_YEAR: Final = 1900
_TEXT_FIELDS: Final = {
    "prenom": "first_name",
    "nom": "last_name",
    "corps": "corps",
    "grade": "grade",
    "etablissement": "establishment",
}
_OPTIONAL: Final = frozenset({"grade", "scrutins"})
# The cells kept as text, which staff later export to spreadsheets: one that starts like a
# formula (=HYPERLINK(...), +, -, @) is refused, as exports would neutralise it anyway
# (urne.web.spreadsheet.FORMULA_STARTS); codes, civilities and dates are checked otherwise.
_FORMULA_CHECKED: Final = ("prenom", "nom", "email", "corps", "grade", "etablissement")
_CIVILITES: Final = {
    "m": Civilite.M,
    "m.": Civilite.M,
    "monsieur": Civilite.M,
    "mme": Civilite.MME,
    "mme.": Civilite.MME,
    "madame": Civilite.MME,
}


def _max_length(name: str) -> int:
    model_field = Elector._meta.get_field(name)
    assert isinstance(model_field, models.CharField) and model_field.max_length  # noqa: S101
    return model_field.max_length


_validate_email = EmailValidator()
# Django's own expression for the part before "@", compiled once (the validator's is lazy, and
# reaching it costs a look-up per address).
_EMAIL_USER: Final = re.compile(
    _validate_email.user_regex.pattern, _validate_email.user_regex.flags
)


@functools.lru_cache(maxsize=4096)
def _valid_email_domain(domain: str) -> bool:
    return domain in _validate_email.domain_allowlist or _validate_email.validate_domain_part(
        domain
    )


def valid_email(address: str) -> bool:
    """Django's EmailValidator's verdict on `address`, with each domain's verdict remembered: a
    file of a million addresses has a few dozen domains, and checking one is the costly part."""
    if not address or "@" not in address or len(address) > 320:
        return False
    user, domain = address.rsplit("@", 1)
    return _EMAIL_USER.match(user) is not None and _valid_email_domain(domain)


_EMAIL_MAX_LENGTH: Final = _max_length("email")
# The model's limits, so that the file and the database never disagree.
_LIMITS: Final = {column: _max_length(name) for column, name in _TEXT_FIELDS.items()}

UNDECODABLE: Final = gettext_noop(
    "caractères illisibles : le fichier doit être enregistré en UTF-8 "
    "(« CSV UTF-8 » dans le tableur)"
)
UNREADABLE: Final = gettext_noop(
    "ligne illisible : guillemets mal placés (un champ contenant « ; » doit être entre guillemets)"
)
NOT_A_WORKBOOK: Final = gettext_noop(
    "le fichier « %(name)s » n'est pas un classeur Excel (XLSX) lisible : enregistrez-le depuis "
    "le tableur au format « Classeur Excel (.xlsx) », ou en « CSV UTF-8 »"
)
OLD_WORKBOOK: Final = gettext_noop(
    "le fichier est un classeur Excel de l'ancien format (.xls), que urne ne lit pas : "
    "enregistrez-le depuis le tableur au format « Classeur Excel (.xlsx) », ou en « CSV UTF-8 »"
)
WORKBOOK_ON_A_STREAM: Final = gettext_noop(
    "le fichier est un classeur (XLSX) : donnez-le comme un fichier, pas sur l'entrée standard, "
    "ou enregistrez-le en « CSV UTF-8 »"
)
_TOO_LONG: Final = gettext_noop(
    "ligne illisible : un champ dépasse %(max)s caractères ; un guillemet ouvert et jamais "
    "refermé lui a sans doute fait avaler les lignes suivantes"
)


def unreadable_message(error: csv.Error) -> str:
    """Why the CSV reader gave up on a record, in French.

    The reader's only refusal that is not about quotes is a field beyond its size limit; it
    says so in its message, the one way to tell the two apart.
    """
    if str(error).startswith("field larger than field limit"):
        return _(_TOO_LONG) % {"max": format_count(csv.field_size_limit())}
    return _(UNREADABLE)


def format_count(value: int) -> str:
    """French digit grouping with a narrow no-break space: 100 000."""
    return f"{value:,}".replace(",", "\u202f")


def fold(name: str) -> str:
    """A header name as compared: trimmed, lower case, without accents (« Prénom » = prenom)."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def forbidden_character(value: str) -> str | None:
    """The first character of `value` that has no place in a name, address or code: one that
    people cannot see (urne.text: controls such as NUL, which PostgreSQL refuses in text, bidi
    overrides that make a name read backwards, zero-width and ignorable characters that make two
    identical-looking names differ), or None."""
    return first_invisible(value)


def describe_character(character: str) -> str:
    """U+202E (RIGHT-TO-LEFT OVERRIDE): what staff can look up, since it cannot be seen."""
    name = unicodedata.name(character, "")
    code = f"U+{ord(character):04X}"
    return f"{code} ({name})" if name else code


@dataclass(frozen=True, slots=True)
class Row:
    """One elector's line, checked: ready to be stored."""

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
    birth_date: date | None = None
    """From the optional column « date_naissance » (None when empty or absent)."""

    @property
    def last_name_key(self) -> str:
        return name_key(self.last_name)

    @property
    def first_name_key(self) -> str:
        return name_key(self.first_name)


class Lines:
    """Decodes the file line by line, remembering which physical lines were not UTF-8.

    Accepts text lines or bytes lines (a file opened in binary mode, an upload, an iterator);
    a byte order mark at the start is dropped.
    """

    def __init__(self, source: Iterable[bytes] | Iterable[str]) -> None:
        self._source = source
        self.physical = 0
        self.undecodable: deque[int] = deque()
        self.first_bytes = b""

    def __iter__(self) -> Iterator[str]:
        for raw in self._source:
            self.physical += 1
            if isinstance(raw, bytes):
                if self.physical == 1:
                    self.first_bytes = raw[:8]
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


def reader(lines: Lines) -> Iterator[list[str]]:
    return csv.reader(lines, delimiter=DELIMITER, strict=True)


Record = tuple[int, list[str] | str]
"""One line of the file: its number (the spreadsheet's, header = 1) and its cells as text, or
why it could not be read."""

Problem = tuple[str, str]
"""One problem of a line: the column at fault (empty when the whole line is) and the message."""

_ZIP_MAGIC: Final = b"PK\x03\x04"
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0"  # the binary .xls of Excel 97-2003
_WORKBOOK_SUFFIXES: Final = (".xlsx", ".xlsm", ".xls")


class UnreadableFile(Exception):
    """The whole file is refused before any line (not a workbook, an old .xls...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def records(source: Iterable[bytes] | Iterable[str], name: str = "") -> Iterator[Record]:
    """The file's lines, whether a CSV or an XLSX workbook (told by its first bytes).

    `source` is a binary file (a workbook needs one: it is a zip, read from its end), or any
    iterable of lines (a CSV only). `name` (the file's name as staff gave it) only words the
    messages. Raises UnreadableFile when the file is neither.
    """
    seekable = getattr(source, "seekable", None)
    if hasattr(source, "read") and seekable is not None and seekable():
        # (A pipe, such as standard input, cannot go back: it is read as a CSV.)
        stream = cast(IO[bytes], source)
        head = stream.read(8)
        stream.seek(0)
        if isinstance(head, bytes):
            if head.startswith(_ZIP_MAGIC):
                return xlsx_records(stream, name)
            if head.startswith(_OLE_MAGIC):
                raise UnreadableFile(_(OLD_WORKBOOK))
            if name.lower().endswith(_WORKBOOK_SUFFIXES):
                raise UnreadableFile(_(NOT_A_WORKBOOK) % {"name": name})
    return csv_records(source)


def csv_records(source: Iterable[bytes] | Iterable[str]) -> Iterator[Record]:
    """A CSV file's records; a line that is not UTF-8, or whose quotes are wrong, is reported
    and the reading goes on."""
    lines = Lines(source)
    rows = reader(lines)
    while True:
        start = lines.physical + 1
        try:
            values = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            _refuse_workbook(lines, start)
            yield start, unreadable_message(error)
            continue
        _refuse_workbook(lines, start)
        if lines.undecodable_up_to(lines.physical):
            yield start, _(UNDECODABLE)
            continue
        yield start, values


def _refuse_workbook(lines: Lines, start: int) -> None:
    # A workbook given as a stream of lines (standard input) cannot be read: say so rather
    # than report its binary content as a bad header.
    if start == 1 and lines.first_bytes.startswith(_ZIP_MAGIC):
        raise UnreadableFile(_(WORKBOOK_ON_A_STREAM))


def xlsx_records(stream: IO[bytes], name: str = "") -> Iterator[Record]:
    """The first sheet's rows (`urne.campaign.xlsx_rows`), numbered as the spreadsheet shows
    them. A workbook that is a file on disk is read in a child process, on another core, while
    this one checks and stores the rows; any other stream is read here."""
    path = _path_of(stream)
    return _numbered(_child_rows(path) if path is not None else xlsx_rows.sheet_rows(stream), name)


def _path_of(stream: IO[bytes]) -> str | None:
    # A file opened from disk, possibly wrapped (Django's File and FieldFile keep it as `file`).
    for candidate in (stream, getattr(stream, "file", None)):
        name = getattr(candidate, "name", None)
        if isinstance(name, str) and os.path.isabs(name) and os.path.isfile(name):
            return name
    return None


def _child_rows(path: str) -> Iterator[list[str]]:
    child = subprocess.Popen(  # noqa: S603 - this interpreter, our module, the file's path
        [sys.executable, "-m", "urne.campaign.xlsx_rows", path],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert child.stdout is not None  # noqa: S101
    try:
        while True:
            # Pickles from our own child (urne.campaign.xlsx_rows), through a pipe.
            batch = pickle.load(child.stdout)  # noqa: S301
            if batch is None:
                return
            if isinstance(batch, str):  # the child could not read it: the class of its error
                raise ValueError(batch)
            yield from batch
    finally:
        child.stdout.close()
        if child.poll() is None:
            child.kill()
        child.wait()


def _numbered(rows: Iterator[list[str]], name: str) -> Iterator[Record]:
    try:
        yield from enumerate(rows, start=1)
    # A zip that is not a workbook fails anywhere in openpyxl (missing part, bad XML, no sheet,
    # a sheet broken half-way): each is the same answer for staff.
    except Exception:
        raise UnreadableFile(_(NOT_A_WORKBOOK) % {"name": name or "?"}) from None


def count_lines(stream: IO[bytes]) -> int | None:
    """About how many lines the file has under its header (for the progress shown to staff),
    or None if it cannot tell; the stream is left at its start. A CSV's line ends are counted
    (a quoted field over several lines counts more); a workbook says its size."""
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(_ZIP_MAGIC):
        try:
            workbook = openpyxl.load_workbook(stream, read_only=True)
            rows = workbook.worksheets[0].max_row
            workbook.close()
        except Exception:  # the import itself will say what is wrong
            rows = None
        finally:
            stream.seek(0)
        return max(0, rows - 1) if rows else None
    count, last = 0, b"\n"
    while chunk := stream.read(1 << 20):
        count += chunk.count(b"\n")
        last = chunk[-1:]
    stream.seek(0)
    if last != b"\n":
        count += 1
    return max(0, count - 1)


class Catalogue:
    """The campaign's academies and scrutins by code, read once."""

    def __init__(self, campaign: Campaign) -> None:
        self.academies = {a.code: a for a in Academy.objects.filter(campaign=campaign)}
        self.scrutins = {s.code: s for s in Scrutin.objects.filter(campaign=campaign)}
        self.academy_names = {a.pk: a.name for a in self.academies.values()}


def read_header(first: Record | None) -> tuple[list[str] | None, list[tuple[int | None, str]]]:
    """The header's names from the file's first record, or None and the problems (line,
    message) that make the file unreadable."""
    if first is None:
        return None, [(None, _("Le fichier est vide : la ligne d'en-tête manque."))]
    line, header = first
    if isinstance(header, str):
        return None, [(line, header)]
    if len(header) == 1 and any(sep in header[0] for sep in (",", "\t")):
        return None, [(1, _("le séparateur des colonnes doit être le point-virgule « ; »"))]
    problems: list[tuple[int | None, str]] = [(1, message) for message in _header_problems(header)]
    return (None, problems) if problems else (header, [])


def _header_problems(header: list[str]) -> list[str]:
    problems = []
    folded = [fold(name) for name in header]
    for name in COLUMNS:
        if name not in folded:
            problems.append(_("colonne manquante « %(column)s »") % {"column": name})
    seen: set[str] = set()
    for original, name in zip(header, folded, strict=True):
        if name in seen:
            problems.append(_("colonne en double « %(column)s »") % {"column": original})
        elif name not in COLUMNS and name not in OPTIONAL_COLUMNS:
            problems.append(
                _(
                    "colonne inconnue « %(column)s » (colonnes attendues : %(expected)s ; "
                    "facultative : %(optional)s)"
                )
                % {
                    "column": original,
                    "expected": HEADER,
                    "optional": ", ".join(OPTIONAL_COLUMNS),
                }
            )
        seen.add(name)
    return problems


class Parser:
    """Checks one record against the format; collects every problem of the line."""

    def __init__(self, header: list[str], catalogue: Catalogue) -> None:
        self.index = {fold(name): i for i, name in enumerate(header)}
        self.width = len(header)
        self.catalogue = catalogue
        self.has_birth_dates = BIRTH_DATE in self.index
        """Whether the file gives birth dates: without the column, the stored ones are kept."""
        self._columns = (*COLUMNS, *(name for name in OPTIONAL_COLUMNS if name in self.index))

    def parse(self, line: int, values: list[str]) -> Row | list[Problem]:
        """The row, or each of its problems (at least one), with the column at fault."""
        if len(values) != self.width:
            return [
                (
                    "",
                    _("%(found)d colonnes au lieu de %(expected)d (séparateur attendu : « ; »)")
                    % {"found": len(values), "expected": self.width},
                )
            ]
        cell = {name: values[self.index[name]].strip() for name in self._columns}
        problems: list[Problem] = []

        # Nearly every line is clear: one look at the whole line, then at its cells if not.
        if forbidden_character("".join(cell.values())) is not None:
            for name in self._columns:
                character = forbidden_character(cell[name])
                if character is not None:
                    problems.append(
                        (
                            name,
                            _(
                                "le champ « %(column)s » contient un caractère interdit : "
                                "%(character)s"
                            )
                            % {"column": name, "character": describe_character(character)},
                        )
                    )
            if problems:
                return problems  # the cells' other checks would only repeat it less clearly

        for name in _FORMULA_CHECKED:
            if cell[name].startswith(FORMULA_STARTS):
                problems.append(
                    (
                        name,
                        _(
                            "le champ « %(column)s » commence par « %(start)s » : un tableur "
                            "le prendrait pour une formule (refusé ; écrivez-le sans ce signe "
                            "en tête)"
                        )
                        % {"column": name, "start": cell[name][0]},
                    )
                )

        for name in COLUMNS:
            if not cell[name] and name not in _OPTIONAL:
                problems.append((name, _("le champ « %(column)s » est vide") % {"column": name}))

        civilite = _CIVILITES.get(cell["civilite"].lower())
        if cell["civilite"] and civilite is None:
            problems.append(
                (
                    "civilite",
                    _("civilité « %(value)s » inconnue (attendu : M. ou Mme)")
                    % {"value": cell["civilite"]},
                )
            )

        email = normalize_email(cell["email"])
        if cell["email"]:
            if len(email) > _EMAIL_MAX_LENGTH:
                problems.append(
                    (
                        "email",
                        _("l'adresse de messagerie dépasse %(max)d caractères")
                        % {"max": _EMAIL_MAX_LENGTH},
                    )
                )
            elif not valid_email(email):
                problems.append(
                    (
                        "email",
                        _("adresse de messagerie invalide « %(value)s »")
                        % {"value": cell["email"]},
                    )
                )

        for column, limit in _LIMITS.items():
            if len(cell[column]) > limit:
                problems.append(
                    (
                        column,
                        _("le champ « %(column)s » dépasse %(max)d caractères (%(length)d)")
                        % {"column": column, "max": limit, "length": len(cell[column])},
                    )
                )

        academy = self.catalogue.academies.get(cell["academie"])
        if cell["academie"] and academy is None:
            problems.append(
                (
                    "academie",
                    _("code d'académie inconnu « %(value)s »") % {"value": cell["academie"]},
                )
            )

        birth_date, birth_date_problem = parse_birth_date(cell.get(BIRTH_DATE, ""))
        if birth_date_problem:
            problems.append((BIRTH_DATE, birth_date_problem))

        scrutin_ids: set[int] = set()
        for code in (c.strip() for c in cell["scrutins"].split(SCRUTIN_SEPARATOR)):
            if not code:
                continue
            scrutin = self.catalogue.scrutins.get(code)
            if scrutin is None:
                problems.append(
                    ("scrutins", _("code de scrutin inconnu « %(value)s »") % {"value": code})
                )
            elif (
                academy is not None
                and scrutin.academy_id is not None
                and scrutin.academy_id != academy.pk
            ):
                # An academic (or departmental) scrutin belongs to one academy's electors.
                problems.append(
                    (
                        "scrutins",
                        _(
                            "le scrutin « %(code)s » relève de l'académie de %(other)s, "
                            "pas de %(own)s"
                        )
                        % {
                            "code": code,
                            "other": self.catalogue.academy_names.get(scrutin.academy_id, "?"),
                            "own": academy.name,
                        },
                    )
                )
            else:
                scrutin_ids.add(scrutin.pk)

        if problems:
            return problems
        # Without a problem, both were found (an empty cell is a problem).
        assert civilite is not None and academy is not None  # noqa: S101
        return Row(
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
            birth_date=birth_date,
        )


def parse_birth_date(text: str) -> tuple[date | None, str]:
    """A date of birth written JJ/MM/AAAA (empty: none), or the problem in French."""
    if not text:
        return None, ""
    match = _BIRTH_DATE_FORMAT.match(text)
    problem = _("date de naissance « %(value)s » invalide (attendu : JJ/MM/AAAA)") % {"value": text}
    if match is None:
        return None, problem
    day, month, year = (int(part) for part in match.groups())
    try:
        born = date(year, month, day)
    except ValueError:
        return None, problem
    if year < _OLDEST_BIRTH_YEAR or born >= clock.now().date():
        return None, _("date de naissance « %(value)s » impossible") % {"value": text}
    return born, ""
