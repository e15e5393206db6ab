"""The voter's account pages in headless Chromium: accessible (axe-core), and the captcha's
"Afficher un autre code" swaps the challenge in place, under the site's Content Security Policy."""

from __future__ import annotations

from typing import Any

import pytest
from captcha.models import CaptchaStore

from tests.browser.conftest import CHROMIUM, assert_accessible
from urne.campaign.models import Elector

PAGES = [
    "/compte/connexion/",
    "/compte/connexion/?next=/espace/scrutins/",
    "/compte/creer/",
    "/compte/creer/?captcha=texte",
    "/compte/confirmation/renvoyer/",
    "/compte/mot-de-passe/oublie/",
]


@pytest.mark.parametrize("path", PAGES)
def test_the_account_pages_are_accessible(
    live_server: Any, page: Any, elector_bob: Elector, path: str
) -> None:
    page.goto(live_server.url + path)

    assert_accessible(page)


def test_another_code_replaces_the_image_without_reloading_the_form(
    live_server: Any, strict_page: Any, elector_bob: Elector
) -> None:
    assert CHROMIUM.exists()
    page = strict_page
    page.goto(live_server.url + "/compte/creer/")
    page.get_by_label("Adresse de messagerie professionnelle").fill("typed@ac-dijon.fr")
    first_key = page.locator("input[name=captcha_0]").input_value()
    first_image = page.locator("img.captcha-image").get_attribute("src")

    page.get_by_role("link", name="Afficher un autre code").click()
    page.wait_for_function(
        "key => document.querySelector('input[name=captcha_0]').value !== key", arg=first_key
    )

    new_key = page.locator("input[name=captcha_0]").input_value()
    assert page.locator("img.captcha-image").get_attribute("src") != first_image
    assert CaptchaStore.objects.filter(hashkey=new_key).exists()
    # Nothing reloaded: what was typed is still there, and the answer field has the focus.
    assert page.get_by_label("Adresse de messagerie professionnelle").input_value() == (
        "typed@ac-dijon.fr"
    )
    assert page.evaluate("document.activeElement.name") == "captcha_1"
    assert page.locator("[data-captcha-status]").text_content() == "Un nouveau code est affiché."
