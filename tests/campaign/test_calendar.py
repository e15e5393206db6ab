"""The campaign's calendar: its dates come in the order the texts give, and its gates are asked
of the campaign, the same in memory and in the database."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from tests.conftest import CALENDAR_2014, PASSWORD, make_campaign, paris
from urne.accounts.models import User
from urne.campaign.models import Campaign

# Each pair of consecutive dates, the later one moved just before the earlier, and what staff
# read then. The corrections must close strictly before the vote opens, and the vote must last.
OUT_OF_ORDER = [
    pytest.param(
        "rolls_published_at",
        paris(2014, 9, 21),
        "La publication des listes électorales ne peut pas précéder l'ouverture de la création "
        "des comptes.",
        id="rolls before accounts",
    ),
    pytest.param(
        "candidacies_published_at",
        paris(2014, 10, 14),
        "La publication des candidatures ne peut pas précéder la publication des listes "
        "électorales.",
        id="candidacies before rolls",
    ),
    pytest.param(
        "identifiers_available_at",
        paris(2014, 10, 27),
        "La mise à disposition des identifiants de vote ne peut pas précéder la publication des "
        "candidatures.",
        id="identifiers before candidacies",
    ),
    pytest.param(
        "corrections_deadline",
        paris(2014, 11, 11),
        "La fin des demandes de mise à jour du profil ne peut pas précéder la mise à "
        "disposition des identifiants de vote.",
        id="corrections before identifiers",
    ),
    pytest.param(
        "corrections_deadline",
        paris(2014, 11, 27, 10),
        "L'ouverture du vote doit venir après la fin des demandes de mise à jour du profil.",
        id="corrections until the vote opens",
    ),
    pytest.param(
        "vote_closes_at",
        paris(2014, 11, 27, 9),
        "La clôture du vote doit venir après l'ouverture du vote.",
        id="vote closes before it opens",
    ),
    pytest.param(
        "vote_closes_at",
        paris(2014, 11, 27, 10),
        "La clôture du vote doit venir après l'ouverture du vote.",
        id="vote closes as it opens",
    ),
]


@pytest.fixture
def campaign_2014(db: None) -> Campaign:
    return make_campaign(**CALENDAR_2014)


def test_the_seeds_calendar_is_in_order(campaign_2014: Campaign) -> None:
    campaign_2014.full_clean()


def test_steps_may_share_a_date(campaign_2014: Campaign) -> None:
    """Accounts and rolls online the same day, as in 2014 (« comptes / listes 22 sept. »)."""
    campaign_2014.rolls_published_at = campaign_2014.accounts_open_at

    campaign_2014.full_clean()


@pytest.mark.parametrize(("field", "moment", "message"), OUT_OF_ORDER)
def test_it_refuses_a_calendar_out_of_order_naming_both_dates(
    campaign_2014: Campaign, field: str, moment: datetime, message: str
) -> None:
    setattr(campaign_2014, field, moment)

    with pytest.raises(ValidationError) as refused:
        campaign_2014.full_clean()

    assert refused.value.messages == [message]


@pytest.mark.parametrize(("field", "moment", "message"), OUT_OF_ORDER)
def test_the_database_refuses_a_calendar_out_of_order(
    campaign_2014: Campaign, field: str, moment: datetime, message: str
) -> None:
    """What bypasses validation (update(), a script) meets the database's constraints."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign_2014.pk).update(**{field: moment})

    campaign_2014.refresh_from_db()
    assert getattr(campaign_2014, field) == CALENDAR_2014[field]


def admin_form(campaign: Campaign, **changes: datetime) -> dict[str, Any]:
    """The campaign's change form as the back office posts it (dates split in date and time)."""
    data: dict[str, Any] = {
        "name": campaign.name,
        "year": campaign.year,
        "organizer": campaign.organizer,
        "faq_url": "",
        "academies-TOTAL_FORMS": "0",
        "academies-INITIAL_FORMS": "0",
    }
    for field in CALENDAR_2014:
        moment = changes.get(field, getattr(campaign, field)).astimezone(paris(2014, 1, 1).tzinfo)
        data[f"{field}_0"] = f"{moment:%d/%m/%Y}"
        data[f"{field}_1"] = f"{moment:%H:%M:%S}"
    return data


def test_the_back_office_refuses_a_vote_closing_before_it_opens(
    client: Client, campaign_2014: Campaign
) -> None:
    client.force_login(User.objects.create_superuser("gestion@urne.example", PASSWORD))
    url = f"/gestion/campaign/campaign/{campaign_2014.pk}/change/"

    response = client.post(url, admin_form(campaign_2014, vote_closes_at=paris(2014, 11, 26)))

    assert response.status_code == 200
    assert "La clôture du vote doit venir après l&#x27;ouverture du vote." in (
        response.content.decode()
    )
    campaign_2014.refresh_from_db()
    assert campaign_2014.vote_closes_at == CALENDAR_2014["vote_closes_at"]


def test_the_back_office_saves_a_calendar_in_order(client: Client, campaign_2014: Campaign) -> None:
    client.force_login(User.objects.create_superuser("gestion@urne.example", PASSWORD))
    url = f"/gestion/campaign/campaign/{campaign_2014.pk}/change/"

    response = client.post(url, admin_form(campaign_2014, vote_closes_at=paris(2014, 12, 3, 17)))

    assert response.status_code == 302
    campaign_2014.refresh_from_db()
    assert campaign_2014.vote_closes_at == paris(2014, 12, 3, 17)


# The gates: one rule each, the campaign's answer and the database's the same.


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (paris(2014, 9, 22, 8, 59), False),
        (paris(2014, 9, 22, 9), True),
        (paris(2014, 11, 27, 10), True),
        (paris(2014, 12, 4, 16, 59), True),
        (paris(2014, 12, 4, 17), False),
    ],
)
def test_accounts_open_from_their_opening_until_the_vote_closes(
    campaign_2014: Campaign, moment: datetime, is_open: bool
) -> None:
    assert campaign_2014.accounts_open(moment) is is_open
    assert list(Campaign.objects.accounts_open(moment)) == ([campaign_2014] if is_open else [])


def test_the_soonest_campaign_to_open_accounts_comes_first(campaign_2014: Campaign) -> None:
    later = make_campaign(
        name="Élections 2018",
        year=2018,
        **{field: moment + timedelta(days=4 * 365) for field, moment in CALENDAR_2014.items()},
    )
    moment = paris(2014, 9, 1)

    assert list(Campaign.objects.accounts_not_yet_open(moment)) == [campaign_2014, later]
    assert campaign_2014.accounts_not_yet_open(moment)
    assert not campaign_2014.accounts_not_yet_open(paris(2014, 12, 5))


def test_profile_corrections_close_at_the_deadline_itself(campaign_2014: Campaign) -> None:
    assert campaign_2014.corrections_open(paris(2014, 11, 14, 23, 59, 59))
    assert not campaign_2014.corrections_open(paris(2014, 11, 15))
