"""A member of the bureau makes their key and runs the ceremony's steps in their own browser
(headless Chromium, under the site's real Content Security Policy): step 1 creates the key,
which the member downloads (it is never sent) before the certificate fills the form; step 3
reads the key file and makes the polynomial; step 5 makes the voutput, which the member
downloads to keep. The other members run their steps with urne's Python core; the ceremony
completes, and the member's downloaded files open their key share as `urne` would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.backoffice.personas import organizer
from tests.browser.conftest import assert_accessible, log_in
from tests.browser.trustee_steps import (
    make_key_in_browser,
    make_polynomial_in_browser,
    make_voutput_in_browser,
    wait_for_status,
)
from tests.counting.bureau_scene import (
    GROUP,
    Scene,
    compose,
    do_step,
    make_cert,
    open_ceremony,
    upload,
)
from urne.accounts.models import User
from urne.campaign.models import Campaign, Scrutin
from urne.counting.models import Bureau
from urne.crypto import pedersen
from urne.crypto.jsonio import loads
from urne.crypto.trustees import PedersenTrustees, read_trustees
from urne.voting.models import ScrutinElection

__all__ = ["organizer"]

pytestmark = pytest.mark.django_db(transaction=True)


def others_do(client: Client, scene: Scene, step: str) -> None:
    """Every member but Paul does `step` with the Python core, through their page."""
    for name in scene.holders:
        if name != "paul":
            do_step(client, scene, name, step)


def test_the_president_runs_the_ceremony_in_his_browser(
    live_server: Any,
    strict_page: Any,
    organizer: User,
    campaign: Campaign,
    csa_national: Scrutin,
    tmp_path: Path,
) -> None:
    page = strict_page
    client = Client()
    scene = compose(client, organizer, campaign, [csa_national], tmp_path)
    scene.holders["ulysse"].with_tool = None  # everyone else uses urne's core here
    open_ceremony(client, organizer, scene)
    paul = scene.holders["paul"].user
    sent: list[str] = []
    page.on("request", lambda request: sent.append(f"{request.url} {request.post_data or ''}"))
    log_in(page, live_server, paul)
    url = live_server.url + reverse("bureau:member", args=[scene.bureau.pk])

    # Step 1: the key is made here and downloaded; the certificate fills the form after that.
    key_path = make_key_in_browser(page, url, tmp_path)
    seed = pedersen.check_seed(key_path.read_text())
    keys = pedersen.derive_keys(GROUP, seed)
    cert = pedersen.make_cert(GROUP, keys)
    assert key_path.name == f"{pedersen.cert_name(cert)}.key"
    (fragment,) = scene.fragments("paul")
    assert fragment.cert_name == pedersen.cert_name(cert)
    others_do(client, scene, "cert")

    # Step 3: the key file is read here (asked for first); the polynomial fills the form.
    page.goto(url)
    page.get_by_role("button", name="Calculer mon polynôme dans ce navigateur").click()
    assert "Choisissez d'abord votre fichier de clé" in wait_for_status(page)
    make_polynomial_in_browser(page, url, key_path)
    others_do(client, scene, "polynomial")

    # Step 5: the voutput fills the form and is downloaded, to keep.
    voutput_path = tmp_path / "paul-voutput.json"
    make_voutput_in_browser(page, url, key_path, voutput_path)
    others_do(client, scene, "voutput")

    scene.bureau.refresh_from_db()
    assert scene.bureau.step == Bureau.Step.COMPLETE
    election = ScrutinElection.objects.get(scrutin=csa_national)
    presidency = read_trustees(GROUP, loads(election.trustees))[0]
    assert isinstance(presidency, PedersenTrustees)
    voutput = pedersen.Voutput.from_json(GROUP, loads(voutput_path.read_text()))
    position, share = pedersen.read_decryption_key(GROUP, keys, presidency, voutput.private_key)
    assert GROUP.pow_g(share) == presidency.verification_keys[position - 1].public_key
    # Neither the seed nor the key share went out with any request.
    for request in sent:
        assert seed not in request and str(share) not in request


def test_the_steps_in_the_browser_are_accessible_and_say_a_wrong_key(
    live_server: Any,
    page: Any,
    organizer: User,
    campaign: Campaign,
    csa_national: Scrutin,
    tmp_path: Path,
) -> None:
    client = Client()
    scene = compose(client, organizer, campaign, [csa_national], tmp_path)
    scene.holders["ulysse"].with_tool = None
    open_ceremony(client, organizer, scene)
    log_in(page, live_server, scene.holders["paul"].user)
    url = live_server.url + reverse("bureau:member", args=[scene.bureau.pk])
    page.goto(url)
    assert_accessible(page)
    page.get_by_role("button", name="Créer ma clé dans ce navigateur").click()
    assert "Votre clé est créée" in wait_for_status(page)
    assert page.get_by_role("button", name="Créer ma clé dans ce navigateur").is_disabled()
    assert_accessible(page)
    # Paul leaves that key aside and sends another made offline.
    others_do(client, scene, "cert")
    (fragment,) = scene.fragments("paul")
    paul_keys = pedersen.derive_keys(GROUP, pedersen.make_seed())
    scene.holders["paul"].keys[fragment.pk] = paul_keys
    done = upload(
        client, scene, "paul", "cert", fragment, make_cert(scene.holders["paul"], fragment)
    )
    assert done.status_code == 302
    page.goto(url)
    assert_accessible(page)
    stranger = tmp_path / "autre.key"
    stranger.write_text(pedersen.make_seed() + "\n")
    page.get_by_label("Votre fichier de clé").set_input_files(str(stranger))
    page.get_by_role("button", name="Calculer mon polynôme dans ce navigateur").click()
    assert "Cette clé n'est pas celle de ce fragment" in wait_for_status(page)
    assert_accessible(page)


def test_a_browser_without_workers_is_told_to_do_the_steps_offline(
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
    log_in(page, live_server, scene.holders["paul"].user)
    page.add_init_script("delete window.Worker")
    page.goto(live_server.url + reverse("bureau:member", args=[scene.bureau.pk]))
    assert "faites-les hors ligne" in page.locator("#trustee-unsupported").inner_text()
    assert page.locator(".trustee-step").is_hidden()
    assert page.get_by_role("button", name="Déposer pour le fragment").is_visible()
    assert_accessible(page)
