"""check_list: every rule a list breaks, each in one exact French sentence.

The roll of csa_dijon (CSA, 2 seats: 3 or 4 names) holds 6 women and 4 men: a list of 4 has 2
or 3 women, a list of 3 has 1 or 2."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.candidacies.personas import *  # noqa: F403 (fixtures)
from tests.candidacies.personas import make_list
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin, ScrutinGrade
from urne.candidacies.models import CandidateList, ListUnion, Union
from urne.candidacies.rules import NAME_RULES, check_list, names_allowed

pytestmark = pytest.mark.usefixtures("media_root")


def test_a_list_meeting_every_rule_has_no_failure(
    csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    people = [roll["Anne"], roll["Luc"], roll["Claire"], roll["Paul"]]

    assert check_list(make_list(csa_dijon, [snes], people)) == []


def test_the_number_of_names_follows_the_kind_of_body_and_the_seats_of_both_kinds() -> None:
    csa = Scrutin(kind=Scrutin.Kind.CSA, seats=15, substitute_seats=15)
    cap = Scrutin(kind=Scrutin.Kind.CAP, seats=8, substitute_seats=8)
    fewer_substitutes = Scrutin(kind=Scrutin.Kind.CSA, seats=10, substitute_seats=5)

    assert names_allowed(csa) == (20, 30)
    assert names_allowed(cap) == (16, 16)
    assert names_allowed(fewer_substitutes) == (10, 15)
    assert set(NAME_RULES) == set(Scrutin.Kind.values)


def test_too_few_names_says_how_many_are_expected(
    csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    candidate_list = make_list(csa_dijon, [snes], [roll["Anne"], roll["Luc"]])

    assert check_list(candidate_list) == [
        "La liste compte 2 candidat(s) ; pour ce scrutin (CSA, 2 sièges de titulaires et 2 de "
        "suppléants), elle doit en compter entre 3 et 4."
    ]


def test_too_many_names_is_refused(
    csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    people = [roll[name] for name in ("Anne", "Luc", "Claire", "Paul", "Inès")]

    (failure,) = check_list(make_list(csa_dijon, [snes], people))

    assert "La liste compte 5 candidat(s)" in failure
    assert "entre 3 et 4" in failure


def test_the_shares_of_women_and_men_must_match_the_electorate(
    csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    people = [roll["Luc"], roll["Paul"], roll["Hugo"], roll["Anne"]]

    assert check_list(make_list(csa_dijon, [snes], people)) == [
        "La liste compte 1 femme(s) et 3 homme(s) ; l'électorat du scrutin compte 60 % de "
        "femmes et 40 % d'hommes (6 femmes sur 10 inscrits) : pour 4 candidats, la liste doit "
        "compter 2 ou 3 femme(s), soit 2 ou 1 homme(s) (arrondi au choix de l'organisation)."
    ]


@pytest.mark.parametrize(
    ("women", "men", "allowed"), [(2, 2, True), (3, 1, True), (4, 0, False), (1, 2, True)]
)
def test_the_union_rounds_up_or_down(
    csa_dijon: Scrutin,
    roll: dict[str, Elector],
    snes: Union,
    women: int,
    men: int,
    allowed: bool,
) -> None:
    people = [roll[n] for n in ("Anne", "Claire", "Inès", "Julie")[:women]]
    people += [roll[n] for n in ("Luc", "Paul")[:men]]

    failures = check_list(make_list(csa_dijon, [snes], people))

    assert (failures == []) is allowed, failures


def test_a_candidate_off_the_roll_is_named(
    csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    people = [roll["Anne"], roll["Luc"], roll["Claire"], roll["Paul"]]
    RollEntry.objects.filter(scrutin=csa_dijon, elector=roll["Paul"]).delete()

    failures = check_list(make_list(csa_dijon, [snes], people))

    assert (
        "Candidat n° 4 (M. Paul MERCIER) : introuvable sur la liste électorale du scrutin "
        "« CSA académique de Dijon » ; chaque candidat doit y être inscrit (choisissez-le dans "
        "la liste électorale)."
    ) in failures


def test_a_candidate_stands_on_one_list_of_the_scrutin(
    csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union, sgen: Union
) -> None:
    make_list(
        csa_dijon,
        [sgen],
        [roll["Anne"], roll["Hugo"], roll["Julie"]],
        status=CandidateList.Status.SUBMITTED,
    )
    people = [roll["Anne"], roll["Luc"], roll["Claire"], roll["Paul"]]

    assert check_list(make_list(csa_dijon, [snes], people)) == [
        "Candidat n° 1 (Mme Anne ROUSSEL) : est déjà candidat(e) sur une autre liste déposée "
        "pour ce scrutin ; un candidat ne figure que sur une seule liste."
    ]


def test_a_rejected_or_draft_list_holds_nobody(
    csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union, sgen: Union
) -> None:
    make_list(csa_dijon, [sgen], [roll["Anne"]], status=CandidateList.Status.REJECTED)
    people = [roll["Anne"], roll["Luc"], roll["Claire"], roll["Paul"]]

    assert check_list(make_list(csa_dijon, [snes], people)) == []


def test_a_candidate_twice_on_one_list_is_named(
    csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    people = [roll["Anne"], roll["Luc"], roll["Anne"], roll["Paul"]]

    assert "Candidat n° 3 (Mme Anne ROUSSEL) : figure déjà au rang 1 de cette liste." in check_list(
        make_list(csa_dijon, [snes], people)
    )


def test_a_union_files_one_list_per_scrutin(
    csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    make_list(csa_dijon, [snes], [roll["Inès"]], title="Première")
    people = [roll["Anne"], roll["Luc"], roll["Claire"], roll["Paul"]]

    assert check_list(make_list(csa_dijon, [snes], people, title="Seconde")) == [
        "L'organisation « SNES » a déjà une liste pour ce scrutin (« Première ») : une "
        "organisation dépose au plus une liste par scrutin."
    ]


def test_a_joint_list_declares_every_share_or_none(
    csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union, sgen: Union
) -> None:
    people = [roll["Anne"], roll["Luc"], roll["Claire"], roll["Paul"]]
    joint = make_list(csa_dijon, [snes, sgen], people)
    assert check_list(joint) == []  # equal shares

    ListUnion.objects.filter(candidate_list=joint, union=snes).update(share=Decimal("60"))
    assert check_list(joint) == [
        "La part de « SGEN » dans la liste commune n'est pas déclarée : déclarez la part de "
        "chaque organisation, ou d'aucune (parts égales)."
    ]

    ListUnion.objects.filter(candidate_list=joint, union=sgen).update(share=Decimal("30"))
    assert check_list(joint) == [
        "Les parts déclarées de la liste commune totalisent 90 % : elles doivent totaliser 100 %."
    ]

    ListUnion.objects.filter(candidate_list=joint, union=sgen).update(share=Decimal("40"))
    assert check_list(joint) == []


def test_the_profession_de_foi_is_required(
    csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    people = [roll["Anne"], roll["Luc"], roll["Claire"], roll["Paul"]]

    assert check_list(make_list(csa_dijon, [snes], people, pdf=False)) == [
        "La profession de foi (un fichier PDF) n'est pas encore déposée."
    ]


def test_every_failure_is_reported_at_once(
    csa_dijon: Scrutin, roll: dict[str, Elector], snes: Union
) -> None:
    people = [roll["Luc"], roll["Paul"]]
    RollEntry.objects.filter(elector=roll["Paul"]).delete()

    failures = check_list(make_list(csa_dijon, [snes], people, pdf=False))

    assert len(failures) == 4  # count, Paul off the roll, women and men, no PDF


@pytest.fixture
def cap_by_grade(
    campaign: Campaign, dijon: Academy, roll: dict[str, Elector]
) -> tuple[Scrutin, dict[str, Elector]]:
    """A CAP of Dijon on the same electors, its seats set grade by grade: Classe normale 1 + 1,
    Hors classe 1 + 0. Luc and Claire are of the Hors classe, Hugo of the Classe exceptionnelle
    (which has no seats); the others of the Classe normale."""
    cap = Scrutin.objects.create(
        campaign=campaign,
        code="cap-dijon",
        name="CAP des certifiés de Dijon",
        level=Scrutin.Level.ACADEMIC,
        kind=Scrutin.Kind.CAP,
        academy=dijon,
        seats=2,
        substitute_seats=1,
    )
    ScrutinGrade.objects.create(scrutin=cap, grade="Classe normale", seats=1, substitute_seats=1)
    ScrutinGrade.objects.create(scrutin=cap, grade="Hors classe", seats=1, substitute_seats=0)
    for name, grade in (
        ("Luc", "Hors classe"),
        ("Claire", "hors  classe"),
        ("Hugo", "Classe exceptionnelle"),
    ):
        Elector.objects.filter(pk=roll[name].pk).update(grade=grade)
    for elector in roll.values():
        RollEntry.objects.create(scrutin=cap, elector=elector)
    return cap, {name: Elector.objects.get(pk=e.pk) for name, e in roll.items()}


def grade_failures(candidate_list: CandidateList) -> list[str]:
    return [failure for failure in check_list(candidate_list) if "grade" in failure]


def test_a_cap_with_seats_per_grade_counts_its_names_grade_by_grade(
    cap_by_grade: tuple[Scrutin, dict[str, Elector]], snes: Union
) -> None:
    cap, roll = cap_by_grade
    right = make_list(cap, [snes], [roll["Anne"], roll["Paul"], roll["Luc"]])

    assert grade_failures(right) == []


def test_a_cap_list_with_the_wrong_count_in_a_grade_says_which_grade_and_how_many(
    cap_by_grade: tuple[Scrutin, dict[str, Elector]], snes: Union
) -> None:
    cap, roll = cap_by_grade
    wrong = make_list(
        cap, [snes], [roll["Anne"], roll["Paul"], roll["Luc"], roll["Claire"], roll["Hugo"]]
    )

    assert grade_failures(wrong) == [
        "M. Hugo LAMBERT est du grade « Classe exceptionnelle », qui n'a pas de sièges dans ce "
        "scrutin : seuls les grades dont les sièges sont fixés peuvent être représentés.",
        "La liste compte 2 candidat(s) du grade « Hors classe » ; pour ce grade (1 sièges de "
        "titulaires et 0 de suppléants), elle doit en compter exactement 1.",
    ]
