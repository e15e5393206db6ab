"""The recorded draw between tied lists: the tie on the results page, the draw recorded once by
whoever may proclaim, applied to the seats, the exports and the procès-verbal; the proclamation
refused until then; bad input refused with nothing changed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.counting.conftest import decide
from tests.counting.test_minutes import pdf_text
from tests.counting.test_results_pages import grant_results
from tests.voting.conftest import SealScrutins
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.backoffice.models import StaffScope
from urne.campaign.models import Academy, Scrutin, ScrutinGrade
from urne.counting import draws, proclamation, results
from urne.counting.closing import CountingRefused
from urne.counting.models import Proclamation, SeatDraw
from urne.crypto.group import Exponent
from urne.web.errors import Forbidden

pytestmark = pytest.mark.django_db

FSU, UNSA, SGEN = "Liste FSU", "Liste UNSA Éducation", "Liste SGEN-CFDT"
ACCOUNT = "Tirage à main levée en présence des délégués de liste, deux papiers pliés dans une urne."


def drawer(scrutin: Scrutin, email: str = "tirage@education.gouv.fr") -> User:
    """Staff of the campaign holding the results' and the proclamation's permissions."""
    user = User.objects.create_user(email, "unused-password", is_staff=True, is_active=True)
    StaffScope.objects.create(user=user, campaign=scrutin.campaign)
    user.user_permissions.add(Permission.objects.get(codename="proclaim_result"))
    return grant_results(user)


def test_a_tie_is_drawn_recorded_applied_and_proclaimed(tied: Scrutin, tmp_path: Path) -> None:
    user = drawer(tied)
    client = Client()
    client.force_login(user)
    page = reverse("results:scrutin", args=[tied.pk])
    # The tie (see `tied`): seat 3 between FSU and UNSA, 2 votes and average 1 each.
    figures = results.figures_of(tied)
    assert figures is not None and not figures.complete
    assert figures.allocation.draw_needed is not None
    assert figures.allocation.draw_needed.lists == (FSU, UNSA)
    assert [entry.titulaires for entry in figures.lists] == [1, 1, 0]
    text = client.get(page).content.decode()
    assert "Égalité pour le siège 3 entre" in text
    assert "Enregistrer le tirage au sort" in text
    assert text.count('name="order"') == 2
    # Not proclaimable while the tie waits.
    with pytest.raises(CountingRefused, match="enregistrez d'abord le tirage au sort"):
        proclamation.do_proclaim(tied, user)
    assert not Proclamation.objects.exists()

    done = client.post(
        reverse("results:draw", args=[tied.pk]),
        {"order": [UNSA, FSU], "account": ACCOUNT},
        follow=True,
    )
    text = done.content.decode()
    assert "est enregistré ; les sièges sont attribués" in text
    made = SeatDraw.objects.get()
    assert (made.scrutin, made.seat, made.order, made.recorded_by) == (
        tied,
        3,
        [UNSA, FSU],
        user,
    )
    entry = AuditEntry.objects.get(action="counting.draw")
    assert entry.actor_id == user.pk
    assert entry.details["order"] == [UNSA, FSU] and entry.details["won"] == [UNSA]
    # Seats complete: UNSA won seat 3 by the draw.
    figures = results.figures_of(tied)
    assert figures is not None and figures.complete
    assert [entry.titulaires for entry in figures.lists] == [1, 2, 0]
    assert [(step.seat, step.list) for step in figures.drawn_seats] == [(3, UNSA)]
    assert figures.lists[1].elected_titulaires == ("Ève EMERY", "Fanny FAURE")
    assert "Siège 3 attribué par tirage au sort à Liste UNSA Éducation." in text
    assert "Tirage à main levée en présence des délégués de liste" in text
    assert "Enregistrer le tirage au sort" not in text
    # Exports.
    data = json.loads(client.get(reverse("results:json", args=[tied.pk])).content)
    assert data["complete"] is True and data["draw_needed"] is None
    assert data["draw"]["order"] == [UNSA, FSU]
    assert data["draw"]["seats"] == [{"seat": 3, "list": UNSA}]
    assert data["draw"]["account"] == ACCOUNT
    response = client.get(reverse("results:csv", args=[tied.pk]))
    raw = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[9][:2] == ["Siège 3 attribué par tirage au sort", UNSA]
    assert rows[10][:2] == ["Ordre du tirage au sort", f"{UNSA}, {FSU}"]
    assert rows[11][:2] == ["Déroulement du tirage au sort", ACCOUNT]
    # The procès-verbal says so.
    pdf = pdf_text(client.get(reverse("results:minutes", args=[tied.pk])).content, tmp_path)
    assert "départagée par tirage au sort (ordre du tirage : Liste UNSA Éducation, Liste FSU)" in (
        pdf
    )
    assert "Siège 3 attribué par tirage au sort à Liste UNSA Éducation." in pdf
    assert "Déroulement du tirage : Tirage à main levée" in pdf
    # Now it can be proclaimed, and the proclamation names the seats with the draw's.
    proclamation.do_proclaim(tied, user)
    assert AuditEntry.objects.get(action="counting.proclamation").details["titulaires"] == {
        FSU: 1,
        UNSA: 2,
        SGEN: 0,
    }


def test_a_draw_that_does_not_fit_the_tie_is_refused(tied: Scrutin) -> None:
    user = drawer(tied)
    client = Client()
    client.force_login(user)
    url = reverse("results:draw", args=[tied.pk])
    for order, account in [
        ([SGEN, FSU], ACCOUNT),  # SGEN is not tied (fewer votes)
        ([FSU], ACCOUNT),  # one tied list left out
        ([FSU, FSU], ACCOUNT),  # a list twice
        ([FSU, UNSA, SGEN], ACCOUNT),  # a list not tied added
        ([FSU, UNSA], "   "),  # no account of how it was drawn
        ([FSU, UNSA], "x" * (draws.ACCOUNT_MAX + 1)),
    ]:
        response = client.post(url, {"order": order, "account": account})
        assert response.status_code == 409, order
        text = response.content.decode()
        assert "Rien n&#x27;a été changé." in text
    assert (
        "une fois exactement, et aucune autre"
        in client.post(url, {"order": [SGEN, FSU], "account": ACCOUNT}).content.decode()
    )
    assert not SeatDraw.objects.exists()
    assert not AuditEntry.objects.filter(action="counting.draw").exists()


def test_a_second_draw_is_refused(tied: Scrutin) -> None:
    user = drawer(tied)
    draws.do_record_draw(tied, user, [FSU, UNSA], ACCOUNT)
    other = drawer(tied, "autre@education.gouv.fr")
    with pytest.raises(CountingRefused, match=r"a déjà été enregistré le .* par tirage@"):
        draws.do_record_draw(tied, other, [UNSA, FSU], ACCOUNT)
    client = Client()
    client.force_login(other)
    response = client.post(
        reverse("results:draw", args=[tied.pk]), {"order": [UNSA, FSU], "account": ACCOUNT}
    )
    assert response.status_code == 409
    assert SeatDraw.objects.get().order == [FSU, UNSA]
    assert AuditEntry.objects.filter(action="counting.draw").count() == 1


def test_no_draw_when_none_is_needed(decided: Scrutin) -> None:
    user = drawer(decided)
    client = Client()
    client.force_login(user)
    assert (
        "Enregistrer le tirage au sort"
        not in client.get(reverse("results:scrutin", args=[decided.pk])).content.decode()
    )
    response = client.post(
        reverse("results:draw", args=[decided.pk]), {"order": [FSU, UNSA], "account": ACCOUNT}
    )
    assert response.status_code == 409
    assert "Aucune égalité ne demande de tirage au sort" in response.content.decode()
    assert not SeatDraw.objects.exists()


def test_no_draw_before_the_result(capa_dijon: Scrutin) -> None:
    user = drawer(capa_dijon)
    with pytest.raises(CountingRefused, match="pas encore calculé"):
        draws.do_record_draw(capa_dijon, user, [FSU, UNSA], ACCOUNT)
    assert not SeatDraw.objects.exists()


def test_no_draw_after_the_proclamation(proclaimed: Scrutin) -> None:
    user = drawer(proclaimed)
    with pytest.raises(CountingRefused, match="sont proclamés : aucun tirage au sort"):
        draws.do_record_draw(proclaimed, user, [FSU, UNSA], ACCOUNT)
    assert not SeatDraw.objects.exists()


def test_only_who_may_proclaim_records_the_draw(
    tied: Scrutin, staff_organizer: User, staff_dijon: User
) -> None:
    # Reading the results is not enough: the draw is the proclaimers'.
    reader = grant_results(staff_organizer)
    client = Client()
    client.force_login(reader)
    text = client.get(reverse("results:scrutin", args=[tied.pk])).content.decode()
    assert "Égalité pour le siège 3" in text and "Enregistrer le tirage au sort" not in text
    url = reverse("results:draw", args=[tied.pk])
    assert client.post(url, {"order": [FSU, UNSA], "account": ACCOUNT}).status_code == 403
    with pytest.raises(Forbidden):
        draws.do_record_draw(tied, reader, [FSU, UNSA], ACCOUNT)
    # The permission outside one's perimeter (an academy's staff, a national scrutin).
    staff_dijon.user_permissions.add(Permission.objects.get(codename="proclaim_result"))
    client.force_login(User.objects.get(pk=staff_dijon.pk))
    assert client.post(url, {"order": [FSU, UNSA], "account": ACCOUNT}).status_code in (403, 404)
    # Anonymous: to the sign-in.
    assert Client().post(url, {"order": [FSU, UNSA], "account": ACCOUNT}).status_code == 302
    assert not SeatDraw.objects.exists()
    assert not AuditEntry.objects.filter(action="counting.draw").exists()


@pytest.fixture
def cap_order_tie(
    dijon: Academy,
    capa_dijon: Scrutin,
    seal_scrutins: SealScrutins,
    trustee_key: Exponent,
    travel: Callable[[datetime], None],
) -> Scrutin:
    """The CAPA of Dijon counted grade by grade, Hors classe 1 and Classe normale 1; votes FSU,
    FSU, UNSA, UNSA, blank: quotient 4 ÷ 2 = 2, FSU 1, UNSA 1, complete. Equal seats and votes:
    the order in which they choose their grades waits for a draw."""
    ScrutinGrade.objects.create(scrutin=capa_dijon, grade="Hors classe", seats=1)
    ScrutinGrade.objects.create(scrutin=capa_dijon, grade="Classe normale", seats=1)
    hc, cn = "Hors classe", "Classe normale"
    return decide(
        capa_dijon,
        dijon,
        seal_scrutins,
        trustee_key,
        travel,
        seats=2,
        electors=5,
        choices=[0, 0, 1, 1, None],
        grades={FSU: [hc, cn, hc, cn], UNSA: [hc, cn], SGEN: [cn, cn]},
    )


def test_the_order_of_choice_of_grades_is_drawn_and_recorded(
    cap_order_tie: Scrutin, tmp_path: Path
) -> None:
    user = drawer(cap_order_tie)
    client = Client()
    client.force_login(user)
    figures = results.figures_of(cap_order_tie)
    assert figures is not None and figures.allocation.complete and not figures.complete
    assert figures.grades is not None and figures.grades.order_tie == (FSU, UNSA)
    assert figures.lists[0].elected_titulaires == ()  # nobody named before the draw
    text = client.get(reverse("results:scrutin", args=[cap_order_tie.pk])).content.decode()
    assert "ont autant de sièges et de voix" in text and text.count('name="order"') == 2
    with pytest.raises(CountingRefused, match="choisissent leurs grades"):
        proclamation.do_proclaim(cap_order_tie, user)
    # A list not tied is refused.
    response = client.post(
        reverse("results:draw", args=[cap_order_tie.pk]),
        {"order": [SGEN, UNSA], "account": ACCOUNT},
    )
    assert response.status_code == 409
    assert "à égalité de sièges et de voix" in response.content.decode()
    assert not SeatDraw.objects.exists()

    client.post(
        reverse("results:draw", args=[cap_order_tie.pk]), {"order": [UNSA, FSU], "account": ACCOUNT}
    )
    made = SeatDraw.objects.get()
    assert (made.kind, made.seat, made.order) == ("grade_order", None, [UNSA, FSU])
    # UNSA chooses first: its first candidate, Hors classe (FSU can still have Classe normale);
    # FSU then its first candidate's grade, Hors classe, is full: its second, Classe normale.
    figures = results.figures_of(cap_order_tie)
    assert figures is not None and figures.complete
    assert figures.grades is not None and figures.grades.order == (UNSA, FSU)
    assert figures.lists[1].elected_titulaires == ("Ève EMERY",)
    assert figures.lists[0].elected_titulaires == ("Bruno BLANC",)
    pdf = pdf_text(
        client.get(reverse("results:minutes", args=[cap_order_tie.pk])).content, tmp_path
    )
    assert "fixé par tirage au sort (ordre du tirage : Liste UNSA Éducation, Liste FSU)" in pdf
    # A second draw: refused.
    with pytest.raises(CountingRefused, match="a déjà été enregistré"):
        draws.do_record_draw(cap_order_tie, user, [FSU, UNSA], ACCOUNT)
    proclamation.do_proclaim(cap_order_tie, user)
    assert Proclamation.objects.filter(scrutin=cap_order_tie).exists()
