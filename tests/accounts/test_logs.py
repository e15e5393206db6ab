"""Logs never carry a password, an address or a link's token."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import NEW_PASSWORD, confirm_path, links_in, signup_data
from tests.accounts.mailbackends import RefusingBackend
from urne.accounts import tasks
from urne.accounts.tokens import confirmation_token_generator


def test_creating_confirming_and_failing_to_log_in_log_nothing_sensitive(
    client: Client, post, elector_alice, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    post(reverse("accounts:signup"), signup_data("alice.bernard@ac-dijon.fr"))
    link = links_in(mail.outbox[0])[0]
    client.post(
        reverse("accounts:login"), {"email": "alice.bernard@ac-dijon.fr", "password": "Faux2014x"}
    )

    token = link.rstrip("/").rsplit("/", 1)[1]
    for secret in ("alice.bernard", NEW_PASSWORD, "Faux2014x", token):
        assert secret not in caplog.text


def test_a_failed_invitation_is_logged_with_the_elector_id_only(
    campaign, elector_alice, settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.EMAIL_BACKEND = "tests.accounts.mailbackends.RefusingBackend"
    RefusingBackend.refused = {elector_alice.email}
    try:
        with caplog.at_level(logging.DEBUG):
            tasks.send_invitations.delay(campaign.pk)
    finally:
        RefusingBackend.refused = set()

    assert f"message to elector {elector_alice.pk} not sent (SMTPRecipientsRefused)" in caplog.text
    assert "alice.bernard" not in caplog.text


def test_an_error_answer_on_a_valid_link_does_not_log_its_token(
    client: Client, unconfirmed_alice, caplog: pytest.LogCaptureFixture
) -> None:
    """Django logs the path of 4xx answers: here a 429 on a link that still works."""
    caplog.set_level(logging.DEBUG)
    token = confirmation_token_generator.make_token(unconfirmed_alice)
    path = confirm_path(unconfirmed_alice, token)
    uidb64 = path.split("/")[-3]
    for _ in range(6):
        client.post(path, {"password": "Mauvais1x"})

    assert client.post(path, {"password": "Mauvais1x"}).status_code == 429
    assert f"Too Many Requests: /compte/confirmer/{uidb64}/[token hidden]/" in caplog.text
    assert token not in caplog.text
    assert confirmation_token_generator.check_token(unconfirmed_alice, token)
