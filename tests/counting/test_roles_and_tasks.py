"""The count's roles hold their lists; the periodic task closes and tallies at the time, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group

from tests.counting.conftest import Bureau, run_vote
from urne.campaign.models import Academy, Scrutin
from urne.counting.tasks import close_due_elections
from urne.voting.apps import (
    BUREAU_GROUP,
    BUREAU_PERMISSIONS,
    COUNTING_OPERATORS_GROUP,
    COUNTING_OPERATORS_PERMISSIONS,
)
from urne.voting.models import CountingEvent

pytestmark = pytest.mark.django_db

Travel = Callable[[datetime], None]


def held(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_migrate_gives_the_count_roles_their_lists() -> None:
    assert held(BUREAU_GROUP) == set(BUREAU_PERMISSIONS)
    assert held(COUNTING_OPERATORS_GROUP) == set(COUNTING_OPERATORS_PERMISSIONS)
    assert "voting.close_election" not in held(BUREAU_GROUP)
    assert "voting.upload_partial_decryption" not in held(COUNTING_OPERATORS_GROUP)


def test_the_periodic_task_closes_and_tallies_at_the_time_once(
    csa_national: Scrutin,
    dijon: Academy,
    threshold_bureau: Bureau,
    travel: Travel,
    django_capture_on_commit_callbacks: Any,
) -> None:
    election = run_vote(csa_national, dijon, threshold_bureau, (0, 2))
    closes_at = election.scrutin.campaign.vote_closes_at
    travel(closes_at - timedelta(seconds=1))
    assert close_due_elections.delay().get() == 0
    assert not CountingEvent.objects.exists()
    travel(closes_at)
    with django_capture_on_commit_callbacks(execute=True):
        assert close_due_elections.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert close_due_elections.delay().get() == 0
    kinds = list(CountingEvent.objects.order_by("height").values_list("kind", flat=True))
    assert kinds == ["EndBallots", "EncryptedTally"]
