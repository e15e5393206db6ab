"""GET /sante/: 200 when the database, the cache, the broker and the disk hold, 503 naming what
fails; the details for the token's holder only."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.operations.conftest import TOKEN, closed_port
from urne.operations import health

pytestmark = pytest.mark.django_db

HEALTH = reverse("operations:health")
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def test_every_component_up_answers_200_and_says_no_more_to_the_public(
    client: Client, settings: Any
) -> None:
    settings.URNE_METRICS_TOKEN = TOKEN
    response = client.get(HEALTH)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_the_token_holder_sees_each_component(client: Client, settings: Any) -> None:
    settings.URNE_METRICS_TOKEN = TOKEN
    body = client.get(HEALTH, headers=BEARER).json()

    assert set(body["checks"]) == {"database", "cache", "broker", "disk"}
    assert all(check["ok"] for check in body["checks"].values())
    if not django_settings.CELERY_BROKER_URL:
        assert "eager" in body["checks"]["broker"]["detail"]


def test_a_wrong_token_sees_no_detail(client: Client, settings: Any) -> None:
    settings.URNE_METRICS_TOKEN = TOKEN
    body = client.get(HEALTH, HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").json()

    assert body == {"status": "ok"}


def test_outside_production_without_token_the_loopback_sees_the_details(
    client: Client, settings: Any
) -> None:
    settings.URNE_METRICS_TOKEN = ""
    assert "checks" in client.get(HEALTH).json()
    assert "checks" not in client.get(HEALTH, REMOTE_ADDR="192.0.2.7").json()


def test_in_production_the_loopback_is_not_trusted(client: Client, settings: Any) -> None:
    """The reverse proxy is on the loopback: trusting it would trust everyone."""
    settings.URNE_METRICS_TOKEN = ""
    settings.PRODUCTION = True
    settings.SECURE_SSL_REDIRECT = False

    assert "checks" not in client.get(HEALTH).json()


def test_a_disk_under_the_threshold_answers_503_naming_the_disk(
    client: Client, settings: Any
) -> None:
    settings.URNE_METRICS_TOKEN = TOKEN
    settings.URNE_HEALTH_MIN_FREE_MB = 1024 * 1024 * 1024  # a petabyte

    public = client.get(HEALTH)
    detailed = client.get(HEALTH, headers=BEARER).json()

    assert public.status_code == 503
    assert public.json() == {"status": "fail", "failing": ["disk"]}
    assert detailed["checks"]["disk"]["ok"] is False
    assert "MB free" in detailed["checks"]["disk"]["detail"]


def test_a_broker_gone_away_answers_503_within_a_second_without_its_address(
    client: Client, settings: Any
) -> None:
    settings.URNE_METRICS_TOKEN = TOKEN
    port = closed_port()
    settings.CELERY_BROKER_URL = f"redis://operator:s3cretpw@127.0.0.1:{port}/0"

    start = time.monotonic()
    response = client.get(HEALTH, headers=BEARER)
    elapsed = time.monotonic() - start

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert response.json()["checks"]["broker"]["detail"] == "OperationalError"
    assert elapsed < 1.5
    assert "s3cretpw" not in response.content.decode()
    assert str(port) not in response.content.decode()


@pytest.mark.skipif(
    not django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache"),
    reason="needs Redis (REDIS_URL)",
)
def test_a_reachable_redis_broker_is_healthy(client: Client, settings: Any) -> None:
    settings.URNE_METRICS_TOKEN = TOKEN
    settings.CELERY_BROKER_URL = django_settings.CACHES["default"]["LOCATION"]

    body = client.get(HEALTH, headers=BEARER).json()

    assert body["checks"]["broker"] == {**body["checks"]["broker"], "ok": True}
    assert body["checks"]["broker"]["detail"] == "connected"


@pytest.mark.skipif(
    not django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache"),
    reason="needs Redis (REDIS_URL)",
)
def test_a_redis_cache_gone_away_answers_503_naming_the_cache(
    client: Client, settings: Any
) -> None:
    settings.URNE_METRICS_TOKEN = TOKEN
    settings.URNE_RATELIMIT_ENABLE = False
    assert (
        client.get(HEALTH, headers=BEARER).json()["checks"]["cache"]["detail"] == "redis round trip"
    )

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    response = client.get(HEALTH)

    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def test_the_result_is_kept_for_the_period_a_load_balancer_asks_in(
    client: Client, settings: Any
) -> None:
    settings.URNE_HEALTH_CACHE_SECONDS = 60
    assert client.get(HEALTH).status_code == 200

    settings.URNE_HEALTH_MIN_FREE_MB = 1024 * 1024 * 1024
    assert client.get(HEALTH).status_code == 200  # the kept result

    health.forget()
    assert client.get(HEALTH).status_code == 503


def test_it_answers_get_and_head_only(client: Client) -> None:
    assert client.head(HEALTH).status_code == 200
    assert client.post(HEALTH).status_code == 405


def test_in_production_the_load_balancers_plain_http_check_is_not_redirected(
    client: Client, settings: Any
) -> None:
    """The load balancer asks gunicorn's private address over HTTP: a redirect to HTTPS would
    read as a failure. The site's pages are still redirected."""
    settings.PRODUCTION = True
    settings.SECURE_SSL_REDIRECT = True
    settings.URNE_METRICS_TOKEN = TOKEN

    assert client.get(HEALTH).status_code == 200
    assert client.get(reverse("operations:metrics"), headers=BEARER).status_code == 200
    assert client.get(reverse("accounts:login")).status_code == 301
