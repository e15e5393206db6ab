"""The filing's cast, imported by the filing tests (their `campaign` replaces the shared one):

- a campaign whose filing is open (deadline tomorrow, candidacies published the day after);
- `csa_dijon`: a CSA of Dijon with 2 seats (3 or 4 names), its roll of 6 women and 4 men;
- unions SNES and SGEN; `delegate_snes` and `delegate_sgen` (one union perimeter each, in the
  « Délégués syndicaux » group); `organizer` (the campaign, « Organisateurs »); `staff_dijon`
  (the academy) and `helpdesk` (the academy, every view right) who must not file.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from reportlab.pdfgen import canvas

from tests.conftest import PASSWORD, make_campaign, make_elector
from urne.accounts.models import User
from urne.backoffice.models import StaffScope
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin
from urne.candidacies import filing
from urne.candidacies.models import Candidate, CandidateList, ListUnion, Union

WOMEN = [("Anne", "Roussel"), ("Claire", "Fabre"), ("Inès", "Garnier"), ("Julie", "Morel")]
WOMEN += [("Léa", "Perrin"), ("Sophie", "Blanc")]
MEN = [("Luc", "Girard"), ("Paul", "Mercier"), ("Hugo", "Lambert"), ("Marc", "Dupuis")]


def make_pdf(text: str = "Profession de foi") -> bytes:
    import io

    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer)
    drawing.drawString(72, 720, text)
    drawing.save()
    return buffer.getvalue()


@pytest.fixture
def campaign(db: None) -> Campaign:
    now = timezone.now()
    return make_campaign(
        candidacies_deadline=now + timedelta(days=1),
        candidacies_published_at=now + timedelta(days=2),
    )


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def csa_dijon(campaign: Campaign, dijon: Academy) -> Scrutin:
    return Scrutin.objects.create(
        campaign=campaign,
        code="csa-dijon",
        name="CSA académique de Dijon",
        level=Scrutin.Level.ACADEMIC,
        kind=Scrutin.Kind.CSA,
        academy=dijon,
        seats=2,
        substitute_seats=2,
    )


@pytest.fixture
def roll(campaign: Campaign, dijon: Academy, csa_dijon: Scrutin) -> dict[str, Elector]:
    """The roll of csa_dijon, by first name."""
    electors = {}
    for civilite, people in (("MME", WOMEN), ("M", MEN)):
        for first, last in people:
            elector = make_elector(campaign, dijon, first, last, civilite=civilite)
            RollEntry.objects.create(scrutin=csa_dijon, elector=elector)
            electors[first] = elector
    return electors


@pytest.fixture
def snes(campaign: Campaign) -> Union:
    return Union.objects.create(campaign=campaign, acronym="SNES", name="Syndicat national")


@pytest.fixture
def sgen(campaign: Campaign) -> Union:
    return Union.objects.create(campaign=campaign, acronym="SGEN", name="Syndicat général")


def make_delegate(email: str, union: Union) -> User:
    user = User.objects.create_user(email, PASSWORD, is_staff=True, is_active=True)
    StaffScope.objects.create(user=user, union=union)
    user.groups.add(Group.objects.get(name=filing.DELEGATES_GROUP))
    return user


@pytest.fixture
def delegate_snes(snes: Union) -> User:
    return make_delegate("delegue@snes.fr", snes)


@pytest.fixture
def delegate_sgen(sgen: Union) -> User:
    return make_delegate("delegue@sgen.fr", sgen)


@pytest.fixture
def organizer(staff_organizer: User) -> User:
    staff_organizer.groups.add(Group.objects.get(name=filing.ORGANIZERS_GROUP))
    return staff_organizer


@pytest.fixture
def helpdesk(dijon: Academy) -> User:
    user = User.objects.create_user(
        "assistance@ac-dijon.fr", PASSWORD, is_staff=True, is_active=True
    )
    StaffScope.objects.create(user=user, academy=dijon)
    user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    return user


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_list(
    scrutin: Scrutin,
    unions: list[Union],
    people: list[Elector],
    *,
    title: str = "Liste",
    status: str = CandidateList.Status.DRAFT,
    pdf: bool = True,
) -> CandidateList:
    """A list as filing leaves it: its unions, its candidates from the roll, its PDF."""
    candidate_list = CandidateList.objects.create(scrutin=scrutin, title=title, status=status)
    for union in unions:
        ListUnion.objects.create(candidate_list=candidate_list, union=union)
    for rank, elector in enumerate(people, start=1):
        Candidate.objects.create(
            candidate_list=candidate_list,
            position=rank,
            elector=elector,
            civilite=elector.civilite,
            last_name=elector.last_name,
            first_name=elector.first_name,
            corps_grade=elector.corps,
            affectation=elector.establishment,
        )
    if pdf:
        candidate_list.profession_de_foi.save("p.pdf", ContentFile(make_pdf()))
    return candidate_list


__all__ = [
    "campaign",
    "csa_dijon",
    "delegate_sgen",
    "delegate_snes",
    "helpdesk",
    "media_root",
    "organizer",
    "roll",
    "sgen",
    "snes",
]
