"""`urne trustee decrypt`: a member's partial decryption made offline from the board's archive,
and what it refuses (exit 2, a message, nothing written)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from tests.counting.conftest import Bureau, run_vote
from tests.counting.test_count import CHOICES, board_folder, close_and_tally
from urne.campaign.models import Academy, Scrutin
from urne.cli.protocol import main as urne_main
from urne.cli.trustees import write_single_key
from urne.counting import decryption
from urne.crypto.hashing import sha256_hex
from urne.crypto.jsonio import loads

pytestmark = pytest.mark.django_db

Travel = Callable[[datetime], None]


def decrypt(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = urne_main("trustee", ["decrypt", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_urne_trustee_decrypt_and_its_refusals(
    csa_national: Scrutin,
    dijon: Academy,
    threshold_bureau: Bureau,
    travel: Travel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    election = run_vote(csa_national, dijon, threshold_bureau, CHOICES)
    open_board = board_folder(csa_national, tmp_path, "open")
    key = str(threshold_bureau.keys[2])
    code, _, err = decrypt(capsys, "--privkey", key, "--dir", str(open_board))
    assert code == 2 and "no encrypted tally yet" in err

    close_and_tally(election, travel)
    folder = board_folder(csa_national, tmp_path, "tallied")
    archive = folder / f"{election.uuid}.bel"
    stranger = write_single_key(tmp_path / "stranger")
    code, _, err = decrypt(capsys, "--privkey", str(stranger.private_key), "--dir", str(folder))
    assert code == 2 and "not one of the election's trustees" in err
    code, _, err = decrypt(capsys, "--privkey", key, "--trustee-id", "3", "--dir", str(folder))
    assert code == 2 and "trustee 2's, not trustee 3's" in err

    code, out, _ = decrypt(capsys, "--privkey", key, "--archive", str(archive))
    assert code == 0
    partial, owned = out.splitlines()
    assert loads(owned) == {"owner": 2, "payload": sha256_hex(partial)}
    decryption.do_accept_partial_decryption(election, out, None)
    code, out, _ = decrypt(capsys, "--privkey", str(threshold_bureau.keys[1]), "--dir", str(folder))
    decryption.do_accept_partial_decryption(election, out, None)
    assert decryption.scrutin_result(election) is not None

    final = board_folder(csa_national, tmp_path, "final")
    code, _, err = decrypt(capsys, "--privkey", key, "--dir", str(final))
    assert code == 2 and "the result is already in the archive" in err
