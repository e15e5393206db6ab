"""Staff answer profile correction requests in the back office: accepting corrects the elector's
record (and their login address, and their roll), refusing says why; the elector is emailed and
reads the outcome on their profile; only staff of the elector's academy (or the campaign's) may."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.backoffice.scoped_admin_urls import SCOPED_ADMIN_URLS
from tests.campaign.conftest import text
from tests.conftest import PASSWORD, make_account, make_elector, paris
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.backoffice.models import StaffScope
from urne.campaign import corrections
from urne.campaign.models import (
    Academy,
    Campaign,
    Elector,
    ProfileCorrectionRequest,
    RollChange,
    RollEntry,
    Scrutin,
)

CHANGELIST = reverse("admin:campaign_profilecorrectionrequest_changelist")
PERMISSIONS = ["view_profilecorrectionrequest", "change_profilecorrectionrequest"]

# The seed's calendar, the clock on 20 October 2014: rolls published, corrections open.
# Staff who are not superusers are refused by the admin (issue 8); these tests exercise the
# access layer through the admin's own pages, mounted with their former gate
# (tests/backoffice/scoped_admin_urls.py).
pytestmark = [pytest.mark.usefixtures("calendar_2014"), pytest.mark.urls(SCOPED_ADMIN_URLS)]


@pytest.fixture(autouse=True)
def _after_publication(calendar_2014: Campaign, travel: Callable[[datetime], None]) -> None:
    travel(paris(2014, 10, 20, 9))


def grant(user: User) -> User:
    user.user_permissions.add(*Permission.objects.filter(codename__in=PERMISSIONS))
    return user


@pytest.fixture
def staff(client: Client, staff_dijon: User) -> Client:
    client.force_login(grant(staff_dijon))
    return client


@pytest.fixture
def staff_lyon(lyon: Academy) -> User:
    user = User.objects.create_user("gestion@ac-lyon.fr", PASSWORD, is_staff=True, is_active=True)
    StaffScope.objects.create(user=user, academy=lyon)
    return grant(user)


def ask(elector: Elector, field: str = "grade", correction: str = "Hors classe") -> Any:
    return ProfileCorrectionRequest.objects.create(
        elector=elector, field=field, correction=correction, created_at=timezone.now()
    )


def page_of(request: ProfileCorrectionRequest) -> str:
    return reverse("admin:campaign_profilecorrectionrequest_change", args=[request.pk])


def answer(client: Client, request: ProfileCorrectionRequest, capture: Any, **data: str) -> Any:
    """Post the answer's form and run what its commit schedules (the email)."""
    with capture(execute=True):
        return client.post(page_of(request), data)


# The queue


def test_staff_see_the_requests_and_filter_them_by_status(staff: Client, elector_bob: Elector):
    ask(elector_bob)

    response = staff.get(CHANGELIST, {"status__exact": "submitted"})

    assert response.status_code == 200
    page = text(response)
    assert "Hors classe" in page
    assert "M. Bob MARTIN" in page
    assert "?status__exact=accepted" in page  # the status filter is offered


def test_the_page_shows_what_the_record_says_now_beside_what_is_asked(
    staff: Client, elector_bob: Elector
):
    request = ask(elector_bob)

    page = text(staff.get(page_of(request)))

    assert "Classe normale" in page  # the record now
    assert 'value="Hors classe"' in page  # the value to write, ready to be corrected
    assert "Décision" in page


# Accepting


def test_accepting_corrects_the_record_emails_the_elector_and_shows_on_the_profile(
    staff: Client,
    staff_dijon: User,
    elector_bob: Elector,
    voter_bob: User,
    django_capture_on_commit_callbacks: Any,
):
    request = ask(elector_bob)

    response = answer(
        staff, request, django_capture_on_commit_callbacks, decision="accept", value="Hors classe"
    )

    assert response.status_code == 302
    elector_bob.refresh_from_db()
    assert elector_bob.grade == "Hors classe"
    request.refresh_from_db()
    assert request.status == ProfileCorrectionRequest.Status.ACCEPTED
    assert (request.answered_by, request.answered_at) == (staff_dijon, paris(2014, 10, 20, 9))
    assert request.applied_value == "Hors classe"
    [message] = mail.outbox
    assert message.to == ["bob.martin@ac-dijon.fr"]
    assert "est acceptée" in message.subject
    assert "Votre profil indique désormais : Hors classe" in message.body
    elector_view = Client()
    elector_view.force_login(voter_bob)
    profile = text(elector_view.get(reverse("campaign:profile")))
    assert "Acceptée" in profile
    assert "Le 20 octobre 2014, votre profil a été mis à jour : Hors classe" in profile
    assert [e.action for e in AuditEntry.objects.all()] == ["correction.accept"]


def test_staff_may_correct_the_value_before_accepting(
    staff: Client, elector_bob: Elector, django_capture_on_commit_callbacks: Any
):
    request = ask(elector_bob, "establishment", "college jean moulin")

    answer(
        staff,
        request,
        django_capture_on_commit_callbacks,
        decision="accept",
        value="Collège Jean-Moulin, Dijon",
        answer="Nom officiel de l'établissement.",
    )

    elector_bob.refresh_from_db()
    assert elector_bob.establishment == "Collège Jean-Moulin, Dijon"
    request.refresh_from_db()
    assert request.correction == "college jean moulin"  # what the elector asked stays
    assert request.applied_value == "Collège Jean-Moulin, Dijon"
    assert "Nom officiel de l'établissement." in mail.outbox[0].body


def test_a_new_address_becomes_the_login_address(
    staff: Client,
    elector_bob: Elector,
    voter_bob: User,
    django_capture_on_commit_callbacks: Any,
):
    request = ask(elector_bob, "email", "Bob.Martin2@ac-dijon.fr")

    answer(staff, request, django_capture_on_commit_callbacks, decision="accept", value="")

    voter_bob.refresh_from_db()
    elector_bob.refresh_from_db()
    assert voter_bob.email == elector_bob.email == "bob.martin2@ac-dijon.fr"
    assert mail.outbox[0].to == ["bob.martin2@ac-dijon.fr"]
    assert User.objects.filter(email="bob.martin@ac-dijon.fr").count() == 0


def test_an_address_already_taken_is_refused_and_nothing_changes(
    staff: Client,
    elector_bob: Elector,
    voter_bob: User,
    dijon: Academy,
    campaign: Campaign,
    django_capture_on_commit_callbacks: Any,
):
    make_account(make_elector(campaign, dijon, "Alice", "Durand"))
    request = ask(elector_bob, "email", "alice.durand@ac-dijon.fr")

    response = answer(staff, request, django_capture_on_commit_callbacks, decision="accept")

    assert response.status_code == 200
    assert "est déjà celle d'un autre électeur ou d'un autre compte" in text(response)
    voter_bob.refresh_from_db()
    elector_bob.refresh_from_db()
    request.refresh_from_db()
    assert voter_bob.email == elector_bob.email == "bob.martin@ac-dijon.fr"
    assert request.status == ProfileCorrectionRequest.Status.SUBMITTED
    assert mail.outbox == []
    assert not RollChange.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("civilite", "Docteur", "Civilité attendue : « M. » ou « Mme »"),
        ("email", "pas-une-adresse", "n'est pas une adresse de messagerie valide"),
        ("academy", "Atlantide", "Académie inconnue : « Atlantide »"),
        ("scrutins", "csa-men, cap-inconnue", "Scrutin(s) inconnu(s) : « cap-inconnue »"),
        ("last_name", "  ", "L'information corrigée ne peut pas être vide."),
    ],
)
def test_a_value_that_cannot_be_written_is_refused_in_french(
    staff: Client,
    elector_bob: Elector,
    django_capture_on_commit_callbacks: Any,
    field: str,
    value: str,
    message: str,
):
    request = ask(elector_bob, field, value)

    response = answer(
        staff, request, django_capture_on_commit_callbacks, decision="accept", value=value
    )

    assert response.status_code == 200
    assert message in text(response)
    request.refresh_from_db()
    assert request.is_open


def test_correcting_the_scrutins_makes_the_roll_exactly_those(
    staff: Client,
    elector_bob: Elector,
    campaign: Campaign,
    django_capture_on_commit_callbacks: Any,
):
    ccp = Scrutin.objects.create(
        campaign=campaign, code="ccp-men", name="CCP", level="national", kind="CCP", seats=3
    )
    request = ask(elector_bob, "scrutins", "CSA et CCP")

    answer(
        staff,
        request,
        django_capture_on_commit_callbacks,
        decision="accept",
        value="csa-men, ccp-men",
    )

    codes = set(
        RollEntry.objects.filter(elector=elector_bob).values_list("scrutin__code", flat=True)
    )
    assert codes == {"csa-men", "ccp-men"}
    changes = {(c.kind, c.scrutin_label) for c in RollChange.objects.all()}
    assert changes == {
        ("added", str(ccp)),
        ("removed", "CAPA des professeurs certifiés de Dijon"),
    }


def test_a_move_to_another_academy_is_the_campaigns_to_accept(
    client: Client,
    staff: Client,
    staff_organizer: User,
    elector_bob: Elector,
    lyon: Academy,
    django_capture_on_commit_callbacks: Any,
):
    """Dijon cannot send an elector out of its perimeter; the organizer can, and the elector
    leaves the rolls of Dijon's own scrutins (the one rule that ties scrutins to academies)."""
    request = ask(elector_bob, "academy", "Lyon")

    refused = answer(staff, request, django_capture_on_commit_callbacks, decision="accept")
    assert "ferait sortir l'électeur de votre périmètre" in text(refused)

    organizer = Client()
    organizer.force_login(grant(staff_organizer))
    answer(organizer, request, django_capture_on_commit_callbacks, decision="accept")

    elector_bob.refresh_from_db()
    assert elector_bob.academy == lyon
    codes = list(
        RollEntry.objects.filter(elector=elector_bob).values_list("scrutin__code", flat=True)
    )
    assert codes == ["csa-men"]  # national: kept; CAPA of Dijon: left
    moves = RollChange.objects.filter(field="academy")
    assert {(m.academy.name, m.old_value, m.new_value) for m in moves if m.academy} == {
        ("Dijon", "Dijon", "Lyon"),
        ("Lyon", "Dijon", "Lyon"),
    }


def test_a_corps_changes_no_roll_entry(
    staff: Client, elector_bob: Elector, django_capture_on_commit_callbacks: Any
):
    """No rule ties a corps or a grade to scrutins: the roll stays as the import made it."""
    request = ask(elector_bob, "corps", "Professeur agrégé")

    answer(staff, request, django_capture_on_commit_callbacks, decision="accept")

    assert RollEntry.objects.filter(elector=elector_bob).count() == 2


# Refusing


def test_a_refusal_needs_a_reason(
    staff: Client, elector_bob: Elector, django_capture_on_commit_callbacks: Any
):
    request = ask(elector_bob)

    response = answer(
        staff, request, django_capture_on_commit_callbacks, decision="refuse", answer=" "
    )

    assert response.status_code == 200
    assert "Un refus doit être motivé" in text(response)
    request.refresh_from_db()
    assert request.is_open
    assert mail.outbox == []


def test_a_refusal_is_emailed_with_its_reason_and_shown_on_the_profile(
    staff: Client,
    elector_bob: Elector,
    voter_bob: User,
    django_capture_on_commit_callbacks: Any,
):
    request = ask(elector_bob)

    answer(
        staff,
        request,
        django_capture_on_commit_callbacks,
        decision="refuse",
        answer="Votre promotion prend effet en 2015.",
    )

    elector_bob.refresh_from_db()
    assert elector_bob.grade == "Classe normale"
    [message] = mail.outbox
    assert "est refusée" in message.subject
    assert "Votre promotion prend effet en 2015." in message.body
    elector_view = Client()
    elector_view.force_login(voter_bob)
    profile = text(elector_view.get(reverse("campaign:profile")))
    assert "Refusée le 20 octobre 2014" in profile
    assert "Votre promotion prend effet en 2015." in profile


def test_an_answered_request_is_only_read(
    staff: Client, staff_dijon: User, elector_bob: Elector, django_capture_on_commit_callbacks: Any
):
    request = ask(elector_bob)
    corrections.do_refuse_correction(staff_dijon, request, "Non.")

    page = text(staff.get(page_of(request)))
    response = answer(staff, request, django_capture_on_commit_callbacks, decision="accept")

    assert 'name="_save"' not in page
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == ProfileCorrectionRequest.Status.REFUSED


# The bulk action


def test_the_action_accepts_each_request_as_asked_and_says_which_failed(
    staff: Client,
    elector_bob: Elector,
    django_capture_on_commit_callbacks: Any,
):
    good = ask(elector_bob)
    bad = ask(elector_bob, "civilite", "Docteur")

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            CHANGELIST, {"action": "accept", "_selected_action": [good.pk, bad.pk]}, follow=True
        )

    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == ProfileCorrectionRequest.Status.ACCEPTED
    assert bad.status == ProfileCorrectionRequest.Status.SUBMITTED
    page = text(response)
    assert "1 demande acceptée." in page
    assert "Civilité attendue" in page
    assert len(mail.outbox) == 1


def test_the_action_leaves_already_answered_requests_alone(
    staff: Client, staff_dijon: User, elector_bob: Elector
):
    request = ask(elector_bob)
    corrections.do_refuse_correction(staff_dijon, request, "Non.")

    response = staff.post(
        CHANGELIST, {"action": "accept", "_selected_action": [request.pk]}, follow=True
    )

    request.refresh_from_db()
    assert request.status == ProfileCorrectionRequest.Status.REFUSED
    assert "Aucune demande n'a changé" in text(response)


def test_requests_cannot_be_created_in_the_back_office(staff: Client, elector_bob: Elector):
    response = staff.get(reverse("admin:campaign_profilecorrectionrequest_add"))

    assert response.status_code == 403


def test_the_service_refuses_an_answer_that_is_not_one(staff_dijon: User, elector_bob: Elector):
    ask(elector_bob)

    with pytest.raises(ValueError, match="not an answer"):
        corrections.do_answer_corrections(
            ProfileCorrectionRequest.objects.all(),
            ProfileCorrectionRequest.Status.SUBMITTED,
            staff_dijon,
        )


# Perimeters


def test_staff_of_another_academy_reach_nothing_even_by_address(
    staff_lyon: User, elector_bob: Elector, django_capture_on_commit_callbacks: Any
):
    request = ask(elector_bob)
    lyon = Client()
    lyon.force_login(staff_lyon)

    listing = text(lyon.get(CHANGELIST))
    page = lyon.get(page_of(request))
    posted = answer(lyon, request, django_capture_on_commit_callbacks, decision="accept")
    action = lyon.post(CHANGELIST, {"action": "accept", "_selected_action": [request.pk]})

    assert "M. Bob MARTIN" not in listing
    assert page.status_code == 302  # Django's "does not exist", to the index
    assert posted.status_code == 302
    assert action.status_code in (200, 302)
    request.refresh_from_db()
    assert request.is_open
    elector_bob.refresh_from_db()
    assert elector_bob.grade == "Classe normale"
    with pytest.raises(Exception, match="périmètre"):
        corrections.do_accept_correction(staff_lyon, request)


# The calendar


def test_answering_stays_possible_after_the_deadline_until_the_vote_opens(
    staff: Client,
    elector_bob: Elector,
    travel: Callable[[datetime], None],
    django_capture_on_commit_callbacks: Any,
):
    request = ask(elector_bob)
    travel(paris(2014, 11, 20))  # corrections closed on 14 November

    answer(staff, request, django_capture_on_commit_callbacks, decision="accept")

    elector_bob.refresh_from_db()
    assert elector_bob.grade == "Hors classe"


def test_nothing_is_answered_once_the_vote_has_opened(
    staff: Client,
    elector_bob: Elector,
    travel: Callable[[datetime], None],
    django_capture_on_commit_callbacks: Any,
):
    request = ask(elector_bob)
    travel(paris(2014, 11, 27, 10))

    response = answer(staff, request, django_capture_on_commit_callbacks, decision="accept")

    assert "les listes électorales sont scellées" in text(response)
    elector_bob.refresh_from_db()
    assert elector_bob.grade == "Classe normale"
    request.refresh_from_db()
    assert request.is_open
    assert mail.outbox == []
