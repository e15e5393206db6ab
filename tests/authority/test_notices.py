"""`urne authority_notices`: one PDF per establishment, one page per elector, with their own
identifier, their scrutins and how to vote."""

from __future__ import annotations

import shutil
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.authority.conftest import AuthorityKeys
from tests.conftest import make_elector
from urne.authority.generation import do_generate_identifiers, open_identifier
from urne.authority.models import SealedIdentifier
from urne.authority.notices import safe_file_name
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin

PDFTOTEXT = shutil.which("pdftotext")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("before_vote"),
    # pdftotext comes from poppler-utils, which `make deps` installs for `make test` and CI:
    # without it these tests fail (in `pages`) rather than skip, so a notice is always read.
]


def pages(path: Path) -> list[str]:
    assert PDFTOTEXT is not None, "pdftotext is missing: run `make deps` (Debian's poppler-utils)"
    text = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own file
        [PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def test_one_pdf_per_establishment_one_page_per_elector_with_their_identifier(
    campaign: Campaign,
    elector_bob: Elector,
    dijon: Academy,
    csa_national: Scrutin,
    authority_keys: AuthorityKeys,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.SITE_URL = "https://vote.example.org"
    alice = make_elector(campaign, dijon, "Alice", "Bernard")  # Lycée Carnot too
    RollEntry.objects.create(scrutin=csa_national, elector=alice)
    make_elector(campaign, dijon, "Zoé", "Œuvray", establishment="Collège Rameau, Dijon")
    do_generate_identifiers(campaign, authority_keys.public)
    out = StringIO()

    call_command(
        "authority_notices", "--campaign", str(campaign.pk), "--out", str(tmp_path), stdout=out
    )

    assert "3 notice(s) dans 2 fichier(s) PDF" in out.getvalue()
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [
        "college-rameau-dijon.pdf",
        "lycee-carnot-dijon.pdf",
    ]
    carnot = pages(tmp_path / "lycee-carnot-dijon.pdf")
    assert len(carnot) == 2
    assert "M. Alice BERNARD" in carnot[0]  # in name order
    assert "M. Bob MARTIN" in carnot[1]
    for page, elector in zip(carnot, (alice, elector_bob), strict=True):
        identifier = open_identifier(
            authority_keys.private, SealedIdentifier.objects.get(elector=elector), campaign.pk
        )
        assert identifier in page
    assert "CAPA des professeurs certifiés de Dijon" in carnot[1]
    assert "CAPA des professeurs certifiés de Dijon" not in carnot[0]
    assert "https://vote.example.org" in carnot[1]
    assert "27 novembre 2014" in carnot[1]
    assert "espace électeur" in carnot[1]
    assert "Signature de l'électeur" in carnot[1]
    (rameau,) = pages(tmp_path / "college-rameau-dijon.pdf")
    assert "Zoé ŒUVRAY" in rameau


def test_it_needs_the_private_key(
    campaign: Campaign, elector_bob: Elector, web_only_keys: AuthorityKeys, tmp_path: Path
) -> None:
    do_generate_identifiers(campaign, web_only_keys.public)
    with pytest.raises(CommandError, match="Clé privée de l'autorité introuvable"):
        call_command("authority_notices", "--campaign", str(campaign.pk), "--out", str(tmp_path))
    assert not list(tmp_path.glob("*.pdf"))


def test_file_names_are_safe_and_distinct() -> None:
    taken: set[str] = set()
    assert safe_file_name("../../etc/passwd", taken) == "etcpasswd.pdf"
    assert safe_file_name("Lycée « Carnot », Dijon", taken) == "lycee-carnot-dijon.pdf"
    assert safe_file_name("Lycée Carnot - Dijon", taken) == "lycee-carnot-dijon-2.pdf"
    assert safe_file_name("???", taken) == "etablissement.pdf"
