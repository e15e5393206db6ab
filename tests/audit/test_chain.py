"""The chain: each entry carries the hash of the one before, and `urne audit verify` finds the
first entry that was edited, removed, inserted or moved — even through raw SQL."""

from __future__ import annotations

import itertools
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tests.audit.conftest import raw, trigger_off
from urne.accounts.models import User
from urne.audit.models import GENESIS, AppendOnly, AuditEntry
from urne.audit.services import ForbiddenDetail, record


@pytest.fixture
def chain(staff_dijon: User) -> list[AuditEntry]:
    """Four entries, as staff actions leave them."""
    return [
        record(staff_dijon, "elector.update", staff_dijon, description=f"action {n}", n=n)
        for n in range(1, 5)
    ]


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def broken(*args: str) -> str:
    with pytest.raises(CommandError) as refused:
        verify(*args)
    assert refused.value.returncode == 1
    return str(refused.value)


def test_entries_are_numbered_and_chained_from_the_genesis(chain: list[AuditEntry]) -> None:
    assert [entry.sequence for entry in chain] == [1, 2, 3, 4]
    assert chain[0].previous_hash == GENESIS
    for before, entry in itertools.pairwise(chain):
        assert entry.previous_hash == before.hash
    assert all(entry.hash == entry.compute_hash() for entry in AuditEntry.objects.all())


def test_an_intact_log_verifies_with_its_size_and_last_hash(chain: list[AuditEntry]) -> None:
    assert verify() == (
        f"Journal d'audit intact : 4 entrée(s), dernière empreinte {chain[-1].hash}\n"
    )


def test_an_empty_log_verifies(db: None) -> None:
    assert "intact : 0 entrée(s)" in verify()


def test_verify_speaks_json_for_monitoring(chain: list[AuditEntry]) -> None:
    result = json.loads(verify("--json"))

    assert result == {
        "intact": True,
        "entries": 4,
        "last_sequence": 4,
        "last_hash": chain[-1].hash,
        "problem": None,
    }


def test_the_orm_refuses_to_change_or_delete_an_entry(chain: list[AuditEntry]) -> None:
    entry = chain[1]
    entry.action = "nothing.happened"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="nothing.happened")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    assert "intact : 4" in verify()


def test_the_database_refuses_to_change_an_entry(chain: list[AuditEntry]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE audit_auditentry SET action = 'nothing.happened' WHERE sequence = 2")
    if connection.vendor == "postgresql":  # SQLite lets DELETE through (the migration says why)
        with pytest.raises(DatabaseError), transaction.atomic():
            raw("DELETE FROM audit_auditentry WHERE sequence = 2")
    assert "intact : 4" in verify()


def test_it_finds_an_edited_entry(chain: list[AuditEntry]) -> None:
    with trigger_off():
        raw("UPDATE audit_auditentry SET actor_label = 'quelquun@ac-lyon.fr' WHERE sequence = 2")

    assert broken() == (
        "Journal d'audit rompu : L'entrée n° 2 a été modifiée : son contenu ne correspond plus "
        "à son empreinte. (1 entrée(s) intactes avant)"
    )


def test_it_finds_an_edited_detail(chain: list[AuditEntry]) -> None:
    with trigger_off():
        raw("UPDATE audit_auditentry SET details = '{\"n\": 30}' WHERE sequence = 3")

    assert "L'entrée n° 3 a été modifiée" in broken()


def test_it_finds_an_entry_rewritten_with_a_new_hash(chain: list[AuditEntry]) -> None:
    """Recomputing the edited entry's hash breaks the link from the next one."""
    forged = AuditEntry.objects.get(sequence=2)
    forged.source = "203.0.113.9"
    with trigger_off():
        raw(
            "UPDATE audit_auditentry SET source = %s, hash = %s WHERE sequence = 2",
            forged.source,
            forged.compute_hash(),
        )

    assert "L'entrée n° 3 ne suit pas l'entrée n° 2" in broken()


def test_it_finds_a_removed_entry(chain: list[AuditEntry], db: None) -> None:
    with trigger_off():
        raw("DELETE FROM audit_auditentry WHERE sequence = 2")

    assert broken() == (
        "Journal d'audit rompu : L'entrée n° 2 manque : elle a été supprimée du journal. "
        "(1 entrée(s) intactes avant)"
    )


def test_it_finds_the_last_entries_removed(chain: list[AuditEntry]) -> None:
    with trigger_off():
        raw("DELETE FROM audit_auditentry WHERE sequence >= 3")

    assert "s'arrête à l'entrée n° 2, mais sa tête annonce l'entrée n° 4" in broken()


def test_it_finds_two_swapped_entries(chain: list[AuditEntry]) -> None:
    with trigger_off():
        raw("UPDATE audit_auditentry SET sequence = 100 WHERE sequence = 2")
        raw("UPDATE audit_auditentry SET sequence = 2 WHERE sequence = 3")
        raw("UPDATE audit_auditentry SET sequence = 3 WHERE sequence = 100")

    message = broken()
    assert "L'entrée n° 2 ne suit pas l'entrée n° 1" in message
    assert "déplacées, insérées ou remplacées" in message
    result = json.loads(verify_json_broken())
    assert result["problem"]["kind"] == "reordered"
    assert result["problem"]["sequence"] == 2


def verify_json_broken() -> str:
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--json", stdout=out)
    return out.getvalue()


def test_it_finds_an_inserted_entry(chain: list[AuditEntry]) -> None:
    with trigger_off():
        raw("UPDATE audit_auditentry SET sequence = sequence + 10 WHERE sequence >= 3")
        raw("UPDATE audit_auditentry SET sequence = sequence - 9 WHERE sequence >= 13")
    before = AuditEntry.objects.get(sequence=2)
    forged = AuditEntry(
        sequence=3,
        at=before.at,
        actor_label="personne@ac-dijon.fr",
        action="elector.update",
        previous_hash=before.hash,
    )
    forged.hash = forged.compute_hash()  # a well-formed entry, chained to the one before
    forged.save()

    assert "L'entrée n° 4 ne suit pas l'entrée n° 3" in broken()


def test_details_never_hold_a_password_token_identifier_or_ballot(staff_dijon: User) -> None:
    for name in ["password", "new_password1", "token", "voting_identifier", "ballot"]:
        with pytest.raises(ForbiddenDetail):
            details: dict[str, Any] = {name: "x"}
            record(staff_dijon, "elector.update", **details)
    with pytest.raises(ForbiddenDetail):
        record(staff_dijon, "elector.update", changes=[{"password": "x"}])
    assert not AuditEntry.objects.exists()


def test_an_action_code_is_a_stable_dotted_name(staff_dijon: User) -> None:
    with pytest.raises(ValueError, match="not an action code"):
        record(staff_dijon, "Modifié l'électeur")


def test_an_entry_outlives_its_author_account(chain: list[AuditEntry], staff_dijon: User) -> None:
    staff_dijon.delete()

    entry = AuditEntry.objects.get(sequence=1)
    assert entry.actor_label == "gestion@ac-dijon.fr"
    assert entry.actor_role == "Académie : Dijon"
    assert "intact : 4" in verify()
