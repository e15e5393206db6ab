"""The Makefile: `make clean` keeps the embedded data, `make deps` installs what `make test` needs.

Each test runs the project's real Makefile with GNU make in a folder of its own, never in the
checkout, so that no test deletes a developer's data or installs anything (`make -n` prints the
commands a target would run without running them).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make") or "/usr/bin/make"


def make(*args: str, folder: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path if path is not None else os.environ["PATH"]}
    return subprocess.run(  # noqa: S603 - GNU make on the project's own Makefile
        [MAKE, "--no-print-directory", "-f", str(PROJECT / "Makefile"), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _deps(name: str) -> list[tuple[str, str]]:
    """(package, check) pairs of the Makefile's variable `name` (package:command or
    package:/path/of/a/file), the variables it names expanded."""
    text = (PROJECT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = re.search(rf"^{name}\s*:?=(.*)$", text, re.MULTILINE)
    assert found, f"the Makefile names no {name}"
    pairs: list[tuple[str, str]] = []
    for item in found.group(1).split():
        if item.startswith("$(") and item.endswith(")"):
            pairs += _deps(item[2:-1])
        else:
            package, _, check = item.partition(":")
            pairs.append((package, check))
    return pairs


def debian_packages() -> list[str]:
    """The Debian packages `make deps` knows, from the Makefile's DEBIAN_DEPS."""
    return [package for package, _ in _deps("DEBIAN_DEPS")]


def a_checkout_with_data(folder: Path) -> Path:
    (folder / "var" / "media").mkdir(parents=True)
    database = folder / "var" / "urne.sqlite3"
    database.write_bytes(b"SQLite format 3\x00")
    (folder / ".mypy_cache").mkdir()
    return database


def test_make_clean_keeps_the_embedded_database(tmp_path: Path) -> None:
    database = a_checkout_with_data(tmp_path)

    result = make("clean", folder=tmp_path)

    assert result.returncode == 0, result.stderr
    assert database.exists()
    assert not (tmp_path / ".mypy_cache").exists()


def test_make_clean_data_deletes_the_data_and_says_so(tmp_path: Path) -> None:
    a_checkout_with_data(tmp_path)

    result = make("clean-data", folder=tmp_path)

    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "var").exists()
    assert "var/" in result.stdout
    assert "database" in result.stdout


def test_make_deps_installs_from_debian_every_package_whose_command_is_missing(
    tmp_path: Path,
) -> None:
    # An empty PATH: every package checked by a command is missing (those checked by a header
    # file are looked for on the disk, where this machine has them or not).
    result = make("-n", "deps", folder=tmp_path, path=str(tmp_path))

    assert result.returncode == 0, result.stderr
    install = next(line for line in result.stdout.splitlines() if "apt-get install" in line)
    for package, check in _deps("DEBIAN_DEPS"):
        if not check.startswith("/") and not check.startswith("$("):
            assert package in install.split()


def test_the_suite_needs_what_make_deps_installs() -> None:
    for package in ("chromium", "belenios-tool", "gettext", "espeak-ng", "poppler-utils"):
        assert package in debian_packages()


def test_the_readme_names_every_package_make_test_needs() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What `make test` needs", 1)[-1].split("\n## ", 1)[0]

    for package in debian_packages():
        assert f"`{package}`" in section
    assert "make deps" in section


def test_ci_installs_what_the_tests_need_with_make_deps() -> None:
    assert "make deps" in (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
