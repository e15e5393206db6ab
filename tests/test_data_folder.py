"""The data folder of the embedded default is the project's `var/`, wherever a command runs from.

It used to be `./var` of the current directory: `urne migrate` run anywhere else ended in
SQLite's "unable to open database file".
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from urne.env import project_data_dir

PROJECT = Path(__file__).resolve().parents[1]
EMBEDDED_DATABASE = PROJECT / "var" / "urne.sqlite3"


def urne(*args: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """`urne ARGS` run from `cwd`, with the embedded defaults (none of this run's settings)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("URNE_")
        and k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(extra)
    return subprocess.run(  # noqa: S603 - our own command with the test's own arguments
        [sys.executable, "-m", "urne", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture
def embedded_database() -> Iterator[Path]:
    """The project's own embedded database, as the developer left it: a migration only adds
    what `make demo` would; a database this test made is removed afterwards."""
    existed = EMBEDDED_DATABASE.exists()
    yield EMBEDDED_DATABASE
    if not existed:
        EMBEDDED_DATABASE.unlink(missing_ok=True)


def test_urne_migrate_run_from_another_folder_migrates_the_projects_database(
    tmp_path: Path, embedded_database: Path
) -> None:
    result = urne("migrate", "--no-input", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "var").exists()
    with sqlite3.connect(embedded_database) as connection:
        applied = connection.execute("SELECT COUNT(*) FROM django_migrations").fetchone()[0]
    assert applied > 0


def test_a_data_folder_that_cannot_be_made_stops_with_a_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    result = urne("migrate", cwd=tmp_path, URNE_DATA_DIR=str(blocker / "var"))

    assert result.returncode != 0
    assert f"The data folder {blocker / 'var'} cannot be created" in result.stderr
    assert "URNE_DATA_DIR" in result.stderr


def test_from_a_source_checkout_the_data_folder_is_its_var(tmp_path: Path) -> None:
    package = tmp_path / "checkout" / "src" / "urne"
    package.mkdir(parents=True)
    (tmp_path / "checkout" / "pyproject.toml").write_text("[project]\nname = 'urne'\n")

    assert project_data_dir(package) == tmp_path / "checkout" / "var"


def test_an_installed_urne_asks_for_its_data_folder(tmp_path: Path) -> None:
    """Installed (site-packages), urne has no project folder: it names the variable to set
    rather than write beside the Python libraries."""
    package = tmp_path / "lib" / "python3.11" / "site-packages" / "urne"
    package.mkdir(parents=True)

    with pytest.raises(ImproperlyConfigured, match="URNE_DATA_DIR"):
        project_data_dir(package)
