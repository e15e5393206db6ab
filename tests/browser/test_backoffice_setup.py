"""An organizer sets up the campaign in a real browser: moves a calendar date (and is refused
one out of order, with the message beside the date), applies a membership rule, exports a roll;
axe-core finds no fault on any page they visit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from playwright.sync_api import expect

from tests.backoffice.personas import join
from tests.browser.conftest import assert_accessible, log_in
from tests.conftest import PARIS, make_elector
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.campaign.apps import ORGANIZERS_GROUP
from urne.campaign.models import Academy, Campaign, RollEntry, Scrutin

PE = "Professeur des écoles"


def test_an_organizer_sets_up_the_campaign_and_exports_a_roll(
    live_server: Any,
    page: Any,
    staff_organizer: User,
    campaign: Campaign,
    dijon: Academy,
    lyon: Academy,
    csa_national: Scrutin,
) -> None:
    organizer = join(staff_organizer, ORGANIZERS_GROUP)
    make_elector(campaign, dijon, "Anne", "Moreau", corps=PE)
    make_elector(campaign, lyon, "Zoé", "Garnier", corps=PE, establishment="=2+3")
    log_in(page, live_server, organizer)

    page.goto(f"{live_server.url}/gestion/accueil/")
    page.get_by_role("link", name="Paramétrage de la campagne").first.click()
    page.get_by_role("link", name=campaign.name).click()
    expect(page.get_by_role("heading", name="Scrutins")).to_be_visible()
    assert_accessible(page)

    # The calendar: a closing before the opening is refused, with the message by the date.
    page.get_by_role("link", name="Modifier le calendrier").click()
    assert_accessible(page)
    closes = page.get_by_label("Clôture du vote")
    opens_at = campaign.vote_opens_at.astimezone(PARIS)
    closes.fill(f"{opens_at - timedelta(hours=1):%Y-%m-%dT%H:%M:%S}")
    page.get_by_role("button", name="Enregistrer le calendrier").click()
    message = "La clôture du vote doit venir après l'ouverture du vote."
    expect(page.get_by_role("alert").get_by_text(message)).to_be_visible()
    expect(page.locator("#id_vote_closes_at_error").get_by_text(message)).to_be_visible()
    assert page.get_by_label("Clôture du vote").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    campaign.refresh_from_db()
    assert campaign.vote_closes_at > campaign.vote_opens_at

    later = campaign.vote_closes_at.astimezone(PARIS) + timedelta(days=1)
    page.get_by_label("Clôture du vote").fill(f"{later:%Y-%m-%dT%H:%M:%S}")
    page.get_by_role("button", name="Enregistrer le calendrier").click()
    expect(page.get_by_text("Le calendrier est enregistré.")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.vote_closes_at == later.replace(microsecond=0)

    # A membership rule: its effect first, then applied.
    page.get_by_role("link", name="Règle d'inscription pour csa-men").click()
    page.get_by_label("Corps").select_option(PE)
    page.get_by_role("button", name="Voir l'effet de la règle").click()
    expect(page.get_by_text("2 seront inscrits.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Appliquer la règle").click()
    expect(page.get_by_text("Règle appliquée : 2 électeur(s) inscrit(s)")).to_be_visible()
    assert RollEntry.objects.filter(scrutin=csa_national).count() == 2

    # The roll, and its export for display.
    page.get_by_role("link", name="Voir la liste électorale").click()
    expect(page.get_by_text("2 électeurs inscrits.")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter la liste (CSV, tableur)").click()
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        lines = exported.read().splitlines()
    assert lines[0] == "Civilité;Nom;Prénom;Affectation;Académie"
    assert "M.;GARNIER;Zoé;'=2+3;Lyon" in lines
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Exporter la liste (PDF, pour l'affichage)").click()
    with open(pdf.value.path(), "rb") as document:
        assert document.read(5) == b"%PDF-"

    page.get_by_role("link", name="Historique des modifications de cette liste").click()
    expect(page.get_by_role("cell", name="M. Anne MOREAU")).to_be_visible()
    expect(page.get_by_role("cell", name="M. Zoé GARNIER")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/gestion/listes-electorales/")
    assert_accessible(page)

    # Seats per grade of the scrutin (a CAP's lists are then counted grade by grade).
    grades = reverse("campaign_gestion:grade_seats", args=[campaign.pk, csa_national.pk])
    page.goto(f"{live_server.url}{grades}")
    page.get_by_role("button", name="Enregistrer les sièges du grade").click()
    expect(page.get_by_role("alert")).to_be_visible()  # no grade chosen: said, nothing saved
    assert_accessible(page)
    grade = RollEntry.objects.filter(scrutin=csa_national).values_list("elector__grade", flat=True)[
        0
    ]
    page.get_by_label("Grade").select_option(grade)
    page.get_by_label("Sièges de titulaires").fill("2")
    page.get_by_label("Sièges de suppléants").fill("2")
    page.get_by_role("button", name="Enregistrer les sièges du grade").click()
    expect(page.get_by_text("Les sièges du grade sont enregistrés.")).to_be_visible()
    expect(page.get_by_role("rowheader", name=grade)).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/gestion/journal/")
    expect(page.get_by_role("cell", name="roll.rule_apply")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Depuis le").fill("2000-01-02")
    page.get_by_label("Jusqu'au").fill("2000-01-01")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"campaign.calendar", "roll.rule_apply", "roll.export"} <= actions
