"""Logs never carry a password, an address or a link's token."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import NEW_PASSWORD, links_in, signup_data
from tests.accounts.mailbackends import RefusingBackend
from urne.accounts import tasks


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

    assert f"Invitation to elector {elector_alice.pk} not sent" in caplog.text
    assert "alice.bernard" not in caplog.text
