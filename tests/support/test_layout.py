"""The frame of every page (base.html): landmarks, skip link, menus, language, no inline code."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.campaign.conftest import text
from urne.campaign.models import Campaign
from urne.candidacies.models import CandidateList

ELECTOR_PAGES = [
    reverse("campaign:space"),
    reverse("campaign:profile"),
    reverse("campaign:request_correction"),
    reverse("campaign:scrutins"),
    reverse("campaign:scrutin", args=["capa-certifies-dijon"]),
    reverse("campaign:roll", args=["capa-certifies-dijon"]),
    reverse("campaign:memo"),
    reverse("support:faq"),
    reverse("support:assistance"),
    "/nulle-part/",
]


# What anonymous visitors see: the account's pages (the captcha's two modes) and the errors.
VISITOR_PAGES = [
    reverse("accounts:login"),
    reverse("accounts:signup"),
    reverse("accounts:signup") + "?captcha=texte",
    reverse("accounts:resend"),
    reverse("accounts:password_reset"),
    reverse("accounts:signup_done"),
    reverse("support:faq"),
    "/nulle-part/",
]


@pytest.mark.parametrize("url", ELECTOR_PAGES)
def test_every_page_has_landmarks_a_skip_link_and_no_inline_code(
    bob: Client, capa_lists: list[CandidateList], url: str
):
    assert_frame(text(bob.get(url)))


@pytest.mark.parametrize("url", VISITOR_PAGES)
def test_every_visitors_page_has_the_same_frame(client: Client, campaign: Campaign, url: str):
    assert_frame(text(client.get(url)))


def assert_frame(page: str) -> None:
    assert '<link rel="icon" href="/static/urne/favicon.svg" type="image/svg+xml">' in page
    assert '<a class="skip-link" href="#contenu">Aller au contenu</a>' in page
    assert '<main id="contenu"' in page
    assert '<header class="site-header">' in page
    assert '<footer class="site-footer">' in page
    assert page.count("<h1") == 1
    # The Content Security Policy forbids inline scripts and styles: none may be written.
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
    assert re.search(r"\sstyle=", page) is None
    assert re.search(r"\son[a-z]+=", page) is None


def test_electors_get_their_navigation_and_a_logout_form(bob: Client):
    page = text(bob.get(reverse("campaign:profile")))

    nav = page[page.index('<nav class="site-nav"') : page.index("</nav>")]
    assert f'<a href="{reverse("campaign:space")}">Mon espace</a>' in nav
    assert f'<a href="{reverse("campaign:profile")}" aria-current="page">Mon profil</a>' in nav
    assert f'<a href="{reverse("campaign:scrutins")}">Mes scrutins</a>' in nav
    assert f'<a href="{reverse("support:faq")}">FAQ</a>' in nav
    logout = nav[nav.index('<form class="logout"') :]
    assert f'action="{reverse("accounts:logout")}" method="post"' in logout
    assert 'name="csrfmiddlewaretoken"' in logout
    assert "Se déconnecter" in logout


def test_anonymous_visitors_are_offered_to_log_in(client: Client, db: None):
    page = text(client.get(reverse("support:faq")))

    assert f'<a href="{reverse("accounts:login")}">Accéder à mon espace électeur</a>' in page
    assert "Se déconnecter" not in page
    assert "Mes scrutins" not in page


def test_the_language_switch_is_a_post_form_back_to_the_same_page(bob: Client):
    url = reverse("campaign:roll", args=["capa-certifies-dijon"]) + "?q=martin"

    page = text(bob.get(url))

    switch = page[page.index('<form class="language"') :]
    switch = switch[: switch.index("</form>")]
    assert f'action="{reverse("set_language")}" method="post"' in switch
    assert f'<input name="next" type="hidden" value="{url}">' in switch
    assert 'value="en" lang="en">English version</button>' in switch
