"""A union delegate files a list in the back office's pages: created, candidates from the roll,
a PDF, submitted; refused with every failure shown, after the deadline, with bad files or
forged ids; and nobody else files."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.candidacies.personas import *  # noqa: F403 (fixtures)
from tests.candidacies.personas import as_user, make_list, make_pdf
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.campaign.models import Campaign, Elector, Scrutin
from urne.candidacies.models import Candidate, CandidateList, Union

pytestmark = pytest.mark.usefixtures("media_root")

FILING = reverse("candidacies:filing")


def url(name: str, *args: Any) -> str:
    return reverse(f"candidacies:{name}", args=args)


def pdf_upload(content: bytes | None = None, name: str = "programme.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_pdf() if content is None else content, "application/pdf")


def create(client: Any, scrutin: Scrutin, union: Union, title: str = "Liste SNES") -> Any:
    return client.post(
        FILING,
        {
            "nouvelle-scrutin": scrutin.pk,
            "nouvelle-title": title,
            f"nouvelle-union_{union.pk}": "on",
        },
    )


def test_a_delegate_files_a_valid_list_from_start_to_submission(
    delegate_snes: User, csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    client = as_user(delegate_snes)
    assert client.get(FILING).status_code == 200

    response = create(client, csa_dijon, snes)
    filed = CandidateList.objects.get()
    assert response["Location"] == url("list", filed.pk)
    assert filed.status == CandidateList.Status.DRAFT
    assert list(filed.unions.all()) == [snes]

    page = client.get(url("list", filed.pk), {"q": "roussel"}).content.decode()
    assert "Mme Anne ROUSSEL" in page
    for name in ("Anne", "Luc", "Claire"):
        client.post(url("candidate_add", filed.pk), {"elector": roll[name].pk})
    # Typed in, matched to the roll by civilité and names (accents and case aside).
    client.post(
        url("candidate_add", filed.pk),
        {
            "civilite": "M",
            "last_name": "mercier",
            "first_name": "Paul",
            "corps_grade": "Professeur certifié",
            "affectation": "Lycée Carnot, Dijon",
        },
    )
    assert client.post(url("profession_de_foi_upload", filed.pk), {"file": pdf_upload()})[
        "Location"
    ] == url("list", filed.pk)
    response = client.post(url("list_submit", filed.pk))

    assert response.status_code == 302
    filed.refresh_from_db()
    assert filed.status == CandidateList.Status.SUBMITTED
    assert [c.elector_id for c in filed.candidates.order_by("position")] == [
        roll[name].pk for name in ("Anne", "Luc", "Claire", "Paul")
    ]
    actions = list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True))
    assert actions[0] == "candidacy.create"
    assert actions.count("candidacy.candidate_add") == 4
    assert actions[-2:] == ["candidacy.profession_de_foi", "candidacy.submit"]
    # Submitted, it no longer changes.
    first = filed.candidates.order_by("position")[0]
    response = client.post(url("candidate_change", filed.pk, first.pk), {"action": "remove"})
    assert "elle ne change plus" in client.get(response["Location"]).content.decode()
    assert filed.candidates.count() == 4


def test_submitting_a_list_that_breaks_rules_shows_every_failure(
    delegate_snes: User, csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    filed = make_list(csa_dijon, [snes], [roll["Luc"], roll["Paul"], roll["Hugo"]], pdf=False)
    client = as_user(delegate_snes)

    response = client.post(url("list_submit", filed.pk))

    assert response.status_code == 400
    page = response.content.decode()
    assert "2 points à corriger" in page
    assert "la liste doit compter 1 ou 2 femme(s)" in page
    assert "La profession de foi (un fichier PDF) n&#x27;est pas encore déposée." in page
    filed.refresh_from_db()
    assert filed.status == CandidateList.Status.DRAFT
    assert AuditEntry.objects.filter(action="candidacy.submit_refused").count() == 1


def test_reordering_and_removing_candidates(
    delegate_snes: User, csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    filed = make_list(csa_dijon, [snes], [roll["Anne"], roll["Luc"], roll["Claire"]])
    client = as_user(delegate_snes)
    luc = filed.candidates.get(elector=roll["Luc"])

    client.post(url("candidate_change", filed.pk, luc.pk), {"action": "up"})
    assert [c.first_name for c in filed.candidates.order_by("position")] == [
        "Luc",
        "Anne",
        "Claire",
    ]
    client.post(url("candidate_change", filed.pk, luc.pk), {"action": "remove"})
    assert [(c.position, c.first_name) for c in filed.candidates.order_by("position")] == [
        (1, "Anne"),
        (2, "Claire"),
    ]


def test_a_typed_candidate_not_on_the_roll_is_kept_and_flagged(
    delegate_snes: User, csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    filed = make_list(csa_dijon, [snes], [])
    client = as_user(delegate_snes)

    client.post(
        url("candidate_add", filed.pk),
        {
            "civilite": "MME",
            "last_name": "Inconnue",
            "first_name": "Zoé",
            "corps_grade": "Professeure",
            "affectation": "Lycée",
        },
    )

    candidate = filed.candidates.get()
    assert candidate.elector is None
    assert "introuvable" in client.get(url("list", filed.pk)).content.decode()


def test_a_joint_list_with_its_declared_shares(
    delegate_snes: User, csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union, sgen: Union
) -> None:
    filed = make_list(csa_dijon, [snes], [roll["Anne"]])
    client = as_user(delegate_snes)

    response = client.post(
        url("list_update", filed.pk),
        {
            "title": "Liste commune",
            f"union_{snes.pk}": "on",
            f"share_{snes.pk}": "55",
            f"union_{sgen.pk}": "on",
            f"share_{sgen.pk}": "45",
        },
    )

    assert response.status_code == 302
    shares = {row.union.acronym: row.share for row in filed.listunion_set.all()}
    assert shares == {"SNES": 55, "SGEN": 45}


def test_a_delegate_cannot_leave_their_own_union_off_the_list(
    delegate_snes: User, csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union, sgen: Union
) -> None:
    filed = make_list(csa_dijon, [snes], [roll["Anne"]])

    response = as_user(delegate_snes).post(
        url("list_update", filed.pk), {"title": "Liste", f"union_{sgen.pk}": "on"}
    )

    assert response.status_code == 400
    assert "Votre organisation syndicale doit figurer" in response.content.decode()
    assert list(filed.unions.all()) == [snes]


def test_a_union_cannot_open_a_second_list_for_a_scrutin(
    delegate_snes: User, csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    client = as_user(delegate_snes)
    create(client, csa_dijon, snes)

    response = create(client, csa_dijon, snes, title="Autre")

    assert response.status_code == 400
    assert "a déjà une liste pour le scrutin" in response.content.decode()
    assert CandidateList.objects.count() == 1


# --- Bad files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<html>pas un PDF</html>", "programme.pdf", "son contenu ne commence pas par"),
        (b"%PDF-1.4\nrien apres", "programme.pdf", "n&#x27;est pas un PDF complet"),
        (None, "programme.docx", "La profession de foi doit être un fichier PDF"),
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused(
    delegate_snes: User,
    csa_dijon: Scrutin,
    snes: Union,
    content: bytes | None,
    name: str,
    message: str,
) -> None:
    filed = make_list(csa_dijon, [snes], [], pdf=False)

    response = as_user(delegate_snes).post(
        url("profession_de_foi_upload", filed.pk), {"file": pdf_upload(content, name)}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    filed.refresh_from_db()
    assert not filed.profession_de_foi


def test_a_file_over_the_size_limit_is_refused(
    delegate_snes: User, csa_dijon: Scrutin, snes: Union, settings: Any
) -> None:
    settings.URNE_PROFESSION_DE_FOI_MAX_BYTES = 1000
    filed = make_list(csa_dijon, [snes], [], pdf=False)
    big = b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n"

    response = as_user(delegate_snes).post(
        url("profession_de_foi_upload", filed.pk), {"file": pdf_upload(big)}
    )

    assert response.status_code == 400
    assert "la limite est de 1000" in response.content.decode()
    filed.refresh_from_db()
    assert not filed.profession_de_foi


# --- The deadline ------------------------------------------------------------------------------


def test_nothing_is_filed_after_the_deadline(
    delegate_snes: User,
    campaign: Campaign,
    csa_dijon: Scrutin,
    roll: dict[str, Elector],
    snes: Union,
    travel: Any,
) -> None:
    people = [roll["Anne"], roll["Luc"], roll["Claire"], roll["Paul"]]
    filed = make_list(csa_dijon, [snes], people)
    assert campaign.candidacies_deadline is not None
    travel(campaign.candidacies_deadline)
    client = as_user(delegate_snes)

    response = create(client, csa_dijon, snes, title="Trop tard")
    assert response.status_code == 400
    assert "Le dépôt des listes est clos depuis le" in response.content.decode()

    client.post(url("candidate_add", filed.pk), {"elector": roll["Inès"].pk})
    response = client.post(url("list_submit", filed.pk), follow=True)

    assert "Le dépôt des listes est clos" in response.content.decode()
    filed.refresh_from_db()
    assert filed.status == CandidateList.Status.DRAFT
    assert filed.candidates.count() == 4
    assert CandidateList.objects.count() == 1


def test_without_a_deadline_filing_closes_at_the_publication(
    campaign: Campaign, travel: Any
) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(candidacies_deadline=None)
    campaign.refresh_from_db()

    travel(campaign.candidacies_published_at - timedelta(seconds=1))
    assert campaign.candidacies_filing_open()
    travel(campaign.candidacies_published_at)
    assert not campaign.candidacies_filing_open()


def test_the_deadline_cannot_follow_the_publication(campaign: Campaign) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(
            candidacies_deadline=campaign.candidacies_published_at + timedelta(hours=1)
        )


# --- Forged ids --------------------------------------------------------------------------------


def test_an_elector_of_another_roll_cannot_be_added(
    delegate_snes: User,
    csa_dijon: Scrutin,
    roll: dict[str, Elector],
    snes: Union,
    outsider_charlie: User,
) -> None:
    filed = make_list(csa_dijon, [snes], [])
    charlie = outsider_charlie.elector
    assert charlie is not None

    response = as_user(delegate_snes).post(
        url("candidate_add", filed.pk), {"elector": charlie.pk}, follow=True
    )

    assert "n&#x27;est pas inscrit sur la liste électorale de ce scrutin" in (
        response.content.decode()
    )
    assert not filed.candidates.exists()


def test_a_candidate_of_another_list_cannot_be_moved_through_ours(
    delegate_snes: User,
    csa_dijon: Scrutin,
    roll: dict[str, Elector],
    snes: Union,
    sgen: Union,
) -> None:
    ours = make_list(csa_dijon, [snes], [roll["Anne"]])
    theirs = make_list(csa_dijon, [sgen], [roll["Luc"]])
    their_candidate = theirs.candidates.get()

    response = as_user(delegate_snes).post(
        url("candidate_change", ours.pk, their_candidate.pk), {"action": "remove"}, follow=True
    )

    assert "Ce candidat ne figure pas sur cette liste." in response.content.decode()
    assert Candidate.objects.filter(pk=their_candidate.pk).exists()


def test_a_scrutin_of_another_campaign_is_not_offered(
    delegate_snes: User, csa_dijon: Scrutin, snes: Union
) -> None:
    from tests.conftest import make_campaign

    other = make_campaign(name="Autre", year=2018)
    foreign = Scrutin.objects.create(
        campaign=other, code="x", name="X", level="national", kind="CSA", seats=1
    )

    response = create(as_user(delegate_snes), foreign, snes)

    assert response.status_code == 400
    assert not CandidateList.objects.exists()


# --- Who files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff_dijon", "helpdesk", "organizer"])
def test_staff_without_a_union_cannot_file(
    request: pytest.FixtureRequest,
    persona: str,
    csa_dijon: Scrutin,
    roll: dict[str, Elector],
    snes: Union,
) -> None:
    staff = request.getfixturevalue(persona)
    filed = make_list(csa_dijon, [snes], [roll["Anne"]])
    client = as_user(staff)

    assert client.get(FILING).status_code == 403
    assert create(client, csa_dijon, snes).status_code == 403
    assert (
        client.post(url("candidate_add", filed.pk), {"elector": roll["Luc"].pk}).status_code == 403
    )
    assert client.post(url("list_submit", filed.pk)).status_code == 403
    assert filed.candidates.count() == 1


def test_the_file_right_alone_without_a_union_perimeter_files_nothing(
    staff_dijon: User, csa_dijon: Scrutin, snes: Union
) -> None:
    from django.contrib.auth.models import Permission

    staff_dijon.user_permissions.add(Permission.objects.get(codename="file_candidatelist"))
    client = as_user(staff_dijon)

    assert client.get(FILING).status_code == 403
    assert create(client, csa_dijon, snes).status_code == 403
    assert not CandidateList.objects.exists()


def test_the_menu_offers_each_role_its_section(delegate_snes: User, organizer: User) -> None:
    home = reverse("backoffice:home")

    delegate_page = as_user(delegate_snes).get(home).content.decode()
    organizer_page = as_user(organizer).get(home).content.decode()

    assert f'href="{FILING}"' in delegate_page
    assert f'href="{url("review")}"' not in delegate_page
    assert f'href="{url("review")}"' in organizer_page
    assert f'href="{FILING}"' not in organizer_page
