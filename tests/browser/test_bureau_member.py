"""A member of the bureau de vote on their own page, in headless Chromium: reached from the back
office's menu, it says what their key opens; a wrong file is refused with the reason, their
certificate accepted; axe-core finds no fault on each state of the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.backoffice.personas import organizer
from tests.browser.conftest import assert_accessible, log_in
from tests.counting.bureau_scene import GROUP, compose, open_ceremony
from urne.accounts.models import User
from urne.campaign.models import Campaign, Scrutin
from urne.counting.models import KeyFragment
from urne.crypto import pedersen
from urne.crypto.jsonio import dumps

__all__ = ["organizer"]

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_president_sees_what_his_key_opens_and_sends_his_certificate(
    live_server: Any,
    page: Any,
    organizer: User,
    campaign: Campaign,
    csa_national: Scrutin,
    tmp_path: Path,
) -> None:
    client = Client()
    scene = compose(client, organizer, campaign, [csa_national], tmp_path)
    open_ceremony(client, organizer, scene)
    paul = scene.holders["paul"].user
    log_in(page, live_server, paul)

    page.goto(f"{live_server.url}/gestion/accueil/")
    page.get_by_role("navigation").get_by_role("link", name="Mon bureau de vote").click()
    page.get_by_role("link", name="BVE").click()
    assert page.get_by_role(
        "heading", name="Ce que votre clé ouvre, et ce qu'elle n'ouvre pas"
    ).is_visible()
    assert page.get_by_text("Votre clé seule n'ouvre rien").is_visible()
    assert_accessible(page)

    junk = tmp_path / "mauvais.cert"
    junk.write_text("ceci n'est pas un certificat\n")
    page.get_by_label("Fichier").set_input_files(str(junk))
    page.get_by_role("button", name="Déposer pour le fragment").click()
    assert page.get_by_role("alert").get_by_text("pas du JSON").is_visible()
    assert_accessible(page)

    keys = pedersen.derive_keys(GROUP, pedersen.make_seed())
    cert = tmp_path / "paul.cert"
    cert.write_text(dumps(pedersen.make_cert(GROUP, keys).to_json()) + "\n")
    page.get_by_label("Fichier").set_input_files(str(cert))
    page.get_by_role("button", name="Déposer pour le fragment").click()
    assert page.get_by_text("Votre fichier est vérifié et enregistré.").is_visible()
    assert page.get_by_text("Vous avez fait cette étape").is_visible()
    assert_accessible(page)
    (fragment,) = KeyFragment.objects.filter(member__user=paul)
    assert fragment.cert_name == pedersen.cert_name(pedersen.make_cert(GROUP, keys))


def test_the_organizer_follows_the_ceremony_from_the_menu(
    live_server: Any,
    page: Any,
    organizer: User,
    campaign: Campaign,
    csa_national: Scrutin,
    tmp_path: Path,
) -> None:
    client = Client()
    scene = compose(client, organizer, campaign, [csa_national], tmp_path)
    log_in(page, live_server, organizer)
    page.goto(f"{live_server.url}/gestion/accueil/")
    page.get_by_role("navigation").get_by_role("link", name="Bureaux de vote électronique").click()
    assert_accessible(page)
    page.get_by_role("link", name="BVE").click()
    assert page.get_by_text("La composition respecte la règle.").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Ouvrir la cérémonie des clés").click()
    assert page.get_by_role(
        "table", name="Avancement de la cérémonie, fragment par fragment"
    ).is_visible()
    assert page.get_by_text("La cérémonie des clés est ouverte.").is_visible()
    assert_accessible(page)
    assert KeyFragment.objects.filter(bureau=scene.bureau).count() == 8
