"""Settings come from the environment and production refuses unsafe values."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _environment() -> dict[str, str]:
    """This process's environment without urne's variables nor the browser tests' async switch
    (which Django's deployment check rightly refuses)."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("URNE_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }


def _import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = _environment()
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import urne.settings"],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_requires_a_secret_key() -> None:
    result = _import_settings(URNE_PRODUCTION="1")
    assert result.returncode != 0
    assert "URNE_SECRET_KEY" in result.stderr


def test_production_refuses_the_captcha_test_switch() -> None:
    result = _import_settings(
        URNE_PRODUCTION="1", URNE_SECRET_KEY="s" * 60, URNE_CAPTCHA_TEST_MODE="1"
    )
    assert result.returncode != 0
    assert "URNE_CAPTCHA_TEST_MODE" in result.stderr


def test_a_malformed_boolean_is_refused() -> None:
    result = _import_settings(URNE_DEBUG="perhaps")
    assert result.returncode != 0
    assert "URNE_DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize("value", ["1", "true", "yes", "on"])
def test_true_spellings_are_accepted(value: str) -> None:
    assert _import_settings(URNE_DEBUG=value).returncode == 0


def test_check_deploy_is_clean_with_production_variables(tmp_path: object) -> None:
    env = _environment()
    env.update(
        URNE_PRODUCTION="1",
        URNE_SECRET_KEY="k" * 30 + "Q9#x" * 10,
        URNE_ALLOWED_HOSTS="vote.example.org",
        DJANGO_SETTINGS_MODULE="urne.settings",
    )
    result = subprocess.run(
        [sys.executable, "-m", "urne", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
