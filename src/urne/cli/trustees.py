"""`urne trustee keygen`, `urne trustees combine`, `urne trustees threshold`: the bureau's keys,
made offline, without Django, a database or a server.

The members of the bureau de vote électronique make their keys on their own machines; only the
public part (``trustees.json``) goes to the voting server (`urne scrutin_trustees`), which never
holds a decryption key. Files are those of belenios-tool, so either tool can take the other's:

- ``urne trustee keygen --out DIR``: one "Single" trustee, as ``belenios-tool setup
  generate-trustee-key``: ``ID.privkey`` (the private key, a JSON string, mode 0600) and
  ``ID.pubkey`` (the ``trustee_public_key`` with its proof of knowledge), ID being the key's short
  fingerprint.
- ``urne trustee decrypt --privkey FILE [--trustee-id N] --dir DIR`` (or ``--archive FILE``; a
  member of the bureau's distributed ceremony gives ``--key ID.key --voutput FILE`` instead of
  ``--privkey``: their share is opened from them and checked):
  the trustee's partial decryption of the encrypted tally in the election's archive, as
  ``belenios-tool election decrypt``: the ``partial_decryption`` on the first line, the
  ``owned_partial_decryption`` naming it (its ``owner`` and hash) on the second. Without
  ``--trustee-id`` the number is found from the key (the trustee whose public or verification
  key it opens). The output is what the bureau member uploads to urne; no ballot is decrypted,
  only the tally.
- ``urne trustees combine FILE... --out trustees.json``: the ``trustees`` structure of every
  ``.pubkey`` given (each proof checked), as ``belenios-tool setup make-trustees``; a
  ``trustees.json`` given among them has its items taken as they are (checked too).
- ``urne trustees threshold --members N --threshold T --out DIR``: the threshold ceremony
  (`urne.crypto.pedersen`) played by one person on one machine, for a demonstration or a
  rehearsal: ``trustees.json`` (one "Pedersen" item, T of the N members needed) and, for each
  member j, ``trustee-j.privkey``, the member's decryption key share (mode 0600; usable with
  ``belenios-tool election decrypt --privkey trustee-j.privkey --trustee-id j``). Whoever ran it
  saw every share: for a real election each member runs their own steps on their own machine
  (the bureau's distributed ceremony comes with a later issue).

A member's own steps of the distributed threshold ceremony (the bureau's ceremony in the back
office, docs/bureau.md), each writing the files ``belenios-tool setup
generate-trustee-key-threshold`` writes at the same step:

- ``urne trustee threshold-cert --out DIR``: step 1, ``ID.key`` (the seed, mode 0600) and
  ``ID.cert``;
- ``urne trustee threshold-polynomial --certs certs.jsons --key ID.key --threshold T --out F``:
  step 3, the member's polynomial (one line);
- ``urne trustee threshold-voutput --certs certs.jsons --key ID.key --vinput ID.vinput --out F``:
  step 5, the member's voutput (one line), after checking every value received.

Exit 0 on success, 2 for bad input (a file that is not a key, a folder where files would be
overwritten...). Messages are in English, as the protocol core's.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from urne.cli.protocol import EXIT_OK, BadInput, _Parser, find_archive
from urne.crypto import pedersen
from urne.crypto.archive import ArchiveReader, EncryptedTallyRecord, ResultRecord, SetupRecord
from urne.crypto.election import read_election
from urne.crypto.errors import CryptoError
from urne.crypto.group import BELENIOS_2048, Exponent, Group
from urne.crypto.hashing import sha256_hex
from urne.crypto.jsonio import dumps, loads
from urne.crypto.tally import EncryptedTally, make_partial_decryption
from urne.crypto.trustees import (
    PedersenTrustees,
    SignedMessage,
    SingleTrustee,
    Trustee,
    TrusteePublicKey,
    decryption_slots,
    make_trustee_key,
    private_key_to_json,
    read_private_key,
    read_trustees,
    trustees_to_json,
    verify_trustees,
)

GROUP: Group = BELENIOS_2048
"""The group of every urne election (ARCHITECTURE.md, decision 4)."""

PRIVATE_MODE = 0o600
MAX_MEMBERS = 64


# --- what the commands write, usable without the command line -------------------------------------


@dataclass(frozen=True)
class SingleKeyFiles:
    """What `write_single_key` wrote."""

    key_id: str
    private_key: Path
    public_key: Path


@dataclass(frozen=True)
class ThresholdFiles:
    """What `write_threshold_trustees` wrote: trustees.json and each member's key share file
    (member j's at index j - 1)."""

    trustees: Path
    private_keys: tuple[Path, ...]
    parameters: PedersenTrustees


def _prepare_folder(folder: Path, names: Sequence[str]) -> None:
    """Create `folder` (mode 0700) if needed; refuse if any of `names` is already there: a key
    is never overwritten."""
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{folder}: not a folder")
    taken = [name for name in names if (folder / name).exists()]
    if taken:
        raise BadInput(f"{folder}: {', '.join(taken)} already there; keys are never overwritten")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BadInput(f"{folder}: cannot be created: {error.strerror}") from None


def _write(path: Path, text: str, *, private: bool) -> None:
    """Write a new file; a private one is created with mode 0600 from the start (never readable
    by others, not even for an instant)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        descriptor = os.open(path, flags, PRIVATE_MODE if private else 0o644)
    except FileExistsError:
        raise BadInput(f"{path}: already there; keys are never overwritten") from None
    except OSError as error:
        raise BadInput(f"{path}: cannot be written: {error.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)


def write_single_key(folder: Path, group: Group = GROUP) -> SingleKeyFiles:
    """A "Single" trustee's key pair in `folder`: ``ID.privkey`` (0600) and ``ID.pubkey``."""
    x, public = make_trustee_key(group)
    key_id = pedersen.single_key_id(public.public_key)
    names = (f"{key_id}.privkey", f"{key_id}.pubkey")
    _prepare_folder(folder, names)
    private_path, public_path = (folder / name for name in names)
    _write(private_path, private_key_to_json(x) + "\n", private=True)
    _write(public_path, dumps(public.to_json()) + "\n", private=False)
    return SingleKeyFiles(key_id, private_path, public_path)


def read_trustee_files(paths: Sequence[Path], group: Group = GROUP) -> tuple[Trustee, ...]:
    """The trustees of the files given, in order: a ``.pubkey`` (``trustee_public_key``) is one
    "Single" trustee, a ``trustees.json`` brings its items. Every proof is checked."""
    if not paths:
        raise BadInput("name at least one public key file (ID.pubkey) or trustees.json")
    trustees: list[Trustee] = []
    for path in paths:
        try:
            value = loads(path.read_bytes())
        except OSError as error:
            raise BadInput(f"{path}: cannot be read: {error.strerror}") from None
        except CryptoError as error:
            raise BadInput(f"{path}: not JSON: {error}") from None
        try:
            if isinstance(value, list):
                found = read_trustees(group, value)
            else:
                found = (SingleTrustee(TrusteePublicKey.from_json(group, value)),)
            verify_trustees(group, found)
        except CryptoError as error:
            raise BadInput(
                f"{path}: not a trustee's public key nor a trustees.json: {error}"
            ) from None
        trustees.extend(found)
    return tuple(trustees)


def write_trustees(path: Path, trustees: Sequence[Trustee]) -> None:
    """``trustees.json`` at `path` (a new file)."""
    _write(path, dumps(trustees_to_json(trustees)) + "\n", private=False)


def check_bureau(members: int, threshold: int) -> None:
    """Raise `BadInput` unless T of N members make a threshold bureau."""
    if not 1 <= members <= MAX_MEMBERS:
        raise BadInput(f"the bureau has between 1 and {MAX_MEMBERS} members")
    if not 1 <= threshold <= members:
        raise BadInput(f"the threshold is between 1 and the number of members ({members})")


def play_threshold_ceremony(
    members: int, threshold: int, group: Group = GROUP
) -> tuple[PedersenTrustees, dict[int, Exponent]]:
    """Every step of the threshold ceremony, each member played in turn here: the threshold
    parameters, and each member's decryption key share by position (from 1), each opened from
    its sealed form and checked against its verification key as a member would."""
    check_bureau(members, threshold)
    keys = [pedersen.derive_keys(group, pedersen.make_seed()) for _ in range(members)]
    certs = [pedersen.make_cert(group, member) for member in keys]
    polynomials = [pedersen.make_polynomial(group, certs, member, threshold) for member in keys]
    vinputs = pedersen.make_vinputs(group, certs, polynomials)
    voutputs = [
        pedersen.make_voutput(group, certs, member, vinput)
        for member, vinput in zip(keys, vinputs, strict=True)
    ]
    parameters = pedersen.make_threshold_parameters(group, certs, polynomials, voutputs)
    shares = dict(
        pedersen.read_decryption_key(group, member, parameters, voutput.private_key)
        for member, voutput in zip(keys, voutputs, strict=True)
    )
    return parameters, shares


def write_threshold_trustees(
    folder: Path, members: int, threshold: int, group: Group = GROUP
) -> ThresholdFiles:
    """`play_threshold_ceremony`, then ``trustees.json`` and ``trustee-j.privkey`` (0600) for
    each member j in `folder`. Refuses (`BadInput`) before any work if a file would be
    overwritten."""
    check_bureau(members, threshold)
    names = ["trustees.json", *(f"trustee-{j}.privkey" for j in range(1, members + 1))]
    _prepare_folder(folder, names)
    parameters, shares = play_threshold_ceremony(members, threshold, group)
    private_keys = []
    for j in range(1, members + 1):
        path = folder / f"trustee-{j}.privkey"
        _write(path, private_key_to_json(shares[j]) + "\n", private=True)
        private_keys.append(path)
    trustees_path = folder / "trustees.json"
    write_trustees(trustees_path, [parameters])
    return ThresholdFiles(trustees_path, tuple(private_keys), parameters)


def write_threshold_cert(folder: Path, group: Group = GROUP) -> tuple[Path, Path]:
    """Step 1 of the threshold ceremony for one member: ``ID.key`` (0600) and ``ID.cert``."""
    keys = pedersen.derive_keys(group, pedersen.make_seed())
    cert = pedersen.make_cert(group, keys)
    name = pedersen.cert_name(cert)
    names = (f"{name}.key", f"{name}.cert")
    _prepare_folder(folder, names)
    key_path, cert_path = (folder / item for item in names)
    _write(key_path, keys.seed + "\n", private=True)
    _write(cert_path, dumps(cert.to_json()) + "\n", private=False)
    return key_path, cert_path


def _read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"{path}: cannot be read: {error}") from None


def read_certs_file(path: Path, group: Group = GROUP) -> list[SignedMessage]:
    """``certs.jsons``: one certificate a line."""
    try:
        return [
            pedersen.read_cert(group, loads(line))
            for line in _read_file(path).splitlines()
            if line.strip()
        ]
    except CryptoError as error:
        raise BadInput(f"{path}: not a certs.jsons file: {error}") from None


def read_key_file(path: Path, group: Group = GROUP) -> pedersen.TrusteeKeys:
    try:
        return pedersen.derive_keys(group, _read_file(path))
    except CryptoError as error:
        raise BadInput(f"{path}: not a threshold trustee's key (ID.key): {error}") from None


def _write_line(out: Path, line: str) -> None:
    if out.is_dir():
        raise BadInput(f"{out}: is a folder; give a file name")
    _write(out, line + "\n", private=False)


def write_threshold_polynomial(
    certs: Path, key: Path, threshold: int, out: Path, group: Group = GROUP
) -> None:
    """Step 3 for one member: their polynomial, in ``out``."""
    try:
        polynomial = pedersen.make_polynomial(
            group, read_certs_file(certs, group), read_key_file(key, group), threshold
        )
    except CryptoError as error:
        raise BadInput(f"the polynomial cannot be made: {error}") from None
    _write_line(out, dumps(polynomial.to_json()))


def write_threshold_voutput(
    certs: Path, key: Path, vinput: Path, out: Path, group: Group = GROUP
) -> None:
    """Step 5 for one member: check what every member sent them, and write their voutput."""
    try:
        received = pedersen.Vinput.from_json(group, loads(_read_file(vinput).strip()))
        voutput = pedersen.make_voutput(
            group, read_certs_file(certs, group), read_key_file(key, group), received
        )
    except CryptoError as error:
        raise BadInput(f"the voutput cannot be made: {error}") from None
    _write_line(out, dumps(voutput.to_json()))


def _ceremony_share(
    group: Group, trustees: Sequence[Trustee], key: Path, voutput: Path
) -> Exponent:
    """A ceremony member's decryption key share, opened from their own files: ``ID.key`` (the
    seed of step 1) and their voutput (step 5: the JSON line, or its ``private_key`` alone, the
    tool's ``ID.dkey``), checked against the group's published verification key."""
    keys = read_key_file(key, group)
    text = _read_file(voutput).strip()
    try:
        value = loads(text)
    except CryptoError:
        value = text
    sealed = value.get("private_key") if isinstance(value, dict) else text
    if not isinstance(sealed, str):
        raise BadInput(f"{voutput}: not a voutput nor an ID.dkey file")
    failures = []
    for item in trustees:
        if not isinstance(item, PedersenTrustees):
            continue
        try:
            return pedersen.read_decryption_key(group, keys, item, sealed)[1]
        except CryptoError as error:
            failures.append(str(error))
    raise BadInput(
        f"{key} and {voutput}: no threshold group of this election opens with them"
        + (f" ({'; '.join(failures)})" if failures else "")
    )


def decrypt_archive(
    archive: Path,
    private_key: Path | None,
    trustee_id: int | None,
    *,
    key: Path | None = None,
    voutput: Path | None = None,
) -> tuple[str, str]:
    """The trustee's partial decryption of the tally in `archive` and its owned form (the two
    lines of ``belenios-tool election decrypt``), with the trustee's `private_key` file, or a
    ceremony member's `key` (``ID.key``) and `voutput` files."""
    x_text = ""
    if private_key is not None:
        try:
            x_text = private_key.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise BadInput(f"{private_key}: cannot be read: {error.strerror}") from None
    elif key is None or voutput is None:
        raise BadInput("give --privkey, or --key and --voutput")
    named = private_key if private_key is not None else key
    setup = tally = None
    try:
        with ArchiveReader.open(archive) as reader:
            for record in reader.records():
                if isinstance(record, SetupRecord):
                    setup = record
                elif isinstance(record, EncryptedTallyRecord):
                    tally = record
                elif isinstance(record, ResultRecord):
                    raise BadInput(f"{archive}: the result is already in the archive")
        if setup is None or tally is None:
            raise BadInput(f"{archive}: no encrypted tally yet (the vote is not tallied)")
        election = read_election(setup.election)
        trustees = read_trustees(election.group, loads(setup.trustees))
        if key is not None and voutput is not None:
            x = _ceremony_share(election.group, trustees, key, voutput)
        else:
            x = read_private_key(election.group, x_text)
        encrypted = EncryptedTally.from_json(
            election, loads(tally.encrypted_tally), tally.num_tallied, tally.total_weight
        )
    except OSError as error:
        raise BadInput(f"{archive}: cannot be read: {error.strerror}") from None
    except CryptoError as error:
        raise BadInput(f"{archive} or {named}: cannot be read: {error}") from None
    public = election.group.pow_g_secret(x)
    slots = decryption_slots(trustees)
    mine = [slot.owner for slot in slots if slot.public_key == public]
    if not mine:
        raise BadInput(f"{named}: this key is not one of the election's trustees")
    if trustee_id is None:
        trustee_id = mine[0]
    elif trustee_id not in mine:
        raise BadInput(f"{named}: this key is trustee {mine[0]}'s, not trustee {trustee_id}'s")
    partial = dumps(make_partial_decryption(election, encrypted, x).to_json())
    owned = dumps({"owner": trustee_id, "payload": sha256_hex(partial)})
    return partial, owned


# --- the command line -----------------------------------------------------------------------------

_OFFLINE = (
    "Run it offline, on the member's own machine: only the public part (trustees.json) goes to "
    "the voting server (urne scrutin_trustees)."
)
_REHEARSAL = (
    "The threshold key ceremony played by one person on one machine, for a demonstration or a "
    "rehearsal: whoever runs it sees every member's key share. For a real election each member "
    "runs their own steps on their own machine (belenios-tool setup "
    "generate-trustee-key-threshold); the bureau's distributed ceremony in urne comes with a "
    "later issue."
)


def _members(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return number


def trustee(args: Sequence[str]) -> int:
    """``urne trustee keygen --out DIR``."""
    parser = _Parser(prog="urne trustee", description="A trustee's own key. " + _OFFLINE)
    commands = parser.add_subparsers(dest="action", required=True, parser_class=_Parser)
    keygen = commands.add_parser(
        "keygen",
        help="make a 'Single' trustee's key pair",
        description="Make a 'Single' trustee's key pair, as belenios-tool setup "
        "generate-trustee-key: ID.privkey (mode 0600, keep it secret) and ID.pubkey. " + _OFFLINE,
    )
    keygen.add_argument("--out", type=Path, required=True, help="the folder to write in")
    cert = commands.add_parser(
        "threshold-cert",
        help="threshold ceremony, step 1: a member's key and certificate",
        description="Step 1 of the threshold ceremony, as belenios-tool setup "
        "generate-trustee-key-threshold --step 1: ID.key (mode 0600, keep it secret, offline) "
        "and ID.cert (to upload).",
    )
    cert.add_argument("--out", type=Path, required=True, help="the folder to write in")
    polynomial = commands.add_parser(
        "threshold-polynomial",
        help="threshold ceremony, step 3: a member's polynomial",
        description="Step 3, as belenios-tool --step 3: the member's polynomial, made from the "
        "group's certs.jsons and the member's ID.key.",
    )
    polynomial.add_argument("--certs", type=Path, required=True, help="certs.jsons")
    polynomial.add_argument("--key", type=Path, required=True, help="the member's ID.key")
    polynomial.add_argument(
        "--threshold", type=_members, required=True, help="members needed to decrypt"
    )
    polynomial.add_argument("--out", type=Path, required=True, help="the file to write")
    voutput = commands.add_parser(
        "threshold-voutput",
        help="threshold ceremony, step 5: a member's voutput",
        description="Step 5, as belenios-tool --step 5: check the values every member sent "
        "(ID.vinput) and write the member's voutput (their key share, sealed for them).",
    )
    voutput.add_argument("--certs", type=Path, required=True, help="certs.jsons")
    voutput.add_argument("--key", type=Path, required=True, help="the member's ID.key")
    voutput.add_argument("--vinput", type=Path, required=True, help="the member's ID.vinput")
    voutput.add_argument("--out", type=Path, required=True, help="the file to write")
    decrypt = commands.add_parser(
        "decrypt",
        help="make the trustee's partial decryption of the encrypted tally",
        description="Make the trustee's partial decryption of the election's encrypted tally, "
        "as belenios-tool election decrypt: two lines to upload to urne. " + _OFFLINE,
    )
    secret = decrypt.add_mutually_exclusive_group(required=True)
    secret.add_argument("--privkey", type=Path, help="the private key file (ID.privkey)")
    secret.add_argument(
        "--key", type=Path, help="a ceremony member's ID.key (with --voutput: their voutput)"
    )
    decrypt.add_argument(
        "--voutput", type=Path, help="the member's voutput (step 5) or ID.dkey, with --key"
    )
    decrypt.add_argument(
        "--trustee-id", type=_members, help="the trustee's number (found from the key if absent)"
    )
    where = decrypt.add_mutually_exclusive_group(required=True)
    where.add_argument("--dir", type=Path, help="the folder holding the archive (UUID.bel)")
    where.add_argument("--archive", type=Path, help="the archive (UUID.bel)")
    options = parser.parse_args(list(args))
    if options.action == "threshold-cert":
        key_path, cert_path = write_threshold_cert(options.out)
        print(f"Key {key_path} (keep it secret, offline); certificate {cert_path} (to upload).")
        return EXIT_OK
    if options.action == "threshold-polynomial":
        write_threshold_polynomial(options.certs, options.key, options.threshold, options.out)
        print(f"Wrote {options.out}: your polynomial (to upload).")
        return EXIT_OK
    if options.action == "threshold-voutput":
        write_threshold_voutput(options.certs, options.key, options.vinput, options.out)
        print(f"Wrote {options.out}: your voutput (to upload, and to keep).")
        return EXIT_OK
    if options.action == "decrypt":
        archive = find_archive(options.dir if options.dir is not None else options.archive)
        if options.key is not None and options.voutput is None:
            raise BadInput("urne trustee decrypt: --key needs --voutput (the member's voutput)")
        partial, owned = decrypt_archive(
            archive, options.privkey, options.trustee_id, key=options.key, voutput=options.voutput
        )
        print(partial)
        print(owned)
        return EXIT_OK
    made = write_single_key(options.out)
    print(
        f"Key pair {made.key_id}: private key {made.private_key} (keep it secret, offline), "
        f"public key {made.public_key} (for urne trustees combine)."
    )
    return EXIT_OK


def trustees(args: Sequence[str]) -> int:
    """``urne trustees combine ...`` and ``urne trustees threshold ...``."""
    parser = _Parser(
        prog="urne trustees", description="The trustees of an election (trustees.json)."
    )
    commands = parser.add_subparsers(dest="action", required=True, parser_class=_Parser)
    combine = commands.add_parser(
        "combine",
        help="make trustees.json from the members' public keys",
        description="Make trustees.json from the members' public keys (ID.pubkey, or a "
        "trustees.json whose items are taken as they are), each proof checked, as "
        "belenios-tool setup make-trustees.",
    )
    combine.add_argument("keys", type=Path, nargs="+", metavar="PUBKEY", help="public key files")
    combine.add_argument("--out", type=Path, required=True, help="the trustees.json to write")
    threshold = commands.add_parser(
        "threshold",
        help="play the threshold ceremony in one place (demonstration, rehearsal)",
        description=_REHEARSAL,
    )
    threshold.add_argument("--members", type=_members, required=True, help="members (N)")
    threshold.add_argument(
        "--threshold", type=_members, required=True, help="members needed to decrypt (T)"
    )
    threshold.add_argument("--out", type=Path, required=True, help="the folder to write in")
    options = parser.parse_args(list(args))
    if options.action == "combine":
        found = read_trustee_files(options.keys)
        out: Path = options.out
        if out.is_dir():
            raise BadInput(f"{out}: is a folder; give a file name such as trustees.json")
        if not out.resolve().parent.is_dir():
            raise BadInput(f"{out}: the folder {out.resolve().parent} does not exist")
        write_trustees(out, found)
        print(f"Wrote {out}: {len(found)} trustee item(s), every proof checked.")
        return EXIT_OK
    made = write_threshold_trustees(options.out, options.members, options.threshold)
    print(
        f"Wrote {made.trustees}: {options.threshold} of {options.members} members needed to "
        "decrypt.\nEach member's private key share, to hand over and then delete here:\n"
        + "\n".join(f"  member {j}: {path}" for j, path in enumerate(made.private_keys, start=1))
    )
    return EXIT_OK
