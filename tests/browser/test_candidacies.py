"""Candidacies in headless Chromium: a union delegate files a valid list and is refused one that
breaks the rule on women and men (the message shown); the organizer validates it and draws the
order; an elector sees the list once the candidacies are published. axe-core on every page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.browser.conftest import assert_accessible, log_in
from tests.candidacies.personas import *  # noqa: F403 (fixtures)
from tests.candidacies.personas import make_pdf
from tests.conftest import make_account
from urne.accounts.models import User
from urne.campaign.models import Campaign, Elector, RollEntry, Scrutin
from urne.candidacies.models import CandidateList, ListDraw, Union


def add_from_roll(page: Any, query: str, salutation: str) -> None:
    page.get_by_label("Rechercher un électeur sur la liste électorale (nom, prénom)").fill(query)
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("button", name=f"Ajouter {salutation}", exact=True).click()


def file_list(page: Any, live_server: Any, scrutin: Scrutin, title: str, people: list[str]) -> None:
    """Create the list, add `people` (« query|salutation ») from the roll, upload the PDF and
    submit it, checking each page with axe-core."""
    page.goto(f"{live_server.url}/gestion/candidatures/depot/")
    assert_accessible(page)
    page.get_by_label("Scrutin").select_option(label=scrutin.name)
    page.get_by_label("Intitulé de la liste").fill(title)
    page.get_by_label("SNES (Syndicat national)").check()
    page.get_by_role("button", name="Créer la liste (brouillon)").click()
    assert page.get_by_role("heading", name=title, level=1).is_visible()
    assert_accessible(page)
    for person in people:
        query, salutation = person.split("|")
        add_from_roll(page, query, salutation)
    assert_accessible(page)
    page.get_by_label("Profession de foi (PDF)").set_input_files(
        files=[{"name": "programme.pdf", "mimeType": "application/pdf", "buffer": make_pdf()}]
    )
    page.get_by_role("button", name="Envoyer le PDF").click()
    page.get_by_role("button", name="Déposer la liste").click()


def test_a_list_is_filed_validated_drawn_and_published(
    live_server: Any,
    browser: Any,
    page: Any,
    campaign: Campaign,
    csa_dijon: Scrutin,
    roll: dict[str, Elector],
    snes: Union,
    delegate_snes: User,
    organizer: User,
    media_root: Any,
) -> None:
    # A second scrutin with the same roll, for the list the rules refuse.
    second = Scrutin.objects.create(
        campaign=campaign,
        code="ccp-dijon",
        name="CCP des contractuels de Dijon",
        level=Scrutin.Level.ACADEMIC,
        kind=Scrutin.Kind.CCP,
        academy=csa_dijon.academy,
        seats=2,
        substitute_seats=2,
    )
    for elector in roll.values():
        RollEntry.objects.create(scrutin=second, elector=elector)

    # The delegate files a valid list...
    log_in(page, live_server, delegate_snes)
    file_list(
        page,
        live_server,
        csa_dijon,
        "Liste SNES",
        ["roussel|Mme Anne ROUSSEL", "girard|M. Luc GIRARD", "fabre|Mme Claire FABRE"],
    )
    assert page.get_by_text("Liste déposée : l'organisateur va l'examiner.").is_visible()
    assert_accessible(page)
    assert CandidateList.objects.get(title="Liste SNES").status == "submitted"

    # ... and is refused one with men only: the rule and what it expects are shown.
    file_list(
        page,
        live_server,
        second,
        "Liste SNES contractuels",
        ["girard|M. Luc GIRARD", "mercier|M. Paul MERCIER", "lambert|M. Hugo LAMBERT"],
    )
    alert = page.get_by_role("alert")
    assert "La liste ne peut pas être déposée" in alert.inner_text()
    assert "la liste doit compter 1 ou 2 femme(s)" in alert.inner_text()
    assert_accessible(page)
    assert CandidateList.objects.get(title="Liste SNES contractuels").status == "draft"

    # The organizer validates the first list and draws the order.
    other = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True)
    staff = other.new_page()
    log_in(staff, live_server, organizer)
    staff.goto(f"{live_server.url}/gestion/candidatures/")
    assert_accessible(staff)
    staff.get_by_role("link", name=csa_dijon.name).click()
    assert_accessible(staff)
    staff.get_by_role("link", name="Liste SNES").click()
    assert_accessible(staff)
    staff.get_by_role("button", name="Valider la liste").click()
    assert staff.get_by_text("Liste validée.").is_visible()
    staff.get_by_role("button", name="Tirer au sort l'ordre des listes").click()
    assert staff.get_by_text("Ordre des listes tiré au sort et enregistré.").is_visible()
    assert staff.get_by_role(
        "table", name="Tirages enregistrés (le plus récent d'abord)"
    ).is_visible()
    assert_accessible(staff)
    assert ListDraw.objects.get().order[0]["title"] == "Liste SNES"
    other.close()

    # Once the candidacies are published, an elector of the scrutin sees the list.
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(
        candidacies_deadline=now - timedelta(minutes=2),
        candidacies_published_at=now - timedelta(minutes=1),
    )
    voter_context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True)
    voter = voter_context.new_page()
    log_in(voter, live_server, make_account(roll["Marc"]))
    voter.goto(f"{live_server.url}/espace/scrutins/{csa_dijon.code}/")
    assert voter.get_by_role("heading", name="Liste 1 Liste SNES").is_visible()
    assert voter.get_by_text("Liste SNES contractuels").count() == 0
    assert_accessible(voter)
    voter_context.close()
