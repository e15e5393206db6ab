"""The confirmation email and its link: exact words, a link that works once, for its own account,
until it expires, and only for the person who knows the password chosen."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlsafe_base64_encode

from tests.accounts.conftest import NEW_PASSWORD, confirm_path, links_in, path_of, signup_data
from tests.conftest import PASSWORD
from urne.accounts.models import User
from urne.accounts.tokens import confirmation_token_generator, password_reset_token_generator

INVALID = "Ce lien n&#x27;est pas valide : il a déjà servi, il a expiré ou il est incomplet."


def create_alice(post) -> str:
    """Alice creates her account; the path of the link in her confirmation email."""
    post(reverse("accounts:signup"), signup_data("alice.bernard@ac-dijon.fr"))
    [message] = mail.outbox
    [link] = [url for url in links_in(message) if "/compte/confirmer/" in url]
    return path_of(link)


def test_the_email_has_the_seed_subject_salutation_and_text(post, elector_alice) -> None:
    create_alice(post)

    [message] = mail.outbox
    assert message.subject == "Elections professionnelles 2014 : confirmez votre compte électeur"
    assert message.to == ["alice.bernard@ac-dijon.fr"]
    lines = message.body.splitlines()
    assert lines[0] == "Mme Alice BERNARD"
    assert (
        "Vous venez de créer votre compte électeur. Pour rendre valide et sécuriser cette "
        "opération, vous devez confirmer la création de votre compte en cliquant sur le lien "
        "suivant : http://127.0.0.1:8000/compte/confirmer/"
    ) in message.body
    assert (
        "Si vous vous posez des questions, vous pouvez consulter la foire aux questions (FAQ) "
        "sur la page dédiée aux élections professionnelles : http://127.0.0.1:8000/aide/"
    ) in message.body
    assert "elections2014@ac-dijon.fr Tél : 03.80.44.89.95" in message.body
    assert message.reply_to == ["elections2014@ac-dijon.fr"]


def test_the_faq_link_is_the_campaign_page_when_it_has_one(post, elector_alice) -> None:
    elector_alice.campaign.faq_url = "http://www.education.gouv.fr/electionspro2014"
    elector_alice.campaign.save()

    create_alice(post)

    assert "élections professionnelles : http://www.education.gouv.fr/electionspro2014" in (
        mail.outbox[0].body
    )


def test_the_account_is_not_usable_before_confirmation(client: Client, post, elector_alice):
    create_alice(post)

    assert client.login(email="alice.bernard@ac-dijon.fr", password=NEW_PASSWORD) is False
    response = client.get(reverse("campaign:space"))
    assert response.status_code == 302


def test_opening_the_link_does_not_confirm_by_itself(client: Client, post, elector_alice):
    """Mail scanners open links: only the form on the page confirms."""
    path = create_alice(post)

    response = client.get(path)

    assert response.status_code == 200
    assert "JE CONFIRME MON COMPTE" in response.content.decode()
    assert User.objects.get().is_active is False


def test_the_link_and_the_password_confirm_and_log_in(client: Client, post, elector_alice):
    path = create_alice(post)
    client.get(path)
    anonymous_session = client.session.session_key

    response = post(path, {"password": NEW_PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("campaign:space")
    user = User.objects.get()
    assert user.is_active is True
    assert user.confirmed_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session.session_key != anonymous_session
    assert client.get(reverse("campaign:space")).status_code == 200


def test_a_wrong_password_does_not_confirm(client: Client, post, elector_alice) -> None:
    path = create_alice(post)

    response = post(path, {"password": "Pas1leBon"})

    assert response.status_code == 200
    assert "Mot de passe incorrect" in response.content.decode()
    user = User.objects.get()
    assert (user.is_active, user.confirmed_at) == (False, None)
    assert "_auth_user_id" not in client.session


def test_a_used_link_does_not_work_again(client: Client, post, elector_alice) -> None:
    path = create_alice(post)
    post(path, {"password": NEW_PASSWORD})
    client.logout()
    confirmed_at = User.objects.get().confirmed_at

    again = client.get(path)
    again_post = post(path, {"password": NEW_PASSWORD})

    for response in (again, again_post):
        assert response.status_code == 400
        assert INVALID in response.content.decode()
    assert User.objects.get().confirmed_at == confirmed_at
    assert "_auth_user_id" not in client.session


def test_a_forged_token_is_refused(client: Client, unconfirmed_alice: User) -> None:
    token = confirmation_token_generator.make_token(unconfirmed_alice)
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")

    response = client.get(confirm_path(unconfirmed_alice, forged))

    assert response.status_code == 400
    assert INVALID in response.content.decode()


def test_a_forged_account_id_is_refused(client: Client, unconfirmed_alice: User) -> None:
    token = confirmation_token_generator.make_token(unconfirmed_alice)

    for uidb64 in ("", "bm9wZQ", "%%%", urlsafe_base64_encode(b"999999")):
        response = client.get(f"/compte/confirmer/{uidb64}/{token}/")
        assert response.status_code in {400, 404}


def test_a_link_made_for_another_account_is_refused(
    client: Client, unconfirmed_alice: User, outsider_charlie: User
) -> None:
    outsider_charlie.is_active, outsider_charlie.confirmed_at = False, None
    outsider_charlie.save()
    token = confirmation_token_generator.make_token(unconfirmed_alice)

    response = client.get(confirm_path(outsider_charlie, token))

    assert response.status_code == 400


def test_an_expired_link_is_refused(client: Client, post, travel, unconfirmed_alice) -> None:
    token = confirmation_token_generator.make_token(unconfirmed_alice)
    path = confirm_path(unconfirmed_alice, token)
    travel(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1))

    response = post(path, {"password": PASSWORD})

    assert response.status_code == 400
    assert User.objects.get(pk=unconfirmed_alice.pk).is_active is False


def test_a_link_still_works_just_before_it_expires(client, post, travel, unconfirmed_alice):
    token = confirmation_token_generator.make_token(unconfirmed_alice)
    travel(timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60))

    response = post(confirm_path(unconfirmed_alice, token), {"password": PASSWORD})

    assert response.status_code == 302
    assert User.objects.get(pk=unconfirmed_alice.pk).is_active is True


def test_a_password_reset_token_does_not_confirm(client: Client, unconfirmed_alice) -> None:
    token = password_reset_token_generator.make_token(unconfirmed_alice)

    assert client.get(confirm_path(unconfirmed_alice, token)).status_code == 400


def test_a_confirmed_account_has_no_valid_confirmation_link(voter_bob: User) -> None:
    """Confirming changes the account's state, which every earlier link was made from."""
    voter_bob.is_active, voter_bob.confirmed_at = False, None
    voter_bob.save()
    token = confirmation_token_generator.make_token(voter_bob)
    voter_bob.is_active, voter_bob.confirmed_at = True, timezone.now()
    voter_bob.save()

    assert confirmation_token_generator.check_token(voter_bob, token) is False


def test_an_over_long_password_is_refused_in_french(client, post, unconfirmed_alice) -> None:
    token = confirmation_token_generator.make_token(unconfirmed_alice)

    response = post(confirm_path(unconfirmed_alice, token), {"password": "A1a" * 100})

    assert "Le mot de passe ne doit pas dépasser 128 caractères." in response.content.decode()
    assert User.objects.get(pk=unconfirmed_alice.pk).is_active is False
