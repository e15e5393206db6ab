"""An organizer writes to the electors who have not voted, in headless Chromium: composes from the
proposed text, previews it for a real recipient, sends it, and watches the progress (polled by
the page's script) reach the end, sent by a real Celery worker through Redis, throttled. axe-core
finds no fault on each page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from tests.browser.conftest import assert_accessible, log_in
from tests.conftest import make_elector, reschedule
from tests.mailings.conftest import sender
from tests.test_celery_broker import broker_app
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign, RollEntry, Scrutin
from urne.mailings.models import Mailing

__all__ = ["broker_app"]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def voting_campaign(campaign: Campaign) -> Campaign:
    """The browser tests' campaign, its vote open since an hour ago."""
    now = timezone.now()
    reschedule(
        campaign,
        corrections_deadline=now - timedelta(hours=2),
        vote_opens_at=now - timedelta(hours=1),
        vote_closes_at=now + timedelta(days=7),
    )
    return campaign


def test_an_organizer_sends_a_vote_reminder_and_follows_it_to_the_end(
    live_server: Any,
    page: Any,
    broker_app: Any,
    settings: Any,
    voting_campaign: Campaign,
    dijon: Academy,
    lyon: Academy,
    csa_national: Scrutin,
    staff_organizer: User,
) -> None:
    settings.URNE_MAILING_RATE = 3  # four messages: about a second, seen through the polling
    electors = [
        make_elector(voting_campaign, academy, first, last)
        for academy, first, last in [
            (dijon, "Alice", "Bernard"),
            (dijon, "Denis", "Petit"),
            (lyon, "Emma", "Roux"),
            (lyon, "Farid", "Haddad"),
        ]
    ]
    for elector in electors:
        RollEntry.objects.create(scrutin=csa_national, elector=elector)
    log_in(page, live_server, sender(staff_organizer))

    page.goto(f"{live_server.url}/gestion/accueil/")
    page.get_by_role("link", name="Envois de courriels").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Relance des électeurs qui n'ont pas encore voté").click()
    assert page.get_by_label("Objet").input_value() == (
        "Elections professionnelles 2014 : vous n'avez pas encore voté"
    )
    page.get_by_label("Scrutin (facultatif)").select_option(value=str(csa_national.pk))
    page.get_by_label("Objet").fill("")
    page.get_by_role("button", name="Enregistrer et voir l'aperçu").click()
    # Refused, with its reason linked to the field.
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_role("link", name="Objet").is_visible()
    assert_accessible(page)

    page.get_by_label("Objet").fill("Vous n'avez pas encore voté, {prenom}")
    page.get_by_role("button", name="Enregistrer et voir l'aperçu").click()

    assert page.get_by_role("heading", name="Aperçu pour un destinataire réel").is_visible()
    assert page.get_by_text("4 destinataires aujourd'hui.").is_visible()
    assert page.get_by_text("Vous n'avez pas encore voté, Alice").is_visible()
    assert_accessible(page)
    assert mail.outbox == []

    with start_worker(broker_app, perform_ping_check=False, shutdown_timeout=20):
        page.get_by_role("button", name="Envoyer aux 4 destinataires").click()
        page.wait_for_selector("[data-progress-url][data-finished]", timeout=30_000)

    status = page.locator("#mailing-progress-text")
    assert re.search(r"Terminé : 4 traités sur 4", " ".join(status.inner_text().split()))
    assert page.locator('[data-field="sent"]').inner_text() == "4"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.email for e in electors)
    assert Mailing.objects.get().sent_count == 4
    page.reload()
    assert page.get_by_role("row").count() == 5  # the header and one row per elector
    assert_accessible(page)
