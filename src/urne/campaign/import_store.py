"""Storing the electors file's checked rows, in the import's one transaction.

`urne.campaign.import_parse` reads and checks the file; `urne.campaign.imports` runs the import
and hands the rows, batch by batch, to a writer from `writer_for`:

- on PostgreSQL, `CopyWriter`: the rows are streamed with COPY into a temporary table, then a
  handful of set-based statements update the changed electors, insert the new ones and add
  and remove roll entries, the database comparing a million rows at once (a first import of a
  million lines: minutes with one statement per row, tens of seconds this way);
- elsewhere (SQLite, the embedded default), `BatchWriter`: `write_batch` per batch, through
  the driver's executemany rather than the ORM's bulk methods, with the values Django would
  write.

Both count the same things (created, updated, unchanged, roll entries added and removed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Protocol

from django.db import connection, models

from urne.campaign.import_parse import Row
from urne.campaign.models import Campaign, Elector, RollEntry

# The fields an import may change on an existing elector (the email is the key).
UPDATED_FIELDS: Final = (
    "civilite",
    "first_name",
    "last_name",
    "corps",
    "grade",
    "establishment",
    "academy_id",
    # Derived from the names (name_key), written with them: the roll sorts and searches on them.
    "last_name_key",
    "first_name_key",
)
# Changed only by a file that has the optional column « date_naissance »: a file without it
# keeps the dates already known.
BIRTH_DATE_FIELD: Final = "birth_date"


def updated_fields(with_birth_date: bool) -> tuple[str, ...]:
    """The fields a file changes: UPDATED_FIELDS, and the birth date when it gives one."""
    return (*UPDATED_FIELDS, BIRTH_DATE_FIELD) if with_birth_date else UPDATED_FIELDS


@dataclass(frozen=True)
class BatchCounts:
    """What writing one batch changed."""

    created: int
    updated: int
    unchanged: int
    roll_added: int
    roll_removed: int


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


_IMPORTED: Final = ("campaign_id", "email", *UPDATED_FIELDS, BIRTH_DATE_FIELD)
_ELECTOR_FIELDS: Final = [f for f in Elector._meta.concrete_fields if not f.primary_key]
# The file gives plain text and keys, ready for the database; every other column takes its
# default. When those defaults are constants (today: invitation_sent_at, empty), rows are
# written straight from the file; a default computed per row (a token, a date) would need the
# model instances again.
_ELECTOR_DEFAULTS_ARE_CONSTANT: Final = all(
    # Without a default, Django's marker NOT_PROVIDED is a class, hence callable: not a default.
    not (f.has_default() and callable(f.default))
    and not getattr(f, "auto_now", False)
    and not getattr(f, "auto_now_add", False)
    for f in _ELECTOR_FIELDS
    if f.attname not in _IMPORTED
)


Values = tuple[str | int | date | None, ...]


def _for_database(fields: Sequence[str], values: Values) -> Values:
    """The values as the driver takes them (a date as the database backend writes it)."""
    return tuple(
        connection.ops.adapt_datefield_value(value) if isinstance(value, date) else value
        for value in values
    )


def _insert_electors(
    campaign: Campaign, created: list[tuple[str, Values]], fields: Sequence[str]
) -> None:
    """Add new electors, (email, values of `fields`) each."""
    if not _ELECTOR_DEFAULTS_ARE_CONSTANT:
        _insert(
            Elector,
            [
                Elector(campaign=campaign, email=email, **dict(zip(fields, values, strict=True)))
                for email, values in created
            ],
        )
        return
    defaults = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in _ELECTOR_FIELDS
        if f.attname not in ("campaign_id", "email", *fields)
    }
    rows = []
    for email, values in created:
        given = {
            "campaign_id": campaign.pk,
            "email": email,
            **dict(zip(fields, _for_database(fields, values), strict=True)),
        }
        rows.append(
            tuple(
                given[f.attname] if f.attname in given else defaults[f.attname]
                for f in _ELECTOR_FIELDS
            )
        )
    _executemany(Elector, [f.column for f in _ELECTOR_FIELDS], rows)


def _update_electors(changes: list[tuple[int, Values]], fields: Sequence[str]) -> None:
    """UPDATE the changed electors, (id, new values of `fields`) each, in one statement
    run for all of them (Django's bulk_update is two orders of magnitude slower here)."""
    if not changes:
        return
    columns = [_column(name) for name in fields]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names only, as in _insert
        quote(Elector._meta.db_table),
        ", ".join(f"{quote(column)} = %s" for column in columns),
        quote(Elector._meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*_for_database(fields, values), pk) for pk, values in changes])


def write_batch(campaign: Campaign, rows: list[Row], with_birth_date: bool = False) -> BatchCounts:
    """Create or update the batch's electors and set their rolls: a few statements per batch.
    `with_birth_date`: the file has the « date_naissance » column (else stored dates stay)."""
    fields = updated_fields(with_birth_date)
    existing = {
        email: (pk, tuple(values))
        for pk, email, *values in Elector.objects.filter(
            campaign=campaign, email__in=[row.email for row in rows]
        ).values_list("id", "email", *fields)
    }
    created: list[tuple[str, Values]] = []
    changed: list[tuple[int, Values]] = []
    for row in rows:
        values = tuple(getattr(row, name) for name in fields)
        found = existing.get(row.email)
        if found is None:
            created.append((row.email, values))
        elif found[1] != values:
            changed.append((found[0], values))
    _insert_electors(campaign, created, fields)
    _update_electors(changed, fields)

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
    return BatchCounts(
        created=len(created),
        updated=len(changed),
        unchanged=len(existing) - len(changed),
        roll_added=len(added),
        roll_removed=len(removed),
    )


class Writer(Protocol):
    """Takes the checked rows batch by batch; `finish` writes what is left and says what the
    whole import changed. Call both inside the import's transaction."""

    def add(self, rows: list[Row]) -> None: ...

    def finish(self) -> BatchCounts: ...


class BatchWriter:
    """Writes each batch as it comes (`write_batch`): any database."""

    def __init__(self, campaign: Campaign, with_birth_date: bool) -> None:
        self.campaign = campaign
        self.with_birth_date = with_birth_date
        self.counts = BatchCounts(0, 0, 0, 0, 0)

    def add(self, rows: list[Row]) -> None:
        done = write_batch(self.campaign, rows, self.with_birth_date)
        self.counts = BatchCounts(
            *(a + b for a, b in zip(_as_tuple(self.counts), _as_tuple(done), strict=True))
        )

    def finish(self) -> BatchCounts:
        return self.counts


def _as_tuple(counts: BatchCounts) -> tuple[int, int, int, int, int]:
    return (
        counts.created,
        counts.updated,
        counts.unchanged,
        counts.roll_added,
        counts.roll_removed,
    )


# The staging table: one row per line of the file, as checked. Temporary, so private to the
# import's connection and dropped with its transaction.
STAGING: Final = "urne_import_elector"
_STAGED: Final = (
    ("line", "integer"),
    ("email", "text"),
    ("civilite", "text"),
    ("first_name", "text"),
    ("last_name", "text"),
    ("corps", "text"),
    ("grade", "text"),
    ("establishment", "text"),
    ("academy_id", "integer"),
    ("last_name_key", "text"),
    ("first_name_key", "text"),
    ("birth_date", "date"),
    ("scrutin_ids", "integer[]"),
)


def copy_is_possible() -> bool:
    """Whether `CopyWriter` can write this import: PostgreSQL, and an elector's other columns
    and a roll entry as plain as `write_batch`'s fast path assumes."""
    return connection.vendor == "postgresql" and _ELECTOR_DEFAULTS_ARE_CONSTANT and _ROLL_IS_A_LINK


class CopyWriter:
    """PostgreSQL: COPY the rows into a temporary table, then compare and write them all at
    once in `finish`, a few statements for the whole file.

    The elector's email is the key, as in `write_batch`; the same fields are compared and
    written; the scrutins of a line become the elector's roll.
    """

    def __init__(self, campaign: Campaign, with_birth_date: bool) -> None:
        self.campaign = campaign
        self.fields = updated_fields(with_birth_date)
        self.lines = 0
        with connection.cursor() as cursor:
            # An import inside an outer transaction (a test, a caller's atomic block) may find
            # the table of the one before it still there.
            cursor.execute(
                f"DROP TABLE IF EXISTS {STAGING}; CREATE TEMPORARY TABLE {STAGING} ("
                + ", ".join(f"{name} {kind}" for name, kind in _STAGED)
                + ") ON COMMIT DROP"
            )

    def add(self, rows: list[Row]) -> None:
        columns = ", ".join(name for name, _ in _STAGED)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
            with raw.copy(f"COPY {STAGING} ({columns}) FROM STDIN") as copy:
                copy.set_types([kind for _, kind in _STAGED])
                write = copy.write_row
                for row in rows:
                    write(
                        (
                            row.line,
                            row.email,
                            row.civilite,
                            row.first_name,
                            row.last_name,
                            row.corps,
                            row.grade,
                            row.establishment,
                            row.academy_id,
                            row.last_name_key,
                            row.first_name_key,
                            row.birth_date,
                            list(row.scrutin_ids),
                        )
                    )
        self.lines += len(rows)

    def finish(self) -> BatchCounts:
        quote = connection.ops.quote_name
        electors = quote(Elector._meta.db_table)
        roll = quote(RollEntry._meta.db_table)
        elector_pk = quote(Elector._meta.pk.column)
        campaign_column = quote(_column("campaign"))
        email_column = quote(_column("email"))
        roll_elector = quote(_roll_column("elector_id"))
        roll_scrutin = quote(_roll_column("scrutin_id"))
        columns = [quote(_column(name)) for name in self.fields]
        # The elector as it is in the database, for each line of the file (the key: campaign
        # and email, the table's unique index).
        matched = (
            f"{electors} e JOIN {STAGING} s ON e.{campaign_column} = %s "
            f"AND e.{email_column} = s.email"
        )
        with connection.cursor() as cursor:
            # A temporary table is never analysed for us: the planner needs its size to join
            # it (hashed, when large; through the electors' unique index, when small).
            cursor.execute(f"ANALYZE {STAGING}")

            # Only the electors whose fields differ are rewritten.
            cursor.execute(
                f"UPDATE {electors} e SET "  # noqa: S608 - names from the models only
                + ", ".join(
                    f"{column} = s.{name}"
                    for column, name in zip(columns, self.fields, strict=True)
                )
                + f" FROM {STAGING} s WHERE e.{campaign_column} = %s AND e.{email_column} = s.email"
                + " AND ("
                + ", ".join(f"e.{column}" for column in columns)
                + ") IS DISTINCT FROM ("
                + ", ".join(f"s.{name}" for name in self.fields)
                + ")",
                [self.campaign.pk],
            )
            updated = cursor.rowcount

            # New electors, in the file's order, every other column at its default.
            defaults = [
                (f.column, f.get_db_prep_save(f.get_default(), connection))
                for f in _ELECTOR_FIELDS
                if f.attname not in ("campaign_id", "email", *self.fields)
            ]
            inserted = [campaign_column, email_column, *columns, *(quote(c) for c, _ in defaults)]
            selected = ["%s", "s.email", *(f"s.{name}" for name in self.fields)]
            selected += ["%s"] * len(defaults)
            cursor.execute(
                f"INSERT INTO {electors} ({', '.join(inserted)}) "  # noqa: S608
                f"SELECT {', '.join(selected)} FROM {STAGING} s WHERE NOT EXISTS ("
                f"SELECT 1 FROM {electors} e WHERE e.{campaign_column} = %s "
                # In the order of the (campaign, email) index, which then grows at its end.
                f"AND e.{email_column} = s.email) ORDER BY s.email",
                [self.campaign.pk, *(value for _, value in defaults), self.campaign.pk],
            )
            created = cursor.rowcount

            # When every elector of the file is new (a first import), none has a roll entry
            # yet: nothing to remove, and nothing to skip among those added.
            all_new = created == self.lines
            removed = 0
            if not all_new:
                # Roll entries of the file's electors for scrutins no longer on their line.
                cursor.execute(
                    f"DELETE FROM {roll} r USING {matched} "  # noqa: S608
                    f"WHERE r.{roll_elector} = e.{elector_pk} "
                    f"AND NOT (r.{roll_scrutin} = ANY (s.scrutin_ids))",
                    [self.campaign.pk],
                )
                removed = cursor.rowcount

            # And those that are new (the unique pair makes an existing one a no-op).
            cursor.execute(
                f"INSERT INTO {roll} ({roll_elector}, {roll_scrutin}) "  # noqa: S608
                f"SELECT e.{elector_pk}, x.scrutin_id FROM {matched} "
                f"CROSS JOIN LATERAL unnest(s.scrutin_ids) AS x(scrutin_id) "
                f"ORDER BY e.{elector_pk}, x.scrutin_id"
                + ("" if all_new else " ON CONFLICT DO NOTHING"),
                [self.campaign.pk],
            )
            added = cursor.rowcount
        return BatchCounts(
            created=created,
            updated=updated,
            unchanged=self.lines - created - updated,
            roll_added=added,
            roll_removed=removed,
        )


def writer_for(campaign: Campaign, with_birth_date: bool) -> Writer:
    """The fastest writer this database offers (see the module's docstring)."""
    if copy_is_possible():
        return CopyWriter(campaign, with_birth_date)
    return BatchWriter(campaign, with_birth_date)
