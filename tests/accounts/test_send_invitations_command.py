"""`urne send_invitations [--campaign ID]`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.accounts.mailbackends import RefusingBackend
from tests.conftest import paris
from urne.campaign.models import Campaign


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_invitations", *args, stdout=out)
    return out.getvalue()


def test_it_invites_the_electors_of_the_campaign(campaign: Campaign, elector_alice) -> None:
    output = run("--campaign", str(campaign.pk))

    assert output == "Élections professionnelles 2014 : 1 invitation(s) envoyée(s), 0 en échec.\n"
    assert [m.to for m in mail.outbox] == [["alice.bernard@ac-dijon.fr"]]


def test_without_a_campaign_it_takes_those_open_for_accounts(campaign, elector_alice) -> None:
    run()
    output = run()

    assert "0 invitation(s) envoyée(s)" in output
    assert len(mail.outbox) == 1


def test_an_unknown_campaign_is_an_error(db: None) -> None:
    with pytest.raises(CommandError, match="Aucune campagne n'a l'identifiant 999"):
        run("--campaign", "999")


def test_a_campaign_not_open_yet_is_an_error(campaign_2014, travel) -> None:
    travel(paris(2014, 9, 1, 9, 0))

    with pytest.raises(CommandError, match="n'ouvre que le 22 septembre 2014"):
        run("--campaign", str(campaign_2014.pk))
    with pytest.raises(CommandError, match="Aucune campagne n'a sa création de comptes ouverte"):
        run()
    assert mail.outbox == []


def test_failures_make_the_command_fail_and_say_how_to_retry(
    campaign: Campaign, elector_alice, settings
) -> None:
    settings.EMAIL_BACKEND = "tests.accounts.mailbackends.RefusingBackend"
    RefusingBackend.refused = {"alice.bernard@ac-dijon.fr"}
    try:
        with pytest.raises(CommandError, match="relancez la commande"):
            run("--campaign", str(campaign.pk))
    finally:
        RefusingBackend.refused = set()
