"""`urne import_electors CAMPAIGN FILE [--dry-run] [--report PATH]`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.campaign.conftest import ALICE, HEADER
from urne.campaign.models import Academy, Campaign, Elector, Scrutin

pytestmark = pytest.mark.usefixtures("importable_campaign")


@pytest.fixture
def electors_file(tmp_path: Path, dijon: Academy, csa_national: Scrutin) -> Path:
    path = tmp_path / "electeurs.csv"
    path.write_text(f"{HEADER}\n{ALICE}\n", encoding="utf-8")
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_electors", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_the_file_and_prints_the_report(campaign: Campaign, electors_file: Path) -> None:
    out, _ = run(str(campaign.pk), str(electors_file))

    assert Elector.objects.get().email == "alice.durand@ac-dijon.fr"
    assert "Électeurs créés : 1 ; modifiés : 0 ; inchangés : 0" in out


def test_the_campaign_may_be_named(campaign: Campaign, electors_file: Path) -> None:
    run("Élections professionnelles 2014", str(electors_file))

    assert Elector.objects.count() == 1


def test_a_dry_run_writes_nothing(campaign: Campaign, electors_file: Path) -> None:
    out, _ = run(str(campaign.pk), str(electors_file), "--dry-run")

    assert "Essai à blanc : rien n'a été enregistré." in out
    assert Elector.objects.count() == 0


def test_the_report_is_also_written_to_a_file(
    campaign: Campaign, electors_file: Path, tmp_path: Path
) -> None:
    report = tmp_path / "compte-rendu.txt"

    out, _ = run(str(campaign.pk), str(electors_file), "--report", str(report))

    assert report.read_text(encoding="utf-8") == out


def test_a_bad_file_fails_with_every_bad_line_on_stdout_and_in_the_report(
    campaign: Campaign, electors_file: Path, tmp_path: Path
) -> None:
    electors_file.write_text(
        f"{HEADER}\n{ALICE.replace(';dijon;', ';paris;')}\n{ALICE.replace('Mme', 'Mlle')}\n",
        encoding="utf-8",
    )
    report = tmp_path / "compte-rendu.txt"
    out = io.StringIO()

    with pytest.raises(CommandError, match="Import refusé : 2 erreur\\(s\\)"):
        call_command(
            "import_electors",
            str(campaign.pk),
            str(electors_file),
            "--report",
            str(report),
            stdout=out,
        )

    assert "ligne 2 : code d'académie inconnu « paris »" in out.getvalue()
    assert "ligne 3 : civilité « Mlle » inconnue (attendu : M. ou Mme)" in out.getvalue()
    assert "ligne 3 : civilité « Mlle »" in report.read_text(encoding="utf-8")
    assert Elector.objects.count() == 0


def test_an_unknown_campaign_is_refused(campaign: Campaign, electors_file: Path) -> None:
    with pytest.raises(CommandError, match="Campagne introuvable ou ambiguë : « 999 »"):
        run("999", str(electors_file))


def test_a_missing_file_is_refused_in_french(campaign: Campaign, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Impossible de lire « .*absent\.csv » :"):
        run(str(campaign.pk), str(tmp_path / "absent.csv"))
