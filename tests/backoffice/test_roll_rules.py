"""Membership rules: "add to scrutin X every elector of corps Y (in academy Z)", previewed then
applied, idempotent, audited, written to the rolls' history, refused when it matches nobody or
once the vote has opened."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_campaign, make_elector, reschedule
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.backoffice.access import OutOfScope
from urne.campaign.models import Academy, Campaign, Elector, RollChange, RollEntry, Scrutin
from urne.campaign.services import RollsFrozen
from urne.campaign.setup import RollRule, RuleRefused, do_apply_roll_rule, preview_roll_rule
from urne.voting.models import ScrutinElection
from urne.voting.setup import SetupRefused

PE = "Professeur des écoles"
CERTIFIE = "Professeur certifié"


@pytest.fixture
def campaign(db: None) -> Campaign:
    """Rolls published, the vote in ten days."""
    now = timezone.now()
    return make_campaign(
        corrections_deadline=now + timedelta(days=5),
        vote_opens_at=now + timedelta(days=10),
        vote_closes_at=now + timedelta(days=17),
    )


@pytest.fixture
def electors(campaign: Campaign, dijon: Academy, lyon: Academy) -> dict[str, Elector]:
    return {
        "anne": make_elector(campaign, dijon, "Anne", "Moreau", corps=PE),
        "paul": make_elector(campaign, dijon, "Paul", "Lambert", corps=PE),
        "zoe": make_elector(campaign, lyon, "Zoé", "Garnier", corps=PE),
        "marc": make_elector(campaign, dijon, "Marc", "Dupuis", corps=CERTIFIE),
    }


def on_roll(scrutin: Scrutin) -> set[str]:
    return set(
        RollEntry.objects.filter(scrutin=scrutin).values_list("elector__first_name", flat=True)
    )


def test_a_rule_adds_every_elector_of_the_corps_once(
    organizer: User, csa_national: Scrutin, electors: dict[str, Elector]
) -> None:
    RollEntry.objects.create(scrutin=csa_national, elector=electors["anne"])
    rule = RollRule(scrutin=csa_national, corps=PE)

    assert preview_roll_rule(rule).to_add == 2
    first = do_apply_roll_rule(organizer, rule)
    second = do_apply_roll_rule(organizer, rule)

    assert (first.matching, first.already, first.to_add) == (3, 1, 2)
    assert (second.matching, second.already, second.to_add) == (3, 3, 0)
    assert on_roll(csa_national) == {"Anne", "Paul", "Zoé"}


def test_a_rule_can_keep_to_one_academy(
    organizer: User, csa_national: Scrutin, electors: dict[str, Elector], lyon: Academy
) -> None:
    do_apply_roll_rule(organizer, RollRule(scrutin=csa_national, corps=PE, academy=lyon))

    assert on_roll(csa_national) == {"Zoé"}


def test_an_academys_scrutin_only_ever_takes_its_academys_electors(
    organizer: User, capa_dijon: Scrutin, electors: dict[str, Elector], lyon: Academy
) -> None:
    do_apply_roll_rule(organizer, RollRule(scrutin=capa_dijon, corps=PE))

    assert on_roll(capa_dijon) == {"Anne", "Paul"}
    with pytest.raises(RuleRefused, match="ne concerne que l'académie de Dijon"):
        do_apply_roll_rule(organizer, RollRule(scrutin=capa_dijon, corps=PE, academy=lyon))


def test_a_rule_matching_nobody_is_refused_and_adds_nothing(
    organizer: User, csa_national: Scrutin, electors: dict[str, Elector], lyon: Academy
) -> None:
    with pytest.raises(RuleRefused, match="Aucun électeur ne correspond à cette règle"):
        do_apply_roll_rule(organizer, RollRule(scrutin=csa_national, corps=CERTIFIE, academy=lyon))

    assert on_roll(csa_national) == set()
    assert not AuditEntry.objects.exists()


def test_it_is_audited_and_written_to_the_rolls_history(
    organizer: User, csa_national: Scrutin, electors: dict[str, Elector]
) -> None:
    do_apply_roll_rule(organizer, RollRule(scrutin=csa_national, corps=PE), reason="Arrêté du 3")

    entry = AuditEntry.objects.get(action="roll.rule_apply")
    assert entry.object_id == str(csa_national.pk)
    assert entry.details == {"corps": PE, "rule_academy": "", "matching": 3, "added": 3}
    changes = RollChange.objects.filter(scrutin=csa_national, kind=RollChange.Kind.ADDED)
    assert {change.reason for change in changes} == {"Arrêté du 3"}
    assert changes.count() == 3


def test_it_is_refused_once_the_vote_has_opened(
    organizer: User, campaign: Campaign, csa_national: Scrutin, electors: dict[str, Elector]
) -> None:
    reschedule(campaign, vote_opens_at=timezone.now() - timedelta(minutes=1))
    csa_national.refresh_from_db()

    with pytest.raises(RollsFrozen):
        do_apply_roll_rule(organizer, RollRule(scrutin=csa_national, corps=PE))
    assert on_roll(csa_national) == set()


def test_it_is_refused_for_a_sealed_scrutin(
    organizer: User, csa_national: Scrutin, electors: dict[str, Elector]
) -> None:
    ScrutinElection.objects.create(
        scrutin=csa_national, uuid="abcdefghijklmn", sealed_at=timezone.now()
    )

    with pytest.raises(SetupRefused):
        do_apply_roll_rule(organizer, RollRule(scrutin=csa_national, corps=PE))
    assert on_roll(csa_national) == set()


def test_academy_staff_cannot_apply_a_rule_to_a_national_scrutin(
    organizer_dijon: User, csa_national: Scrutin, electors: dict[str, Elector]
) -> None:
    with pytest.raises(OutOfScope):
        do_apply_roll_rule(organizer_dijon, RollRule(scrutin=csa_national, corps=PE))


# --- The page -------------------------------------------------------------------------------------


def rule_url(scrutin: Scrutin) -> str:
    return reverse("campaign_gestion:roll_rule", args=[scrutin.campaign_id, scrutin.pk])


def post(client: Client, scrutin: Scrutin, button: str, **data: Any) -> Any:
    return client.post(rule_url(scrutin), {"corps": PE, "academy": "", button: "1", **data})


def test_the_page_shows_the_effect_before_applying_it(
    client: Client, organizer: User, csa_national: Scrutin, electors: dict[str, Elector]
) -> None:
    client.force_login(organizer)

    preview = post(client, csa_national, "preview").content.decode()
    assert on_roll(csa_national) == set()
    applied = post(client, csa_national, "apply")
    again = post(client, csa_national, "apply")

    assert "3 électeurs correspondent à la règle" in preview
    assert "3 seront inscrits" in preview
    assert 'name="apply"' in preview
    assert applied.status_code == 302 and again.status_code == 302
    assert on_roll(csa_national) == {"Anne", "Paul", "Zoé"}
    messages = client.get(rule_url(csa_national)).content.decode()
    assert "0 électeur(s) inscrit(s) sur la liste ; 3 l&#x27;étai(en)t déjà." in messages


def test_the_page_says_when_a_rule_matches_nobody(
    client: Client,
    organizer: User,
    csa_national: Scrutin,
    electors: dict[str, Elector],
    lyon: Academy,
) -> None:
    client.force_login(organizer)

    response = post(client, csa_national, "apply", corps=CERTIFIE, academy=lyon.pk)

    assert response.status_code == 200
    assert "Aucun électeur ne correspond à cette règle : rien n&#x27;a été ajouté." in (
        response.content.decode()
    )
    assert on_roll(csa_national) == set()


def test_a_corps_nobody_has_is_not_offered(
    client: Client, organizer: User, csa_national: Scrutin, electors: dict[str, Elector]
) -> None:
    client.force_login(organizer)

    response = post(client, csa_national, "apply", corps="Inspecteur")

    assert response.status_code == 200
    assert 'href="#id_corps"' in response.content.decode()
    assert on_roll(csa_national) == set()


def test_a_forged_post_of_academy_staff_is_answered_as_if_nothing_were_there(
    client: Client, organizer_dijon: User, capa_dijon: Scrutin, electors: dict[str, Elector]
) -> None:
    client.force_login(organizer_dijon)

    assert post(client, capa_dijon, "apply").status_code == 404
    assert on_roll(capa_dijon) == set()
