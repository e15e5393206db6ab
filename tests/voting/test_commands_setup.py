"""The election setup commands as an operator runs them: prepare, trustees, seal, status."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.conftest import reschedule
from tests.crypto.belenios_tool import run_tool
from tests.voting.conftest import Identifiers, add_lists, give_credentials
from urne.campaign.models import Campaign, Elector, Scrutin
from urne.cli.trustees import write_threshold_trustees
from urne.crypto.jsonio import loads
from urne.voting.models import ScrutinElection

pytestmark = pytest.mark.django_db


@pytest.fixture
def before_the_vote(campaign: Campaign) -> Campaign:
    """The campaign, its vote opening tomorrow: the setup may still change."""
    reschedule(campaign, vote_opens_at=timezone.now() + timedelta(days=1))
    return campaign


def urne(*args: str) -> str:
    """Run a management command; what it printed (standard output and error)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def urne_refused(*args: str) -> str:
    with pytest.raises(CommandError) as refused:
        urne(*args)
    return str(refused.value)


def test_prepare_gives_each_scrutin_its_uuid_once(
    before_the_vote: Campaign, csa_national: Scrutin, capa_dijon: Scrutin
) -> None:
    printed = urne("prepare_elections", "--campaign", str(before_the_vote.pk))
    uuids = dict(ScrutinElection.objects.values_list("scrutin__code", "uuid"))
    assert set(uuids) == {csa_national.code, capa_dijon.code}
    for code, uuid in uuids.items():
        assert f"{code}\t{uuid}" in printed
    again = urne("prepare_elections", "--campaign", before_the_vote.name)
    assert "0 élection(s) préparée(s) ; 2 scrutin(s) en ont une" in again
    assert dict(ScrutinElection.objects.values_list("scrutin__code", "uuid")) == uuids


def test_an_unknown_campaign_or_scrutin_is_named_with_what_exists(
    before_the_vote: Campaign, csa_national: Scrutin, tmp_path: Path
) -> None:
    assert "Campagne introuvable" in urne_refused("prepare_elections", "--campaign", "999")
    message = urne_refused(
        "scrutin_trustees",
        "--campaign",
        str(before_the_vote.pk),
        "--scrutin",
        "csa-inconnu",
        str(tmp_path / "trustees.json"),
    )
    assert "Scrutin introuvable" in message
    assert csa_national.code in message


def test_trustees_from_the_threshold_command_are_set(
    before_the_vote: Campaign, csa_national: Scrutin, tmp_path: Path
) -> None:
    made = write_threshold_trustees(tmp_path / "bureau", members=3, threshold=2)
    urne("prepare_elections", "--campaign", str(before_the_vote.pk))
    printed = urne(
        "scrutin_trustees",
        "--campaign",
        str(before_the_vote.pk),
        "--scrutin",
        csa_national.code,
        str(made.trustees),
    )
    assert "2 sur 3 (seuil)" in printed
    election = ScrutinElection.objects.get(scrutin=csa_national)
    assert loads(election.trustees) == loads(made.trustees.read_text())


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"[]", "Le fichier des autorités de déchiffrement est refusé"),
        (b'[["Single", {"pok": 1}]]', "Le fichier des autorités de déchiffrement est refusé"),
        (b"\xff\xfe", "n'est pas un fichier texte UTF-8"),
    ],
)
def test_a_bad_trustees_file_is_refused_in_french_and_changes_nothing(
    before_the_vote: Campaign,
    csa_national: Scrutin,
    trustees_text: str,
    tmp_path: Path,
    content: bytes,
    words: str,
) -> None:
    urne("prepare_elections", "--campaign", str(before_the_vote.pk))
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(trustees_text)
    bad.write_bytes(content)
    common = ["--campaign", str(before_the_vote.pk), "--scrutin", csa_national.code]
    urne("scrutin_trustees", *common, str(good))
    assert words in urne_refused("scrutin_trustees", *common, str(bad))
    assert ScrutinElection.objects.get(scrutin=csa_national).trustees == trustees_text


def test_a_missing_file_is_named(before_the_vote: Campaign, csa_national: Scrutin) -> None:
    urne("prepare_elections", "--campaign", str(before_the_vote.pk))
    message = urne_refused(
        "scrutin_trustees",
        "--campaign",
        str(before_the_vote.pk),
        "--scrutin",
        csa_national.code,
        "/nulle/part/trustees.json",
    )
    assert "Impossible de lire « /nulle/part/trustees.json »" in message


def test_trustees_cannot_be_set_before_the_election_is_prepared(
    before_the_vote: Campaign, csa_national: Scrutin, trustees_text: str, tmp_path: Path
) -> None:
    path = tmp_path / "trustees.json"
    path.write_text(trustees_text)
    message = urne_refused(
        "scrutin_trustees",
        "--campaign",
        str(before_the_vote.pk),
        "--scrutin",
        csa_national.code,
        str(path),
    )
    assert "préparez-la d'abord" in message


def test_seal_says_what_each_scrutin_lacks_and_exits_non_zero(
    before_the_vote: Campaign,
    elector_bob: Elector,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    trustees_text: str,
    tmp_path: Path,
) -> None:
    campaign = str(before_the_vote.pk)
    urne("prepare_elections", "--campaign", campaign)
    path = tmp_path / "trustees.json"
    path.write_text(trustees_text)
    # The national scrutin gets everything; Dijon's CAPA nothing but its uuid.
    add_lists(csa_national)
    urne("scrutin_trustees", "--campaign", campaign, "--scrutin", csa_national.code, str(path))
    give_credentials(ScrutinElection.objects.get(scrutin=csa_national), Identifiers())

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("seal_elections", "--campaign", campaign, stdout=out, stderr=err)
    assert "1 scrutin(s) non scellé(s) : capa-certifies-dijon" in str(refused.value)
    assert f"{csa_national.code} : scellée (empreinte " in out.getvalue()
    lacking = err.getvalue()
    assert "capa-certifies-dijon : non scellée ; il manque" in lacking
    assert "autorités de déchiffrement" in lacking
    assert "au moins une liste" in lacking
    assert "certificats publics de 1 électeur(s)" in lacking
    assert ScrutinElection.objects.get(scrutin=csa_national).is_sealed
    assert not ScrutinElection.objects.get(scrutin=capa_dijon).is_sealed

    # Once sealed, sealing again says so, and only the scrutin named is looked at.
    again = urne("seal_elections", "--campaign", campaign, "--scrutin", csa_national.code)
    assert "déjà scellée le" in again
    assert "1 scrutin(s) scellé(s)" in again


def test_a_scrutin_not_prepared_is_not_sealed(
    before_the_vote: Campaign, csa_national: Scrutin
) -> None:
    message = urne_refused("seal_elections", "--campaign", str(before_the_vote.pk))
    assert "non scellé" in message


def test_nothing_is_set_up_once_the_vote_has_opened(
    campaign: Campaign, csa_national: Scrutin, trustees_text: str, tmp_path: Path
) -> None:
    """The default campaign's vote opened an hour ago."""
    reschedule(campaign, vote_opens_at=timezone.now() + timedelta(days=1))
    urne("prepare_elections", "--campaign", str(campaign.pk))
    reschedule(campaign, vote_opens_at=timezone.now() - timedelta(hours=1))
    path = tmp_path / "trustees.json"
    path.write_text(trustees_text)
    message = urne_refused(
        "scrutin_trustees",
        "--campaign",
        str(campaign.pk),
        "--scrutin",
        csa_national.code,
        str(path),
    )
    assert "Le vote est ouvert ou clos" in message
    assert ScrutinElection.objects.get(scrutin=csa_national).trustees == ""


def test_status_shows_each_scrutin_row(
    before_the_vote: Campaign,
    elector_bob: Elector,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    trustees_text: str,
    tmp_path: Path,
) -> None:
    campaign = str(before_the_vote.pk)
    urne("prepare_elections", "--campaign", campaign)
    path = tmp_path / "trustees.json"
    path.write_text(trustees_text)
    add_lists(csa_national)
    urne("scrutin_trustees", "--campaign", campaign, "--scrutin", csa_national.code, str(path))
    give_credentials(ScrutinElection.objects.get(scrutin=csa_national), Identifiers())
    urne("seal_elections", "--campaign", campaign, "--scrutin", csa_national.code)

    lines = urne("election_status", "--campaign", campaign).splitlines()
    assert lines[0].split() == [
        "scrutin",
        "uuid",
        "autorités",
        "certificats",
        "scellée",
        "bulletins",
    ]
    rows = {line.split()[0]: line for line in lines[1:]}
    national = ScrutinElection.objects.get(scrutin=csa_national)
    assert national.uuid in rows[csa_national.code]
    assert "1 clé(s) simple(s)" in rows[csa_national.code]
    assert " 1/1 " in rows[csa_national.code]
    assert rows[csa_national.code].rstrip().endswith(" 0")
    capa = rows[capa_dijon.code]
    assert " — " in capa
    assert " 0/1 " in capa
    assert " non " in capa


# --- trustees made by the real belenios-tool ---------------------------------------------------


def _tool_threshold(folder: Path) -> None:
    """The tool's threshold ceremony, 2 of 3, each trustee's steps in turn (step 2, checking
    the certificates, is each trustee's own); then make-trustees writes trustees.json."""

    def step(*args: str, stdin: str | None = None) -> str:
        done = run_tool(
            "setup",
            "generate-trustee-key-threshold",
            "--group",
            "BELENIOS-2048",
            *args,
            cwd=folder,
            stdin=stdin,
        )
        return done.stdout

    for _ in range(3):
        step("--step", "1")
    names = sorted(path.stem for path in folder.glob("*.cert"))
    certs = "".join((folder / f"{name}.cert").read_text().strip() + "\n" for name in names)
    (folder / "certs.jsons").write_text(certs)
    polynomials = [
        step("--certs", "certs.jsons", "--key", f"{name}.key", "--step", "3", "--threshold", "2")
        for name in names
    ]
    (folder / "polynomials.jsons").write_text("".join(p.strip() + "\n" for p in polynomials))
    step("--certs", "certs.jsons", "--step", "4", "--polynomials", "polynomials.jsons")
    voutputs = [
        step(
            "--certs",
            "certs.jsons",
            "--key",
            f"{name}.key",
            "--step",
            "5",
            stdin=(folder / f"{name}.vinput").read_text().strip() + "\n",
        ).strip()
        for name in names
    ]
    threshold = step(
        "--certs",
        "certs.jsons",
        "--step",
        "6",
        "--polynomials",
        "polynomials.jsons",
        stdin="".join(line + "\n" for line in voutputs),
    )
    (folder / "threshold.json").write_text(threshold)
    # No "Single" key beside the threshold: urne's server holds no decryption key.
    (folder / "public_keys.jsons").write_text("")
    run_tool("setup", "make-trustees", "--dir", str(folder))


def _tool_singles(folder: Path) -> None:
    """Two "Single" trustees made by the tool, assembled by make-trustees."""
    for _ in range(2):
        run_tool("setup", "generate-trustee-key", "--group", "BELENIOS-2048", cwd=folder)
    keys = "".join(path.read_text().strip() + "\n" for path in sorted(folder.glob("*.pubkey")))
    (folder / "public_keys.jsons").write_text(keys)
    run_tool("setup", "make-trustees", "--dir", str(folder))


@pytest.mark.belenios
@pytest.mark.parametrize(
    ("make", "described"),
    [(_tool_singles, "2 clé(s) simple(s)"), (_tool_threshold, "2 sur 3 (seuil)")],
)
def test_trustees_json_made_by_belenios_tool_is_accepted(
    before_the_vote: Campaign,
    elector_bob: Elector,
    csa_national: Scrutin,
    tmp_path: Path,
    make,
    described: str,
) -> None:
    make(tmp_path)
    campaign = str(before_the_vote.pk)
    urne("prepare_elections", "--campaign", campaign)
    printed = urne(
        "scrutin_trustees",
        "--campaign",
        campaign,
        "--scrutin",
        csa_national.code,
        str(tmp_path / "trustees.json"),
    )
    assert described in printed
    add_lists(csa_national)
    give_credentials(ScrutinElection.objects.get(scrutin=csa_national), Identifiers())
    assert "scellée (empreinte" in urne(
        "seal_elections", "--campaign", campaign, "--scrutin", csa_national.code
    )
