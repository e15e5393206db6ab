"""Mot de passe oublié: a link by email to choose a new password, the same answer for every
address, a link that works once and expires."""

from __future__ import annotations

import re
from datetime import timedelta

from captcha.models import CaptchaStore
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.conftest import NEW_PASSWORD, links_in, path_of, strip_csrf
from tests.conftest import PASSWORD

RESET = reverse("accounts:password_reset")
# The security code answered as the test switch allows (tests/settings.py).
CAPTCHA = {"captcha_0": "any-key", "captcha_1": "PASSED"}
WRONG_CODE = "Le code de sécurité saisi est incorrect ou a expiré."


def ask_reset(post, email: str) -> str:
    """Ask for a link; the path of the link received, if any."""
    post(RESET, {"email": email, **CAPTCHA})
    links = [url for message in mail.outbox for url in links_in(message) if "/nouveau/" in url]
    return path_of(links[-1]) if links else ""


def choose(client: Client, post, link: str, password: str, again: str | None = None):
    """Follow the link as a browser does (it hides the token), then send the new password."""
    landing = client.get(link)
    assert landing.status_code == 302
    return post(
        landing["Location"],
        {"new_password1": password, "new_password2": again or password},
    )


def test_bob_gets_a_link_and_chooses_a_new_password(client: Client, post, voter_bob) -> None:
    link = ask_reset(post, "Bob.Martin@ac-dijon.fr ")

    [message] = mail.outbox
    assert message.subject == (
        "Elections professionnelles 2014 : choisissez un nouveau mot de passe"
    )
    assert message.body.startswith("M. Bob MARTIN\n")
    response = choose(client, post, link, NEW_PASSWORD)

    assert response["Location"] == reverse("accounts:password_reset_complete")
    voter_bob.refresh_from_db()
    assert voter_bob.check_password(NEW_PASSWORD)
    assert not voter_bob.check_password(PASSWORD)
    login = client.post(
        reverse("accounts:login"), {"email": "bob.martin@ac-dijon.fr", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302


def test_the_answer_is_the_same_for_an_unknown_address(client: Client, post, voter_bob) -> None:
    known = post(RESET, {"email": "bob.martin@ac-dijon.fr", **CAPTCHA})
    unknown = post(RESET, {"email": "nobody@ac-dijon.fr", **CAPTCHA})

    assert known["Location"] == unknown["Location"]
    assert strip_csrf(client.get(known["Location"]).content.decode()) == strip_csrf(
        client.get(unknown["Location"]).content.decode()
    )
    assert len(mail.outbox) == 1


def test_the_link_works_once(client: Client, post, voter_bob) -> None:
    link = ask_reset(post, "bob.martin@ac-dijon.fr")
    choose(client, post, link, NEW_PASSWORD)

    again = client.get(link, follow=True)

    assert "Ce lien n'est pas valide" in again.content.decode()
    voter_bob.refresh_from_db()
    assert voter_bob.check_password(NEW_PASSWORD)


def test_an_expired_link_is_refused(client: Client, post, travel, voter_bob) -> None:
    link = ask_reset(post, "bob.martin@ac-dijon.fr")
    travel(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1))

    response = client.get(link)

    assert response.status_code == 200
    assert "Ce lien n'est pas valide" in response.content.decode()
    voter_bob.refresh_from_db()
    assert voter_bob.check_password(PASSWORD)


def test_a_weak_or_mismatched_new_password_is_refused(client: Client, post, voter_bob) -> None:
    link = ask_reset(post, "bob.martin@ac-dijon.fr")

    weak = choose(client, post, link, "motdepasse")
    mismatch = post(
        weak.wsgi_request.path,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    )

    assert "au moins une majuscule et un chiffre." in weak.content.decode()
    assert "Les deux mots de passe saisis ne sont pas identiques." in mismatch.content.decode()
    voter_bob.refresh_from_db()
    assert voter_bob.check_password(PASSWORD)


def test_choosing_a_password_confirms_a_pending_account(client, post, unconfirmed_alice):
    """The link proved the mailbox, and the password is now the mailbox owner's."""
    link = ask_reset(post, "alice.bernard@ac-dijon.fr")
    assert "il le sera dès que vous aurez choisi votre mot de passe" in mail.outbox[0].body

    choose(client, post, link, NEW_PASSWORD)

    unconfirmed_alice.refresh_from_db()
    assert unconfirmed_alice.is_active is True
    assert unconfirmed_alice.confirmed_at is not None


def test_a_disabled_account_gets_no_link(post, voter_bob) -> None:
    voter_bob.is_active = False
    voter_bob.save()

    assert ask_reset(post, "bob.martin@ac-dijon.fr") == ""
    assert mail.outbox == []


def test_a_malformed_address_is_refused_in_french(post, voter_bob) -> None:
    response = post(RESET, {"email": "bob.martin@", **CAPTCHA})

    assert "Saisissez une adresse de courriel valide." in response.content.decode()
    assert mail.outbox == []


def test_the_form_asks_for_the_security_code(client: Client, db: None) -> None:
    page = client.get(RESET).content.decode()

    assert re.search(r'<img class="captcha-image" src="/captcha/image/[0-9a-f]+/"', page)
    assert 'name="captcha_1"' in page
    assert "/static/urne/accounts/captcha.js" in page


def test_without_the_right_security_code_no_link_is_sent(client: Client, post, voter_bob):
    page = client.get(RESET).content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page)
    assert key is not None

    wrong = post(
        RESET, {"email": "bob.martin@ac-dijon.fr", "captcha_0": key.group(1), "captcha_1": "NOTIT"}
    )
    missing = post(RESET, {"email": "bob.martin@ac-dijon.fr"})

    assert wrong.status_code == missing.status_code == 200
    assert WRONG_CODE in wrong.content.decode()
    assert "Saisissez le code de sécurité." in missing.content.decode()
    assert mail.outbox == []


def test_the_written_question_is_offered_and_answers_the_form(client: Client, post, voter_bob):
    page = client.get(RESET).content.decode().replace("&#x27;", "'")
    assert '<a href="?captcha=texte">Je ne peux pas lire l\'image' in page

    written = client.get(RESET + "?captcha=texte").content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', written)
    assert key is not None
    store = CaptchaStore.objects.get(hashkey=key.group(1))
    assert f"Question : combien font {store.challenge} ?" in written
    response = post(
        RESET + "?captcha=texte",
        {
            "email": "bob.martin@ac-dijon.fr",
            "captcha_0": store.hashkey,
            "captcha_1": store.response,
        },
    )

    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_a_new_password_lifts_the_lockout_others_caused(client: Client, post, voter_bob) -> None:
    """Someone typing wrong passwords for Bob's address locks it; the link sent to Bob's
    mailbox proves it is him, and his new password opens his account at once."""
    for i in range(5):
        client.post(
            reverse("accounts:login"),
            {"email": "bob.martin@ac-dijon.fr", "password": "Mauvais1x"},
            REMOTE_ADDR=f"198.51.100.{i + 1}",
        )
    locked = client.post(
        reverse("accounts:login"), {"email": "bob.martin@ac-dijon.fr", "password": PASSWORD}
    )
    assert locked.status_code == 429

    choose(client, post, ask_reset(post, "bob.martin@ac-dijon.fr"), NEW_PASSWORD)
    login = client.post(
        reverse("accounts:login"), {"email": "bob.martin@ac-dijon.fr", "password": NEW_PASSWORD}
    )

    assert login.status_code == 302
