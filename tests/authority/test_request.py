"""« Recevoir mon identifiant de vote »: from the distribution date, to a personal address or a
mobile, after the birth-date challenge when the campaign asks for it, rate-limited, recorded,
never in a page; sent by the authority's worker, which alone opens the identifier."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.authority.conftest import AuthorityKeys
from tests.conftest import make_account, make_elector, paris
from urne.accounts.models import User
from urne.authority.generation import do_generate_identifiers, open_identifier
from urne.authority.models import IdentifierDelivery, SealedIdentifier
from urne.authority.services import do_deliver_identifier, mask_email, mask_mobile
from urne.campaign.models import Academy, Campaign, Elector

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_vote")]

URL = "/espace/identifiant/"


@pytest.fixture
def sms_folder(settings: Any, tmp_path: Path) -> Path:
    settings.URNE_SMS_BACKEND = "urne.authority.sms.FileBackend"
    settings.URNE_SMS_FILE_PATH = tmp_path / "sms"
    return tmp_path / "sms"


@pytest.fixture
def bob(
    client: Client, voter_bob: User, authority_keys: AuthorityKeys, campaign: Campaign
) -> Client:
    do_generate_identifiers(campaign, authority_keys.public)
    client.force_login(voter_bob)
    return client


@pytest.fixture
def bob_identifier(bob: Client, elector_bob: Elector, authority_keys: AuthorityKeys) -> str:
    sealed = SealedIdentifier.objects.get(elector=elector_bob)
    return open_identifier(authority_keys.private, sealed, elector_bob.campaign_id)


@pytest.fixture(autouse=True)
def _on_commit_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's transaction never commits: run the on-commit work (queueing the delivery) at
    once, as a committed request would."""
    monkeypatch.setattr(
        "urne.authority.services.transaction.on_commit", lambda callback, **_kw: callback()
    )


def ask(client: Client, **data: str) -> Any:
    return client.post(URL, {"channel": "email", **data}, follow=True)


def test_before_the_distribution_date_the_page_says_from_when(bob: Client, travel: Any) -> None:
    travel(paris(2014, 11, 5, 9))
    response = bob.get(URL)
    assert "à partir du 12 novembre 2014" in response.content.decode()
    assert "<form" not in response.content.decode().split("<main")[-1]
    refused = bob.post(URL, {"channel": "email", "email": "bob@gmail.com"})
    assert refused.status_code == 403
    assert not IdentifierDelivery.objects.exists()


def test_the_espace_links_to_the_page_from_the_distribution_date(bob: Client) -> None:
    page = bob.get("/espace/").content.decode()
    assert 'href="/espace/identifiant/"' in page


def test_it_sends_the_identifier_to_a_personal_address_never_showing_it(
    bob: Client, bob_identifier: str, elector_bob: Elector
) -> None:
    response = ask(bob, email="Bob.Martin@Gmail.com")

    page = response.content.decode()
    assert "Votre identifiant de vote a été envoyé à b***@g***.com." in page
    assert bob_identifier not in page
    (message,) = mail.outbox
    assert message.to == ["bob.martin@gmail.com"]
    assert bob_identifier in message.body
    assert "votre identifiant de vote" in message.subject
    delivery = IdentifierDelivery.objects.get()
    assert (delivery.channel, delivery.status) == ("email", "sent")
    assert delivery.masked_destination == "b***@g***.com"
    assert delivery.sent_at is not None
    assert bob_identifier not in bob.get(URL).content.decode()


def test_it_sends_the_identifier_by_sms_to_a_french_mobile(
    bob: Client, bob_identifier: str, sms_folder: Path
) -> None:
    page = ask(bob, channel="sms", mobile="06 12 34 56 78").content.decode()

    assert "+33 6** ** ** 78" in page
    assert bob_identifier not in page
    (written,) = sms_folder.iterdir()
    text = written.read_text()
    assert "To: +33612345678" in text
    assert bob_identifier in text
    assert not mail.outbox


@pytest.mark.parametrize(
    "email",
    [
        "bob.martin@ac-dijon.fr",
        "BOB.MARTIN@AC-DIJON.FR",
        "autre.adresse@ac-dijon.fr",
        "bob.martin@mail.ac-dijon.fr",
    ],
)
def test_the_professional_address_is_refused(bob: Client, email: str) -> None:
    response = bob.post(URL, {"channel": "email", "email": email})
    assert response.status_code == 400
    assert "adresse professionnelle" in response.content.decode()
    assert not IdentifierDelivery.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    "mobile",
    ["01 23 45 67 89", "06 12 34", "+44 7700 900123", "bonjour", "06 \u0661\u0662 34 56 78"],
)
def test_a_number_that_is_not_a_french_mobile_is_refused(
    bob: Client, mobile: str, sms_folder: Path
) -> None:
    response = bob.post(URL, {"channel": "sms", "mobile": mobile})
    assert response.status_code == 400
    assert "Numéro de mobile invalide" in response.content.decode()
    assert not sms_folder.exists()


def test_three_sendings_a_day_at_most(bob: Client) -> None:
    for _ in range(3):
        ask(bob, email="bob@gmail.com")
    response = bob.post(URL, {"channel": "email", "email": "bob@gmail.com"})
    assert response.status_code == 429
    assert "déjà été envoyé plusieurs fois" in response.content.decode()
    assert len(mail.outbox) == 3
    assert IdentifierDelivery.objects.count() == 3


@pytest.fixture
def challenge(campaign: Campaign, elector_bob: Elector) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(identifier_challenge=True)
    Elector.objects.filter(pk=elector_bob.pk).update(birth_date=date(1978, 3, 7))


@pytest.mark.usefixtures("challenge")
def test_with_the_challenge_the_right_birth_date_is_needed(bob: Client) -> None:
    wrong = bob.post(
        URL, {"channel": "email", "email": "bob@gmail.com", "birth_date": "08/03/1978"}
    )
    assert wrong.status_code == 400
    assert "ne correspond pas" in wrong.content.decode()
    assert not mail.outbox

    right = ask(bob, email="bob@gmail.com", birth_date="07/03/1978")
    assert "a été envoyé à b***@g***.com" in right.content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.usefixtures("challenge")
def test_five_wrong_answers_lock_the_request(bob: Client) -> None:
    for _ in range(5):
        bob.post(URL, {"channel": "email", "email": "bob@gmail.com", "birth_date": "01/01/1970"})
    locked = bob.post(
        URL, {"channel": "email", "email": "bob@gmail.com", "birth_date": "07/03/1978"}
    )
    assert locked.status_code == 429
    assert "Trop de réponses erronées" in locked.content.decode()
    assert not mail.outbox
    assert not IdentifierDelivery.objects.exists()


@pytest.mark.usefixtures("challenge")
def test_ten_wrong_answers_in_a_day_lock_the_request_for_the_day(bob: Client, travel: Any) -> None:
    """Five an hour would let a guesser holding the account try 120 dates a day."""
    for hour in (9, 11):
        travel(paris(2014, 11, 13, hour))
        for _ in range(5):
            bob.post(
                URL, {"channel": "email", "email": "bob@gmail.com", "birth_date": "01/01/1970"}
            )
    travel(paris(2014, 11, 13, 13))
    locked = bob.post(
        URL, {"channel": "email", "email": "bob@gmail.com", "birth_date": "07/03/1978"}
    )
    assert locked.status_code == 429
    assert "Trop de réponses erronées" in locked.content.decode()
    assert not mail.outbox
    travel(paris(2014, 11, 14, 12))
    right = ask(bob, email="bob@gmail.com", birth_date="07/03/1978")
    assert "a été envoyé à b***@g***.com" in right.content.decode()


@pytest.mark.usefixtures("challenge")
def test_wrong_answers_from_one_network_lock_every_account_there(
    client: Client,
    voter_bob: User,
    authority_keys: AuthorityKeys,
    campaign: Campaign,
    dijon: Academy,
    settings: Any,
) -> None:
    """Someone holding many accounts guesses from one place: the network has its own limit."""
    settings.URNE_RATE_IDENTIFIER_WRONG_ANSWERS_PER_NETWORK = "4/1h"
    alice = make_elector(campaign, dijon, "Alice", "Petit", birth_date=date(1980, 5, 2))
    voter_alice = make_account(alice)
    do_generate_identifiers(campaign, authority_keys.public)
    wrong = {"channel": "email", "email": "x@gmail.com", "birth_date": "01/01/1970"}
    for voter in (voter_bob, voter_alice):
        client.force_login(voter)
        for _ in range(2):
            assert client.post(URL, wrong).status_code == 400
    locked = client.post(
        URL, {"channel": "email", "email": "alice@gmail.com", "birth_date": "02/05/1980"}
    )
    assert locked.status_code == 429
    assert not mail.outbox
    other_network = client.post(
        URL,
        {"channel": "email", "email": "alice@gmail.com", "birth_date": "02/05/1980"},
        REMOTE_ADDR="198.51.100.7",
        follow=True,
    )
    assert "a été envoyé à a***@g***.com" in other_network.content.decode()


@pytest.mark.usefixtures("challenge")
def test_a_malformed_birth_date_is_refused_clearly(bob: Client) -> None:
    response = bob.post(
        URL, {"channel": "email", "email": "bob@gmail.com", "birth_date": "1978-03-07"}
    )
    assert response.status_code == 400
    assert "JJ/MM/AAAA" in response.content.decode()


def test_without_the_private_key_the_worker_fails_closed_and_says_why(
    bob: Client,
    bob_identifier: str,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.URNE_AUTHORITY_PRIVATE_KEY = ""  # a web host: the public key only
    with caplog.at_level(logging.INFO):
        page = ask(bob, email="bob@gmail.com").content.decode()
    assert "a échoué" in page
    assert not mail.outbox
    assert IdentifierDelivery.objects.get().status == "failed"
    assert "cannot open the authority's seals" in caplog.text
    assert "URNE_AUTHORITY_PRIVATE_KEY is not set" in caplog.text
    assert bob_identifier not in caplog.text
    assert "bob@gmail.com" not in caplog.text


def test_a_delivery_is_sent_once_even_if_the_task_runs_twice(bob: Client) -> None:
    ask(bob, email="bob@gmail.com")
    delivery = IdentifierDelivery.objects.get()
    assert do_deliver_identifier(delivery.pk) == ""
    assert len(mail.outbox) == 1


def test_destinations_are_masked() -> None:
    assert mask_email("jean.dupont@gmail.com") == "j***@g***.com"
    assert mask_email("x@laposte.net") == "x***@l***.net"
    assert mask_mobile("+33612345678") == "+33 6** ** ** 78"
