"""The lists' choices of grades in a CAP counted grade by grade (docs/results.md « The lists'
choices of grades »): recorded by whoever may record a draw, before the proclamation,
replaceable until then and journaled each time, applied to the seats per grade and the elected,
shown on the page, the exports and the procès-verbal; bad input refused with nothing changed."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.counting.test_draws import drawer
from tests.counting.test_minutes import pdf_text
from tests.counting.test_results_pages import grant_results
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.campaign.models import Scrutin
from urne.counting import preferences, proclamation, results
from urne.counting.closing import CountingRefused
from urne.counting.models import GradePreference
from urne.web.errors import Forbidden

pytestmark = pytest.mark.django_db

FSU, UNSA, SGEN = "Liste FSU", "Liste UNSA Éducation", "Liste SGEN-CFDT"
HC, CN = "Hors classe", "Classe normale"


def elected(scrutin: Scrutin) -> dict[str, tuple[str, ...]]:
    figures = results.figures_of(scrutin)
    assert figures is not None and figures.complete
    return {entry.title: entry.elected_titulaires for entry in figures.lists}


def test_a_recorded_choice_is_applied_replaced_and_journaled(cap_grade_choice: Scrutin) -> None:
    user = drawer(cap_grade_choice)
    # By list order (see `cap_grade_choice`): FSU, choosing first, its first candidate's
    # grade, Classe normale (UNSA can still have Hors classe); UNSA Hors classe.
    assert elected(cap_grade_choice) == {FSU: ("Anne ARNAUD",), UNSA: ("Ève EMERY",), SGEN: ()}
    figures = results.figures_of(cap_grade_choice)
    assert figures is not None and figures.preference_of(FSU) is None

    # FSU's delegate chose Hors classe first: FSU takes it (UNSA can still have Classe
    # normale, where it has Fanny); UNSA's Hors classe is then full: Classe normale.
    made = preferences.do_record_preference(cap_grade_choice, user, FSU, [HC, CN])
    assert (made.list_title, made.grades, made.recorded_by) == (FSU, [HC, CN], user)
    assert elected(cap_grade_choice) == {FSU: ("Chloé CHEN",), UNSA: ("Fanny FAURE",), SGEN: ()}
    figures = results.figures_of(cap_grade_choice)
    assert figures is not None
    chosen = figures.preference_of(FSU)
    assert chosen is not None and (chosen.grades, chosen.versions) == ((HC, CN), 1)
    assert figures.preference_of(UNSA) is None
    entry = AuditEntry.objects.get(action="counting.grade_preference")
    assert entry.actor_id == user.pk
    assert entry.details["list"] == FSU and entry.details["grades"] == [HC, CN]
    assert entry.details["replaces"] is None and entry.details["version"] == 1
    assert entry.details["held"] == {HC: 1}

    # Replaced before the proclamation: the latest applies, both versions kept and journaled.
    preferences.do_record_preference(cap_grade_choice, user, FSU, [CN])
    assert elected(cap_grade_choice) == {FSU: ("Anne ARNAUD",), UNSA: ("Ève EMERY",), SGEN: ()}
    assert GradePreference.objects.filter(scrutin=cap_grade_choice).count() == 2
    journal = AuditEntry.objects.filter(action="counting.grade_preference").order_by("pk")
    assert [item.details["version"] for item in journal] == [1, 2]
    latest = journal.last()
    assert latest is not None and latest.details["replaces"] == [HC, CN]
    figures = results.figures_of(cap_grade_choice)
    assert figures is not None
    chosen = figures.preference_of(FSU)
    assert chosen is not None and (chosen.grades, chosen.versions) == ((CN,), 2)

    # The proclamation takes the choice as recorded; afterwards nothing changes.
    preferences.do_record_preference(cap_grade_choice, user, FSU, [HC, CN])
    proclamation.do_proclaim(cap_grade_choice, user)
    with pytest.raises(CountingRefused, match="sont proclamés : le choix des grades"):
        preferences.do_record_preference(cap_grade_choice, user, FSU, [CN, HC])
    assert GradePreference.objects.count() == 3
    assert elected(cap_grade_choice)[FSU] == ("Chloé CHEN",)


def test_bad_choices_are_refused_and_nothing_changes(cap_grade_choice: Scrutin) -> None:
    user = drawer(cap_grade_choice)
    for title, grades, message in [
        (UNSA, [HC, "Classe exceptionnelle"], "n'a aucun candidat du grade « Classe exc"),
        (SGEN, [HC], "n'a aucun candidat du grade « Hors classe »"),
        (FSU, [HC, HC], "est nommé plusieurs fois"),
        ("Liste inconnue", [HC], "n'est pas une liste du scrutin"),
        (FSU, [], "Indiquez au moins un grade"),
        (SGEN, [CN], "n'a obtenu aucun siège"),
    ]:
        with pytest.raises(CountingRefused, match=message):
            preferences.do_record_preference(cap_grade_choice, user, title, grades)
    assert not GradePreference.objects.exists()
    assert not AuditEntry.objects.filter(action="counting.grade_preference").exists()


def test_only_a_cap_counted_by_grade_takes_choices(decided: Scrutin, capa_dijon: Scrutin) -> None:
    user = drawer(decided)
    with pytest.raises(CountingRefused, match="n'est pas une CAP dont les sièges sont répartis"):
        preferences.do_record_preference(decided, user, FSU, [HC])
    client = Client()
    client.force_login(user)
    text = client.get(reverse("results:scrutin", args=[decided.pk])).content.decode()
    assert "Enregistrer le choix des grades" not in text
    response = client.post(
        reverse("results:grade_preference", args=[decided.pk]), {"list": FSU, "grades": [HC]}
    )
    assert response.status_code == 409
    assert "n&#x27;est pas une CAP dont les sièges sont répartis par grade" in (
        response.content.decode()
    )
    assert not GradePreference.objects.exists()


def test_only_who_may_record_a_draw_records_a_choice(
    cap_grade_choice: Scrutin, staff_organizer: User, staff_dijon: User
) -> None:
    reader = grant_results(staff_organizer)
    client = Client()
    client.force_login(reader)
    page = reverse("results:scrutin", args=[cap_grade_choice.pk])
    text = client.get(page).content.decode()
    assert "Sièges par grade" in text and "Enregistrer le choix des grades" not in text
    url = reverse("results:grade_preference", args=[cap_grade_choice.pk])
    assert client.post(url, {"list": FSU, "grades": [HC, CN]}).status_code == 403
    with pytest.raises(Forbidden, match="enregistrent le choix des grades"):
        preferences.do_record_preference(cap_grade_choice, reader, FSU, [HC, CN])
    assert Client().post(url, {"list": FSU, "grades": [HC, CN]}).status_code == 302
    assert not GradePreference.objects.exists()
    assert not AuditEntry.objects.filter(action="counting.grade_preference").exists()
    # The academy's staff holding the permission: the CAPA of Dijon is in their perimeter.
    staff_dijon.user_permissions.add(Permission.objects.get(codename="proclaim_result"))
    client.force_login(User.objects.get(pk=staff_dijon.pk))
    assert client.post(url, {"list": FSU, "grades": [HC, CN]}).status_code == 302
    assert GradePreference.objects.get().recorded_by_id == staff_dijon.pk


def test_the_page_records_a_choice_and_shows_the_elected_it_gives(
    cap_grade_choice: Scrutin, tmp_path: Path
) -> None:
    user = drawer(cap_grade_choice)
    client = Client()
    client.force_login(user)
    page = reverse("results:scrutin", args=[cap_grade_choice.pk])
    text = client.get(page).content.decode()
    # One form per list that won seats, a select per grade where it has candidates.
    assert "Enregistrer le choix des grades d'une liste" in text
    assert "Enregistrer le choix de Liste FSU" in text
    assert "Enregistrer le choix de Liste UNSA Éducation" in text
    assert "Enregistrer le choix de Liste SGEN-CFDT" not in text
    assert text.count('name="grades"') == 4
    assert "selon l&#x27;ordre de ses candidats (aucun choix enregistré)" in text
    assert "Titulaires</dt><dd>Anne ARNAUD</dd>" in text

    url = reverse("results:grade_preference", args=[cap_grade_choice.pk])
    # Refused on the page: the message, nothing changed.
    response = client.post(url, {"list": FSU, "grades": [HC, HC]})
    assert response.status_code == 409
    assert "est nommé plusieurs fois" in response.content.decode()
    assert not GradePreference.objects.exists()

    done = client.post(url, {"list": FSU, "grades": [HC, ""]}, follow=True)
    text = done.content.decode()
    assert "Le choix des grades de la liste « Liste FSU » est enregistré" in text
    assert "Titulaires</dt><dd>Chloé CHEN</dd>" in text
    assert "Titulaires</dt><dd>Fanny FAURE</dd>" in text
    assert "selon le choix de la liste au bureau : Hors classe (enregistré par" in text
    assert '<option value="Hors classe" selected>' in text

    data = json.loads(client.get(reverse("results:json", args=[cap_grade_choice.pk])).content)
    fsu, unsa, _sgen = data["lists"]
    assert fsu["grades_placed_by"] == "choice" and unsa["grades_placed_by"] == "list_order"
    assert fsu["grade_preference"]["grades"] == [HC] and unsa["grade_preference"] is None
    assert fsu["elected_titulaires"] == ["Chloé CHEN"]
    assert data["grades"]["preferences"][0]["list"] == FSU
    response = client.get(reverse("results:csv", args=[cap_grade_choice.pk]))
    raw = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    choices = {row[1]: row[2] for row in rows if row[0] == "Choix des grades"}
    assert choices[FSU].startswith("selon le choix de la liste au bureau : Hors classe")
    assert choices[UNSA] == "selon l'ordre de ses candidats (aucun choix enregistré)"
    assert SGEN not in choices

    pdf = pdf_text(
        client.get(reverse("results:minutes", args=[cap_grade_choice.pk])).content, tmp_path
    )
    flat = " ".join(pdf.split())
    assert (
        "Grades de la liste Liste FSU placés selon le choix de la liste au bureau : Hors classe"
        in flat
    )
    assert "Grades de la liste Liste UNSA Éducation placés selon l'ordre de ses candidats" in flat
    assert "Grade Hors classe — titulaires : Chloé CHEN" in flat

    # Proclaimed: the form is gone, the choice stays shown.
    proclamation.do_proclaim(cap_grade_choice, user)
    text = client.get(page).content.decode()
    assert "Enregistrer le choix des grades" not in text
    assert "selon le choix de la liste au bureau : Hors classe" in text
    assert client.post(url, {"list": FSU, "grades": [CN]}).status_code == 409
    assert GradePreference.objects.count() == 1
