"""Fixtures for the seal: a campaign whose two scrutins are sealed elections, sealed the day
before the vote opens (the sealing module refuses it later), with the gate on.

`seal_scrutins` and `trustees_text` are the vote's own fixtures (tests/voting/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from unittest import mock

import pytest
from django.test import override_settings

from tests.voting.conftest import (  # noqa: F401 - fixtures used by this folder's tests
    Identifiers,
    SealScrutins,
    seal_scrutins,
    trustees_text,
)
from urne import clock
from urne.campaign.models import Campaign, Elector, Scrutin
from urne.sealing.models import CampaignSeal
from urne.sealing.services import do_seal_campaign


@pytest.fixture(autouse=True)
def _seal_required() -> Iterator[None]:
    """The gate as in production (tests/settings.py turns it off for the rest of the suite)."""
    with override_settings(URNE_SEAL_REQUIRED=True):
        yield


def eve(campaign: Campaign) -> mock._patch[mock.MagicMock]:
    """urne's clock the day before the vote opens (`with eve(campaign): ...`)."""
    return mock.patch.object(clock, "now", return_value=campaign.vote_opens_at - timedelta(days=1))


@pytest.fixture
def elections(
    seal_scrutins: SealScrutins,  # noqa: F811
    elector_bob: Elector,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
) -> Identifiers:
    """Bob's two scrutins, each a sealed election (not the campaign: see `sealed`)."""
    return seal_scrutins(csa_national, capa_dijon)


@pytest.fixture
def sealed(elections: Identifiers, campaign: Campaign) -> CampaignSeal:
    """The campaign sealed the day before the vote opens."""
    with eve(campaign):
        return do_seal_campaign(None, campaign)
