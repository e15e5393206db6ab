"""The demonstration campaign: realistic, complete, its vote open today (each scrutin a sealed
election), deterministic and loaded once."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from tests.voting.casting import credentials_of
from urne import clock
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.campaign.models import Academy, Campaign, Elector, Scrutin
from urne.candidacies.models import CandidateList, Union
from urne.candidacies.validators import validate_pdf
from urne.counting.models import Bureau, KeyFragment
from urne.crypto.credentials import check_private_credential, derive_public_credential
from urne.crypto.election import read_election
from urne.crypto.group import BELENIOS_2048
from urne.crypto.jsonio import loads
from urne.crypto.trustees import PedersenTrustees, read_trustees
from urne.crypto.verifier import verify_archive
from urne.demo import generator
from urne.demo.generator import DemoSummary, load_demo
from urne.support.models import FaqEntry
from urne.voting import setup
from urne.voting.models import ScrutinElection


@pytest.fixture(scope="module")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Module-wide: the PDFs land there, the bureau's keys and the identifiers in a data folder
    beside; a quick hasher, as the demonstration's passwords are hashed once for all the
    module's tests."""
    root = tmp_path_factory.mktemp("media")
    data = tmp_path_factory.mktemp("data")
    quick = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(MEDIA_ROOT=root, DATA_DIR=data, PASSWORD_HASHERS=quick):
        yield root


@pytest.fixture(scope="module")
def loaded(
    django_db_setup: None, django_db_blocker: Any, media_root: Path
) -> Iterator[DemoSummary]:
    """Loaded once for the module (a few seconds), committed, and removed afterwards; each
    test still runs in its own transaction, rolled back."""
    with django_db_blocker.unblock():
        # The groups the database has after migrate (« Observateurs », « Envois aux électeurs »…)
        # are kept; the demo's own go afterwards.
        groups_before = set(Group.objects.values_list("pk", flat=True))
        summary = load_demo()
        yield summary
        # Academies are protected while electors or scrutins point to them, electors while
        # public credentials do.
        ScrutinElection.objects.all().delete()
        KeyFragment.objects.all().delete()  # then the bureau, whose members hold staff accounts
        Bureau.objects.all().delete()
        User.objects.all().delete()
        Elector.objects.all().delete()
        Scrutin.objects.all().delete()
        Campaign.objects.all().delete()
        Group.objects.exclude(pk__in=groups_before).delete()
        # The audit journal is append-only (no DELETE on PostgreSQL: a trigger refuses it), but
        # the entries the load committed (the campaign's seal...) must not reach the next
        # modules' tests: TRUNCATE, which the row trigger does not see, empties it.
        table = AuditEntry._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {table}")
            else:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the model's own table


@pytest.fixture
def demo(db: None, loaded: DemoSummary) -> DemoSummary:
    return loaded


def test_it_has_three_academies_and_dijon_as_the_guide_gives_it(demo: DemoSummary) -> None:
    academies = Academy.objects.filter(campaign=demo.campaign)
    dijon = academies.get(code="dijon")

    assert academies.count() >= 3
    assert (dijon.mail_domain, dijon.assistance_email, dijon.assistance_phone) == (
        "ac-dijon.fr",
        "elections2014@ac-dijon.fr",
        "03.80.44.89.95",
    )


def test_it_has_hundreds_of_electors_of_many_corps(demo: DemoSummary) -> None:
    electors = Elector.objects.filter(campaign=demo.campaign)

    assert electors.count() >= 300
    corps = set(electors.values_list("corps", flat=True))
    assert {"Professeur certifié", "Professeur des écoles", "Professeur agrégé"} <= corps
    assert "Conseiller principal d'éducation" in corps
    assert len(corps) >= 6
    assert electors.filter(establishment__startswith="Lycée").exists()
    assert electors.filter(establishment__startswith="Collège").exists()
    assert electors.filter(establishment__startswith="École").exists()
    # Every elector votes at least in the ministry's CSA and their academy's.
    assert not electors.filter(roll_entries__isnull=True).exists()


def test_it_has_the_scrutins_of_an_education_campaign(demo: DemoSummary) -> None:
    scrutins = Scrutin.objects.filter(campaign=demo.campaign)
    academies = Academy.objects.filter(campaign=demo.campaign)

    assert scrutins.filter(code="csa-ministeriel", level=Scrutin.Level.NATIONAL).exists()
    assert scrutins.filter(code="capn-certifies", kind=Scrutin.Kind.CAP).exists()
    for academy in academies:
        assert scrutins.filter(academy=academy, kind=Scrutin.Kind.CSA).count() == 1
        assert scrutins.filter(
            academy=academy, kind=Scrutin.Kind.CAP, level=Scrutin.Level.ACADEMIC
        ).exists()
    certifie = Elector.objects.filter(campaign=demo.campaign, corps="Professeur certifié").first()
    assert certifie is not None
    assert set(certifie.scrutins.values_list("code", flat=True)) == {
        "csa-ministeriel",
        f"csa-academique-{certifie.academy.code}",
        "capn-certifies",
        f"capa-certifies-{certifie.academy.code}",
    }


def test_every_scrutin_has_lists_of_ordered_candidates_with_a_real_pdf(
    demo: DemoSummary,
) -> None:
    assert Union.objects.filter(campaign=demo.campaign).count() >= 4
    for scrutin in Scrutin.objects.filter(campaign=demo.campaign):
        lists = list(scrutin.lists.order_by("position"))
        assert [cl.position for cl in lists] == list(range(1, len(lists) + 1))
        assert len(lists) >= 3
        for candidate_list in lists:
            ranks = list(candidate_list.candidates.values_list("position", flat=True))
            assert ranks == list(range(1, len(ranks) + 1))
            assert scrutin.seats <= len(ranks) <= 2 * scrutin.seats
            with candidate_list.profession_de_foi.open("rb") as pdf:
                validate_pdf(pdf)


def test_one_list_is_filed_jointly_by_two_unions(demo: DemoSummary) -> None:
    joint = [
        cl
        for cl in CandidateList.objects.filter(scrutin__campaign=demo.campaign)
        if cl.unions.count() == 2
    ]

    assert len(joint) >= 1
    assert joint[0].title.startswith("Liste commune")


def test_the_vote_is_open_now_every_step_before_it_has_come(demo: DemoSummary) -> None:
    campaign = demo.campaign
    now = clock.now()

    assert campaign.accounts_open(now)
    assert campaign.rolls_published(now)
    assert campaign.candidacies_published(now)
    assert campaign.identifiers_available(now)
    assert not campaign.corrections_open(now)
    assert campaign.corrections_deadline < campaign.vote_opens_at
    assert campaign.vote_open(now)
    assert campaign.vote_opens_at <= now < campaign.vote_opens_at + timedelta(minutes=5)
    # A week, to the end of a working day; the texts allow between 24 hours and 8 days.
    assert timedelta(days=6) <= campaign.vote_closes_at - campaign.vote_opens_at <= timedelta(8)


def test_every_scrutin_is_a_sealed_election_of_its_lists_under_the_bureaus_keys(
    demo: DemoSummary,
) -> None:
    bureau = generator.demo_bureau(demo.campaign)
    assert bureau is not None and bureau.step == Bureau.Step.COMPLETE
    scrutins = Scrutin.objects.filter(campaign=demo.campaign)
    assert set(bureau.scrutins.all()) == set(scrutins)
    for scrutin in scrutins:
        election = ScrutinElection.objects.get(scrutin=scrutin)
        assert election.is_sealed, scrutin.code
        (question,) = read_election(election.election).questions
        assert list(question.answers) == [cl.title for cl in setup.election_lists(scrutin)]
        assert election.credentials.count() == scrutin.roll.count()
        assert election.trustees == bureau.trustees
        presidency, unions = read_trustees(BELENIOS_2048, loads(election.trustees))
        assert isinstance(presidency, PedersenTrustees) and isinstance(unions, PedersenTrustees)
        # 1 of {president, secretary}; 3 of the delegates' 6 fragments (2 each, 3 unions).
        assert (presidency.threshold, len(presidency.verification_keys)) == (1, 2)
        assert (unions.threshold, len(unions.verification_keys)) == (3, 6)
    members = {
        (member.user.email, member.role, member.union.acronym if member.union else "")
        for member in bureau.members.select_related("user", "union")
    }
    assert members == {
        (account.email, account.role, account.union) for account in generator.BUREAU_ACCOUNTS
    }


def test_the_bureaus_key_files_are_only_their_owners_and_never_in_the_database(
    demo: DemoSummary,
) -> None:
    folder = generator.bureau_folder()
    bureau = generator.demo_bureau(demo.campaign)
    assert bureau is not None
    stored = "".join(ScrutinElection.objects.values_list("trustees", flat=True))
    for fragment in KeyFragment.objects.filter(bureau=bureau).select_related("member__user"):
        place = folder / fragment.member.user.email
        key = place / f"{fragment.cert_name}.key"
        assert key.stat().st_mode & 0o777 == 0o600
        assert (place / f"{fragment.cert_name}.voutput").stat().st_mode & 0o777 == 0o600
        seed = key.read_text().strip()
        assert seed not in stored and seed not in fragment.cert + fragment.voutput


def test_a_demo_elector_finds_their_identifier_and_it_is_theirs_in_each_scrutin(
    demo: DemoSummary,
) -> None:
    email = demo.ready_accounts[0][0]
    identifier = generator.demo_identifier(email)
    assert identifier is not None
    check_private_credential(identifier)
    assert generator.identifiers_file().stat().st_mode & 0o777 == 0o600
    elector = Elector.objects.get(campaign=demo.campaign, email=email)
    credentials = credentials_of(elector).select_related("election")
    assert credentials.count() == elector.scrutins.count()
    for credential in credentials:
        expected = derive_public_credential(BELENIOS_2048, identifier, credential.election.uuid)
        assert credential.credential == str(expected)


def test_a_demo_scrutins_public_board_passes_urne_verify(demo: DemoSummary, tmp_path: Path) -> None:
    election = ScrutinElection.objects.get(scrutin__code="csa-ministeriel")
    path = tmp_path / f"{election.uuid}.bel"
    path.write_bytes(b"".join(setup.archive_chunks(election)))
    summary = verify_archive(path)
    assert summary.voters == Elector.objects.filter(campaign=demo.campaign).count()


def test_the_ready_accounts_log_in_with_the_printed_password(demo: DemoSummary) -> None:
    assert len(demo.ready_accounts) >= 3
    for email, _ in demo.ready_accounts:
        user = User.objects.get(email=email)
        assert user.elector is not None and user.confirmed_at is not None
        assert Client().login(email=email, password=generator.ELECTOR_PASSWORD)


def test_one_address_on_the_roll_has_no_account_yet(demo: DemoSummary) -> None:
    elector = Elector.objects.get(campaign=demo.campaign, email=demo.without_account)

    assert demo.without_account == "thomas.girard@ac-dijon.fr"
    assert not User.objects.filter(email=demo.without_account).exists()
    assert elector.scrutins.exists()


def test_the_staff_accounts_reach_the_back_office_within_their_rights(
    demo: DemoSummary,
) -> None:
    gestion, helpdesk = Client(), Client()
    assert gestion.login(email=generator.STAFF_EMAIL, password=generator.STAFF_PASSWORD)
    assert helpdesk.login(email=generator.HELPDESK_EMAIL, password=generator.HELPDESK_PASSWORD)
    electors = Elector.objects.filter(campaign=demo.campaign)
    in_dijon = electors.filter(academy__code="dijon").first()
    in_lyon = electors.filter(academy__code="lyon").first()
    assert in_dijon is not None and in_lyon is not None

    assert gestion.get("/gestion/campaign/campaign/").status_code == 200
    assert gestion.get(f"/gestion/campaign/elector/{in_lyon.pk}/change/").status_code == 200
    # Django's admin is the superuser's only (issue 8): the helpdesk is sent to its home.
    for url in ("/gestion/campaign/elector/", "/gestion/campaign/electorimport/add/"):
        refused = helpdesk.get(url, follow=True)
        assert refused.redirect_chain[-1][0] == "/gestion/accueil/"
    assert helpdesk.get("/gestion/imports/").status_code == 403
    found = helpdesk.get("/gestion/assistance/", {"q": in_dijon.last_name}).content.decode()
    assert f"/gestion/assistance/electeurs/{in_dijon.pk}/" in found
    assert helpdesk.get(f"/gestion/assistance/electeurs/{in_lyon.pk}/").status_code == 404


def test_the_helpdesk_of_dijon_reaches_no_other_academy(demo: DemoSummary) -> None:
    helpdesk = Client()
    assert helpdesk.login(email=generator.HELPDESK_EMAIL, password=generator.HELPDESK_PASSWORD)
    in_lyon = Elector.objects.filter(campaign=demo.campaign, academy__code="lyon").first()
    assert in_lyon is not None

    listing = helpdesk.get("/gestion/assistance/", {"q": in_lyon.last_name}).content.decode()
    page = helpdesk.get(f"/gestion/assistance/electeurs/{in_lyon.pk}/")

    assert f"/gestion/assistance/electeurs/{in_lyon.pk}/" not in listing
    assert "@ac-lyon.fr" not in listing
    assert page.status_code == 404
    assert in_lyon.email not in page.content.decode()


def test_the_faq_is_filled(demo: DemoSummary) -> None:
    assert FaqEntry.objects.filter(campaign=demo.campaign).count() > 0


def test_loading_it_again_duplicates_nothing_and_moves_the_calendar_to_today(
    demo: DemoSummary, travel: Any
) -> None:
    later = timezone.now() + timedelta(days=20)
    travel(later)

    again = load_demo()

    assert again.created is False
    assert Campaign.objects.count() == 1
    assert (again.electors, again.scrutins, again.lists) == (
        demo.electors,
        demo.scrutins,
        demo.lists,
    )
    assert User.objects.filter(email=generator.STAFF_EMAIL).count() == 1
    assert again.campaign.vote_open(later)
    assert not again.campaign.corrections_open(later)
    # The elections sealed the first time stay as they were.
    assert again.campaign.vote_opens_at <= later
    sealed = dict(ScrutinElection.objects.values_list("uuid", "fingerprint"))
    assert len(sealed) == demo.scrutins


def test_a_previous_try_that_created_the_account_is_followed_by_another_address(
    demo: DemoSummary,
) -> None:
    elector = Elector.objects.get(email=demo.without_account)
    User.objects.create_user(elector.email, "Essai2014x", elector=elector)

    again = load_demo()

    assert again.without_account != elector.email
    assert not User.objects.filter(email=again.without_account).exists()


def test_the_generator_is_deterministic(db: None, media_root: Path) -> None:
    now = timezone.now()

    def snapshot(seed: int) -> list[tuple[str, ...]]:
        campaign = generator._build(random.Random(seed), now)
        return [
            *Elector.objects.filter(campaign=campaign)
            .order_by("email")
            .values_list("email", "corps", "grade", "establishment"),
            *CandidateList.objects.filter(scrutin__campaign=campaign)
            .order_by("scrutin__code", "position")
            .values_list("scrutin__code", "title"),
        ]

    first, second, other = snapshot(7), snapshot(7), snapshot(8)

    assert first == second
    assert first != other


def test_each_role_account_signs_in_and_reaches_its_own_sections(demo: DemoSummary) -> None:
    """The organizer, the academy's manager, the union delegate and the observer of the demo:
    each lands on the back office's home and sees its role's sections only."""
    sections = {
        "organisation@urne.example": ("/gestion/campagne/", "/gestion/candidatures/"),
        "gestion.dijon@urne.example": ("/gestion/corrections/",),
        "delegue.uepl@urne.example": ("/gestion/candidatures/",),
        "observation@urne.example": ("/gestion/participation/",),
    }
    for account in generator.ROLE_ACCOUNTS:
        client = Client()
        assert client.login(email=account.email, password=account.password), account.email
        home = client.get("/gestion/accueil/")
        assert home.status_code == 200, account.email
        page = home.content.decode()
        for section in sections[account.email]:
            assert f'href="{section}' in page, (account.email, section)
    observer = Client()
    assert observer.login(email="observation@urne.example", password="Observation2014demo")
    assert 'href="/gestion/campagne/' not in observer.get("/gestion/accueil/").content.decode()
