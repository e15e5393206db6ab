"""Reading the electors file: its format, line by line, without writing anything.

The format is documented in docs/import-format.md; `urne.campaign.imports` runs the import and
`urne.campaign.import_store` writes what this module accepted. Every function here answers with
the rows it could read and, for the others, the problems in French, each with its line.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Final

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from urne import clock
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


def reader(lines: Lines) -> Iterator[list[str]]:
    return csv.reader(lines, delimiter=DELIMITER, strict=True)


class Catalogue:
    """The campaign's academies and scrutins by code, read once."""

    def __init__(self, campaign: Campaign) -> None:
        self.academies = {a.code: a for a in Academy.objects.filter(campaign=campaign)}
        self.scrutins = {s.code: s for s in Scrutin.objects.filter(campaign=campaign)}
        self.academy_names = {a.pk: a.name for a in self.academies.values()}


def read_header(
    records: Iterator[list[str]], lines: Lines
) -> tuple[list[str] | None, list[tuple[int | None, str]]]:
    """The header's names, or None and the problems (line, message) that make the file
    unreadable."""
    try:
        header = next(records)
    except StopIteration:
        return None, [(None, _("Le fichier est vide : la ligne d'en-tête manque."))]
    except csv.Error as error:
        return None, [(1, unreadable_message(error))]
    if lines.undecodable_up_to(lines.physical):
        return None, [(1, _(UNDECODABLE))]
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

    def parse(self, line: int, values: list[str]) -> Row | list[str]:
        """The row, or each of its problems (at least one)."""
        if len(values) != self.width:
            return [
                _("%(found)d colonnes au lieu de %(expected)d (séparateur attendu : « ; »)")
                % {"found": len(values), "expected": self.width}
            ]
        cell = {name: values[self.index[name]].strip() for name in self._columns}
        problems: list[str] = []

        for name in self._columns:
            character = forbidden_character(cell[name])
            if character is not None:
                problems.append(
                    _("le champ « %(column)s » contient un caractère interdit : %(character)s")
                    % {"column": name, "character": describe_character(character)}
                )
        if problems:
            return problems  # the cells' other checks would only repeat it less clearly

        for name in COLUMNS:
            if not cell[name] and name not in _OPTIONAL:
                problems.append(_("le champ « %(column)s » est vide") % {"column": name})

        civilite = _CIVILITES.get(cell["civilite"].lower())
        if cell["civilite"] and civilite is None:
            problems.append(
                _("civilité « %(value)s » inconnue (attendu : M. ou Mme)")
                % {"value": cell["civilite"]}
            )

        email = normalize_email(cell["email"])
        if cell["email"]:
            if len(email) > _EMAIL_MAX_LENGTH:
                problems.append(
                    _("l'adresse de messagerie dépasse %(max)d caractères")
                    % {"max": _EMAIL_MAX_LENGTH}
                )
            else:
                try:
                    _validate_email(email)
                except ValidationError:
                    problems.append(
                        _("adresse de messagerie invalide « %(value)s »") % {"value": cell["email"]}
                    )

        for column, limit in _LIMITS.items():
            if len(cell[column]) > limit:
                problems.append(
                    _("le champ « %(column)s » dépasse %(max)d caractères (%(length)d)")
                    % {"column": column, "max": limit, "length": len(cell[column])}
                )

        academy = self.catalogue.academies.get(cell["academie"])
        if cell["academie"] and academy is None:
            problems.append(
                _("code d'académie inconnu « %(value)s »") % {"value": cell["academie"]}
            )

        birth_date, birth_date_problem = parse_birth_date(cell.get(BIRTH_DATE, ""))
        if birth_date_problem:
            problems.append(birth_date_problem)

        scrutin_ids: set[int] = set()
        for code in (c.strip() for c in cell["scrutins"].split(SCRUTIN_SEPARATOR)):
            if not code:
                continue
            scrutin = self.catalogue.scrutins.get(code)
            if scrutin is None:
                problems.append(_("code de scrutin inconnu « %(value)s »") % {"value": code})
            elif (
                academy is not None
                and scrutin.academy_id is not None
                and scrutin.academy_id != academy.pk
            ):
                # An academic (or departmental) scrutin belongs to one academy's electors.
                problems.append(
                    _("le scrutin « %(code)s » relève de l'académie de %(other)s, pas de %(own)s")
                    % {
                        "code": code,
                        "other": self.catalogue.academy_names.get(scrutin.academy_id, "?"),
                        "own": academy.name,
                    }
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
