"""Campaign setup in the back office (/gestion/campagne/): organizers set the calendar, the
academies and the scrutins; nobody else does, and nothing changes once the vote has opened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PARIS, make_campaign, reschedule
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.campaign.models import Academy, Campaign, Scrutin
from urne.campaign.setup import CALENDAR_FIELDS
from urne.voting.models import ScrutinElection


@pytest.fixture
def campaign(db: None) -> Campaign:
    """Before the vote: rolls published, corrections open, the vote in ten days."""
    now = timezone.now()
    return make_campaign(
        corrections_deadline=now + timedelta(days=5),
        vote_opens_at=now + timedelta(days=10),
        vote_closes_at=now + timedelta(days=17),
    )


def url(name: str, *args: Any) -> str:
    return reverse(f"campaign_gestion:{name}", args=args)


def calendar_data(campaign: Campaign, **changes: datetime) -> dict[str, str]:
    """The calendar form as the browser posts it (datetime-local, Paris time)."""
    return {
        name: f"{changes.get(name, getattr(campaign, name)).astimezone(PARIS):%Y-%m-%dT%H:%M:%S}"
        for name in CALENDAR_FIELDS
    }


def text(response: Any) -> str:
    return str(response.content.decode())


# --- Who gets in ----------------------------------------------------------------------------------


def test_an_organizer_sees_the_campaign_and_its_setup(
    client: Client, organizer: User, campaign: Campaign, dijon: Academy, csa_national: Scrutin
) -> None:
    client.force_login(organizer)

    index = text(client.get(url("campaigns")))
    page = text(client.get(url("campaign", campaign.pk)))

    assert url("campaign", campaign.pk) in index
    assert "Dijon" in page and escape(csa_national.name) in page
    assert url("calendar", campaign.pk) in page
    assert url("roll_rule", campaign.pk, csa_national.pk) in page


def test_the_home_menu_offers_the_setup_to_organizers_only(
    client: Client, organizer: User, observer: User
) -> None:
    client.force_login(organizer)
    assert url("campaigns") in text(client.get(reverse("backoffice:home")))
    client.force_login(observer)
    assert url("campaigns") not in text(client.get(reverse("backoffice:home")))


@pytest.mark.parametrize(
    ("name", "posted"),
    [
        ("campaigns", False),
        ("campaign", False),
        ("calendar", True),
        ("academy_add", True),
        ("scrutin_add", True),
    ],
)
def test_an_observer_is_refused_every_setup_page(
    client: Client, observer: User, campaign: Campaign, name: str, posted: bool
) -> None:
    client.force_login(observer)
    args = [] if name == "campaigns" else [campaign.pk]

    assert client.get(url(name, *args)).status_code == 403
    assert client.post(url(name, *args), {}).status_code == (403 if posted else 405)


def test_an_academys_organizer_does_not_set_up_the_campaign(
    client: Client, organizer_dijon: User, campaign: Campaign, capa_dijon: Scrutin
) -> None:
    """Their role holds the permissions, their perimeter is one academy: the campaign is out
    of their reach, answered as if it did not exist, forged posts included."""
    client.force_login(organizer_dijon)
    before = campaign.vote_closes_at

    assert url("campaign", campaign.pk) not in text(client.get(url("campaigns")))
    assert client.get(url("campaign", campaign.pk)).status_code == 404
    response = client.post(
        url("calendar", campaign.pk),
        calendar_data(campaign, vote_closes_at=before + timedelta(days=1)),
    )
    assert response.status_code == 404
    assert client.post(url("scrutin", campaign.pk, capa_dijon.pk), {"seats": 3}).status_code == 404
    assert client.post(url("roll_rule", campaign.pk, capa_dijon.pk), {}).status_code == 404
    campaign.refresh_from_db()
    assert campaign.vote_closes_at == before


def test_another_campaigns_objects_are_not_reached_through_this_one(
    client: Client, organizer: User, campaign: Campaign
) -> None:
    other = make_campaign(name="Élections 2018", year=2018)
    academy = Academy.objects.create(
        campaign=other,
        code="nice",
        name="Nice",
        mail_domain="ac-nice.fr",
        assistance_email="e@ac-nice.fr",
        assistance_phone="04",
    )
    client.force_login(organizer)

    assert client.get(url("campaign", other.pk)).status_code == 404
    assert client.get(url("academy", campaign.pk, academy.pk)).status_code == 404


# --- The calendar ---------------------------------------------------------------------------------


def test_an_organizer_moves_a_date_and_it_is_audited(
    client: Client, organizer: User, campaign: Campaign
) -> None:
    client.force_login(organizer)
    later = (campaign.vote_closes_at + timedelta(days=1)).replace(microsecond=0)

    response = client.post(
        url("calendar", campaign.pk), calendar_data(campaign, vote_closes_at=later)
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.vote_closes_at == later
    entry = AuditEntry.objects.get(action="campaign.calendar")
    assert entry.actor_id == organizer.pk
    assert entry.campaign_id == campaign.pk
    assert entry.details["changes"][0][0] == "vote_closes_at"
    assert entry.details["changes"][0][2] == later.astimezone(UTC).isoformat()


def test_a_calendar_out_of_order_is_refused_with_its_message_beside_the_date(
    client: Client, organizer: User, campaign: Campaign
) -> None:
    client.force_login(organizer)
    before = campaign.vote_closes_at

    response = client.post(
        url("calendar", campaign.pk),
        calendar_data(campaign, vote_closes_at=campaign.vote_opens_at - timedelta(hours=1)),
    )

    page = text(response)
    assert response.status_code == 200
    message = "La clôture du vote doit venir après l&#x27;ouverture du vote."
    assert f'<a href="#id_vote_closes_at">Clôture du vote</a> : {message}' in page
    field = page[page.index('<div class="field field-error">') :]
    assert field.index(message) < field.index('id="id_vote_closes_at"')
    assert 'aria-describedby="id_vote_closes_at_error"' in field
    assert '<ul class="errorlist" id="id_vote_closes_at_error">' in field
    campaign.refresh_from_db()
    assert campaign.vote_closes_at == before
    assert not AuditEntry.objects.filter(action="campaign.calendar").exists()


def test_a_date_that_is_not_one_is_refused(
    client: Client, organizer: User, campaign: Campaign
) -> None:
    client.force_login(organizer)
    data = calendar_data(campaign)
    data["vote_opens_at"] = "31/02/2026"

    response = client.post(url("calendar", campaign.pk), data)

    assert response.status_code == 200
    assert 'href="#id_vote_opens_at"' in text(response)


def test_nothing_changes_once_the_vote_has_opened(
    client: Client, organizer: User, campaign: Campaign, capa_dijon: Scrutin
) -> None:
    reschedule(campaign, vote_opens_at=timezone.now() - timedelta(minutes=1))
    client.force_login(organizer)
    closes = campaign.vote_closes_at

    page = text(client.get(url("calendar", campaign.pk)))
    refused = client.post(
        url("calendar", campaign.pk),
        calendar_data(campaign, vote_closes_at=closes + timedelta(days=1)),
    )
    scrutin = client.post(
        url("scrutin", campaign.pk, capa_dijon.pk),
        {"name": "x", "code": "x", "kind": "CAP", "level": "academic", "seats": 2},
    )

    assert "le paramétrage de la campagne" in page and "<form" not in page.split("</nav>")[-1]
    assert refused.status_code == 403
    assert "ne peut plus être modifié" in text(refused)
    assert scrutin.status_code == 403
    campaign.refresh_from_db()
    capa_dijon.refresh_from_db()
    assert campaign.vote_closes_at == closes and capa_dijon.code == "capa-certifies-dijon"


# --- Academies and scrutins -----------------------------------------------------------------------


ACADEMY = {
    "name": "Besançon",
    "code": "besancon",
    "mail_domain": "ac-besancon.fr",
    "assistance_email": "elections@ac-besancon.fr",
    "assistance_phone": "03 81 65 47 00",
}


def test_an_organizer_adds_an_academy_and_changes_its_assistance(
    client: Client, organizer: User, campaign: Campaign
) -> None:
    client.force_login(organizer)

    assert client.post(url("academy_add", campaign.pk), ACADEMY).status_code == 302
    academy = Academy.objects.get(campaign=campaign, code="besancon")
    changed = {**ACADEMY, "assistance_phone": "03 81 65 49 99"}
    assert client.post(url("academy", campaign.pk, academy.pk), changed).status_code == 302

    academy.refresh_from_db()
    assert academy.assistance_phone == "03 81 65 49 99"
    actions = list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True))
    assert actions == ["academy.create", "academy.change"]
    change = AuditEntry.objects.get(action="academy.change")
    assert change.details["changes"] == [["assistance_phone", "03 81 65 47 00", "03 81 65 49 99"]]


def test_an_academy_code_is_unique_in_its_campaign(
    client: Client, organizer: User, campaign: Campaign, dijon: Academy
) -> None:
    client.force_login(organizer)

    response = client.post(url("academy_add", campaign.pk), {**ACADEMY, "code": "dijon"})

    assert response.status_code == 200
    assert "existe déjà" in text(response)
    assert Academy.objects.filter(campaign=campaign).count() == 1


def scrutin_data(**changes: Any) -> dict[str, Any]:
    return {
        "name": "CAPD des professeurs des écoles de la Côte-d'Or",
        "code": "capd-21",
        "kind": "CAP",
        "level": "departmental",
        "academy": "",
        "seats": 10,
        "substitute_seats": 10,
        **changes,
    }


def test_an_organizer_adds_a_scrutin_with_its_seats(
    client: Client, organizer: User, campaign: Campaign, dijon: Academy
) -> None:
    client.force_login(organizer)

    response = client.post(url("scrutin_add", campaign.pk), scrutin_data(academy=dijon.pk))

    assert response.status_code == 302
    scrutin = Scrutin.objects.get(code="capd-21")
    assert (scrutin.academy, scrutin.seats, scrutin.substitute_seats) == (dijon, 10, 10)
    assert AuditEntry.objects.get(action="scrutin.create").object_id == str(scrutin.pk)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"seats": -2}, "seats", "Un scrutin a au moins un siège de titulaire."),
        ({"seats": 0}, "seats", "Un scrutin a au moins un siège de titulaire."),
        (
            {"substitute_seats": -1},
            "substitute_seats",
            "Le nombre de sièges de suppléants ne peut pas être négatif.",
        ),
        (
            {"level": "departmental", "academy": ""},
            "academy",
            "Un scrutin académique ou départemental relève d&#x27;une académie : choisissez-la.",
        ),
        (
            {"level": "national", "academy": "DIJON"},
            "academy",
            "Un scrutin national ne relève d&#x27;aucune académie : laissez vide.",
        ),
    ],
)
def test_a_scrutin_with_bad_seats_or_academy_is_refused(
    client: Client,
    organizer: User,
    campaign: Campaign,
    dijon: Academy,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    client.force_login(organizer)
    if changes.get("academy") == "DIJON" or "academy" not in changes:
        changes = {**changes, "academy": dijon.pk}

    response = client.post(url("scrutin_add", campaign.pk), scrutin_data(**changes))

    assert response.status_code == 200
    assert f'href="#id_{field}"' in text(response)
    assert message in text(response)
    assert not Scrutin.objects.filter(code="capd-21").exists()
    assert not AuditEntry.objects.exists()


def test_an_academy_of_another_campaign_cannot_be_posted(
    client: Client, organizer: User, campaign: Campaign
) -> None:
    other = make_campaign(name="Élections 2018", year=2018)
    nice = Academy.objects.create(
        campaign=other,
        code="nice",
        name="Nice",
        mail_domain="ac-nice.fr",
        assistance_email="e@ac-nice.fr",
        assistance_phone="04",
    )
    client.force_login(organizer)

    response = client.post(url("scrutin_add", campaign.pk), scrutin_data(academy=nice.pk))

    assert response.status_code == 200
    assert 'href="#id_academy"' in text(response)
    assert not Scrutin.objects.filter(code="capd-21").exists()


def test_a_sealed_scrutin_no_longer_changes(
    client: Client, organizer: User, campaign: Campaign, capa_dijon: Scrutin, dijon: Academy
) -> None:
    ScrutinElection.objects.create(
        scrutin=capa_dijon, uuid="abcdefghijklmn", sealed_at=timezone.now()
    )
    client.force_login(organizer)

    response = client.post(
        url("scrutin", campaign.pk, capa_dijon.pk),
        scrutin_data(code=capa_dijon.code, level="academic", academy=dijon.pk, seats=3),
    )

    assert response.status_code == 200
    assert "est scellée : elle ne change plus" in text(response)
    capa_dijon.refresh_from_db()
    assert capa_dijon.seats == 8


def test_an_organizer_sets_a_scrutins_seat_rules_until_it_is_sealed(
    client: Client, organizer: User, campaign: Campaign, capa_dijon: Scrutin, dijon: Academy
) -> None:
    client.force_login(organizer)
    page = url("scrutin", campaign.pk, capa_dijon.pk)
    shown = text(client.get(page))
    assert "Sièges qu&#x27;une liste incomplète ne peut pas pourvoir" in shown
    assert '<option value="redistribute" selected>' in shown  # the CAP's default, stored
    data = scrutin_data(code=capa_dijon.code, level="academic", academy=dijon.pk, seats=8)

    done = client.post(page, {**data, "short_list_rule": "draw", "tie_by_candidates": "True"})

    assert done.status_code == 302
    capa_dijon.refresh_from_db()
    assert (capa_dijon.short_list_rule, capa_dijon.tie_by_candidates) == ("draw", True)
    changes = AuditEntry.objects.get(action="scrutin.change").details["changes"]
    assert ["short_list_rule", "redistribute", "draw"] in changes
    assert ["tie_by_candidates", "False", "True"] in changes
    # Back to the kind's defaults.
    client.post(page, {**data, "short_list_rule": "", "tie_by_candidates": ""})
    capa_dijon.refresh_from_db()
    assert (capa_dijon.short_list_rule, capa_dijon.tie_by_candidates) == ("redistribute", False)
    # A value that is no rule.
    refused = client.post(page, {**data, "short_list_rule": "random"})
    assert refused.status_code == 200 and 'href="#id_short_list_rule"' in text(refused)
    # Sealed: no more change.
    ScrutinElection.objects.create(
        scrutin=capa_dijon, uuid="abcdefghijklmn", sealed_at=timezone.now()
    )
    sealed = client.post(page, {**data, "short_list_rule": "draw"})
    assert "est scellée : elle ne change plus" in text(sealed)
    capa_dijon.refresh_from_db()
    assert capa_dijon.short_list_rule == "redistribute"


# --- Seats per grade ------------------------------------------------------------------------------


@pytest.fixture
def cap_roll(campaign: Campaign, dijon: Academy, capa_dijon: Scrutin) -> Scrutin:
    """The CAPA of Dijon with electors of two grades on its roll."""
    from tests.conftest import make_elector
    from urne.campaign.models import RollEntry

    for index, grade in enumerate(["Classe normale", "Classe normale", "Hors classe"]):
        elector = make_elector(campaign, dijon, f"Agent{index}", "Durand", grade=grade)
        RollEntry.objects.create(scrutin=capa_dijon, elector=elector)
    return capa_dijon


def test_an_organizer_sets_the_seats_of_a_grade_and_removes_them(
    client: Client, organizer: User, campaign: Campaign, cap_roll: Scrutin
) -> None:
    from urne.campaign.models import ScrutinGrade

    client.force_login(organizer)
    page = url("grade_seats", campaign.pk, cap_roll.pk)
    offered = text(client.get(page))
    assert '<option value="Hors classe">' in offered and "Aucun siège fixé par grade" in offered

    set_once = client.post(page, {"grade": "Hors classe", "seats": 2, "substitute_seats": 2})
    set_again = client.post(page, {"grade": "Hors classe", "seats": 3, "substitute_seats": 1})

    assert set_once.status_code == set_again.status_code == 302
    row = ScrutinGrade.objects.get(scrutin=cap_roll)
    assert (row.grade, row.seats, row.substitute_seats) == ("Hors classe", 3, 1)
    assert AuditEntry.objects.filter(action="scrutin.grade_seats").count() == 2

    assert client.post(page, {"remove": row.pk}).status_code == 302
    assert not ScrutinGrade.objects.exists()
    assert AuditEntry.objects.filter(action="scrutin.grade_seats_remove").count() == 1


def test_seats_of_a_grade_off_the_roll_or_none_are_refused(
    client: Client, organizer: User, campaign: Campaign, cap_roll: Scrutin
) -> None:
    from urne.campaign.models import ScrutinGrade

    client.force_login(organizer)
    page = url("grade_seats", campaign.pk, cap_roll.pk)

    unknown = client.post(
        page, {"grade": "Classe exceptionnelle", "seats": 1, "substitute_seats": 1}
    )
    none = client.post(page, {"grade": "Hors classe", "seats": 0, "substitute_seats": 0})

    assert unknown.status_code == none.status_code == 400
    assert "Un grade représenté a au moins un siège." in text(none)
    assert not ScrutinGrade.objects.exists()


def test_only_organizers_set_seats_per_grade_and_not_once_the_vote_has_opened(
    client: Client, observer: User, organizer: User, campaign: Campaign, cap_roll: Scrutin
) -> None:
    from urne.campaign.models import ScrutinGrade

    page = url("grade_seats", campaign.pk, cap_roll.pk)
    client.force_login(observer)
    assert (
        client.post(page, {"grade": "Hors classe", "seats": 1, "substitute_seats": 1}).status_code
        == 403
    )

    reschedule(campaign, vote_opens_at=timezone.now() - timedelta(minutes=1))
    client.force_login(organizer)
    locked = client.post(page, {"grade": "Hors classe", "seats": 1, "substitute_seats": 1})

    assert locked.status_code == 403
    assert not ScrutinGrade.objects.exists()
