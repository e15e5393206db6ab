"""Fixtures of the count: scrutins whose bureau's keys the tests hold, voted through the ballot
box, then closed on urne's clock.

The bureaus are made as a bureau would offline, with `urne trustees threshold` (and `urne
trustees combine` for two groups), once per test session: the private key shares stay in the
session's temporary folder; the server gets only trustees.json.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest

from tests.conftest import make_elector
from tests.voting.conftest import Identifiers, add_lists, cast, give_credentials
from urne import clock
from urne.campaign.models import Academy, Elector, RollEntry, Scrutin
from urne.cli.trustees import (
    read_trustee_files,
    write_single_key,
    write_threshold_trustees,
    write_trustees,
)
from urne.voting import setup
from urne.voting.models import ScrutinElection


@dataclass(frozen=True)
class Bureau:
    """trustees.json and each trustee's private key file, by trustee number (the archive's
    ``owner``)."""

    trustees: Path
    keys: dict[int, Path]

    @property
    def text(self) -> str:
        return self.trustees.read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def threshold_bureau(tmp_path_factory: pytest.TempPathFactory) -> Bureau:
    """One Pedersen group: 2 of 3 members needed (`urne trustees threshold`)."""
    made = write_threshold_trustees(tmp_path_factory.mktemp("bureau"), 3, 2)
    return Bureau(made.trustees, dict(enumerate(made.private_keys, start=1)))


@pytest.fixture(scope="session")
def two_groups_bureau(tmp_path_factory: pytest.TempPathFactory) -> Bureau:
    """Two Pedersen groups whose keys multiply: 1 of 2 (president, secretary), then 2 of 3
    (delegates): `urne trustees threshold` twice, then `urne trustees combine`. Trustees 1-2
    are the first group's, 3-5 the second's."""
    folder = tmp_path_factory.mktemp("bureau-two")
    heads = write_threshold_trustees(folder / "presidence", 2, 1)
    delegates = write_threshold_trustees(folder / "delegues", 3, 2)
    combined = folder / "trustees.json"
    write_trustees(combined, read_trustee_files([heads.trustees, delegates.trustees]))
    keys = {1: heads.private_keys[0], 2: heads.private_keys[1]}
    keys.update({2 + j: path for j, path in enumerate(delegates.private_keys, start=1)})
    return Bureau(combined, keys)


def seal_with(scrutin: Scrutin, trustees_text: str) -> Identifiers:
    """Lists, the bureau's trustees, the electors' credentials and the sealed setup, the day
    before the vote opens."""
    identifiers = Identifiers()
    eve = scrutin.campaign.vote_opens_at - timedelta(days=1)
    with mock.patch.object(clock, "now", return_value=eve):
        if not scrutin.lists.exists():
            add_lists(scrutin)
        setup.do_prepare_elections(scrutin.campaign)
        setup.do_set_trustees(scrutin, trustees_text)
        give_credentials(ScrutinElection.objects.get(scrutin=scrutin), identifiers)
        setup.do_seal_election(scrutin)
    return identifiers


def voters(scrutin: Scrutin, academy: Academy, count: int) -> list[Elector]:
    made = []
    for number in range(count):
        elector = make_elector(scrutin.campaign, academy, f"Votant{number}", f"Numero{number}")
        RollEntry.objects.create(scrutin=scrutin, elector=elector)
        made.append(elector)
    return made


def run_vote(
    scrutin: Scrutin, academy: Academy, bureau: Bureau, choices: Sequence[int | None]
) -> ScrutinElection:
    """As many electors as `choices` on the roll; the scrutin sealed under `bureau`'s keys;
    each elector votes through the ballot box (choice: list index from 0, None: blank)."""
    electors = voters(scrutin, academy, len(choices))
    identifiers = seal_with(scrutin, bureau.text)
    election = ScrutinElection.objects.select_related("scrutin__campaign").get(scrutin=scrutin)
    for elector, choice in zip(electors, choices, strict=True):
        cast(election, elector, identifiers.of(elector), choice)
    election.refresh_from_db()
    return election


def fresh(election: ScrutinElection) -> ScrutinElection:
    return ScrutinElection.objects.select_related("scrutin__campaign").get(pk=election.pk)


@pytest.fixture(scope="session")
def single_and_group_bureau(tmp_path_factory: pytest.TempPathFactory) -> Bureau:
    """A "Single" key (`urne trustee keygen`) and a 2-of-2 group, combined: trustee 1 is the
    single key, 2-3 the group's."""
    folder = tmp_path_factory.mktemp("bureau-mixed")
    single = write_single_key(folder / "president")
    group = write_threshold_trustees(folder / "delegues", 2, 2)
    combined = folder / "trustees.json"
    write_trustees(combined, read_trustee_files([single.public_key, group.trustees]))
    keys = {1: single.private_key, 2: group.private_keys[0], 3: group.private_keys[1]}
    return Bureau(combined, keys)
