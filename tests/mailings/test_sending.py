"""Sending a mailing: each recipient gets it once, whatever fails, crashes or runs twice; the run
keeps to its rate; each send is recorded."""

from __future__ import annotations

import io
import itertools
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from tests.accounts.mailbackends import DyingBackend, RefusingBackend, WorkerLost
from tests.mailings.helpers import draft, recipients, request_of, send_now
from urne import clock
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.campaign.models import Academy, Campaign, Elector
from urne.mailings import sending, services, tasks
from urne.mailings.models import STALE_AFTER, Kind, Mailing, Send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pause(settings) -> None:
    """No pause between messages, but in the throttling tests."""
    settings.URNE_MAILING_RATE = 0


def queued(mailing: Mailing, user: User) -> Mailing:
    return send_now(user, mailing)


def test_a_reminder_reaches_each_concerned_elector_once_and_records_it(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User
) -> None:
    mailing = draft(sender_organizer, Kind.ACCOUNT_REMINDER, campaign=campaign)

    queued(mailing, sender_organizer)

    # Alice and Emma have no account, Denis never confirmed his; Bob and Charlie did.
    assert recipients() == sorted(roll[n].email for n in ("alice", "denis", "emma"))
    mailing.refresh_from_db()
    assert (mailing.status, mailing.total, mailing.sent_count) == (Mailing.Status.DONE, 3, 3)
    assert set(Send.objects.filter(mailing=mailing).values_list("status", flat=True)) == {"sent"}
    assert AuditEntry.objects.filter(action="mailing.send", object_id=str(mailing.pk)).exists()
    assert AuditEntry.objects.filter(action="mailing.finish", object_id=str(mailing.pk)).exists()


def test_the_message_fills_the_placeholders_for_its_elector(
    campaign: Campaign, roll: dict[str, Elector], sender_dijon: User, dijon: Academy
) -> None:
    mailing = draft(
        sender_dijon,
        Kind.ACCOUNT_REMINDER,
        campaign=campaign,
        academy=dijon,
        subject="Rappel pour {prenom} {nom}",
        body="{salutation}\nPortail : {portail}\nAssistance : {assistance_courriel}\n",
    )
    queued(mailing, sender_dijon)

    alice = next(m for m in mail.outbox if m.to == [roll["alice"].email])
    assert alice.subject == "Rappel pour Alice BERNARD"
    assert alice.body == (
        "Mme Alice BERNARD\nPortail : http://127.0.0.1:8000/compte/connexion/\n"
        "Assistance : elections2014@ac-dijon.fr\n"
    )
    assert alice.reply_to == ["elections2014@ac-dijon.fr"]
    # Dijon's staff wrote to Dijon: Emma of Lyon got nothing.
    assert roll["emma"].email not in recipients()


def test_a_mailing_already_sent_is_refused_and_nothing_leaves_again(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User
) -> None:
    mailing = queued(draft(sender_organizer, campaign=campaign), sender_organizer)
    mail.outbox.clear()

    with pytest.raises(services.MailingAlreadySent):
        services.do_send_mailing(request_of(sender_organizer), mailing)
    with pytest.raises(services.MailingAlreadySent):
        services.do_update_mailing(
            request_of(sender_organizer),
            mailing,
            services.Draft(Kind.ACCOUNT_REMINDER, campaign, None, None, "Autre", "Texte"),
        )

    assert tasks.send_mailing.delay(mailing.pk).get()["sent"] == 0
    assert mail.outbox == []


def test_a_refused_message_is_recorded_failed_and_the_others_leave(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User, settings
) -> None:
    settings.EMAIL_BACKEND = "tests.accounts.mailbackends.RefusingBackend"
    RefusingBackend.refused = {roll["emma"].email}
    try:
        mailing = queued(draft(sender_organizer, campaign=campaign), sender_organizer)
    finally:
        RefusingBackend.refused = set()

    mailing.refresh_from_db()
    assert (mailing.sent_count, mailing.failed_count) == (2, 1)
    failed = Send.objects.get(mailing=mailing, elector=roll["emma"])
    assert (failed.status, failed.error) == (Send.Status.FAILED, "SMTPRecipientsRefused")


def test_a_worker_dying_mid_mailing_is_taken_up_and_nobody_gets_two_mails(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User, settings, travel
) -> None:
    travel(timezone.now())
    settings.EMAIL_BACKEND = "tests.accounts.mailbackends.DyingBackend"
    DyingBackend.die_after = 1
    mailing = draft(sender_organizer, campaign=campaign)
    with pytest.raises(WorkerLost):
        queued(mailing, sender_organizer)
    assert len(mail.outbox) == 1
    mailing.refresh_from_db()
    assert (mailing.status, mailing.total, mailing.sent_count) == ("sending", 3, 1)
    # The message in flight did not leave: its claim was given back.
    assert Send.objects.filter(mailing=mailing, status=Send.Status.PENDING).count() == 2

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The dead run's heartbeat is fresh: a run now leaves the mailing alone...
    report = tasks.send_mailing.delay(mailing.pk).get()
    assert report["busy_until"] is not None
    assert len(mail.outbox) == 1
    # ... and takes it up once stale, where it stopped.
    travel(clock.now() + STALE_AFTER + timedelta(seconds=1))
    assert mailing.pk in sending.stale_mailings()
    report = tasks.send_mailing.delay(mailing.pk).get()

    assert report["sent"] == 2
    assert recipients() == sorted(roll[n].email for n in ("alice", "denis", "emma"))
    mailing.refresh_from_db()
    assert (mailing.status, mailing.sent_count, mailing.takeovers) == ("done", 3, 1)
    assert AuditEntry.objects.filter(action="mailing.takeover").count() == 1


def test_a_message_whose_worker_was_killed_while_sending_is_never_sent_again(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User, travel
) -> None:
    """A SIGKILL between "sending" and "sent": the message may have left; it is not sent again
    and is counted interrupted."""
    travel(timezone.now())
    mailing = draft(sender_organizer, campaign=campaign)
    Mailing.objects.filter(pk=mailing.pk).update(status="queued", queued_at=clock.now())
    # A run lists the recipients, claims Alice's message, and its process is killed.
    token = sending.claim_run(mailing.pk, clock.now())
    assert token is not None
    mailing.refresh_from_db()
    sending.prepare(mailing, sending.Heart(mailing.pk, token))
    alice = Send.objects.get(mailing=mailing, elector=roll["alice"])
    assert sending._claim(alice, clock.now())

    travel(clock.now() + STALE_AFTER + timedelta(seconds=1))
    tasks.send_mailing.delay(mailing.pk).get()

    assert recipients() == sorted(roll[n].email for n in ("denis", "emma"))
    alice.refresh_from_db()
    assert alice.status == Send.Status.INTERRUPTED
    mailing.refresh_from_db()
    assert (mailing.sent_count, mailing.interrupted_count, mailing.done_count) == (2, 1, 3)


def test_a_recipient_list_cut_short_is_completed_by_the_next_run(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User, travel, monkeypatch
) -> None:
    travel(timezone.now())
    monkeypatch.setattr(sending, "PREPARE_BATCH_SIZE", 1)
    mailing = draft(sender_organizer, campaign=campaign)
    Mailing.objects.filter(pk=mailing.pk).update(status="queued", queued_at=clock.now())
    Send.objects.create(mailing=mailing, elector=roll["alice"], address=roll["alice"].email)

    tasks.send_mailing.delay(mailing.pk).get()

    assert recipients() == sorted(roll[n].email for n in ("alice", "denis", "emma"))
    assert Send.objects.filter(mailing=mailing).count() == 3


def test_two_runs_at_once_cannot_both_hold_a_mailing(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User
) -> None:
    mailing = draft(sender_organizer, campaign=campaign)
    Mailing.objects.filter(pk=mailing.pk).update(status="queued", queued_at=clock.now())

    first = sending.claim_run(mailing.pk, clock.now())
    second = sending.claim_run(mailing.pk, clock.now())

    assert first is not None and second is None


def test_a_run_taken_over_stops_without_sending(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User
) -> None:
    mailing = draft(sender_organizer, campaign=campaign)
    Mailing.objects.filter(pk=mailing.pk).update(status="queued", queued_at=clock.now())
    token = sending.claim_run(mailing.pk, clock.now())
    assert token is not None
    Mailing.objects.filter(pk=mailing.pk).update(run_token="someone-else")

    with pytest.raises(sending.RunLost):
        sending.Heart(mailing.pk, token).beat(force=True)


def test_an_elector_no_longer_concerned_is_skipped(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User, travel
) -> None:
    """Alice confirms her account between the list and her turn: she gets no reminder."""
    travel(timezone.now())
    mailing = draft(sender_organizer, campaign=campaign)
    Mailing.objects.filter(pk=mailing.pk).update(status="queued", queued_at=clock.now())
    token = sending.claim_run(mailing.pk, clock.now())
    assert token is not None
    mailing.refresh_from_db()
    sending.prepare(mailing, sending.Heart(mailing.pk, token))
    User.objects.create_user(
        roll["alice"].email, "Bonjour2014x", elector=roll["alice"], confirmed_at=clock.now()
    )
    travel(clock.now() + STALE_AFTER + timedelta(seconds=1))

    tasks.send_mailing.delay(mailing.pk).get()

    assert roll["alice"].email not in recipients()
    assert Send.objects.get(mailing=mailing, elector=roll["alice"]).status == "skipped"


def test_an_invitation_marks_the_elector_invited_and_skips_those_invited_meanwhile(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User, travel
) -> None:
    travel(timezone.now())
    mailing = draft(sender_organizer, Kind.INVITATION, campaign=campaign)
    Mailing.objects.filter(pk=mailing.pk).update(status="queued", queued_at=clock.now())
    token = sending.claim_run(mailing.pk, clock.now())
    assert token is not None
    mailing.refresh_from_db()
    sending.prepare(mailing, sending.Heart(mailing.pk, token))
    # `urne send_invitations` invites Emma meanwhile (its own claim on the elector).
    Elector.objects.filter(pk=roll["emma"].pk).update(invitation_sent_at=clock.now())
    travel(clock.now() + STALE_AFTER + timedelta(seconds=1))

    tasks.send_mailing.delay(mailing.pk).get()

    # Denis has an account (unconfirmed): an invitation is for electors without one.
    assert recipients() == [roll["alice"].email]
    assert Elector.objects.get(pk=roll["alice"].pk).invitation_sent_at is not None
    assert mail.outbox[0].subject == (
        "Elections professionnelles 2014 : créez votre compte électeur"
    )
    assert "onglet « Créer mon compte ») : http://127.0.0.1:8000/compte/creer/" in " ".join(
        mail.outbox[0].body.split()
    )


# --- Throttling ----------------------------------------------------------------------------------


def test_the_pacer_spaces_calls_by_the_rate() -> None:
    now = [100.0]
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        now[0] += seconds

    pacer = sending.Pacer(4, now=lambda: now[0], sleep=sleep)
    for _ in range(3):
        pacer.wait()
    now[0] += 1.0  # a slow message: no catching up in a burst after it
    pacer.wait()
    pacer.wait()

    assert pauses == [0.25, 0.25, 0.25]


def test_a_rate_of_zero_never_pauses() -> None:
    pacer = sending.Pacer(0, now=lambda: 0.0, sleep=lambda s: pytest.fail("paused"))
    pacer.wait()
    pacer.wait()


def test_messages_leave_no_faster_than_the_setting(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User, settings
) -> None:
    settings.URNE_MAILING_RATE = 20  # one message every 50 ms
    settings.EMAIL_BACKEND = "tests.mailings.test_sending.TimingBackend"
    TimingBackend.times = []

    queued(draft(sender_organizer, campaign=campaign), sender_organizer)

    times = TimingBackend.times
    assert len(times) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 0.05 - 0.002, gaps


class TimingBackend(locmem.EmailBackend):
    """Django's in-memory backend, noting when each message is handed over."""

    times: ClassVar[list[float]] = []

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        TimingBackend.times.extend(time.monotonic() for _ in messages)
        return super().send_messages(messages)


# --- A stuck mailing is taken up again -----------------------------------------------------------


def _died_after_one(campaign: Campaign, sender: User, settings: Any, travel: Any) -> Mailing:
    """A mailing whose worker died after one message, now stale."""
    travel(timezone.now())
    settings.EMAIL_BACKEND = "tests.accounts.mailbackends.DyingBackend"
    DyingBackend.die_after = 1
    mailing = draft(sender, campaign=campaign)
    with pytest.raises(WorkerLost):
        queued(mailing, sender)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mailing


def test_resume_mailings_takes_the_stuck_ones_up(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User, settings, travel
) -> None:
    mailing = _died_after_one(campaign, sender_organizer, settings, travel)
    out = io.StringIO()
    call_command("resume_mailings", stdout=out)  # still alive, as far as anyone knows
    assert out.getvalue() == "Aucun envoi interrompu.\n"

    travel(clock.now() + STALE_AFTER + timedelta(seconds=1))
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("resume_mailings", stdout=out)

    assert f"Envoi n° {mailing.pk}" in out.getvalue()
    assert recipients() == sorted(roll[n].email for n in ("alice", "denis", "emma"))
    assert AuditEntry.objects.filter(action="mailing.resume", actor_id=None).count() == 1


def test_staff_take_a_stuck_mailing_up_from_its_page(
    client: Client,
    campaign: Campaign,
    roll: dict[str, Elector],
    sender_organizer: User,
    settings,
    travel,
) -> None:
    mailing = _died_after_one(campaign, sender_organizer, settings, travel)
    client.force_login(sender_organizer)
    page = reverse("mailings:detail", args=[mailing.pk])
    resume = reverse("mailings:resume", args=[mailing.pk])
    assert "Reprendre l'envoi" not in client.get(page).content.decode()
    assert "n&#x27;est pas interrompu" in client.post(resume, follow=True).content.decode()

    travel(clock.now() + STALE_AFTER + timedelta(seconds=1))
    assert "Reprendre l'envoi" in client.get(page).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(resume)

    mailing.refresh_from_db()
    assert (mailing.status, mailing.sent_count) == ("done", 3)
    assert len(mail.outbox) == 3
    assert AuditEntry.objects.filter(action="mailing.resume", actor_id=sender_organizer.pk).exists()
