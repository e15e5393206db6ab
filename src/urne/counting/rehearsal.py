"""Every member's steps of a bureau's key ceremony played in one place: a rehearsal, or the
demonstration's bureau. Whoever runs it holds every member's key: never for a real election.

`do_play_ceremony(bureau, folder)` runs, for each fragment, what its member would run offline
(`urne.crypto.pedersen`), saves the member's files as belenios-tool names them in
``folder/<member's address>/`` (``ID.key`` mode 0600, ``ID.cert``, ``ID.voutput``: its
``private_key`` is the tool's ``ID.dkey``), and sends each message through the same verbs the
members' pages call (`urne.counting.ceremony`), so every check and audit entry is the real one.

`member_partial_decryptions(election, member, folder)` is what that member does offline at the
count: from their saved files (``ID.key`` and ``ID.voutput``), the key share of each of their
fragments, and its partial decryption of the scrutin's encrypted tally, in the two lines of
``belenios-tool election decrypt`` (the partial decryption, then the ``owner`` naming it).
"""

from __future__ import annotations

import os
from pathlib import Path

from urne.counting import ceremony
from urne.counting.composition import THRESHOLDS, KeyGroup
from urne.counting.models import Bureau, BureauMember, KeyFragment
from urne.crypto import pedersen
from urne.crypto.hashing import sha256_hex
from urne.crypto.jsonio import dumps, loads
from urne.crypto.tally import EncryptedTally, make_partial_decryption
from urne.crypto.trustees import PedersenTrustees, read_trustees
from urne.voting.models import ScrutinElection
from urne.voting.setup import sealed_election

GROUP = ceremony.GROUP


def _write(path: Path, text: str, *, private: bool) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)


def member_folder(folder: Path, member: BureauMember) -> Path:
    return folder / member.user.get_username()


def do_play_ceremony(bureau: Bureau, folder: Path) -> Bureau:
    """Open `bureau`'s ceremony if it is composing, then play every step it still waits for."""
    if bureau.step == Bureau.Step.COMPOSING:
        bureau = ceremony.do_open_ceremony(None, bureau)
    keys: dict[int, pedersen.TrusteeKeys] = {}
    fragments = list(
        KeyFragment.objects.filter(bureau=bureau).select_related("member", "member__user")
    )
    for fragment in fragments:
        place = member_folder(folder, fragment.member)
        if fragment.cert:
            keys[fragment.pk] = pedersen.derive_keys(
                GROUP, (place / f"{fragment.cert_name}.key").read_text(encoding="utf-8")
            )
            continue
        made = pedersen.derive_keys(GROUP, pedersen.make_seed())
        cert = pedersen.make_cert(GROUP, made)
        name = pedersen.cert_name(cert)
        _write(place / f"{name}.key", made.seed + "\n", private=True)
        _write(place / f"{name}.cert", dumps(cert.to_json()) + "\n", private=False)
        keys[fragment.pk] = made
        ceremony.do_submit_cert(None, bureau, fragment.member, fragment.pk, dumps(cert.to_json()))
    for fragment in fragments:
        fragment.refresh_from_db()
        if fragment.polynomial:
            continue
        group = KeyGroup(fragment.group)
        certs = [
            pedersen.read_cert(GROUP, loads(line))
            for line in ceremony.certs_jsons(bureau, group).splitlines()
        ]
        polynomial = pedersen.make_polynomial(GROUP, certs, keys[fragment.pk], THRESHOLDS[group])
        ceremony.do_submit_polynomial(
            None, bureau, fragment.member, fragment.pk, dumps(polynomial.to_json())
        )
    for fragment in fragments:
        fragment.refresh_from_db()
        if fragment.voutput:
            continue
        certs = [
            pedersen.read_cert(GROUP, loads(line))
            for line in ceremony.certs_jsons(bureau, fragment.group).splitlines()
        ]
        vinput = pedersen.Vinput.from_json(GROUP, loads(fragment.vinput))
        voutput = dumps(pedersen.make_voutput(GROUP, certs, keys[fragment.pk], vinput).to_json())
        place = member_folder(folder, fragment.member)
        _write(place / f"{fragment.cert_name}.voutput", voutput + "\n", private=True)
        ceremony.do_submit_voutput(None, bureau, fragment.member, fragment.pk, voutput)
    bureau.refresh_from_db()
    return bureau


def member_partial_decryptions(
    election: ScrutinElection, tally: EncryptedTally, member: BureauMember, folder: Path
) -> list[str]:
    """The member's partial decryptions of `tally`, one per fragment they hold, each in the two
    lines belenios-tool writes, made from their files in ``folder/<member's address>/``."""
    trustees = read_trustees(GROUP, loads(election.trustees))
    sealed = sealed_election(election)
    place = member_folder(folder, member)
    made = []
    for fragment in member.fragments.order_by("group", "position"):
        parameters = trustees[0 if fragment.group == KeyGroup.PRESIDENCY else 1]
        if not isinstance(parameters, PedersenTrustees):  # pragma: no cover - the bureau's shape
            raise TypeError("a bureau's trustees are two Pedersen groups")
        keys = pedersen.derive_keys(
            GROUP, (place / f"{fragment.cert_name}.key").read_text(encoding="utf-8")
        )
        voutput = loads((place / f"{fragment.cert_name}.voutput").read_text(encoding="utf-8"))
        _position, share = pedersen.read_decryption_key(
            GROUP, keys, parameters, voutput["private_key"]
        )
        partial = dumps(make_partial_decryption(sealed, tally, share).to_json())
        owned = dumps({"owner": ceremony.trustee_number(fragment), "payload": sha256_hex(partial)})
        made.append(f"{partial}\n{owned}\n")
    return made
