"""Fixtures of the campaign: the 2014 calendar of the seed, a logged-in Bob, candidacies, and
the electors file as staff write it."""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.utils import timezone
from reportlab.pdfgen import canvas

from tests.conftest import CALENDAR_2014, paris
from urne.accounts.models import User
from urne.campaign.models import Campaign, Civilite, Scrutin
from urne.candidacies.models import Candidate, CandidateList, Union


@pytest.fixture
def calendar_2014(campaign: Campaign, travel: Callable[[datetime], None]) -> Campaign:
    """The campaign on the seed's 2014 calendar, the clock on 1 October 2014 (accounts open,
    nothing published yet). Tests travel on from there."""
    Campaign.objects.filter(pk=campaign.pk).update(**CALENDAR_2014)
    campaign.refresh_from_db()
    travel(paris(2014, 10, 1, 12))
    return campaign


@pytest.fixture
def importable_campaign(campaign: Campaign) -> Campaign:
    """The campaign before its vote, which opens in a week: its rolls can still be imported.
    Modules of imports use it for every test: `pytestmark = usefixtures("importable_campaign")`."""
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        corrections_deadline=now + timedelta(days=5),
        vote_opens_at=now + timedelta(days=7),
        vote_closes_at=now + timedelta(days=14),
    )
    campaign.refresh_from_db()
    return campaign


# The electors file: the documented header (docs/import-format.md), spelled out here rather than
# taken from the code, so that a change of format shows in the tests.
HEADER = "civilite;prenom;nom;email;corps;grade;etablissement;academie;scrutins"
ALICE = (
    "Mme;Alice;Durand;alice.durand@ac-dijon.fr;Professeur des écoles;Hors classe;"
    "École Jules-Ferry, Beaune;dijon;csa-men"
)


def csv_text(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


@pytest.fixture
def bob(client: Client, voter_bob: User) -> Client:
    """A browser where Bob is logged in."""
    client.force_login(voter_bob)
    return client


@pytest.fixture
def charlie(client: Client, outsider_charlie: User) -> Client:
    client.force_login(outsider_charlie)
    return client


def make_pdf(text: str) -> bytes:
    """A real one-page PDF, as a union would file."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


@pytest.fixture
def imports_root(settings: Any, tmp_path: Path) -> Path:
    """Where uploaded electors files are kept, emptied for each test."""
    settings.IMPORTS_ROOT = tmp_path / "imports"
    return Path(settings.IMPORTS_ROOT)


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def make_candidate(candidate_list: CandidateList, position: int, last: str, first: str) -> None:
    Candidate.objects.create(
        candidate_list=candidate_list,
        position=position,
        civilite=Civilite.MME if position % 2 else Civilite.M,
        last_name=last,
        first_name=first,
        corps_grade="Professeur certifié, classe normale",
        affectation=f"Collège {last}, Dijon",
    )


@pytest.fixture
def capa_lists(capa_dijon: Scrutin, media_root: Path) -> list[CandidateList]:
    """Two lists on Bob's CAPA, filed out of order: a joint list (position 2, no profession de
    foi) and a single union's list (position 1, with its PDF)."""
    campaign = capa_dijon.campaign
    snes = Union.objects.create(
        campaign=campaign,
        acronym="SNES-FSU",
        name="Syndicat national des enseignements de second degré",
    )
    sgen = Union.objects.create(
        campaign=campaign, acronym="SGEN-CFDT", name="Syndicat général de l'éducation nationale"
    )
    unsa = Union.objects.create(
        campaign=campaign, acronym="SE-UNSA", name="Syndicat des enseignants"
    )
    joint = CandidateList.objects.create(
        status="validated",
        scrutin=capa_dijon,
        position=2,
        title="Liste commune SGEN-CFDT et SE-UNSA",
    )
    joint.unions.add(sgen, unsa)
    single = CandidateList.objects.create(
        status="validated", scrutin=capa_dijon, position=1, title="Liste SNES-FSU"
    )
    single.unions.add(snes)
    single.profession_de_foi.save("pdf.pdf", ContentFile(make_pdf("Profession de foi SNES-FSU")))
    make_candidate(single, 2, "Bernard", "Claire")
    make_candidate(single, 1, "Petit", "Agnès")
    make_candidate(joint, 1, "Moreau", "Jean")
    return [single, joint]


def text(response: HttpResponseBase) -> str:
    """The page's HTML with entities decoded, so tests read apostrophes as the elector does."""
    assert isinstance(response, HttpResponse)
    return html.unescape(response.content.decode())
