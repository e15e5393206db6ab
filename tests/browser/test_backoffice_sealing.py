"""Sealing in headless Chromium: the organizer finds « Scellement » in the back office's menu,
reads that the vote cannot open without a seal, seals the campaign, and the seal is published on
the public board; axe-core finds no fault on each page (docs/sealing.md)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission

from tests.browser.conftest import assert_accessible, log_in
from tests.voting.conftest import SealScrutins, seal_scrutins, trustees_text
from urne.accounts.models import User
from urne.campaign.models import Campaign, Elector, Scrutin
from urne.sealing.models import CampaignSeal

__all__ = ["seal_scrutins", "trustees_text"]

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_organizer_seals_the_campaign_and_the_board_publishes_it(
    live_server: Any,
    page: Any,
    settings: Any,
    campaign: Campaign,
    staff_organizer: User,
    elector_bob: Elector,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    seal_scrutins: SealScrutins,
) -> None:
    settings.URNE_SEAL_REQUIRED = True
    seal_scrutins(csa_national, capa_dijon)
    staff_organizer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="sealing",
            codename__in=["view_campaignseal", "add_campaignseal"],
        )
    )
    log_in(page, live_server, staff_organizer)

    page.goto(f"{live_server.url}/gestion/accueil/")
    page.get_by_role("navigation").get_by_role("link", name="Scellement").click()
    assert page.get_by_role("heading", name="Scellement", level=1).is_visible()
    assert page.get_by_text("aucun : le vote ne peut pas s'ouvrir").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name=campaign.name).click()
    assert page.get_by_text("aucun scellement n'est enregistré").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sceller la campagne").click()

    seal = CampaignSeal.objects.get()
    assert page.get_by_text("Campagne scellée (scellement n° 1").is_visible()
    assert page.get_by_role("table", name="Composantes du scellement n° 1").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Vérifier le scellement maintenant").click()
    assert page.get_by_text("Vérification : identique au scellement.").is_visible()

    page.goto(f"{live_server.url}/tableau/")
    page.get_by_role("link", name="Le scellement de l'élection").click()
    assert page.get_by_role("heading", name="Scellement de l'élection").is_visible()
    assert page.get_by_text(seal.fingerprint).first.is_visible()
    assert page.get_by_text("identique", exact=True).is_visible()
    assert_accessible(page)
