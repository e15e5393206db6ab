"""The database's side of the stack's tests, run in a process of its own with the stack's
environment (production settings, the stack's PostgreSQL): each step prints one JSON line.

    python -m tests.operations.stack_scenario prepare ELECTORS UNINVITED
    python -m tests.operations.stack_scenario mailing
    python -m tests.operations.stack_scenario mailing-state ID
    python -m tests.operations.stack_scenario age-mailing ID
    python -m tests.operations.stack_scenario check

`prepare` makes what a campaign has when its vote is open: one sealed national scrutin, ELECTORS
electors on its roll with a confirmed account (the tests' password) and each the ballot their
voting identifier makes (made with the core, as the booth would), and UNINVITED electors without
an account, the recipients of the invitations' mailing.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from unittest import mock

import django


def prepare(electors: int, uninvited: int) -> dict[str, object]:
    from tests.conftest import PASSWORD, make_academy, make_account, make_campaign, make_elector
    from tests.voting.casting import ballot_text
    from tests.voting.conftest import Identifiers, add_lists, give_credentials
    from urne import clock
    from urne.campaign.models import RollEntry, Scrutin
    from urne.crypto.group import BELENIOS_2048
    from urne.crypto.jsonio import dumps
    from urne.crypto.trustees import SingleTrustee, make_trustee_key, trustees_to_json
    from urne.sealing.services import do_seal_campaign
    from urne.voting import setup
    from urne.voting.models import ScrutinElection

    campaign = make_campaign()
    dijon = make_academy(campaign, "Dijon", "03.80.44.89.95")
    scrutin = Scrutin.objects.create(
        campaign=campaign,
        code="csa-men",
        name="CSA ministériel de l'éducation nationale",
        level=Scrutin.Level.NATIONAL,
        kind=Scrutin.Kind.CSA,
        seats=15,
    )
    voters = [make_elector(campaign, dijon, f"Votant{n}", "Martin") for n in range(electors)]
    for person in voters:
        RollEntry.objects.create(scrutin=scrutin, elector=person)
        make_account(person)
    others = [make_elector(campaign, dijon, f"Invite{n}", "Durand") for n in range(uninvited)]
    _, public = make_trustee_key(BELENIOS_2048)
    identifiers = Identifiers()
    with mock.patch.object(clock, "now", return_value=campaign.vote_opens_at - timedelta(days=1)):
        add_lists(scrutin)
        setup.do_prepare_elections(campaign)
        setup.do_set_trustees(scrutin, dumps(trustees_to_json([SingleTrustee(public)])))
        give_credentials(ScrutinElection.objects.get(scrutin=scrutin), identifiers)
        election = setup.do_seal_election(scrutin)
        do_seal_campaign(None, campaign)  # the campaign's seal: without it, no ballot is taken
    return {
        "uuid": election.uuid,
        "password": PASSWORD,
        "voters": [
            {"email": p.email, "ballot": ballot_text(scrutin, identifiers.of(p), 1 + n % 3)}
            for n, p in enumerate(voters)
        ],
        "uninvited": [p.email for p in others],
    }


def mailing() -> dict[str, object]:
    """The campaign's invitations, queued for the Celery worker as `urne send_invitations` does."""
    from urne.campaign.models import Campaign
    from urne.mailings.services import make_invitations_mailing
    from urne.mailings.tasks import send_mailing

    made = make_invitations_mailing(Campaign.objects.get())
    send_mailing.delay(made.pk)
    return {"mailing": made.pk}


def mailing_state(pk: int) -> dict[str, object]:
    from django.db.models import Count

    from urne.mailings.models import Mailing, Send

    made = Mailing.objects.get(pk=pk)
    sends = Send.objects.filter(mailing=made)
    return {
        "status": made.status,
        "sends": dict(
            sends.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        ),
        "sent_to": sorted(
            sends.filter(status=Send.Status.SENT).values_list("elector__email", flat=True)
        ),
        "interrupted": sorted(
            sends.filter(status=Send.Status.INTERRUPTED).values_list("elector__email", flat=True)
        ),
    }


def age_mailing(pk: int) -> dict[str, object]:
    """As if the run's five minutes of silence (STALE_AFTER) had passed: its heartbeat, and the
    time it was queued, moved back by six minutes."""
    from django.db.models import F

    from urne.mailings.models import Mailing

    six = timedelta(minutes=6)
    moved = Mailing.objects.filter(pk=pk).update(
        heartbeat_at=F("heartbeat_at") - six, queued_at=F("queued_at") - six
    )
    return {"moved": moved}


def check() -> dict[str, object]:
    from tests.voting.casting import write_board
    from urne.crypto.verifier import verify_archive
    from urne.voting.models import Ballot, Emargement, ScrutinElection

    election = ScrutinElection.objects.get()
    with tempfile.TemporaryDirectory() as folder:
        board = write_board(election.scrutin, Path(folder))
        verified = verify_archive(board).ballots
    return {
        "ballots": Ballot.objects.count(),
        "trackers": sorted(Ballot.objects.values_list("tracker", flat=True)),
        "emargements": sorted(Emargement.objects.values_list("elector__email", flat=True)),
        "ballot_count": election.ballot_count,
        "verified": verified,
    }


if __name__ == "__main__":
    django.setup()
    step, args = sys.argv[1], sys.argv[2:]
    if step == "prepare":
        result = prepare(int(args[0]), int(args[1]))
    elif step == "mailing":
        result = mailing()
    elif step == "mailing-state":
        result = mailing_state(int(args[0]))
    elif step == "age-mailing":
        result = age_mailing(int(args[0]))
    else:
        result = check()
    print(json.dumps(result))
