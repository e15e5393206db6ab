"""The opening gate: the ballot box takes no ballot for a campaign without a seal, and « Mes
scrutins » does not offer the vote (urne.sealing.gate.seal_missing, one rule)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.voting.casting import ballot_text, election_of
from tests.voting.conftest import Identifiers, cast
from urne.accounts.models import User
from urne.campaign.models import Campaign, Elector, Scrutin
from urne.sealing.services import do_seal_campaign
from urne.voting.ballot_box import BallotRefused
from urne.voting.models import Ballot, Emargement, ScrutinElection
from urne.voting.vote_state import VoteStatus, vote_state

from .conftest import eve


def test_a_ballot_without_the_campaign_seal_is_refused_with_a_clear_message(
    elections: Identifiers, elector_bob: Elector, csa_national: Scrutin
) -> None:
    election = ScrutinElection.objects.get(scrutin=csa_national)

    with pytest.raises(BallotRefused) as refused:
        cast(election, elector_bob, elections.of(elector_bob), 0)

    assert refused.value.code == "not_sealed"
    assert refused.value.status == 409
    assert "le bureau de vote n'a pas scellé l'élection" in str(refused.value.message)
    assert "rien n'a été enregistré" in str(refused.value.message)
    assert not Ballot.objects.exists()
    assert not Emargement.objects.exists()


def test_once_sealed_the_same_ballot_is_accepted(
    elections: Identifiers, campaign: Campaign, elector_bob: Elector, csa_national: Scrutin
) -> None:
    with eve(campaign):
        do_seal_campaign(None, campaign)
    election = ScrutinElection.objects.get(scrutin=csa_national)

    ballot = cast(election, elector_bob, elections.of(elector_bob), 0)

    assert ballot.height == 1
    assert Emargement.objects.count() == 1


def test_mes_scrutins_does_not_offer_the_vote_without_the_seal(
    elections: Identifiers, campaign: Campaign, csa_national: Scrutin
) -> None:
    assert vote_state(csa_national, None).status is VoteStatus.NOT_READY
    with eve(campaign):
        do_seal_campaign(None, campaign)
    assert vote_state(csa_national, None).status is VoteStatus.OPEN


def test_the_gate_can_be_turned_off_outside_production(
    elections: Identifiers, elector_bob: Elector, csa_national: Scrutin
) -> None:
    election = ScrutinElection.objects.get(scrutin=csa_national)
    with override_settings(URNE_SEAL_REQUIRED=False):
        assert cast(election, elector_bob, elections.of(elector_bob), None).height == 1


def test_the_api_answers_not_sealed_in_french(
    client: Client, voter_bob: User, elections: Identifiers, csa_national: Scrutin
) -> None:
    assert voter_bob.elector is not None
    text = ballot_text(csa_national, elections.of(voter_bob.elector))
    client.force_login(voter_bob)

    response = client.post(
        reverse("voting:api_cast", args=[election_of(csa_national).uuid]),
        {"ballot": text, "submission": "sealing-gate-0001"},
        content_type="application/json",
    )

    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "not_sealed"
    assert "le bureau de vote n'a pas scellé l'élection" in body["message"]
    assert not Ballot.objects.exists()
