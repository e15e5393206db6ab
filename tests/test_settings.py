"""Settings come from the environment and production refuses unsafe values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_production_requires_the_pseudonym_key_and_a_long_one() -> None:
    """Without its key, a production ballot box would name electors in a way anyone can redo."""
    missing = _import_settings(URNE_PRODUCTION="1", URNE_SECRET_KEY="s" * 60)
    short = _import_settings(
        URNE_PRODUCTION="1", URNE_SECRET_KEY="s" * 60, URNE_PSEUDONYM_KEY="short"
    )

    assert missing.returncode != 0
    assert "URNE_PSEUDONYM_KEY" in missing.stderr
    assert short.returncode != 0
    assert "at least 32" in short.stderr


def test_production_refuses_the_captcha_test_switch() -> None:
    result = _import_settings(
        URNE_PRODUCTION="1",
        URNE_SECRET_KEY="s" * 60,
        URNE_PSEUDONYM_KEY="p" * 40,
        URNE_CAPTCHA_TEST_MODE="1",
    )
    assert result.returncode != 0
    assert "URNE_CAPTCHA_TEST_MODE" in result.stderr


def test_the_captcha_test_switch_is_refused_without_debug() -> None:
    """Production mode forgotten must not leave a public server accepting PASSED."""
    result = _import_settings(URNE_CAPTCHA_TEST_MODE="1")
    assert result.returncode != 0
    assert "URNE_CAPTCHA_TEST_MODE needs URNE_DEBUG" in result.stderr


def test_the_captcha_test_switch_is_allowed_in_development() -> None:
    assert _import_settings(URNE_CAPTCHA_TEST_MODE="1", URNE_DEBUG="1").returncode == 0


def test_the_test_settings_refuse_production() -> None:
    """The test run's own settings (tests/settings.py) turn the switch on: never in production."""
    clean = _environment()
    clean.update(URNE_PRODUCTION="1", URNE_SECRET_KEY="s" * 60, URNE_PSEUDONYM_KEY="p" * 40)
    result = subprocess.run(
        [sys.executable, "-c", "import tests.settings"],
        env=clean,
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "tests/settings.py" in result.stderr


def test_a_malformed_boolean_is_refused() -> None:
    result = _import_settings(URNE_DEBUG="perhaps")
    assert result.returncode != 0
    assert "URNE_DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize("value", ["1", "true", "yes", "on"])
def test_true_spellings_are_accepted(value: str) -> None:
    assert _import_settings(URNE_DEBUG=value).returncode == 0


@pytest.mark.parametrize("value", ["vite", "-1", "nan", "inf"])
def test_a_mailing_rate_that_is_not_a_finite_positive_number_is_refused(value: str) -> None:
    result = _import_settings(URNE_MAILING_RATE=value)
    assert result.returncode != 0
    assert "URNE_MAILING_RATE must be" in result.stderr


def test_a_mailing_rate_may_have_decimals(monkeypatch: pytest.MonkeyPatch) -> None:
    from urne.env import envfloat

    monkeypatch.setenv("URNE_MAILING_RATE", "2.5")
    assert envfloat("URNE_MAILING_RATE", 10.0) == 2.5
    monkeypatch.setenv("URNE_MAILING_RATE", "")
    assert envfloat("URNE_MAILING_RATE", 10.0) == 10.0
