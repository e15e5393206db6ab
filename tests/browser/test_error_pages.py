"""Error pages, seen in a real browser: plain French, the way to help, and accessible."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import assert_accessible


def test_an_unknown_page_says_so_in_french_and_is_accessible(live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/nulle-part/")
    assert page.locator("h1").inner_text() == "Page introuvable"
    assert page.get_by_role("link", name="FAQ").count() == 1
    assert_accessible(page)
