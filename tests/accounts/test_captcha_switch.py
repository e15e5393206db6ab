"""The captcha test switch is on for the whole test run, and it still refuses wrong answers."""

from __future__ import annotations

from captcha.conf import settings as captcha_settings
from django.conf import settings


def test_the_test_run_has_the_captcha_test_switch_on() -> None:
    assert settings.CAPTCHA_TEST_MODE is True
    assert captcha_settings.CAPTCHA_TEST_MODE is True
