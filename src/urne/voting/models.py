"""The vote on the voting server: each scrutin's Belenios election, its public credentials, the
ballot box (ballots and émargement) and the public board that grows with it.

What the voting server holds and what it never holds (ARCHITECTURE.md, decision 10):

- `ScrutinElection`: the scrutin's Belenios election. Its uuid is drawn first (the credential
  authority needs it to derive the public credentials); the trustees' public keys come from a
  command (the key ceremony is the bureau's, offline); the election text is made and the setup
  is *sealed* before the vote opens: from then on the election, its trustees and its credential
  list never change. No decryption key is ever stored.
- `PublicCredential`: g^s for one elector in one scrutin, put here by the credential authority,
  its owner named by a keyed pseudonym (`urne.voting.pseudonyms`). Never the private identifier.
- `Ballot` and `Emargement`: written together in one transaction (`urne.voting.ballot_box`),
  with no link between them in the database; the constraints below make a second ballot for an
  elector, or for a credential, impossible even under concurrent submissions.

The public board (`UUID.bel`) is not stored as a file: it is the sealed setup's bytes
(`ScrutinElection.setup_archive`) followed, in `Ballot.height` order, by each ballot's data and
event entries, which are rebuilt exactly from the stored texts (every tar entry carries the
archive's one timestamp). The chain's head (last event hash and height) is kept on the
`ScrutinElection` row, which a ballot locks while it is appended.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Elector, Scrutin

SETUP_ONLY = ("setup_archive", "trustees")
"""The fields of a scrutin's election that only the setup, the sealing and the board read. The
setup archive holds every elector's public credential: hundreds of megabytes for a national
scrutin."""


class ElectionManager(models.Manager["ScrutinElection"]):
    """Every query of elections leaves `SETUP_ONLY` out (`defer`): the ballot box, the receipts,
    the espace and the count never carry those bytes. Code that reads one of them gets it loaded
    on access, by one query of its own. It is also the base manager (`Meta.base_manager_name`),
    so that `scrutin.election` leaves them out too."""

    def get_queryset(self) -> models.QuerySet[ScrutinElection]:
        return super().get_queryset().defer(*SETUP_ONLY)


class ScrutinElection(models.Model):
    """One scrutin's Belenios 2.0 election and the head of its public board."""

    SETUP_ONLY = SETUP_ONLY

    scrutin = models.OneToOneField(Scrutin, on_delete=models.CASCADE, related_name="election")
    uuid = models.CharField(_("uuid"), max_length=22, unique=True)
    trustees = models.TextField(
        _("autorités de déchiffrement (trustees.json)"),
        blank=True,
        help_text=_("Clés publiques des membres du bureau de vote, faites hors ligne."),
    )
    election = models.TextField(_("élection (election.json)"), blank=True)
    """The exact text of election.json once sealed (its fingerprint is every ballot's)."""
    fingerprint = models.CharField(_("empreinte de l'élection"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("scellée le"), null=True, blank=True)
    setup_archive = models.BinaryField(editable=False, default=b"")
    """Header, election, trustees, public credentials, setup data and the Setup event: the
    beginning of the board, written once when sealed."""
    archive_timestamp = models.BigIntegerField(null=True, editable=False)
    last_event = models.CharField(max_length=64, blank=True, editable=False)
    height = models.BigIntegerField(default=-1, editable=False)
    ballot_count = models.PositiveIntegerField(_("bulletins reçus"), default=0, editable=False)

    objects = ElectionManager()

    class Meta:
        base_manager_name = "objects"
        verbose_name = _("élection d'un scrutin")
        verbose_name_plural = _("élections des scrutins")

    def __str__(self) -> str:
        return f"{self.scrutin} ({self.uuid})"

    @property
    def is_sealed(self) -> bool:
        return self.sealed_at is not None


class PublicCredential(models.Model):
    """One elector's public credential g^s in one scrutin (from the credential authority).

    Its owner is named by a keyed pseudonym (`urne.voting.pseudonyms`), never by the elector's
    id: the database alone does not say whose credential, hence whose ballot, it is."""

    election = models.ForeignKey(
        ScrutinElection, on_delete=models.CASCADE, related_name="credentials"
    )
    pseudonym = models.CharField(_("pseudonyme de l'électeur"), max_length=32)
    """HMAC(URNE_PSEUDONYM_KEY, election uuid : elector id), cut to 128 bits (hexadecimal)."""
    credential = models.TextField(_("certificat public"))
    """g^secret(identifier, uuid), in base 10, as the election's credential list writes it."""

    class Meta:
        verbose_name = _("certificat public")
        verbose_name_plural = _("certificats publics")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "pseudonym"], name="public_credential_one_per_elector"
            ),
            models.UniqueConstraint(
                fields=["election", "credential"], name="public_credential_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election.scrutin} — {self.pseudonym}"


class Ballot(models.Model):
    """An accepted ballot, as the board shows it: its text, tracker and place in the chain."""

    election = models.ForeignKey(ScrutinElection, on_delete=models.PROTECT, related_name="ballots")
    credential = models.TextField(_("certificat public"))
    text = models.TextField(_("bulletin chiffré"))
    tracker = models.CharField(_("empreinte du bulletin"), max_length=64)
    """The smart ballot tracker: H_JSON of the text (Base64, 43 characters)."""
    height = models.BigIntegerField(_("rang dans l'urne"))
    event = models.CharField(max_length=64)
    """The hash of this ballot's Ballot event: the chain's head after it."""
    submission = models.CharField(max_length=64, blank=True)
    """The client's key for this submission: a retry with the same key and text gets the same
    receipt; anything else is a second ballot, refused."""

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["election", "height"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "credential"], name="ballot_one_per_credential"
            ),
            models.UniqueConstraint(fields=["election", "height"], name="ballot_height_unique"),
            models.UniqueConstraint(fields=["election", "tracker"], name="ballot_tracker_unique"),
        ]

    def __str__(self) -> str:
        return self.tracker


def random_id() -> int:
    """A primary key drawn at random (63 bits): the émargement's row ids say nothing of the
    order in which electors voted, hence nothing of which ballot (whose ids and heights follow
    that order) is whose."""
    return secrets.randbits(63) or 1


class Emargement(models.Model):
    """The émargement: this elector voted in this scrutin, at this time (one row, ever).

    Nothing here points to the ballot (DOMAIN.md: two stores without a link): not a key, not a
    row id in the order of arrival, not a time finer than the second."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    election = models.ForeignKey(
        ScrutinElection, on_delete=models.PROTECT, related_name="emargements"
    )
    elector = models.ForeignKey(Elector, on_delete=models.PROTECT, related_name="emargements")
    voted_at = models.DateTimeField(_("a voté le"))

    class Meta:
        verbose_name = _("émargement")
        verbose_name_plural = _("émargements")
        ordering = ["election", "voted_at"]
        # The émargement list itself is Django's "view_emargement" (urne.voting.turnout).
        permissions = [("view_turnout", _("Peut voir la participation"))]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "elector"], name="emargement_one_per_elector"
            ),
        ]
        indexes = [models.Index(fields=["election", "voted_at"], name="emargement_time")]

    def __str__(self) -> str:
        return f"{self.elector} — {self.election.scrutin}"


class PendingReceipt(models.Model):
    """An émargement whose receipt email is still to send (written with it, deleted once sent).

    The receipts go out in batches (`urne.voting.receipts.do_send_pending_receipts`), so that a
    busy hour costs one task and a few queries per batch instead of a task and its queries per
    ballot; a batch interrupted before the end is sent again."""

    emargement = models.OneToOneField(
        Emargement, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    class Meta:
        verbose_name = _("accusé de réception à envoyer")
        verbose_name_plural = _("accusés de réception à envoyer")

    def __str__(self) -> str:
        return str(self.emargement_id)


class CountingEvent(models.Model):
    """An event of the board after the ballots: EndBallots, EncryptedTally, each accepted
    PartialDecryption and the Result (`urne.counting.closing`, `urne.counting.decryption`).

    `entries` are the exact tar entries (payload data, then the event) that follow the ballots
    in `UUID.bel`; `text` is the main payload (the encrypted tally, the partial decryption or the
    result) for the pages and the decryption. The constraints make a second EndBallots,
    EncryptedTally or Result, or a second partial decryption of one trustee, impossible."""

    class Kind(models.TextChoices):
        END_BALLOTS = "EndBallots", _("clôture de l'urne")
        ENCRYPTED_TALLY = "EncryptedTally", _("dépouillement chiffré")
        PARTIAL_DECRYPTION = "PartialDecryption", _("déchiffrement partiel")
        RESULT = "Result", _("résultat")

    election = models.ForeignKey(
        ScrutinElection, on_delete=models.PROTECT, related_name="counting_events"
    )
    height = models.BigIntegerField(_("rang dans l'archive"))
    kind = models.CharField(_("étape"), max_length=20, choices=Kind.choices)
    event = models.CharField(max_length=64)
    """The hash of the event: the chain's head after it."""
    entries = models.BinaryField(editable=False)
    text = models.TextField(blank=True)
    owner = models.PositiveIntegerField(_("numéro d'autorité"), null=True, blank=True)
    """For a partial decryption: the trustee's number (the archive's ``owner``)."""
    tallied = models.PositiveIntegerField(null=True, blank=True)
    """For the encrypted tally: how many ballots it counts (its total weight is the same)."""
    recorded_at = models.DateTimeField(_("enregistré le"))
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )

    class Meta:
        verbose_name = _("étape du dépouillement")
        verbose_name_plural = _("étapes du dépouillement")
        ordering = ["election", "height"]
        permissions = [
            ("close_election", _("Peut clore l'urne et lancer le dépouillement")),
            ("upload_partial_decryption", _("Peut déposer un déchiffrement partiel")),
            ("view_counting", _("Peut suivre le dépouillement")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "height"], name="counting_event_height_unique"
            ),
            models.UniqueConstraint(
                fields=["election", "kind"],
                condition=~models.Q(kind="PartialDecryption"),
                name="counting_event_once",
            ),
            models.UniqueConstraint(
                fields=["election", "owner"],
                condition=models.Q(owner__isnull=False),
                name="counting_event_one_partial_per_trustee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election.scrutin} — {self.get_kind_display()}"


class TallyProgress(models.Model):
    """Where the encrypted tally of a closed scrutin stands: it is computed by chunks of
    ballots (`urne.counting.closing.do_tally_chunk`), each chunk's running product saved here,
    so that an interrupted worker resumes where it was and staff see the progress."""

    election = models.OneToOneField(
        ScrutinElection, on_delete=models.CASCADE, primary_key=True, related_name="tally_progress"
    )
    total = models.PositiveIntegerField(_("bulletins à compter"))
    done = models.PositiveIntegerField(_("bulletins comptés"), default=0)
    last_height = models.BigIntegerField(default=0)
    """The height of the last ballot counted (0: none yet)."""
    state = models.TextField(blank=True)
    """The running products (alphas and betas per question and choice), JSON, base 10."""
    started_at = models.DateTimeField(_("commencé le"))
    finished_at = models.DateTimeField(_("fini le"), null=True, blank=True)

    class Meta:
        verbose_name = _("avancement du dépouillement")
        verbose_name_plural = _("avancements du dépouillement")

    def __str__(self) -> str:
        return f"{self.election_id}: {self.done}/{self.total}"
