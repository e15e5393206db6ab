"""The migration that puts the calendar's order into the database looks at the campaigns already
there first: one out of order stops it with a message naming the campaign and its dates (and what
to do), instead of a bare IntegrityError halfway, and the database stays where it was."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from urne.campaign.models import Campaign

pytestmark = pytest.mark.django_db(transaction=True)


def _calendar_order_migration(executor: MigrationExecutor) -> tuple[str, str]:
    """(app, name) of the migration, found by its name: the numbers change when branches merge."""
    keys: list[tuple[str, str]] = [
        key
        for key in executor.loader.graph.nodes
        if key[0] == "campaign" and key[1].endswith("_campaign_calendar_order")
    ]
    (key,) = keys
    return key


def _before(executor: MigrationExecutor, target: tuple[str, str]) -> tuple[str, str]:
    parents: list[tuple[str, str]] = [
        p.key for p in executor.loader.graph.node_map[target].parents if p.key[0] == "campaign"
    ]
    (before,) = parents
    return before


def _create_campaign_the_old_way(old: Any, name: str, corrections_deadline: str) -> Any:
    return old.get_model("campaign", "Campaign").objects.create(
        name=name,
        year=2014,
        organizer="Ministère",
        accounts_open_at="2014-09-22T07:00:00Z",
        rolls_published_at="2014-10-15T07:00:00Z",
        candidacies_published_at="2014-10-28T07:00:00Z",
        identifiers_available_at="2014-11-12T07:00:00Z",
        corrections_deadline=corrections_deadline,
        vote_opens_at="2014-11-27T09:00:00Z",
        vote_closes_at="2014-12-04T16:00:00Z",
    )


def _applied(executor: MigrationExecutor) -> set[tuple[str, str]]:
    executor.loader.build_graph()
    return {key for key in executor.loader.applied_migrations if key[0] == "campaign"}


def test_a_campaign_out_of_order_stops_the_migration_with_its_name_and_dates() -> None:
    executor = MigrationExecutor(connection)
    target = _calendar_order_migration(executor)
    before = _before(executor, target)
    executor.migrate([before])
    try:
        old = executor.loader.project_state([before]).apps
        # Allowed before: the corrections closed at the very instant the vote opened.
        late = _create_campaign_the_old_way(
            old, "Élections professionnelles 2014", "2014-11-27T09:00:00Z"
        )
        fine = _create_campaign_the_old_way(old, "Élections 2018", "2014-11-14T22:59:59Z")

        executor = MigrationExecutor(connection)
        with pytest.raises(CommandError) as refused:
            executor.migrate([target])
        message = str(refused.value)
        assert f"Campagne id={late.pk} « Élections professionnelles 2014 »" in message
        assert (
            "« ouverture du vote » (27/11/2014 10:00:00) doit venir strictement après "
            "« fin des demandes de mise à jour du profil » (27/11/2014 10:00:00)"
        ) in message
        assert f"id={fine.pk}" not in message  # only the campaigns at fault are named
        assert "urne shell" in message and "relancez « urne migrate »" in message

        # Nothing half-done: still at the migration before, the dates untouched, and the
        # database accepts what it accepted before.
        assert target not in _applied(MigrationExecutor(connection))
        assert before in _applied(MigrationExecutor(connection))
        still = old.get_model("campaign", "Campaign").objects.get(pk=late.pk)
        assert still.corrections_deadline == still.vote_opens_at
        _create_campaign_the_old_way(old, "Encore", "2014-11-27T09:00:00Z").delete()  # no CHECK yet

        # Once corrected, the migration goes through.
        old.get_model("campaign", "Campaign").objects.filter(pk=late.pk).update(
            corrections_deadline="2014-11-14T22:59:59Z"
        )
        executor = MigrationExecutor(connection)
        executor.migrate([target])
        assert target in _applied(MigrationExecutor(connection))
    finally:
        # Forward again whatever happened: the next tests of this process need today's schema
        # (and a campaign left out of order would stop the migration again).
        executor.loader.project_state([before]).apps.get_model(
            "campaign", "Campaign"
        ).objects.all().delete()
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert Campaign.objects.count() == 0


def test_campaigns_in_order_migrate_untouched() -> None:
    executor = MigrationExecutor(connection)
    target = _calendar_order_migration(executor)
    before = _before(executor, target)
    executor.migrate([before])
    try:
        old = executor.loader.project_state([before]).apps
        created = _create_campaign_the_old_way(old, "Élections 2014", "2014-11-14T22:59:59Z")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    campaign = Campaign.objects.get(pk=created.pk)
    assert campaign.corrections_deadline.isoformat() == "2014-11-14T22:59:59+00:00"
    assert campaign.vote_opens_at.isoformat() == "2014-11-27T09:00:00+00:00"
