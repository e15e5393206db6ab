"""Invitations: every elector of the campaign without an account gets one email inviting them to
create it, exactly once, whatever fails or crashes along the way."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from tests.accounts.mailbackends import DyingBackend, RefusingBackend, WorkerLost
from tests.conftest import make_elector, paris
from urne import clock
from urne.accounts import invitations, tasks
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign, Elector
from urne.mailings.models import STALE_AFTER, Mailing


@pytest.fixture
def roll(campaign: Campaign, dijon: Academy, lyon: Academy, voter_bob: User) -> list[Elector]:
    """Five electors without an account (Bob, who has one, is on the roll too)."""
    return [
        make_elector(campaign, dijon, "Alice", "Bernard", civilite="MME"),
        make_elector(campaign, dijon, "Denis", "Petit"),
        make_elector(campaign, lyon, "Emma", "Roux", civilite="MME"),
        make_elector(campaign, lyon, "Farid", "Haddad"),
        make_elector(campaign, dijon, "Gaëlle", "Moreau", civilite="MME"),
    ]


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def send(campaign: Campaign) -> dict[str, int]:
    summary: dict[str, int] = tasks.send_invitations.delay(campaign.pk).get()
    return summary


def test_each_elector_without_an_account_is_invited(campaign: Campaign, roll) -> None:
    summary = send(campaign)

    assert recipients() == sorted(elector.email for elector in roll)
    assert "bob.martin@ac-dijon.fr" not in recipients()
    assert (summary["sent"], summary["failed"]) == (5, 0)
    assert Elector.objects.filter(invitation_sent_at__isnull=True).count() == 1  # Bob


def test_a_second_run_sends_nothing(campaign: Campaign, roll) -> None:
    send(campaign)
    mail.outbox.clear()

    summary = send(campaign)

    assert mail.outbox == []
    assert summary["sent"] == 0


def test_the_email_names_the_campaign_and_the_voter(client: Client, campaign_2014, travel):
    travel(paris(2014, 9, 22, 9, 0))

    send(campaign_2014)

    [message] = mail.outbox
    assert message.subject == "Elections professionnelles 2014 : créez votre compte électeur"
    assert message.to == ["alice.bernard@ac-dijon.fr"]
    assert message.body.startswith("Mme Alice BERNARD\n")
    body = " ".join(message.body.split())
    assert (
        "Les élections professionnelles « Élections professionnelles 2014 » se dérouleront du "
        "27 novembre au 4 décembre 2014." in body
    )
    assert "récupérer votre identifiant de vote à partir du 12 novembre" in body
    assert "(onglet « Créer mon compte ») : http://127.0.0.1:8000/compte/creer/" in body
    assert "(alice.bernard@ac-dijon.fr)" in body
    assert "elections2014@ac-dijon.fr Tél : 03.80.44.89.95" in body
    assert client.get("/compte/creer/").status_code == 200


def test_the_invitations_are_a_mailing_recorded_per_elector(campaign: Campaign, roll) -> None:
    """The command's and the action's invitations go through the mailings: each send is
    recorded, and the mailing is listed in /gestion/envois/."""
    summary = send(campaign)

    mailing = Mailing.objects.get(pk=summary["mailing"])
    assert (mailing.kind, mailing.status, mailing.total) == ("invitation", "done", 5)
    assert sorted(mailing.sends.values_list("address", flat=True)) == recipients()


def test_a_refused_mail_does_not_lose_the_others_and_is_retried_next_time(
    campaign: Campaign, roll, settings
) -> None:
    settings.EMAIL_BACKEND = "tests.accounts.mailbackends.RefusingBackend"
    RefusingBackend.refused = {"emma.roux@ac-lyon.fr"}
    try:
        summary = send(campaign)
    finally:
        RefusingBackend.refused = set()

    assert (summary["sent"], summary["failed"]) == (4, 1)
    assert "emma.roux@ac-lyon.fr" not in recipients()
    assert Elector.objects.get(email="emma.roux@ac-lyon.fr").invitation_sent_at is None

    mail.outbox.clear()
    again = send(campaign)

    assert recipients() == ["emma.roux@ac-lyon.fr"]
    assert (again["sent"], again["failed"]) == (1, 0)


def test_after_a_crash_mid_way_a_rerun_sends_each_invitation_exactly_once(
    campaign: Campaign, roll, settings
) -> None:
    settings.EMAIL_BACKEND = "tests.accounts.mailbackends.DyingBackend"
    DyingBackend.die_after = 2
    with pytest.raises(WorkerLost):
        send(campaign)
    assert len(mail.outbox) == 2
    # The claim of the message in flight was given back; only the two sent stay claimed.
    assert Elector.objects.filter(invitation_sent_at__isnull=False).count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send(campaign)

    assert recipients() == sorted(elector.email for elector in roll)


def test_overlapping_runs_send_once(campaign: Campaign, roll, travel) -> None:
    """Two runs that both listed the same electors: the elector's claim lets one send each."""
    from urne.mailings import sending, services

    travel(clock.now())
    first = services.make_invitations_mailing(campaign)
    second = services.make_invitations_mailing(campaign)
    for mailing in (first, second):
        token = sending.claim_run(mailing.pk, clock.now())
        assert token is not None
        sending.prepare(mailing, sending.Heart(mailing.pk, token))
    travel(clock.now() + STALE_AFTER * 2)

    reports = [sending.run_mailing(mailing.pk) for mailing in (first, second)]

    assert [(r.sent, r.skipped) for r in reports] == [(5, 0), (0, 5)]
    assert len(mail.outbox) == 5


def test_a_claim_is_won_by_one_worker_only(roll) -> None:
    elector = roll[0]
    moment = clock.now()

    assert invitations.claim(elector.pk, moment) is True
    assert invitations.claim(elector.pk, moment) is False


def test_an_elector_who_created_an_account_meanwhile_is_skipped(campaign: Campaign, roll):
    User.objects.create_user(roll[0].email, "Bonjour2014x", elector=roll[0], is_active=False)

    send(campaign)

    assert roll[0].email not in recipients()
    assert len(mail.outbox) == 4


def test_invitations_cannot_leave_before_account_creation_opens(campaign_2014, travel) -> None:
    travel(paris(2014, 9, 21, 12, 0))

    with pytest.raises(invitations.InvitationsNotOpen) as refused:
        send(campaign_2014)

    assert "n'ouvre que le 22 septembre 2014 à 9 h 00" in str(refused.value.message)
    assert mail.outbox == []
    assert Elector.objects.filter(invitation_sent_at__isnull=False).count() == 0


def test_invitations_cannot_leave_once_the_vote_is_over(campaign_2014, travel) -> None:
    travel(paris(2014, 12, 5, 9, 0))

    with pytest.raises(invitations.InvitationsNotOpen, match="est clos"):
        send(campaign_2014)
    assert mail.outbox == []
