"""Sealing a campaign: before the opening only, its elections sealed, the box empty; a second
seal without change refused; the record append-only and in the audit journal."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest

from tests.voting.conftest import Identifiers
from urne import clock
from urne.audit.models import AuditEntry
from urne.campaign.models import Campaign, Elector, Scrutin
from urne.candidacies.models import CandidateList
from urne.sealing import fingerprint
from urne.sealing.models import AppendOnly, CampaignSeal
from urne.sealing.services import SealRefused, do_seal_campaign
from urne.voting.models import Emargement, ScrutinElection

from .conftest import eve


def test_the_seal_records_each_component_and_the_whole_fingerprint(
    sealed: CampaignSeal,
) -> None:
    names = [component["name"] for component in sealed.components]
    assert names == [
        "booth",
        "box",
        "code",
        "distributions",
        "scrutin:capa-certifies-dijon",
        "scrutin:csa-men",
        "settings",
    ]
    assert sealed.number == 1
    components = [fingerprint.Component.from_json(value) for value in sealed.components]
    assert sealed.fingerprint == fingerprint.whole_fingerprint(components)
    assert any(name.startswith("urne/voting/") for name in components[2].data["files"])


def test_the_box_and_the_emargement_are_recorded_empty(sealed: CampaignSeal) -> None:
    (box,) = [component for component in sealed.components if component["name"] == "box"]
    assert box["data"]["scrutins"] == {
        "capa-certifies-dijon": {"height": 0, "ballots": 0, "emargements": 0},
        "csa-men": {"height": 0, "ballots": 0, "emargements": 0},
    }


def test_each_scrutin_setup_names_its_election_and_lists_in_order(
    sealed: CampaignSeal, csa_national: Scrutin
) -> None:
    (setup,) = [c for c in sealed.components if c["name"] == "scrutin:csa-men"]
    election = ScrutinElection.objects.get(scrutin=csa_national)
    assert setup["data"]["election"]["fingerprint"] == election.fingerprint
    assert setup["data"]["election"]["uuid"] == election.uuid
    assert setup["data"]["election"]["credential_count"] == 1
    assert [item["title"] for item in setup["data"]["lists"]] == [
        "Liste FSU",
        "Liste UNSA Éducation",
        "Liste SGEN-CFDT",
    ]


def test_the_seal_is_in_the_audit_journal(sealed: CampaignSeal, campaign: Campaign) -> None:
    # The newest entry: a module's fixture elsewhere (the demo's) may leave older ones.
    entry = AuditEntry.objects.filter(action="sealing.seal").order_by("-sequence").first()
    assert entry is not None
    assert entry.details["fingerprint"] == sealed.fingerprint
    assert entry.details["number"] == 1
    assert entry.campaign_id == campaign.pk


def test_sealing_again_without_change_is_refused_and_records_nothing(
    sealed: CampaignSeal, campaign: Campaign
) -> None:
    entries = AuditEntry.objects.count()
    with eve(campaign), pytest.raises(SealRefused) as refused:
        do_seal_campaign(None, campaign)

    assert "Rien n'a changé depuis le scellement n° 1" in str(refused.value.message)
    assert CampaignSeal.objects.count() == 1
    assert AuditEntry.objects.count() == entries


def test_sealing_again_after_a_change_is_a_new_seal_the_first_unchanged(
    sealed: CampaignSeal, campaign: Campaign, csa_national: Scrutin
) -> None:
    CandidateList.objects.filter(scrutin=csa_national, position=1).update(title="Liste FSU !")
    with eve(campaign):
        second = do_seal_campaign(None, campaign)

    assert second.number == 2
    assert second.fingerprint != sealed.fingerprint
    first = CampaignSeal.objects.get(pk=sealed.pk)
    assert first.fingerprint == sealed.fingerprint
    assert first.components == sealed.components


def test_sealing_after_the_opening_is_refused(elections: Identifiers, campaign: Campaign) -> None:
    assert campaign.vote_open()
    with pytest.raises(SealRefused) as refused:
        do_seal_campaign(None, campaign)

    assert "le scellement se fait avant l'ouverture" in str(refused.value.message)
    assert not CampaignSeal.objects.exists()


def test_sealing_after_the_close_is_refused(elections: Identifiers, campaign: Campaign) -> None:
    later = campaign.vote_closes_at + timedelta(seconds=1)
    with mock.patch.object(clock, "now", return_value=later), pytest.raises(SealRefused):
        do_seal_campaign(None, campaign)
    assert not CampaignSeal.objects.exists()


def test_a_scrutin_with_lists_but_no_sealed_election_is_refused(
    elections: Identifiers, campaign: Campaign, csa_national: Scrutin
) -> None:
    ScrutinElection.objects.filter(scrutin=csa_national).update(sealed_at=None)
    with eve(campaign), pytest.raises(SealRefused) as refused:
        do_seal_campaign(None, campaign)

    assert "csa-men" in str(refused.value.message)
    assert not CampaignSeal.objects.exists()


def test_a_box_that_is_not_empty_is_refused(
    elections: Identifiers, campaign: Campaign, csa_national: Scrutin, elector_bob: Elector
) -> None:
    election = ScrutinElection.objects.get(scrutin=csa_national)
    Emargement.objects.create(election=election, elector=elector_bob, voted_at=clock.now())
    with eve(campaign), pytest.raises(SealRefused) as refused:
        do_seal_campaign(None, campaign)

    assert "l'urne ou l'émargement n'est pas vide (csa-men)" in str(refused.value.message)
    assert not CampaignSeal.objects.exists()


def test_a_seal_is_never_changed_nor_deleted(sealed: CampaignSeal) -> None:
    sealed.fingerprint = "0" * 64
    with pytest.raises(AppendOnly):
        sealed.save()
    with pytest.raises(AppendOnly):
        sealed.delete()
    assert CampaignSeal.objects.get().fingerprint != "0" * 64
