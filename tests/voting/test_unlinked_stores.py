"""DOMAIN.md: the émargement and the ballot box, two stores with no link between them.

What a copy of the database shows after votes: who voted and when (the émargement), the ballots
with their credentials (the box), the credentials with their owners' pseudonyms. Nothing joins
an elector to a ballot without the pseudonym key, which is not in the database.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from tests.conftest import make_elector
from tests.voting.casting import ballot_text, election_of
from tests.voting.conftest import Identifiers, SealScrutins
from urne.campaign.models import Academy, Elector, RollEntry, Scrutin
from urne.crypto.credentials import derive_public_credential
from urne.crypto.group import BELENIOS_2048
from urne.voting.ballot_box import ballot_of, do_cast_ballot
from urne.voting.models import Ballot, Emargement, PublicCredential
from urne.voting.pseudonyms import pseudonym

KEY = "unlinked-stores-test-0001"


@pytest.fixture
def voters(elector_bob: Elector, dijon: Academy, csa_national: Scrutin) -> list[Elector]:
    others = [
        make_elector(elector_bob.campaign, dijon, f"Votant{index}", "Dupont") for index in range(4)
    ]
    for other in others:
        RollEntry.objects.create(scrutin=csa_national, elector=other)
    return [elector_bob, *others]


@pytest.fixture
def cast(voters: list[Elector], csa_national: Scrutin, seal_scrutins: SealScrutins) -> Identifiers:
    identifiers = seal_scrutins(csa_national)
    uuid = election_of(csa_national).uuid
    for index, voter in enumerate(voters):
        text = ballot_text(csa_national, identifiers.of(voter), position=index % 4)
        do_cast_ballot(voter, uuid, text, f"{KEY}-{index}")
    return identifiers


def columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {
            column.name for column in connection.introspection.get_table_description(cursor, table)
        }


def test_no_column_of_the_emargement_or_the_credentials_names_a_ballot_or_an_elector(
    cast: Identifiers,
) -> None:
    assert columns(Emargement._meta.db_table) == {"id", "election_id", "elector_id", "voted_at"}
    assert columns(PublicCredential._meta.db_table) == {
        "id",
        "election_id",
        "pseudonym",
        "credential",
    }
    assert "elector_id" not in columns(Ballot._meta.db_table)


def test_the_database_alone_does_not_join_an_elector_to_their_ballot(
    voters: list[Elector], csa_national: Scrutin, cast: Identifiers
) -> None:
    """Someone with a copy of the database tries the pseudonyms of every elector who signed
    the émargement: without the key, none matches a stored credential; with it, each does."""
    election = election_of(csa_national)
    stored = set(PublicCredential.objects.values_list("pseudonym", flat=True))
    signed = list(Emargement.objects.values_list("elector_id", flat=True))
    assert sorted(signed) == sorted(voter.pk for voter in voters)

    with override_settings(URNE_PSEUDONYM_KEY="a guess at the key, not the key"):
        guessed = {pseudonym(election.uuid, elector_id) for elector_id in signed}
    assert guessed.isdisjoint(stored)

    assert {pseudonym(election.uuid, elector_id) for elector_id in signed} == stored
    for voter in voters:
        ballot = ballot_of(voter, election)
        assert ballot is not None
        expected = derive_public_credential(BELENIOS_2048, cast.of(voter), election.uuid)
        assert ballot.credential == str(expected)


def test_the_emargement_keeps_neither_the_order_of_the_votes_nor_a_time_finer_than_the_second(
    cast: Identifiers,
) -> None:
    ids = list(Emargement.objects.order_by("voted_at").values_list("id", flat=True))
    heights = list(Ballot.objects.order_by("id").values_list("height", flat=True))
    assert heights == sorted(heights)  # the box keeps the order of arrival (the board's)
    assert all(identifier > 2**32 for identifier in ids)  # drawn at random, not a sequence
    assert all(
        moment.microsecond == 0 for moment in Emargement.objects.values_list("voted_at", flat=True)
    )


def test_one_electors_pseudonyms_differ_from_one_scrutin_to_the_next(
    elector_bob: Elector,
) -> None:
    assert pseudonym("uuid-of-the-csa", elector_bob.pk) != pseudonym(
        "uuid-of-the-cap", elector_bob.pk
    )
    assert len(pseudonym("uuid-of-the-csa", elector_bob.pk)) == 32
