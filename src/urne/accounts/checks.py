"""System checks: a malformed rate limit stops the server at start, not at the first login."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from urne.accounts.throttle import ALL_RULES, parse_rate


@register()
def check_rate_limits(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for rule in ALL_RULES:
        try:
            parse_rate(rule.rate)
        except ValueError as error:
            errors.append(
                Error(f"{rule.setting}: {error}", hint="Example: 5/15m", id="accounts.E001")
            )
    return errors
