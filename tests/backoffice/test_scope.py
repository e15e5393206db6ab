"""Staff reach only their perimeter: the staff of Dijon never see, change, delete or answer what
belongs to Lyon, whatever address they type; the organizer reaches the whole campaign; staff with
no perimeter reach nothing; superusers everything."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.backoffice.scoped_admin_urls import SCOPED_ADMIN_URLS
from tests.campaign.conftest import text
from tests.conftest import PASSWORD, make_academy, make_campaign, make_elector, reschedule
from urne.accounts.models import User
from urne.backoffice import access
from urne.backoffice.models import StaffScope
from urne.campaign.models import (
    Academy,
    Campaign,
    Elector,
    ProfileCorrectionRequest,
    RollEntry,
    Scrutin,
)
from urne.candidacies.models import CandidateList
from urne.web.errors import NotFound

# Staff who are not superusers are refused by the admin (issue 8); these tests exercise the
# access layer through the admin's own pages, mounted with their former gate
# (tests/backoffice/scoped_admin_urls.py).
pytestmark = pytest.mark.urls(SCOPED_ADMIN_URLS)

ALL_RIGHTS = [
    f"{verb}_{model}"
    for verb in ("view", "change", "delete")
    for model in ("elector", "rollentry", "scrutin", "profilecorrectionrequest", "user")
] + ["add_elector", "add_rollentry", "view_academy", "view_campaign", "view_candidatelist"]


def grant_all(user: User) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=ALL_RIGHTS))


@pytest.fixture
def charlie(outsider_charlie: User) -> Elector:
    elector = outsider_charlie.elector
    assert elector is not None
    return elector


@pytest.fixture
def capa_lyon(campaign: Campaign, lyon: Academy, charlie: Elector) -> Scrutin:
    scrutin = Scrutin.objects.create(
        campaign=campaign,
        code="capa-certifies-lyon",
        name="CAPA des professeurs certifiés de Lyon",
        level=Scrutin.Level.ACADEMIC,
        kind=Scrutin.Kind.CAP,
        academy=lyon,
        seats=8,
    )
    RollEntry.objects.create(scrutin=scrutin, elector=charlie)
    return scrutin


@pytest.fixture
def request_of_charlie(charlie: Elector) -> ProfileCorrectionRequest:
    return ProfileCorrectionRequest.objects.create(
        elector=charlie, field="grade", correction="Hors classe", created_at=timezone.now()
    )


@pytest.fixture
def dijon_staff(client: Client, staff_dijon: User) -> Client:
    """The staff of Dijon, with every right on electors, rolls and requests: only the perimeter
    holds them back."""
    grant_all(staff_dijon)
    client.force_login(staff_dijon)
    return client


def page_of(client: Client, url: str) -> str:
    return text(client.get(url, follow=True))


# What the staff of Dijon see


def test_the_electors_list_holds_only_dijon(
    dijon_staff: Client, elector_bob: Elector, charlie: Elector
) -> None:
    page = page_of(dijon_staff, reverse("admin:campaign_elector_changelist"))

    assert elector_bob.email in page
    assert charlie.email not in page


def test_the_search_does_not_find_an_elector_of_lyon(
    dijon_staff: Client, elector_bob: Elector, charlie: Elector
) -> None:
    page = page_of(dijon_staff, reverse("admin:campaign_elector_changelist") + "?q=Durand")

    assert charlie.email not in page
    assert "0 résultat" in page


def test_a_direct_address_to_an_elector_of_lyon_shows_nothing_of_them(
    dijon_staff: Client, charlie: Elector
) -> None:
    for name in ("change", "delete", "history"):
        url = reverse(f"admin:campaign_elector_{name}", args=[charlie.pk])
        response = dijon_staff.get(url, follow=True)

        assert response.redirect_chain == [("/gestion/", 302)], name
        assert charlie.email not in text(response)
        assert "n’existe pas" in text(response)  # as for a row that does not exist


def test_an_elector_of_lyon_cannot_be_changed_or_deleted_by_address(
    dijon_staff: Client, charlie: Elector
) -> None:
    dijon_staff.post(
        reverse("admin:campaign_elector_change", args=[charlie.pk]),
        {"last_name": "Dupont", "campaign": charlie.campaign_id, "academy": charlie.academy_id},
    )
    dijon_staff.post(reverse("admin:campaign_elector_delete", args=[charlie.pk]), {"post": "yes"})

    charlie.refresh_from_db()
    assert charlie.last_name == "Durand"


def test_the_delete_action_skips_an_elector_of_lyon(
    dijon_staff: Client, elector_bob: Elector, charlie: Elector
) -> None:
    dijon_staff.post(
        reverse("admin:campaign_elector_changelist"),
        {"action": "delete_selected", "_selected_action": [charlie.pk], "post": "yes"},
    )

    assert Elector.objects.filter(pk=charlie.pk).exists()


def test_the_roll_entries_of_lyon_are_out_of_reach(
    dijon_staff: Client, elector_bob: Elector, capa_lyon: Scrutin
) -> None:
    entry = RollEntry.objects.get(scrutin=capa_lyon)

    listing = page_of(dijon_staff, reverse("admin:campaign_rollentry_changelist"))
    change = dijon_staff.get(reverse("admin:campaign_rollentry_change", args=[entry.pk]))
    dijon_staff.post(reverse("admin:campaign_rollentry_delete", args=[entry.pk]), {"post": "yes"})

    assert "bob.martin@ac-dijon.fr" in listing
    assert "charlie.durand@ac-lyon.fr" not in listing
    assert change.status_code == 302
    assert RollEntry.objects.filter(pk=entry.pk).exists()


def test_the_correction_requests_of_lyon_cannot_be_read_or_answered(
    dijon_staff: Client, request_of_charlie: ProfileCorrectionRequest
) -> None:
    changelist = reverse("admin:campaign_profilecorrectionrequest_changelist")
    change = reverse("admin:campaign_profilecorrectionrequest_change", args=[request_of_charlie.pk])

    listing = page_of(dijon_staff, changelist)
    page = dijon_staff.get(change)
    dijon_staff.post(change, {"status": "refused", "staff_answer": "Non."})
    dijon_staff.post(changelist, {"action": "accept", "_selected_action": [request_of_charlie.pk]})

    assert "Charlie" not in listing
    assert page.status_code == 302
    request_of_charlie.refresh_from_db()
    assert request_of_charlie.status == ProfileCorrectionRequest.Status.SUBMITTED
    assert request_of_charlie.answered_by is None


def test_the_autocomplete_offers_no_elector_of_lyon(
    dijon_staff: Client, elector_bob: Elector, charlie: Elector
) -> None:
    response = dijon_staff.get(
        reverse("admin:autocomplete"),
        {"app_label": "campaign", "model_name": "rollentry", "field_name": "elector", "term": ""},
    )

    names = [result["text"] for result in response.json()["results"]]
    assert names == ["M. Bob MARTIN"]


def test_the_filters_offer_neither_lyon_nor_its_scrutins(
    dijon_staff: Client, elector_bob: Elector, capa_lyon: Scrutin, capa_dijon: Scrutin
) -> None:
    page = page_of(dijon_staff, reverse("admin:campaign_elector_changelist"))

    # (A filter with a single choice, Dijon, is not even shown.)
    assert f"academy__id__exact={capa_lyon.academy_id}" not in page
    assert f"scrutins__id__exact={capa_dijon.pk}" in page
    assert f"scrutins__id__exact={capa_lyon.pk}" not in page


def test_a_new_elector_can_only_be_placed_in_dijon(
    dijon_staff: Client, campaign: Campaign, dijon: Academy, lyon: Academy
) -> None:
    url = reverse("admin:campaign_elector_add")
    data = {
        "campaign": campaign.pk,
        "civilite": "MME",
        "first_name": "Inès",
        "last_name": "Roux",
        "email": "ines.roux@ac-lyon.fr",
        "academy": lyon.pk,
        "corps": "Professeur certifié",
        "establishment": "Lycée du Parc, Lyon",
        "roll_entries-TOTAL_FORMS": "0",
        "roll_entries-INITIAL_FORMS": "0",
    }

    form = dijon_staff.get(url).context["adminform"].form
    response = dijon_staff.post(url, data)

    assert list(form.fields["academy"].queryset) == [dijon]
    assert response.status_code == 200
    assert not Elector.objects.filter(email="ines.roux@ac-lyon.fr").exists()


def test_an_elector_of_dijon_cannot_be_moved_to_lyon(
    dijon_staff: Client, elector_bob: Elector, lyon: Academy
) -> None:
    # Before the vote opens: afterwards the elector is sealed with the rolls, whoever asks.
    reschedule(elector_bob.campaign, vote_opens_at=timezone.now() + timedelta(days=7))
    data = {
        "campaign": elector_bob.campaign_id,
        "civilite": "M",
        "first_name": "Bob",
        "last_name": "Martin",
        "email": elector_bob.email,
        "academy": lyon.pk,
        "corps": elector_bob.corps,
        "grade": elector_bob.grade,
        "establishment": elector_bob.establishment,
        "roll_entries-TOTAL_FORMS": "0",
        "roll_entries-INITIAL_FORMS": "0",
    }

    response = dijon_staff.post(
        reverse("admin:campaign_elector_change", args=[elector_bob.pk]), data
    )

    assert response.status_code == 200
    elector_bob.refresh_from_db()
    assert elector_bob.academy.name == "Dijon"


def test_national_scrutins_are_read_but_not_changed(
    dijon_staff: Client, csa_national: Scrutin, capa_dijon: Scrutin, capa_lyon: Scrutin
) -> None:
    listing = page_of(dijon_staff, reverse("admin:campaign_scrutin_changelist"))
    national = reverse("admin:campaign_scrutin_change", args=[csa_national.pk])

    page = text(dijon_staff.get(national))
    refused = dijon_staff.post(national, {"name": "Autre", "seats": 1})

    assert csa_national.name in listing
    assert capa_dijon.name in listing
    assert capa_lyon.name not in listing
    assert 'name="_save"' not in page
    assert refused.status_code == 403
    csa_national.refresh_from_db()
    assert csa_national.name == "CSA ministériel de l'éducation nationale"


def test_the_lists_of_lyon_are_out_of_reach(
    dijon_staff: Client, capa_dijon: Scrutin, capa_lyon: Scrutin
) -> None:
    ours = CandidateList.objects.create(
        status="validated", scrutin=capa_dijon, position=1, title="Liste de Dijon"
    )
    theirs = CandidateList.objects.create(
        status="validated", scrutin=capa_lyon, position=1, title="Liste de Lyon"
    )

    listing = page_of(dijon_staff, reverse("admin:candidacies_candidatelist_changelist"))
    download = dijon_staff.get(
        reverse("admin:candidacies_candidatelist_profession_de_foi", args=[theirs.pk])
    )

    assert ours.title in listing
    assert theirs.title not in listing
    assert download.status_code == 404


def test_accounts_are_those_of_dijon_electors_and_rights_stay_out_of_reach(
    dijon_staff: Client, voter_bob: User, outsider_charlie: User
) -> None:
    listing = dijon_staff.get(reverse("admin:accounts_user_changelist"))
    url = reverse("admin:accounts_user_change", args=[voter_bob.pk])
    form = dijon_staff.get(url).context["adminform"].form

    # Staff accounts (their own included) are the superusers' business.
    assert [user.email for user in listing.context["cl"].result_list] == [voter_bob.email]
    assert "is_superuser" not in form.fields
    assert "groups" not in form.fields
    assert dijon_staff.get(reverse("admin:accounts_user_add")).status_code == 403


def test_sending_the_campaigns_invitations_is_not_an_academys_business(
    client: Client, staff_dijon: User, campaign: Campaign
) -> None:
    staff_dijon.user_permissions.add(Permission.objects.get(codename="send_invitations"))
    client.force_login(staff_dijon)

    page = page_of(client, reverse("admin:accounts_invitationcampaign_changelist"))

    assert campaign.name not in page


# Other kinds of staff


def test_staff_without_a_perimeter_reach_nothing(
    client: Client, elector_bob: Elector, campaign: Campaign
) -> None:
    nobody = User.objects.create_user("sans.perimetre@ac-dijon.fr", PASSWORD, is_staff=True)
    nobody.is_active = True
    nobody.save()
    grant_all(nobody)
    client.force_login(nobody)

    listing = page_of(client, reverse("admin:campaign_elector_changelist"))
    change = client.get(reverse("admin:campaign_elector_change", args=[elector_bob.pk]))

    assert elector_bob.email not in listing
    assert change.status_code == 302
    assert campaign.name not in page_of(client, reverse("admin:campaign_campaign_changelist"))


def test_the_organizer_reaches_every_academy_of_the_campaign_only(
    client: Client, staff_organizer: User, elector_bob: Elector, charlie: Elector
) -> None:
    other = make_campaign(name="Élections professionnelles 2018", year=2018)
    stranger = make_elector(other, make_academy(other, "Nantes", "02.40.37.37.37"), "Léa", "Noël")
    grant_all(staff_organizer)
    client.force_login(staff_organizer)

    listing = page_of(client, reverse("admin:campaign_elector_changelist"))

    assert elector_bob.email in listing
    assert charlie.email in listing
    assert stranger.email not in listing


def test_superusers_reach_everything(
    client: Client, elector_bob: Elector, charlie: Elector
) -> None:
    client.force_login(User.objects.create_superuser("gestion@urne.example", PASSWORD))

    listing = page_of(client, reverse("admin:campaign_elector_changelist"))

    assert elector_bob.email in listing
    assert charlie.email in listing


def test_only_superusers_set_a_perimeter(
    client: Client, staff_organizer: User, staff_dijon: User
) -> None:
    url = reverse("admin:accounts_user_change", args=[staff_dijon.pk])
    client.force_login(User.objects.create_superuser("gestion@urne.example", PASSWORD))

    page = text(client.get(url))

    assert "Périmètres de gestion" in page
    assert "Académie : Dijon" in page


# The access layer itself, as staff pages will call it


def test_access_as_staff_answers_not_found_outside_the_perimeter(
    staff_dijon: User, elector_bob: Elector, charlie: Elector
) -> None:
    electors = Elector.objects.all()

    assert access.access_as_staff(staff_dijon, electors, elector_bob.pk) == elector_bob
    with pytest.raises(NotFound):
        access.access_as_staff(staff_dijon, electors, charlie.pk)


def test_a_perimeter_is_a_campaign_or_an_academy_never_both(
    staff_dijon: User, campaign: Campaign, dijon: Academy
) -> None:
    with pytest.raises(IntegrityError):
        StaffScope.objects.create(user=staff_dijon, campaign=campaign, academy=dijon)


def test_a_national_scrutin_counts_only_the_electors_of_dijon(
    dijon_staff: Client, elector_bob: Elector, charlie: Elector, csa_national: Scrutin
) -> None:
    RollEntry.objects.create(scrutin=csa_national, elector=charlie)

    page = page_of(dijon_staff, reverse("admin:campaign_scrutin_changelist"))

    link = f"/gestion/campaign/elector/?scrutins__id__exact={csa_national.pk}"
    assert f'<a href="{link}">1</a>' in page
