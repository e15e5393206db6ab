"""The turnout pages in the back office's frame (no longer the admin's), in headless Chromium: an
observer of the campaign reaches them from the home's menu, reads the figures of a scrutin, and
axe-core finds no fault on each page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.backoffice.personas import capa_lyon, national_roll, observer
from tests.browser.conftest import assert_accessible, log_in
from urne.accounts.models import User
from urne.campaign.models import Elector, Scrutin

__all__ = ["capa_lyon", "national_roll", "observer"]

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_observer_reads_turnout_in_the_back_office(
    live_server: Any,
    page: Any,
    observer: User,
    national_roll: dict[str, Elector],
    csa_national: Scrutin,
) -> None:
    log_in(page, live_server, observer)

    page.goto(f"{live_server.url}/gestion/accueil/")
    page.get_by_role("navigation").get_by_role("link", name="Participation").click()
    assert page.get_by_role("heading", name="Participation", level=1).is_visible()
    assert page.get_by_role("link", name="Administration technique").count() == 0
    assert_accessible(page)

    page.get_by_role("link", name=csa_national.name).click()
    assert page.get_by_role("table", name="Participation par académie").is_visible()
    assert page.get_by_role("rowheader", name="Total").is_visible()
    assert_accessible(page)
