"""`urne purge_personal_data`: a campaign's personal data is deleted once its retention period
(the vote's close plus URNE_RETENTION_MONTHS, 24 by default) is over, and only then; a dry run
first; the ballots, the board and the results stay.

The campaign of 2022 closed on 8 December 2022 at noon (UTC): its data may go from 8 December
2024 at noon. Bob and Alice were on its roll; Bob voted. The campaign of today, with Chloé,
must not lose anything.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.conftest import make_academy, make_account, make_campaign, make_elector
from tests.voting.casting import write_board
from tests.voting.conftest import Identifiers, add_lists, cast, give_credentials
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.audit.services import verify_chain
from urne.authority.models import IdentifierDelivery, SealedIdentifier
from urne.campaign.models import (
    Campaign,
    Elector,
    ElectorImport,
    ProfileCorrectionRequest,
    RollChange,
    RollEntry,
    Scrutin,
)
from urne.campaign.purge import PERSONAL, add_months, count_personal_data
from urne.crypto.group import BELENIOS_2048
from urne.crypto.jsonio import dumps
from urne.crypto.trustees import SingleTrustee, make_trustee_key, trustees_to_json
from urne.crypto.verifier import verify_archive
from urne.mailings.models import Mailing, Send
from urne.support.models import HelpdeskElector
from urne.voting import setup
from urne.voting.models import Ballot, Emargement, PendingReceipt, ScrutinElection

pytestmark = pytest.mark.django_db

VOTE_2022 = datetime(2022, 12, 1, 12, tzinfo=UTC)  # the vote opened an hour before
CLOSED_2022 = VOTE_2022 + timedelta(days=7)
RETENTION_ENDS = datetime(2024, 12, 8, 12, tzinfo=UTC)

Travel = Callable[[datetime], None]


def give_personal_data(campaign: Campaign, electors: list[Elector]) -> None:
    """One row of every kind of personal data urne keeps, for each elector."""
    mailing = Mailing.objects.create(
        campaign=campaign,
        kind="vote_reminder",
        subject="Votez",
        body="Le vote est ouvert.",
        created_at=timezone.now(),
    )
    staff = User.objects.create_user(f"gestion{campaign.year}@ac-dijon.fr", is_staff=True)
    for elector in electors:
        make_account(elector)
        # What the back office's history keeps of a change to the elector (Django's LogEntry).
        LogEntry.objects.create(
            user=staff,
            content_type=ContentType.objects.get_for_model(HelpdeskElector, False),
            object_id=str(elector.pk),
            object_repr=str(elector),
            action_flag=CHANGE,
            change_message='[{"changed": {"fields": ["Grade"]}}]',
        )
        SealedIdentifier.objects.create(elector=elector, ciphertext=b"sealed", created_at=VOTE_2022)
        IdentifierDelivery.objects.create(
            elector=elector,
            channel="email",
            masked_destination="b***@g***.com",
            sealed_destination=b"sealed",
            requested_at=VOTE_2022,
        )
        ProfileCorrectionRequest.objects.create(
            elector=elector, field="grade", correction="Hors classe", created_at=VOTE_2022
        )
        Send.objects.create(mailing=mailing, elector=elector, address=elector.email)
        RollChange.objects.create(
            campaign=campaign,
            at=VOTE_2022,
            actor_label="gestion@ac-dijon.fr",
            source="back_office",
            kind="field",
            elector=elector,
            elector_label=str(elector),
            field="grade",
            old_value="Classe normale",
            new_value="Hors classe",
        )


@pytest.fixture
def campaign_2022(travel: Travel, imports_root: Path) -> dict[str, Any]:
    """The 2022 campaign, held: Bob voted (his émargement, his receipt still to send), Alice did
    not; an electors file was uploaded."""
    campaign = make_campaign(VOTE_2022, name="Élections professionnelles 2022", year=2022)
    dijon = make_academy(campaign, "Dijon", "03.80.44.89.95")
    scrutin = Scrutin.objects.create(
        campaign=campaign,
        code="csa-men",
        name="CSA ministériel",
        level="national",
        kind="csa",
        seats=15,
    )
    bob = make_elector(campaign, dijon, "Bob", "Martin", birth_date=datetime(1980, 5, 17).date())
    alice = make_elector(campaign, dijon, "Alice", "Durand")
    for elector in (bob, alice):
        RollEntry.objects.create(scrutin=scrutin, elector=elector)
    give_personal_data(campaign, [bob, alice])
    job = ElectorImport(campaign=campaign, original_name="electeurs.csv", created_at=VOTE_2022)
    job.file.save("electeurs.csv", ContentFile(b"email;nom\nbob.martin@ac-dijon.fr;Martin\n"))

    travel(VOTE_2022 - timedelta(days=2))
    _, public = make_trustee_key(BELENIOS_2048)
    identifiers = Identifiers()
    add_lists(scrutin)
    setup.do_prepare_elections(campaign)
    setup.do_set_trustees(scrutin, dumps(trustees_to_json([SingleTrustee(public)])))
    election = ScrutinElection.objects.get(scrutin=scrutin)
    give_credentials(election, identifiers)
    election = setup.do_seal_election(scrutin)
    travel(VOTE_2022)
    cast(election, bob, identifiers.of(bob), choice=1)
    election.refresh_from_db()
    return {"campaign": campaign, "scrutin": scrutin, "election": election, "job": job}


@pytest.fixture
def campaign_today() -> Campaign:
    campaign = make_campaign(name="Élections professionnelles 2026", year=2026)
    lyon = make_academy(campaign, "Lyon", "04.72.80.60.60")
    chloe = make_elector(campaign, lyon, "Chloé", "Bernard")
    give_personal_data(campaign, [chloe])
    return campaign


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def snapshot(campaign: Campaign) -> dict[str, int]:
    return count_personal_data(campaign).details()


def test_the_dry_run_lists_each_kind_and_changes_nothing(
    campaign_2022: dict[str, Any], campaign_today: Campaign, travel: Travel
) -> None:
    campaign = campaign_2022["campaign"]
    travel(RETENTION_ENDS + timedelta(days=1))
    before = snapshot(campaign)
    entries = AuditEntry.objects.count()

    out = purge(str(campaign.pk))

    assert "Conservation jusqu'au" in out
    assert "Essai à blanc : rien n'a été supprimé" in out
    assert "Émargements" in out and "Électeurs (identité" in out
    assert snapshot(campaign) == before
    assert before == {
        "admin_history": 2,
        "pending_receipts": 1,
        "emargements": 1,
        "accounts": 2,
        "authority_sealed": 2,
        "authority_deliveries": 2,
        "correction_requests": 2,
        "mailing_sends": 2,
        "roll_changes": 2,
        "roll_entries": 2,
        "imports": 1,
        "electors": 2,
    }
    assert Path(campaign_2022["job"].file.path).exists()
    assert AuditEntry.objects.count() == entries


def test_it_refuses_to_delete_before_the_retention_date(
    campaign_2022: dict[str, Any], travel: Travel
) -> None:
    campaign = campaign_2022["campaign"]
    before = snapshot(campaign)
    entries = AuditEntry.objects.count()
    travel(RETENTION_ENDS - timedelta(seconds=1))

    with pytest.raises(CommandError) as refused:
        purge(campaign.name, "--execute")

    assert "sont conservées jusqu'au" in str(refused.value)
    assert "rien n'a été supprimé" in str(refused.value)
    assert snapshot(campaign) == before
    assert AuditEntry.objects.count() == entries


def test_execute_deletes_exactly_what_the_dry_run_listed(
    campaign_2022: dict[str, Any], campaign_today: Campaign, travel: Travel, tmp_path: Path
) -> None:
    campaign, election = campaign_2022["campaign"], campaign_2022["election"]
    listed = snapshot(campaign)
    untouched = snapshot(campaign_today)
    kept = {c.kind.code: c.rows for c in count_personal_data(campaign).kept}
    ballots = list(Ballot.objects.filter(election=election).values_list("tracker", flat=True))
    import_file = Path(campaign_2022["job"].file.path)
    travel(RETENTION_ENDS)  # the first moment it is allowed

    out = purge(str(campaign.pk), "--execute")

    assert "Supprimé :" in out
    assert snapshot(campaign) == {code: 0 for code in listed}
    assert snapshot(campaign_today) == untouched
    kept["audit_entries"] += 1  # the purge's own entry
    assert {c.kind.code: c.rows for c in count_personal_data(campaign).kept} == kept
    assert kept["ballots"] == 1 and kept["lists"] == 3
    assert not import_file.exists()
    assert User.objects.filter(email="gestion2022@ac-dijon.fr").exists()  # staff stay
    assert not Elector.objects.filter(campaign=campaign).exists()
    assert not Emargement.objects.filter(election=election).exists()
    assert not PendingReceipt.objects.exists()
    # The box stays, and its board is the same archive, which still verifies.
    election.refresh_from_db()
    assert list(Ballot.objects.filter(election=election).values_list("tracker", flat=True)) == (
        ballots
    )
    summary = verify_archive(write_board(campaign_2022["scrutin"], tmp_path))
    assert summary.ballots == 1
    assert summary.fingerprint == election.last_event
    # Recorded, with the counts and no personal data.
    entry = AuditEntry.objects.get(action="campaign.purge_personal_data")
    assert entry.campaign_id == campaign.pk
    assert {code: entry.details[code] for code in listed} == listed
    assert entry.details["retention_ends_at"] == RETENTION_ENDS.isoformat()
    assert "Martin" not in str(entry.details) and "ac-dijon" not in str(entry.details)
    assert verify_chain().intact


def test_running_it_again_deletes_nothing_more(
    campaign_2022: dict[str, Any], campaign_today: Campaign, travel: Travel
) -> None:
    campaign = campaign_2022["campaign"]
    listed = snapshot(campaign)
    travel(RETENTION_ENDS + timedelta(days=400))
    purge(str(campaign.pk), "--execute")
    untouched = snapshot(campaign_today)
    kept = Ballot.objects.count()

    out = purge(str(campaign.pk), "--execute")

    assert snapshot(campaign) == {kind.code: 0 for kind in PERSONAL}
    assert snapshot(campaign_today) == untouched
    assert Ballot.objects.count() == kept
    assert "Supprimé :" in out
    entries = AuditEntry.objects.filter(action="campaign.purge_personal_data").order_by("sequence")
    assert [{code: entry.details[code] for code in listed} for entry in entries] == [
        listed,
        {code: 0 for code in listed},
    ]


def test_the_retention_period_is_a_setting(
    campaign_2022: dict[str, Any], travel: Travel, settings: Any
) -> None:
    settings.URNE_RETENTION_MONTHS = 36
    travel(RETENTION_ENDS + timedelta(days=1))
    with pytest.raises(CommandError, match="36 mois"):
        purge(str(campaign_2022["campaign"].pk), "--execute")


def test_months_are_counted_on_the_calendar() -> None:
    assert add_months(CLOSED_2022, 24) == RETENTION_ENDS
    assert add_months(datetime(2024, 2, 29, 17, tzinfo=UTC), 12) == datetime(
        2025, 2, 28, 17, tzinfo=UTC
    )
    assert add_months(datetime(2026, 11, 30, tzinfo=UTC), 3) == datetime(2027, 2, 28, tzinfo=UTC)
