"""The count's back-office pages (/gestion/depouillement/) and the public board's result: who may
see and act, a refused upload shown with its message and nothing stored, the result on the
board."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.counting.conftest import Bureau, fresh, run_vote
from tests.counting.test_count import CHOICES, board_folder, urne_decrypt
from urne.accounts.models import User
from urne.campaign.models import Academy, Scrutin
from urne.counting import closing
from urne.voting.apps import BUREAU_GROUP, COUNTING_OPERATORS_GROUP
from urne.voting.models import CountingEvent, ScrutinElection

pytestmark = pytest.mark.django_db

Travel = Callable[[datetime], None]


def logged_in(user: User, *groups: str) -> Client:
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def voted(csa_national: Scrutin, dijon: Academy, threshold_bureau: Bureau) -> ScrutinElection:
    return run_vote(csa_national, dijon, threshold_bureau, CHOICES)


def test_staff_without_the_permission_get_a_403(
    voted: ScrutinElection, staff_organizer: User
) -> None:
    client = logged_in(staff_organizer)
    assert client.get(reverse("tally:index")).status_code == 403
    url = reverse("tally:detail", args=[voted.pk])
    assert client.get(url).status_code == 403


def test_the_bureau_may_upload_but_not_close(
    voted: ScrutinElection, staff_organizer: User, travel: Travel
) -> None:
    client = logged_in(staff_organizer, BUREAU_GROUP)
    page = client.get(reverse("tally:index"))
    assert page.status_code == 200
    assert escape(voted.scrutin.name) in page.content.decode()
    travel(voted.scrutin.campaign.vote_closes_at)
    assert client.post(reverse("tally:close", args=[voted.pk])).status_code == 403
    assert client.post(reverse("tally:publish", args=[voted.pk])).status_code == 403


def test_closing_by_hand_is_refused_before_its_time_then_done_at_it(
    voted: ScrutinElection, staff_organizer: User, travel: Travel
) -> None:
    client = logged_in(staff_organizer, COUNTING_OPERATORS_GROUP)
    closes_at = voted.scrutin.campaign.vote_closes_at
    travel(closes_at - timedelta(seconds=1))
    page = client.post(reverse("tally:close", args=[voted.pk]), follow=True)
    assert "n&#x27;est pas clos" in page.content.decode()
    assert not CountingEvent.objects.exists()
    travel(closes_at)
    # The visit of the count's page closes it already (and tallies it, in-process here).
    with_tally = client.get(reverse("tally:detail", args=[voted.pk]))
    assert with_tally.status_code == 200
    assert CountingEvent.objects.filter(kind="EndBallots").count() == 1
    again = client.post(reverse("tally:close", args=[voted.pk]), follow=True)
    assert "déjà close" in again.content.decode()
    assert CountingEvent.objects.filter(kind="EndBallots").count() == 1


def test_staff_see_the_tallys_progress(
    voted: ScrutinElection, staff_organizer: User, travel: Travel
) -> None:
    client = logged_in(staff_organizer, COUNTING_OPERATORS_GROUP)
    travel(voted.scrutin.campaign.vote_closes_at)
    closing.do_close_election(voted)  # the tally is scheduled after the commit: not here
    assert closing.do_tally_chunk(voted, size=3) is False
    page = client.get(reverse("tally:detail", args=[voted.pk])).content.decode()
    assert "3 bulletins comptés sur 4 (75 %)" in page
    assert "Reprendre le dépouillement" in page


def test_an_academys_staff_cannot_act_on_a_national_scrutin(
    voted: ScrutinElection, staff_dijon: User, travel: Travel
) -> None:
    client = logged_in(staff_dijon, COUNTING_OPERATORS_GROUP, BUREAU_GROUP)
    travel(voted.scrutin.campaign.vote_closes_at)
    assert client.get(reverse("tally:detail", args=[voted.pk])).status_code == 200
    assert client.post(reverse("tally:close", args=[voted.pk])).status_code == 404
    response = client.post(reverse("tally:upload", args=[voted.pk]), {"text": "x"})
    assert response.status_code == 404


def test_uploads_through_the_page_and_the_result_on_the_board(
    voted: ScrutinElection,
    staff_organizer: User,
    travel: Travel,
    threshold_bureau: Bureau,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = logged_in(staff_organizer, BUREAU_GROUP)
    travel(voted.scrutin.campaign.vote_closes_at)
    board_url = reverse("voting:board", args=[voted.uuid])
    # The public board's visit closes the box; the tally is scheduled after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        public = Client().get(board_url)
    assert "L'urne est close" in public.content.decode()
    assert CountingEvent.objects.filter(kind="EncryptedTally").exists()

    detail = reverse("tally:detail", args=[voted.pk])
    upload = reverse("tally:upload", args=[voted.pk])
    folder = board_folder(voted.scrutin, tmp_path, "tallied")
    share = urne_decrypt(folder, threshold_bureau.keys[2], capsys)

    refused = client.post(upload, {"text": "n'importe quoi"})
    assert refused.status_code == 400
    assert "pas un déchiffrement partiel lisible" in refused.content.decode()
    empty = client.post(upload, {"text": ""})
    assert empty.status_code == 400
    assert "Collez le déchiffrement partiel" in empty.content.decode()
    assert not CountingEvent.objects.filter(kind="PartialDecryption").exists()

    done = client.post(upload, {"text": share})
    assert done.status_code == 302 and done["Location"] == detail
    twice = client.post(upload, {"text": share})
    assert twice.status_code == 400
    assert "a déjà déposé" in twice.content.decode()

    from django.core.files.uploadedfile import SimpleUploadedFile

    second = urne_decrypt(folder, threshold_bureau.keys[3], capsys)
    file = SimpleUploadedFile("partial.json", second.encode(), content_type="application/json")
    assert client.post(upload, {"file": file}).status_code == 302
    page = client.get(detail).content.decode()
    assert "Liste FSU" in page and "Votes blancs" in page

    board = Client().get(board_url).content.decode()
    assert "Résultat" in board
    assert '<th scope="row">Liste FSU</th><td>2</td>' in board
    assert fresh(voted).last_event == CountingEvent.objects.get(kind="Result").event
