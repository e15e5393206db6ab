"""`urne seal verify`: every component recomputed now and compared with the recorded seal;
exit 0 and « identique », or exit 1 naming what changed (docs/sealing.md)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from urne.campaign.models import Campaign, Elector, Scrutin
from urne.candidacies.models import Candidate, CandidateList
from urne.sealing import fingerprint
from urne.sealing.models import CampaignSeal, SealVerification
from urne.sealing.services import do_seal_campaign
from urne.voting.models import Emargement, ScrutinElection

from .conftest import eve


def verify(*args: str) -> tuple[int, str, str]:
    """Run `urne seal verify ARGS`: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("seal", "verify", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), str(error)
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the installed package's tree, which the seal fingerprints instead of the
    installed one (the real hashing, over files this test may change)."""
    copy = tmp_path / "urne"
    shutil.copytree(
        fingerprint.code_root(), copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    monkeypatch.setattr(fingerprint, "code_root", lambda: copy)
    return copy


def test_it_says_identical_and_exits_0_when_nothing_changed(sealed: CampaignSeal) -> None:
    code, out, _ = verify()

    assert code == 0
    assert "identique" in out
    assert sealed.fingerprint in out
    (verification,) = SealVerification.objects.all()
    assert verification.identical is True
    assert verification.fingerprint == sealed.fingerprint


def test_json_gives_the_outcome_and_each_change(sealed: CampaignSeal, campaign: Campaign) -> None:
    code, out, _ = verify("--campaign", str(campaign.pk), "--json")

    assert code == 0
    outcome = json.loads(out)
    assert outcome["identical"] is True
    assert outcome["changes"] == []
    assert outcome["fingerprint"] == outcome["recorded_fingerprint"] == sealed.fingerprint


def test_a_tampered_added_or_removed_code_file_is_named(
    package_copy: Path, elections: object, campaign: Campaign
) -> None:
    with eve(campaign):
        do_seal_campaign(None, campaign)
    setup = package_copy / "voting" / "setup.py"
    setup.write_text(setup.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    (package_copy / "voting" / "backdoor.py").write_text("x = 1\n", encoding="utf-8")
    (package_copy / "templates" / "voting" / "receipt.html").unlink()

    code, out, error = verify()

    assert code == 1
    assert "code" in error
    assert "fichier(s) modifié(s) : urne/voting/setup.py" in out
    assert "fichier(s) ajouté(s) : urne/voting/backdoor.py" in out
    assert "fichier(s) supprimé(s) : urne/templates/voting/receipt.html" in out
    (verification,) = SealVerification.objects.all()
    assert verification.identical is False
    assert [change["component"] for change in verification.changes] == ["code"]


def test_bytecode_caches_are_not_part_of_the_code(
    package_copy: Path, elections: object, campaign: Campaign
) -> None:
    with eve(campaign):
        do_seal_campaign(None, campaign)
    cache = package_copy / "voting" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "setup.cpython-311.pyc").write_bytes(b"\x00compiled")

    assert verify()[0] == 0


def test_the_code_hash_is_the_documented_shell_pipeline(package_copy: Path) -> None:
    """docs/sealing.md: an expert recomputes the code's hash with find, sort and sha256sum."""
    pipeline = (
        "find urne -type f ! -path '*/__pycache__/*' ! -name '*.pyc' ! -name '*.pyo' -print0"
        " | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum"
    )
    done = subprocess.run(  # noqa: S602 - the documented pipeline, on the test's own copy
        pipeline, shell=True, cwd=package_copy.parent, capture_output=True, text=True, check=True
    )

    assert done.stdout.split()[0] == fingerprint.code_component().hash


def test_an_installed_distribution_added_or_changed_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, elections: object, campaign: Campaign
) -> None:
    site = tmp_path / "site"
    info = site / "extra_tool-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: extra_tool\nVersion: 1.0\n")
    monkeypatch.syspath_prepend(str(site))
    with eve(campaign):
        do_seal_campaign(None, campaign)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: extra_tool\nVersion: 1.1\n")
    info.rename(site / "extra_tool-1.1.dist-info")

    code, out, error = verify()

    assert code == 1
    assert "distributions" in error
    assert "version(s) changée(s) : extra-tool 1.0 → 1.1" in out


def test_the_booth_script_as_served_is_named_when_it_differs(
    tmp_path: Path, sealed: CampaignSeal
) -> None:
    """The collected static files are what the server serves with DEBUG off: a booth script
    changed there (not in the package) is found."""
    collected = tmp_path / "static"
    for name in fingerprint.booth_script_names():
        source = fingerprint.served_file(name)
        assert source is not None
        target = collected / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    booth = collected / "urne" / "voting" / "booth.js"
    booth.write_text(booth.read_text(encoding="utf-8") + "\n;// injected\n", encoding="utf-8")

    with override_settings(STATIC_ROOT=str(collected), DEBUG=False):
        code, out, error = verify()

    assert code == 1
    assert "booth" in error
    assert (
        "JavaScript de l'isoloir tel que servi : fichier(s) modifié(s) : urne/voting/booth.js"
        in out
    )


def test_a_changed_setting_is_named_with_its_values(sealed: CampaignSeal) -> None:
    with override_settings(URNE_PREPARED_ELECTIONS=9):
        code, out, error = verify()

    assert code == 1
    assert "settings" in error
    assert "URNE_PREPARED_ELECTIONS : 0 → 9" in out


def test_a_changed_secret_is_named_without_its_value(sealed: CampaignSeal) -> None:
    secret = "an-entirely-new-pseudonym-key-of-forty-chars"
    with override_settings(URNE_PSEUDONYM_KEY=secret):
        code, out, _ = verify()

    assert code == 1
    assert "secret URNE_PSEUDONYM_KEY : kcv:" in out
    assert secret not in out
    assert secret not in json.dumps(CampaignSeal.objects.get().components)


def test_a_scrutin_whose_candidate_or_trustees_changed_is_named(
    sealed: CampaignSeal, capa_dijon: Scrutin, csa_national: Scrutin
) -> None:
    listed = CandidateList.objects.filter(scrutin=capa_dijon).order_by("position").first()
    assert listed is not None
    Candidate.objects.create(
        candidate_list=listed,
        position=1,
        civilite="MME",
        last_name="Ajoutée",
        first_name="Après",
        corps_grade="Certifiée",
        affectation="Dijon",
    )
    ScrutinElection.objects.filter(scrutin=csa_national).update(trustees="[]")

    code, out, error = verify()

    assert code == 1
    assert "scrutin:capa-certifies-dijon" in error
    assert "scrutin:csa-men" in error
    assert f"la liste « {listed.title} »" in out
    assert "les clés publiques des autorités de déchiffrement" in out


@pytest.mark.parametrize(
    "change",
    [{"seats": 16}, {"short_list_rule": "draw"}, {"tie_by_candidates": True}],
    ids=["seats", "short-list rule", "tie rule"],
)
def test_a_scrutin_whose_seats_or_counting_rules_changed_is_named(
    sealed: CampaignSeal, csa_national: Scrutin, change: dict[str, object]
) -> None:
    """The seats and the rules that turn the counts into seats are part of the sealed set-up:
    changed after the seal (even behind the pages' back), `urne seal verify` names them."""
    Scrutin.objects.filter(pk=csa_national.pk).update(**change)

    code, out, error = verify()

    assert code == 1
    assert "scrutin:csa-men" in error
    assert "ses sièges ou ses règles de répartition" in out


def test_a_grade_added_to_a_sealed_scrutin_is_named(
    sealed: CampaignSeal, capa_dijon: Scrutin
) -> None:
    capa_dijon.grade_seats.create(grade="Hors classe", seats=1, substitute_seats=1)

    code, out, _ = verify()

    assert code == 1
    assert "ses sièges ou ses règles de répartition" in out


def test_an_emargement_dated_before_the_seal_is_named(
    sealed: CampaignSeal, csa_national: Scrutin, elector_bob: Elector
) -> None:
    election = ScrutinElection.objects.get(scrutin=csa_national)
    Emargement.objects.create(
        election=election, elector=elector_bob, voted_at=sealed.sealed_at.replace(microsecond=0)
    )

    code, out, error = verify()

    assert code == 1
    assert "box" in error
    assert "csa-men : 0 bulletin(s) et 1 émargement(s) antérieurs au scellement" in out


def test_no_record_leaves_no_verification(sealed: CampaignSeal) -> None:
    assert verify("--no-record")[0] == 0
    assert not SealVerification.objects.exists()


def test_a_campaign_without_a_seal_has_nothing_to_verify(campaign: Campaign) -> None:
    code, _, error = verify()

    assert code == 1
    assert "n'a pas de scellement" in error


def test_create_and_show(elections: object, campaign: Campaign) -> None:
    out = io.StringIO()
    with eve(campaign):
        call_command("seal", "create", "--campaign", str(campaign.pk), stdout=out)
    seal = CampaignSeal.objects.get()
    assert seal.fingerprint in out.getvalue()

    shown = io.StringIO()
    call_command("seal", "show", "--json", stdout=shown)
    published = json.loads(shown.getvalue())
    assert published["fingerprint"] == seal.fingerprint
    names = [component["name"] for component in published["components"]]
    assert names == sorted(names)
    assert {"code", "distributions", "booth", "settings", "box"} <= set(names)
    assert (
        fingerprint.whole_fingerprint(
            fingerprint.Component.from_json(component) for component in published["components"]
        )
        == seal.fingerprint
    )
