"""The voter's whole journey through the espace électeur, in headless Chromium, as the seed tells
it: invitation → account creation → confirmation email → confirmation → log in → profile →
correction request → scrutins → roll → lists → profession de foi → log out.

axe-core checks every page on the way for serious and critical accessibility faults.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core import mail
from django.core.management import call_command

from tests.browser.conftest import assert_accessible
from tests.campaign.conftest import capa_lists, media_root  # noqa: F401  (fixtures)
from urne.accounts.models import User
from urne.campaign.models import Elector, ProfileCorrectionRequest
from urne.candidacies.models import CandidateList

PASSWORD = "Vendanges2014b"
LINK = re.compile(r"https?://\S+")


def last_link_to(recipient: str, path_part: str) -> str:
    """The link of the newest message to `recipient` whose address contains `path_part`."""
    for message in reversed(mail.outbox):
        if recipient in message.to:
            for link in LINK.findall(str(message.body)):
                if path_part in link:
                    return str(link)
    raise AssertionError(f"no message to {recipient} with a link to {path_part}")


def localize(link: str, live_server: Any) -> str:
    """Emails carry the site's public address; the test browser talks to the live server."""
    return f"{live_server.url}/{link.split('://', 1)[1].split('/', 1)[1]}"


def test_an_invited_elector_goes_from_the_invitation_to_the_profession_de_foi(
    live_server: Any,
    page: Any,
    elector_bob: Elector,
    capa_lists: list[CandidateList],  # noqa: F811
    tmp_path: Path,
) -> None:
    # 1. Staff send the invitations: Bob, on the roll and without an account, gets one.
    call_command("send_invitations", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    invitation = [m for m in mail.outbox if elector_bob.email in m.to]
    assert len(invitation) == 1
    page.goto(localize(last_link_to(elector_bob.email, "/compte/creer/"), live_server))

    # 2. "CRÉER MON COMPTE".
    assert_accessible(page)
    page.get_by_label("Adresse de messagerie professionnelle").fill(
        "  " + elector_bob.email.upper() + " "
    )
    page.get_by_label("Mot de passe électeur").fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.locator("input[name=captcha_1]").fill("PASSED")  # the test switch's answer
    page.get_by_role("button", name="JE CRÉE MON COMPTE").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert User.objects.get(email=elector_bob.email).is_active is False

    # 3. The confirmation email, in the seed's words.
    subject = "Elections professionnelles 2014 : confirmez votre compte électeur"
    confirmation = [m for m in mail.outbox if m.subject == subject]
    assert len(confirmation) == 1
    assert str(confirmation[0].body).startswith("M. Bob MARTIN")

    # 4. The link asks for the password chosen, then opens the account.
    page.goto(localize(last_link_to(elector_bob.email, "/compte/confirmer/"), live_server))
    assert_accessible(page)
    page.get_by_label("Mot de passe électeur").fill(PASSWORD)
    page.get_by_role("button").filter(has_text=re.compile("confirm", re.I)).click()
    page.wait_for_url(re.compile("/espace/"))
    assert User.objects.get(email=elector_bob.email).is_active is True
    page.get_by_role("button", name="Se déconnecter").click()

    # 5. "ACCÉDER" with the new password.
    page.goto(f"{live_server.url}/compte/connexion/")
    assert_accessible(page)
    page.get_by_label("Adresse de messagerie professionnelle").fill(elector_bob.email)
    page.get_by_label("Mot de passe électeur").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/espace/$"))
    assert page.locator("h1").inner_text() == "Mon espace électeur"
    assert_accessible(page)

    # 6. Mon profil, and a correction request.
    page.get_by_role("link", name="Consulter mon profil").click()
    assert "Professeur certifié" in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{live_server.url}/espace/")
    page.get_by_role("link", name="Demander une mise à jour de mon profil").click()
    page.get_by_label("Information à corriger").select_option("establishment")
    page.get_by_label("Information correcte").fill("Collège Jean Moulin, Dijon")
    page.get_by_label("Commentaire (facultatif)").fill("Mutation au 1er septembre.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "Collège Jean Moulin, Dijon" in page.locator("main").inner_text()
    request = ProfileCorrectionRequest.objects.get(elector=elector_bob)
    assert request.correction == "Collège Jean Moulin, Dijon"

    # 7. Mes scrutins → the CAPA → its roll and its lists.
    page.goto(f"{live_server.url}/espace/")
    page.get_by_role(
        "link", name="Consulter les scrutins auxquels je suis appelé(e) à participer"
    ).click()
    assert_accessible(page)
    page.get_by_role("link", name="CAPA des professeurs certifiés de Dijon", exact=True).click()
    assert_accessible(page)
    main = page.locator("main").inner_text()
    assert main.index("Liste SNES-FSU") < main.index("Liste commune SGEN-CFDT et SE-UNSA")
    assert "Agnès" in main and "PETIT" in main.upper()

    page.get_by_role("link", name="Consulter la liste électorale").click()
    assert_accessible(page)
    roll = page.locator("main").inner_text()
    assert "MARTIN" in roll.upper()
    assert elector_bob.email not in roll

    # 8. The profession de foi downloads as a PDF.
    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Télécharger la profession de foi")).click()
    downloaded = Path(download_info.value.path())
    assert downloaded.read_bytes().startswith(b"%PDF-")

    # 9. Log out: the espace is closed again.
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(f"{live_server.url}/espace/")
    assert "/compte/connexion/" in page.url
