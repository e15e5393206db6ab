"""`urne authority_generate`: one sealed identifier per elector, each scrutin's public
credentials, idempotent, refused once an election is sealed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.authority.conftest import AuthorityKeys
from tests.conftest import make_elector
from tests.voting.casting import credentials_of
from tests.voting.conftest import SealScrutins
from urne.authority.generation import do_generate_identifiers, open_identifier
from urne.authority.keys import SealBroken
from urne.authority.models import SealedIdentifier
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin
from urne.crypto.credentials import check_private_credential, derive_public_credential
from urne.crypto.group import BELENIOS_2048
from urne.voting.models import PublicCredential

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("before_vote")]


def generate(campaign: Campaign) -> str:
    out = StringIO()
    call_command("authority_generate", "--campaign", str(campaign.pk), stdout=out)
    return out.getvalue()


def database_dump() -> str:
    """Every row of every table, as text: what someone with the database would read."""
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            for row in cursor.fetchall():
                lines.append(repr(row))
    return "\n".join(lines)


def test_it_gives_each_elector_one_sealed_identifier_and_a_credential_per_scrutin(
    campaign: Campaign,
    elector_bob: Elector,
    dijon: Academy,
    csa_national: Scrutin,
    authority_keys: AuthorityKeys,
) -> None:
    alice = make_elector(campaign, dijon, "Alice", "Bernard")
    RollEntry.objects.create(scrutin=csa_national, elector=alice)
    loner = make_elector(campaign, dijon, "Paul", "Seul")  # on no roll yet

    output = generate(campaign)

    assert "3 identifiant(s) de vote créé(s)" in output
    assert "3 certificat(s) public(s) enregistré(s)" in output
    assert SealedIdentifier.objects.count() == 3
    for elector in (elector_bob, alice, loner):
        sealed = SealedIdentifier.objects.get(elector=elector)
        identifier = open_identifier(authority_keys.private, sealed, campaign.pk)
        assert check_private_credential(identifier) == identifier
        for credential in credentials_of(elector):
            expected = derive_public_credential(BELENIOS_2048, identifier, credential.election.uuid)
            assert credential.credential == str(expected)
    assert set(credentials_of(elector_bob).values_list("election__scrutin__code", flat=True)) == {
        "csa-men",
        "capa-certifies-dijon",
    }
    assert not credentials_of(loner).exists()


def test_the_database_never_holds_an_identifier_in_clear(
    campaign: Campaign, elector_bob: Elector, authority_keys: AuthorityKeys
) -> None:
    generate(campaign)
    identifier = open_identifier(
        authority_keys.private, SealedIdentifier.objects.get(elector=elector_bob), campaign.pk
    )
    dump = database_dump()
    assert identifier not in dump
    assert identifier.replace("-", "") not in dump


def test_a_sealed_identifier_opens_only_for_its_own_elector(
    campaign: Campaign, elector_bob: Elector, dijon: Academy, authority_keys: AuthorityKeys
) -> None:
    alice = make_elector(campaign, dijon, "Alice", "Bernard")
    generate(campaign)
    bobs = SealedIdentifier.objects.get(elector=elector_bob)
    bobs.elector_id = alice.pk  # Bob's ciphertext copied onto Alice's row
    with pytest.raises(SealBroken):
        open_identifier(authority_keys.private, bobs, campaign.pk)


def test_a_second_run_adds_only_what_is_missing(
    campaign: Campaign,
    elector_bob: Elector,
    dijon: Academy,
    csa_national: Scrutin,
    authority_keys: AuthorityKeys,
) -> None:
    generate(campaign)
    before = {s.elector_id: bytes(s.ciphertext) for s in SealedIdentifier.objects.all()}
    credentials = set(PublicCredential.objects.values_list("pk", "credential"))

    alice = make_elector(campaign, dijon, "Alice", "Bernard")
    RollEntry.objects.create(scrutin=csa_national, elector=alice)
    output = generate(campaign)

    assert "1 identifiant(s) de vote créé(s)" in output
    assert "1 certificat(s) public(s) enregistré(s)" in output
    after = {s.elector_id: bytes(s.ciphertext) for s in SealedIdentifier.objects.all()}
    assert after[elector_bob.pk] == before[elector_bob.pk]
    assert credentials < set(PublicCredential.objects.values_list("pk", "credential"))
    assert "0 identifiant(s)" in generate(campaign)


def test_without_the_private_key_a_new_roll_entry_of_a_known_elector_waits_for_it(
    campaign: Campaign,
    elector_bob: Elector,
    dijon: Academy,
    csa_national: Scrutin,
    web_only_keys: AuthorityKeys,
) -> None:
    alice = make_elector(campaign, dijon, "Alice", "Bernard")
    generate(campaign)
    RollEntry.objects.create(scrutin=csa_national, elector=alice)

    output = generate(campaign)

    assert "1 électeur(s) ont déjà un identifiant" in output
    assert not credentials_of(alice).exists()
    # With the private key, the authority completes them from the sealed identifier.
    report = do_generate_identifiers(campaign, web_only_keys.public, web_only_keys.private)
    assert report.credentials_created == 1
    identifier = open_identifier(
        web_only_keys.private, SealedIdentifier.objects.get(elector=alice), campaign.pk
    )
    credential = credentials_of(alice).get()
    assert credential.credential == str(
        derive_public_credential(BELENIOS_2048, identifier, credential.election.uuid)
    )


def test_credentials_of_electors_taken_off_a_roll_are_removed(
    campaign: Campaign, elector_bob: Elector, capa_dijon: Scrutin, authority_keys: AuthorityKeys
) -> None:
    generate(campaign)
    RollEntry.objects.filter(elector=elector_bob, scrutin=capa_dijon).delete()
    output = generate(campaign)
    assert "1 certificat(s) d'électeurs qui ne sont plus inscrits retiré(s)" in output
    assert not PublicCredential.objects.filter(election__scrutin=capa_dijon).exists()


def test_it_is_refused_once_an_election_is_sealed(
    campaign: Campaign,
    elector_bob: Elector,
    csa_national: Scrutin,
    dijon: Academy,
    seal_scrutins: SealScrutins,
    authority_keys: AuthorityKeys,
) -> None:
    seal_scrutins(csa_national)
    alice = make_elector(campaign, dijon, "Alice", "Bernard")
    RollEntry.objects.create(scrutin=csa_national, elector=alice)
    credentials = PublicCredential.objects.count()
    with pytest.raises(CommandError, match="scellée : elle ne change plus"):
        generate(campaign)
    assert not SealedIdentifier.objects.exists()
    assert PublicCredential.objects.count() == credentials


def test_it_needs_the_authoritys_public_key(campaign: Campaign, settings: object) -> None:
    with pytest.raises(CommandError, match="Clé de l'autorité introuvable"):
        generate(campaign)
