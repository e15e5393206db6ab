"""Fixtures of the protocol tests: the reference elections made by the real belenios-tool."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

VECTORS = Path(os.environ.get("URNE_BELENIOS_VECTORS", Path(__file__).parents[3] / "shared"))
"""Where the reference elections are: /work/shared/belenios-vectors beside the work tree."""


def _vectors_root() -> Path:
    for candidate in (VECTORS / "belenios-vectors", VECTORS):
        if (candidate / "single" / "election.json").is_file():
            return candidate
    raise FileNotFoundError(f"no belenios-vectors under {VECTORS}")


@pytest.fixture(scope="session")
def vectors() -> Path:
    """The folder of the reference elections (single/ and threshold/)."""
    return _vectors_root()


def read_text(path: Path) -> str:
    """A file of the vectors as text, without the newline belenios-tool adds at the end."""
    return path.read_text(encoding="utf-8").removesuffix("\n")
