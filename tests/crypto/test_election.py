"""Election parameters: reading election.json exactly, building one, its fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from urne.crypto.election import Question, check_uuid, make_election, make_uuid, read_election
from urne.crypto.errors import MalformedData, NotInSubgroup, UnsupportedElection, WrongType
from urne.crypto.group import BELENIOS_2048, RFC_3526_2048
from urne.crypto.jsonio import dumps, loads

from .belenios_tool import make_election_with_tool
from .conftest import Reference, read_text


def test_it_reads_the_vectors_elections(single: Reference, threshold: Reference):
    election = single.election
    assert election.uuid == "iXEX1YBacEUwsS"
    assert election.name == "CSA MEN"
    assert election.group is BELENIOS_2048
    assert election.questions == (
        Question(
            question="Choisissez une liste",
            answers=tuple(f"Liste {letter}" for letter in "ABCDEF"),
            min=1,
            max=1,
            blank=True,
        ),
    )
    assert [q.choice_count for q in threshold.election.questions] == [5, 3]
    assert [q.allows_blank for q in threshold.election.questions] == [True, False]


def test_the_fingerprint_is_the_election_hash_of_the_ballots(
    single: Reference, threshold: Reference
):
    assert single.election.fingerprint == "cy6NnSy3LNa72sxHRMw8bwFeEJpbJ9TBTGOBbAV+1mY"
    for reference in (single, threshold):
        for text in reference.ballot_texts.values():
            assert loads(text)["election_hash"] == reference.election.fingerprint


def test_building_the_same_election_gives_the_same_bytes(single: Reference, threshold: Reference):
    for reference in (single, threshold):
        read = reference.election
        built = make_election(
            uuid=read.uuid,
            name=read.name,
            description=read.description,
            group=read.group,
            public_key=read.public_key,
            questions=read.questions,
        )
        assert built.text == read_text(reference.folder / "election.json")
        assert built.fingerprint == read.fingerprint
        assert built == read


def test_the_fingerprint_is_computed_on_the_text_as_published(single: Reference):
    """Reformatting an election changes its fingerprint: the text is kept verbatim."""
    spaced = dumps(loads(single.election.text)).replace(',"name"', ', "name"')
    assert read_election(spaced).fingerprint != single.election.fingerprint
    assert read_election(spaced) == single.election


@pytest.mark.belenios
def test_a_built_election_is_what_belenios_tool_makes(tmp_path: Path, single: Reference):
    questions = (
        Question("Q1", ("A", "B", "C"), 1, 2),
        Question("Q2 — «élu»", ("oui", "non"), 0, 1, blank=False),
        Question("Q3", ("x",), 1, 1, blank=True),
    )
    template = {
        "description": "Scrutin d'essai",
        "name": "Essai",
        "questions": [question.to_json() for question in questions],
    }
    (tmp_path / "trustees.json").write_text(
        read_text(single.folder / "trustees.json"), encoding="utf-8"
    )
    uuid = make_uuid()
    made = make_election_with_tool(tmp_path, dumps(template), uuid)
    ours = make_election(
        uuid=uuid,
        name="Essai",
        description="Scrutin d'essai",
        group=BELENIOS_2048,
        public_key=single.election.public_key,
        questions=questions,
    )
    assert ours.text == made


def test_blank_absent_and_blank_false_are_kept_apart():
    absent = Question("q", ("a",), 0, 1)
    false = Question("q", ("a",), 0, 1, blank=False)
    assert not absent.allows_blank and not false.allows_blank
    assert "blank" not in absent.to_json()
    assert false.to_json()["blank"] is False


def test_a_non_homomorphic_question_is_refused(single: Reference):
    value = loads(single.election.text)
    value["questions"].append(
        {
            "type": "NonHomomorphic",
            "value": {"answers": ["a", "b"], "question": "Classez"},
        }
    )
    with pytest.raises(UnsupportedElection, match="homomorphic questions only"):
        read_election(dumps(value))


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"group": "FFDH-1"}, UnsupportedElection, "unknown group"),
        ({"version": 2}, UnsupportedElection, "version"),
        ({"uuid": "short"}, MalformedData, "uuid"),
        ({"uuid": "0OIl0OIl0OIl0OIl"}, MalformedData, "uuid"),
        ({"public_key": str(BELENIOS_2048.p - 1)}, NotInSubgroup, "subgroup"),
        ({"name": 12}, WrongType, "name"),
        ({"questions": []}, MalformedData, "at least one question"),
        ({"extra": "x"}, MalformedData, "extra"),
    ],
)
def test_it_refuses_a_bad_election(single: Reference, change, error, message):
    value = loads(single.election.text)
    value.update(change)
    with pytest.raises(error, match=message):
        read_election(dumps(value))


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"answers": [], "min": 0, "max": 0, "question": "q"}, "at least one answer"),
        ({"answers": ["a"], "min": 1, "max": 2, "question": "q"}, "min and max"),
        ({"answers": ["a", "b"], "min": 2, "max": 1, "question": "q"}, "min and max"),
        ({"answers": ["a"], "min": 0, "max": 1, "question": "q", "blank": "yes"}, "boolean"),
    ],
)
def test_it_refuses_a_bad_question(single: Reference, question, message):
    value = loads(single.election.text)
    value["questions"] = [question]
    with pytest.raises(MalformedData, match=message) as error:
        read_election(dumps(value))
    assert error.value.where.startswith("questions[0]")


def test_uuids():
    made = {make_uuid() for _ in range(20)}
    assert len(made) == 20
    assert all(check_uuid(uuid) == uuid and len(uuid) == 14 for uuid in made)


def test_an_election_may_use_the_rfc_3526_group(single: Reference):
    election = make_election(
        uuid=make_uuid(),
        name="n",
        description="d",
        group=RFC_3526_2048,
        public_key=RFC_3526_2048.pow_g(7),
        questions=single.election.questions,
    )
    assert read_election(election.text) == election
    assert '"group":"RFC-3526-2048"' in election.text
