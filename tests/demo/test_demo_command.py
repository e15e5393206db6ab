"""`urne demo --no-serve`, as `make demo` runs it, on a fresh embedded database, twice."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import PRODUCTION_ENVIRONMENT


def run_demo(data_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("URNE_")
        and k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"URNE_DATA_DIR": str(data_dir), "URNE_DEMO": "1", "URNE_DEBUG": "1", **extra})
    return subprocess.run(  # noqa: S603 - our own command with the test's own arguments
        [sys.executable, "-m", "urne", "demo", "--no-serve", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as connection:
        (total,) = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608
    return int(total)


def test_it_prepares_the_database_loads_the_campaign_once_and_says_what_to_try(
    tmp_path: Path,
) -> None:
    first = run_demo(tmp_path)
    assert first.returncode == 0, first.stderr
    database = tmp_path / "urne.sqlite3"
    electors = count(database, "campaign_elector")

    second = run_demo(tmp_path)

    assert second.returncode == 0, second.stderr
    assert "chargée — " in first.stdout
    assert "déjà chargée : calendrier recalé sur aujourd'hui" in second.stdout
    assert electors >= 300
    assert count(database, "campaign_campaign") == 1
    assert count(database, "campaign_elector") == electors
    # 3 electors, 10 staff: one superuser, 5 roles, 4 more members of the bureau (the UEPL's
    # delegate is one of the roles).
    assert count(database, "accounts_user") == 13
    assert count(database, "urne_cache") >= 0  # the cache table exists
    # Each scrutin a sealed election, once: the second run changed none.
    with sqlite3.connect(database) as connection:
        sealed = connection.execute(
            "SELECT COUNT(*) FROM voting_scrutinelection WHERE sealed_at IS NOT NULL"
        ).fetchone()[0]
    assert sealed == count(database, "campaign_scrutin")
    for expected in (
        "http://127.0.0.1:8000/compte/connexion/",
        "http://127.0.0.1:8000/gestion/",
        "http://127.0.0.1:8000/aide/courriels/",
        "claire.bernard@ac-dijon.fr",
        "identifiant de vote : ",
        "vote ouvert du ",
        str(tmp_path / "demo" / "identifiants.csv"),
        str(tmp_path / "demo" / "bureau"),
        "http://127.0.0.1:8000/espace/scrutins/",
        "Inscrit sur les listes mais sans compte : thomas.girard@ac-dijon.fr",
        "gestion@urne.example / Gestion2014demo",
        str(tmp_path / "mail"),
    ):
        assert expected in second.stdout
    assert len(list((tmp_path / "media" / "professions-de-foi").rglob("*.pdf"))) == count(
        database, "candidacies_candidatelist"
    )


def test_what_it_prints_follows_the_address_it_serves(tmp_path: Path) -> None:
    result = run_demo(tmp_path, "--addrport", "127.0.0.1:8765")

    assert result.returncode == 0, result.stderr
    assert "http://127.0.0.1:8765/compte/connexion/" in result.stdout
    assert "127.0.0.1:8000" not in result.stdout


def test_it_refuses_to_run_in_production(tmp_path: Path) -> None:
    """Even a complete production, which the production checks let start, refuses the demo."""
    result = run_demo(tmp_path, URNE_DEBUG="0", **PRODUCTION_ENVIRONMENT)

    assert result.returncode != 0
    assert "interdite en production" in result.stderr
    assert not (tmp_path / "urne.sqlite3").exists()
