"""The demonstration's professions de foi: real PDFs with the list's content."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from urne.demo.professions_de_foi import CandidateLine, ProfessionDeFoi, render_profession_de_foi

DOCUMENT = ProfessionDeFoi(
    campaign="Élections professionnelles 2014",
    scrutin="CAPA des professeurs certifiés de l'académie de Dijon",
    title="UEPL — Une école publique exigeante pour tous",
    unions=("Union pour l'école publique et laïque (UEPL)",),
    programme=("Des classes moins chargées & des remplaçants : « priorité ».",),
    candidates=(
        CandidateLine(1, "Mme Anne ROUSSEL", "Professeur certifié, hors classe", "Lycée, Dijon"),
        CandidateLine(2, "M. Luc FABRE", "Professeur certifié, classe normale", "Collège, Sens"),
    ),
    colour="#1f4e79",
)


def test_it_is_a_pdf_and_the_same_every_time() -> None:
    first = render_profession_de_foi(DOCUMENT)

    assert first.startswith(b"%PDF-")
    assert render_profession_de_foi(DOCUMENT) == first


PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(PDFTOTEXT is None, reason="needs poppler-utils' pdftotext")
def test_it_shows_the_union_the_programme_and_the_candidates(tmp_path: Path) -> None:
    assert PDFTOTEXT is not None
    pdf = tmp_path / "profession-de-foi.pdf"
    pdf.write_bytes(render_profession_de_foi(DOCUMENT))

    text = subprocess.run(  # noqa: S603 - our own file, a fixed tool
        [PDFTOTEXT, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout

    for expected in (
        "CAPA des professeurs certifiés de l'académie de Dijon",
        "Union pour l'école publique et laïque (UEPL)",
        "Des classes moins chargées & des remplaçants : « priorité ».",
        "Mme Anne ROUSSEL",
        "M. Luc FABRE",
        "Document fictif",
    ):
        assert expected in text
