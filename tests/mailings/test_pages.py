"""The mailings' pages: who may write to whom (per role and perimeter, forged forms and typed
addresses included), what bad input gets, the preview, the send, its progress and its export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import reschedule
from tests.mailings.helpers import draft
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.backoffice import access
from urne.campaign.models import Academy, Campaign, Elector, Scrutin
from urne.mailings import services
from urne.mailings.models import Kind, Mailing

pytestmark = pytest.mark.django_db

INDEX = reverse("mailings:index")
NEW = reverse("mailings:new")


def form_data(target: str, **extra: object) -> dict[str, object]:
    return {
        "kind": Kind.ACCOUNT_REMINDER,
        "target": target,
        "scrutin": "",
        "subject": "Votre compte électeur",
        "body": "{salutation}\nCréez votre compte : {creation_compte}\n",
        **extra,
    }


def logged(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# --- Who gets in ---------------------------------------------------------------------------------


def test_the_senders_group_holds_the_permission(db: None) -> None:
    group = Group.objects.get(name=services.SENDERS_GROUP)
    assert list(group.permissions.values_list("codename", flat=True)) == ["send_mailing"]


def test_staff_without_the_permission_are_refused_and_do_not_see_the_section(
    client: Client, staff_dijon: User
) -> None:
    logged(client, staff_dijon)

    assert client.get(INDEX).status_code == 403
    assert client.get(NEW).status_code == 403
    assert INDEX not in client.get(reverse("backoffice:home")).content.decode()


def test_a_sender_sees_the_section(client: Client, sender_dijon: User) -> None:
    home = logged(client, sender_dijon).get(reverse("backoffice:home")).content.decode()

    assert f'href="{INDEX}"' in home
    assert client.get(INDEX).status_code == 200


def test_a_visitor_is_sent_to_sign_in(client: Client, db: None) -> None:
    assert client.get(INDEX).status_code == 302


# --- Where they may write ------------------------------------------------------------------------


def test_academy_staff_are_offered_their_academy_only(
    client: Client, sender_dijon: User, dijon: Academy, lyon: Academy, capa_lyon: Scrutin
) -> None:
    page = logged(client, sender_dijon).get(NEW).content.decode()

    assert f'value="a{dijon.pk}"' in page
    assert f'value="a{lyon.pk}"' not in page
    assert "Toute la campagne" not in page
    assert "CAPA des professeurs certifiés de Lyon" not in page


def test_the_organizer_is_offered_the_campaign_and_every_academy(
    client: Client, sender_organizer: User, campaign: Campaign, dijon: Academy, lyon: Academy
) -> None:
    page = logged(client, sender_organizer).get(NEW).content.decode()

    for value in (f"c{campaign.pk}", f"a{dijon.pk}", f"a{lyon.pk}"):
        assert f'value="{value}"' in page


@pytest.mark.parametrize("forged", ["lyon", "campaign"])
def test_dijons_staff_cannot_target_beyond_dijon_by_a_forged_form(
    client: Client,
    sender_dijon: User,
    campaign: Campaign,
    lyon: Academy,
    roll: dict[str, Elector],
    forged: str,
) -> None:
    target = f"a{lyon.pk}" if forged == "lyon" else f"c{campaign.pk}"

    response = logged(client, sender_dijon).post(NEW, form_data(target))

    assert response.status_code == 200
    assert "Le formulaire contient des erreurs" in response.content.decode()
    assert not Mailing.objects.exists()


def test_dijons_staff_cannot_target_lyons_scrutin_by_a_forged_form(
    client: Client, sender_dijon: User, dijon: Academy, capa_lyon: Scrutin
) -> None:
    response = logged(client, sender_dijon).post(
        NEW, form_data(f"a{dijon.pk}", scrutin=capa_lyon.pk)
    )

    assert response.status_code == 200
    assert not Mailing.objects.exists()


def test_the_rule_holds_below_the_form_too(
    sender_dijon: User, campaign: Campaign, dijon: Academy, lyon: Academy, capa_lyon: Scrutin
) -> None:
    with pytest.raises(access.OutOfScope):
        services.check_target(sender_dijon, campaign, lyon, None)
    with pytest.raises(access.OutOfScope):
        services.check_target(sender_dijon, campaign, None, None)
    with pytest.raises(access.OutOfScope):
        services.check_target(sender_dijon, campaign, dijon, capa_lyon)


def test_an_academys_mailing_may_name_a_national_scrutin_not_another_academys(
    client: Client,
    sender_organizer: User,
    dijon: Academy,
    csa_national: Scrutin,
    capa_lyon: Scrutin,
) -> None:
    logged(client, sender_organizer)
    response = client.post(NEW, form_data(f"a{dijon.pk}", scrutin=capa_lyon.pk))
    assert "n&#x27;est pas celui de ce périmètre" in response.content.decode()
    assert not Mailing.objects.exists()

    response = client.post(NEW, form_data(f"a{dijon.pk}", scrutin=csa_national.pk))
    mailing = Mailing.objects.get()
    assert response["Location"] == reverse("mailings:detail", args=[mailing.pk])
    assert (mailing.academy, mailing.scrutin) == (dijon, csa_national)


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("mailings:detail", "get"),
        ("mailings:edit", "get"),
        ("mailings:edit", "post"),
        ("mailings:send", "post"),
        ("mailings:resume", "post"),
        ("mailings:progress", "get"),
        ("mailings:sends_csv", "get"),
    ],
)
@pytest.mark.parametrize("perimeter", ["lyon", "campaign"])
def test_another_perimeters_mailing_does_not_exist_for_dijons_staff(
    client: Client,
    sender_dijon: User,
    sender_organizer: User,
    campaign: Campaign,
    lyon: Academy,
    roll: dict[str, Elector],
    name: str,
    method: str,
    perimeter: str,
) -> None:
    mailing = draft(
        sender_organizer, campaign=campaign, academy=lyon if perimeter == "lyon" else None
    )
    url = reverse(name, args=[mailing.pk])

    response = getattr(logged(client, sender_dijon), method)(url, form_data(f"a{lyon.pk}"))

    assert response.status_code == 404
    assert mail.outbox == []
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    assert mailing.subject != "Votre compte électeur"
    assert mailing.subject not in client.get(INDEX).content.decode()


# --- Bad input -----------------------------------------------------------------------------------


def test_an_empty_subject_is_refused_with_its_reason(
    client: Client, sender_dijon: User, dijon: Academy
) -> None:
    response = logged(client, sender_dijon).post(NEW, form_data(f"a{dijon.pk}", subject="  "))

    page = response.content.decode()
    assert "L&#x27;objet du message est vide." in page
    assert 'href="#id_subject"' in page
    assert not Mailing.objects.exists()


def test_an_unknown_placeholder_is_refused_naming_it(
    client: Client, sender_dijon: User, dijon: Academy
) -> None:
    response = logged(client, sender_dijon).post(
        NEW, form_data(f"a{dijon.pk}", body="Bonjour {Prénom} {nom}, {date_limite}")
    )

    page = response.content.decode()
    assert "Champ inconnu : {Prénom}, {date_limite}." in page
    assert "{salutation}" in page  # the list of those that exist
    assert not Mailing.objects.exists()


def test_the_services_refuse_bad_text_whoever_calls(
    sender_dijon: User, campaign: Campaign, dijon: Academy
) -> None:
    from tests.mailings.helpers import request_of
    from urne.mailings.composing import InvalidText

    for subject, body in [("", "Texte"), ("Objet", " \n"), ("Objet {x}", "Texte")]:
        with pytest.raises(InvalidText):
            services.do_create_mailing(
                request_of(sender_dijon),
                services.Draft(Kind.ACCOUNT_REMINDER, campaign, dijon, None, subject, body),
            )
    assert not Mailing.objects.exists()


# --- Compose, preview, send ----------------------------------------------------------------------


def test_a_new_mailing_starts_from_its_kinds_text(client: Client, sender_dijon: User) -> None:
    page = logged(client, sender_dijon).get(f"{NEW}?type=vote_reminder").content.decode()

    assert "Elections professionnelles 2014 : vous n&#x27;avez pas encore voté" in page
    assert "{scrutins}" in page and "{portail}" in page


def test_the_preview_shows_a_real_recipient_and_the_count(
    client: Client, sender_dijon: User, dijon: Academy, roll: dict[str, Elector]
) -> None:
    logged(client, sender_dijon)
    response = client.post(NEW, form_data(f"a{dijon.pk}"))
    mailing = Mailing.objects.get()
    assert AuditEntry.objects.filter(action="mailing.create", object_id=str(mailing.pk)).exists()

    page = client.get(response["Location"]).content.decode()

    # Dijon's electors without a confirmed account: Alice and Denis; Alice comes first by name.
    assert "2 destinataires aujourd'hui." in page
    assert "alice.bernard@ac-dijon.fr" in page
    assert "Mme Alice BERNARD\nCréez votre compte : http://127.0.0.1:8000/compte/creer/" in page
    assert "Envoyer aux 2 destinataires" in page
    assert mail.outbox == []


def test_sending_from_the_page_then_progress_list_and_export(
    client: Client,
    sender_dijon: User,
    dijon: Academy,
    roll: dict[str, Elector],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailing = draft(sender_dijon, campaign=dijon.campaign, academy=dijon)
    logged(client, sender_dijon)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mailings:send", args=[mailing.pk]))

    page = client.get(response["Location"]).content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == [roll["alice"].email, roll["denis"].email]
    assert "Terminé" in page
    assert '<span data-field="done">2</span> traités sur <span data-field="total">2</span>' in page
    assert '<th scope="row">BERNARD</th>' in page
    assert "backoffice/progress.js" not in page  # finished: nothing to poll

    state = client.get(reverse("mailings:progress", args=[mailing.pk])).json()
    assert (state["finished"], state["sent"], state["total"], state["failed"]) == (True, 2, 2, 0)

    response = client.get(reverse("mailings:sends_csv", args=[mailing.pk]))
    text = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Nom", "Prénom", "Académie", "Adresse", "État", "Le", "Erreur"]
    assert [(r[0], r[4]) for r in rows[1:]] == [("BERNARD", "Envoyé"), ("PETIT", "Envoyé")]
    assert AuditEntry.objects.filter(action="mailing.export", object_id=str(mailing.pk)).exists()

    # Sent already: a second send (a double click, a forged post) changes nothing.
    mail.outbox.clear()
    response = client.post(reverse("mailings:send", args=[mailing.pk]), follow=True)
    assert "déjà parti" in response.content.decode()
    assert mail.outbox == []
    assert client.get(reverse("mailings:edit", args=[mailing.pk])).status_code == 302


def test_a_vote_reminder_outside_the_vote_is_previewed_but_refused(
    client: Client, sender_dijon: User, campaign: Campaign, dijon: Academy, roll
) -> None:
    now = campaign.vote_opens_at
    reschedule(
        campaign, vote_opens_at=now + timedelta(days=2), vote_closes_at=now + timedelta(days=9)
    )
    mailing = draft(sender_dijon, Kind.VOTE_REMINDER, campaign=campaign, academy=dijon)
    logged(client, sender_dijon)

    page = client.get(reverse("mailings:detail", args=[mailing.pk])).content.decode()
    assert "Le vote n&#x27;est pas ouvert" in page
    assert "Envoyer aux" not in page

    response = client.post(reverse("mailings:send", args=[mailing.pk]), follow=True)
    assert "Le vote n&#x27;est pas ouvert" in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    assert mail.outbox == []


def test_a_draft_can_be_changed_and_the_change_is_audited(
    client: Client, sender_dijon: User, dijon: Academy, roll
) -> None:
    mailing = draft(sender_dijon, campaign=dijon.campaign, academy=dijon)
    logged(client, sender_dijon)
    edit = reverse("mailings:edit", args=[mailing.pk])
    assert "votre compte électeur n&#x27;est pas encore activé" in client.get(edit).content.decode()

    client.post(edit, form_data(f"a{dijon.pk}", subject="Dernier rappel"))

    mailing.refresh_from_db()
    assert mailing.subject == "Dernier rappel"
    assert AuditEntry.objects.filter(action="mailing.update", object_id=str(mailing.pk)).exists()
