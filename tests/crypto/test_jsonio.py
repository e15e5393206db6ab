"""JSON as belenios-tool writes it, and strict reading."""

from __future__ import annotations

import shutil
import types
from pathlib import Path

import gmpy2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from urne.crypto import jsonio
from urne.crypto.errors import (
    MissingField,
    NonCanonicalNumber,
    NotJSON,
    UnknownField,
    WrongLength,
    WrongType,
)

from .belenios_tool import make_election_with_tool
from .conftest import read_text

TRICKY = 'd "q" \\ / é — \x7f \x01 \b \f \r \t \n \u2028 😀'


def test_it_writes_compact_json_in_the_given_field_order():
    value: jsonio.JSON = {"z": 1, "a": [True, False, None], "m": {"k": "v"}, "t": ("x",)}
    assert jsonio.dumps(value) == '{"z":1,"a":[true,false,null],"m":{"k":"v"},"t":["x"]}'


def test_it_escapes_strings_as_yojson_does():
    assert jsonio.quote(TRICKY) == (
        '"d \\"q\\" \\\\ / é — \\u007f \\u0001 \\b \\f \\r \\t \\n \u2028 😀"'
    )


def test_it_reserializes_the_vectors_election_byte_for_byte(vectors: Path):
    for name in ("single", "threshold"):
        for file in ("election.json", "trustees.json", "public_creds.json", "result.json"):
            text = read_text(vectors / name / file)
            assert jsonio.dumps(jsonio.loads(text)) == text


@pytest.mark.belenios
def test_it_escapes_like_the_real_tool(tmp_path: Path, vectors: Path):
    """belenios-tool make-election writes our tricky description exactly as `dumps` does."""
    shutil.copy(vectors / "single" / "trustees.json", tmp_path / "trustees.json")
    template: jsonio.JSON = {
        "description": TRICKY,
        "name": "n",
        "questions": [{"answers": ["a"], "min": 0, "max": 1, "question": "q"}],
    }
    made = make_election_with_tool(tmp_path, jsonio.dumps(template), "iXEX1YBacEUwsS")
    assert f'"description":{jsonio.quote(TRICKY)},' in made
    assert jsonio.dumps(jsonio.loads(made)) == made


@pytest.mark.parametrize(
    "text",
    ['{"a": "1"', "", "nul", b"\xff\xfe", "[" * 100_000],
)
def test_it_refuses_what_is_not_json(text):
    with pytest.raises(NotJSON):
        jsonio.loads(text)


def test_it_refuses_a_duplicated_field():
    with pytest.raises(UnknownField, match="twice"):
        jsonio.loads('{"a":"1","a":"2"}')


@pytest.mark.parametrize("text", ["1.5", "1e3", "NaN", "-Infinity", '{"a":[2.0]}'])
def test_it_refuses_floats_and_constants(text):
    with pytest.raises(WrongType):
        jsonio.loads(text)


def test_readers_name_the_place_of_the_problem():
    with pytest.raises(WrongType) as error:
        jsonio.read_string(12, "answers[0].choices[1].alpha")
    assert error.value.where == "answers[0].choices[1].alpha"
    assert "expected a string, found a number" in str(error.value)
    with pytest.raises(MissingField, match="signature"):
        jsonio.read_object({"a": 1}, "", required=("a", "signature"))
    with pytest.raises(UnknownField, match="'b'"):
        jsonio.read_object({"a": 1, "b": 2}, "", required=("a",))
    with pytest.raises(WrongLength):
        jsonio.read_array([1, 2], "x", length=3)
    with pytest.raises(WrongType):
        jsonio.read_int(True, "x")
    with pytest.raises(NonCanonicalNumber):
        jsonio.read_int(-1, "x", minimum=0)


@pytest.mark.parametrize("text", ["-1", "+1", "01", " 1", "1 ", "", "1a", "٣", "9" * 701])
def test_it_refuses_non_canonical_big_numbers(text):
    with pytest.raises(NonCanonicalNumber):
        jsonio.read_natural(text, "x")


def test_it_reads_canonical_big_numbers():
    assert jsonio.read_natural("0", "x") == 0
    assert jsonio.read_natural("123456789012345678901234567890", "x") == (
        123456789012345678901234567890
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=json_values)
def test_the_fast_writer_gives_exactly_the_reference_writer_s_text(value):
    assert jsonio.dumps(value) == jsonio.write_json(value)


@pytest.mark.parametrize(
    "value",
    [TRICKY, {"k": "\x7f"}, ["\x00\x1f\x7f\x80\x9f", "\ud800"], {"é": [1, -2, True, None]}],
)
def test_the_fast_writer_escapes_del_and_control_characters_as_yojson(value):
    assert jsonio.dumps(value) == jsonio.write_json(value)


@pytest.mark.parametrize("value", [1.5, {"x": object()}, [gmpy2.mpz(3)]])
def test_the_writer_refuses_what_is_not_json(value):
    with pytest.raises(TypeError):
        jsonio.dumps(value)


def test_a_mapping_that_is_not_a_dict_is_written_as_an_object():
    value = types.MappingProxyType({"b": 1, "a": ["é"]})
    assert jsonio.dumps(value) == jsonio.write_json(value) == '{"b":1,"a":["é"]}'
