"""`urne verify`, `urne simulate`, `urne trustee` and `urne trustees` as a user runs them: exit
codes, what they print, the files they write."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from urne.cli import main as cli_main
from urne.cli.protocol import ProgressBar, format_summary, main
from urne.cli.trustees import write_threshold_trustees
from urne.crypto import simulate as simulate_module
from urne.crypto.group import BELENIOS_2048
from urne.crypto.jsonio import dumps, loads
from urne.crypto.pedersen import single_key_id
from urne.crypto.simulate import SimulationSpec, simulate, write_simulation
from urne.crypto.tally import PartialDecryption, verify_partial_decryption
from urne.crypto.trustees import (
    PedersenTrustees,
    SingleTrustee,
    TrusteePublicKey,
    election_public_key,
    read_private_key,
    read_trustees,
    verify_trustees,
)
from urne.crypto.verifier import verify_archive

from .belenios_tool import make_election_with_tool, run_tool
from .fresh import loaded_frameworks
from .simulated import simulated
from .tampering import HUGE, claim_size, indices, steps, tamper, write


class Terminal(io.StringIO):
    """A standard error that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def tallied(tmp_path: Path) -> Path:
    path = tmp_path / "scrutin.bel"
    write_simulation(simulated(), path)
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(args[0], list(args[1:]))
    out, err = capsys.readouterr()
    return code, out, err


# --- urne verify ---------------------------------------------------------------------------------


def test_verify_prints_the_result_per_question_and_exits_0(capsys, vectors):
    code, out, err = run(capsys, "verify", str(vectors / "single" / "tallied.bel"), "--jobs", "1")
    assert code == 0
    assert "Every check passed: 12 voters, 12 ballots" in out
    assert "Choisissez une liste" in out
    assert re.search(r"^    Blank +2$", out, re.MULTILINE)
    assert re.search(r"^    Liste A +4$", out, re.MULTILINE)
    assert err == ""


def test_verify_reads_an_archive_of_any_name_or_the_only_one_of_a_folder(capsys, tmp_path, tallied):
    renamed = tmp_path / "any name at all"
    shutil.copyfile(tallied, renamed)
    assert run(capsys, "verify", str(renamed))[0] == 0
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copyfile(tallied, folder / "ABCDEFGHJKLMNP.bel")
    code, out, _ = run(capsys, "verify", str(folder))
    assert code == 0
    assert "ABCDEFGHJKLMNP.bel" in out


def test_verify_in_json_gives_the_summary(capsys, tallied):
    code, out, _ = run(capsys, "verify", str(tallied), "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["ok"] is True
    assert summary["ballots"] == 6
    assert summary["result"] == [list(simulated().expected.counts[0])]
    assert summary["archive"] == str(tallied)


def test_verify_names_the_first_failing_check_and_exits_1(capsys, tmp_path, tallied):
    def wrong_result(items):
        at = indices(items, "result")[0]
        value = items[at].json()
        value["result"][0][0] += 1
        items[at] = items[at].with_json(value)
        return items

    path = tamper(tallied, tmp_path / "tampered.bel", wrong_result)
    code, out, _ = run(capsys, "verify", str(path))
    assert code == 1
    assert "VERIFICATION FAILED: the published result is not the decryption of the tally" in out
    code, out, _ = run(capsys, "verify", str(path), "--json")
    assert code == 1
    failure = json.loads(out)
    assert failure["ok"] is False
    assert failure["check"] == "result"
    assert failure["ballot"] is None


def test_verify_in_json_names_the_ballot_at_fault(capsys, tmp_path, tallied):
    path = tamper(tallied, tmp_path / "twice.bel", lambda items: [*items[:3], items[2], *items[3:]])
    code, out, _ = run(capsys, "verify", str(path), "--json")
    assert code == 1
    failure = json.loads(out)
    assert failure["check"] == "second-ballot"
    assert failure["ballot"] == 3
    assert "same ballot again for the credential of ballot 2" in failure["message"]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda tmp, good: tmp / "missing.bel", "no such file or folder"),
        (lambda tmp, good: tmp, "no .bel archive in this folder"),
        (lambda tmp, good: _write(tmp / "empty.bel", b""), "the first entry must be BELENIOS"),
        (lambda tmp, good: _write(tmp / "x.bel", b'{"not": "an archive"}'), "not a complete"),
        (lambda tmp, good: _write(tmp / "x.bel", good.read_bytes()[:5000]), "truncated"),
        (lambda tmp, good: _write(tmp / "x.bel", b"\x00" * 512), "the first entry must be"),
        (
            lambda tmp, good: _write(tmp / "x.bel", claim_size(good.read_bytes(), 5, HUGE)),
            f"its header claims {HUGE} bytes",
        ),
    ],
)
def test_verify_refuses_what_is_not_an_archive_with_exit_2(capsys, tmp_path, tallied, make, words):
    folder = tmp_path / "input"
    folder.mkdir()
    path = make(folder, tallied)
    code, out, err = run(capsys, "verify", str(path))
    assert code == 2
    assert words in err
    assert out == ""


@pytest.fixture
def unruly(tmp_path: Path) -> Path:
    """A tallied archive whose election name holds terminal controls: clear the screen, go back
    to the start of the line, print made-up counts."""
    spec = SimulationSpec(voters=2, lists=2, seed=3, name="Scrutin\x1b[2J\rListe 1  999\u202e")
    path = tmp_path / "unruly.bel"
    write_simulation(simulate(spec, jobs=1), path)
    return path


def test_verify_prints_names_with_control_characters_inert_and_visible(capsys, unruly):
    code, out, _ = run(capsys, "verify", str(unruly))
    assert code == 0
    assert "Election « Scrutin\\x1b[2J\\rListe 1  999\\u202e »" in out
    assert not any(unicodedata.category(c) in {"Cc", "Cf"} for c in out.replace("\n", ""))
    code, out, _ = run(capsys, "verify", str(unruly), "--json")
    assert "\u202e" not in out
    assert json.loads(out)["name"] == "Scrutin\x1b[2J\rListe 1  999\u202e"


def test_the_result_labels_are_inert_and_aligned(tallied):
    summary = verify_archive(tallied, jobs=1)
    question = ("Q\r", ("A\x1b[1A", "B\x9b", "C"), True)
    text = format_summary(tallied, replace(summary, questions=(question,)))
    assert "\n  Q\\r\n" in text
    rows = [line for line in text.splitlines() if line.startswith("    ")]
    assert [row.split()[0] for row in rows] == ["Blank", "A\\x1b[1A", "B\\x9b", "C"]
    assert len({len(row) for row in rows}) == 1  # the counts in one column


def test_labels_that_differ_only_by_an_invisible_character_print_differently(tallied):
    """Two answers "Oui" and "Oui" + a combining grapheme joiner (printable by Unicode's
    categories, shown as nothing) would read the same on screen: the second shows its escape."""
    summary = verify_archive(tallied, jobs=1)
    question = ("Q", ("Oui", "Oui\u034f", "Non\u3164"), True)
    text = format_summary(tallied, replace(summary, questions=(question,)))
    rows = [line.split()[0] for line in text.splitlines() if line.startswith("    ")]
    assert rows == ["Blank", "Oui", "Oui\\u034f", "Non\\u3164"]


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_verify_refuses_a_folder_with_several_archives(capsys, tmp_path, tallied):
    shutil.copyfile(tallied, tmp_path / "other.bel")
    code, _, err = run(capsys, "verify", str(tmp_path))
    assert code == 2
    assert "several .bel archives in this folder (other.bel, scrutin.bel); name one" in err


def test_bad_input_in_json_is_a_json_object_too(capsys, tmp_path):
    code, out, _ = run(capsys, "verify", str(tmp_path / "nothing.bel"), "--json")
    assert code == 2
    assert json.loads(out) == {
        "ok": False,
        "error": "bad-input",
        "message": f"{tmp_path / 'nothing.bel'}: no such file or folder",
    }


@pytest.mark.parametrize("jobs", ["0", "two"])
def test_verify_refuses_a_wrong_number_of_processes(capsys, tallied, jobs):
    code, _, err = run(capsys, "verify", str(tallied), "--jobs", jobs)
    assert code == 2
    assert "--jobs" in err


def test_help_exits_0(capsys):
    code, out, _ = run(capsys, "verify", "--help")
    assert code == 0
    assert "usage: urne verify" in out


def test_an_unknown_command_exits_2(capsys):
    assert main("audit", []) == 2
    assert "unknown command 'audit'" in capsys.readouterr().err


def test_the_urne_command_hands_verify_over_without_django(tallied):
    # In a fresh interpreter: this test process has loaded Django already.
    run_verify = f"from urne.cli import main\nassert main(['verify', {str(tallied)!r}]) == 0"
    assert loaded_frameworks(run_verify) == []


def test_urne_help_lists_the_protocol_commands_beside_djangos(capsys):
    assert cli_main(["--help"]) == 0
    listed = capsys.readouterr().out
    assert "migrate" in listed
    assert re.search(
        r"\[protocol[^]]*\]\n    seats\n    simulate\n    trustee\n    trustees\n    verify", listed
    )
    assert cli_main(["help", "--commands"]) == 0
    names = capsys.readouterr().out.split()
    assert {"verify", "simulate", "trustee", "trustees", "seats", "migrate"} <= set(names)
    assert names == sorted(names)


@pytest.mark.parametrize("command", ["verify", "simulate", "trustee", "trustees"])
def test_urne_help_on_a_protocol_command_shows_its_usage(capsys, command):
    assert cli_main(["help", command]) == 0
    out, err = capsys.readouterr()
    assert f"usage: urne {command}" in out
    assert "Unknown command" not in out + err


def test_the_installed_command_runs_in_a_fresh_process(tallied):
    urne = Path(sys.executable).parent / "urne"
    done = subprocess.run(  # noqa: S603 - our own command and a temporary path
        [str(urne), "verify", str(tallied), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},  # no DJANGO_SETTINGS_MODULE, no database
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["stage"] == "tallied"


# --- the progress bar ----------------------------------------------------------------------------


def test_the_progress_bar_shows_on_a_terminal_and_is_wiped_at_the_end(monkeypatch, tallied):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main("verify", [str(tallied)]) == 0
    shown = terminal.getvalue()
    assert "Checking ballots [" in shown
    assert "6/6 100%" in shown
    assert shown.endswith("\r")


def test_no_progress_bar_when_the_standard_error_is_not_a_terminal(capsys, tallied):
    code, _, err = run(capsys, "verify", str(tallied))
    assert code == 0
    assert err == ""


def test_the_progress_bar_draws_at_most_ten_times_a_second():
    stream = io.StringIO()
    bar = ProgressBar("Checking ballots", stream)
    for done in range(1, 1001):
        bar(done, 1000)
    assert 1 <= stream.getvalue().count("\r") <= 3
    assert "1000/1000 100%" in stream.getvalue()
    bar.close()
    assert stream.getvalue().endswith("\r")


# --- urne simulate -------------------------------------------------------------------------------


def test_simulate_writes_an_archive_that_urne_verify_passes(capsys, tmp_path):
    out = tmp_path / "sim.bel"
    code, printed, _ = run(
        capsys, "simulate", "--voters", "5", "--lists", "2", "--blank", "--seed", "1",
        "--jobs", "1", "--out", str(out),
    )  # fmt: skip
    assert code == 0
    assert f"Wrote {out} (tallied)" in printed
    assert "5 ballots" in printed
    code, verified, _ = run(capsys, "verify", str(out), "--json")
    assert code == 0
    summary = json.loads(verified)
    assert summary["ballots"] == 5
    assert sum(summary["result"][0]) == 5


def test_simulate_in_json_gives_the_result_and_the_timings(capsys, tmp_path):
    out = tmp_path / "sim.bel"
    code, printed, _ = run(
        capsys, "simulate", "--voters", "3", "--lists", "2", "--trustees", "3",
        "--threshold", "2", "--stage", "open", "--json", "--jobs", "1", "--out", str(out),
    )  # fmt: skip
    assert code == 0
    report = json.loads(printed)
    assert report["stage"] == "open"
    assert report["ballots"] == 3
    assert set(report["seconds"]) == {"setup", "ballots", "tally", "decryption"}
    assert main("verify", [str(out)]) == 0
    assert "the vote is open" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--voters", "3", "--lists", "0"], "at least one list"),
        (["--voters", "3", "--lists", "2", "--trustees", "2", "--threshold", "3"], "threshold"),
        (["--voters", "3", "--lists", "2", "--trustees", "0"], "at least one trustee"),
        (["--voters", "-1", "--lists", "2"], "--voters"),
        (["--lists", "2"], "--voters"),
        (["--voters", "3", "--lists", "2", "--stage", "half"], "--stage"),
    ],
)
def test_simulate_refuses_parameters_that_make_no_election(capsys, tmp_path, arguments, words):
    out = tmp_path / "never.bel"
    code, _, err = run(capsys, "simulate", *arguments, "--out", str(out))
    assert code == 2
    assert words in err
    assert not out.exists()


def test_simulate_refuses_an_output_in_a_missing_folder_or_a_folder(capsys, tmp_path):
    base = ["simulate", "--voters", "1", "--lists", "1", "--out"]
    code, _, err = run(capsys, *base, str(tmp_path / "nowhere" / "x.bel"))
    assert code == 2
    assert "does not exist" in err
    code, _, err = run(capsys, *base, str(tmp_path))
    assert code == 2
    assert "is a folder" in err


def test_verify_prints_the_fingerprint_and_checks_the_archive_continues_an_earlier_one(
    capsys, tmp_path, tallied
):
    code, out, _ = run(capsys, "verify", str(tallied), "--json")
    fingerprint = json.loads(out)["fingerprint"]
    code, out, _ = run(capsys, "verify", str(tallied), "--since", fingerprint.upper())
    assert code == 0
    assert f"Archive fingerprint (last of 11 events): {fingerprint}" in out
    code, out, _ = run(capsys, "verify", str(tallied), "--since", "0" * 64)
    assert code == 1
    assert "does not continue the earlier one" in out
    code, _, err = run(capsys, "verify", str(tallied), "--since", "abc")
    assert code == 2
    assert "64 hexadecimal digits" in err


# --- urne trustee keygen, urne trustees combine|threshold -----------------------------------------


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def _keygen(capsys, folder: Path) -> tuple[Path, Path]:
    code, _out, err = run(capsys, "trustee", "keygen", "--out", str(folder))
    assert code == 0, err
    (public,) = folder.glob("*.pubkey")
    return folder / f"{public.stem}.privkey", public


def test_keygen_writes_a_private_key_only_its_owner_reads_and_the_public_key(capsys, tmp_path):
    private, public = _keygen(capsys, tmp_path / "membre")
    assert _mode(private) == 0o600
    key = TrusteePublicKey.from_json(BELENIOS_2048, loads(public.read_text()))
    key.verify(BELENIOS_2048)
    x = read_private_key(BELENIOS_2048, private.read_text().strip())
    assert BELENIOS_2048.pow_g(x) == key.public_key
    # Named as belenios-tool names them: the key's short fingerprint.
    assert public.stem == single_key_id(key.public_key)


def test_combine_makes_trustees_json_of_the_public_keys_in_order(capsys, tmp_path):
    keys = [_keygen(capsys, tmp_path / name)[1] for name in ("a", "b")]
    out = tmp_path / "trustees.json"
    code, printed, err = run(capsys, "trustees", "combine", *map(str, keys), "--out", str(out))
    assert code == 0, err
    assert "2 trustee item(s)" in printed
    trustees = read_trustees(BELENIOS_2048, loads(out.read_text()))
    expected = [
        SingleTrustee(TrusteePublicKey.from_json(BELENIOS_2048, loads(key.read_text())))
        for key in keys
    ]
    assert list(trustees) == expected


def test_combine_refuses_a_key_whose_proof_fails_and_writes_nothing(capsys, tmp_path):
    _, public = _keygen(capsys, tmp_path / "a")
    value = loads(public.read_text())
    value["pok"]["response"] = str(int(value["pok"]["response"]) + 1)
    public.write_text(json.dumps(value))
    out = tmp_path / "trustees.json"
    code, _, err = run(capsys, "trustees", "combine", str(public), "--out", str(out))
    assert code == 2
    assert public.name in err
    assert "not a trustee's public key" in err
    assert not out.exists()


@pytest.mark.parametrize("content", ["", "{}", "[]", "not json"])
def test_combine_refuses_what_is_not_a_key(capsys, tmp_path, content):
    bad = tmp_path / "bad.pubkey"
    bad.write_text(content)
    code, _, err = run(capsys, "trustees", "combine", str(bad), "--out", str(tmp_path / "t.json"))
    assert code == 2
    assert "bad.pubkey" in err


def test_threshold_writes_trustees_json_and_one_private_share_per_member(capsys, tmp_path):
    folder = tmp_path / "bureau"
    code, out, err = run(
        capsys, "trustees", "threshold", "--members", "3", "--threshold", "2", "--out", str(folder)
    )
    assert code == 0, err
    assert "2 of 3 members" in out
    (parameters,) = read_trustees(BELENIOS_2048, loads((folder / "trustees.json").read_text()))
    assert isinstance(parameters, PedersenTrustees)
    verify_trustees(BELENIOS_2048, [parameters])
    assert parameters.threshold == 2
    assert len(parameters.verification_keys) == 3
    for j, verification in enumerate(parameters.verification_keys, start=1):
        share = folder / f"trustee-{j}.privkey"
        assert _mode(share) == 0o600
        x = read_private_key(BELENIOS_2048, share.read_text().strip())
        assert BELENIOS_2048.pow_g(x) == verification.public_key
    assert sorted(path.name for path in folder.iterdir()) == [
        "trustee-1.privkey",
        "trustee-2.privkey",
        "trustee-3.privkey",
        "trustees.json",
    ]


@pytest.mark.parametrize(
    ("members", "threshold", "words"),
    [("3", "4", "between 1 and the number of members"), ("0", "1", "at least 1")],
)
def test_threshold_refuses_a_bureau_that_cannot_be(capsys, tmp_path, members, threshold, words):
    folder = tmp_path / "bureau"
    code, _, err = run(
        capsys,
        "trustees",
        "threshold",
        "--members",
        members,
        "--threshold",
        threshold,
        "--out",
        str(folder),
    )
    assert code == 2
    assert words in err
    assert not folder.exists()


def test_threshold_never_overwrites_keys(capsys, tmp_path):
    folder = tmp_path / "bureau"
    args = ["trustees", "threshold", "--members", "2", "--threshold", "2", "--out", str(folder)]
    assert run(capsys, *args)[0] == 0
    before = (folder / "trustee-1.privkey").read_text()
    code, _, err = run(capsys, *args)
    assert code == 2
    assert "never overwritten" in err
    assert (folder / "trustee-1.privkey").read_text() == before


def test_threshold_help_says_it_is_a_rehearsal_not_the_bureaus_ceremony(capsys):
    code, out, _ = run(capsys, "trustees", "threshold", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "demonstration or a rehearsal" in text
    assert "later issue" in text


def test_the_trustee_commands_run_without_django(tmp_path):
    code = (
        "from urne.cli import main\n"
        f"assert main(['trustee', 'keygen', '--out', {str(tmp_path / 'k')!r}]) == 0\n"
        f"assert main(['trustees', 'threshold', '--members', '2', '--threshold', '1', "
        f"'--out', {str(tmp_path / 't')!r}]) == 0"
    )
    assert loaded_frameworks(code) == []


@pytest.mark.belenios
def test_belenios_tool_keys_are_combined_and_our_trustees_make_its_election(capsys, tmp_path):
    """Keys made by belenios-tool go into urne's trustees.json; belenios-tool makes an election
    from urne's trustees.json, Single or threshold, with the public key urne computes."""
    tool_folder = tmp_path / "tool"
    tool_folder.mkdir()
    run_tool("setup", "generate-trustee-key", "--group", "BELENIOS-2048", cwd=tool_folder)
    (tool_key,) = tool_folder.glob("*.pubkey")
    _, our_key = _keygen(capsys, tmp_path / "ours")
    threshold = tmp_path / "bureau"
    assert (
        run(
            capsys,
            "trustees",
            "threshold",
            "--members",
            "3",
            "--threshold",
            "2",
            "--out",
            str(threshold),
        )[0]
        == 0
    )
    for name, sources in {
        "singles": [tool_key, our_key],
        "mixed": [our_key, threshold / "trustees.json"],
        "threshold": [threshold / "trustees.json"],
    }.items():
        folder = tmp_path / name
        folder.mkdir()
        out = folder / "trustees.json"
        code, _, err = run(capsys, "trustees", "combine", *map(str, sources), "--out", str(out))
        assert code == 0, err
        template = {
            "description": "d",
            "name": name,
            "questions": [{"answers": ["A", "B"], "min": 0, "max": 1, "question": "q"}],
        }
        made = make_election_with_tool(folder, dumps(template), "iXEX1YBacEUwsS")
        trustees = read_trustees(BELENIOS_2048, loads(out.read_text()))
        expected = election_public_key(BELENIOS_2048, trustees)
        assert loads(made)["public_key"] == str(expected), name


@pytest.mark.belenios
def test_a_members_key_share_file_decrypts_with_belenios_tool(monkeypatch, tmp_path):
    """An election under the bureau `urne trustees threshold` made; member 2 decrypts the tally
    with belenios-tool from its ``trustee-2.privkey``; the partial decryption checks."""
    bureau = tmp_path / "bureau"

    def ceremony(group, threshold, count):
        made = write_threshold_trustees(bureau, count, threshold, group)
        shares = {
            j: read_private_key(group, path.read_text().strip())
            for j, path in enumerate(made.private_keys, start=1)
        }
        return (made.parameters,), shares

    monkeypatch.setattr(simulate_module, "_threshold_ceremony", ceremony)
    spec = SimulationSpec(voters=3, lists=2, blank=False, trustees=3, threshold=2, seed=3)
    election = simulate(spec, jobs=1)
    written = tmp_path / "tallied.bel"
    write_simulation(election, written)
    timestamp, items = steps(written)
    folder = tmp_path / "tool"
    folder.mkdir()
    write(
        folder / f"{election.election.uuid}.bel", items[: indices(items, "tally")[0] + 1], timestamp
    )
    decrypted = run_tool(
        "election",
        "decrypt",
        "--dir",
        str(folder),
        "--privkey",
        str(bureau / "trustee-2.privkey"),
        "--trustee-id",
        "2",
    ).stdout
    text = decrypted.splitlines()[0]
    group = election.election.group
    (parameters,) = election.trustees
    assert isinstance(parameters, PedersenTrustees)
    partial = PartialDecryption.from_json(group, loads(text))
    verify_partial_decryption(
        election.election, election.tally, parameters.verification_keys[1].public_key, partial
    )
