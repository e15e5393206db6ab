"""Personas and rolls of the mailing tests.

The campaign's vote is open (tests.conftest.make_campaign). Dijon has Bob (confirmed account, on
the national CSA and Dijon's CAPA), Alice (no account), Denis (an account never confirmed); Lyon
has Charlie (confirmed account) and Emma (no account), both on the national CSA. The staff of
Dijon and the organizer hold the mailings' permission through the group made after migrate.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tests.accounts.conftest import _cheap_argon2
from tests.conftest import make_account, make_elector
from tests.voting.conftest import seal_scrutins, trustees_text
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin
from urne.mailings.services import SENDERS_GROUP

__all__ = ["_cheap_argon2", "seal_scrutins", "trustees_text"]


def sender(user: User) -> User:
    """`user` in the group « Envois aux électeurs » (fresh from the database: no cached perms)."""
    user.groups.add(Group.objects.get(name=SENDERS_GROUP))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def roll(
    campaign: Campaign,
    dijon: Academy,
    lyon: Academy,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    voter_bob: User,
    outsider_charlie: User,
) -> dict[str, Elector]:
    alice = make_elector(campaign, dijon, "Alice", "Bernard", civilite="MME")
    denis = make_elector(campaign, dijon, "Denis", "Petit")
    make_account(denis, confirmed=False)
    emma = make_elector(campaign, lyon, "Emma", "Roux", civilite="MME")
    bob = voter_bob.elector
    charlie = outsider_charlie.elector
    assert bob is not None and charlie is not None
    for elector in (alice, denis, emma, charlie):
        RollEntry.objects.create(scrutin=csa_national, elector=elector)
    RollEntry.objects.create(scrutin=capa_dijon, elector=alice)
    return {"bob": bob, "alice": alice, "denis": denis, "charlie": charlie, "emma": emma}


@pytest.fixture
def capa_lyon(campaign: Campaign, lyon: Academy) -> Scrutin:
    return Scrutin.objects.create(
        campaign=campaign,
        code="capa-certifies-lyon",
        name="CAPA des professeurs certifiés de Lyon",
        level=Scrutin.Level.ACADEMIC,
        kind=Scrutin.Kind.CAP,
        academy=lyon,
        seats=8,
    )


@pytest.fixture
def sender_dijon(staff_dijon: User) -> User:
    return sender(staff_dijon)


@pytest.fixture
def sender_organizer(staff_organizer: User) -> User:
    return sender(staff_organizer)
