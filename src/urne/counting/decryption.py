"""The bureau's partial decryptions and the result (issue 9, « Déchiffrement »).

Once the encrypted tally is on the board (`urne.counting.closing`), each member of the bureau
present makes, offline, their partial decryption of it with their key (`urne trustee decrypt` or
`belenios-tool election decrypt`: the same output) and uploads it. The server holds no key: it
only checks.

- `do_accept_partial_decryption(election, text, uploaded_by)`: the one acceptance rule. The text
  is read (the tool's two lines, or the first alone), its trustee found (the ``owner`` the tool's
  second line names, or else the trustee whose verification key its proofs verify against),
  verified (`verify_partial_decryption` against that trustee's key), and appended as a
  PartialDecryption event. Refused with a French message, nothing changed: before the tally,
  after the result, unreadable, not verifying (forged, made for another scrutin, with a key of
  no trustee), a trustee who has already sent theirs.
- For a scrutin covered by a bureau (`urne.counting.models.Bureau`), each trustee number is a
  key fragment held by one member (`urne.counting.ceremony.trustee_number`): only that member
  may upload its share (`check_uploader`), from « Mon bureau de vote »; a non-member, or a
  member sending another member's share, is refused. Scrutins without a bureau keep the
  permission-based upload of the count page.
- `decryption_status(election)`: for each item of the trustees' structure (a "Single" key, or a
  "Pedersen" group with its threshold), who sent theirs and how many are still needed;
  `share_holders(election)` says, for a bureau's scrutin, which member holds each trustee
  number, and `missing_in_rule_words` says what is missing as the rule says it.
- `do_publish_result(election)`: once every item has enough (each "Single" key, and in each
  "Pedersen" group its threshold), the tally is decrypted (`decrypt_tally`) and the Result event
  appended: the archive is final. Called right after each accepted partial decryption; called
  again it is refused (one result, one proclamation). Too few, or the wrong mix (every share
  from one group, none from another), is refused with what is missing.

No ballot is ever decrypted: only the product of all of them, the tally.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from urne.audit.services import Who, record
from urne.counting.closing import (
    CountingRefused,
    Kind,
    _locked,
    _user,
    append_event,
    encrypted_tally,
    has_event,
)
from urne.counting.composition import KeyGroup
from urne.counting.models import BureauMember, BureauScrutin, KeyFragment
from urne.crypto.archive import Chain
from urne.crypto.errors import CryptoError, DecryptionFailed, InvalidPartialDecryption
from urne.crypto.hashing import sha256_hex
from urne.crypto.jsonio import dumps, loads
from urne.crypto.tally import (
    EncryptedTally,
    PartialDecryption,
    Result,
    decrypt_tally,
    verify_partial_decryption,
)
from urne.crypto.trustees import (
    DecryptionSlot,
    SingleTrustee,
    Trustee,
    decryption_slots,
    read_trustees,
)
from urne.voting.models import CountingEvent, ScrutinElection
from urne.voting.setup import GROUP, sealed_election

logger = logging.getLogger(__name__)

MAX_UPLOAD = 256 * 1024
"""The longest partial decryption taken (characters): 7 lists make about 12 kB."""


def trustees_of(election: ScrutinElection) -> tuple[Trustee, ...]:
    """The sealed election's trustees (its ``trustees.json``)."""
    text = election.trustees or ScrutinElection.objects.values_list("trustees", flat=True).get(
        pk=election.pk
    )
    return read_trustees(GROUP, loads(text))


# --- where the decryption stands -----------------------------------------------------------------


@dataclass(frozen=True)
class ItemStatus:
    """One item of the trustees' structure: a "Single" key or a "Pedersen" group."""

    number: int
    """From 1, in the structure's order."""
    single: bool
    members: tuple[int, ...]
    """The trustees' numbers (the archive's ``owner``) in this item."""
    needed: int
    sent: tuple[int, ...]

    @property
    def missing(self) -> int:
        return max(0, self.needed - len(self.sent))

    @property
    def complete(self) -> bool:
        return self.missing == 0


@dataclass(frozen=True)
class DecryptionStatus:
    items: tuple[ItemStatus, ...]
    tally: bool
    """The encrypted tally is on the board: partial decryptions may come."""
    result: bool

    @property
    def complete(self) -> bool:
        return all(item.complete for item in self.items)


def _sent(election: ScrutinElection) -> dict[int, CountingEvent]:
    events = CountingEvent.objects.filter(election=election, kind=Kind.PARTIAL_DECRYPTION).defer(
        "entries"
    )
    return {event.owner: event for event in events if event.owner is not None}


def decryption_status(election: ScrutinElection) -> DecryptionStatus:
    trustees = trustees_of(election)
    slots = decryption_slots(trustees)
    sent = _sent(election)
    items = []
    for index, trustee in enumerate(trustees):
        members = tuple(slot.owner for slot in slots if slot.item == index)
        items.append(
            ItemStatus(
                number=index + 1,
                single=isinstance(trustee, SingleTrustee),
                members=members,
                needed=1 if isinstance(trustee, SingleTrustee) else trustee.threshold,
                sent=tuple(owner for owner in members if owner in sent),
            )
        )
    return DecryptionStatus(
        items=tuple(items),
        tally=has_event(election, Kind.ENCRYPTED_TALLY),
        result=has_event(election, Kind.RESULT),
    )


def missing_message(status: DecryptionStatus) -> str:
    """What is still missing, in words (for a refused publication)."""
    parts = []
    for item in status.items:
        if item.complete:
            continue
        if item.single:
            parts.append(
                _("la clé n° %(number)d (autorité %(owner)d) n'a pas envoyé son déchiffrement")
                % {"number": item.number, "owner": item.members[0]}
            )
        else:
            parts.append(
                _(
                    "le groupe n° %(number)d : %(sent)d déchiffrement(s) reçu(s) pour "
                    "%(needed)d nécessaire(s), il en manque %(missing)d"
                )
                % {
                    "number": item.number,
                    "sent": len(item.sent),
                    "needed": item.needed,
                    "missing": item.missing,
                }
            )
    return "; ".join(parts)


# --- the bureau's members and their shares -------------------------------------------------------


@dataclass(frozen=True)
class ShareHolder:
    """The member of the bureau who holds one trustee number of a scrutin."""

    owner: int
    member: BureauMember
    group: str
    """`KeyGroup`: the presidency's or the unions' group."""

    @property
    def name(self) -> str:
        return str(self.member.user)

    @property
    def role(self) -> str:
        return str(self.member.get_role_display())

    @property
    def union(self) -> str:
        return str(self.member.union.acronym) if self.member.union else ""


def share_holders(election: ScrutinElection) -> dict[int, ShareHolder] | None:
    """For a scrutin covered by a bureau, each trustee number and the member who holds it (the
    presidency's fragments first, then the unions', as `urne.counting.ceremony.trustee_number`
    numbers them); None for a scrutin without a bureau."""
    link = BureauScrutin.objects.filter(scrutin_id=election.scrutin_id).first()
    if link is None:
        return None
    fragments = list(
        KeyFragment.objects.filter(bureau_id=link.bureau_id).select_related(
            "member__user", "member__union"
        )
    )
    presidency = sum(1 for fragment in fragments if fragment.group == KeyGroup.PRESIDENCY)
    holders = {}
    for fragment in fragments:
        owner = fragment.position
        if fragment.group != KeyGroup.PRESIDENCY:
            owner += presidency
        holders[owner] = ShareHolder(owner, fragment.member, fragment.group)
    return holders


def _not_a_member(election: ScrutinElection) -> CountingRefused:
    return CountingRefused(
        _(
            "Seuls les membres du bureau de vote électronique qui couvre le scrutin "
            "« %(scrutin)s » déposent ses déchiffrements partiels, chacun le sien : vous n'en "
            "détenez aucun fragment de clé. Rien n'a été enregistré."
        )
        % {"scrutin": election.scrutin.code}
    )


def _someone_elses(holder: ShareHolder) -> CountingRefused:
    return CountingRefused(
        _(
            "Ce déchiffrement partiel est celui de l'autorité n° %(owner)d, dont le fragment de "
            "clé est détenu par %(name)s (%(role)s) : seul ce membre du bureau peut le déposer. "
            "Rien n'a été enregistré."
        )
        % {"owner": holder.owner, "name": holder.name, "role": holder.role}
    )


def uploader_numbers(
    election: ScrutinElection, uploaded_by: Who
) -> tuple[dict[int, ShareHolder], frozenset[int]] | None:
    """For a bureau's scrutin: its holders and the trustee numbers the uploader holds (refused
    if none: not a member, or a member with no fragment); None for a scrutin without a bureau."""
    holders = share_holders(election)
    if holders is None:
        return None
    user = _user(uploaded_by)
    user_id = getattr(user, "pk", None)
    mine = frozenset(
        owner for owner, holder in holders.items() if user_id and holder.member.user_id == user_id
    )
    if not mine:
        raise _not_a_member(election)
    return holders, mine


def check_uploader(election: ScrutinElection, uploaded_by: Who, slot: DecryptionSlot) -> None:
    """Only the member holding `slot`'s fragment may upload its share (a bureau's scrutin)."""
    found = uploader_numbers(election, uploaded_by)
    if found is None:
        return
    holders, mine = found
    if slot.owner not in mine:
        holder = holders.get(slot.owner)
        if holder is None:  # pragma: no cover - the bureau's trustees are the election's
            raise _not_a_member(election)
        raise _someone_elses(holder)


def missing_in_rule_words(election: ScrutinElection, status: DecryptionStatus) -> str | None:
    """What is still missing, as the rule says it (« le président ou le secrétaire », « un
    délégué d'une autre organisation syndicale »), for a bureau's scrutin; None otherwise or
    when nothing is missing."""
    holders = share_holders(election)
    if holders is None or status.complete:
        return None
    sent = {owner for item in status.items for owner in item.sent}
    parts = []
    presidency = [h for h in holders.values() if h.group == KeyGroup.PRESIDENCY]
    if not any(h.owner in sent for h in presidency):
        parts.append(_("le président ou le secrétaire"))
    unions = [h for h in holders.values() if h.group != KeyGroup.PRESIDENCY]
    delegates: dict[int, list[ShareHolder]] = {}
    for holder in unions:
        delegates.setdefault(holder.member.pk, []).append(holder)
    started = [
        fragments
        for fragments in delegates.values()
        if any(holder.owner in sent for holder in fragments)
    ]
    unions_item = next((item for item in status.items if not item.complete), None)
    if unions_item is not None and any(h.owner in unions_item.members for h in unions):
        if not started:
            parts.append(_("deux délégués d'organisations syndicales différentes"))
        else:
            for fragments in started:
                left = [holder for holder in fragments if holder.owner not in sent]
                if left:
                    parts.append(
                        _("le second déchiffrement de %(name)s (autorité n° %(owner)d)")
                        % {"name": left[0].name, "owner": left[0].owner}
                    )
            if len(started) < 2:
                parts.append(_("un délégué d'une autre organisation syndicale"))
    return _(" et ").join(parts) if parts else None


# --- reading an upload ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    text: str
    """The partial decryption's JSON text, as it goes into the archive."""
    partial: PartialDecryption
    owner: int | None
    """The trustee number its second line names, if it has one."""


def _unreadable() -> CountingRefused:
    return CountingRefused(
        _(
            "Ce fichier n'est pas un déchiffrement partiel lisible : déposez tel quel ce "
            "qu'affiche « urne trustee decrypt » ou « belenios-tool election decrypt ». "
            "Rien n'a été enregistré."
        )
    )


def read_upload(text: str) -> Upload:
    """The partial decryption of an upload: the tool's output (the partial decryption on the
    first line, the ``owned_partial_decryption`` naming it on the second) or the first line."""
    if len(text) > MAX_UPLOAD:
        raise _unreadable()
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not 1 <= len(lines) <= 2:
        raise _unreadable()
    first = lines[0]
    owner = None
    try:
        partial = PartialDecryption.from_json(GROUP, loads(first))
        if len(lines) == 2:
            owned = loads(lines[1])
            if not isinstance(owned, dict) or set(owned) != {"owner", "payload"}:
                raise _unreadable()
            owner = owned["owner"]
            if not isinstance(owner, int) or isinstance(owner, bool) or owner < 1:
                raise _unreadable()
            if owned["payload"] != sha256_hex(first.encode("utf-8")):
                raise CountingRefused(
                    _(
                        "Les deux lignes du fichier ne vont pas ensemble : la seconde ne désigne "
                        "pas le déchiffrement de la première. Rien n'a été enregistré."
                    )
                )
    except CryptoError:
        raise _unreadable() from None
    return Upload(dumps(partial.to_json()), partial, owner)


# --- the acceptance rule -------------------------------------------------------------------------


def check_accepting(election: ScrutinElection) -> EncryptedTally:
    """Partial decryptions are taken between the encrypted tally and the result."""
    if has_event(election, Kind.RESULT):
        raise CountingRefused(
            _(
                "Le résultat du scrutin « %(scrutin)s » est déjà publié : aucun déchiffrement "
                "partiel n'est plus accepté. Rien n'a été enregistré."
            )
            % {"scrutin": election.scrutin.code}
        )
    tally = encrypted_tally(election)
    if tally is None:
        raise CountingRefused(
            _(
                "Le dépouillement chiffré du scrutin « %(scrutin)s » n'est pas encore publié "
                "(l'urne doit d'abord être close) : il n'y a rien à déchiffrer. Rien n'a été "
                "enregistré."
            )
            % {"scrutin": election.scrutin.code}
        )
    return tally


def _verifies(
    election: ScrutinElection, tally: EncryptedTally, slot: DecryptionSlot, upload: Upload
) -> bool:
    try:
        verify_partial_decryption(sealed_election(election), tally, slot.public_key, upload.partial)
    except InvalidPartialDecryption:
        return False
    return True


def _does_not_verify(election: ScrutinElection) -> CountingRefused:
    return CountingRefused(
        _(
            "Ce déchiffrement partiel ne se vérifie pas pour le dépouillement du scrutin "
            "« %(scrutin)s » : il a été fait pour un autre scrutin, avec une clé qui n'est pas "
            "celle d'un membre du bureau, ou il a été modifié. Rien n'a été enregistré."
        )
        % {"scrutin": election.scrutin.code}
    )


def _already(owner: int) -> CountingRefused:
    return CountingRefused(
        _(
            "L'autorité n° %(owner)d a déjà déposé son déchiffrement partiel : un seul par "
            "autorité. Rien n'a été enregistré."
        )
        % {"owner": owner}
    )


def find_trustee(
    election: ScrutinElection,
    tally: EncryptedTally,
    upload: Upload,
    uploaded_by: Who = None,
) -> DecryptionSlot:
    """The trustee whose key the partial decryption verifies against: the one its second line
    names, or the first that fits among those who have not sent theirs; for a bureau's scrutin,
    refused unless the uploader holds that trustee's fragment (`check_uploader`)."""
    slots = decryption_slots(trustees_of(election))
    sent = _sent(election)
    bureau = uploader_numbers(election, uploaded_by)
    if bureau is not None:
        holders, mine = bureau
        if upload.owner is not None and upload.owner in holders and upload.owner not in mine:
            raise _someone_elses(holders[upload.owner])
        if upload.owner is None:
            # A first line alone: the uploader's own fragments are tried first; another
            # member's share is named, not taken.
            slots = sorted(slots, key=lambda slot: slot.owner not in mine)
    if upload.owner is not None:
        slot = next((slot for slot in slots if slot.owner == upload.owner), None)
        if slot is None:
            raise CountingRefused(
                _(
                    "Ce déchiffrement partiel est signé de l'autorité n° %(owner)d, que ce "
                    "scrutin n'a pas (autorités 1 à %(count)d). Rien n'a été enregistré."
                )
                % {"owner": upload.owner, "count": len(slots)}
            )
        if slot.owner in sent:
            raise _already(slot.owner)
        if not _verifies(election, tally, slot, upload):
            raise _does_not_verify(election)
        return slot
    for slot in slots:
        if slot.owner not in sent and _verifies(election, tally, slot, upload):
            if bureau is not None:
                check_uploader(election, uploaded_by, slot)
            return slot
    for slot in slots:
        if slot.owner in sent and _verifies(election, tally, slot, upload):
            raise _already(slot.owner)
    raise _does_not_verify(election)


def do_accept_partial_decryption(
    election: ScrutinElection, text: str, uploaded_by: Who
) -> CountingEvent:
    """Verify a partial decryption and append it to the board (see the module docstring);
    then, if every item of the trustees has enough, publish the result. Raises
    `CountingRefused`, having changed nothing."""
    tally = check_accepting(election)
    uploader_numbers(election, uploaded_by)  # a non-member of a bureau is refused at once
    upload = read_upload(text)
    slot = find_trustee(election, tally, upload, uploaded_by)
    try:
        stored = _append_partial(election, upload, slot, uploaded_by)
    except IntegrityError:
        # Without row locks (SQLite), another upload was appended meanwhile: the database's
        # constraints refused this one, which changed nothing.
        raise CountingRefused(
            _(
                "Un autre déchiffrement partiel vient d'être enregistré pour ce scrutin : "
                "rechargez la page et déposez le vôtre à nouveau s'il n'y figure pas. Rien "
                "n'a été enregistré."
            )
        ) from None
    logger.info(
        "partial decryption accepted: scrutin %s, trustee %d", election.scrutin.code, slot.owner
    )
    if decryption_status(election).complete:
        # A concurrent upload may have published it meanwhile: the result is there, and this
        # share was accepted all the same.
        with suppress(IntegrityError, CountingRefused):
            do_publish_result(election, uploaded_by)
    return stored


def _append_partial(
    election: ScrutinElection, upload: Upload, slot: DecryptionSlot, uploaded_by: Who
) -> CountingEvent:
    with transaction.atomic():
        locked = _locked(election)
        check_accepting(locked)  # the result may have come meanwhile
        if CountingEvent.objects.filter(election=locked, owner=slot.owner).exists():
            raise _already(slot.owner)
        owned_text = upload.text

        def build(chain: Chain) -> tuple[list[bytes], str]:
            payload_hash, payload_raw = chain.data(owned_text)
            owned = dumps({"owner": slot.owner, "payload": payload_hash})
            owned_hash, owned_raw = chain.data(owned)
            return [payload_raw, owned_raw], owned_hash

        stored = append_event(
            locked,
            Kind.PARTIAL_DECRYPTION,
            build,
            text=owned_text,
            owner=slot.owner,
            by=_user(uploaded_by),
        )
        record(
            uploaded_by,
            "counting.partial_decryption",
            election,
            description=str(election.scrutin),
            scrutin=election.scrutin.code,
            trustee=slot.owner,
        )
    return stored


# --- the result ----------------------------------------------------------------------------------


def check_publishable(election: ScrutinElection) -> DecryptionStatus:
    status = decryption_status(election)
    if status.result:
        raise CountingRefused(
            _(
                "Le résultat du scrutin « %(scrutin)s » est déjà publié : il ne l'est qu'une "
                "fois. Rien n'a été changé."
            )
            % {"scrutin": election.scrutin.code}
        )
    if not status.tally:
        raise CountingRefused(
            _("Le dépouillement chiffré du scrutin « %(scrutin)s » n'est pas encore publié.")
            % {"scrutin": election.scrutin.code}
        )
    if not status.complete:
        in_words = missing_in_rule_words(election, status)
        if in_words is not None:
            raise CountingRefused(
                _(
                    "Le résultat ne peut pas encore être calculé : il manque %(missing)s. "
                    "L'ouverture demande le président ou le secrétaire, et deux délégués "
                    "d'organisations syndicales différentes. Rien n'a été changé."
                )
                % {"missing": in_words}
            )
        raise CountingRefused(
            _(
                "Le résultat ne peut pas encore être calculé : %(missing)s. Il faut, pour chaque "
                "clé simple, son déchiffrement, et pour chaque groupe, au moins son seuil de "
                "déchiffrements. Rien n'a été changé."
            )
            % {"missing": missing_message(status)}
        )
    return status


def do_publish_result(election: ScrutinElection, who: Who = None) -> CountingEvent:
    """Decrypt the tally with the partial decryptions on the board and append the Result
    event (once). Refused (`CountingRefused`) before every item has enough, and after."""
    check_publishable(election)
    with transaction.atomic():
        locked = _locked(election)
        check_publishable(locked)
        tally = encrypted_tally(locked)
        if tally is None:  # pragma: no cover - check_publishable saw it
            raise CountingRefused(_("Le dépouillement chiffré n'est pas encore publié."))
        partials = {
            owner: PartialDecryption.from_json(GROUP, loads(event.text))
            for owner, event in _sent(locked).items()
        }
        try:
            result = decrypt_tally(sealed_election(locked), trustees_of(locked), tally, partials)
        except (DecryptionFailed, InvalidPartialDecryption) as error:  # pragma: no cover
            logger.error("the tally of scrutin %s cannot be decrypted: %s", election.pk, error)
            raise CountingRefused(
                _("Le dépouillement ne se déchiffre pas avec ces déchiffrements partiels.")
            ) from None
        text = dumps(result.to_json())

        def build(chain: Chain) -> tuple[list[bytes], str]:
            result_hash, raw = chain.data(text)
            return [raw], result_hash

        stored = append_event(locked, Kind.RESULT, build, text=text, by=_user(who))
        record(
            who,
            "counting.result",
            election,
            description=str(election.scrutin),
            scrutin=election.scrutin.code,
            counts=[list(row) for row in result.counts],
        )
    logger.info("result appended: scrutin %s", election.scrutin.code)
    return stored


@dataclass(frozen=True)
class ListResult:
    title: str
    votes: int


@dataclass(frozen=True)
class ScrutinResult:
    """The decrypted result of a scrutin, as the board and the pages show it."""

    tallied: int
    """Ballots in the tally (votants)."""
    blank: int
    lists: tuple[ListResult, ...]
    """Votes per list, in the lists' official order."""


def scrutin_result(election: ScrutinElection) -> ScrutinResult | None:
    """The result on the board, per list (None before it is published)."""
    event = (
        CountingEvent.objects.filter(election=election, kind=Kind.RESULT).defer("entries").first()
    )
    if event is None:
        return None
    result = Result.from_json(loads(event.text))
    (question,) = sealed_election(election).questions
    (counts,) = result.counts
    offset = 1 if question.blank else 0
    tallied = (
        CountingEvent.objects.filter(election=election, kind=Kind.ENCRYPTED_TALLY)
        .values_list("tallied", flat=True)
        .first()
    ) or 0
    return ScrutinResult(
        tallied=tallied,
        blank=counts[0] if question.blank else 0,
        lists=tuple(
            ListResult(title, counts[offset + index])
            for index, title in enumerate(question.answers)
        ),
    )


def result_counts(election: ScrutinElection) -> dict[str, Any] | None:
    """The result as plain data (for JSON and other apps: the seats, the minutes)."""
    found = scrutin_result(election)
    if found is None:
        return None
    return {
        "tallied": found.tallied,
        "blank": found.blank,
        "lists": [{"title": item.title, "votes": item.votes} for item in found.lists],
    }


__all__ = [
    "DecryptionStatus",
    "ItemStatus",
    "ListResult",
    "ScrutinResult",
    "ShareHolder",
    "check_accepting",
    "check_publishable",
    "check_uploader",
    "decryption_status",
    "do_accept_partial_decryption",
    "do_publish_result",
    "find_trustee",
    "missing_in_rule_words",
    "read_upload",
    "result_counts",
    "scrutin_result",
    "share_holders",
    "trustees_of",
    "uploader_numbers",
]
