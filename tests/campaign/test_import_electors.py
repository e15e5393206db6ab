"""Importing electors and their rolls from the CSV file: all or nothing, idempotent, streamed."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from tests.campaign.conftest import ALICE, HEADER, csv_text
from tests.conftest import make_campaign, make_elector, reschedule
from urne.campaign import import_store, imports
from urne.campaign.imports import ElectorImportRejected, do_import_electors
from urne.campaign.models import Academy, Campaign, Civilite, Elector, RollEntry, Scrutin

pytestmark = pytest.mark.usefixtures("importable_campaign")

BOB = (
    "M.;Bob;Martin;bob.martin@ac-dijon.fr;Professeur certifié;Classe normale;"
    "Lycée Carnot, Dijon;dijon;csa-men|capa-certifies-dijon"
)
CHARLIE = (
    "Mme;Charlie;Petit;charlie.petit@ac-lyon.fr;Conseiller principal d'éducation;;"
    "Collège Jean-Moulin, Lyon;lyon;csa-men"
)


def csv_bytes(*lines: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO(csv_text(*lines, header=header).encode("utf-8"))


@pytest.fixture
def scrutins(csa_national: Scrutin, capa_dijon: Scrutin, lyon: Academy) -> dict[str, Scrutin]:
    return {"csa-men": csa_national, "capa-certifies-dijon": capa_dijon}


def roll_of(email: str) -> set[str]:
    return set(
        RollEntry.objects.filter(elector__email=email).values_list("scrutin__code", flat=True)
    )


def rejected_messages(campaign: Campaign, source: Any) -> list[str]:
    with pytest.raises(ElectorImportRejected) as caught:
        do_import_electors(campaign, source)
    return [str(issue) for issue in caught.value.report.errors]


# The file is read and its electors created


def test_it_imports_electors_and_their_rolls(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    report = do_import_electors(campaign, csv_bytes(BOB, ALICE, CHARLIE))

    assert (report.lines, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert (report.roll_added, report.roll_removed) == (4, 0)
    bob = Elector.objects.get(email="bob.martin@ac-dijon.fr")
    assert bob.civilite == Civilite.M
    assert (bob.first_name, bob.last_name) == ("Bob", "Martin")
    assert (bob.corps, bob.grade) == ("Professeur certifié", "Classe normale")
    assert bob.establishment == "Lycée Carnot, Dijon"
    assert bob.academy.code == "dijon"
    assert bob.campaign == campaign
    assert roll_of("bob.martin@ac-dijon.fr") == {"csa-men", "capa-certifies-dijon"}
    assert Elector.objects.get(email="charlie.petit@ac-lyon.fr").grade == ""


def test_the_report_is_in_french(campaign: Campaign, scrutins: dict[str, Scrutin]) -> None:
    text = do_import_electors(campaign, csv_bytes(BOB, ALICE)).as_text()

    assert "Lignes lues : 2" in text
    assert "Électeurs créés : 2 ; modifiés : 0 ; inchangés : 0" in text
    assert "Inscriptions sur les listes électorales ajoutées : 3 ; retirées : 0" in text


def test_it_stores_emails_normalized(campaign: Campaign, scrutins: dict[str, Scrutin]) -> None:
    line = BOB.replace("bob.martin@ac-dijon.fr", " Bob.MARTIN@Ac-Dijon.fr ")

    do_import_electors(campaign, csv_bytes(line))

    assert list(Elector.objects.values_list("email", flat=True)) == ["bob.martin@ac-dijon.fr"]


def test_it_accepts_a_byte_order_mark_and_windows_line_ends(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    content = "\ufeff" + "\r\n".join([HEADER, BOB, ALICE]) + "\r\n"

    report = do_import_electors(campaign, io.BytesIO(content.encode("utf-8")))

    assert report.created == 2
    assert Elector.objects.get(email="alice.durand@ac-dijon.fr").establishment == (
        "École Jules-Ferry, Beaune"
    )


def test_it_accepts_accented_capitalised_headers_in_any_order(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    header = "Email;Civilité;Prénom;Nom;Corps;Grade;Établissement;Académie;Scrutins"
    line = (
        "bob.martin@ac-dijon.fr;M;Bob;Martin;Professeur certifié;Classe normale;"
        "Lycée Carnot, Dijon;dijon;csa-men"
    )

    do_import_electors(campaign, csv_bytes(line, header=header))

    assert Elector.objects.get().last_name == "Martin"


def test_it_accepts_quoted_fields_holding_the_separator(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    line = BOB.replace("Lycée Carnot, Dijon", '"Lycée Carnot; site Montchapet"')

    do_import_electors(campaign, csv_bytes(line))

    assert Elector.objects.get().establishment == "Lycée Carnot; site Montchapet"


def test_blank_lines_are_skipped(campaign: Campaign, scrutins: dict[str, Scrutin]) -> None:
    report = do_import_electors(campaign, csv_bytes(BOB, "", ";;;;;;;;", ALICE, ""))

    assert (report.lines, report.created) == (2, 2)


def test_an_empty_scrutins_column_puts_the_elector_on_no_roll(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    do_import_electors(campaign, csv_bytes(BOB))

    report = do_import_electors(campaign, csv_bytes(BOB.rsplit(";", 1)[0] + ";"))

    assert report.roll_removed == 2
    assert roll_of("bob.martin@ac-dijon.fr") == set()


# Importing again


def test_importing_the_same_file_twice_changes_nothing(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    do_import_electors(campaign, csv_bytes(BOB, ALICE, CHARLIE))
    before = list(Elector.objects.order_by("id").values())

    report = do_import_electors(campaign, csv_bytes(BOB, ALICE, CHARLIE))

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert (report.roll_added, report.roll_removed) == (0, 0)
    assert list(Elector.objects.order_by("id").values()) == before
    assert RollEntry.objects.count() == 4


def test_a_changed_field_is_updated(campaign: Campaign, scrutins: dict[str, Scrutin]) -> None:
    do_import_electors(campaign, csv_bytes(BOB, ALICE))
    moved = BOB.replace("Classe normale", "Hors classe").replace(
        "Lycée Carnot", "Lycée Hippolyte-Fontaine"
    )

    report = do_import_electors(campaign, csv_bytes(moved, ALICE))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    bob = Elector.objects.get(email="bob.martin@ac-dijon.fr")
    assert (bob.grade, bob.establishment) == ("Hors classe", "Lycée Hippolyte-Fontaine, Dijon")


def test_the_scrutins_of_a_line_become_the_electors_roll(
    campaign: Campaign, scrutins: dict[str, Scrutin], dijon: Academy
) -> None:
    capn = Scrutin.objects.create(
        campaign=campaign,
        code="capn-certifies",
        name="CAPN des professeurs certifiés",
        level=Scrutin.Level.NATIONAL,
        kind=Scrutin.Kind.CAP,
        seats=10,
    )
    do_import_electors(campaign, csv_bytes(BOB))
    kept_entry = RollEntry.objects.get(
        elector__email="bob.martin@ac-dijon.fr", scrutin__code="csa-men"
    )

    changed = BOB.replace("csa-men|capa-certifies-dijon", "capn-certifies| csa-men ")
    report = do_import_electors(campaign, csv_bytes(changed))

    assert (report.roll_added, report.roll_removed) == (1, 1)
    assert roll_of("bob.martin@ac-dijon.fr") == {"csa-men", capn.code}
    # The entry kept is the same row, not a new one.
    assert RollEntry.objects.filter(pk=kept_entry.pk).exists()


def test_electors_absent_from_the_file_are_left_alone(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    do_import_electors(campaign, csv_bytes(BOB, CHARLIE))

    do_import_electors(campaign, csv_bytes(BOB))

    assert roll_of("charlie.petit@ac-lyon.fr") == {"csa-men"}


def test_electors_of_another_campaign_are_not_touched(
    campaign: Campaign, scrutins: dict[str, Scrutin], dijon: Academy
) -> None:
    other = make_campaign()
    other_dijon = Academy.objects.create(
        campaign=other,
        code="dijon",
        name="Dijon",
        mail_domain="ac-dijon.fr",
        assistance_email="elections@ac-dijon.fr",
        assistance_phone="03",
    )
    twin = make_elector(other, other_dijon, "Bob", "Martin", grade="Échelon 3")

    do_import_electors(campaign, csv_bytes(BOB))

    twin.refresh_from_db()
    assert twin.grade == "Échelon 3"
    assert Elector.objects.filter(email="bob.martin@ac-dijon.fr").count() == 2


def test_a_dry_run_counts_the_changes_and_writes_nothing(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    do_import_electors(campaign, csv_bytes(ALICE))

    report = do_import_electors(campaign, csv_bytes(BOB, ALICE), dry_run=True)

    assert (report.created, report.unchanged, report.roll_added) == (1, 1, 2)
    assert "Essai à blanc : rien n'a été enregistré." in report.as_text()
    assert list(Elector.objects.values_list("email", flat=True)) == ["alice.durand@ac-dijon.fr"]


# Streaming


def test_it_reads_a_text_iterator(campaign: Campaign, scrutins: dict[str, Scrutin]) -> None:
    report = do_import_electors(campaign, iter(csv_text(BOB, ALICE).splitlines(keepends=True)))

    assert report.created == 2


def test_it_writes_in_batches_while_reading_the_file(
    campaign: Campaign, scrutins: dict[str, Scrutin], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is consumed lazily: the first batches are in the database (inside the import's
    transaction; on PostgreSQL, in the table the rows are copied to) before the last lines have
    even been read."""
    monkeypatch.setattr(imports, "BATCH_SIZE", 10)
    seen_in_database: list[int] = []

    def written() -> int:
        if not import_store.copy_is_possible():
            return Elector.objects.count()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {import_store.STAGING}")  # noqa: S608
            return int(cursor.fetchone()[0])

    def lines() -> Iterator[bytes]:
        yield (HEADER + "\n").encode()
        for n in range(35):
            if n == 30:
                seen_in_database.append(written())
            yield (
                f"Mme;Agent{n};Durand;agent{n}@ac-dijon.fr;Professeur certifié;;"
                f"Collège Rameau, Dijon;dijon;csa-men\n"
            ).encode()

    report = do_import_electors(campaign, lines())

    assert report.created == 35
    assert seen_in_database == [30]


def test_it_needs_a_few_queries_per_batch_not_one_per_line(
    campaign: Campaign,
    scrutins: dict[str, Scrutin],
    django_assert_max_num_queries: Any,
) -> None:
    lines = [
        f"M.;Agent{n};Morel;agent{n}@ac-dijon.fr;Professeur certifié;;Collège Rameau, Dijon;"
        f"dijon;csa-men|capa-certifies-dijon"
        for n in range(300)
    ]
    # Plus the audit log's two entries (start, outcome), a fixed cost whatever the file's size.
    # On PostgreSQL, the rows are copied to a temporary table and written from there: a fixed
    # set of statements for the whole file.
    audit = 2 * 6
    # And its row in the history of the published rolls (the campaign's calendar, the row).
    history = 2
    queries = 14 if import_store.copy_is_possible() else 12
    with django_assert_max_num_queries(queries + audit + history):
        do_import_electors(campaign, csv_bytes(*lines))
    changed = [line.replace("Rameau", "Pasteur") for line in lines]
    with django_assert_max_num_queries(queries + audit + history):
        report = do_import_electors(campaign, csv_bytes(*changed))
    assert report.updated == 300


def test_it_writes_the_same_rows_through_model_instances(
    campaign: Campaign, scrutins: dict[str, Scrutin], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path taken should Elector gain a per-row default or RollEntry another column."""
    monkeypatch.setattr(import_store, "_ELECTOR_DEFAULTS_ARE_CONSTANT", False)
    monkeypatch.setattr(import_store, "_ROLL_IS_A_LINK", False)

    report = do_import_electors(campaign, csv_bytes(BOB, ALICE))

    assert (report.created, report.roll_added) == (2, 3)
    bob = Elector.objects.get(email="bob.martin@ac-dijon.fr")
    assert (bob.civilite, bob.establishment, bob.invitation_sent_at) == (
        Civilite.M,
        "Lycée Carnot, Dijon",
        None,
    )
    assert roll_of(bob.email) == {"csa-men", "capa-certifies-dijon"}


# Bad files: a French message per bad line, and nothing written


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            BOB.replace("bob.martin@ac-dijon.fr", "xx"),
            "ligne 3 : adresse de messagerie invalide « xx »",
        ),
        (
            BOB.replace("bob.martin@ac-dijon.fr", "bob.martin@"),
            "ligne 3 : adresse de messagerie invalide « bob.martin@ »",
        ),
        (BOB.replace(";dijon;", ";paris;"), "ligne 3 : code d'académie inconnu « paris »"),
        (
            BOB.replace("csa-men|", "capn-lettres|"),
            "ligne 3 : code de scrutin inconnu « capn-lettres »",
        ),
        (
            BOB.replace(";dijon;", ";lyon;"),
            "ligne 3 : le scrutin « capa-certifies-dijon » relève de l'académie de Dijon, "
            "pas de Lyon",
        ),
        (BOB.replace("M.;", "Dr;"), "ligne 3 : civilité « Dr » inconnue (attendu : M. ou Mme)"),
        (
            BOB.replace(";Martin;", ";" + "M" * 101 + ";"),
            "ligne 3 : le champ « nom » dépasse 100 caractères (101)",
        ),
        (
            BOB.replace("Lycée Carnot, Dijon", "L" * 201),
            "ligne 3 : le champ « etablissement » dépasse 200 caractères (201)",
        ),
        (
            BOB.replace("bob.martin@ac-dijon.fr", "b" * 250 + "@ac-dijon.fr"),
            "ligne 3 : l'adresse de messagerie dépasse 254 caractères",
        ),
        (BOB.replace(";Bob;", ";;"), "ligne 3 : le champ « prenom » est vide"),
        (BOB.replace(";Professeur certifié;", ";;"), "ligne 3 : le champ « corps » est vide"),
        (
            BOB.rsplit(";", 1)[0],
            "ligne 3 : 8 colonnes au lieu de 9 (séparateur attendu : « ; »)",
        ),
        (
            BOB.replace("Lycée Carnot, Dijon", '"Lycée Carnot"x'),
            "ligne 3 : ligne illisible : guillemets mal placés "
            "(un champ contenant « ; » doit être entre guillemets)",
        ),
    ],
    ids=[
        "email",
        "email-without-domain",
        "academy",
        "scrutin",
        "scrutin-of-another-academy",
        "civilite",
        "long-name",
        "long-establishment",
        "long-email",
        "empty-first-name",
        "empty-corps",
        "column-count",
        "quotes",
    ],
)
def test_a_bad_line_is_reported_in_french_and_nothing_is_written(
    campaign: Campaign, scrutins: dict[str, Scrutin], line: str, message: str
) -> None:
    assert rejected_messages(campaign, csv_bytes(ALICE, line)) == [message]
    assert Elector.objects.count() == 0
    assert RollEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            BOB.replace(";Martin;", ";Mar\x00tin;"),
            "ligne 3 : le champ « nom » contient un caractère interdit : U+0000",
        ),
        (
            BOB.replace(";Bob;", ";\x1b[31mBob;"),
            "ligne 3 : le champ « prenom » contient un caractère interdit : U+001B",
        ),
        (
            BOB.replace(";Bob;", ";Bob\x07;"),
            "ligne 3 : le champ « prenom » contient un caractère interdit : U+0007",
        ),
        (
            BOB.replace(";Martin;", ";\u202eNitram;"),
            "ligne 3 : le champ « nom » contient un caractère interdit : "
            "U+202E (RIGHT-TO-LEFT OVERRIDE)",
        ),
        (
            BOB.replace(";Martin;", ";Mar\u200btin;"),
            "ligne 3 : le champ « nom » contient un caractère interdit : U+200B (ZERO WIDTH SPACE)",
        ),
        # Printable by Unicode's categories, yet shown as nothing: Default_Ignorable_Code_Point.
        (
            BOB.replace(";Martin;", ";Martin\u3164;"),
            "ligne 3 : le champ « nom » contient un caractère interdit : U+3164 (HANGUL FILLER)",
        ),
        (
            BOB.replace(";Bob;", ";Bo\u034fb;"),
            "ligne 3 : le champ « prenom » contient un caractère interdit : "
            "U+034F (COMBINING GRAPHEME JOINER)",
        ),
        (
            BOB.replace(";Bob;", ";Bob\ufe0f;"),
            "ligne 3 : le champ « prenom » contient un caractère interdit : "
            "U+FE0F (VARIATION SELECTOR-16)",
        ),
        (
            BOB.replace("Lycée Carnot, Dijon", "Lycée Carnot,\u2028Dijon"),
            "ligne 3 : le champ « etablissement » contient un caractère interdit : "
            "U+2028 (LINE SEPARATOR)",
        ),
        (
            BOB.replace("Lycée Carnot, Dijon", '"Lycée Carnot\nDijon"'),
            "ligne 3 : le champ « etablissement » contient un caractère interdit : U+000A",
        ),
        (
            BOB.replace("bob.martin@ac-dijon.fr", "bob.martin@ac-dijon.fr\x00"),
            "ligne 3 : le champ « email » contient un caractère interdit : U+0000",
        ),
    ],
    ids=[
        "nul",
        "escape",
        "bell",
        "bidi-override",
        "zero-width",
        "hangul-filler",
        "grapheme-joiner",
        "variation-selector",
        "line-separator",
        "newline",
        "email",
    ],
)
def test_it_refuses_invisible_and_control_characters_naming_the_column_and_the_character(
    campaign: Campaign, scrutins: dict[str, Scrutin], line: str, message: str
) -> None:
    """Such a character would print nothing, reverse or split a name on the roll and in the
    mail, or make two identical-looking names differ; PostgreSQL refuses a NUL outright."""
    assert rejected_messages(campaign, csv_bytes(ALICE, line, CHARLIE)) == [message]
    assert Elector.objects.count() == 0


def test_a_quoted_field_over_several_lines_is_reported_at_its_first_line(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    split = BOB.replace(";Martin;", ';"Mar\n\ntin";')

    messages = rejected_messages(campaign, csv_bytes(split, ALICE))

    assert messages == ["ligne 2 : le champ « nom » contient un caractère interdit : U+000A"]


def test_a_field_beyond_the_readers_limit_is_reported_as_such(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    """A quote opened and never closed swallows the following lines into one huge field: the
    report says so, rather than blaming misplaced quotes in general."""
    opened = BOB.replace(";Martin;", ';"Martin;')
    swallowed = [ALICE.replace("alice.durand", f"alice.durand{n}") for n in range(1500)]

    messages = rejected_messages(campaign, csv_bytes(opened, *swallowed))

    assert messages[0] == (
        "ligne 2 : ligne illisible : un champ dépasse 131\u202f072 caractères ; un guillemet "
        "ouvert et jamais refermé lui a sans doute fait avaler les lignes suivantes"
    )
    assert Elector.objects.count() == 0


def test_an_address_twice_in_the_file_is_reported(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    again = BOB.replace("bob.martin@ac-dijon.fr", "Bob.Martin@AC-DIJON.fr")

    assert rejected_messages(campaign, csv_bytes(BOB, ALICE, again)) == [
        "ligne 4 : l'adresse de messagerie « bob.martin@ac-dijon.fr » figure déjà plus haut "
        "dans le fichier"
    ]
    assert Elector.objects.count() == 0


def test_a_file_not_in_utf8_is_reported_by_line(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    """A spreadsheet's default « CSV » export on Windows is cp1252: « é » is not UTF-8 there."""
    plain = "M.;Paul;Roux;paul.roux@ac-lyon.fr;Attache;;Rectorat de Lyon;lyon;csa-men"
    content = csv_text(plain, ALICE).encode("cp1252")

    messages = rejected_messages(campaign, io.BytesIO(content))

    assert messages == [
        "ligne 3 : caractères illisibles : le fichier doit être enregistré en UTF-8 "
        "(« CSV UTF-8 » dans le tableur)"
    ]
    assert Elector.objects.count() == 0


@pytest.mark.parametrize(
    ("header", "messages"),
    [
        (
            "civilite;prenom;nom;corps;grade;etablissement;academie;scrutins",
            ["ligne 1 : colonne manquante « email »"],
        ),
        (
            HEADER + ";numen",
            [
                "ligne 1 : colonne inconnue « numen » (colonnes attendues : "
                "civilite;prenom;nom;email;corps;grade;etablissement;academie;scrutins ; "
                "facultative : date_naissance)"
            ],
        ),
        (HEADER + ";email", ["ligne 1 : colonne en double « email »"]),
        (
            HEADER.replace(";", ","),
            ["ligne 1 : le séparateur des colonnes doit être le point-virgule « ; »"],
        ),
    ],
    ids=["missing", "unknown", "duplicate", "comma"],
)
def test_a_bad_header_is_reported(
    campaign: Campaign, scrutins: dict[str, Scrutin], header: str, messages: list[str]
) -> None:
    assert rejected_messages(campaign, csv_bytes(header=header)) == messages


def test_an_empty_file_is_reported(campaign: Campaign) -> None:
    assert rejected_messages(campaign, io.BytesIO(b"")) == [
        "Le fichier est vide : la ligne d'en-tête manque."
    ]


def test_every_bad_line_is_reported_and_lines_already_written_are_undone(
    campaign: Campaign, scrutins: dict[str, Scrutin], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "BATCH_SIZE", 1)
    lines = [
        BOB,
        ALICE,
        CHARLIE.replace(";lyon;", ";nancy;"),
        BOB.replace("bob.martin", "robert.martin").replace("M.;", "Mr;"),
        BOB.replace("bob.martin", "bobby.martin").replace("csa-men|", "").replace(";dijon;", ";;"),
    ]

    messages = rejected_messages(campaign, csv_bytes(*lines))

    assert messages == [
        "ligne 4 : code d'académie inconnu « nancy »",
        "ligne 5 : civilité « Mr » inconnue (attendu : M. ou Mme)",
        "ligne 6 : le champ « academie » est vide",
    ]
    assert Elector.objects.count() == 0
    assert RollEntry.objects.count() == 0


def test_a_rejected_file_leaves_existing_electors_as_they_were(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    do_import_electors(campaign, csv_bytes(BOB, ALICE))
    before = list(Elector.objects.order_by("id").values())

    rejected_messages(
        campaign,
        csv_bytes(BOB.replace("Carnot", "Montchapet").replace("capa-certifies-dijon", "x"), ALICE),
    )

    assert list(Elector.objects.order_by("id").values()) == before
    assert roll_of("bob.martin@ac-dijon.fr") == {"csa-men", "capa-certifies-dijon"}


def test_errors_beyond_the_listing_limit_are_counted(
    campaign: Campaign, scrutins: dict[str, Scrutin], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "MAX_LISTED_ERRORS", 2)
    lines = [BOB.replace("bob.martin", f"agent{n}").replace("M.;", "X;") for n in range(5)]

    with pytest.raises(ElectorImportRejected) as caught:
        do_import_electors(campaign, csv_bytes(*lines))

    report = caught.value.report
    assert report.error_count == 5
    text = report.as_text()
    assert "Import refusé : 5 erreurs, rien n'a été enregistré." in text
    assert "… et 3 autres erreurs non détaillées." in text


def test_it_refuses_to_import_once_the_vote_has_opened(
    campaign: Campaign, scrutins: dict[str, Scrutin]
) -> None:
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        corrections_deadline=now - timedelta(minutes=2), vote_opens_at=now - timedelta(minutes=1)
    )
    campaign.refresh_from_db()

    messages = rejected_messages(campaign, csv_bytes(BOB))

    assert messages[0].startswith("Import refusé : Le vote a ouvert le ")
    assert "les listes électorales sont scellées." in messages[0]
    assert Elector.objects.count() == 0


def test_an_import_still_running_when_the_vote_opens_changes_nothing(
    campaign: Campaign, scrutins: dict[str, Scrutin], travel: Callable[[datetime], None]
) -> None:
    """A large file takes minutes: the import that began a second before the opening is rolled
    back when it ends after it, not committed into a sealed roll."""
    opening = timezone.now() + timedelta(hours=1)
    reschedule(campaign, vote_opens_at=opening)
    travel(opening - timedelta(seconds=1))

    def slow_file() -> Iterator[bytes]:
        header, *rows = csv_bytes(BOB).readlines()
        yield header
        travel(opening + timedelta(minutes=4))  # reading the lines took four minutes
        yield from rows

    messages = rejected_messages(campaign, slow_file())

    assert messages[0].startswith("Import refusé : Le vote a ouvert le ")
    assert Elector.objects.count() == 0
    assert not RollEntry.objects.exists()
