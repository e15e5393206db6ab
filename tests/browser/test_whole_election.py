"""A whole election in one Chromium run (issue 9's « done when »), through the real pages and
real components, no mock:

1. the organizer composes the bureau de vote électronique (president, secretary, a delegate of
   each of three unions) covering the CSA ministériel, and opens the key ceremony; the
   president makes his key in his browser, the UNSA delegate with the real belenios-tool, the
   others with urne's core (offline), each uploading from their page;
2. the credential authority (`urne authority_generate`) gives the identifiers, `urne
   seal_elections` seals the scrutin; the seal gate is on: with the vote open and the campaign
   not sealed, the booth is not ready and the ballot box refuses (409 `not_sealed`); the
   organizer seals the campaign on its page, the public board shows the seal;
3. four electors vote in the booth (encrypted in their browser): FSU, FSU, UNSA, blank;
4. the vote closes on urne's clock, the first visit of the board closes the box; a fifth
   elector's ballot, confirmed after the closing time, is refused;
5. the president (in his browser) and the SGEN delegate (`urne trustee decrypt`) upload their
   partial decryptions: a set breaking the rule (one union only), the result refused with the
   rule's words; the UNSA delegate's share, made with belenios-tool, completes an allowed set;
6. the results page shows the figures and seats; the president proclaims, the secretary's
   second proclamation is refused; the public results page shows them;
7. the procès-verbal (PDF, read back with pdftotext) states the figures, seats, elected and
   fingerprints;
8. the final archive from the public board passes `urne verify` and `belenios-tool election
   verify`.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.backoffice.personas import organizer
from tests.browser.conftest import log_in, new_context
from tests.browser.test_booth import vote_in_the_booth
from tests.browser.trustee_steps import (
    decrypt_in_browser,
    make_key_in_browser,
    make_polynomial_in_browser,
    make_voutput_in_browser,
)
from tests.conftest import make_account, make_elector
from tests.counting.bureau_scene import Holder, Scene, do_step, make_staff
from tests.counting.conftest import add_candidates
from tests.counting.test_minutes import pdf_text
from tests.crypto.belenios_tool import run_tool
from tests.voting.conftest import add_lists
from urne.accounts.models import User
from urne.authority.generation import open_identifier
from urne.authority.keys import read_private_key, write_key_pair
from urne.authority.models import SealedIdentifier
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin
from urne.candidacies.models import Union
from urne.cli import main as urne_main
from urne.cli.protocol import main as protocol_main
from urne.counting import decryption
from urne.counting.models import Bureau, Proclamation
from urne.crypto.ballot import make_ballot
from urne.crypto.jsonio import dumps, loads
from urne.sealing.models import CampaignSeal
from urne.voting.apps import COUNTING_OPERATORS_GROUP
from urne.voting.models import ScrutinElection
from urne.voting.setup import sealed_election

__all__ = ["organizer"]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.belenios]

Travel = Callable[[datetime], None]

UNIONS = {
    "FSU": "Fédération syndicale unitaire",
    "UNSA": "UNSA Éducation",
    "SGEN-CFDT": "SGEN-CFDT",
}
# name, role's label on the page, union; Ulysse runs belenios-tool, Paul his browser.
MEMBERS = (
    ("paul", "président", None),
    ("sophie", "secrétaire", None),
    ("fanny", "délégué syndical", "FSU"),
    ("ulysse", "délégué syndical", "UNSA"),
    ("gaspard", "délégué syndical", "SGEN-CFDT"),
)
# Each elector's choice in the booth; Emma's comes after the closing.
VOTES = (
    ("Bob", "Martin", "Liste 1 Liste FSU"),
    ("Alice", "Bernard", "Liste 1 Liste FSU"),
    ("Chloé", "Petit", "Liste 2 Liste UNSA Éducation"),
    ("David", "Roux", "Vote blanc"),
)
LATE = ("Emma", "Noël", "Liste 3 Liste SGEN-CFDT")


class People:
    """One browser context per person, each logged in as them."""

    def __init__(self, browser: Any, live_server: Any) -> None:
        self.browser, self.live_server = browser, live_server
        self.pages: dict[str, Any] = {}

    def page(self, key: str, user: User | None) -> Any:
        if key not in self.pages:
            context = new_context(self.browser)
            page = context.new_page()
            if user is not None:
                log_in(page, self.live_server, user)
            self.pages[key] = page
        return self.pages[key]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture
def people(browser: Any, live_server: Any) -> Iterator[People]:
    made = People(browser, live_server)
    yield made
    made.close()


def shown(page: Any, text: str) -> None:
    expect(page.get_by_text(text).first).to_be_visible()


def compose_in_the_browser(
    page: Any, url: str, scrutin: Scrutin, holders: dict[str, Holder]
) -> None:
    """The organizer creates the bureau, covers the scrutin, adds the members, opens the
    ceremony, on the bureaus' pages."""
    page.goto(f"{url}/gestion/accueil/")
    page.get_by_role("navigation").get_by_role("link", name="Bureaux de vote électronique").click()
    page.get_by_label("Nom du bureau").fill("BVE")
    page.get_by_role("button", name="Créer le bureau").click()
    shown(page, "Le bureau de vote est créé.")
    page.get_by_label("Scrutin", exact=True).select_option(label=f"{scrutin.code} — {scrutin.name}")
    page.get_by_role("button", name="Couvrir ce scrutin").click()
    shown(page, "Les scrutins couverts sont enregistrés.")
    for name, role, union in MEMBERS:
        page.get_by_label("Adresse du compte de gestion").fill(holders[name].user.email)
        page.get_by_label("Rôle", exact=True).select_option(label=role)
        choice = f"{union} — {UNIONS[union]}" if union else "—"
        page.get_by_label("Organisation syndicale (délégué)").select_option(label=choice)
        page.get_by_role("button", name="Ajouter le membre").click()
        members = page.get_by_role("table", name="Membres du bureau")
        expect(members).to_contain_text(holders[name].user.email)
    shown(page, "La composition respecte la règle.")
    page.get_by_role("button", name="Ouvrir la cérémonie des clés").click()
    shown(page, "La cérémonie des clés est ouverte.")


def trustee_numbers(page: Any) -> dict[str, int]:
    """Certificate name → trustee number, as the member's page gives them once the ceremony is
    complete (belenios-tool's --trustee-id)."""
    text = page.locator("main").inner_text()
    found = re.findall(r"\(clé (\S+)\) : déchiffreur n° (\d+)", text)
    return {name: int(number) for name, number in found}


def upload_share(page: Any, url: str, scrutin: Scrutin, text: str) -> str:
    """Paste a partial decryption made offline into the member's page; what the page says."""
    page.goto(url)
    page.get_by_label("ou son contenu, collé ici").fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name=f"Vérifier et déposer pour {scrutin.code}").click()
    said: str = page.locator("main").inner_text()
    return said


def download(page: Any, link: Any, to: Path) -> Path:
    with page.expect_download() as started:
        link.click()
    target: Path = to / started.value.suggested_filename
    started.value.save_as(target)
    return target


def test_a_whole_election_from_the_bureau_to_the_verified_archive(
    live_server: Any,
    people: People,
    settings: Any,
    travel: Travel,
    organizer: User,
    campaign: Campaign,
    dijon: Academy,
    csa_national: Scrutin,
    tmp_path: Path,
) -> None:
    url = live_server.url
    settings.URNE_SEAL_REQUIRED = True
    authority_private, authority_public = write_key_pair(tmp_path / "autorite")
    settings.URNE_AUTHORITY_PUBLIC_KEY = str(authority_public)
    settings.URNE_AUTHORITY_PRIVATE_KEY = str(authority_private)
    organizer.groups.add(Group.objects.get(name=COUNTING_OPERATORS_GROUP))
    organizer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="sealing",
            codename__in=["view_campaignseal", "add_campaignseal"],
        )
    )
    organizer = User.objects.get(pk=organizer.pk)

    # The scrutin: 3 seats, three validated lists with their candidates, five electors.
    csa_national.seats = 3
    csa_national.save(update_fields=["seats"])
    for acronym, name in UNIONS.items():
        Union.objects.create(campaign=campaign, acronym=acronym, name=name)
    add_candidates(add_lists(csa_national))
    electors: dict[str, Elector] = {}
    accounts: dict[str, User] = {}
    for first, last, _choice in (*VOTES, LATE):
        elector = make_elector(campaign, dijon, first, last)
        RollEntry.objects.create(scrutin=csa_national, elector=elector)
        accounts[first] = make_account(elector)
        electors[first] = elector
    call_command("prepare_elections", "--campaign", str(campaign.pk), stdout=io.StringIO())
    election = ScrutinElection.objects.get(scrutin=csa_national)

    # 1. The bureau, composed in the browser; the key ceremony.
    ulysse_folder = tmp_path / "ulysse"
    ulysse_folder.mkdir()
    holders = {
        name: Holder(
            make_staff(f"{name}@education.gouv.fr"),
            with_tool=ulysse_folder if name == "ulysse" else None,
        )
        for name, _role, _union in MEMBERS
    }
    boss = people.page("organizer", organizer)
    compose_in_the_browser(boss, url, csa_national, holders)
    bureau = Bureau.objects.get(campaign=campaign, name="BVE")
    scene = Scene(campaign, bureau, [csa_national], {}, holders)
    member_url = url + reverse("bureau:member", args=[bureau.pk])

    paul = people.page("paul", holders["paul"].user)
    paul_folder = tmp_path / "paul"
    paul_folder.mkdir()
    client = Client()

    def the_others_do(step: str) -> None:
        for name in holders:
            if name != "paul":
                do_step(client, scene, name, step)

    paul_key = make_key_in_browser(paul, member_url, paul_folder)
    the_others_do("cert")
    make_polynomial_in_browser(paul, member_url, paul_key)
    the_others_do("polynomial")
    paul_voutput = paul_folder / "voutput.json"
    make_voutput_in_browser(paul, member_url, paul_key, paul_voutput)
    the_others_do("voutput")
    paul.goto(member_url)
    shown(paul, "La cérémonie est terminée et vérifiée.")
    bureau.refresh_from_db()
    assert bureau.step == Bureau.Step.COMPLETE
    election.refresh_from_db()
    assert election.trustees == bureau.trustees

    # 2. Identifiers (the credential authority), the scrutin's election sealed; the campaign's
    # seal missing, the vote cannot open: the booth is not ready, the ballot box refuses.
    call_command("authority_generate", "--campaign", str(campaign.pk), stdout=io.StringIO())
    private_key = read_private_key(authority_private)
    identifiers = {
        first: open_identifier(
            private_key, SealedIdentifier.objects.get(elector=elector), campaign.pk
        )
        for first, elector in electors.items()
    }
    call_command("seal_elections", "--campaign", str(campaign.pk), stdout=io.StringIO())
    election.refresh_from_db()
    assert election.is_sealed

    travel(campaign.vote_opens_at + timedelta(minutes=1))
    bob = people.page("bob", accounts["Bob"])
    bob.goto(f"{url}/espace/scrutins/")
    shown(bob, "Vote en préparation")
    bob.goto(f"{url}/espace/vote/{csa_national.code}/")
    shown(bob, "Le vote de ce scrutin n'est pas encore prêt.")
    voter = Client()
    voter.force_login(accounts["Bob"])
    ballot = make_ballot(sealed_election(election), identifiers["Bob"], [[0, 1, 0, 0]])
    refused = voter.post(
        f"/api/v1/scrutins/{election.uuid}/bulletins",
        dumps({"ballot": ballot.text, "submission": "avant-le-scellement-0001"}),
        content_type="application/json",
    )
    assert refused.status_code == 409
    assert refused.json()["error"] == "not_sealed"
    assert "le bureau de vote n'a pas scellé l'élection" in refused.json()["message"]
    assert not election.ballots.exists()
    boss.goto(f"{url}/gestion/scellement/")
    shown(boss, "aucun : le vote ne peut pas s'ouvrir")

    # The day before the opening, the organizer seals the campaign; the board publishes it.
    travel(campaign.vote_opens_at - timedelta(hours=20))
    boss.get_by_role("link", name=campaign.name).click()
    boss.get_by_role("button", name="Sceller la campagne").click()
    shown(boss, "Campagne scellée (scellement n° 1")
    seal = CampaignSeal.objects.get(campaign=campaign)
    anyone = people.page("anyone", None)
    anyone.goto(f"{url}/tableau/scellement/")
    shown(anyone, seal.fingerprint)

    # 3. The vote opens; four electors vote in the booth, their ballots encrypted there.
    travel(campaign.vote_opens_at + timedelta(minutes=1))
    trackers = []
    for first, _last, choice in VOTES:
        page = people.page(first.lower(), accounts[first])
        page.goto(f"{url}/espace/scrutins/")
        trackers.append(
            vote_in_the_booth(page, csa_national, choice, identifiers[first], audit=False)
        )
    assert election.ballots.count() == 4
    # Emma fills the booth, but confirms only after the closing time.
    emma = people.page("emma", accounts["Emma"])
    emma.goto(f"{url}/espace/vote/{csa_national.code}/")
    emma.get_by_label(LATE[2], exact=True).check()
    emma.get_by_role("button", name="Continuer").click()
    emma.get_by_role("button", name="Continuer").click()
    emma.get_by_role("textbox", name="Identifiant de vote").fill(identifiers["Emma"])

    # 4. The closing time passes: Emma's ballot is refused; the first visit closes the box.
    travel(campaign.vote_closes_at + timedelta(minutes=1))
    emma.get_by_role("button", name="Confirmer mon vote").click()
    expect(emma.get_by_role("alert")).to_contain_text("Le vote est clos")
    anyone.goto(f"{url}/tableau/")
    anyone.get_by_role("link", name=csa_national.name).first.click()
    shown(anyone, "L'urne est close")
    for tracker in trackers:
        assert tracker in anyone.locator("main").inner_text()
    assert election.ballots.count() == 4
    boss.goto(f"{url}/gestion/accueil/")
    boss.get_by_role("navigation").get_by_role("link", name="Dépouillement").click()
    boss.get_by_role("link", name=csa_national.name).click()
    shown(boss, "Dépouillement chiffré publié : 4 bulletins comptés.")
    # Every member downloads the archive, with its encrypted tally, from the public board.
    anyone.reload()
    tallied = tmp_path / "tallied"
    tallied.mkdir()
    archive = download(anyone, anyone.get_by_role("link", name="Télécharger l'archive"), tallied)

    # 5. Paul decrypts in his browser, Gaspard offline with urne: one union only.
    paul.goto(member_url)
    paul.get_by_role("link", name="Calculer mon déchiffrement partiel dans ce navigateur").click()
    said = decrypt_in_browser(paul, str(paul_key), str(paul_voutput))
    assert "l'autorité n° 1 calculé dans ce navigateur" in said
    paul.get_by_role("button", name=f"Vérifier et déposer pour {csa_national.code}").click()
    shown(paul, "Votre déchiffrement partiel (autorité n° 1) est vérifié et publié.")

    gaspard = people.page("gaspard", holders["gaspard"].user)
    gaspard_folder = tmp_path / "gaspard"
    gaspard_folder.mkdir()
    for fragment in scene.fragments("gaspard"):
        key = gaspard_folder / f"{fragment.cert_name}.key"
        key.write_text(holders["gaspard"].keys[fragment.pk].seed + "\n")
        voutput = gaspard_folder / f"{fragment.cert_name}.voutput"
        voutput.write_text(holders["gaspard"].voutputs[fragment.pk] + "\n")
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = urne_main(["trustee", "decrypt", "--key", str(key), "--voutput", str(voutput),
                              "--archive", str(archive)])  # fmt: skip
        assert code == 0
        said = upload_share(gaspard, member_url, csa_national, printed.getvalue())
        assert "est vérifié et publié" in said
    assert "Il manque encore : un délégué d'une autre organisation syndicale." in said

    # The rule is not met: « Calculer et publier le résultat » is refused, with its words.
    boss.goto(url + reverse("tally:detail", args=[election.pk]))
    shown(boss, "Il manque encore : un délégué d'une autre organisation syndicale.")
    boss.get_by_role("button", name="Calculer et publier le résultat").click()
    shown(boss, "Le résultat ne peut pas encore être calculé : il manque un délégué d'une autre")
    shown(boss, "Pas encore publié.")
    assert decryption.scrutin_result(election) is None
    boss.goto(url + reverse("results:scrutin", args=[csa_national.pk]))
    shown(boss, "Ce scrutin n'a pas encore de résultat")

    # Ulysse decrypts one of his fragments with belenios-tool: president + two unions.
    ulysse = people.page("ulysse", holders["ulysse"].user)
    ulysse.goto(member_url)
    numbers = trustee_numbers(ulysse)
    fragment = scene.fragments("ulysse")[0]
    tool_name = holders["ulysse"].tool_names[fragment.pk]
    dkey = ulysse_folder / f"{tool_name}.dkey"
    dkey.write_text(loads(holders["ulysse"].voutputs[fragment.pk])["private_key"])
    made = run_tool(
        "election", "decrypt-threshold", "--dir", str(tallied), "--key",
        str(ulysse_folder / f"{tool_name}.key"), "--decryption-key", str(dkey),
        "--trustee-id", str(numbers[tool_name]),
    )  # fmt: skip
    said = upload_share(ulysse, member_url, csa_national, made.stdout)
    assert f"(autorité n° {numbers[tool_name]}) est vérifié et publié" in said
    assert "Le résultat du scrutin est calculé et publié." in said

    # 6. The results, in the back office, before the proclamation.
    boss.goto(f"{url}/gestion/resultats/")
    boss.get_by_role("link", name=csa_national.name).first.click()
    shown(boss, "Résultat non encore proclamé")
    counts = boss.get_by_role("table", name="Décompte des voix").inner_text()
    for figure in ("Inscrits\t5", "Votants\t4", "Bulletins blancs\t1", "nuls\t0"):
        assert figure in counts, counts
    assert "exprimés\t3" in counts and "80,00" in counts
    votes = boss.get_by_role("table", name="Voix et part des suffrages exprimés").inner_text()
    assert "Liste FSU\tFSU\t2\t66,67" in votes and "Liste SGEN-CFDT\tSGEN-CFDT\t0" in votes
    seats = boss.get_by_role("table", name="Sièges par liste").inner_text()
    assert "Liste FSU\t2\t2" in seats and "Liste UNSA Éducation\t1\t1" in seats
    assert "Liste SGEN-CFDT\t0\t0" in seats
    shown(boss, "Anne ARNAUD, Bruno BLANC")
    shown(boss, "Quotient électoral : 3 ÷ 3 = 1")

    # The secretary has her page open with the button when the president proclaims.
    sophie = people.page("sophie", holders["sophie"].user)
    sophie.goto(member_url)
    paul.goto(member_url)
    paul.get_by_role("button", name=f"Proclamer les résultats de {csa_national.code}").click()
    shown(paul, "sont proclamés et publiés")
    sophie.get_by_role("button", name=f"Proclamer les résultats de {csa_national.code}").click()
    shown(sophie, "ont déjà été proclamés le")
    assert "par paul@education.gouv.fr" in sophie.locator("main").inner_text()
    assert Proclamation.objects.get(scrutin=csa_national).proclaimed_by == holders["paul"].user

    anyone.goto(f"{url}/resultats/")
    anyone.get_by_role("link", name=csa_national.name).first.click()
    shown(anyone, "Anne ARNAUD, Bruno BLANC")
    shown(anyone, "Ève EMERY")

    # 7. The procès-verbal.
    boss.goto(url + reverse("results:scrutin", args=[csa_national.pk]))
    pdf = download(boss, boss.get_by_role("link", name="Procès-verbal (PDF)"), tmp_path)
    text = pdf_text(pdf.read_bytes(), tmp_path)
    election.refresh_from_db()
    for expected in (
        "Procès-verbal des opérations électorales",
        csa_national.name,
        "Inscrits 5",
        "Votants 4",
        "Bulletins blancs 1",
        "Bulletins nuls 0",
        "Suffrages valablement exprimés 3",
        "Participation 80,00 %",
        "Liste FSU 2 66,67 % 2 2",
        "Liste UNSA Éducation 1 33,33 % 1 1",
        "Liste SGEN-CFDT 0 0,00 % 0 0",
        "Quotient électoral : 3 ÷ 3 = 1",
        "Titulaires : Anne ARNAUD, Bruno BLANC",
        "Suppléants : Chloé CHEN, Denis DURAND",
        "Titulaires : Ève EMERY",
        "Suppléants : Fanny FAURE",
        election.last_event,  # the archive's fingerprint: its Result event
        seal.fingerprint,
        "paul@education.gouv.fr",
        "Signatures des membres du bureau",
    ):
        assert expected in text, expected

    # 8. The final archive, from the public board: urne verify and belenios-tool.
    final = tmp_path / "final"
    final.mkdir()
    # (Someone else than `anyone`, whose browser may keep the board's page 15 seconds.)
    verifier = people.page("verifier", None)
    verifier.goto(url + reverse("voting:board", args=[election.uuid]))
    shown(verifier, "L'archive ci-dessous est complète et finale")
    archive = download(verifier, verifier.get_by_role("link", name="Télécharger l'archive"), final)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert protocol_main("verify", [str(archive)]) == 0
    assert election.last_event in printed.getvalue()
    run_tool("election", "verify", "--dir", str(final))
