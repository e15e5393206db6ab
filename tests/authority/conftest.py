"""Fixtures for the credential authority: its key pair on disk, a campaign before its vote.

`authority_keys` writes a key pair as `urne authority_keygen` does and configures both halves,
as the demo (no broker: the authority's tasks run in-process) does; `web_only_keys` leaves the
private half out, as on a production web host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from tests.conftest import CALENDAR_2014, paris
from tests.voting.conftest import seal_scrutins, trustees_text  # noqa: F401 - shared fixtures
from urne.authority.keys import read_private_key, read_public_key, write_key_pair
from urne.campaign.models import Campaign


@dataclass
class AuthorityKeys:
    private_path: Path
    public_path: Path

    @property
    def private(self) -> X25519PrivateKey:
        return read_private_key(self.private_path)

    @property
    def public(self) -> X25519PublicKey:
        return read_public_key(str(self.public_path))


@pytest.fixture
def key_pair(tmp_path: Path) -> AuthorityKeys:
    private_path, public_path = write_key_pair(tmp_path / "autorite")
    return AuthorityKeys(private_path, public_path)


@pytest.fixture
def authority_keys(settings: Any, key_pair: AuthorityKeys) -> AuthorityKeys:
    """Both keys configured: the demo's in-process authority."""
    settings.URNE_AUTHORITY_PUBLIC_KEY = str(key_pair.public_path)
    settings.URNE_AUTHORITY_PRIVATE_KEY = str(key_pair.private_path)
    return key_pair


@pytest.fixture
def web_only_keys(settings: Any, key_pair: AuthorityKeys) -> AuthorityKeys:
    """The public key only: a production web host."""
    settings.URNE_AUTHORITY_PUBLIC_KEY = key_pair.public_path.read_text().strip()
    settings.URNE_AUTHORITY_PRIVATE_KEY = ""
    return key_pair


@pytest.fixture
def before_vote(campaign: Campaign, travel: Callable[[datetime], None]) -> Campaign:
    """The campaign on the seed's 2014 calendar, the clock on 13 November 2014: identifiers
    available since the 12th, the vote opens on the 27th."""
    Campaign.objects.filter(pk=campaign.pk).update(**CALENDAR_2014)
    campaign.refresh_from_db()
    travel(paris(2014, 11, 13, 9))
    return campaign
