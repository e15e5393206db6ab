"""The credential authority's key pair, and the sealed form of a voting identifier.

The authority has a key of its own, an X25519 key pair used with HPKE (RFC 9180, base mode,
suite DHKEM(X25519, HKDF-SHA256) + HKDF-SHA256 + AES-256-GCM):

- the *public* key seals: the web process and `urne authority_generate` may hold it; anything
  sealed with it can be opened only with the private key;
- the *private* key opens: only the authority's worker (`celery -A urne worker -Q authority`)
  and its commands (`urne authority_notices`) hold it. The web process must not
  (`urne.checks`, urne.E009).

Each sealed text is bound to what it belongs to by the HPKE `info` (`purpose`, campaign,
elector or delivery): a ciphertext copied onto another elector's row does not open there.

Files (`urne authority_keygen`): the private key in PEM (PKCS #8), mode 0600; the public key as
the Base64 of its 32 raw bytes, which is also what URNE_AUTHORITY_PUBLIC_KEY may hold directly.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite
from django.conf import settings

SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)
PRIVATE_FILE = "authority.key"
PUBLIC_FILE = "authority.pub"


class AuthorityKeyMissing(Exception):
    """The key this step needs is not configured here (or cannot be read)."""


class SealBroken(Exception):
    """A sealed text that this key cannot open for this purpose (wrong key, row or tampering)."""


def _info(purpose: str, campaign_id: int, owner_id: int) -> bytes:
    return f"urne/authority/v1/{purpose}/campaign={campaign_id}/id={owner_id}".encode()


def seal(
    public_key: X25519PublicKey, text: str, purpose: str, campaign_id: int, owner_id: int
) -> bytes:
    """`text` sealed for the authority, bound to (`purpose`, campaign, owner)."""
    return SUITE.encrypt(
        text.encode("utf-8"), public_key, info=_info(purpose, campaign_id, owner_id)
    )


def open_sealed(
    private_key: X25519PrivateKey,
    sealed: bytes | memoryview,
    purpose: str,
    campaign_id: int,
    owner_id: int,
) -> str:
    """The text `seal` sealed for this (`purpose`, campaign, owner); raises `SealBroken`."""
    try:
        return SUITE.decrypt(
            bytes(sealed), private_key, info=_info(purpose, campaign_id, owner_id)
        ).decode("utf-8")
    except (InvalidTag, ValueError, UnicodeDecodeError) as error:
        raise SealBroken(f"cannot open a sealed {purpose} for id {owner_id}") from error


def public_key_text(public_key: X25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def _raw_public_key(text: str) -> X25519PublicKey | None:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return X25519PublicKey.from_public_bytes(raw) if len(raw) == 32 else None


def read_public_key(value: str) -> X25519PublicKey:
    """The public key from its Base64 text, or from a file holding that text (or a PEM key)."""
    text = value.strip()
    key = _raw_public_key(text)
    if key is not None:
        return key
    path = Path(text)
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise AuthorityKeyMissing(
            f"the authority's public key is neither 32 bytes in Base64 nor a readable file: {path}"
        ) from error
    if text.startswith("-----BEGIN"):
        loaded = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(loaded, X25519PublicKey):
            raise AuthorityKeyMissing(f"{path} is not an X25519 public key")
        return loaded
    key = _raw_public_key(text)
    if key is None:
        raise AuthorityKeyMissing(f"{path} does not hold an X25519 public key in Base64")
    return key


def read_private_key(path: Path) -> X25519PrivateKey:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise AuthorityKeyMissing(
            f"cannot read the authority's private key {path}: {error.strerror}"
        ) from error
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError as error:
        raise AuthorityKeyMissing(f"{path} is not a PEM private key") from error
    if not isinstance(key, X25519PrivateKey):
        raise AuthorityKeyMissing(f"{path} is not an X25519 private key")
    return key


def configured_public_key() -> X25519PublicKey:
    """URNE_AUTHORITY_PUBLIC_KEY (or the public half of the private key, where it is set)."""
    value = str(getattr(settings, "URNE_AUTHORITY_PUBLIC_KEY", "") or "")
    if value:
        return read_public_key(value)
    if private_key_configured():
        return configured_private_key().public_key()
    raise AuthorityKeyMissing("URNE_AUTHORITY_PUBLIC_KEY is not set")


def private_key_configured() -> bool:
    return bool(getattr(settings, "URNE_AUTHORITY_PRIVATE_KEY", ""))


def configured_private_key() -> X25519PrivateKey:
    """URNE_AUTHORITY_PRIVATE_KEY: only on the authority's worker and commands."""
    value = str(getattr(settings, "URNE_AUTHORITY_PRIVATE_KEY", "") or "")
    if not value:
        raise AuthorityKeyMissing(
            "URNE_AUTHORITY_PRIVATE_KEY is not set: only the credential authority's worker and "
            "commands hold it"
        )
    return read_private_key(Path(value))


def write_key_pair(folder: Path) -> tuple[Path, Path]:
    """A new key pair written into `folder`: (private file, mode 0600; public file). Refuses to
    overwrite an existing private key (the identifiers sealed with it would be lost)."""
    folder.mkdir(parents=True, exist_ok=True)
    private_path, public_path = folder / PRIVATE_FILE, folder / PUBLIC_FILE
    key = X25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # O_EXCL: never replace a key; 0600 from the start, not chmod after the write.
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    public_path.write_text(public_key_text(key.public_key()) + "\n", encoding="ascii")
    return private_path, public_path
