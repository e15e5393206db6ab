"""A member's own steps with `urne trustee threshold-cert|-polynomial|-voutput`: the files
belenios-tool writes at the same steps, taken by the tool and by the other members' tools."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.crypto.belenios_tool import run_tool
from urne.cli.protocol import main
from urne.crypto import pedersen
from urne.crypto.group import BELENIOS_2048
from urne.crypto.jsonio import loads
from urne.crypto.trustees import PedersenTrustees

TOOL = ("setup", "generate-trustee-key-threshold", "--group", "BELENIOS-2048")


def urne(*args: str) -> int:
    return main("trustee", list(args))


@pytest.mark.belenios
def test_a_member_using_urne_takes_part_in_a_ceremony_run_by_belenios_tool(tmp_path: Path) -> None:
    """Two members use belenios-tool, one uses urne; the tool runs the server's steps 4 and 6
    and accepts the urne member's certificate, polynomial and voutput."""
    ours = tmp_path / "ours"
    assert urne("threshold-cert", "--out", str(ours)) == 0
    (key,) = ours.glob("*.key")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    run_tool(*TOOL, "--step", "1", cwd=tmp_path)
    run_tool(*TOOL, "--step", "1", cwd=tmp_path)
    (tmp_path / f"{key.stem}.cert").write_text((ours / f"{key.stem}.cert").read_text())
    names = sorted(path.stem for path in tmp_path.glob("*.cert"))
    (tmp_path / "certs.jsons").write_text(
        "".join((tmp_path / f"{name}.cert").read_text() for name in names)
    )
    run_tool(*TOOL, "--certs", "certs.jsons", "--step", "2", cwd=tmp_path)

    lines = []
    for name in names:
        if name == key.stem:
            out = ours / "polynomial.json"
            code = urne(
                "threshold-polynomial",
                "--certs",
                str(tmp_path / "certs.jsons"),
                "--key",
                str(key),
                "--threshold",
                "2",
                "--out",
                str(out),
            )
            assert code == 0
            lines.append(out.read_text())
        else:
            done = run_tool(
                *TOOL,
                *("--certs", "certs.jsons", "--key", f"{name}.key", "--step", "3"),
                *("--threshold", "2"),
                cwd=tmp_path,
            )
            lines.append(done.stdout)
    (tmp_path / "polynomials.jsons").write_text("".join(lines))
    run_tool(
        *TOOL, "--certs", "certs.jsons", "--step", "4", "--polynomials", "polynomials.jsons",
        cwd=tmp_path,
    )  # fmt: skip

    voutputs = []
    for name in names:
        if name == key.stem:
            out = ours / "voutput.json"
            code = urne(
                "threshold-voutput",
                *("--certs", str(tmp_path / "certs.jsons"), "--key", str(key)),
                *("--vinput", str(tmp_path / f"{name}.vinput"), "--out", str(out)),
            )
            assert code == 0
            voutputs.append(out.read_text())
        else:
            done = run_tool(
                *TOOL,
                *("--certs", "certs.jsons", "--key", f"{name}.key", "--step", "5"),
                cwd=tmp_path,
                stdin=(tmp_path / f"{name}.vinput").read_text(),
            )
            voutputs.append(done.stdout)
    done = run_tool(
        *TOOL, "--certs", "certs.jsons", "--step", "6", "--polynomials", "polynomials.jsons",
        cwd=tmp_path, stdin="".join(voutputs),
    )  # fmt: skip
    parameters = PedersenTrustees.from_json(BELENIOS_2048, loads(done.stdout))
    parameters.verify(BELENIOS_2048)
    # Our sealed share opens with our key and matches its published verification key.
    sealed = loads((ours / "voutput.json").read_text())["private_key"]
    keys = pedersen.derive_keys(BELENIOS_2048, key.read_text())
    position, _share = pedersen.read_decryption_key(BELENIOS_2048, keys, parameters, sealed)
    assert names[position - 1] == key.stem


def test_a_member_step_with_a_wrong_file_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "certs.jsons").write_text("pas des certificats\n")
    (tmp_path / "x.key").write_text("trop-court\n")
    out = tmp_path / "polynomial.json"
    code = urne(
        "threshold-polynomial",
        *("--certs", str(tmp_path / "certs.jsons"), "--key", str(tmp_path / "x.key")),
        *("--threshold", "2", "--out", str(out)),
    )
    assert code == 2
    assert "not a certs.jsons file" in capsys.readouterr().err
    assert not out.exists()
