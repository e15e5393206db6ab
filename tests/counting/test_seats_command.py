"""`urne seats` as anyone checking a result runs it: what it prints, its JSON, its exit codes,
and bad input refused with a clear message."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from urne.cli import main as cli_main
from urne.cli.protocol import main

from ..crypto.fresh import loaded_frameworks

# The comité technique ministériel of 2011 (tests/counting/test_seats.py says where from).
CTM_2011 = [
    "CGT=22598",
    "ASAMEN=554",
    "@venir.écoles CFE-CGC=1717",
    "STC=1019",
    "UNSA=72397",
    "SGEN-CFDT=34907",
    "UDAS=879",
    "FSU=141914",
    "SUD Education=20241",
    "CSEN-FGAF-FAEN-SCENRAC-CFTC=16485",
    "SNCA-EIL=1383",
    "FNEC-FP-FO=35245",
]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main("seats", list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_it_prints_the_allocation_with_its_arithmetic(capsys):
    code, out, err = run(
        capsys, "--seats", "15", "--registered", "957034", "--blank", "19519", *CTM_2011
    )
    assert code == 0
    assert err == ""
    assert "Voters: 368858 of 957034 registered (turnout 38.54 %); blank 19519, null 0." in out
    assert "Suffrages valablement exprimés: 349339" in out
    assert "Quotient: 349339 / 15 = 349339/15 ≈ 23289.27" in out
    # List, votes, share, by quotient, by average, titulaires, suppléants.
    assert re.search(r"^FSU +141914 +40\.62 % +6 +1 +7 +7$", out, re.MULTILINE)
    assert re.search(r"^UNSA +72397 +20\.72 % +3 +1 +4 +4$", out, re.MULTILINE)
    assert re.search(r"^ASAMEN +554 +0\.16 % +0 +0 +0 +0$", out, re.MULTILINE)
    assert "  seat 12: CGT, average 22598 ≈ 22598.00 (highest average)" in out
    assert "  seat 13: FSU, average 141914/7 ≈ 20273.43 (highest average)" in out


def test_with_json_seats_maps_each_list_to_its_titulaires(capsys):
    code, out, _ = run(capsys, "--seats", "15", "--json", *CTM_2011)
    assert code == 0
    result = json.loads(out)
    assert result["seats"]["FSU"] == 7
    assert {name: n for name, n in result["seats"].items() if n} == {
        "CGT": 1,
        "UNSA": 4,
        "SGEN-CFDT": 1,
        "FSU": 7,
        "SUD Education": 1,
        "FNEC-FP-FO": 1,
    }
    assert sum(result["seats"].values()) == 15
    assert result["complete"] is True
    assert result["quotient"] == "349339/15"
    assert result["quotient_decimal"] == "23289.27"
    assert [step["list"] for step in result["remainder"]] == ["CGT", "FSU", "SUD Education", "UNSA"]
    assert result["remainder"][1]["average"] == "141914/7"


def test_it_says_when_a_draw_is_needed_and_between_whom(capsys):
    # 3 seats, 10 / 10 / 5: A and B tie in average (5) and votes (test_seats.py).
    code, out, _ = run(capsys, "--seats", "3", "Liste A=10", "Liste B=10", "Liste C=5")
    assert code == 0
    assert "A DRAW IS NEEDED for seat 3: Liste A, Liste B have the same average (5)" in out
    assert "--draw 'Liste A' --draw 'Liste B'" in out
    code, out, _ = run(capsys, "--seats", "3", "--json", "A=10", "B=10", "C=5")
    result = json.loads(out)
    assert result["complete"] is False
    assert result["draw_needed"] == {"seat": 3, "lists": ["A", "B"], "seats": 1}
    assert result["seats"] == {"A": 1, "B": 1, "C": 0}


def test_it_applies_a_recorded_draw(capsys):
    code, out, _ = run(
        capsys, "--seats", "3", "--json", "A=10", "B=10", "C=5", "--draw", "B", "--draw", "A"
    )
    assert code == 0
    result = json.loads(out)
    assert result["seats"] == {"A": 1, "B": 2, "C": 0}
    assert result["draw"] == ["B", "A"]
    assert result["remainder"][-1]["reason"] == "draw"


def test_it_breaks_a_tie_by_candidates_when_asked(capsys):
    code, out, _ = run(
        capsys, "--seats", "3", "--json", "A=10", "B=10", "C=5", "--tie-by-candidates",
        "--candidates", "A=4", "--candidates", "B=6",
    )  # fmt: skip
    assert code == 0
    result = json.loads(out)
    assert result["seats"] == {"A": 1, "B": 2, "C": 0}
    assert result["remainder"][-1]["reason"] == "candidates"
    assert result["tie_by_candidates"] is True


def test_it_limits_a_short_list_to_its_candidates(capsys):
    # 5 seats, 30 / 10, 2 and 1 candidates: 3 filled by election, quotient 40 / 3.
    code, out, _ = run(
        capsys, "--seats", "5", "A=30", "B=10", "--candidates", "A=2", "--candidates", "B=1"
    )
    assert code == 0
    assert "Seats filled by election: 3; 2 with no candidate, to be drawn" in out
    assert "Quotient: 40 / 3 = 40/3 ≈ 13.33" in out
    code, out, _ = run(
        capsys, "--seats", "5", "--json", "A=80", "B=20", "--candidates", "A=2",
        "--short-lists", "draw",
    )  # fmt: skip
    result = json.loads(out)
    assert result["seats"] == {"A": 2, "B": 1}
    assert result["unfilled_seats"] == 2
    # Under that rule the quotient divides by every seat: 100 / 5 = 20.
    assert (result["quotient"], result["quotient_seats"]) == ("20", 5)


def test_a_list_name_may_hold_an_equals_sign(capsys):
    code, out, _ = run(capsys, "--seats", "1", "--json", "A=B=7", "C=3")
    assert code == 0
    assert json.loads(out)["seats"] == {"A=B": 1, "C": 0}


def test_a_list_name_is_printed_inert(capsys):
    code, out, _ = run(capsys, "--seats", "1", "Evil\x1b[2J=5", "B=3")
    assert code == 0
    assert "\x1b" not in out
    assert "Evil\\x1b[2J" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seats", "2", "A=1.5"], "the votes of 'A' must be a whole number"),
        (["--seats", "2", "A=-3"], "the votes of 'A' must be a whole number"),
        (["--seats", "2", "A=1_000"], "the votes of 'A' must be a whole number"),
        (["--seats", "2", "A="], "the votes of 'A' must be a whole number"),
        (["--seats", "2", "=5"], "expected LIST=VOTES"),
        (["--seats", "2", "A"], "expected LIST=VOTES"),
        (["--seats", "2", "A=1", "A=2"], "the list 'A' is given twice"),
        (["--seats", "0", "A=1"], "a body has at least one seat"),
        (["--seats", "two", "A=1"], "--seats: not a whole number"),
        (["--seats", "2"], "no list"),
        (["A=1"], "the following arguments are required: --seats"),
        (["--seats", "2", "A=1", "--blank", "-1"], "--blank"),
        (["--seats", "2", "A=1", "--candidates", "B=1"], "not a list given"),
        (["--seats", "2", "A=1", "B=1", "--draw", "A"], "no tie needs one"),
        (["--seats", "3", "A=10", "B=10", "C=5", "--draw", "A", "--draw", "C"], "between A, B"),
        (["--seats", "2", "A=1", "--voters", "5"], "5 votants, but 0 blank"),
        (["--seats", "2", "A=5", "--registered", "4"], "5 votants for 4 inscrits"),
        (
            ["--seats", "3", "A=10", "B=10", "C=5", "--tie-by-candidates"],
            "give the candidates of A, B",
        ),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert out == ""


def test_bad_input_with_json_prints_a_json_refusal(capsys):
    code, out, err = run(capsys, "--seats", "2", "--json", "A=x")
    assert code == 2
    assert "must be a whole number" in err
    assert json.loads(out) == {
        "ok": False,
        "error": "bad-input",
        "message": "urne seats: 'A=x': the votes of 'A' must be a whole number",
    }


def test_urne_help_seats_shows_its_usage(capsys):
    assert cli_main(["help", "seats"]) == 0
    out, _ = capsys.readouterr()
    assert "usage: urne seats" in out
    assert "--draw LIST" in out


def test_it_runs_without_django():
    code = "from urne.cli import main\nassert main(['seats', '--seats', '3', 'A=2', 'B=1']) == 0"
    assert loaded_frameworks(code) == []


def test_the_installed_command_prints_json_in_a_fresh_process():
    urne = Path(sys.executable).parent / "urne"
    done = subprocess.run(  # noqa: S603 - our own command
        [str(urne), "seats", "--seats", "3", "--json", "X=11", "Y=6", "Z=4"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},  # no DJANGO_SETTINGS_MODULE, no database
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["seats"] == {"X": 2, "Y": 1, "Z": 0}
