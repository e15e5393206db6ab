"""Mon profil: what the administration knows of the elector, and their correction requests."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.campaign.conftest import text
from urne.accounts.models import User
from urne.campaign.models import Campaign, Elector, ProfileCorrectionRequest, Scrutin

PROFILE = reverse("campaign:profile")


def request_for(elector: Elector, **fields: object) -> ProfileCorrectionRequest:
    values: dict[str, object] = {
        "field": ProfileCorrectionRequest.Field.GRADE,
        "correction": "Hors classe",
        "created_at": timezone.now(),
    }
    values.update(fields)
    return ProfileCorrectionRequest.objects.create(elector=elector, **values)


def test_it_shows_every_field_of_the_profile(bob: Client, elector_bob: Elector):
    page = text(bob.get(PROFILE))

    for label, value in [
        ("Civilité", "M."),
        ("Prénom", "Bob"),
        ("Nom", "MARTIN"),
        ("Adresse de messagerie professionnelle", "bob.martin@ac-dijon.fr"),
        ("Corps", "Professeur certifié"),
        ("Grade", "Classe normale"),
        ("Établissement d'affectation", "Lycée Carnot, Dijon"),
        ("Académie", "Dijon"),
    ]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in page


def test_the_profile_writes_the_family_name_as_the_welcome_line_the_roll_and_the_mail_do(
    bob: Client, elector_bob: Elector, capa_dijon: Scrutin
):
    profile = text(bob.get(PROFILE))
    space = text(bob.get(reverse("campaign:space")))
    roll = text(bob.get(reverse("campaign:roll", args=[capa_dijon.code])))

    assert "<dt>Nom</dt><dd>MARTIN</dd>" in profile
    assert "Bienvenue, M. Bob MARTIN." in space
    assert '<th scope="row">MARTIN</th>' in roll
    assert elector_bob.salutation == "M. Bob MARTIN"  # the mail's first line
    assert "Martin<" not in profile + space + roll


def test_it_offers_the_update_until_the_deadline(bob: Client, calendar_2014: Campaign):
    page = text(bob.get(PROFILE))

    assert reverse("campaign:request_correction") in page


def test_it_lists_the_electors_requests_with_their_status_and_answer(
    bob: Client, elector_bob: Elector
):
    request_for(elector_bob)
    request_for(
        elector_bob,
        field=ProfileCorrectionRequest.Field.ESTABLISHMENT,
        correction="Collège Rameau, Dijon",
        status=ProfileCorrectionRequest.Status.REFUSED,
        staff_answer="Votre mutation prend effet après le scrutin.",
    )

    page = text(bob.get(PROFILE))

    assert "Mes demandes de mise à jour" in page
    assert "Hors classe" in page
    assert "Envoyée" in page
    assert "Collège Rameau, Dijon" in page
    assert "Refusée" in page
    assert "Votre mutation prend effet après le scrutin." in page


def test_it_never_shows_another_electors_requests(
    bob: Client, elector_bob: Elector, outsider_charlie: User
):
    assert outsider_charlie.elector is not None
    request_for(outsider_charlie.elector, correction="Secret de Charlie")

    page = text(bob.get(PROFILE))

    assert "Secret de Charlie" not in page
    assert "Mes demandes de mise à jour" not in page
