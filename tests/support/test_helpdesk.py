"""The helpdesk in the back office: an agent finds an elector of their perimeter (without regard
to accents or case), reads their record, rolls, account and mails — never a password, the date
of birth or a voting identifier —, resends the confirmation message and unlocks an account after
identity checks; every action audited, nothing outside the perimeter reachable."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.accounts.conftest import _cheap_argon2  # noqa: F401 (autouse: cheap hashing)
from tests.campaign.conftest import text
from tests.conftest import PASSWORD, make_account, make_elector
from urne.accounts import services as account_services
from urne.accounts import throttle
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.backoffice.models import StaffScope
from urne.campaign.models import Academy, Campaign, Elector
from urne.support import helpdesk, roles
from urne.voting.turnout import OBSERVERS_GROUP
from urne.web.errors import TooManyAttempts

SEARCH = reverse("helpdesk:search")


def elector_page(elector: Elector) -> str:
    return reverse("helpdesk:elector", args=[elector.pk])


def resend_url(elector: Elector) -> str:
    return reverse("helpdesk:resend_confirmation", args=[elector.pk])


def unlock_url(elector: Elector) -> str:
    return reverse("helpdesk:unlock", args=[elector.pk])


def join(user: User, group: str) -> User:
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def agent_dijon(client: Client, staff_dijon: User) -> Client:
    """The helpdesk of Dijon: the group « Assistance », the perimeter of Dijon."""
    client.force_login(join(staff_dijon, roles.HELPDESK_GROUP))
    return client


@pytest.fixture
def staff_lyon(lyon: Academy) -> User:
    user = User.objects.create_user("gestion@ac-lyon.fr", PASSWORD, is_staff=True, is_active=True)
    StaffScope.objects.create(user=user, academy=lyon)
    return user


@pytest.fixture
def agent_lyon(staff_lyon: User) -> Client:
    client = Client()
    client.force_login(join(staff_lyon, roles.HELPDESK_GROUP))
    return client


@pytest.fixture
def helene(campaign: Campaign, dijon: Academy) -> Elector:
    """An elector of Dijon whose names carry accents, with a date of birth on the rolls."""
    return make_elector(
        campaign,
        dijon,
        "Hélène",
        "Bœuf-Lefèvre",
        civilite="MME",
        email="helene.boeuf@ac-dijon.fr",
        establishment="Collège Émile-Zola, Chenôve",
        birth_date=date(1975, 3, 14),
    )


@pytest.fixture
def waiting(helene: Elector) -> User:
    """Hélène's account, created and not confirmed yet."""
    return make_account(helene, confirmed=False)


def lock(address: str) -> None:
    """Type wrong passwords for `address` on the login until it locks, as a stranger would."""
    request = RequestFactory().post("/compte/connexion/", REMOTE_ADDR="198.51.100.7")
    for _attempt in range(5):
        with pytest.raises(account_services.InvalidLogin):
            account_services.check_login(request, address, "pas le bon")
    with pytest.raises(TooManyAttempts):
        account_services.check_login(request, address, PASSWORD)


def logs_in(address: str) -> bool:
    request = RequestFactory().post("/compte/connexion/", REMOTE_ADDR="203.0.113.9")
    try:
        account_services.check_login(request, address, PASSWORD)
    except TooManyAttempts:
        return False
    return True


def audit_entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("sequence"))


# The groups


def test_migrate_makes_the_helpdesk_and_academy_managers_groups(db: None) -> None:
    helpdesk_rights = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="Assistance").permissions.all()
    }
    managers_rights = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="Gestionnaires académiques").permissions.all()
    }

    assert helpdesk_rights == {
        "campaign.view_elector",
        "campaign.view_profilecorrectionrequest",
        "support.resend_confirmation",
        "support.unlock_account",
    }
    assert "campaign.change_profilecorrectionrequest" not in helpdesk_rights
    assert managers_rights == {
        "campaign.view_elector",
        "campaign.view_profilecorrectionrequest",
        "campaign.change_profilecorrectionrequest",
    }


def test_the_menu_offers_the_helpdesk_to_its_agents(agent_dijon: Client) -> None:
    home = text(agent_dijon.get(reverse("backoffice:home")))

    assert f'href="{SEARCH}"' in home
    assert "Assistance aux électeurs" in home


def test_the_menu_marks_the_helpdesk_current_on_its_inner_pages(
    agent_dijon: Client, helene: Elector
) -> None:
    search = text(agent_dijon.get(SEARCH))
    inner = text(agent_dijon.get(elector_page(helene)))

    assert f'<a href="{SEARCH}" aria-current="page">' in search
    assert f'<a href="{SEARCH}" aria-current="true">' in inner


# Finding an elector


def test_a_name_typed_without_accents_or_capitals_finds_the_elector(
    agent_dijon: Client, helene: Elector, elector_bob: Elector
) -> None:
    page = text(agent_dijon.get(SEARCH, {"q": "helene boeuf"}))

    assert "1 électeur correspond à « helene boeuf »" in page
    assert elector_page(helene) in page
    assert "BŒUF-LEFÈVRE" in page
    assert elector_page(elector_bob) not in page


@pytest.mark.parametrize(
    "query",
    ["LEFEVRE", "lefèvre", "helene.boeuf@ac-dijon", "college emile zola", "CHENOVE", "Hél Bœuf"],
)
def test_it_finds_by_name_address_or_establishment(
    agent_dijon: Client, helene: Elector, query: str
) -> None:
    page = text(agent_dijon.get(SEARCH, {"q": query}))

    assert elector_page(helene) in page


def test_every_word_must_match(agent_dijon: Client, helene: Elector) -> None:
    page = text(agent_dijon.get(SEARCH, {"q": "helene carnot"}))

    assert "Aucun électeur de votre périmètre ne correspond" in page
    assert elector_page(helene) not in page


def test_a_query_too_short_is_refused_with_a_reason(agent_dijon: Client, helene: Elector) -> None:
    response = agent_dijon.get(SEARCH, {"q": "é"})

    assert response.status_code == 400
    assert "Saisissez au moins 2 lettres ou chiffres" in text(response)


def test_results_are_paginated(agent_dijon: Client, campaign: Campaign, dijon: Academy) -> None:
    for number in range(helpdesk.SEARCH_PAGE_SIZE + 2):
        make_elector(campaign, dijon, f"Prénom{number:02d}", "Dupont")

    first = text(agent_dijon.get(SEARCH, {"q": "dupont"}))
    second = text(agent_dijon.get(SEARCH, {"q": "dupont", "page": "2"}))

    assert "27 électeurs correspondent" in first
    assert "Page 1 sur 2" in first and "Prénom00" in first and "Prénom26" not in first
    assert "Page 2 sur 2" in second and "Prénom26" in second


def test_an_agent_of_dijon_does_not_find_an_elector_of_lyon(
    agent_dijon: Client, outsider_charlie: User
) -> None:
    page = text(agent_dijon.get(SEARCH, {"q": "charlie durand"}))

    assert "Aucun électeur de votre périmètre ne correspond" in page
    assert "DURAND" not in page


def test_campaign_wide_staff_find_every_academy(
    client: Client, staff_organizer: User, outsider_charlie: User, helene: Elector
) -> None:
    client.force_login(join(staff_organizer, roles.HELPDESK_GROUP))

    assert "DURAND" in text(client.get(SEARCH, {"q": "durand"}))
    assert "BŒUF" in text(client.get(SEARCH, {"q": "boeuf"}))


# An elector's page


def test_the_page_shows_the_record_rolls_account_and_mails(
    agent_dijon: Client, helene: Elector, waiting: User, capa_dijon: Any
) -> None:
    helene.scrutins.add(capa_dijon)

    page = text(agent_dijon.get(elector_page(helene)))

    assert "Mme Hélène BŒUF-LEFÈVRE" in page
    assert "Collège Émile-Zola, Chenôve" in page
    assert "CAPA des professeurs certifiés de Dijon" in page
    assert "Compte créé, en attente de confirmation" in page
    assert "Message de confirmation du compte, envoyé à sa création" in page
    assert "Renvoyer le message de confirmation" in page


def test_the_page_never_shows_the_password_hash_nor_the_date_of_birth(
    agent_dijon: Client, helene: Elector, waiting: User
) -> None:
    page = text(agent_dijon.get(elector_page(helene)))

    assert waiting.password not in page
    assert "argon2" not in page
    assert "1975" not in page and "14/03" not in page and "14 mars" not in page
    assert "Connue de la liste électorale, jamais affichée" in page


@pytest.mark.parametrize(
    ("arrange", "state"),
    [
        ("none", "Aucun compte"),
        ("waiting", "Compte créé, en attente de confirmation"),
        ("confirmed", "Compte confirmé"),
        ("disabled", "Compte désactivé par la gestion"),
    ],
)
def test_the_account_state_is_read(
    agent_dijon: Client, helene: Elector, arrange: str, state: str
) -> None:
    if arrange != "none":
        account = make_account(helene, confirmed=arrange != "waiting")
        if arrange == "disabled":
            account.is_active = False
            account.save()

    page = text(agent_dijon.get(elector_page(helene)))

    assert state in page


def test_a_locked_account_shows_as_locked(agent_dijon: Client, voter_bob: User) -> None:
    assert voter_bob.elector is not None
    lock(voter_bob.email)

    page = text(agent_dijon.get(elector_page(voter_bob.elector)))

    assert "Bloquée : trop de mots de passe erronés" in page
    assert "Débloquer la connexion" in page


def test_a_staff_account_linked_to_an_elector_is_not_shown(
    agent_dijon: Client, helene: Elector
) -> None:
    User.objects.create_user(helene.email, PASSWORD, elector=helene, is_staff=True)

    page = text(agent_dijon.get(elector_page(helene)))

    assert "Aucun compte" in page


def test_an_elector_of_lyon_is_answered_as_if_absent(
    agent_dijon: Client, outsider_charlie: User
) -> None:
    assert outsider_charlie.elector is not None

    response = agent_dijon.get(elector_page(outsider_charlie.elector))

    assert response.status_code == 404
    assert "DURAND" not in text(response)


def test_an_unknown_elector_is_a_404(agent_dijon: Client, db: None) -> None:
    assert agent_dijon.get(reverse("helpdesk:elector", args=[999999])).status_code == 404


def test_pages_need_the_right_to_read_electors(
    client: Client, staff_dijon: User, helene: Elector
) -> None:
    client.force_login(join(staff_dijon, OBSERVERS_GROUP))

    assert client.get(SEARCH).status_code == 403
    assert client.get(elector_page(helene)).status_code == 403
    assert client.post(resend_url(helene)).status_code == 403


# Resending the confirmation message


def test_the_agent_resends_the_confirmation_message(
    agent_dijon: Client,
    staff_dijon: User,
    helene: Elector,
    waiting: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_dijon.post(resend_url(helene), follow=True)

    assert "Le message de confirmation a été renvoyé" in text(response)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["helene.boeuf@ac-dijon.fr"]
    assert "confirmez votre compte électeur" in mail.outbox[0].subject
    (entry,) = audit_entries(helpdesk.RESEND_ACTION)
    assert entry.actor_label == staff_dijon.email
    assert (entry.object_type, entry.object_id) == ("campaign.elector", str(helene.pk))
    assert entry.academy_id == helene.academy_id
    assert "Message de confirmation renvoyé par l'assistance (gestion@ac-dijon.fr)" in text(
        agent_dijon.get(elector_page(helene))
    )


def test_resending_is_limited_per_address(
    agent_dijon: Client, helene: Elector, waiting: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for _time in range(3):
            agent_dijon.post(resend_url(helene))
        refused = agent_dijon.post(resend_url(helene))

    assert refused.status_code == 429
    assert "Trop de demandes ont été faites pour cette adresse" in text(refused)
    assert len(mail.outbox) == 3
    assert len(audit_entries(helpdesk.RESEND_ACTION)) == 3


@pytest.mark.parametrize("confirmed", [None, True])
def test_only_an_account_waiting_for_confirmation_gets_it(
    agent_dijon: Client,
    helene: Elector,
    confirmed: bool | None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    if confirmed is not None:
        make_account(helene, confirmed=confirmed)

    with django_capture_on_commit_callbacks(execute=True):
        response = agent_dijon.post(resend_url(helene))

    assert response.status_code == 400
    assert ("n'a pas de compte" if confirmed is None else "n'attend pas de confirmation") in text(
        response
    )
    assert mail.outbox == []
    assert audit_entries(helpdesk.RESEND_ACTION) == []


def test_an_agent_of_lyon_cannot_resend_to_dijon_by_a_forged_form(
    agent_lyon: Client, helene: Elector, waiting: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_lyon.post(resend_url(helene))

    assert response.status_code == 404
    assert mail.outbox == []
    assert audit_entries(helpdesk.RESEND_ACTION) == []


def test_resending_needs_its_own_right(
    client: Client, staff_dijon: User, helene: Elector, waiting: User
) -> None:
    client.force_login(join(staff_dijon, roles.ACADEMY_MANAGERS_GROUP))

    page = text(client.get(elector_page(helene)))
    response = client.post(resend_url(helene))

    assert "Renvoyer le message de confirmation" not in page
    assert response.status_code == 403
    assert audit_entries(helpdesk.RESEND_ACTION) == []
    with pytest.raises(helpdesk.ActionNotPermitted):
        helpdesk.check_resend_confirmation(staff_dijon, helene)


def test_reading_is_get_only_and_actions_post_only(agent_dijon: Client, helene: Elector) -> None:
    assert agent_dijon.post(elector_page(helene)).status_code == 405
    assert agent_dijon.get(resend_url(helene)).status_code == 405
    assert agent_dijon.get(unlock_url(helene)).status_code == 405


# Unlocking an account


def test_the_agent_unlocks_a_locked_account_after_two_checks(
    agent_dijon: Client, staff_dijon: User, helene: Elector
) -> None:
    make_account(helene)
    lock(helene.email)
    assert not logs_in(helene.email)

    response = agent_dijon.post(
        unlock_url(helene),
        {"checks": ["birth_date", "establishment"], "birth_date": "1975-03-14"},
        follow=True,
    )

    assert "est débloqué" in text(response)
    assert throttle.login_locked(helene.email) is False
    assert logs_in(helene.email)
    (entry,) = audit_entries(helpdesk.UNLOCK_ACTION)
    assert entry.actor_label == staff_dijon.email
    assert entry.object_id == str(helene.pk)
    assert entry.details == {"checks": ["birth_date", "establishment"]}
    assert "1975" not in str(entry.details)


def test_a_wrong_date_of_birth_unlocks_nothing_and_is_audited(
    agent_dijon: Client, helene: Elector
) -> None:
    make_account(helene)
    lock(helene.email)

    response = agent_dijon.post(
        unlock_url(helene),
        {"checks": ["birth_date", "establishment"], "birth_date": "1975-03-15"},
    )

    assert response.status_code == 400
    assert "ne correspond pas à celle de la liste électorale" in text(response)
    assert throttle.login_locked(helene.email) is True
    assert audit_entries(helpdesk.UNLOCK_ACTION) == []
    (refused,) = audit_entries(helpdesk.UNLOCK_REFUSED_ACTION)
    assert refused.details == {"reason": "birth_date_mismatch"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"checks": ["establishment"]}, "Cochez au moins 2 vérifications"),
        ({}, "Cochez au moins 2 vérifications"),
        ({"checks": ["establishment", "numen"]}, "Sélectionnez un choix valide"),
        ({"checks": ["establishment", "birth_date"]}, "Saisissez la date de naissance"),
        ({"checks": ["email", "birth_date"], "birth_date": "14/03/1975x"}, "Saisissez une date"),
    ],
)
def test_bad_checks_are_refused_with_a_reason(
    agent_dijon: Client, helene: Elector, data: dict[str, Any], message: str
) -> None:
    make_account(helene)
    lock(helene.email)

    response = agent_dijon.post(unlock_url(helene), data)

    assert response.status_code == 400
    assert message in text(response)
    assert throttle.login_locked(helene.email) is True
    assert audit_entries(helpdesk.UNLOCK_ACTION) == []


def test_the_date_of_birth_cannot_be_a_check_when_the_rolls_lack_it(
    agent_dijon: Client, voter_bob: User
) -> None:
    bob = voter_bob.elector
    assert bob is not None and bob.birth_date is None
    lock(voter_bob.email)

    response = agent_dijon.post(
        unlock_url(bob), {"checks": ["birth_date", "email"], "birth_date": "1980-01-01"}
    )

    assert response.status_code == 400
    assert "ne donne pas la date de naissance" in text(response)
    assert throttle.login_locked(voter_bob.email) is True


def test_an_account_that_is_not_locked_is_not_unlocked(
    agent_dijon: Client, voter_bob: User
) -> None:
    assert voter_bob.elector is not None

    response = agent_dijon.post(
        unlock_url(voter_bob.elector), {"checks": ["establishment", "email"]}
    )

    assert response.status_code == 400
    assert "Ce compte n'est pas bloqué" in text(response)
    assert audit_entries(helpdesk.UNLOCK_ACTION) == []


def test_an_agent_of_lyon_cannot_unlock_an_account_of_dijon(
    agent_lyon: Client, voter_bob: User
) -> None:
    assert voter_bob.elector is not None
    lock(voter_bob.email)

    response = agent_lyon.post(
        unlock_url(voter_bob.elector), {"checks": ["establishment", "email"]}
    )

    assert response.status_code == 404
    assert throttle.login_locked(voter_bob.email) is True
    assert audit_entries(helpdesk.UNLOCK_ACTION) == []


def test_unlocking_needs_its_own_right(client: Client, staff_dijon: User, voter_bob: User) -> None:
    assert voter_bob.elector is not None
    staff_dijon.user_permissions.add(Permission.objects.get(codename="view_elector"))
    client.force_login(staff_dijon)
    lock(voter_bob.email)

    response = client.post(unlock_url(voter_bob.elector), {"checks": ["establishment", "email"]})

    assert response.status_code == 403
    assert throttle.login_locked(voter_bob.email) is True


def test_the_service_refuses_out_of_perimeter_even_when_called_directly(
    staff_lyon: User, voter_bob: User
) -> None:
    assert voter_bob.elector is not None
    join(staff_lyon, roles.HELPDESK_GROUP)
    lock(voter_bob.email)

    with pytest.raises(Exception, match="périmètre"):
        helpdesk.check_unlock_account(
            staff_lyon, voter_bob.elector, ["establishment", "email"], None
        )


def test_many_electors_found_are_paged_and_the_search_is_kept_from_page_to_page(
    agent_dijon: Client, campaign: Campaign, dijon: Academy
) -> None:
    for index in range(helpdesk.SEARCH_PAGE_SIZE + 3):
        make_elector(campaign, dijon, f"Prénom{index:02d}", "Lefèvre")

    first = text(agent_dijon.get(SEARCH, {"q": "lefevre"}))
    second = text(agent_dijon.get(SEARCH, {"q": "lefevre", "page": "2"}))

    assert "Page 1 sur 2" in first
    assert 'href="?q=lefevre&page=2"' in first  # entities decoded by text()
    assert "Page 2 sur 2" in second
    assert second.lower().count("lefèvre") >= 3
