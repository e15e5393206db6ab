"""Production fails closed: what a real deployment needs is checked before anything is served.

`urne check --deploy` reports every missing piece (urne.E001 to urne.E009, docs/configuration.md);
in production mode the same errors stop every command and the web server at start.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.conftest import PRODUCTION_ENVIRONMENT

POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "urne", "HOST": "db.example"}
REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://r:6379/0"}
DATABASE_CACHE = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}


@pytest.fixture
def production(settings: Any) -> Any:
    """This process's settings made those of a complete production (no connection is opened:
    the checks read the settings only, so Django's warning about changing DATABASES is moot)."""
    settings.PRODUCTION = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        settings.DATABASES = {**settings.DATABASES, "default": {**settings.DATABASES["default"]}}
    settings.DATABASES["default"].update(POSTGRES)
    settings.CACHES = {"default": REDIS}
    settings.CELERY_BROKER_URL = "redis://r:6379/1"
    settings.CAPTCHA_TEST_MODE = False
    settings.ALLOWED_HOSTS = ["vote.example.org"]
    settings.SITE_URL = "https://vote.example.org"
    return settings


def urne_errors(*, deploy: bool) -> list[str]:
    """The ids of urne's own errors that `urne check` (`--deploy` or not) reports."""
    try:
        call_command("check", deploy=deploy, stdout=io.StringIO(), stderr=io.StringIO())
    except SystemCheckError as error:
        return sorted(
            {word.strip(":") for word in str(error).split() if word.startswith("(urne.E")}
        )
    return []


def test_a_complete_production_passes(production: Any) -> None:
    assert urne_errors(deploy=True) == []


def test_check_deploy_refuses_when_production_mode_is_forgotten(production: Any) -> None:
    production.PRODUCTION = False

    assert urne_errors(deploy=True) == ["(urne.E001)"]


def test_production_refuses_the_embedded_sqlite_database(production: Any) -> None:
    production.DATABASES["default"]["ENGINE"] = "django.db.backends.sqlite3"

    assert urne_errors(deploy=False) == ["(urne.E002)"]


def test_production_refuses_a_cache_of_its_own_per_process(production: Any) -> None:
    production.CACHES = {"default": DATABASE_CACHE}

    assert urne_errors(deploy=False) == ["(urne.E003)"]


@pytest.mark.parametrize("broker", ["", "memory://", "filesystem://"])
def test_production_refuses_to_run_tasks_without_a_shared_broker(
    production: Any, broker: str
) -> None:
    production.CELERY_BROKER_URL = broker

    assert urne_errors(deploy=False) == ["(urne.E004)"]


def test_production_refuses_the_captcha_test_switch(production: Any) -> None:
    production.CAPTCHA_TEST_MODE = True

    assert urne_errors(deploy=False) == ["(urne.E005)"]


def test_production_refuses_to_switch_the_rate_limits_off(production: Any) -> None:
    production.RATELIMIT_ENABLE = False

    assert urne_errors(deploy=False) == ["(urne.E008)"]


def test_production_refuses_to_answer_no_host(production: Any) -> None:
    production.ALLOWED_HOSTS = []

    assert urne_errors(deploy=False) == ["(urne.E006)"]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://vote.example.org"])
def test_production_refuses_links_in_emails_that_are_not_https(production: Any, url: str) -> None:
    production.SITE_URL = url

    assert urne_errors(deploy=False) == ["(urne.E007)"]


def test_check_deploy_lists_every_missing_piece_at_once(production: Any) -> None:
    production.PRODUCTION = False
    production.DATABASES["default"]["ENGINE"] = "django.db.backends.sqlite3"
    production.CACHES = {"default": DATABASE_CACHE}
    production.CELERY_BROKER_URL = ""

    assert urne_errors(deploy=True) == [
        "(urne.E001)",
        "(urne.E002)",
        "(urne.E003)",
        "(urne.E004)",
    ]


def test_outside_production_the_embedded_defaults_run_every_command(production: Any) -> None:
    production.PRODUCTION = False
    production.DATABASES["default"]["ENGINE"] = "django.db.backends.sqlite3"
    production.CACHES = {"default": DATABASE_CACHE}
    production.CELERY_BROKER_URL = ""

    assert urne_errors(deploy=False) == []


def _run(code: list[str], **overrides: str) -> subprocess.CompletedProcess[str]:
    """`python CODE...` in a fresh process whose environment is PRODUCTION_ENVIRONMENT with
    `overrides` (an empty value removes the variable), nothing of this test run's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("URNE_")
        and k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(PRODUCTION_ENVIRONMENT)
    for name, value in overrides.items():
        if value:
            env[name] = value
        else:
            env.pop(name, None)
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, *code], env=env, capture_output=True, text=True, check=False
    )


def test_urne_check_deploy_is_clean_with_every_production_variable() -> None:
    result = _run(["-m", "urne", "check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode == 0, result.stdout + result.stderr


def test_urne_check_deploy_refuses_the_embedded_defaults_in_production() -> None:
    result = _run(
        ["-m", "urne", "check", "--deploy"], DATABASE_URL="", REDIS_URL="", CELERY_BROKER_URL=""
    )

    assert result.returncode != 0
    for error in ("urne.E002", "urne.E003", "urne.E004"):
        assert error in result.stderr


def test_the_web_server_does_not_start_a_production_without_broker() -> None:
    """gunicorn runs no system check of its own: the WSGI module does, in production."""
    result = _run(["-c", "import urne.wsgi"], CELERY_BROKER_URL="")

    assert result.returncode != 0
    assert "urne.E004" in result.stderr
    assert "CELERY_BROKER_URL" in result.stderr


def test_the_web_server_starts_a_complete_production() -> None:
    result = _run(["-c", "import urne.wsgi"])

    assert result.returncode == 0, result.stderr


def test_the_web_server_refuses_to_start_with_the_authoritys_private_key() -> None:
    """Only the authority's worker and commands hold it (docs/credential-authority.md)."""
    result = _run(["-c", "import urne.wsgi"], URNE_AUTHORITY_PRIVATE_KEY="/srv/autorite.key")

    assert result.returncode != 0
    assert "urne.E009" in result.stderr
    assert "URNE_AUTHORITY_PRIVATE_KEY" in result.stderr


def test_the_authoritys_worker_and_commands_may_hold_its_private_key() -> None:
    result = _run(
        ["-m", "urne", "check", "--deploy", "--fail-level", "WARNING"],
        URNE_AUTHORITY_PRIVATE_KEY="/srv/autorite.key",
    )

    assert result.returncode == 0, result.stdout + result.stderr
