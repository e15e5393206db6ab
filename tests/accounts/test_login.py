"""ACCÉDER: the address (as the rolls store it) and the password open the espace électeur; a new
session each time; nothing said to someone who does not know the password."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from urne.accounts.models import User

LOGIN = reverse("accounts:login")
WRONG = (
    "Adresse de messagerie professionnelle ou mot de passe incorrect. Vérifiez votre saisie "
    "(les majuscules comptent dans le mot de passe)."
)
NOT_CONFIRMED = "Votre compte électeur n&#x27;est pas encore confirmé"


def test_the_page_has_the_two_tabs(client: Client, db: None) -> None:
    page = client.get(LOGIN).content.decode()

    assert '<a href="/compte/connexion/" aria-current="page">ACCÉDER</a>' in page
    assert '<a href="/compte/creer/">CRÉER MON COMPTE</a>' in page


def test_home_leads_to_the_login_page(client: Client, db: None) -> None:
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == LOGIN


def test_bob_logs_in_and_gets_a_new_session(client: Client, voter_bob: User) -> None:
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key

    response = client.post(LOGIN, {"email": " Bob.Martin@AC-dijon.fr ", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("campaign:space")
    assert client.session["_auth_user_id"] == str(voter_bob.pk)
    assert client.session.session_key != before
    voter_bob.refresh_from_db()
    assert voter_bob.last_login is not None


def test_a_logged_in_voter_going_to_the_login_page_goes_to_the_espace(
    client: Client, voter_bob: User
) -> None:
    client.force_login(voter_bob)

    response = client.get(LOGIN)

    assert response["Location"] == reverse("campaign:space")


def test_a_wrong_password_is_refused_in_french(client: Client, voter_bob: User) -> None:
    response = client.post(LOGIN, {"email": "bob.martin@ac-dijon.fr", "password": "Mauvais1x"})

    assert response.status_code == 200
    assert WRONG in response.content.decode().replace("&#x27;", "'")
    assert "_auth_user_id" not in client.session


def test_an_unknown_address_gets_the_same_answer(client: Client, voter_bob: User) -> None:
    known = client.post(LOGIN, {"email": "bob.martin@ac-dijon.fr", "password": "Mauvais1x"})
    unknown = client.post(LOGIN, {"email": "nobody@ac-dijon.fr", "password": "Mauvais1x"})

    def answer(response) -> str:
        return str(response.content.decode()).split('role="alert"')[1].split("</div>")[0]

    assert answer(known) == answer(unknown).replace("nobody", "bob.martin")
    assert "_auth_user_id" not in client.session


def test_a_malformed_or_over_long_address_is_refused_in_french(client: Client, db: None) -> None:
    malformed = client.post(LOGIN, {"email": "bob.martin", "password": PASSWORD})
    too_long = client.post(LOGIN, {"email": "b" * 300 + "@ac-dijon.fr", "password": PASSWORD})

    assert "Saisissez une adresse de courriel valide." in malformed.content.decode()
    assert "au plus 254 caractères" in too_long.content.decode()


def test_an_unconfirmed_account_is_told_to_confirm_only_with_the_right_password(
    client: Client, unconfirmed_alice: User
) -> None:
    right = client.post(LOGIN, {"email": "alice.bernard@ac-dijon.fr", "password": PASSWORD})
    wrong = client.post(LOGIN, {"email": "alice.bernard@ac-dijon.fr", "password": "Mauvais1x"})

    assert NOT_CONFIRMED in right.content.decode()
    assert reverse("accounts:resend") in right.content.decode()
    assert NOT_CONFIRMED not in wrong.content.decode()
    assert WRONG in wrong.content.decode().replace("&#x27;", "'")
    assert "_auth_user_id" not in client.session


def test_a_disabled_account_cannot_log_in(client: Client, voter_bob: User) -> None:
    voter_bob.is_active = False
    voter_bob.save()

    response = client.post(LOGIN, {"email": "bob.martin@ac-dijon.fr", "password": PASSWORD})

    assert "Ce compte est désactivé." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_safe_next_page_is_followed(client: Client, voter_bob: User) -> None:
    profile = reverse("campaign:profile")

    response = client.post(
        f"{LOGIN}?next={profile}", {"email": "bob.martin@ac-dijon.fr", "password": PASSWORD}
    )

    assert response["Location"] == profile


SENT_HERE = "Connectez-vous pour accéder à cette page."


def test_a_visitor_sent_from_a_protected_page_is_told_why(client: Client, db: None) -> None:
    response = client.get(reverse("campaign:scrutins"), follow=True)

    assert response.redirect_chain[-1][0].startswith(f"{LOGIN}?next=")
    assert SENT_HERE in response.content.decode()


def test_a_visitor_who_came_to_log_in_is_not_told_so(client: Client, db: None) -> None:
    from_home = client.get(reverse("home"), follow=True).content.decode()
    sent_elsewhere = client.get(LOGIN, {"next": "https://evil.example/"}).content.decode()

    assert SENT_HERE not in from_home
    assert SENT_HERE not in sent_elsewhere


def test_a_next_page_on_another_site_is_ignored(client: Client, voter_bob: User) -> None:
    response = client.post(
        LOGIN,
        {"email": "bob.martin@ac-dijon.fr", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("campaign:space")


def test_staff_are_asked_for_their_second_factor_before_the_back_office(
    client: Client, staff_dijon: User
) -> None:
    response = client.post(LOGIN, {"email": "gestion@ac-dijon.fr", "password": PASSWORD})

    # First sign-in: the application is enrolled (tests/staffauth), then the back office.
    assert response["Location"] == reverse("staffauth:enrol")
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_ends_the_session(client: Client, voter_bob: User) -> None:
    client.force_login(voter_bob)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"], follow=True).content.decode()
    assert "Vous êtes déconnecté(e) de votre espace électeur." in page
