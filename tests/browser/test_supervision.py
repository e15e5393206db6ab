"""The supervision page in headless Chromium: an operator reaches it from the back office's
menu, axe-core finds no fault, and its figures follow a login refused meanwhile without the
page being reloaded; the checkbox stops that."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.browser.conftest import assert_accessible, log_in
from urne.accounts.models import User
from urne.operations import views
from urne.operations.apps import OPERATORS_GROUP

pytestmark = pytest.mark.django_db(transaction=True)


INVALID_PASSWORDS = """() => {
  const row = [...document.querySelectorAll('#supervision-figures tr')].find(
    (tr) => tr.textContent.includes('password') && tr.textContent.includes('invalid'));
  return row ? Number(row.lastElementChild.textContent) : 0;
}"""


def invalid_passwords(page: Any) -> int:
    """The page's count of passwords refused, as shown (0 when no row)."""
    return int(page.evaluate(INVALID_PASSWORDS))


def fail_a_login() -> None:
    Client().post(
        reverse("accounts:login"), {"email": "nobody@ac-dijon.fr", "password": "Mauvais2014x"}
    )


def test_an_operator_follows_the_live_figures(
    live_server: Any, page: Any, staff_organizer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "REFRESH_SECONDS", 1)
    staff_organizer.groups.add(Group.objects.get(name=OPERATORS_GROUP))
    log_in(page, live_server, staff_organizer)

    page.goto(f"{live_server.url}/gestion/accueil/")
    page.get_by_role("navigation").get_by_role("link", name="Supervision").click()
    assert page.get_by_role("heading", name="Supervision", level=1).is_visible()
    assert page.get_by_role("table", name="Contrôles de santé").is_visible()
    assert page.get_by_label("Actualiser automatiquement toutes les 1 secondes").is_checked()
    assert_accessible(page)
    before = invalid_passwords(page)

    fail_a_login()  # the live server runs in this process: its counters are these

    page.wait_for_function(f"() => ({INVALID_PASSWORDS})() === {before + 1}", timeout=10_000)
    assert_accessible(page)

    page.get_by_label("Actualiser automatiquement toutes les 1 secondes").uncheck()
    fail_a_login()
    page.wait_for_timeout(2500)
    assert invalid_passwords(page) == before + 1
    page.reload()
    assert invalid_passwords(page) == before + 2
