"""A bureau member's steps in their own browser, as the browser tests drive them: the key
ceremony's three steps on « Mon bureau de vote » (keys-page.js) and the partial decryption
(decrypt-page.js). Each helper asserts what the member reads on the way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

ACCEPTED = "Votre fichier est vérifié et enregistré."


def wait_for_status(page: Any) -> str:
    """The ceremony step's status once the browser's computation is over."""
    page.wait_for_function(
        "() => { const s = document.querySelector('.trustee-step-status').textContent;"
        " return s && !s.startsWith('Calcul en cours'); }"
    )
    text: str = page.locator(".trustee-step-status").inner_text()
    return text


def make_key_in_browser(page: Any, url: str, folder: Path) -> Path:
    """Step 1 on the member's page `url` (one fragment): the key is made in the browser and
    downloaded into `folder`; the certificate fills the form only then, and is uploaded.
    Returns the key file (NAME.key, as belenios-tool names it)."""
    page.goto(url)
    page.get_by_role("button", name="Créer ma clé dans ce navigateur").click()
    assert "Votre clé est créée" in wait_for_status(page)
    link = page.get_by_role("link", name="Télécharger votre clé")
    assert link.evaluate("e => e === document.activeElement")
    form = page.locator("form textarea[name=text]")
    assert form.input_value() == ""
    with page.expect_download() as download:
        link.click()
    key: Path = folder / download.value.suggested_filename
    download.value.save_as(key)
    assert form.input_value().startswith("{")
    page.get_by_role("button", name="Déposer pour le fragment").click()
    expect(page.get_by_text(ACCEPTED)).to_be_visible()
    return key


def make_polynomial_in_browser(page: Any, url: str, key: Path) -> None:
    """Step 3: the key file read in the browser, the polynomial made and uploaded."""
    page.goto(url)
    page.get_by_label("Votre fichier de clé").set_input_files(str(key))
    page.get_by_role("button", name="Calculer mon polynôme dans ce navigateur").click()
    assert "Votre polynôme remplit le formulaire" in wait_for_status(page)
    page.get_by_role("button", name="Déposer pour le fragment").click()
    expect(page.get_by_text(ACCEPTED)).to_be_visible()


def make_voutput_in_browser(page: Any, url: str, key: Path, voutput: Path) -> None:
    """Step 5: the voutput made in the browser, downloaded to `voutput` (kept for the count),
    and uploaded."""
    page.goto(url)
    page.get_by_label("Votre fichier de clé").set_input_files(str(key))
    page.get_by_role("button", name="Calculer mon voutput dans ce navigateur").click()
    assert "Votre voutput remplit le formulaire" in wait_for_status(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger voutput.json").click()
    download.value.save_as(voutput)
    page.get_by_role("button", name="Déposer pour le fragment").click()
    expect(page.get_by_text(ACCEPTED)).to_be_visible()


def decrypt_in_browser(page: Any, key: Any, voutput: Any | None) -> str:
    """On a page holding the browser decryption (the count's, or the member's scrutin page):
    choose the key file and voutput (paths, or Playwright's file payloads), compute; returns
    what the status then says (the form is filled when it worked)."""
    page.get_by_label("Votre fichier de clé").set_input_files(key)
    if voutput is not None:
        page.get_by_label("Votre fichier voutput").set_input_files(voutput)
    page.get_by_role("button", name="Calculer mon déchiffrement partiel").click()
    page.wait_for_function(
        "() => { const s = document.getElementById('trustee-status').textContent;"
        " return s && !s.startsWith('Calcul en cours'); }"
    )
    text: str = page.locator("#trustee-status").inner_text()
    return text
