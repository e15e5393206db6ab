"""Scrutins become Belenios elections: uuid, trustees, credentials, then the sealed setup.

The order, each step a `do_*` that views, admin, commands and tasks call:

1. `do_prepare_elections(campaign)`: each scrutin gets its `ScrutinElection` and a fresh uuid.
   The credential authority needs the uuids to derive each scrutin's public credentials.
2. `do_set_trustees(scrutin, text)`: the trustees' public keys (``trustees.json``, made offline by
   the bureau's members with `urne` or belenios-tool): every proof is checked; no private key
   ever reaches the server.
3. The credential authority (`urne.authority`) stores one `PublicCredential` per elector on the
   roll.
4. `do_seal_election(election)`: the election text (one question: the scrutin's lists in official
   order, blank allowed, exactly one choice), the public credential list and the Setup event,
   written once as the beginning of the public board. `check_sealable` says what is missing.

Once sealed, nothing of the setup changes (`check_setup_editable`); the ballot box accepts ballots
only for a sealed election, while the campaign's vote is open (`Campaign.vote_open`).
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne import clock
from urne.audit import services as audit
from urne.audit.services import Who
from urne.campaign.models import Campaign, RollEntry, Scrutin
from urne.candidacies.models import CandidateList
from urne.counting.models import Bureau
from urne.crypto.archive import Chain, ChainState, EventType, scan
from urne.crypto.election import Election, Question, make_election, make_uuid, read_election_once
from urne.crypto.errors import CryptoError
from urne.crypto.group import BELENIOS_2048, Group
from urne.crypto.jsonio import dumps, loads
from urne.crypto.trustees import (
    Trustee,
    election_public_key,
    read_trustees,
    trustees_to_json,
    verify_trustees,
)
from urne.voting.models import PublicCredential, ScrutinElection
from urne.voting.pseudonyms import chunks, pseudonyms
from urne.web.errors import VisitorError

GROUP: Group = BELENIOS_2048
"""Every scrutin's group (ARCHITECTURE.md, decision 4)."""

QUESTION = gettext_lazy("Pour quelle liste votez-vous ?")


class SetupRefused(VisitorError):
    """A setup step that cannot be done now; the message says why, in the user's language."""


def _election_of(scrutin: Scrutin) -> ScrutinElection:
    try:
        return ScrutinElection.objects.get(scrutin=scrutin)
    except ScrutinElection.DoesNotExist:
        raise SetupRefused(
            _("Le scrutin « %(scrutin)s » n'a pas encore d'élection : préparez-la d'abord.")
            % {"scrutin": scrutin.code}
        ) from None


def check_setup_editable(election: ScrutinElection) -> None:
    """The setup may change only until it is sealed, and never once the vote has opened."""
    if election.is_sealed:
        raise SetupRefused(
            _("L'élection du scrutin « %(scrutin)s » est scellée : elle ne change plus.")
            % {"scrutin": election.scrutin.code}
        )
    campaign = election.scrutin.campaign
    if campaign.vote_open() or campaign.vote_closed():
        raise SetupRefused(
            _("Le vote est ouvert ou clos : l'élection du scrutin « %(scrutin)s » ne change plus.")
            % {"scrutin": election.scrutin.code}
        )


def do_prepare_elections(campaign: Campaign) -> list[ScrutinElection]:
    """Give each scrutin of `campaign` its election and uuid (those that have one keep it)."""
    made = []
    with transaction.atomic():
        for scrutin in campaign.scrutins.filter(election__isnull=True).order_by("code"):
            made.append(ScrutinElection.objects.create(scrutin=scrutin, uuid=make_uuid()))
    return made


def read_checked_trustees(text: str) -> tuple[Trustee, ...]:
    """The trustees of ``trustees.json`` `text`, every proof checked; raises `SetupRefused`."""
    try:
        trustees = read_trustees(GROUP, loads(text))
        verify_trustees(GROUP, trustees)
    except CryptoError as error:
        raise SetupRefused(
            _("Le fichier des autorités de déchiffrement est refusé : %(error)s") % {"error": error}
        ) from None
    return trustees


def covering_bureau(scrutin: Scrutin) -> Bureau | None:
    """The bureau de vote électronique whose key ceremony gives `scrutin` its trustees."""
    return Bureau.objects.filter(scrutins=scrutin).first()


def check_provisional_trustees(scrutin: Scrutin) -> None:
    """The provisional set-up (`urne scrutin_trustees`, a trustees.json made offline) is only
    for a scrutin no bureau covers: a covered scrutin gets its trustees from its bureau's
    ceremony (urne.counting.ceremony), and nowhere else."""
    bureau = covering_bureau(scrutin)
    if bureau is not None:
        raise SetupRefused(
            _(
                "Le scrutin « %(scrutin)s » est couvert par le bureau de vote « %(bureau)s » : "
                "ses clés viennent de la cérémonie des clés de ce bureau."
            )
            % {"scrutin": scrutin.code, "bureau": bureau.name}
        )


def do_set_trustees(scrutin: Scrutin, text: str) -> ScrutinElection:
    """Record the trustees' public keys for `scrutin` (replacing earlier ones until sealed)."""
    trustees = read_checked_trustees(text)
    with transaction.atomic():
        election = ScrutinElection.objects.select_for_update().get(pk=_election_of(scrutin).pk)
        check_setup_editable(election)
        election.trustees = dumps(trustees_to_json(trustees))
        election.save(update_fields=["trustees"])
    return election


def election_lists(scrutin: Scrutin) -> list[CandidateList]:
    """The scrutin's validated lists in official order: the answers of its election, in that
    order (drafts, lists under review and rejected ones are never answers)."""
    return list(
        CandidateList.objects.filter(
            scrutin=scrutin, status=CandidateList.Status.VALIDATED
        ).order_by("position")
    )


def make_scrutin_election(election: ScrutinElection) -> Election:
    """The Belenios election of a scrutin, from its uuid, trustees and lists (not stored)."""
    scrutin = election.scrutin
    trustees = read_checked_trustees(election.trustees)
    lists = election_lists(scrutin)
    question = Question(
        question=str(QUESTION),
        answers=tuple(candidate_list.title for candidate_list in lists),
        min=1,
        max=1,
        blank=True,
    )
    return make_election(
        uuid=election.uuid,
        name=scrutin.name,
        description=f"{scrutin.campaign.name} — {scrutin.get_kind_display()} ({scrutin.code})",
        group=GROUP,
        public_key=election_public_key(GROUP, trustees),
        questions=[question],
        administrator=scrutin.campaign.organizer,
    )


@dataclass(frozen=True)
class Readiness:
    """What a scrutin's election still lacks before it can be sealed (empty: ready)."""

    missing: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.missing


def sealing_readiness(election: ScrutinElection) -> Readiness:
    """Trustees set, at least one list, one public credential per elector on the roll, none
    for anyone else."""
    missing = []
    scrutin = election.scrutin
    bureau = covering_bureau(scrutin)
    if bureau is not None and (
        bureau.step != Bureau.Step.COMPLETE or election.trustees != bureau.trustees
    ):
        missing.append(
            _("la cérémonie des clés du bureau de vote « %(bureau)s », terminée et vérifiée")
            % {"bureau": bureau.name}
        )
    elif not election.trustees:
        missing.append(_("les clés publiques des autorités de déchiffrement"))
    validated = CandidateList.objects.filter(scrutin=scrutin, status=CandidateList.Status.VALIDATED)
    if not validated.exists():
        missing.append(_("au moins une liste de candidats validée"))
    elif validated.filter(position__isnull=True).exists():
        missing.append(_("le tirage au sort de l'ordre des listes validées"))
    if CandidateList.objects.filter(
        scrutin=scrutin, status=CandidateList.Status.SUBMITTED
    ).exists():
        missing.append(_("la décision sur les listes déposées"))
    counts = credential_counts(election)
    without = counts.electors - counts.matched
    if without:
        missing.append(
            _("les certificats publics de %(count)d électeur(s) inscrit(s)") % {"count": without}
        )
    strangers = counts.stored - counts.matched
    if strangers:
        missing.append(
            _("le retrait de %(count)d certificat(s) d'électeurs qui ne sont plus inscrits")
            % {"count": strangers}
        )
    if not counts.electors:
        missing.append(_("au moins un électeur inscrit"))
    return Readiness(tuple(missing))


@dataclass(frozen=True)
class CredentialCounts:
    """The roll against the public credentials stored for it."""

    electors: int
    """Electors on the scrutin's roll."""
    stored: int
    """Public credentials stored for its election."""
    matched: int
    """Electors on the roll whose credential is stored."""


def credential_counts(election: ScrutinElection) -> CredentialCounts:
    """Count the roll's electors that have a public credential, a page of electors at a time:
    the credentials name their owners by pseudonyms, which only this process's key makes."""
    electors = stored = matched = 0
    elector_ids = (
        RollEntry.objects.filter(scrutin_id=election.scrutin_id)
        .order_by("elector_id")
        .values_list("elector_id", flat=True)
    )
    credentials = PublicCredential.objects.filter(election=election)
    for page in chunks(elector_ids.iterator(chunk_size=10_000)):
        electors += len(page)
        names = pseudonyms(election.uuid, page)
        matched += credentials.filter(pseudonym__in=list(names)).count()
    stored = credentials.count()
    return CredentialCounts(electors=electors, stored=stored, matched=matched)


def check_sealable(election: ScrutinElection) -> None:
    check_setup_editable(election)
    readiness = sealing_readiness(election)
    if not readiness.ready:
        raise SetupRefused(
            _(
                "L'élection du scrutin « %(scrutin)s » ne peut pas être scellée ; "
                "il manque : %(missing)s."
            )
            % {"scrutin": election.scrutin.code, "missing": " ; ".join(readiness.missing)}
        )


def credential_list_text(election: ScrutinElection) -> str:
    """The ``public_credentials`` file: every credential, in the order they were stored."""
    values = (
        PublicCredential.objects.filter(election=election)
        .order_by("pk")
        .values_list("credential", flat=True)
    )
    return dumps(list(values.iterator(chunk_size=10_000)))


def do_seal_election(scrutin: Scrutin) -> ScrutinElection:
    """Make the election text and write the board's beginning; nothing of it changes after."""
    with transaction.atomic():
        election = ScrutinElection.objects.select_for_update().get(pk=_election_of(scrutin).pk)
        check_sealable(election)
        made = make_scrutin_election(election)
        timestamp = int(time.time())
        chain = Chain.new(timestamp)
        parts = [chain.header()]
        payloads = {}
        for key, content in (
            ("election", made.text),
            ("trustees", election.trustees),
            ("credentials", credential_list_text(election)),
        ):
            payloads[key], raw = chain.data(content)
            parts.append(raw)
        setup_hash, raw = chain.data(dumps(payloads))
        parts.append(raw)
        event_hash, raw = chain.event(EventType.SETUP, setup_hash)
        parts.append(raw)
        election.election = made.text
        election.fingerprint = made.fingerprint
        election.setup_archive = b"".join(parts)
        election.archive_timestamp = timestamp
        election.last_event = event_hash
        election.height = chain.state.height
        election.sealed_at = clock.now()
        election.save()
    return election


@dataclass(frozen=True)
class ElectionSeal:
    """Where a scrutin's election stands on sealing: sealed (`election`, and whether by this
    call: `now`), or what it still lacks (`missing`; empty and not sealed: ready)."""

    scrutin: Scrutin
    election: ScrutinElection | None
    missing: tuple[str, ...] = ()
    now: bool = False

    @property
    def sealed(self) -> bool:
        return self.election is not None and self.election.is_sealed

    @property
    def ready(self) -> bool:
        return not self.sealed and not self.missing


def election_seal(scrutin: Scrutin) -> ElectionSeal:
    """Where `scrutin`'s election stands (`ElectionSeal`), nothing changed."""
    election = ScrutinElection.objects.filter(scrutin=scrutin).first()
    if election is None:
        return ElectionSeal(
            scrutin, None, (_("son élection, à préparer (urne prepare_elections)"),)
        )
    if election.is_sealed:
        return ElectionSeal(scrutin, election)
    return ElectionSeal(scrutin, election, sealing_readiness(election).missing)


def election_seals(campaign: Campaign) -> list[ElectionSeal]:
    """`election_seal` of each of the campaign's scrutins, by code."""
    return [election_seal(scrutin) for scrutin in campaign.scrutins.order_by("code")]


def do_seal_if_ready(who: Who, scrutin: Scrutin) -> ElectionSeal:
    """Seal `scrutin`'s election if it is ready (`do_seal_election`, journaled); otherwise say
    what it lacks. An election already sealed stays as it is."""
    state = election_seal(scrutin)
    if not state.ready:
        return state
    try:
        election = do_seal_election(scrutin)
    except SetupRefused as refused:  # the vote opened meanwhile...
        return ElectionSeal(scrutin, state.election, (str(refused.message),))
    audit.record(
        who,
        "voting.seal_election",
        election,
        campaign=scrutin.campaign_id,
        scrutin=scrutin.code,
        fingerprint=election.fingerprint,
    )
    return ElectionSeal(scrutin, election, now=True)


def lists_frozen(scrutin: Scrutin) -> bool:
    """A scrutin's lists and candidates are frozen once its election is sealed: its answers
    are the lists' titles in official order (and the booth shows the candidates with them)."""
    return ScrutinElection.objects.filter(scrutin=scrutin, sealed_at__isnull=False).exists()


def check_lists_editable(scrutin: Scrutin) -> None:
    """Raise SetupRefused once the scrutin's election is sealed (`lists_frozen`)."""
    if lists_frozen(scrutin):
        raise SetupRefused(
            _(
                "L'élection du scrutin « %(scrutin)s » est scellée : ses listes et leurs "
                "candidats ne changent plus."
            )
            % {"scrutin": scrutin.code}
        )


def check_lists_as_sealed(election: ScrutinElection, lists: list[CandidateList]) -> None:
    """`lists` (the scrutin's lists in official order, as the booth shows them) are the sealed
    election's answers, one for one: the booth's i-th option is a ballot's answer i, so a list
    added, withdrawn, moved or renamed after the seal would make a voter's choice count for
    another list. SetupRefused then (the booth offers no vote until it is put right)."""
    (question,) = sealed_election(election).questions
    if tuple(candidate_list.title for candidate_list in lists) != question.answers:
        raise SetupRefused(
            _("Les listes du scrutin « %(scrutin)s » ne sont plus celles de son élection scellée.")
            % {"scrutin": election.scrutin.code}
        )


def sealed_election(election: ScrutinElection) -> Election:
    """The crypto core's `Election` of a sealed scrutin election (read once per process)."""
    if not election.is_sealed:
        raise SetupRefused(_("Ce scrutin n'est pas encore prêt pour le vote."))
    return read_election_once(election.election)


def board_chain(election: ScrutinElection) -> Chain:
    """The board's hash chain where it stands now (after the Setup event or the last ballot):
    the ballot box appends to it while holding the election's row lock."""
    if not election.is_sealed or election.archive_timestamp is None:
        raise SetupRefused(_("Ce scrutin n'est pas encore prêt pour le vote."))
    last_type = EventType.BALLOT if election.ballot_count else EventType.SETUP
    return Chain(
        ChainState(election.archive_timestamp, election.last_event, election.height, last_type)
    )


def archive_chunks(election: ScrutinElection) -> Iterator[bytes]:
    """The public board `UUID.bel` as it stands: the sealed setup, then every accepted ballot in
    the chain's order (each ballot's data and event entries, rebuilt from its stored text).

    `election` is read before: the ballots shown are those up to its height. A ballot and the
    chain's head are written in one transaction, so this is always a consistent prefix, even
    while ballots keep arriving."""
    if not election.is_sealed or election.archive_timestamp is None:
        return
    setup = bytes(election.setup_archive)
    yield setup
    chain = Chain(scan(io.BytesIO(setup)))
    texts = (
        election.ballots.filter(height__lte=election.height)
        .order_by("height")
        .values_list("text", flat=True)
    )
    for text in texts.iterator(chunk_size=500):
        data_hash, raw_data = chain.data(text)
        _, raw_event = chain.event(EventType.BALLOT, data_hash)
        yield raw_data + raw_event
    # After the ballots, the count's events (urne.counting): EndBallots, EncryptedTally, the
    # partial decryptions and the Result, each stored with its exact entries.
    events = election.counting_events.filter(height__lte=election.height).order_by("height")
    for entries in events.values_list("entries", flat=True).iterator(chunk_size=50):
        yield bytes(entries)


__all__ = [
    "GROUP",
    "Readiness",
    "SetupRefused",
    "archive_chunks",
    "board_chain",
    "check_lists_as_sealed",
    "check_lists_editable",
    "check_provisional_trustees",
    "check_sealable",
    "check_setup_editable",
    "covering_bureau",
    "credential_list_text",
    "do_prepare_elections",
    "do_seal_election",
    "do_set_trustees",
    "election_lists",
    "lists_frozen",
    "make_scrutin_election",
    "read_checked_trustees",
    "sealed_election",
    "sealing_readiness",
]
