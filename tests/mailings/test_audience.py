"""Who each kind of mailing goes to: the rule per kind, within the perimeter and the scrutin; a
vote reminder reads the émargement (who voted where), never the ballot box."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.mailings.helpers import draft, recipients, send_now
from tests.voting.conftest import SealScrutins, cast
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign, Elector, Scrutin
from urne.mailings import audience, composing
from urne.mailings.models import Kind
from urne.voting.models import ScrutinElection

pytestmark = pytest.mark.django_db


def names(mailing_recipients: object) -> list[str]:
    return sorted(e.first_name for e in mailing_recipients)  # type: ignore[attr-defined]


def test_an_invitation_is_for_electors_without_an_account_never_invited(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User
) -> None:
    Elector.objects.filter(pk=roll["emma"].pk).update(invitation_sent_at=campaign.accounts_open_at)

    mailing = draft(sender_organizer, Kind.INVITATION, campaign=campaign)

    assert names(audience.recipients(mailing)) == ["Alice"]


def test_an_account_reminder_is_for_electors_without_a_confirmed_account(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User, dijon: Academy
) -> None:
    everywhere = draft(sender_organizer, campaign=campaign)
    in_dijon = draft(sender_organizer, campaign=campaign, academy=dijon)

    assert names(audience.recipients(everywhere)) == ["Alice", "Denis", "Emma"]
    assert names(audience.recipients(in_dijon)) == ["Alice", "Denis"]


def test_a_scrutin_narrows_to_its_roll(
    campaign: Campaign, roll: dict[str, Elector], sender_organizer: User, capa_dijon: Scrutin
) -> None:
    mailing = draft(sender_organizer, campaign=campaign, scrutin=capa_dijon)

    # Dijon's CAPA: Bob and Alice are on its roll; Bob has his account.
    assert names(audience.recipients(mailing)) == ["Alice"]


def test_a_vote_reminder_goes_to_those_who_have_not_voted_where_they_may(
    campaign: Campaign,
    roll: dict[str, Elector],
    sender_organizer: User,
    sender_dijon: User,
    dijon: Academy,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    seal_scrutins: SealScrutins,
) -> None:
    identifiers = seal_scrutins(csa_national)
    election = ScrutinElection.objects.get(scrutin=csa_national)
    cast(election, roll["bob"], identifiers.of(roll["bob"]), 0)
    cast(election, roll["emma"], identifiers.of(roll["emma"]), None)

    national = draft(sender_organizer, Kind.VOTE_REMINDER, campaign=campaign, scrutin=csa_national)
    anywhere = draft(sender_organizer, Kind.VOTE_REMINDER, campaign=campaign)
    dijon_csa = draft(
        sender_dijon, Kind.VOTE_REMINDER, campaign=campaign, academy=dijon, scrutin=csa_national
    )

    # The national CSA: Bob and Emma voted; Alice, Denis, Charlie did not.
    assert names(audience.recipients(national)) == ["Alice", "Charlie", "Denis"]
    # Any scrutin: Bob has not voted in Dijon's CAPA yet; Emma voted in her only one.
    assert names(audience.recipients(anywhere)) == ["Alice", "Bob", "Charlie", "Denis"]
    assert names(audience.recipients(dijon_csa)) == ["Alice", "Denis"]
    # Bob's reminder names the scrutin he has not voted in, not the one he has.
    assert composing.fill("{scrutins}", anywhere, roll["bob"]) == capa_dijon.name
    assert composing.fill("{scrutins}", anywhere, roll["alice"]) == ", ".join(
        sorted([capa_dijon.name, csa_national.name])
    )

    send_now(sender_dijon, dijon_csa)
    assert recipients() == [roll["alice"].email, roll["denis"].email]
    body = " ".join(mail.outbox[0].body.split())
    assert f"Vous n'avez pas encore voté pour : {csa_national.name}." in body
    assert "http://127.0.0.1:8000/compte/connexion/" in body


def test_the_default_invitation_text_is_the_invitation_mails_own(campaign: Campaign) -> None:
    subject, body = composing.default_text(Kind.INVITATION, campaign)

    assert subject == "Elections professionnelles 2014 : créez votre compte électeur"
    assert body.startswith("{salutation}\n")
    assert "« {campagne} » se dérouleront du {debut_vote} au {fin_vote}." in body
    assert "{creation_compte}" in body and "{assistance_courriel}" in body
    assert composing.unknown_placeholders(subject + body) == []


@pytest.mark.parametrize("kind", Kind.values)
def test_every_default_text_uses_known_placeholders_only(campaign: Campaign, kind: str) -> None:
    subject, body = composing.default_text(kind, campaign)
    assert composing.unknown_placeholders(subject + body) == []
    assert "{salutation}" in body
