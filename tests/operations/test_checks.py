"""Production and the metrics' token: missing, the metrics stay closed and `urne check` says
so; too short, production refuses to start."""

from __future__ import annotations

from typing import Any

from urne.checks import metrics_problems


def ids(settings: Any) -> list[str]:
    return [problem.id or "" for problem in metrics_problems()]


def test_a_missing_token_is_a_warning(settings: Any) -> None:
    settings.URNE_METRICS_TOKEN = ""
    assert ids(settings) == ["urne.W011"]


def test_a_short_token_is_an_error(settings: Any) -> None:
    settings.URNE_METRICS_TOKEN = "short-token"
    assert ids(settings) == ["urne.E010"]


def test_a_long_token_passes(settings: Any) -> None:
    settings.URNE_METRICS_TOKEN = "x" * 32
    assert ids(settings) == []
