"""CRÉER MON COMPTE: an inactive account for an address on an open roll, and the same answer
for every address, whether it is on the rolls or not."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import NEW_PASSWORD, signup_data, strip_csrf
from tests.conftest import PASSWORD
from urne.accounts.models import User
from urne.campaign.models import Elector

SIGNUP = reverse("accounts:signup")


def test_the_page_has_the_seed_fields_hint_and_button(client: Client, elector_alice) -> None:
    page = client.get(SIGNUP).content.decode()
    for text in (
        "CRÉER MON COMPTE",
        "Vous n'êtes pas encore enregistré, saisissez votre adresse de messagerie "
        "professionnelle et créez votre mot de passe.",
        "Adresse de messagerie professionnelle",
        "Mot de passe électeur",
        "Votre mot de passe doit contenir au minimum 8 caractères dont au moins une majuscule, "
        "une minuscule et un chiffre.",
        "Confirmation du mot de passe",
        "Saisissez le contenu qui s'affiche ci-dessus.",
        "JE CRÉE MON COMPTE",
    ):
        assert text in page.replace("&#x27;", "'"), text


def test_it_creates_an_inactive_account_and_sends_the_confirmation(
    post, elector_alice: Elector
) -> None:
    response = post(SIGNUP, signup_data("alice.bernard@ac-dijon.fr"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(email="alice.bernard@ac-dijon.fr")
    assert user.elector == elector_alice
    assert user.is_active is False
    assert user.confirmed_at is None
    assert user.check_password(NEW_PASSWORD)
    assert user.password.startswith("argon2$")
    assert [m.subject for m in mail.outbox] == [
        "Elections professionnelles 2014 : confirmez votre compte électeur"
    ]
    assert mail.outbox[0].to == ["alice.bernard@ac-dijon.fr"]


def test_it_ignores_case_and_spaces_in_the_address(post, elector_alice: Elector) -> None:
    post(SIGNUP, signup_data("  Alice.Bernard @AC-Dijon.FR "))

    assert User.objects.get().email == "alice.bernard@ac-dijon.fr"
    assert len(mail.outbox) == 1


def test_the_answer_is_the_same_for_an_address_on_the_rolls_and_an_unknown_one(
    client: Client, post, elector_alice: Elector
) -> None:
    known = post(SIGNUP, signup_data("alice.bernard@ac-dijon.fr"))
    unknown = post(SIGNUP, signup_data("nobody@ac-dijon.fr"))

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known.content == unknown.content
    first = strip_csrf(client.get(known["Location"]).content.decode())
    second = strip_csrf(client.get(unknown["Location"]).content.decode())
    assert first == second
    assert "Si votre adresse figure sur les listes électorales" in first


def test_an_unknown_address_gets_nothing_and_nothing_is_created(post, elector_alice) -> None:
    post(SIGNUP, signup_data("nobody@ac-dijon.fr"))

    assert User.objects.count() == 0
    assert mail.outbox == []


def test_the_password_is_hashed_for_unknown_addresses_too(post, elector_alice) -> None:
    """The costly step runs for every address, so the time taken does not tell the rolls."""
    with mock.patch("urne.accounts.services.make_password", wraps=make_password) as spy:
        post(SIGNUP, signup_data("alice.bernard@ac-dijon.fr"))
        post(SIGNUP, signup_data("nobody@ac-dijon.fr"))

    assert spy.call_count == 2


def test_an_elector_with_an_account_gets_a_reminder_and_no_second_account(
    post, voter_bob: User
) -> None:
    before = voter_bob.password

    post(SIGNUP, signup_data("bob.martin@ac-dijon.fr"))

    assert User.objects.filter(email="bob.martin@ac-dijon.fr").count() == 1
    voter_bob.refresh_from_db()
    assert voter_bob.password == before
    assert voter_bob.check_password(PASSWORD)
    [message] = mail.outbox
    assert message.subject == "Elections professionnelles 2014 : votre compte électeur existe déjà"
    assert message.body.startswith("M. Bob MARTIN\n")
    assert "aucun nouveau compte n'a été créé" in message.body
    assert "http://127.0.0.1:8000/compte/connexion/" in message.body
    assert "http://127.0.0.1:8000/compte/mot-de-passe/oublie/" in message.body


def test_a_pending_account_gets_its_link_again_and_keeps_its_first_password(
    post, unconfirmed_alice: User
) -> None:
    """Someone else cannot overwrite the password of an account waiting for confirmation."""
    before = unconfirmed_alice.password

    post(SIGNUP, signup_data("alice.bernard@ac-dijon.fr", "Autre2014passe"))

    unconfirmed_alice.refresh_from_db()
    assert unconfirmed_alice.password == before
    assert unconfirmed_alice.is_active is False
    [message] = mail.outbox
    assert message.subject == "Elections professionnelles 2014 : confirmez votre compte électeur"


def test_a_staff_address_not_on_the_rolls_gets_no_elector_account(
    post, staff_dijon: User, elector_alice
) -> None:
    post(SIGNUP, signup_data("gestion@ac-dijon.fr"))

    staff_dijon.refresh_from_db()
    assert staff_dijon.elector is None
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("alice.bernard", "Saisissez une adresse de courriel valide."),
        ("alice@", "Saisissez une adresse de courriel valide."),
        ("", "Ce champ est obligatoire."),
    ],
)
def test_it_rejects_a_malformed_address(post, elector_alice, email: str, message: str) -> None:
    response = post(SIGNUP, signup_data(email))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1cdef", "Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères."),
        ("bonjour2014", "Votre mot de passe doit contenir au moins une majuscule."),
        ("BONJOURTOUS", "Votre mot de passe doit contenir au moins une minuscule et un chiffre."),
        ("----------", "au moins une majuscule, une minuscule et un chiffre."),
        ("Password1", "Ce mot de passe est trop courant."),
        ("Bernard2014", "Le mot de passe est trop semblable au champ «\xa0adresse de messagerie"),
    ],
)
def test_it_rejects_a_weak_password(post, elector_alice, password: str, message: str) -> None:
    response = post(SIGNUP, signup_data("alice.bernard@ac-dijon.fr", password))

    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert User.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Bonjourtous", "un chiffre"),
        ("bonjourtous", "une majuscule et un chiffre"),
        ("BONJOUR2014", "une minuscule"),
        ("2014-2015-x", "une majuscule"),
        ("20142015", "une majuscule et une minuscule"),
    ],
)
def test_a_password_refused_for_its_mix_of_characters_says_exactly_what_is_missing(
    post, elector_alice, password: str, missing: str
) -> None:
    response = post(SIGNUP, signup_data("alice.bernard@ac-dijon.fr", password))

    page = response.content.decode()
    assert f"Votre mot de passe doit contenir au moins {missing}." in page
    assert "doit contenir au moins une majuscule, une minuscule et un chiffre." not in page
    assert User.objects.count() == 0


def test_it_rejects_mismatched_passwords(post, elector_alice) -> None:
    data = signup_data("alice.bernard@ac-dijon.fr", password2="Bonjour2014y")

    response = post(SIGNUP, data)

    assert "Les deux mots de passe saisis ne sont pas identiques." in response.content.decode()
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_it_rejects_over_long_fields(post, elector_alice) -> None:
    long_address = "a" * 250 + "@ac-dijon.fr"
    long_password = "Aa1" * 50

    response = post(
        SIGNUP, signup_data(long_address, password1=long_password, password2=long_password)
    )

    page = response.content.decode()
    assert "Assurez-vous que cette valeur comporte au plus 254 caractères" in page
    assert "Le mot de passe ne doit pas dépasser 128 caractères." in page
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_a_form_with_errors_marks_the_fields_and_the_title(post, elector_alice) -> None:
    page = post(SIGNUP, signup_data("alice.bernard")).content.decode()

    assert "<title>Erreur" in page
    assert 'aria-invalid="true"' in page
    assert 'role="alert"' in page
