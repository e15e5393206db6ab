"""`urne bureau_rehearsal`: every member's steps played in one place, through the real verbs."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.conftest import reschedule
from tests.counting.bureau_scene import GROUP, make_staff
from urne.campaign.models import Campaign, Scrutin
from urne.candidacies.models import Union
from urne.counting import ceremony
from urne.counting.models import Bureau, KeyFragment
from urne.crypto import pedersen
from urne.crypto.jsonio import loads
from urne.crypto.trustees import PedersenTrustees, read_trustees
from urne.voting import setup
from urne.voting.models import ScrutinElection

pytestmark = pytest.mark.django_db


def test_a_rehearsal_plays_every_step_and_keeps_each_members_keys(
    campaign: Campaign, csa_national: Scrutin, tmp_path: Path
) -> None:
    reschedule(campaign, vote_opens_at=timezone.now() + timedelta(days=3))
    setup.do_prepare_elections(campaign)
    bureau = ceremony.do_create_bureau(None, campaign, "Répétition")
    ceremony.do_add_scrutin(None, bureau, csa_national)
    ceremony.do_add_member(None, bureau, make_staff("p@education.gouv.fr"), "president", None)
    ceremony.do_add_member(None, bureau, make_staff("s@education.gouv.fr"), "secretary", None)
    for acronym in ("FSU", "UNSA"):
        union = Union.objects.create(campaign=campaign, acronym=acronym, name=acronym)
        user = make_staff(f"{acronym.lower()}@education.gouv.fr")
        ceremony.do_add_member(None, bureau, user, "delegate", union)

    call_command("bureau_rehearsal", "--campaign", str(campaign.pk), "--bureau", "Répétition",
                 "--keys", str(tmp_path))  # fmt: skip

    bureau.refresh_from_db()
    assert bureau.step == Bureau.Step.COMPLETE
    assert ScrutinElection.objects.get(scrutin=csa_national).trustees == bureau.trustees
    trustees = read_trustees(GROUP, loads(bureau.trustees))
    for fragment in KeyFragment.objects.select_related("member__user"):
        place = tmp_path / fragment.member.user.email
        key = place / f"{fragment.cert_name}.key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        parameters = trustees[0 if fragment.group == "presidency" else 1]
        assert isinstance(parameters, PedersenTrustees)
        sealed = loads((place / f"{fragment.cert_name}.voutput").read_text())["private_key"]
        keys = pedersen.derive_keys(GROUP, key.read_text())
        position, _share = pedersen.read_decryption_key(GROUP, keys, parameters, sealed)
        assert position == fragment.position
    with pytest.raises(CommandError, match="Aucun bureau"):
        call_command("bureau_rehearsal", "--campaign", str(campaign.pk), "--bureau", "Autre",
                     "--keys", str(tmp_path))  # fmt: skip


def test_the_members_role_holds_the_bureau_page_and_the_seal_s_reading_only(db: None) -> None:
    from django.contrib.auth.models import Group

    from urne.counting.apps import MEMBERS_GROUP

    group = Group.objects.get(name=MEMBERS_GROUP)
    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert held == {"counting.view_bureau", "sealing.view_campaignseal"}
