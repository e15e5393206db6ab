"""JSON as Belenios 2.0 writes and reads it.

Writing (`dumps`) gives the compact form belenios-tool prints, byte for byte: no spaces, object
fields in the order given (each structure's `to_json()` builds its dict in the specification's
order), small integers as JSON numbers, big numbers already turned into base-10 strings by the
caller, non-ASCII characters as raw UTF-8, and only ``"``, ``\\``, the control characters and DEL
escaped (lower-case ``\\u00XX``), as OCaml's Yojson does. Hashes are computed on this text, so it
must never change.

Reading is strict: `loads` refuses anything that is not JSON (`NotJSON`), duplicate fields
(`UnknownField`), floating-point numbers and NaN/Infinity (`WrongType`). The `read_*` helpers check
one value's shape and raise the matching `MalformedData` subclass with the path of the value
(``answers[0].choices[2].alpha``) so that errors say where the problem is. Group elements and
exponents are read by `urne.crypto.group.Group.read_element` / `read_exponent`, which build on
`read_natural` here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from urne.crypto.errors import (
    MissingField,
    NonCanonicalNumber,
    NotJSON,
    UnknownField,
    WrongLength,
    WrongType,
)

JSON: TypeAlias = bool | int | str | Sequence["JSON"] | Mapping[str, "JSON"] | None
"""A JSON value as `dumps` takes it (lists and tuples are written as arrays)."""

_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)}
_ESCAPES.update(
    {
        ord("\b"): "\\b",
        ord("\f"): "\\f",
        ord("\n"): "\\n",
        ord("\r"): "\\r",
        ord("\t"): "\\t",
        ord('"'): '\\"',
        ord("\\"): "\\\\",
        0x7F: "\\u007f",
    }
)

# Canonical base 10: no sign, no leading zero, no blank. The length bound keeps a hostile
# million-digit string from costing a conversion; 2048-bit numbers have 617 digits.
_NATURAL = re.compile(r"(?:0|[1-9][0-9]{0,699})")


def quote(text: str) -> str:
    """A JSON string literal, escaped as belenios-tool (Yojson) escapes it."""
    return '"' + text.translate(_ESCAPES) + '"'


_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False, allow_nan=False
)
"""The standard library's encoder (in C), set to write what `write_json` writes: compact, raw
UTF-8, the same escapes for quotes, backslashes and control characters (lower-case hexadecimal)
— except DEL, which it leaves as it is."""


def dumps(value: object) -> str:
    """The compact serialization belenios-tool produces (see the module docstring).

    `value` is a `JSON` value; anything else raises `TypeError` (a programming error). The text
    is `write_json`'s, made by the standard library's encoder in C (about four times faster, on
    every ballot read or made); a text holding DEL, which that encoder does not escape, is made
    again by `write_json`, and so is a value the C encoder does not take (a `Mapping` that is
    not a dict), `write_json` then raising for what is not JSON. One difference is left: a float
    inside a list or an object is written rather than refused (the `JSON` type, which mypy
    checks, has none).
    """
    if isinstance(value, float):  # the one JSON-like value the C encoder takes and we do not
        raise TypeError("cannot write float as JSON")
    try:
        text = _ENCODER.encode(value)
    except TypeError:
        return write_json(value)
    if "\x7f" in text:
        return write_json(value)
    return text


def write_json(value: object) -> str:
    """`dumps` written out in Python, character by character as Yojson escapes: the reference
    the faster `dumps` is tested against."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: object, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, str):
        out.append(quote(value))
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(quote(key))
            out.append(":")
            _write(item, out)
        out.append("}")
    else:  # pragma: no cover - a programming error, not bad input
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, item in pairs:
        if key in result:
            raise UnknownField("", f"field {key!r} appears twice")
        result[key] = item
    return result


def _no_float(text: str) -> Any:
    raise WrongType("", f"{text} is not an integer")


def _no_constant(text: str) -> Any:
    raise WrongType("", f"{text} is not JSON")


def loads(text: str | bytes) -> Any:
    """Parse JSON strictly (see the module docstring); raises `MalformedData`."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise NotJSON("", f"not UTF-8 text ({error.reason})") from None
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as error:
        raise NotJSON("", f"not JSON: {error.msg} at character {error.pos}") from None
    except (ValueError, RecursionError) as error:
        raise NotJSON("", f"not JSON: {error}") from None


def type_name(value: object) -> str:
    """The JSON name of a parsed value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def read_object(
    value: object, where: str, required: Sequence[str], optional: Sequence[str] = ()
) -> dict[str, Any]:
    """An object with exactly the `required` fields and maybe some `optional` ones."""
    if not isinstance(value, dict):
        raise WrongType(where, f"expected an object, found {type_name(value)}")
    for key in required:
        if key not in value:
            raise MissingField(where, f"the field {key!r} is missing")
    for key in value:
        if key not in required and key not in optional:
            raise UnknownField(where, f"unexpected field {key!r}")
    return value


def read_array(value: object, where: str, length: int | None = None) -> list[Any]:
    """An array, of exactly `length` items when given."""
    if not isinstance(value, list):
        raise WrongType(where, f"expected an array, found {type_name(value)}")
    if length is not None and len(value) != length:
        raise WrongLength(where, f"expected {length} items, found {len(value)}")
    return value


def read_string(value: object, where: str) -> str:
    """A JSON string."""
    if not isinstance(value, str):
        raise WrongType(where, f"expected a string, found {type_name(value)}")
    return value


def read_bool(value: object, where: str) -> bool:
    """A JSON boolean."""
    if not isinstance(value, bool):
        raise WrongType(where, f"expected a boolean, found {type_name(value)}")
    return value


def read_int(value: object, where: str, minimum: int | None = None) -> int:
    """A small integer written as a JSON number (the spec's I), at least `minimum` if given."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise WrongType(where, f"expected a number, found {type_name(value)}")
    if minimum is not None and value < minimum:
        raise NonCanonicalNumber(where, f"expected at least {minimum}, found {value}")
    return value


def read_natural(value: object, where: str) -> int:
    """A big natural number written in canonical base 10 inside a JSON string (the spec's N)."""
    text = read_string(value, where)
    if not _NATURAL.fullmatch(text):
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise NonCanonicalNumber(where, f"{shown!r} is not a number written in canonical base 10")
    return int(text)


def join_path(where: str, key: str | int) -> str:
    """The path of a field (`key` a name) or an array item (`key` an index) inside `where`."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key
