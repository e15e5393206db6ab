"""The organizer reviews the submitted lists, validates or rejects them, draws their order; each
union's delegate reaches only their own lists; electors see only validated lists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from tests.candidacies.personas import *  # noqa: F403 (fixtures)
from tests.candidacies.personas import as_user, make_list
from tests.conftest import make_account
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.backoffice import access
from urne.campaign.models import Campaign, Elector, RollEntry, Scrutin
from urne.candidacies.models import Candidate, CandidateList, ListDraw, Union
from urne.voting.models import ScrutinElection

pytestmark = pytest.mark.usefixtures("media_root")


def url(name: str, *args: Any) -> str:
    return reverse(f"candidacies:{name}", args=args)


@pytest.fixture
def submitted(csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union) -> CandidateList:
    people = [roll["Anne"], roll["Luc"], roll["Claire"], roll["Paul"]]
    return make_list(
        csa_dijon, [snes], people, title="Liste SNES", status=CandidateList.Status.SUBMITTED
    )


@pytest.fixture
def submitted_sgen(csa_dijon: Scrutin, roll: dict[str, Elector], sgen: Union) -> CandidateList:
    people = [roll["Inès"], roll["Hugo"], roll["Julie"]]
    return make_list(
        csa_dijon, [sgen], people, title="Liste SGEN", status=CandidateList.Status.SUBMITTED
    )


def test_the_organizer_sees_the_queue_and_validates(
    organizer: User, delegate_snes: User, submitted: CandidateList, csa_dijon: Scrutin
) -> None:
    client = as_user(organizer)
    assert "CSA académique de Dijon" in client.get(url("review")).content.decode()
    assert "Liste SNES" in client.get(url("review_scrutin", csa_dijon.pk)).content.decode()

    response = client.post(url("list_decide", submitted.pk), {"decision": "validate"})

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CandidateList.Status.VALIDATED
    assert submitted.decided_by == organizer
    assert AuditEntry.objects.filter(action="candidacy.validate").count() == 1
    page = as_user(delegate_snes).get(url("list", submitted.pk)).content.decode()
    assert "validée" in page


def test_a_rejection_needs_a_reason_which_the_delegate_reads(
    organizer: User, delegate_snes: User, submitted: CandidateList
) -> None:
    client = as_user(organizer)

    response = client.post(url("list_decide", submitted.pk), {"decision": "reject"})
    assert response.status_code == 400
    submitted.refresh_from_db()
    assert submitted.status == CandidateList.Status.SUBMITTED

    client.post(
        url("list_decide", submitted.pk),
        {"decision": "reject", "reason": "Le sigle de la liste est inexact."},
    )
    submitted.refresh_from_db()
    assert submitted.status == CandidateList.Status.REJECTED
    page = as_user(delegate_snes).get(url("list", submitted.pk)).content.decode()
    assert "Le sigle de la liste est inexact." in page
    assert "rejetée" in page
    # The delegate corrects it: a draft again, to submit anew.
    as_user(delegate_snes).post(url("candidate_change", submitted.pk, 0), {"action": "up"})
    as_user(delegate_snes).post(
        url("list_update", submitted.pk),
        {"title": "Liste SNES-FSU", f"union_{submitted.unions.get().pk}": "on"},
    )
    submitted.refresh_from_db()
    assert submitted.status == CandidateList.Status.DRAFT


def test_validation_checks_the_rules_again(
    organizer: User, submitted: CandidateList, roll: dict[str, Elector], csa_dijon: Scrutin
) -> None:
    RollEntry.objects.filter(scrutin=csa_dijon, elector=roll["Paul"]).delete()

    response = as_user(organizer).post(url("list_decide", submitted.pk), {"decision": "validate"})

    assert response.status_code == 400
    assert "Candidat n° 4 (M. Paul MERCIER) : introuvable" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == CandidateList.Status.SUBMITTED


def test_the_draw_sets_the_official_order_and_is_recorded(
    organizer: User,
    submitted: CandidateList,
    submitted_sgen: CandidateList,
    csa_dijon: Scrutin,
) -> None:
    client = as_user(organizer)
    for candidate_list in (submitted, submitted_sgen):
        client.post(url("list_decide", candidate_list.pk), {"decision": "validate"})

    response = client.post(url("draw", csa_dijon.pk), follow=True)

    draw = ListDraw.objects.get()
    assert draw.drawn_by == organizer
    drawn = list(CandidateList.objects.order_by("position").values_list("position", "title"))
    assert [position for position, _title in drawn] == [1, 2]
    assert [item["title"] for item in draw.order] == [title for _position, title in drawn]
    page = response.content.decode()
    assert "organisation@education.gouv.fr" in page
    entry = AuditEntry.objects.get(action="candidacy.draw")
    assert entry.details["order"] == [item["title"] for item in draw.order]


def test_the_draw_waits_for_every_decision(
    organizer: User, submitted: CandidateList, submitted_sgen: CandidateList, csa_dijon: Scrutin
) -> None:
    client = as_user(organizer)
    client.post(url("list_decide", submitted.pk), {"decision": "validate"})

    response = client.post(url("draw", csa_dijon.pk), follow=True)

    assert "attendent encore votre décision" in response.content.decode()
    assert not ListDraw.objects.exists()


def test_nothing_changes_once_the_election_is_sealed(
    organizer: User, submitted: CandidateList, csa_dijon: Scrutin, campaign: Campaign
) -> None:
    as_user(organizer).post(url("list_decide", submitted.pk), {"decision": "validate"})
    ScrutinElection.objects.create(
        scrutin=csa_dijon, uuid="u" * 14, sealed_at=campaign.vote_opens_at
    )

    response = as_user(organizer).post(url("draw", csa_dijon.pk), follow=True)

    assert "est scellée" in response.content.decode()
    assert not ListDraw.objects.exists()


def test_voters_see_only_validated_lists_from_the_publication(
    organizer: User,
    submitted: CandidateList,
    submitted_sgen: CandidateList,
    csa_dijon: Scrutin,
    roll: dict[str, Elector],
    campaign: Campaign,
    travel: Any,
) -> None:
    client = as_user(organizer)
    client.post(url("list_decide", submitted.pk), {"decision": "validate"})
    client.post(url("list_decide", submitted_sgen.pk), {"decision": "reject", "reason": "Non."})
    client.post(url("draw", csa_dijon.pk))
    make_list(csa_dijon, [], [], title="Brouillon caché")
    voter = make_account(roll["Marc"])
    scrutin_page = reverse("campaign:scrutin", args=[csa_dijon.code])

    travel(campaign.candidacies_published_at - timedelta(minutes=1))
    page = as_user(voter).get(scrutin_page).content.decode()
    assert "Liste SNES" not in page

    travel(campaign.candidacies_published_at)
    page = as_user(voter).get(scrutin_page).content.decode()
    assert "Liste SNES" in page
    assert "Liste SGEN" not in page
    assert "Brouillon caché" not in page
    assert reverse("campaign:profession_de_foi", args=[csa_dijon.code, 1]) in page


# --- Each role, each way in --------------------------------------------------------------------


def test_a_delegate_of_another_union_reaches_nothing_of_ours(
    delegate_sgen: User, submitted: CandidateList, roll: dict[str, Elector]
) -> None:
    client = as_user(delegate_sgen)

    assert "Liste SNES" not in client.get(url("filing")).content.decode()
    assert client.get(url("list", submitted.pk)).status_code == 404
    assert client.get(url("profession_de_foi", submitted.pk)).status_code == 404
    assert client.post(url("list_submit", submitted.pk)).status_code == 404
    assert (
        client.post(url("candidate_add", submitted.pk), {"elector": roll["Inès"].pk}).status_code
        == 404
    )
    assert client.post(url("list_update", submitted.pk), {"title": "x"}).status_code == 404
    candidate = submitted.candidates.first()
    assert candidate is not None
    assert (
        client.post(
            url("candidate_change", submitted.pk, candidate.pk), {"action": "remove"}
        ).status_code
        == 404
    )
    assert (
        client.post(url("list_decide", submitted.pk), {"decision": "validate"}).status_code == 403
    )
    assert Candidate.objects.filter(pk=candidate.pk).exists()


def test_a_delegate_downloads_their_own_profession_de_foi(
    delegate_snes: User, submitted: CandidateList
) -> None:
    response = as_user(delegate_snes).get(url("profession_de_foi", submitted.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]


def test_a_joint_list_is_reached_by_each_of_its_unions(
    delegate_snes: User,
    delegate_sgen: User,
    csa_dijon: Scrutin,
    roll: dict[str, Elector],
    snes: Union,
    sgen: Union,
) -> None:
    joint = make_list(csa_dijon, [snes, sgen], [roll["Anne"]])

    for delegate in (delegate_snes, delegate_sgen):
        assert as_user(delegate).get(url("list", joint.pk)).status_code == 200


@pytest.mark.parametrize("persona", ["delegate_snes", "staff_dijon", "helpdesk"])
def test_only_organizers_review(
    request: pytest.FixtureRequest, persona: str, submitted: CandidateList, csa_dijon: Scrutin
) -> None:
    """Nobody but an organizer decides or draws; staff holding the right to read the lists (the
    « helpdesk » persona holds every view_ permission) read the review pages, no one else."""
    client = as_user(request.getfixturevalue(persona))
    reads = 200 if persona == "helpdesk" else 403

    assert client.get(url("review")).status_code == reads
    assert client.get(url("review_scrutin", csa_dijon.pk)).status_code == reads
    assert (
        client.post(url("list_decide", submitted.pk), {"decision": "validate"}).status_code == 403
    )
    assert client.post(url("draw", csa_dijon.pk)).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == CandidateList.Status.SUBMITTED


def test_the_union_perimeter_in_the_access_layer(
    delegate_snes: User,
    submitted: CandidateList,
    submitted_sgen: CandidateList,
    csa_dijon: Scrutin,
    roll: dict[str, Elector],
) -> None:
    lists = access.scoped(CandidateList.objects.all(), delegate_snes)
    assert list(lists) == [submitted]
    assert set(access.scoped(Candidate.objects.all(), delegate_snes)) == set(
        submitted.candidates.all()
    )
    # Reads what filing needs, changes none of it.
    assert list(access.scoped(Scrutin.objects.all(), delegate_snes)) == [csa_dijon]
    assert access.scoped(Elector.objects.all(), delegate_snes).count() == len(roll)
    assert not access.scoped(Scrutin.objects.all(), delegate_snes, for_change=True).exists()
    assert not access.scoped(Elector.objects.all(), delegate_snes, for_change=True).exists()
    assert not access.scoped(AuditEntry.objects.all(), delegate_snes).exists()
    assert access.may_change(delegate_snes, submitted)
    assert not access.may_change(delegate_snes, submitted_sgen)


def test_a_scope_names_exactly_one_perimeter(delegate_snes: User, campaign: Campaign) -> None:
    from django.db import IntegrityError, transaction

    from urne.backoffice.models import StaffScope

    scope = StaffScope.objects.get(user=delegate_snes)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffScope.objects.filter(pk=scope.pk).update(campaign=campaign)


def test_sealing_waits_for_the_decisions_and_the_draw(
    organizer: User, submitted: CandidateList, submitted_sgen: CandidateList, csa_dijon: Scrutin
) -> None:
    from urne.voting import setup

    election = ScrutinElection.objects.create(scrutin=csa_dijon, uuid="v" * 14)
    client = as_user(organizer)

    missing = setup.sealing_readiness(election).missing
    assert "au moins une liste de candidats validée" in missing
    assert "la décision sur les listes déposées" in missing

    client.post(url("list_decide", submitted.pk), {"decision": "validate"})
    client.post(url("list_decide", submitted_sgen.pk), {"decision": "validate"})
    assert "le tirage au sort de l'ordre des listes validées" in (
        setup.sealing_readiness(election).missing
    )

    client.post(url("draw", csa_dijon.pk))
    missing = setup.sealing_readiness(election).missing
    assert "le tirage au sort de l'ordre des listes validées" not in missing
    assert "la décision sur les listes déposées" not in missing
    assert "au moins une liste de candidats validée" not in missing
    assert [c.title for c in setup.election_lists(csa_dijon)] == [
        item["title"] for item in ListDraw.objects.get().order
    ]


@pytest.fixture
def observer_of_campaign(campaign: Campaign) -> User:
    """« Observateurs » over the whole campaign: reads the lists filed, acts on none."""
    from django.contrib.auth.models import Group

    from urne.backoffice.models import StaffScope
    from urne.voting.turnout import OBSERVERS_GROUP

    user = User.objects.create_user(
        "observation@education.gouv.fr", "Observation-2014!", is_staff=True, is_active=True
    )
    StaffScope.objects.create(user=user, campaign=campaign)
    user.groups.add(Group.objects.get(name=OBSERVERS_GROUP))
    return User.objects.get(pk=user.pk)


def test_an_observer_reads_the_lists_filed_and_can_do_nothing_to_them(
    observer_of_campaign: User, submitted: CandidateList, csa_dijon: Scrutin
) -> None:
    client = as_user(observer_of_campaign)
    assert f'href="{url("review")}"' in client.get(reverse("backoffice:home")).content.decode()
    assert "CSA académique de Dijon" in client.get(url("review")).content.decode()
    page = client.get(url("review_scrutin", csa_dijon.pk)).content.decode()
    assert "Liste SNES" in page
    assert url("draw", csa_dijon.pk) not in page  # no draw for a reader
    listing = client.get(url("list", submitted.pk))
    assert listing.status_code == 200
    assert url("list_decide", submitted.pk) not in listing.content.decode()

    assert (
        client.post(url("list_decide", submitted.pk), {"decision": "validate"}).status_code == 403
    )
    assert client.post(url("draw", csa_dijon.pk)).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == CandidateList.Status.SUBMITTED
    assert not ListDraw.objects.exists()
