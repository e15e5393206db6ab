"""The correction queue in the back office (/gestion/corrections/): academy staff read the
pending requests of their academies, each beside what the record says now, and accept or refuse
them (a refusal with its reason); the elector is emailed and reads the outcome in their profile.
Nobody reaches another academy's request, the helpdesk and observers read or see nothing they
may not, an answer is final, and each is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.conftest import _cheap_argon2  # noqa: F401 (autouse: cheap hashing)
from tests.campaign.conftest import text
from tests.conftest import PASSWORD, make_elector, paris
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.backoffice.models import StaffScope
from urne.campaign import corrections
from urne.campaign.models import Academy, Campaign, Elector, ProfileCorrectionRequest
from urne.support import roles
from urne.voting.turnout import OBSERVERS_GROUP

QUEUE = reverse("corrections:queue")
Status = ProfileCorrectionRequest.Status

pytestmark = pytest.mark.usefixtures("calendar_2014")


@pytest.fixture(autouse=True)
def _after_publication(calendar_2014: Campaign, travel: Callable[[datetime], None]) -> None:
    """20 October 2014: rolls published, corrections open, the vote far ahead."""
    travel(paris(2014, 10, 20, 9))


def join(user: User, group: str) -> User:
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def manager_dijon(client: Client, staff_dijon: User) -> Client:
    client.force_login(join(staff_dijon, roles.ACADEMY_MANAGERS_GROUP))
    return client


@pytest.fixture
def manager_lyon(lyon: Academy) -> Client:
    user = User.objects.create_user("gestion@ac-lyon.fr", PASSWORD, is_staff=True, is_active=True)
    StaffScope.objects.create(user=user, academy=lyon)
    client = Client()
    client.force_login(join(user, roles.ACADEMY_MANAGERS_GROUP))
    return client


def ask(elector: Elector, field: str = "grade", correction: str = "Hors classe") -> Any:
    return ProfileCorrectionRequest.objects.create(
        elector=elector, field=field, correction=correction, created_at=timezone.now()
    )


def detail(request: ProfileCorrectionRequest) -> str:
    return reverse("corrections:detail", args=[request.pk])


def accept_url(request: ProfileCorrectionRequest) -> str:
    return reverse("corrections:accept", args=[request.pk])


def refuse_url(request: ProfileCorrectionRequest) -> str:
    return reverse("corrections:refuse", args=[request.pk])


def post(client: Client, url: str, capture: Any, **data: str) -> Any:
    """Post an answer and run what its commit schedules (the email)."""
    with capture(execute=True):
        return client.post(url, data)


# The queue


def test_the_queue_lists_the_pending_requests_of_the_academy_oldest_first(
    manager_dijon: Client, elector_bob: Elector, outsider_charlie: User, campaign: Campaign
) -> None:
    assert outsider_charlie.elector is not None
    alice = make_elector(campaign, elector_bob.academy, "Alice", "Perrin")
    first = ask(elector_bob)
    second = ask(alice, "establishment", "Lycée Montchapet, Dijon")
    ask(outsider_charlie.elector)

    page = text(manager_dijon.get(QUEUE))

    assert "En attente (2)" in page
    assert page.index(detail(first)) < page.index(detail(second))
    assert "Lycée Montchapet, Dijon" in page
    assert "DURAND" not in page


def test_answered_requests_are_listed_apart(
    manager_dijon: Client, staff_dijon: User, elector_bob: Elector
) -> None:
    request = ask(elector_bob)
    corrections.do_refuse_correction(staff_dijon, request, "Pas encore promu.")

    pending = text(manager_dijon.get(QUEUE))
    answered = text(manager_dijon.get(QUEUE, {"etat": "traitees"}))

    assert detail(request) not in pending
    assert "Aucune demande en attente" in pending
    assert detail(request) in answered
    assert "Refusée" in answered


def test_campaign_wide_staff_see_every_academy(
    client: Client, staff_organizer: User, elector_bob: Elector, outsider_charlie: User
) -> None:
    assert outsider_charlie.elector is not None
    ask(elector_bob)
    ask(outsider_charlie.elector)
    client.force_login(join(staff_organizer, roles.ACADEMY_MANAGERS_GROUP))

    page = text(client.get(QUEUE))

    assert "En attente (2)" in page
    assert "MARTIN" in page and "DURAND" in page


def test_the_menu_offers_the_queue_to_academy_managers(manager_dijon: Client) -> None:
    home = text(manager_dijon.get(reverse("backoffice:home")))

    assert f'href="{QUEUE}"' in home
    assert f'href="{reverse("helpdesk:search")}"' in home  # they read electors too


# A request's page


def test_the_page_shows_the_current_and_requested_values_side_by_side(
    manager_dijon: Client, elector_bob: Elector
) -> None:
    request = ask(elector_bob)

    page = text(manager_dijon.get(detail(request)))

    row = page.split('<th scope="row">Grade</th>')[1].split("</tr>")[0]
    assert "Classe normale" in row.split("</td>")[0]
    assert "Hors classe" in row.split("</td>")[1]
    assert "Accepter la demande" in page and "Refuser la demande" in page


def test_a_request_of_lyon_is_answered_as_if_absent(
    manager_dijon: Client, outsider_charlie: User, django_capture_on_commit_callbacks: Any
) -> None:
    assert outsider_charlie.elector is not None
    request = ask(outsider_charlie.elector)

    page = manager_dijon.get(detail(request))
    accepted = post(manager_dijon, accept_url(request), django_capture_on_commit_callbacks)
    refused = post(
        manager_dijon, refuse_url(request), django_capture_on_commit_callbacks, reason="Non."
    )

    assert (page.status_code, accepted.status_code, refused.status_code) == (404, 404, 404)
    request.refresh_from_db()
    assert request.is_open
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action__startswith="correction.").exists()


def test_an_unknown_request_is_a_404(manager_dijon: Client, db: None) -> None:
    assert manager_dijon.get(reverse("corrections:detail", args=[999999])).status_code == 404
    assert manager_dijon.post(reverse("corrections:accept", args=[999999])).status_code == 404


# Answering


def test_accepting_corrects_the_record_tells_the_elector_and_is_audited(
    manager_dijon: Client,
    staff_dijon: User,
    voter_bob: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    bob = voter_bob.elector
    assert bob is not None
    request = ask(bob)

    response = post(
        manager_dijon,
        accept_url(request),
        django_capture_on_commit_callbacks,
        value="Hors classe",
        answer="Promotion du 1er septembre.",
    )

    assert response.status_code == 302 and response["Location"] == QUEUE
    bob.refresh_from_db()
    assert bob.grade == "Hors classe"
    request.refresh_from_db()
    assert (request.status, request.answered_by) == (Status.ACCEPTED, staff_dijon)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [voter_bob.email]
    assert "acceptée" in mail.outbox[0].subject
    entry = AuditEntry.objects.get(action="correction.accept")
    assert entry.actor_label == staff_dijon.email
    assert entry.object_id == str(request.pk)


def test_staff_may_correct_the_value_before_accepting(
    manager_dijon: Client, elector_bob: Elector, django_capture_on_commit_callbacks: Any
) -> None:
    request = ask(elector_bob, "establishment", "college jean moulin")

    post(
        manager_dijon,
        accept_url(request),
        django_capture_on_commit_callbacks,
        value="Collège Jean-Moulin, Dijon",
    )

    elector_bob.refresh_from_db()
    assert elector_bob.establishment == "Collège Jean-Moulin, Dijon"


def test_a_value_the_rules_refuse_changes_nothing_and_says_why(
    manager_dijon: Client, elector_bob: Elector, django_capture_on_commit_callbacks: Any
) -> None:
    request = ask(elector_bob, "civilite", "Docteur")

    response = post(manager_dijon, accept_url(request), django_capture_on_commit_callbacks)

    assert response.status_code == 400
    page = text(response)
    assert "Civilité attendue" in page
    assert 'href="#id_value"' in page  # the error leads to its field
    request.refresh_from_db()
    assert request.is_open
    assert mail.outbox == []


def test_refusing_needs_a_reason(
    manager_dijon: Client, elector_bob: Elector, django_capture_on_commit_callbacks: Any
) -> None:
    request = ask(elector_bob)

    response = post(
        manager_dijon, refuse_url(request), django_capture_on_commit_callbacks, reason="   "
    )

    assert response.status_code == 400
    page = text(response)
    assert "Un refus doit être motivé" in page
    assert 'href="#id_reason"' in page
    request.refresh_from_db()
    assert request.is_open
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="correction.refuse").exists()


def test_refusing_with_a_reason_tells_the_elector_who_reads_it_in_their_profile(
    manager_dijon: Client,
    voter_bob: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    bob = voter_bob.elector
    assert bob is not None
    request = ask(bob)

    post(
        manager_dijon,
        refuse_url(request),
        django_capture_on_commit_callbacks,
        reason="Votre promotion prend effet en 2015.",
    )

    request.refresh_from_db()
    assert request.status == Status.REFUSED
    assert "refusée" in mail.outbox[0].subject
    assert AuditEntry.objects.filter(action="correction.refuse").count() == 1
    elector_view = Client()
    elector_view.force_login(voter_bob)
    profile = text(elector_view.get(reverse("campaign:profile")))
    assert "Refusée le 20 octobre 2014" in profile
    assert "Votre promotion prend effet en 2015." in profile


def test_a_request_already_answered_cannot_be_answered_again(
    manager_dijon: Client,
    staff_dijon: User,
    elector_bob: Elector,
    django_capture_on_commit_callbacks: Any,
) -> None:
    request = ask(elector_bob)
    corrections.do_refuse_correction(staff_dijon, request, "Non.")

    page = text(manager_dijon.get(detail(request)))
    response = post(manager_dijon, accept_url(request), django_capture_on_commit_callbacks)

    assert "Accepter la demande" not in page
    assert "Non." in page
    assert response.status_code == 400
    assert "déjà reçu une réponse" in text(response)
    request.refresh_from_db()
    elector_bob.refresh_from_db()
    assert request.status == Status.REFUSED
    assert elector_bob.grade == "Classe normale"
    assert mail.outbox == []


def test_once_the_vote_opens_the_page_says_why_it_cannot_be_answered(
    manager_dijon: Client,
    elector_bob: Elector,
    travel: Callable[[datetime], None],
    django_capture_on_commit_callbacks: Any,
) -> None:
    request = ask(elector_bob)
    travel(paris(2014, 11, 27, 11))

    page = text(manager_dijon.get(detail(request)))
    response = post(manager_dijon, accept_url(request), django_capture_on_commit_callbacks)

    assert "listes électorales sont scellées" in page
    assert "Accepter la demande" not in page
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.is_open


def test_a_move_out_of_the_academy_is_left_to_the_campaign_staff(
    manager_dijon: Client,
    elector_bob: Elector,
    lyon: Academy,
    django_capture_on_commit_callbacks: Any,
) -> None:
    request = ask(elector_bob, "academy", "Lyon")

    response = post(manager_dijon, accept_url(request), django_capture_on_commit_callbacks)

    assert response.status_code == 400
    assert "ferait sortir l'électeur de votre périmètre" in text(response)
    elector_bob.refresh_from_db()
    assert elector_bob.academy.name == "Dijon"


# Roles


def test_the_helpdesk_reads_requests_but_cannot_answer_them(
    client: Client,
    staff_dijon: User,
    elector_bob: Elector,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(join(staff_dijon, roles.HELPDESK_GROUP))
    request = ask(elector_bob)

    page = text(client.get(detail(request)))
    accepted = post(client, accept_url(request), django_capture_on_commit_callbacks)
    refused = post(client, refuse_url(request), django_capture_on_commit_callbacks, reason="Non.")

    assert "Votre rôle permet de lire cette demande, pas d'y répondre." in page
    assert "Accepter la demande" not in page
    assert (accepted.status_code, refused.status_code) == (403, 403)
    request.refresh_from_db()
    assert request.is_open
    with pytest.raises(corrections.AnsweringNotPermitted):
        corrections.do_accept_correction(staff_dijon, request)


def test_the_helpdesk_answers_once_given_the_right(
    client: Client,
    staff_dijon: User,
    elector_bob: Elector,
    django_capture_on_commit_callbacks: Any,
) -> None:
    join(staff_dijon, roles.HELPDESK_GROUP)
    join(staff_dijon, roles.ACADEMY_MANAGERS_GROUP)
    client.force_login(staff_dijon)
    request = ask(elector_bob)

    response = post(client, accept_url(request), django_capture_on_commit_callbacks)

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.ACCEPTED


def test_observers_neither_read_nor_answer(
    client: Client,
    staff_dijon: User,
    elector_bob: Elector,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(join(staff_dijon, OBSERVERS_GROUP))
    request = ask(elector_bob)

    assert client.get(QUEUE).status_code == 403
    assert client.get(detail(request)).status_code == 403
    assert post(client, accept_url(request), django_capture_on_commit_callbacks).status_code == 403
    assert f'href="{QUEUE}"' not in text(client.get(reverse("backoffice:home")))
    request.refresh_from_db()
    assert request.is_open


def test_a_forged_post_without_the_csrf_token_is_refused(
    staff_dijon: User, elector_bob: Elector
) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(join(staff_dijon, roles.ACADEMY_MANAGERS_GROUP))
    request = ask(elector_bob)

    response = browser.post(refuse_url(request), {"reason": "Non."})

    assert response.status_code == 403
    request.refresh_from_db()
    assert request.is_open


def test_the_pages_are_get_only_and_the_answers_post_only(
    manager_dijon: Client, elector_bob: Elector
) -> None:
    request = ask(elector_bob)

    assert manager_dijon.post(QUEUE).status_code == 405
    assert manager_dijon.post(detail(request)).status_code == 405
    assert manager_dijon.get(accept_url(request)).status_code == 405
    assert manager_dijon.get(refuse_url(request)).status_code == 405
