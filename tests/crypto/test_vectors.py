"""The reference vectors are found one way, where URNE_BELENIOS_VECTORS says or beside the
repository, and their absence fails the run instead of leaving tests uncollected."""

from __future__ import annotations

import pytest

from .conftest import find_vectors, vectors_root


def test_the_vectors_are_read_where_urne_belenios_vectors_says(tmp_path, monkeypatch, vectors):
    elsewhere = tmp_path / "clone" / "belenios-vectors"
    elsewhere.parent.mkdir()
    elsewhere.symlink_to(vectors)
    monkeypatch.setenv("URNE_BELENIOS_VECTORS", str(elsewhere.parent))
    assert vectors_root() == elsewhere
    monkeypatch.setenv("URNE_BELENIOS_VECTORS", str(elsewhere))
    assert vectors_root() == elsewhere


def test_without_the_variable_they_are_read_in_shared_beside_the_repository(tmp_path, vectors):
    repository = tmp_path / "urne"
    repository.mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "belenios-vectors").symlink_to(vectors)
    assert find_vectors(None, repository) == tmp_path / "shared" / "belenios-vectors"


@pytest.mark.parametrize("named", [True, False])
def test_missing_vectors_fail_loudly_naming_the_variable(tmp_path, named):
    with pytest.raises(FileNotFoundError, match="set URNE_BELENIOS_VECTORS"):
        find_vectors(str(tmp_path) if named else None, tmp_path / "urne")
