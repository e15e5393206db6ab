"""Electors' pseudonyms in the ballot box: the émargement and the ballots, with no link between
them in the database (DOMAIN.md, « deux magasins distincts, sans lien »).

The ballot box must know, when a logged-in elector casts a ballot, which public credential is
theirs in that scrutin; the credential is printed in the ballot, on the public board. Stored
next to the elector's id, it would let anyone holding a copy of the database say who cast which
(encrypted) ballot. So the table of public credentials names each credential's owner by a
*pseudonym*: HMAC-SHA256, under `settings.URNE_PSEUDONYM_KEY`, of the scrutin's election uuid
and the elector's id, cut to 128 bits. The key is never in the database: the voting server's
processes and the credential authority read it from their configuration (production refuses to
start without it). With the database alone, nothing joins an émargement (who voted, when) to a
credential or a ballot; the uuid in the message also makes one elector's pseudonyms unrelated
from one scrutin to the next.

What still relates the two stores, said in docs/security-model.md: the order of arrival (the
board is a chain, in time order, and the émargement records the time), which anyone holding
the database files and the board can compare; against it stands the encryption of each ballot,
which only the bureau's t keys together open, and which is never applied to a single ballot.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator

from django.conf import settings

PSEUDONYM_LENGTH = 32
"""Hexadecimal characters of a pseudonym (128 bits)."""

_PREFIX = "urne-pseudonym-v1"
"""The messages' first part: these MACs are for nothing else made with the key."""


def _key() -> bytes:
    return settings.URNE_PSEUDONYM_KEY.encode()


def pseudonym(election_uuid: str, elector_id: int) -> str:
    """The elector's pseudonym in this scrutin's election."""
    message = f"{_PREFIX}:{election_uuid}:{elector_id}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def pseudonyms(election_uuid: str, elector_ids: Iterable[int]) -> dict[str, int]:
    """The pseudonyms of these electors in this election, each with its elector's id."""
    key = _key()
    prefix = f"{_PREFIX}:{election_uuid}:".encode()
    made = {}
    for elector_id in elector_ids:
        digest = hmac.new(key, prefix + str(elector_id).encode(), hashlib.sha256).hexdigest()
        made[digest[:PSEUDONYM_LENGTH]] = elector_id
    return made


def chunks(values: Iterable[int], size: int = 10_000) -> Iterator[list[int]]:
    """`values` in lists of at most `size` (to query pseudonyms a page at a time)."""
    chunk: list[int] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
