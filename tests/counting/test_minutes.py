"""The procès-verbal: its text, extracted from the PDF with pdftotext, states the figures."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.counting.test_results import CIRCULAIRE
from urne.campaign.models import Scrutin
from urne.counting import results
from urne.counting.minutes import Member, Minutes, minutes_of, render_minutes

PDFTOTEXT = shutil.which("pdftotext")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "pv.pdf"
    path.write_bytes(pdf)
    assert PDFTOTEXT is not None, "pdftotext is missing: run `make deps` (Debian's poppler-utils)"
    text = subprocess.run(  # noqa: S603 - poppler's pdftotext on our own file
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    # Spaces of every kind as one plain space: the figures are compared as read.
    return " ".join(text.replace("\u00a0", " ").split())


def circulaire_minutes(**extra: object) -> Minutes:
    figures = results.scrutin_figures(
        CIRCULAIRE, results.ResultCounts(2, (11, 6, 4), 23, fingerprint="ab" * 32)
    )
    fields: dict[str, Any] = {
        "figures": figures,
        "campaign": "Élections professionnelles 2026",
        "organizer": "Ministère de l'éducation nationale",
        "scrutin_kind": "Comité social d'administration",
        "election_fingerprint": "cd" * 32,
        "made_at": datetime(2026, 12, 4, 18, 30, tzinfo=UTC),
    }
    fields.update(extra)
    return Minutes(**fields)


def test_the_minutes_state_the_figures_seats_and_elected(tmp_path: Path):
    text = pdf_text(render_minutes(circulaire_minutes()), tmp_path)
    assert "Procès-verbal des opérations électorales" in text
    assert "CSA de l'exemple" in text
    assert "académie de Dijon" in text
    assert "Inscrits 40" in text
    assert "Votants 23" in text
    assert "Bulletins blancs 2" in text
    assert "Bulletins nuls 0" in text
    assert "Suffrages valablement exprimés 21" in text
    assert "Participation 57,50 %" in text
    # List, votes, share, titulaires, suppléants.
    assert "Liste A 11 52,38 % 2 2" in text
    assert "Liste B 6 28,57 % 1 0" in text
    assert "Liste C 4 19,05 % 0 0" in text
    assert "Quotient électoral : 21 ÷ 3 = 7" in text
    assert "Titulaires : Anne ARNAUD, Bruno BLANC" in text
    assert "Suppléants : Chloé CHEN, Denis DURAND" in text
    assert "Titulaires : Ève EMERY" in text
    assert "de suppléants" in text  # B's suppléant left to the draw
    assert "ab" * 32 in text
    assert "cd" * 32 in text
    assert "Empreinte du scellement : non disponible (aucun scellement enregistré)" in text
    assert "4 décembre 2026" in text
    assert "Signatures des membres du bureau" in text
    assert text.count("Délégué(e) de liste") >= 3


def test_the_members_are_named_when_given(tmp_path: Path):
    members = (Member("Claire Dupont", "Présidente"), Member("Luc Morel", "Délégué", "FSU"))
    text = pdf_text(
        render_minutes(circulaire_minutes(members=members, sealing_fingerprint="ef" * 32)),
        tmp_path,
    )
    assert "Présidente : Claire Dupont" in text
    assert "Délégué : Luc Morel (FSU)" in text
    assert "Présidente — Claire Dupont" in text
    assert "ef" * 32 in text
    assert "________" not in text


@pytest.mark.django_db
def test_the_minutes_of_a_decided_scrutin(decided: Scrutin, tmp_path: Path):
    figures = results.figures_of(decided)
    assert figures is not None
    minutes = minutes_of(figures, decided)
    text = pdf_text(render_minutes(minutes), tmp_path)
    assert "Inscrits 5" in text
    assert "Votants 4" in text
    assert "Liste FSU 2 66,67 % 2 2" in text
    assert "Titulaires : Anne ARNAUD, Bruno BLANC" in text
    assert decided.election.last_event in text
    assert decided.election.fingerprint in text


def test_the_minutes_are_in_french_whatever_the_readers_language(tmp_path: Path):
    from django.utils import translation

    with translation.override("en"):
        text = pdf_text(render_minutes(circulaire_minutes()), tmp_path)
    assert "Procès-verbal des opérations électorales" in text
    assert "Suffrages valablement exprimés 21" in text


def test_the_minutes_say_which_lists_a_draw_must_separate(tmp_path: Path):
    from urne.counting.results import ListData, ResultCounts, ScrutinData, scrutin_figures

    # 1 seat, A 5 and B 5: equal averages, equal votes, one seat: a draw.
    data = ScrutinData("t", "Scrutin à égalité", 1, 10, (ListData("A"), ListData("B")))
    figures = scrutin_figures(data, ResultCounts(0, (5, 5), 10))
    text = pdf_text(render_minutes(circulaire_minutes(figures=figures)), tmp_path)
    assert "Égalité pour le siège 1 entre A, B" in text
    assert "Aucun candidat élu." in text


@pytest.mark.django_db
def test_the_minutes_name_the_bureau_and_the_seal(decided: Scrutin, tmp_path: Path):
    from django.utils import timezone

    from tests.conftest import make_account, make_elector
    from urne.accounts.models import User
    from urne.candidacies.models import Union
    from urne.counting.models import Bureau, BureauMember, BureauScrutin
    from urne.sealing.models import CampaignSeal

    campaign = decided.campaign
    bureau = Bureau.objects.create(campaign=campaign, name="Bureau national")
    BureauScrutin.objects.create(bureau=bureau, scrutin=decided)
    academy = campaign.academies.get(name="Dijon")
    delegate = make_account(make_elector(campaign, academy, "Luc", "Morel"))
    president = User.objects.create_user("presidente@education.gouv.fr", "x", is_staff=True)
    # Added delegate first: the minutes still put the president first.
    BureauMember.objects.create(
        bureau=bureau, user=delegate, role="delegate", union=Union.objects.get(acronym="FSU")
    )
    BureauMember.objects.create(bureau=bureau, user=president, role="president")
    CampaignSeal.objects.create(
        campaign=campaign,
        number=1,
        sealed_at=timezone.now(),
        sealed_by="organisation@education.gouv.fr",
        fingerprint="5e" * 32,
        components=[],
    )
    figures = results.figures_of(decided)
    assert figures is not None
    text = pdf_text(render_minutes(minutes_of(figures, decided)), tmp_path)
    assert "Président : presidente@education.gouv.fr Délégué syndical : Luc MOREL (FSU)" in text
    assert "Délégué syndical — Luc MOREL" in text
    assert "5e" * 32 in text
    assert "non disponible" not in text
