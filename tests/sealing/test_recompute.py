"""An expert recomputes the published seal independently, with the commands of
docs/sealing.md: jq and sha256sum over the board's JSON, and Python's own list of distributions
(the code's pipeline is in test_command.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from urne.sealing.models import CampaignSeal


def shell(command: str, cwd: Path) -> str:
    done = subprocess.run(  # noqa: S602 - the documented commands, on the test's own files
        command, shell=True, cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def published(client: Client, sealed: CampaignSeal, tmp_path: Path) -> Path:
    (tmp_path / "seal.json").write_bytes(client.get(reverse("sealing:board_json")).content)
    return tmp_path


def test_each_json_component_is_jq_and_sha256sum_of_its_data(
    published: Path, sealed: CampaignSeal
) -> None:
    for component in sealed.components:
        if component["name"] in {"code", "distributions", "booth"}:
            continue
        command = (
            f"jq -cjS '.seal.components[] | select(.name == \"{component['name']}\") | .data'"
            " seal.json | sha256sum"
        )
        assert shell(command, published).split()[0] == component["hash"], component["name"]


def test_the_whole_fingerprint_is_sha256sum_of_the_sorted_component_lines(
    published: Path, sealed: CampaignSeal
) -> None:
    command = (
        "jq -r '.seal.components[] | \"\\(.hash)  \\(.name)\"' seal.json"
        " | LC_ALL=C sort -k2 | sha256sum"
    )
    assert shell(command, published).split()[0] == sealed.fingerprint


def test_the_distributions_hash_is_pythons_own_list(published: Path, sealed: CampaignSeal) -> None:
    program = (
        "import importlib.metadata as m, platform, re; "
        "print('\\n'.join(sorted({re.sub(r'[-_.]+', '-', d.metadata['Name']).lower() + '=='"
        " + d.version for d in m.distributions() if d.metadata['Name']}"
        " | {'python==' + platform.python_version()})))"
    )
    command = f"{sys.executable} -c {json.dumps(program)} | sha256sum"
    (distributions,) = [c for c in sealed.components if c["name"] == "distributions"]
    assert shell(command, published).split()[0] == distributions["hash"]
