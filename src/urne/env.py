"""Settings helpers: every setting comes from the environment and fails loudly on a bad value.

The list of variables is documented in docs/configuration.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def envfloat(name: str, default: float) -> float:
    """A number that may have decimals ("2.5"), never negative."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from exc
    if not value >= 0 or value == float("inf"):
        raise ImproperlyConfigured(f"{name} must be a finite number, 0 or more, not {raw!r}")
    return value


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {path}: {exc}") from exc
    return os.environ.get(name, default)


def project_data_dir(package: Path) -> Path:
    """The embedded default's data folder: `var/` of the source checkout holding `package`.

    Fixed relative to the code, not to the current directory, so that `urne migrate` finds the
    same database wherever it runs from, and each checkout (each worktree) keeps its own. An
    installed urne (site-packages) has no project folder, and writing beside the Python libraries
    would be wrong: it then asks for URNE_DATA_DIR.
    """
    project = package.parents[1]  # src/urne -> the checkout
    if (project / "pyproject.toml").is_file() and package.parent.name == "src":
        return project / "var"
    raise ImproperlyConfigured(
        f"URNE_DATA_DIR is required: urne runs from {package}, not from its source folder, "
        "so it has no var/ of its own"
    )
