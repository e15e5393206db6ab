"""`urne demo_election`: on the loaded demonstration, demo electors vote through the ballot box,
the boxes close, the bureau's allowed set decrypts with its saved keys, the president proclaims;
the results, seats and PV are in the back office and public, and each archive passes `urne
verify`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.html import escape

from tests.crypto.belenios_tool import run_tool
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.campaign.models import Scrutin
from urne.cli.protocol import main as urne_main
from urne.counting import decryption, results
from urne.counting.models import Proclamation
from urne.crypto.verifier import verify_archive
from urne.demo import generator
from urne.voting import setup
from urne.voting.models import CountingEvent, ScrutinElection

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[generator.DemoSummary]:
    quick = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(
        MEDIA_ROOT=tmp_path / "media", DATA_DIR=tmp_path / "data", PASSWORD_HASHERS=quick
    ):
        yield generator.load_demo()


@pytest.mark.belenios
def test_a_whole_election_ends_with_proclaimed_verified_results(
    loaded: generator.DemoSummary, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("demo_election", "--voters", "2")
    out = capsys.readouterr().out
    scrutins = list(Scrutin.objects.filter(campaign=loaded.campaign).order_by("code"))
    assert f"{len(scrutins)} scrutins dépouillés et proclamés" in out
    assert "/resultats/" in out and "/gestion/resultats/" in out

    president = User.objects.get(email="presidence.bve@urne.example")
    for scrutin in scrutins:
        election = ScrutinElection.objects.get(scrutin=scrutin)
        found = decryption.scrutin_result(election)
        assert found is not None, scrutin.code
        assert found.tallied == election.ballot_count == 2
        assert found.blank + sum(item.votes for item in found.lists) == 2
        assert Proclamation.objects.get(scrutin=scrutin).proclaimed_by == president
        # The shares came from the allowed set, each uploaded by its holder.
        uploaders = set(
            CountingEvent.objects.filter(
                election=election, kind=CountingEvent.Kind.PARTIAL_DECRYPTION
            ).values_list("recorded_by__email", flat=True)
        )
        assert uploaders == {
            "presidence.bve@urne.example",
            "delegue.uepl@urne.example",
            "bve.sape@urne.example",
        }
        path = tmp_path / f"{election.uuid}.bel"
        path.write_bytes(b"".join(setup.archive_chunks(election)))
        summary = verify_archive(path, jobs=1)
        assert summary.ballots == 2
    assert AuditEntry.objects.filter(action="counting.proclamation").count() == len(scrutins)
    # The command line's `urne verify`, and the real belenios-tool, on the national CSA's.
    csa_election = ScrutinElection.objects.get(scrutin__code="csa-ministeriel")
    final = tmp_path / "final"
    final.mkdir()
    (tmp_path / f"{csa_election.uuid}.bel").rename(final / f"{csa_election.uuid}.bel")
    assert urne_main("verify", [str(final / f"{csa_election.uuid}.bel")]) == 0
    run_tool("election", "verify", "--dir", str(final))

    # Public results, with seats; the PV in the back office.
    csa = next(scrutin for scrutin in scrutins if scrutin.code == "csa-ministeriel")
    public = Client()
    index = public.get(reverse("results:public_index")).content.decode()
    assert escape(csa.name) in index
    page = public.get(reverse("results:public_scrutin", args=[csa.code]))
    assert page.status_code == 200 and "Sièges" in page.content.decode()
    figures = results.figures_of(csa)
    assert figures is not None and sum(item.titulaires for item in figures.lists) > 0
    staff = Client()
    staff.force_login(User.objects.get(email=generator.STAFF_EMAIL))
    minutes = staff.get(reverse("results:minutes", args=[csa.pk]))
    assert minutes.status_code == 200 and minutes["Content-Type"] == "application/pdf"

    # Once counted, a second run is refused and changes nothing.
    before = CountingEvent.objects.count()
    with pytest.raises(CommandError, match="déjà clos et dépouillé"):
        call_command("demo_election")
    assert CountingEvent.objects.count() == before
