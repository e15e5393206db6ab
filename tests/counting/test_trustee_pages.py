"""What the pages give the in-browser steps: the count's page embeds the public data of the
partial decryption only for who may upload and only while partial decryptions are taken; the
member's page offers the browser steps for the pending step, and never a key."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.backoffice.personas import organizer
from tests.counting.bureau_scene import compose, open_ceremony
from tests.counting.conftest import Bureau, run_vote
from tests.counting.test_count import CHOICES, close_and_tally
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign, Scrutin
from urne.counting import closing
from urne.crypto.jsonio import dumps
from urne.voting.apps import BUREAU_GROUP, COUNTING_OPERATORS_GROUP

__all__ = ["organizer"]

pytestmark = pytest.mark.django_db

Travel = Callable[[datetime], None]


def embedded(html: str, element_id: str) -> object:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    return None if found is None else json.loads(found.group(1))


def test_the_count_page_embeds_the_public_data_for_the_bureau_only_before_the_result(
    csa_national: Scrutin,
    dijon: Academy,
    threshold_bureau: Bureau,
    staff_organizer: User,
    travel: Travel,
) -> None:
    election = close_and_tally(run_vote(csa_national, dijon, threshold_bureau, CHOICES), travel)
    url = reverse("tally:detail", args=[election.pk])
    operator = Client()
    operator_user = User.objects.create_user(
        "operateur@education.gouv.fr", "x", is_staff=True, is_active=True
    )
    operator_user.groups.add(Group.objects.get(name=COUNTING_OPERATORS_GROUP))
    operator.force_login(operator_user)
    page = operator.get(url).content.decode()
    assert embedded(page, "trustee-data") is None
    assert "Calculer mon déchiffrement partiel" not in page

    staff_organizer.groups.add(Group.objects.get(name=BUREAU_GROUP))
    member = Client()
    member.force_login(staff_organizer)
    page = member.get(url).content.decode()
    tally = closing.encrypted_tally(election)
    assert tally is not None
    assert embedded(page, "trustee-data") == {
        "election": election.election,
        "trustees": election.trustees,
        "tally": dumps(tally.to_json()),
    }
    texts = embedded(page, "trustee-texts")
    assert isinstance(texts, dict) and "{owner}" in texts["done"]
    assert "Calculer mon déchiffrement partiel" in page
    assert 'src="/static/urne/counting/decrypt-page.js"' in page
    assert "<script>" not in page  # no inline script: the CSP holds


def test_the_member_page_offers_the_browser_step_of_the_pending_step(
    organizer: User, campaign: Campaign, csa_national: Scrutin, tmp_path: Path
) -> None:
    client = Client()
    scene = compose(client, organizer, campaign, [csa_national], tmp_path)
    client.force_login(scene.holders["paul"].user)
    url = reverse("bureau:member", args=[scene.bureau.pk])
    assert "Créer ma clé dans ce navigateur" not in client.get(url).content.decode()
    open_ceremony(client, organizer, scene)
    client.force_login(scene.holders["paul"].user)
    page = client.get(url).content.decode()
    assert "Créer ma clé dans ce navigateur" in page
    assert 'data-step="cert"' in page
    texts = embedded(page, "keys-texts")
    assert isinstance(texts, dict) and "{trustee}" in texts["bad-value"]
    assert "<script>" not in page
