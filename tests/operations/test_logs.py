"""Structured logs: one JSON object a line with the request's id, view, status and duration,
and nothing personal: no address, name, client address, password, voting identifier, ballot."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.voting.casting import ballot_text, election_of
from tests.voting.conftest import Identifiers
from urne.accounts.models import User
from urne.campaign.models import Scrutin
from urne.operations.logs import FIELDS, JsonFormatter, RequestContext, TextFormatter

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
WRONG_PASSWORD = "Mauvais2014x"
SUBMISSION = "journal-0123456789abcdef"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the console handler of production writes: every record, DEBUG included, through
    the JSON formatter and the request's context."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContext())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_each_request_writes_one_line_with_its_id_view_status_and_duration(
    client: Client, json_lines: io.StringIO
) -> None:
    response = client.get(reverse("operations:health"))

    [line] = [entry for entry in lines(json_lines) if entry["logger"] == "urne.request"]
    assert line["view"] == "operations:health"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert set(line) <= set(FIELDS)


def test_the_proxys_request_id_is_kept_and_a_strange_one_replaced(
    client: Client, json_lines: io.StringIO
) -> None:
    kept = client.get(reverse("operations:health"), HTTP_X_REQUEST_ID="proxy-1234abcd")
    replaced = client.get(reverse("operations:health"), HTTP_X_REQUEST_ID="<script>x</script>")

    assert kept["X-Request-ID"] == "proxy-1234abcd"
    assert replaced["X-Request-ID"] != "<script>x</script>"
    assert "<script>" not in json_lines.getvalue()


def test_a_login_a_failed_login_and_a_ballot_log_nothing_personal(
    client: Client,
    voter_bob: User,
    csa_national: Scrutin,
    identifiers: Identifiers,
    json_lines: io.StringIO,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    elector = voter_bob.elector
    assert elector is not None
    identifier = identifiers.of(elector)
    ballot = ballot_text(csa_national, identifier)
    url = reverse("voting:api_cast", args=[election_of(csa_national).uuid])
    caplog.set_level(logging.DEBUG)

    client.post(LOGIN, {"email": voter_bob.email, "password": WRONG_PASSWORD})
    client.post(LOGIN, {"email": voter_bob.email, "password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(
            url, {"ballot": ballot, "submission": SUBMISSION}, content_type="application/json"
        )
    client.post(
        url, {"ballot": ballot, "submission": SUBMISSION + "x"}, content_type="application/json"
    )

    assert accepted.status_code == 201
    written = json_lines.getvalue()
    entries = lines(json_lines)
    views = [entry.get("view") for entry in entries if entry["logger"] == "urne.request"]
    assert views == ["accounts:login", "accounts:login", "voting:api_cast", "voting:api_cast"]
    assert any(entry["message"].startswith("ballot accepted") for entry in entries)
    personal = {
        voter_bob.email,
        "bob.martin",
        elector.first_name,
        elector.last_name,
        PASSWORD,
        WRONG_PASSWORD,
        identifier,
        SUBMISSION,
        ballot[:40],
        accepted.json()["tracker"],
        "127.0.0.1",
        client.session.session_key or "no-session",
    }
    for value in personal:
        assert value not in written, value
        assert value not in caplog.text, value
    assert all(set(entry) <= set(FIELDS) for entry in entries)


def test_an_address_in_an_error_message_is_hidden(json_lines: io.StringIO) -> None:
    """A database's refusal may quote its row: the formatter's last guard."""
    logging.getLogger("urne.test").error(
        "duplicate key: Key (email)=(alice.bernard@ac-dijon.fr) from 192.0.2.44"
    )

    written = json_lines.getvalue()
    assert "alice.bernard" not in written
    assert "192.0.2.44" not in written
    assert "[email hidden]" in written


def test_the_text_format_for_a_console_holds_the_request_id(client: Client) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter())
    logging.getLogger("urne.request").addHandler(handler)
    try:
        response = client.get(reverse("operations:health"))
    finally:
        logging.getLogger("urne.request").removeHandler(handler)

    request_id = response["X-Request-ID"]
    assert stream.getvalue().startswith(
        f"INFO urne.request [{request_id}] GET operations:health 200 "
    )
