"""Recevoir à nouveau le message de confirmation: the same answer for every address, and the
email says the truth about the account."""

from __future__ import annotations

from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import strip_csrf

RESEND = reverse("accounts:resend")


def resend(post, email: str, answer: str = "PASSED"):
    return post(RESEND, {"email": email, "captcha_0": "key", "captcha_1": answer})


def test_a_pending_account_gets_a_new_confirmation_link(post, unconfirmed_alice) -> None:
    response = resend(post, "alice.bernard@ac-dijon.fr")

    assert response["Location"] == reverse("accounts:resend_done")
    [message] = mail.outbox
    assert message.subject == "Elections professionnelles 2014 : confirmez votre compte électeur"
    assert "/compte/confirmer/" in message.body


def test_a_confirmed_account_is_reminded_to_log_in(post, voter_bob) -> None:
    resend(post, "bob.martin@ac-dijon.fr")

    [message] = mail.outbox
    assert message.subject == "Elections professionnelles 2014 : votre compte électeur existe déjà"


def test_an_unknown_address_gets_nothing_and_the_same_page(client: Client, post, voter_bob):
    known = resend(post, "bob.martin@ac-dijon.fr")
    unknown = resend(post, "nobody@ac-dijon.fr")

    assert known["Location"] == unknown["Location"]
    assert strip_csrf(client.get(known["Location"]).content.decode()) == strip_csrf(
        client.get(unknown["Location"]).content.decode()
    )
    assert len(mail.outbox) == 1


def test_a_wrong_captcha_sends_nothing(post, unconfirmed_alice) -> None:
    response = resend(post, "alice.bernard@ac-dijon.fr", answer="NOTIT")

    assert "Le code de sécurité saisi est incorrect ou a expiré." in response.content.decode()
    assert mail.outbox == []
