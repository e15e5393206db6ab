"""The espace électeur in a real browser: axe-core finds no serious accessibility fault, the
pages reflow at 200% zoom, and the memo prints without navigation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, log_in
from tests.campaign.conftest import capa_lists, media_root  # noqa: F401  (fixtures)
from urne.accounts.models import User
from urne.candidacies.models import CandidateList
from urne.support.faq import seed_default_faq

PAGES = [
    "/espace/",
    "/espace/profil/",
    "/espace/profil/mise-a-jour/",
    "/espace/scrutins/",
    "/espace/scrutins/capa-certifies-dijon/",
    "/espace/scrutins/capa-certifies-dijon/liste-electorale/",
    "/espace/scrutins/capa-certifies-dijon/liste-electorale/?q=gerard",
    "/espace/scrutins/csa-men/liste-electorale/",
    "/espace/memo/",
    "/aide/",
    "/aide/assistance/",
]


@pytest.mark.parametrize("path", PAGES)
def test_the_espace_pages_are_accessible(
    live_server: Any,
    page: Any,
    voter_bob: User,
    capa_lists: list[CandidateList],  # noqa: F811
    path: str,
):
    seed_default_faq(voter_bob.elector.campaign)  # type: ignore[union-attr]
    log_in(page, live_server, voter_bob)

    page.goto(f"{live_server.url}{path}")

    assert page.locator("h1").count() == 1
    assert_accessible(page)


def test_the_correction_form_with_errors_is_accessible(
    live_server: Any, page: Any, voter_bob: User
):
    log_in(page, live_server, voter_bob)
    page.goto(f"{live_server.url}/espace/profil/mise-a-jour/")

    page.get_by_role("button", name="Envoyer ma demande").click()

    assert page.get_by_role("alert").count() == 1
    assert page.locator("[aria-invalid=true]").count() >= 1
    assert_accessible(page)


def test_the_space_reflows_at_200_percent_zoom(live_server: Any, page: Any, voter_bob: User):
    # 200% zoom of a 1280px window is a 640px viewport: nothing may need sideways scrolling.
    log_in(page, live_server, voter_bob)
    page.set_viewport_size({"width": 640, "height": 800})

    page.goto(f"{live_server.url}/espace/")

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert page.get_by_role("link", name="Consulter mon profil").is_visible()


def test_keyboard_users_can_skip_to_the_content(live_server: Any, page: Any, voter_bob: User):
    log_in(page, live_server, voter_bob)
    page.goto(f"{live_server.url}/espace/")

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Aller au contenu")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()


def test_the_memo_prints_without_the_navigation(live_server: Any, page: Any, voter_bob: User):
    log_in(page, live_server, voter_bob)
    page.goto(f"{live_server.url}/espace/memo/")
    # The print button appears once print.js ran (allowed by the policy: a same-origin file).
    assert page.get_by_role("button", name="Imprimer le mémo").is_visible()

    page.emulate_media(media="print")

    assert not page.locator(".site-nav").is_visible()
    assert not page.get_by_role("button", name="Imprimer le mémo").is_visible()
    assert page.get_by_text("Adresse messagerie pro :").is_visible()
    assert page.locator(".memo-value").inner_text() == "bob.martin@ac-dijon.fr"


def test_the_deadline_reads_in_capitals_as_in_the_guide(
    live_server: Any, page: Any, voter_bob: User
):
    log_in(page, live_server, voter_bob)

    page.goto(f"{live_server.url}/espace/")

    # The text stays "jusqu'au …" for screen readers; CSS shows it as the guide prints it.
    assert (
        page.locator("section[aria-labelledby='bloc-profil'] .deadline")
        .inner_text()
        .startswith("JUSQU'AU ")
    )
