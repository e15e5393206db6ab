"""The election parameters: election.json (spec §4.9, §4.10) and its fingerprint (§4.15).

- `Question`: a homomorphic question (``answers``, ``blank``?, ``min``, ``max``, ``question``).
  A non-homomorphic (mixnet) question is refused with `UnsupportedElection` when read.
- `Election`: the whole structure and `text`, its exact serialization. The serialization "must be
  always the same throughout the election": an election read with `read_election(text)` keeps the
  text it was read from; one built with `make_election(...)` gets the compact form of
  belenios-tool. `Election.fingerprint` is φ = H_JSON(text), the `election_hash` of every ballot.
- `make_uuid()`: a fresh election uuid (14 Base58 characters, as Belenios makes them);
  `check_uuid(text)`.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from urne.crypto.credentials import BASE58
from urne.crypto.errors import MalformedData, UnsupportedElection
from urne.crypto.group import Element, Group, group_named
from urne.crypto.hashing import hash_json
from urne.crypto.jsonio import (
    dumps,
    join_path,
    loads,
    read_array,
    read_bool,
    read_int,
    read_object,
    read_string,
)

_UUID_LENGTH = 14


def make_uuid() -> str:
    """A fresh election uuid: 14 random Base58 characters."""
    return "".join(secrets.choice(BASE58) for _ in range(_UUID_LENGTH))


def check_uuid(text: str, where: str = "uuid") -> str:
    """`text` if it is a valid uuid (at least 14 Base58 characters); else `MalformedData`."""
    if len(text) < _UUID_LENGTH or any(character not in BASE58 for character in text):
        raise MalformedData(where, "an election uuid has at least 14 Base58 characters")
    return text


@dataclass(frozen=True, slots=True)
class Question:
    """A homomorphic question: the voter selects between `min` and `max` of `answers`, or votes
    blank when `blank` is true."""

    question: str
    answers: tuple[str, ...]
    min: int
    max: int
    blank: bool | None = None
    """None when the field is absent (blank not allowed); kept apart from False because the
    serialization, hence the fingerprint, differs."""

    def __post_init__(self) -> None:
        if not self.answers:
            raise MalformedData("answers", "a question needs at least one answer")
        if not 0 <= self.min <= self.max <= len(self.answers):
            raise MalformedData("", "min and max must satisfy 0 <= min <= max <= answers")

    @property
    def allows_blank(self) -> bool:
        return self.blank is True

    @property
    def choice_count(self) -> int:
        """How many ciphertexts an answer has: one per answer, plus a leading one for blank."""
        return len(self.answers) + (1 if self.allows_blank else 0)

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {"answers": list(self.answers)}
        if self.blank is not None:
            value["blank"] = self.blank
        value.update({"min": self.min, "max": self.max, "question": self.question})
        return value

    @classmethod
    def from_json(cls, value: object, where: str = "") -> Question:
        if isinstance(value, dict) and "type" in value:
            kind = value.get("type")
            raise UnsupportedElection(
                f"{where}: question of type {kind!r}: urne supports homomorphic questions only"
            )
        fields = read_object(
            value, where, required=("answers", "min", "max", "question"), optional=("blank",)
        )
        answers_path = join_path(where, "answers")
        answers = tuple(
            read_string(answer, join_path(answers_path, i))
            for i, answer in enumerate(read_array(fields["answers"], answers_path))
        )
        blank = None
        if "blank" in fields:
            blank = read_bool(fields["blank"], join_path(where, "blank"))
        try:
            return cls(
                question=read_string(fields["question"], join_path(where, "question")),
                answers=answers,
                min=read_int(fields["min"], join_path(where, "min")),
                max=read_int(fields["max"], join_path(where, "max")),
                blank=blank,
            )
        except MalformedData as error:
            raise MalformedData(
                join_path(where, error.where) if error.where else where, error.message
            ) from None


@dataclass(frozen=True)
class Election:
    """The spec's ``election`` structure, with the exact text it is published as."""

    uuid: str
    name: str
    description: str
    group: Group
    public_key: Element
    """y, the product of the trustees' sub-keys (`urne.crypto.trustees.election_public_key`)."""
    questions: tuple[Question, ...]
    version: int = 1
    administrator: str | None = None
    credential_authority: str | None = None
    text: str = field(default="", compare=False, repr=False)
    """The serialization φ is computed on; filled with the canonical form when left empty."""

    def __post_init__(self) -> None:
        check_uuid(self.uuid)
        if self.version != 1:
            raise UnsupportedElection(f"election version {self.version}: urne reads version 1")
        if not self.questions:
            raise MalformedData("questions", "an election needs at least one question")
        if not self.text:
            object.__setattr__(self, "text", dumps(self.to_json()))

    @functools.cached_property
    def fingerprint(self) -> str:
        """φ = H_JSON(text): the `election_hash` of ballots."""
        return hash_json(self.text)

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "version": self.version,
            "description": self.description,
            "name": self.name,
            "group": self.group.name,
            "public_key": str(self.public_key),
            "questions": [question.to_json() for question in self.questions],
            "uuid": self.uuid,
        }
        if self.administrator is not None:
            value["administrator"] = self.administrator
        if self.credential_authority is not None:
            value["credential_authority"] = self.credential_authority
        return value


def make_election(
    *,
    uuid: str,
    name: str,
    description: str,
    group: Group,
    public_key: Element,
    questions: Sequence[Question],
    administrator: str | None = None,
    credential_authority: str | None = None,
) -> Election:
    """A new election, serialized in belenios-tool's compact form."""
    return Election(
        uuid=uuid,
        name=name,
        description=description,
        group=group,
        public_key=group.element(public_key, "public_key"),
        questions=tuple(questions),
        administrator=administrator,
        credential_authority=credential_authority,
    )


def read_election(text: str) -> Election:
    """An election from its published text (kept verbatim for the fingerprint).

    Raises `MalformedData` for a bad shape, `UnsupportedElection` for an unknown group or version,
    or a non-homomorphic question.
    """
    fields = read_object(
        loads(text),
        "",
        required=("version", "description", "name", "group", "public_key", "questions", "uuid"),
        optional=("administrator", "credential_authority"),
    )
    group = group_named(read_string(fields["group"], "group"))
    questions = tuple(
        Question.from_json(question, join_path("questions", i))
        for i, question in enumerate(read_array(fields["questions"], "questions"))
    )
    optional = {
        key: read_string(fields[key], key)
        for key in ("administrator", "credential_authority")
        if key in fields
    }
    return Election(
        uuid=check_uuid(read_string(fields["uuid"], "uuid")),
        name=read_string(fields["name"], "name"),
        description=read_string(fields["description"], "description"),
        group=group,
        public_key=group.read_element(fields["public_key"], "public_key"),
        questions=questions,
        version=read_int(fields["version"], "version"),
        text=text,
        **optional,
    )


@functools.lru_cache(maxsize=4)
def read_election_once(text: str) -> Election:
    """`read_election`, done once per text in a process (the same `Election` is returned after).

    For worker processes (the verifier's, the simulator's, the ballot box's): the election
    travels to them as its text, cheap to send, and each reads it once, not once per task.
    """
    return read_election(text)
