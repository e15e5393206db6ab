"""The migration that gives electors their name keys fills them for the electors already there,
so an existing roll is in French order from the moment the new code runs."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from urne.campaign.models import Elector

pytestmark = pytest.mark.django_db(transaction=True)


def _name_keys_migration(executor: MigrationExecutor) -> tuple[str, str]:
    """(app, name) of the migration, found by its name: the numbers change when branches merge."""
    keys: list[tuple[str, str]] = [
        key
        for key in executor.loader.graph.nodes
        if key[0] == "campaign" and key[1].endswith("_elector_name_keys")
    ]
    (key,) = keys
    return key


def test_electors_saved_before_the_migration_get_their_keys() -> None:
    executor = MigrationExecutor(connection)
    target = _name_keys_migration(executor)
    (before,) = [
        p for p in executor.loader.graph.node_map[target].parents if p.key[0] == "campaign"
    ]
    executor.migrate([before.key])
    try:
        _save_an_elector_the_old_way(executor.loader.project_state([before.key]).apps)
    finally:
        # Forward again whatever happened: the next tests of this process need today's schema.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    helene = Elector.objects.get(email="helene.leboeuf@ac-dijon.fr")
    assert (helene.last_name_key, helene.first_name_key) == ("leboeufdupre", "helene")


def test_the_fill_reads_the_roll_page_by_page_without_missing_an_elector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    executor = MigrationExecutor(connection)
    target = _name_keys_migration(executor)
    (before,) = [
        p for p in executor.loader.graph.node_map[target].parents if p.key[0] == "campaign"
    ]
    # Pages of 2 electors instead of 5,000: 5 electors make three pages, the last one short.
    migration_module = sys.modules[type(executor.loader.graph.nodes[target]).__module__]
    monkeypatch.setattr(migration_module, "PAGE", 2)
    executor.migrate([before.key])
    try:
        _save_an_elector_the_old_way(
            executor.loader.project_state([before.key]).apps,
            more=["Guérin", "Ørsted", "Æbersold", "d'Ornano"],
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert sorted(Elector.objects.values_list("last_name_key", flat=True)) == [
        "aebersold",
        "dornano",
        "guerin",
        "leboeufdupre",
        "orsted",
    ]


def _save_an_elector_the_old_way(old: Any, more: list[str] | None = None) -> None:
    campaign = old.get_model("campaign", "Campaign").objects.create(
        name="Élections professionnelles 2014",
        year=2014,
        organizer="Ministère",
        **{
            field: "2014-10-01T00:00:00Z"
            for field in (
                "accounts_open_at",
                "rolls_published_at",
                "candidacies_published_at",
                "identifiers_available_at",
                "corrections_deadline",
            )
        },
        # The calendar's order holds at the database (the vote opens after the corrections
        # close, and lasts).
        vote_opens_at="2014-10-02T00:00:00Z",
        vote_closes_at="2014-10-09T00:00:00Z",
    )
    academy = old.get_model("campaign", "Academy").objects.create(
        campaign=campaign,
        code="dijon",
        name="Dijon",
        mail_domain="ac-dijon.fr",
        assistance_email="elections2014@ac-dijon.fr",
        assistance_phone="03.80.44.89.95",
    )
    old.get_model("campaign", "Elector").objects.create(
        campaign=campaign,
        academy=academy,
        civilite="MME",
        first_name="Hélène",
        last_name="Le Bœuf-Dupré",
        email="helene.leboeuf@ac-dijon.fr",
        corps="Professeur certifié",
        establishment="Lycée Carnot, Dijon",
    )
    for number, last_name in enumerate(more or []):
        old.get_model("campaign", "Elector").objects.create(
            campaign=campaign,
            academy=academy,
            civilite="M",
            first_name="Paul",
            last_name=last_name,
            email=f"paul{number}@ac-dijon.fr",
            corps="Professeur certifié",
            establishment="Lycée Carnot, Dijon",
        )
