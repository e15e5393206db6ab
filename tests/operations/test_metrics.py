"""GET /metrics: Prometheus' text for the token's holder only; logins, ballots and messages
counted where they are decided, by outcome, with no personal data in any label."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.operations.conftest import TOKEN, sample
from tests.voting.casting import ballot_text, election_of
from tests.voting.conftest import Identifiers
from urne.accounts.models import User
from urne.campaign.models import Scrutin
from urne.voting.receipts import do_send_pending_receipts

pytestmark = pytest.mark.django_db

METRICS = reverse("operations:metrics")
LOGIN = reverse("accounts:login")
BEARER = {"Authorization": f"Bearer {TOKEN}"}
KEY = "supervision-0123456789"


@pytest.fixture
def token(settings: Any) -> str:
    settings.URNE_METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client: Client) -> str:
    response = client.get(METRICS, headers=BEARER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_the_metrics_need_the_token(client: Client, token: str) -> None:
    refused = client.get(METRICS)
    wrong = client.get(METRICS, HTTP_AUTHORIZATION="Bearer nope")

    assert refused.status_code == wrong.status_code == 401
    assert refused["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert "urne_" not in refused.content.decode()
    assert "urne_ballots" in scrape(client)


def test_in_production_without_a_token_the_metrics_are_closed_to_everyone(
    client: Client, settings: Any
) -> None:
    settings.PRODUCTION = True
    settings.SECURE_SSL_REDIRECT = False
    settings.URNE_METRICS_TOKEN = ""

    assert client.get(METRICS).status_code == 404
    assert client.get(METRICS, HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_outside_production_without_a_token_only_the_loopback_reads_them(
    client: Client, settings: Any
) -> None:
    settings.URNE_METRICS_TOKEN = ""

    assert client.get(METRICS).status_code == 200
    assert client.get(METRICS, REMOTE_ADDR="192.0.2.7").status_code == 401


def test_requests_and_latency_are_counted_per_view_not_per_path(client: Client, token: str) -> None:
    client.get(reverse("operations:health"))
    text = scrape(client)

    assert (
        'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="operations:health"}'
        in text
    )
    assert "/sante/" not in text


def test_an_invented_method_does_not_make_a_new_series(client: Client, token: str) -> None:
    client.generic("BREW", reverse("operations:health"))
    text = scrape(client)

    assert "BREW" not in text
    assert 'method="<invalid method>"' in text


def test_logins_are_counted_by_outcome_without_the_address(
    client: Client, voter_bob: User, token: str
) -> None:
    succeeded = sample("urne_logins_total", step="password", outcome="succeeded")
    invalid = sample("urne_logins_total", step="password", outcome="invalid")

    client.post(LOGIN, {"email": voter_bob.email, "password": "Mauvais2014x"})
    client.post(LOGIN, {"email": "nobody@ac-dijon.fr", "password": "Mauvais2014x"})
    client.post(LOGIN, {"email": voter_bob.email, "password": PASSWORD})

    assert sample("urne_logins_total", step="password", outcome="invalid") == invalid + 2
    assert sample("urne_logins_total", step="password", outcome="succeeded") == succeeded + 1
    text = scrape(client)
    assert "bob" not in text.lower()
    assert "nobody" not in text


def test_a_login_over_the_limit_is_counted_as_rate_limited(
    client: Client, voter_bob: User, settings: Any
) -> None:
    settings.URNE_RATE_LOGIN_PER_ADDRESS = "1/15m"
    limited = sample("urne_logins_total", step="password", outcome="rate_limited")

    client.post(LOGIN, {"email": voter_bob.email, "password": "Mauvais2014x"})
    client.post(LOGIN, {"email": voter_bob.email, "password": "Mauvais2014x"})

    assert sample("urne_logins_total", step="password", outcome="rate_limited") == limited + 1


def test_ballots_are_counted_accepted_replayed_and_refused_by_reason(
    client: Client,
    voter_bob: User,
    csa_national: Scrutin,
    identifiers: Identifiers,
    token: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert voter_bob.elector is not None
    url = reverse("voting:api_cast", args=[election_of(csa_national).uuid])
    ballot = ballot_text(csa_national, identifiers.of(voter_bob.elector))
    before = {
        outcome: sample("urne_ballots_total", outcome=outcome)
        for outcome in (
            "accepted",
            "replayed",
            "already_voted",
            "not_logged_in",
            "malformed_request",
        )
    }

    client.post(url, {"ballot": ballot, "submission": KEY}, content_type="application/json")
    client.force_login(voter_bob)
    client.post(url, {"ballot": "{}"}, content_type="application/json")
    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(
            url, {"ballot": ballot, "submission": KEY}, content_type="application/json"
        )
    client.post(url, {"ballot": ballot, "submission": KEY}, content_type="application/json")
    client.post(url, {"ballot": ballot, "submission": KEY + "b"}, content_type="application/json")

    assert accepted.status_code == 201
    after = {outcome: sample("urne_ballots_total", outcome=outcome) for outcome in before}
    assert {outcome: after[outcome] - before[outcome] for outcome in before} == {
        "accepted": 1,
        "replayed": 1,
        "already_voted": 1,
        "not_logged_in": 1,
        "malformed_request": 1,
    }
    text = scrape(client)
    assert 'urne_ballots_total{outcome="already_voted"}' in text
    assert KEY not in text
    assert election_of(csa_national).uuid not in text


def test_receipts_sent_are_counted(
    client: Client,
    voter_bob: User,
    csa_national: Scrutin,
    identifiers: Identifiers,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert voter_bob.elector is not None
    sent = sample("urne_mail_sent_total", kind="receipt", outcome="sent")
    client.force_login(voter_bob)
    url = reverse("voting:api_cast", args=[election_of(csa_national).uuid])
    ballot = ballot_text(csa_national, identifiers.of(voter_bob.elector))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"ballot": ballot, "submission": KEY}, content_type="application/json")
    do_send_pending_receipts()

    assert len(mail.outbox) == 1
    assert sample("urne_mail_sent_total", kind="receipt", outcome="sent") == sent + 1


@pytest.mark.skipif(
    not django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache"),
    reason="needs Redis (REDIS_URL)",
)
def test_the_queues_depth_is_read_from_the_broker(
    client: Client, token: str, settings: Any
) -> None:
    """The worktree's own Redis database stands for the broker: two tasks waiting in the
    default queue, none in the authority's."""
    broker = django_settings.CACHES["default"]["LOCATION"]
    settings.CELERY_BROKER_URL = broker
    connection = redis.Redis.from_url(broker)
    connection.delete("celery", "authority")
    connection.lpush("celery", "task-1", "task-2")
    try:
        text = scrape(client)
    finally:
        connection.delete("celery")

    assert 'urne_queue_depth{queue="celery"} 2.0' in text
    assert 'urne_queue_depth{queue="authority"} 0.0' in text


def test_without_a_broker_there_is_no_queue_to_report(client: Client, token: str) -> None:
    if django_settings.CELERY_BROKER_URL:
        pytest.skip("a broker is configured")
    assert "urne_queue_depth{" not in scrape(client)


COUNT_ONE_LOGIN = """
import django
django.setup()
from urne.operations import metrics
metrics.count_login("password", "succeeded")
"""

SCRAPE = """
import django
django.setup()
from urne.operations import metrics
print(metrics.exposition().decode())
"""


def test_the_counts_of_several_worker_processes_add_up(tmp_path: Path) -> None:
    """gunicorn's workers are processes: with PROMETHEUS_MULTIPROC_DIR each writes its counters
    to files there, and a scrape served by any of them adds up all."""
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "urne.settings",
    }
    env.pop("DATABASE_URL", None)  # no query: the counters only
    env["URNE_DATA_DIR"] = str(tmp_path / "data")
    for _ in range(3):
        subprocess.run([sys.executable, "-c", COUNT_ONE_LOGIN], env=env, check=True)  # noqa: S603
    scraped = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", SCRAPE], env=env, check=True, capture_output=True, text=True
    ).stdout

    assert 'urne_logins_total{outcome="succeeded",step="password"} 3.0' in scraped
