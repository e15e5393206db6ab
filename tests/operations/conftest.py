"""Helpers of the supervision's tests: a health checked afresh each time, a sealed scrutin for
Bob, and the counters read as Prometheus reads them."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client import REGISTRY

from tests.accounts.conftest import _cheap_argon2  # noqa: F401 (autouse: cheap hashing)
from tests.voting.conftest import Identifiers, SealScrutins, seal_scrutins, trustees_text  # noqa: F401
from urne.accounts.models import User
from urne.campaign.models import Scrutin
from urne.operations import health

TOKEN = "t0ken-of-the-supervision-" + "x" * 20


@pytest.fixture(autouse=True)
def _fresh_health(settings: Any) -> Iterator[None]:
    """Each request checks the components again (the kept result would hide a change)."""
    settings.URNE_HEALTH_CACHE_SECONDS = 0
    settings.URNE_HEALTH_MIN_FREE_MB = 1
    health.forget()
    yield
    health.forget()


@pytest.fixture
def identifiers(voter_bob: User, csa_national: Scrutin, seal_scrutins: SealScrutins) -> Identifiers:  # noqa: F811
    return seal_scrutins(csa_national)


def sample(name: str, **labels: str) -> float:
    """A counter's value in this process (0 when never counted)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
