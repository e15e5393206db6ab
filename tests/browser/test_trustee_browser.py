"""A bureau member makes their partial decryption in their own browser (headless Chromium):
on the count's page they pick their key file and voutput, the page computes in a worker and
fills the ordinary upload form, which the server verifies. The key files are never sent; a wrong
file is refused with its reason; without JavaScript or a worker the page says what to do; under
the site's real Content Security Policy; axe-core finds no fault."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.browser.conftest import assert_accessible, log_in
from tests.browser.trustee_steps import decrypt_in_browser as compute
from tests.conftest import make_campaign
from tests.counting.conftest import Bureau, run_vote
from tests.counting.test_count import CHOICES, close_and_tally
from tests.counting.trustee_js import Ceremony, make_ceremony
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign, Scrutin
from urne.counting import decryption
from urne.voting.apps import BUREAU_GROUP
from urne.voting.models import ScrutinElection

pytestmark = pytest.mark.django_db(transaction=True)

Travel = Callable[[datetime], None]


@pytest.fixture
def campaign(db: None) -> Campaign:
    """The vote is open (the electors vote through the ballot box, then it closes)."""
    return make_campaign()


@pytest.fixture(scope="module")
def ceremony() -> Ceremony:
    return make_ceremony()


@pytest.fixture
def tallied(
    ceremony: Ceremony, csa_national: Scrutin, dijon: Academy, travel: Travel, tmp_path: Path
) -> ScrutinElection:
    trustees = tmp_path / "trustees.json"
    trustees.write_text(ceremony.trustees + "\n", encoding="utf-8")
    election = run_vote(csa_national, dijon, Bureau(trustees, {}), CHOICES)
    return close_and_tally(election, travel)


@pytest.fixture
def member(staff_organizer: User) -> User:
    staff_organizer.groups.add(Group.objects.get(name=BUREAU_GROUP))
    return staff_organizer


def text_file(name: str, text: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "text/plain", "buffer": text.encode("utf-8")}


def test_members_decrypt_in_their_browser_and_the_result_is_published(
    live_server: Any,
    strict_page: Any,
    member: User,
    ceremony: Ceremony,
    tallied: ScrutinElection,
) -> None:
    page = strict_page
    sent: list[str] = []
    page.on("request", lambda request: sent.append(f"{request.url} {request.post_data or ''}"))
    log_in(page, live_server, member)
    url = live_server.url + reverse("tally:detail", args=[tallied.pk])
    page.goto(url)
    assert page.get_by_role("heading", name="Ou calculez-le dans ce navigateur").is_visible()

    # Nothing chosen: said, and the focus goes to the key's field.
    page.get_by_role("button", name="Calculer mon déchiffrement partiel").click()
    assert "Choisissez d'abord votre fichier de clé" in page.locator("#trustee-status").inner_text()
    assert page.get_by_label("Votre fichier de clé").evaluate("e => e === document.activeElement")

    # Another member's voutput: refused with the reason, the form left empty.
    said = compute(
        page,
        text_file("A.key", ceremony.seeds[0] + "\n"),
        text_file("voutput.json", ceremony.voutputs[1]),
    )
    assert "ne s'ouvre pas avec cette clé" in said
    assert page.locator("#id_text").input_value() == ""

    # The president's "Single" key, then two delegates' seeds and voutputs.
    uploads = [
        (text_file("P.privkey", ceremony.single[1] + "\n"), None, 1),
        (
            text_file("B.key", ceremony.seeds[1] + "\n"),
            text_file("voutput.json", ceremony.voutputs[1]),
            3,
        ),
        (
            text_file("C.key", ceremony.seeds[2] + "\n"),
            text_file("voutput.json", ceremony.voutputs[2]),
            4,
        ),
    ]
    for key, voutput, owner in uploads:
        said = compute(page, key, voutput)
        assert f"l'autorité n° {owner} calculé dans ce navigateur" in said
        assert page.get_by_role("button", name="Vérifier et publier").evaluate(
            "e => e === document.activeElement"
        )
        assert page.locator("#id_text").input_value().startswith('{"decryption_factors":')
        page.get_by_role("button", name="Vérifier et publier").click()
        assert f"Déchiffrement partiel de l'autorité n° {owner} vérifié et publié" in (
            page.locator(".messages").inner_text()
        )
    assert "Le résultat est calculé et publié" in page.locator(".messages").inner_text()
    assert decryption.scrutin_result(tallied) is not None

    # No request carried a key: neither a seed nor the private key nor a sealed share.
    secrets = [*ceremony.seeds, str(ceremony.single[0]), *(str(s) for s in ceremony.shares)]
    for request in sent:
        assert not any(secret in request for secret in secrets)


def test_without_javascript_or_workers_the_page_says_to_decrypt_offline(
    live_server: Any, browser: Any, page: Any, member: User, tallied: ScrutinElection
) -> None:
    url = live_server.url + reverse("tally:detail", args=[tallied.pk])
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    try:
        off = context.new_page()
        log_in(off, live_server, member)
        off.goto(url)
        assert "JavaScript est désactivé" in off.locator("main").inner_text()
        assert off.locator("#trustee-decrypt").is_hidden()
    finally:
        context.close()

    log_in(page, live_server, member)
    page.add_init_script("delete window.Worker")
    page.goto(url)
    assert "Ce navigateur ne permet pas" in page.locator("#trustee-unsupported").inner_text()
    assert page.locator("#trustee-decrypt").is_hidden()
    assert_accessible(page)


def test_each_state_of_the_browser_decryption_is_accessible(
    live_server: Any, page: Any, member: User, ceremony: Ceremony, tallied: ScrutinElection
) -> None:
    # axe-core is injected, so this page bypasses the CSP; the test above runs under it.
    log_in(page, live_server, member)
    page.goto(live_server.url + reverse("tally:detail", args=[tallied.pk]))
    assert_accessible(page)
    said = compute(page, text_file("A.key", "pas une clé\n"), None)
    assert "Ce fichier n'est pas une clé" in said
    assert_accessible(page)
    said = compute(page, text_file("A.key", ceremony.seeds[0] + "\n"), None)
    assert "choisissez aussi votre fichier voutput" in said
    said = compute(
        page,
        text_file("A.key", ceremony.seeds[0] + "\n"),
        text_file("voutput.json", ceremony.voutputs[0]),
    )
    assert "l'autorité n° 2 calculé dans ce navigateur" in said
    assert_accessible(page)
