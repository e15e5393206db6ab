"""The seal's pages: published on the public board (HTML and JSON, anyone), shown to staff
holding the permission within their perimeter, who may verify it, and seal if allowed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import PRODUCTION_ENVIRONMENT
from tests.voting.conftest import Identifiers, add_lists, give_credentials
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.campaign.models import Campaign, Elector, Scrutin
from urne.sealing.apps import SEALING_GROUP, SEALING_PERMISSIONS
from urne.sealing.models import CampaignSeal, SealVerification
from urne.sealing.services import do_verify_seal
from urne.voting import setup
from urne.voting.models import ScrutinElection

from .conftest import eve


def grant(user: User, *codenames: str) -> User:
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="sealing", codename__in=codenames)
    )
    return User.objects.get(pk=user.pk)  # permissions are cached per object


def test_the_board_publishes_the_seal_and_its_components(
    client: Client, sealed: CampaignSeal
) -> None:
    page = client.get(reverse("sealing:board"))

    assert page.status_code == 200
    text = page.content.decode()
    assert sealed.fingerprint in text
    for component in sealed.components:
        assert component["hash"] in text
    assert "Le scellement n'a pas encore été vérifié." in text


def test_the_board_json_has_everything_needed_to_recompute(
    client: Client, sealed: CampaignSeal
) -> None:
    body = client.get(reverse("sealing:board_json")).json()

    assert body["seal"]["fingerprint"] == sealed.fingerprint
    assert body["seal"]["components"] == sealed.components
    assert body["seal"]["last_verification"] is None


def test_the_board_shows_the_last_verification_and_what_changed(
    client: Client, sealed: CampaignSeal, campaign: Campaign
) -> None:
    with override_settings(URNE_RECEIPT_DELAY_SECONDS=99):
        do_verify_seal(None, campaign)

    text = client.get(reverse("sealing:board")).content.decode()
    body = client.get(reverse("sealing:board_json")).json()

    assert "différent" in text
    assert "URNE_RECEIPT_DELAY_SECONDS" in text
    assert body["seal"]["last_verification"]["identical"] is False


def test_the_board_says_when_there_is_no_seal(client: Client, campaign: Campaign) -> None:
    text = client.get(reverse("sealing:board")).content.decode()
    assert "Aucun scellement n'est encore publié" in text
    assert client.get(reverse("sealing:board_json")).json()["seal"] is None


def test_staff_without_the_permission_are_refused(
    client: Client, staff_organizer: User, sealed: CampaignSeal, campaign: Campaign
) -> None:
    client.force_login(staff_organizer)
    assert client.get(reverse("sealing:seals")).status_code == 403
    assert client.get(reverse("sealing:campaign", args=[campaign.pk])).status_code == 403


def test_staff_see_the_missing_seal_and_seal_the_campaign(
    client: Client, staff_organizer: User, elections: Identifiers, campaign: Campaign
) -> None:
    client.force_login(grant(staff_organizer, "view_campaignseal", "add_campaignseal"))
    url = reverse("sealing:campaign", args=[campaign.pk])

    page = client.get(url).content.decode()
    assert "aucun scellement n&#x27;est enregistré" in page
    with eve(campaign):
        answer = client.post(url, {"seal": "1"}, follow=True)

    seal = CampaignSeal.objects.get()
    assert seal.sealed_by == staff_organizer.email
    assert "Campagne scellée (scellement n° 1" in answer.content.decode()
    assert seal.fingerprint in answer.content.decode()


@pytest.fixture
def ready(
    campaign: Campaign,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    elector_bob: Elector,
    trustees_text: str,
) -> Scrutin:
    """The national CSA's election ready to be sealed (lists, trustees, Bob's credential), not
    sealed; the CAPA has no list."""
    with eve(campaign):
        add_lists(csa_national)
        setup.do_prepare_elections(campaign)
        setup.do_set_trustees(csa_national, trustees_text)
        give_credentials(ScrutinElection.objects.get(scrutin=csa_national), Identifiers())
    return csa_national


def test_staff_seal_the_ready_elections_and_see_what_the_others_lack(
    client: Client, staff_organizer: User, ready: Scrutin, campaign: Campaign
) -> None:
    client.force_login(grant(staff_organizer, "view_campaignseal", "add_campaignseal"))
    url = reverse("sealing:campaign", args=[campaign.pk])

    page = client.get(url).content.decode()
    assert "Prête à être scellée." in page
    assert "au moins une liste de candidats validée" in page  # the CAPA's
    with eve(campaign):
        answer = client.post(url, {"seal_elections": "1"}, follow=True).content.decode()

    election = ScrutinElection.objects.get(scrutin=ready)
    assert election.is_sealed
    assert "Élections scellées : csa-men." in answer
    assert "Élections pas encore prêtes, non scellées : capa-certifies-dijon." in answer
    assert election.fingerprint in answer
    entry = AuditEntry.objects.filter(action="voting.seal_election").get()
    assert entry.details["fingerprint"] == election.fingerprint
    assert entry.actor_id == staff_organizer.pk


def test_sealing_elections_after_the_opening_is_refused_and_says_why(
    client: Client, staff_organizer: User, ready: Scrutin, campaign: Campaign
) -> None:
    client.force_login(grant(staff_organizer, "view_campaignseal", "add_campaignseal"))
    url = reverse("sealing:campaign", args=[campaign.pk])
    assert "Sceller les élections prêtes" not in client.get(url).content.decode()

    answer = client.post(url, {"seal_elections": "1"}, follow=True).content.decode()

    assert "csa-men : " in answer
    assert not ScrutinElection.objects.get(scrutin=ready).is_sealed
    assert not AuditEntry.objects.filter(action="voting.seal_election").exists()


def test_staff_who_may_not_seal_cannot_seal_elections(
    client: Client, staff_dijon: User, ready: Scrutin, campaign: Campaign
) -> None:
    client.force_login(grant(staff_dijon, "view_campaignseal", "add_campaignseal"))
    url = reverse("sealing:campaign", args=[campaign.pk])
    with eve(campaign):
        assert client.post(url, {"seal_elections": "1"}).status_code == 403
    assert not ScrutinElection.objects.get(scrutin=ready).is_sealed


def test_staff_verify_from_the_page(
    client: Client, staff_organizer: User, sealed: CampaignSeal, campaign: Campaign
) -> None:
    client.force_login(grant(staff_organizer, "view_campaignseal"))
    answer = client.post(
        reverse("sealing:campaign", args=[campaign.pk]), {"verify": "1"}, follow=True
    )

    assert "Vérification : identique au scellement." in answer.content.decode()
    assert SealVerification.objects.get().verified_by == staff_organizer.email


def test_sealing_after_the_opening_is_refused_on_the_page(
    client: Client, staff_organizer: User, elections: Identifiers, campaign: Campaign
) -> None:
    client.force_login(grant(staff_organizer, "view_campaignseal", "add_campaignseal"))
    answer = client.post(
        reverse("sealing:campaign", args=[campaign.pk]), {"seal": "1"}, follow=True
    )

    assert "le scellement se fait avant l&#x27;ouverture" in answer.content.decode()
    assert not CampaignSeal.objects.exists()


def test_academy_staff_may_see_but_not_seal(
    client: Client, staff_dijon: User, elections: Identifiers, campaign: Campaign
) -> None:
    client.force_login(grant(staff_dijon, "view_campaignseal", "add_campaignseal"))
    url = reverse("sealing:campaign", args=[campaign.pk])

    assert client.get(url).status_code == 200
    with eve(campaign):
        assert client.post(url, {"seal": "1"}).status_code == 403
    assert not CampaignSeal.objects.exists()


def test_production_refuses_to_turn_the_gate_off() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("URNE_")}
    env.update(PRODUCTION_ENVIRONMENT, URNE_SEAL_REQUIRED="0")
    done = subprocess.run(
        [sys.executable, "-c", "import urne.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "URNE_SEAL_REQUIRED" in done.stderr


def test_the_sealing_role_holds_its_permissions(db: None) -> None:
    group = Group.objects.get(name=SEALING_GROUP)
    held = {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }
    assert held == set(SEALING_PERMISSIONS)
