"""Voting through the booth in a real browser (headless Chromium).

The ballot is built by the page's JavaScript in a Web Worker and sent to the ballot box API
(docs/api.md). The tests that need the API, the receipt page and the public board are marked to
skip until those are merged (they are built apart); the others answer the API's requests from the
test, as the contract says the API answers, and check what the page sends: only the encrypted
ballot, which urne's core accepts, and a retry of the very same submission after a network error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, log_in
from tests.crypto.belenios_tool import run_tool
from tests.voting.conftest import (  # noqa: F401  (fixtures)
    SealScrutins,
    cast,
    seal_scrutins,
    trustees_text,
)
from urne.accounts.models import User
from urne.campaign.models import Elector, Scrutin
from urne.crypto.ballot import check_ballot
from urne.crypto.credentials import PublicCredentials
from urne.crypto.verifier import verify_archive
from urne.voting import setup
from urne.voting.models import ScrutinElection

Travel = Callable[[datetime], None]


@pytest.fixture
def open_vote(
    elector_bob: Elector,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    seal_scrutins: SealScrutins,  # noqa: F811
    travel: Travel,
) -> str:
    """Both of Bob's scrutins sealed and the vote open (urne's clock moved into the window,
    for the live server too); returns Bob's voting identifier."""
    identifiers = seal_scrutins(csa_national, capa_dijon)
    travel(csa_national.campaign.vote_opens_at + timedelta(hours=1))
    return identifiers.of(elector_bob)


def choose(page: Any, label: str) -> None:
    page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Continuer").click()


def focused_text(page: Any) -> str:
    text: str = page.evaluate("document.activeElement.textContent")
    return text


def api_requests(page: Any) -> list[Any]:
    sent: list[Any] = []
    page.on("request", lambda request: sent.append(request) if "/api/" in request.url else None)
    return sent


def go_to_identifier(page: Any, live_server: Any, code: str, label: str) -> None:
    page.goto(f"{live_server.url}/espace/vote/{code}/")
    choose(page, label)
    assert "Vous avez choisi" in page.locator("#step-review").inner_text()
    page.get_by_role("button", name="Continuer").click()


# --- through the real ballot box, receipt and board -------------------------------------------


def vote_in_the_booth(
    page: Any, scrutin: Scrutin, label: str, identifier: str, *, audit: bool = True
) -> str:
    """From "Mes scrutins", vote for `label` in `scrutin` as an elector does, checking each step
    of the booth with axe-core (unless `audit` is off: a page under the site's real Content
    Security Policy refuses axe's injection); returns the tracker the receipt page shows."""
    check = assert_accessible if audit else (lambda _page: None)
    page.get_by_role("link", name=f"Voter au scrutin « {scrutin.name} »").click()
    page.wait_for_url(f"**/espace/vote/{scrutin.code}/")
    page.locator("#booth").wait_for()
    check(page)
    choose(page, label)
    check(page)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("textbox", name="Identifiant de vote").fill(identifier)
    check(page)
    page.get_by_role("button", name="Confirmer mon vote").click()
    page.wait_for_url(f"**/espace/vote/{scrutin.code}/accuse/")
    check(page)
    receipt = page.locator("main").inner_text()
    assert "Accusé de réception de votre vote" in receipt
    assert scrutin.name in receipt
    assert label not in receipt and "Liste" not in receipt  # never the choice
    tracker: str = page.locator("code.tracker").inner_text()
    return tracker


def check_on_the_board(page: Any, live_server: Any, scrutin: Scrutin, tracker: str) -> Path:
    """From the public board's index, as anyone: the scrutin's board shows the tracker,
    "Vérifier mon bulletin" finds it; returns the archive's address."""
    page.goto(f"{live_server.url}/tableau/")
    assert_accessible(page)
    page.get_by_role("link", name=scrutin.name).first.click()
    page.wait_for_url("**/tableau/*/")
    assert tracker in page.locator("main").inner_text()
    assert_accessible(page)
    archive: str = page.get_by_role("link", name="Télécharger l'archive").get_attribute("href")

    page.get_by_role("link", name="Vérifiez qu'il est dans l'urne").click()
    page.get_by_role("textbox", name="Empreinte du bulletin").fill(tracker)
    page.get_by_role("button", name="Vérifier").click()
    assert "Ce bulletin est dans l'urne, n° 1." in page.get_by_role("status").inner_text()
    assert_accessible(page)
    return Path(archive)


@pytest.mark.belenios
def test_bob_votes_in_both_scrutins_and_finds_his_trackers_on_the_boards(
    live_server: Any,
    page: Any,
    voter_bob: User,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    open_vote: str,
    mailoutbox: list[Any],
    tmp_path: Path,
) -> None:
    log_in(page, live_server, voter_bob)
    trackers = {}
    for scrutin, label in (
        (csa_national, "Liste 2 Liste UNSA Éducation"),
        (capa_dijon, "Vote blanc"),
    ):
        page.goto(f"{live_server.url}/espace/scrutins/")
        tracker = vote_in_the_booth(page, scrutin, label, open_vote)
        assert ScrutinElection.objects.get(scrutin=scrutin).ballots.get().tracker == tracker
        # The receipt's own "Vérifier mon bulletin" finds it.
        page.get_by_role("link", name="Vérifier mon bulletin").click()
        assert "Ce bulletin est dans l'urne" in page.get_by_role("status").inner_text()
        trackers[scrutin.code] = tracker

    # Both receipts: in "Mes scrutins", in the espace, by email.
    page.goto(f"{live_server.url}/espace/scrutins/")
    assert page.get_by_text("A voté le").count() == 2
    assert_accessible(page)
    for scrutin in (csa_national, capa_dijon):
        page.goto(f"{live_server.url}/espace/scrutins/")
        page.get_by_role(
            "link", name=f"Voir mon accusé de réception du scrutin « {scrutin.name} »"
        ).click()
        assert trackers[scrutin.code] in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/espace/")
    assert page.get_by_text("A voté le").count() == 2
    receipts = [m for m in mailoutbox if "accusé de réception de votre vote" in m.subject]
    assert len(receipts) == 2
    assert {t for t in trackers.values() if any(t in m.body for m in receipts)} == set(
        trackers.values()
    )

    # The boards, as anyone: a fresh browser context without Bob's session.
    public = page.context.browser.new_context(locale="fr-FR", bypass_csp=True)
    try:
        anyone = public.new_page()
        for scrutin in (csa_national, capa_dijon):
            archive = check_on_the_board(anyone, live_server, scrutin, trackers[scrutin.code])
            folder = tmp_path / scrutin.code
            folder.mkdir()
            response = anyone.request.get(f"{live_server.url}{archive}")
            assert response.ok
            path = folder / archive.name
            path.write_bytes(response.body())
            assert verify_archive(path).ballots == 1
            run_tool("election", "verify", "--dir", str(folder))
    finally:
        public.close()


# --- the page against the API's contract ------------------------------------------------------


def test_the_page_sends_only_an_encrypted_ballot_that_urne_accepts(
    live_server: Any,
    strict_page: Any,
    voter_bob: User,
    csa_national: Scrutin,
    open_vote: str,
) -> None:
    page = strict_page
    log_in(page, live_server, voter_bob)
    stored = ScrutinElection.objects.get(scrutin=csa_national)
    received: list[dict[str, Any]] = []
    attempts: list[str] = []

    def ballot_box(route: Any) -> None:
        request = route.request
        attempts.append(request.post_data)
        if len(attempts) == 1:  # the first try is lost on the way: the page must retry
            route.abort("connectionreset")
            return
        received.append({"body": json.loads(request.post_data), "headers": request.headers})
        route.fulfill(
            status=201,
            content_type="application/json",
            body=json.dumps({"status": "accepted", "receipt_url": "/espace/scrutins/"}),
        )

    page.route(f"**/api/v1/scrutins/{stored.uuid}/bulletins", ballot_box)
    go_to_identifier(page, live_server, csa_national.code, "Liste 3 Liste SGEN-CFDT")
    page.get_by_role("textbox", name="Identifiant de vote").fill(open_vote)
    page.get_by_role("button", name="Confirmer mon vote").click()
    page.wait_for_url("**/espace/scrutins/")

    assert len(attempts) == 2 and attempts[0] == attempts[1]  # the very same submission
    (sent,) = received
    assert set(sent["body"]) == {"ballot", "submission"}
    assert 16 <= len(sent["body"]["submission"]) <= 64
    assert sent["headers"]["x-csrftoken"]
    assert open_vote not in attempts[0]
    election = setup.sealed_election(stored)
    credentials = PublicCredentials.from_json(
        election.group, list(stored.credentials.values_list("credential", flat=True))
    )
    checked = check_ballot(election, sent["body"]["ballot"], credentials)
    assert checked.weight == 1


def send_error(page: Any) -> str:
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert len(page.locator("#tracker").inner_text()) == 43
    assert_accessible(page)
    text: str = alert.inner_text()
    return text


def test_a_vote_already_cast_elsewhere_is_refused_and_the_booth_leads_to_the_receipt(
    live_server: Any,
    page: Any,
    voter_bob: User,
    elector_bob: Elector,
    csa_national: Scrutin,
    open_vote: str,
) -> None:
    log_in(page, live_server, voter_bob)
    go_to_identifier(page, live_server, csa_national.code, "Vote blanc")
    # Meanwhile Bob votes from another device: this page's ballot comes second.
    cast(ScrutinElection.objects.get(scrutin=csa_national), elector_bob, open_vote, 0)
    page.get_by_role("textbox", name="Identifiant de vote").fill(open_vote)
    page.get_by_role("button", name="Confirmer mon vote").click()

    assert "Vous avez déjà voté dans ce scrutin" in send_error(page)
    assert page.get_by_role("button", name="Réessayer").is_hidden()
    page.get_by_role("link", name="Voir mon accusé de réception").click()
    page.wait_for_url(f"**/espace/vote/{csa_national.code}/accuse/")
    stored = ScrutinElection.objects.get(scrutin=csa_national).ballots.get()
    assert stored.tracker in page.locator("main").inner_text()


def test_a_stale_csrf_token_is_refused_with_the_api_message(
    live_server: Any, page: Any, voter_bob: User, csa_national: Scrutin, open_vote: str
) -> None:
    log_in(page, live_server, voter_bob)
    go_to_identifier(page, live_server, csa_national.code, "Vote blanc")
    page.locator("#booth").evaluate("booth => { booth.dataset.csrfToken = 'x'.repeat(64); }")
    page.get_by_role("textbox", name="Identifiant de vote").fill(open_vote)
    page.get_by_role("button", name="Confirmer mon vote").click()

    text = send_error(page)
    assert "Rechargez la page de vote" in text
    assert page.get_by_role("button", name="Réessayer").is_hidden()
    assert page.get_by_role("link", name="Voir mon accusé de réception").is_hidden()
    assert not ScrutinElection.objects.get(scrutin=csa_national).ballots.exists()


def test_too_many_attempts_are_refused_and_can_be_retried_later(
    live_server: Any,
    page: Any,
    voter_bob: User,
    csa_national: Scrutin,
    open_vote: str,
    settings: Any,
) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.URNE_RATE_CAST_PER_ELECTOR = "1/1m"
    log_in(page, live_server, voter_bob)
    go_to_identifier(page, live_server, csa_national.code, "Vote blanc")
    stored = ScrutinElection.objects.get(scrutin=csa_national)
    token = page.locator("#booth").get_attribute("data-csrf-token")
    first = page.request.post(  # an earlier attempt this minute, malformed
        f"{live_server.url}/api/v1/scrutins/{stored.uuid}/bulletins",
        data="{}",
        headers={"Content-Type": "application/json", "X-CSRFToken": token},
    )
    assert first.json()["error"] == "malformed_request"
    page.get_by_role("textbox", name="Identifiant de vote").fill(open_vote)
    page.get_by_role("button", name="Confirmer mon vote").click()

    assert "trop de tentatives" in send_error(page)
    assert page.get_by_role("button", name="Réessayer").is_visible()
    assert not stored.ballots.exists()


def test_an_overloaded_service_is_waited_out_then_handed_to_the_elector_and_one_ballot_lands(
    live_server: Any,
    page: Any,
    voter_bob: User,
    csa_national: Scrutin,
    open_vote: str,
) -> None:
    """The load balancer's answer beyond capacity (deploy/busy.html: 503, HTML, Retry-After):
    the page says the service is very busy, waits as asked and sends the same submission again;
    after five such answers it hands the retry to the elector, and « Réessayer » deposits the
    ballot once."""
    log_in(page, live_server, voter_bob)
    stored = ScrutinElection.objects.get(scrutin=csa_national)
    attempts: list[str] = []
    said: list[str] = []

    def overloaded(route: Any) -> None:
        attempts.append(route.request.post_data)
        route.fulfill(
            status=503,
            headers={"Retry-After": "1" if len(attempts) <= 5 else "2"},
            content_type="text/html; charset=utf-8",
            body="<h1>Le service est très sollicité</h1>",
        )

    api = f"**/api/v1/scrutins/{stored.uuid}/bulletins"
    page.route(api, overloaded)
    go_to_identifier(page, live_server, csa_national.code, "Liste 3 Liste SGEN-CFDT")
    page.get_by_role("textbox", name="Identifiant de vote").fill(open_vote)
    page.get_by_role("button", name="Confirmer mon vote").click()
    page.wait_for_function(
        "document.getElementById('send-status').textContent.includes('très sollicité')"
    )
    said.append(page.locator("#send-status").inner_text())

    text = send_error(page)
    assert "très sollicité : réessayez dans 2 secondes" in text
    assert len(attempts) == 6 and len(set(attempts)) == 1  # the very same submission
    assert not stored.ballots.exists()
    assert "nouvel essai automatique dans 1 seconde." in said[0]

    page.unroute(api)  # the service has room again
    page.get_by_role("button", name="Réessayer").click()
    page.wait_for_url("**/accuse/")
    assert stored.ballots.count() == 1


def test_a_mistyped_identifier_is_refused_in_the_page_and_nothing_is_sent(
    live_server: Any, page: Any, voter_bob: User, csa_national: Scrutin, open_vote: str
) -> None:
    log_in(page, live_server, voter_bob)
    sent = api_requests(page)
    go_to_identifier(page, live_server, csa_national.code, "Liste 1 Liste FSU")
    field = page.get_by_role("textbox", name="Identifiant de vote")
    last = open_vote[-1]
    field.fill(open_vote[:-1] + ("2" if last != "2" else "3"))
    page.get_by_role("button", name="Confirmer mon vote").click()

    error = page.locator("#identifier-error")
    assert "erreur de frappe" in error.inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert "identifier-error" in (field.get_attribute("aria-describedby") or "")
    assert field.evaluate("element => element === document.activeElement")
    assert page.locator("#step-send").is_hidden()
    assert_accessible(page)
    page.wait_for_timeout(500)
    assert sent == []


def test_each_step_has_its_heading_focused_and_is_accessible(
    live_server: Any, page: Any, voter_bob: User, csa_national: Scrutin, open_vote: str
) -> None:
    log_in(page, live_server, voter_bob)
    stored = ScrutinElection.objects.get(scrutin=csa_national)
    page.route(f"**/api/v1/scrutins/{stored.uuid}/bulletins", lambda route: None)  # held
    page.goto(f"{live_server.url}/espace/vote/{csa_national.code}/")
    assert_accessible(page)

    page.get_by_role("button", name="Continuer").click()  # nothing chosen
    assert "Choisissez une liste" in page.locator("#choose-error").inner_text()
    assert_accessible(page)

    choose(page, "Liste 2 Liste UNSA Éducation")
    assert "Étape 2 sur 3" in focused_text(page)
    assert "Liste 2 — Liste UNSA Éducation" in page.locator("#review-choice").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Modifier mon choix").click()
    assert "Étape 1 sur 3" in focused_text(page)
    choose(page, "Vote blanc")
    assert page.locator("#review-choice").inner_text() == "Vote blanc"
    page.get_by_role("button", name="Continuer").click()
    assert "Étape 3 sur 3" in focused_text(page)
    assert_accessible(page)

    page.get_by_role("textbox", name="Identifiant de vote").fill(open_vote)
    page.keyboard.press("Enter")
    assert "Dépôt de votre bulletin" in focused_text(page)
    page.locator("#tracker").wait_for()
    assert "Dépôt dans l'urne" in page.get_by_role("status").inner_text()
    assert_accessible(page)


def test_with_javascript_off_the_booth_says_what_to_do(
    live_server: Any, browser: Any, voter_bob: User, csa_national: Scrutin, open_vote: str
) -> None:
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, voter_bob)
        page.goto(f"{live_server.url}/espace/vote/{csa_national.code}/")
        text = page.locator("main").inner_text()
        assert "JavaScript doit être activé" in text
        assert "ac-dijon" in text or "@" in text  # the assistance contact
        assert page.locator("#booth").is_hidden()
    finally:
        context.close()


def test_a_browser_without_workers_is_told_it_is_too_old(
    live_server: Any, page: Any, voter_bob: User, csa_national: Scrutin, open_vote: str
) -> None:
    log_in(page, live_server, voter_bob)
    page.add_init_script("delete window.Worker")
    page.goto(f"{live_server.url}/espace/vote/{csa_national.code}/")
    assert "navigateur est trop ancien" in page.locator("#booth-unsupported").inner_text()
    assert page.locator("#booth").is_hidden()
    assert_accessible(page)
