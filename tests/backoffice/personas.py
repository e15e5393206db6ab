"""The back office's roles as personas, for the setup, rolls and audit log pages' tests.

- organizer: « Organisateurs » over the whole campaign (staff_organizer);
- observer: « Observateurs » over the whole campaign;
- staff_dijon with the observers' reading rights, over Dijon only (academy staff);
- organizer_dijon: « Organisateurs » but over Dijon only: a role never widens a perimeter.
Import the fixtures by name: `from tests.backoffice.personas import organizer  # noqa: F401`.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from tests.conftest import PASSWORD, make_elector
from urne.accounts.models import User
from urne.backoffice.models import StaffScope
from urne.campaign.apps import ORGANIZERS_GROUP
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin
from urne.voting.turnout import OBSERVERS_GROUP


def join(user: User, group: str) -> User:
    user.groups.add(Group.objects.get(name=group))
    return User.objects.get(pk=user.pk)  # permissions are cached on the object


@pytest.fixture
def organizer(staff_organizer: User) -> User:
    return join(staff_organizer, ORGANIZERS_GROUP)


@pytest.fixture
def observer(campaign: Campaign) -> User:
    user = User.objects.create_user(
        "observateur@education.gouv.fr", PASSWORD, is_staff=True, is_active=True
    )
    StaffScope.objects.create(user=user, campaign=campaign)
    return join(user, OBSERVERS_GROUP)


@pytest.fixture
def reader_dijon(staff_dijon: User) -> User:
    """Academy staff of Dijon, reading rolls (the observers' rights) within their academy."""
    return join(staff_dijon, OBSERVERS_GROUP)


@pytest.fixture
def organizer_dijon(dijon: Academy) -> User:
    user = User.objects.create_user(
        "organisation@ac-dijon.fr", PASSWORD, is_staff=True, is_active=True
    )
    StaffScope.objects.create(user=user, academy=dijon)
    return join(user, ORGANIZERS_GROUP)


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
def national_roll(
    campaign: Campaign, dijon: Academy, lyon: Academy, csa_national: Scrutin, capa_lyon: Scrutin
) -> dict[str, Elector]:
    """The national CSA's roll: two electors of Dijon, two of Lyon (one also on Lyon's CAPA)."""
    electors = {
        "claire": make_elector(campaign, dijon, "Claire", "Bernard", civilite="MME"),
        "hugo": make_elector(
            campaign, dijon, "Hugo", "Petit", corps="Professeur des écoles", establishment="=1+1"
        ),
        "karim": make_elector(campaign, lyon, "Karim", "Haddad"),
        "lea": make_elector(
            campaign, lyon, "Léa", "Roux", civilite="MME", establishment="@SUM(A1)"
        ),
    }
    for elector in electors.values():
        RollEntry.objects.create(scrutin=csa_national, elector=elector)
    RollEntry.objects.create(scrutin=capa_lyon, elector=electors["karim"])
    return electors
