"""Browser tests: Debian's headless Chromium driven by Playwright, axe-core injected into pages.

The browser is the system's /usr/bin/chromium (never a downloaded build); axe-core comes from npm
(node_modules, installed by `make test`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.conftest import make_campaign
from urne.accounts.models import User
from urne.campaign.models import Campaign

# Playwright's sync API runs an event loop in the test's thread; the test itself still uses the
# ORM synchronously to arrange data, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def campaign(db: None) -> Campaign:
    """The pages as an elector sees them before the vote, as in the demo: accounts, rolls and
    candidacies open, profile corrections until tomorrow, the vote in two days."""
    now = timezone.now()
    return make_campaign(
        corrections_deadline=now + timedelta(days=1),
        vote_opens_at=now + timedelta(days=2),
        vote_closes_at=now + timedelta(days=9),
    )


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is required for browser tests: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # axe-core is injected as an inline script, which the site's Content Security Policy rightly
    # refuses: the test browser alone bypasses it. The site's own scripts still run under it.
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def strict_page(browser: Any) -> Iterator[Any]:
    """A page under the site's real Content Security Policy, as visitors' browsers obey it (the
    booth's and the bureau's workers must be allowed); downloads accepted (a member's key)."""
    context = new_context(browser)
    page = context.new_page()
    yield page
    context.close()


def new_context(browser: Any) -> Any:
    """A browser context of its own (one person's), under the site's Content Security Policy."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", accept_downloads=True)
    context.set_default_timeout(30_000)
    return context


def log_in(page: Any, live_server: Any, user: User) -> None:
    """Give the browser the session cookie of a logged-in client (staff: with their second
    factor, as tests/conftest.py's login does)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


# WCAG 2.0 and 2.1, levels A and AA: every fault against them fails a test, whatever the impact
# axe gives it (a "minor" fault still shuts someone out). axe's best practices, beyond WCAG, fail
# only when serious or critical.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BEST_PRACTICE_IMPACTS = ("serious", "critical")


def axe_violations(page: Any) -> list[str]:
    """Run axe-core on the current page; describe every WCAG A/AA violation and the serious or
    critical best-practice ones."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        [*WCAG_TAGS, "best-practice"],
    )
    found = []
    for violation in result["violations"]:
        wcag = any(tag in WCAG_TAGS for tag in violation["tags"])
        if wcag or violation["impact"] in BEST_PRACTICE_IMPACTS:
            targets = [", ".join(node["target"]) for node in violation["nodes"]][:3]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {page.url}:\n" + "\n".join(violations)
