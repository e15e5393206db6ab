"""Making the voting identifiers and each scrutin's public credentials, in one pass.

`do_generate_identifiers(campaign, public_key)` gives every elector of the campaign who has none
a fresh identifier (`make_private_credential`, 15 Base58 characters with a checksum), stores it
only sealed with the authority's public key (`SealedIdentifier`), and stores for every scrutin
of the campaign the public credential g^secret(identifier, uuid) of each elector on its roll who
lacks one (`urne.voting.models.PublicCredential`). The scrutins' uuids are drawn first
(`urne.voting.setup.do_prepare_elections`). Nothing changes once any election of the campaign
is sealed (`check_setup_editable`).

The clear identifiers live only in this function's memory, one batch at a time. A second run
adds only what is missing: new electors get an identifier; an elector who already has one but
was put on another scrutin's roll since needs it *opened*, which only the private key can do —
given, the run completes them; not given, it counts them in `GenerationReport.need_private_key`.
Public credentials of electors no longer on a roll are removed (the seal would refuse them).
Each credential names its elector by a keyed pseudonym (`urne.voting.pseudonyms`), never by id:
the authority needs the same `URNE_PSEUDONYM_KEY` as the voting server.

Speed: per credential, PBKDF2 (1000 iterations) and g^s through a fixed-base table for g
(`urne.crypto.fastexp.prepare_fixed_base`); rows written with `bulk_create` per batch, each
batch in its own transaction under the campaign's row lock, so two runs cannot give one
elector two identifiers. Figures in docs/credential-authority.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from django.db import transaction
from django.utils.translation import gettext as _

from urne import clock
from urne.authority.keys import open_sealed, seal
from urne.authority.models import SealedIdentifier
from urne.campaign.models import Campaign, Elector, RollEntry
from urne.crypto import fastexp
from urne.crypto.credentials import derive_secret, make_private_credential
from urne.voting.models import PublicCredential, ScrutinElection
from urne.voting.pseudonyms import chunks, pseudonym, pseudonyms
from urne.voting.setup import GROUP, check_setup_editable, do_prepare_elections

logger = logging.getLogger(__name__)

IDENTIFIER = "identifier"
"""The HPKE purpose of a sealed identifier (keys.seal)."""

BATCH_SIZE = 2000
"""Electors per transaction: a few seconds of work, a few thousand rows per statement."""


@dataclass
class GenerationReport:
    """What a run did."""

    electors: int = 0
    identifiers_created: int = 0
    credentials_created: int = 0
    credentials_removed: int = 0
    need_private_key: int = 0
    """Electors with an identifier already and a credential missing, left for lack of the
    private key."""
    elections: int = 0

    def as_text(self) -> str:
        lines = [
            _("%(count)d électeur(s) dans la campagne, %(elections)d scrutin(s).")
            % {"count": self.electors, "elections": self.elections},
            _("%(count)d identifiant(s) de vote créé(s), scellé(s) pour l'autorité.")
            % {"count": self.identifiers_created},
            _("%(count)d certificat(s) public(s) enregistré(s).")
            % {"count": self.credentials_created},
        ]
        if self.credentials_removed:
            lines.append(
                _("%(count)d certificat(s) d'électeurs qui ne sont plus inscrits retiré(s).")
                % {"count": self.credentials_removed}
            )
        if self.need_private_key:
            lines.append(
                _(
                    "%(count)d électeur(s) ont déjà un identifiant mais pas encore de certificat "
                    "pour un scrutin : relancez la commande avec la clé privée de l'autorité "
                    "(URNE_AUTHORITY_PRIVATE_KEY) pour les compléter."
                )
                % {"count": self.need_private_key}
            )
        return "\n".join(lines)


def seal_identifier(
    public_key: X25519PublicKey, elector: Elector | int, campaign_id: int, identifier: str
) -> bytes:
    elector_id = elector if isinstance(elector, int) else elector.pk
    return seal(public_key, identifier, IDENTIFIER, campaign_id, elector_id)


def open_identifier(
    private_key: X25519PrivateKey, sealed: SealedIdentifier, campaign_id: int
) -> str:
    """The clear identifier of `sealed` (raises keys.SealBroken)."""
    return open_sealed(private_key, sealed.ciphertext, IDENTIFIER, campaign_id, sealed.elector_id)


def check_generation_allowed(campaign: Campaign) -> list[ScrutinElection]:
    """The campaign's elections, each still editable (SetupRefused otherwise)."""
    elections = list(
        ScrutinElection.objects.filter(scrutin__campaign=campaign).select_related(
            "scrutin__campaign"
        )
    )
    for election in elections:
        check_setup_editable(election)
    return elections


def public_credential(identifier: str, uuid: str) -> str:
    """g^secret(identifier, uuid) in base 10, through g's fixed-base table."""
    return str(GROUP.pow_g(derive_secret(GROUP, identifier, uuid)))


def do_generate_identifiers(
    campaign: Campaign,
    public_key: X25519PublicKey,
    private_key: X25519PrivateKey | None = None,
    progress: Callable[[int], None] | None = None,
) -> GenerationReport:
    """Identifiers for the campaign's electors who have none, public credentials for every
    rolled elector who lacks one in a scrutin; see the module's docstring."""
    check_generation_allowed(campaign)
    do_prepare_elections(campaign)
    elections = check_generation_allowed(campaign)
    uuid_of = {election.scrutin_id: election.uuid for election in elections}
    election_of = {election.scrutin_id: election.pk for election in elections}
    report = GenerationReport(elections=len(elections))
    # A table for g sized for the run: one product per 12-bit digit instead of ~380 squarings.
    fastexp.prepare_fixed_base(GROUP.g, GROUP.p, GROUP.q, uses=1_000_000)

    with transaction.atomic():
        for election in elections:
            report.credentials_removed += _remove_strangers(election)

    elector_ids = list(
        Elector.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True)
    )
    report.electors = len(elector_ids)
    for start in range(0, len(elector_ids), BATCH_SIZE):
        _generate_batch(
            campaign,
            elector_ids[start : start + BATCH_SIZE],
            uuid_of,
            election_of,
            public_key,
            private_key,
            report,
        )
        if progress is not None:
            progress(min(start + BATCH_SIZE, len(elector_ids)))
    logger.info(
        "credential authority: campaign %s, %d identifiers created, %d public credentials stored",
        campaign.pk,
        report.identifiers_created,
        report.credentials_created,
    )
    return report


def _remove_strangers(election: ScrutinElection) -> int:
    """Remove the public credentials of electors no longer on the election's roll (the seal
    would refuse them); how many. The roll's pseudonyms are made here (only the key makes them)
    and compared with the stored ones."""
    rolled = RollEntry.objects.filter(scrutin_id=election.scrutin_id).values_list(
        "elector_id", flat=True
    )
    names: set[str] = set()
    for page in chunks(rolled.iterator(chunk_size=10_000)):
        names.update(pseudonyms(election.uuid, page))
    strangers = [
        pk
        for pk, name in PublicCredential.objects.filter(election=election)
        .values_list("pk", "pseudonym")
        .iterator(chunk_size=10_000)
        if name not in names
    ]
    removed = 0
    for page in chunks(strangers):
        removed += PublicCredential.objects.filter(pk__in=page).delete()[0]
    return removed


def _generate_batch(
    campaign: Campaign,
    elector_ids: list[int],
    uuid_of: dict[int, str],
    election_of: dict[int, int],
    public_key: X25519PublicKey,
    private_key: X25519PrivateKey | None,
    report: GenerationReport,
) -> None:
    with transaction.atomic():
        # One run at a time writes a campaign's batch: the second waits, then sees the first's.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk").get()
        sealed = {
            row.elector_id: row
            for row in SealedIdentifier.objects.filter(elector_id__in=elector_ids)
        }
        on_rolls: dict[int, list[int]] = {}
        for elector_id, scrutin_id in RollEntry.objects.filter(
            elector_id__in=elector_ids
        ).values_list("elector_id", "scrutin_id"):
            if scrutin_id in election_of:
                on_rolls.setdefault(scrutin_id, []).append(elector_id)
        missing: dict[int, list[int]] = {}
        for scrutin_id, rolled in on_rolls.items():
            names = pseudonyms(uuid_of[scrutin_id], rolled)
            have = set(
                PublicCredential.objects.filter(
                    election_id=election_of[scrutin_id], pseudonym__in=list(names)
                ).values_list("pseudonym", flat=True)
            )
            for name, elector_id in names.items():
                if name not in have:
                    missing.setdefault(elector_id, []).append(scrutin_id)

        now = clock.now()
        new_sealed: list[SealedIdentifier] = []
        credentials: list[PublicCredential] = []
        for elector_id in elector_ids:
            existing = sealed.get(elector_id)
            scrutins = missing.get(elector_id, [])
            if existing is None:
                identifier = make_private_credential()
                new_sealed.append(
                    SealedIdentifier(
                        elector_id=elector_id,
                        ciphertext=seal_identifier(public_key, elector_id, campaign.pk, identifier),
                        created_at=now,
                    )
                )
            elif not scrutins:
                continue
            elif private_key is None:
                report.need_private_key += 1
                continue
            else:
                identifier = open_identifier(private_key, existing, campaign.pk)
            for scrutin_id in sorted(scrutins):
                credentials.append(
                    PublicCredential(
                        election_id=election_of[scrutin_id],
                        pseudonym=pseudonym(uuid_of[scrutin_id], elector_id),
                        credential=public_credential(identifier, uuid_of[scrutin_id]),
                    )
                )
        SealedIdentifier.objects.bulk_create(new_sealed)
        PublicCredential.objects.bulk_create(credentials, batch_size=1000)
        report.identifiers_created += len(new_sealed)
        report.credentials_created += len(credentials)
