"""The demo's mailbox: on only in the demo, so a visitor can follow the confirmation link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.test import Client
from django.urls import reverse

from tests.campaign.conftest import text
from urne.demo import mailbox

MAILBOX = reverse("demo:mailbox")


def send(directory: Path, *messages: EmailMessage) -> None:
    """Send through Django's real file-based backend, as the demo does."""
    connection = get_connection(
        "django.core.mail.backends.filebased.EmailBackend", file_path=str(directory)
    )
    connection.send_messages(list(messages))


def confirmation(to: str, link: str) -> EmailMessage:
    return EmailMessage(
        subject="Élections professionnelles 2014 : confirmez votre compte électeur",
        body=f"M. Bob MARTIN\n\nConfirmez la création de votre compte en cliquant sur le lien "
        f"suivant : {link}\n",
        from_email="Élections professionnelles <ne-pas-repondre@urne.example>",
        to=[to],
    )


@pytest.fixture
def demo_mail(settings: Any, tmp_path: Path) -> Path:
    settings.DEMO = True
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return Path(settings.EMAIL_FILE_PATH)


def test_outside_the_demo_the_mailbox_does_not_exist(client: Client, settings: Any, tmp_path: Path):
    settings.DEMO = False
    settings.EMAIL_FILE_PATH = tmp_path
    send(tmp_path, confirmation("bob.martin@ac-dijon.fr", "http://testserver/compte/x/"))
    message_id = mailbox.read_mailbox(tmp_path)[0].id

    assert client.get(MAILBOX).status_code == 404
    assert client.get(reverse("demo:mailbox_message", args=[message_id])).status_code == 404


def test_in_production_the_mailbox_stays_off_even_if_demo_is_set(
    client: Client, settings: Any, demo_mail: Path
):
    settings.PRODUCTION = True

    assert client.get(MAILBOX).status_code == 404


def test_it_lists_the_messages_newest_first(client: Client, demo_mail: Path):
    send(demo_mail, confirmation("bob.martin@ac-dijon.fr", "http://testserver/compte/a/"))
    later = EmailMessage(
        subject="Réinitialisation du mot de passe",
        body="...",
        to=["charlie.durand@ac-lyon.fr"],
        headers={"Date": "Sat, 22 Nov 2099 10:00:00 +0100"},
    )
    send(demo_mail, later)

    page = text(client.get(MAILBOX))

    assert page.index("Réinitialisation du mot de passe") < page.index(
        "Élections professionnelles 2014 : confirmez votre compte électeur"
    )
    assert "bob.martin@ac-dijon.fr" in page
    assert "charlie.durand@ac-lyon.fr" in page


def test_a_message_shows_its_link_clickable(client: Client, demo_mail: Path):
    link = "http://testserver/compte/confirmation/tZIRckuj6eTh9E-M3QeHVg/"
    send(demo_mail, confirmation("bob.martin@ac-dijon.fr", link))
    message_id = mailbox.read_mailbox(demo_mail)[0].id

    page = text(client.get(reverse("demo:mailbox_message", args=[message_id])))

    assert "Élections professionnelles 2014 : confirmez votre compte électeur" in page
    assert f'<a href="{link}"' in page
    assert "M. Bob MARTIN" in page


def test_several_messages_in_one_file_each_open(client: Client, demo_mail: Path):
    send(
        demo_mail,
        confirmation("a@ac-dijon.fr", "http://testserver/a/"),
        confirmation("b@ac-dijon.fr", "http://testserver/b/"),
    )
    found = mailbox.read_mailbox(demo_mail)

    assert sorted(message.recipients for message in found) == ["a@ac-dijon.fr", "b@ac-dijon.fr"]
    for message in found:
        page = text(client.get(reverse("demo:mailbox_message", args=[message.id])))
        assert message.recipients in page


def test_an_html_only_message_is_shown_as_text(client: Client, demo_mail: Path):
    html = EmailMultiAlternatives(subject="HTML", body="", to=["bob.martin@ac-dijon.fr"])
    html.attach_alternative("<p>Bonjour <b>Bob</b> <script>x()</script></p>", "text/html")
    send(demo_mail, html)
    message = mailbox.read_mailbox(demo_mail)[0]

    page = text(client.get(reverse("demo:mailbox_message", args=[message.id])))

    assert "Bonjour Bob" in page
    assert "<script>x()" not in page


def test_it_filters_by_recipient(client: Client, demo_mail: Path):
    send(
        demo_mail,
        confirmation("bob.martin@ac-dijon.fr", "http://testserver/a/"),
        confirmation("charlie.durand@ac-lyon.fr", "http://testserver/b/"),
    )

    page = text(client.get(MAILBOX, {"destinataire": "charlie"}))

    assert "charlie.durand@ac-lyon.fr" in page
    assert "bob.martin@ac-dijon.fr" not in page


@pytest.mark.parametrize("message_id", ["20990101-000000-1-0", "..%2F..%2Fetc%2Fpasswd", "x-0"])
def test_an_unknown_or_forged_message_id_is_a_404(client: Client, demo_mail: Path, message_id: str):
    send(demo_mail, confirmation("bob.martin@ac-dijon.fr", "http://testserver/a/"))

    response = client.get(f"{MAILBOX}{message_id}/")

    assert response.status_code == 404


def test_an_empty_mailbox_says_so(client: Client, demo_mail: Path):
    page = text(client.get(MAILBOX))

    assert "Aucun courriel pour le moment." in page
