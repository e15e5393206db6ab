"""The hash functions of Belenios 2.0.

- `sha256_hex(text)`: SHA256 in lower-case hexadecimal (file names in the `.bel` archive, seeds).
- `hash_json(text)`: the spec's H_JSON, SHA256 in Base64 without padding — the election fingerprint
  φ, the hash a ballot signature covers, and the smart ballot tracker.
- `hash_to_int(text)`: SHA256 read as a 256-bit big-endian number; `hash_mod(text, q)` reduces it,
  as every Fiat-Shamir challenge of the spec does (``prove|S|α,β|A0,B0,...`` etc.: the callers in
  `urne.crypto.proofs` build those strings).
- `join_numbers(values)`: numbers in base 10 separated by commas, the building block of every
  challenge string.

Texts are UTF-8 encoded before hashing.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable


def _digest(text: str | bytes) -> bytes:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).digest()


def sha256_hex(text: str | bytes) -> str:
    """SHA256 of `text`, in lower-case hexadecimal."""
    return _digest(text).hex()


def hash_json(text: str | bytes) -> str:
    """H_JSON of the spec: SHA256 of `text` in Base64, without the trailing ``=`` padding."""
    return base64.b64encode(_digest(text)).decode("ascii").rstrip("=")


def hash_to_int(text: str | bytes) -> int:
    """SHA256 of `text` read as a 256-bit big-endian number."""
    return int.from_bytes(_digest(text), "big")


def hash_mod(text: str | bytes, modulus: int) -> int:
    """SHA256 of `text` as a big-endian number, reduced modulo `modulus` (a challenge in Zq)."""
    return hash_to_int(text) % modulus


def join_numbers(values: Iterable[int]) -> str:
    """Numbers in base 10 separated by commas (``a,b,c``)."""
    return ",".join(str(value) for value in values)
