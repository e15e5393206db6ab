"""Who may enter the espace électeur: confirmed electors only, each to their own scrutins."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.campaign.conftest import text
from tests.conftest import make_account, make_campaign, make_elector
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign, Scrutin
from urne.candidacies.models import CandidateList

PERSONAL_PAGES = [
    ("campaign:space", {}),
    ("campaign:profile", {}),
    ("campaign:request_correction", {}),
    ("campaign:scrutins", {}),
    ("campaign:scrutin", {"code": "capa-certifies-dijon"}),
    ("campaign:roll", {"code": "capa-certifies-dijon"}),
    ("campaign:profession_de_foi", {"code": "capa-certifies-dijon", "position": 1}),
    ("campaign:memo", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PERSONAL_PAGES)
def test_it_sends_anonymous_visitors_to_the_login_page(
    client: Client, capa_dijon: Scrutin, name: str, kwargs: dict[str, object]
):
    url = reverse(name, kwargs=kwargs)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize(("name", "kwargs"), PERSONAL_PAGES)
def test_it_refuses_staff_who_are_not_electors(
    client: Client, staff_dijon: User, capa_dijon: Scrutin, name: str, kwargs: dict[str, object]
):
    client.force_login(staff_dijon)

    response = client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 403
    assert "Cet espace est réservé aux électeurs dont le compte est confirmé." in (text(response))


def test_it_refuses_an_account_that_was_never_confirmed(
    client: Client, campaign: Campaign, dijon: Academy
):
    elector = make_elector(campaign, dijon, "Dana", "Roux")
    user = make_account(elector, confirmed=False)
    # Active but never confirmed: no confirmation date, no espace.
    User.objects.filter(pk=user.pk).update(is_active=True)
    client.force_login(user)

    assert client.get(reverse("campaign:space")).status_code == 403


def test_a_confirmed_elector_gets_in(client: Client, voter_bob: User):
    client.force_login(voter_bob)

    assert client.get(reverse("campaign:space")).status_code == 200


@pytest.mark.parametrize(
    "name", ["campaign:scrutin", "campaign:roll", "campaign:profession_de_foi"]
)
def test_an_outsider_cannot_see_bobs_scrutin(
    charlie: Client,
    voter_bob: User,
    capa_lists: list[CandidateList],
    name: str,
):
    kwargs: dict[str, object] = {"code": "capa-certifies-dijon"}
    if name == "campaign:profession_de_foi":
        kwargs["position"] = 1

    response = charlie.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 404
    page = text(response)
    assert "Ce scrutin n'existe pas ou vous n'êtes pas appelé(e) à y voter." in page
    assert "CAPA des professeurs certifiés de Dijon" not in page


def test_an_outsider_does_not_see_bobs_scrutins_in_the_list(charlie: Client, voter_bob: User):
    page = text(charlie.get(reverse("campaign:scrutins")))

    assert "CAPA des professeurs certifiés de Dijon" not in page
    assert "CSA ministériel" not in page
    assert "Vous ne figurez sur aucune liste électorale pour le moment." in page


def test_a_scrutin_of_another_campaign_stays_hidden_even_with_a_roll_entry(
    bob: Client, voter_bob: User
):
    other = make_campaign(name="Élections 2018", year=2018)
    stray = Scrutin.objects.create(
        campaign=other, code="ctm-2018", name="CTM 2018", level="national", kind="CSA", seats=15
    )
    assert voter_bob.elector is not None
    stray.roll.create(elector=voter_bob.elector)

    assert bob.get(reverse("campaign:scrutin", args=["ctm-2018"])).status_code == 404
    assert "CTM 2018" not in text(bob.get(reverse("campaign:scrutins")))


def test_personal_pages_are_never_cached(bob: Client):
    response = bob.get(reverse("campaign:profile"))

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
