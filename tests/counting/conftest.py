"""Fixtures of the count: scrutins whose bureau's keys the tests hold, voted through the ballot
box, then closed on urne's clock.

The bureaus are made as a bureau would offline, with `urne trustees threshold` (and `urne
trustees combine` for two groups), once per test session: the private key shares stay in the
session's temporary folder; the server gets only trustees.json.

For the results' tests: sealed scrutins whose trustee key the test keeps (`decided`), closed,
tallied and decrypted by the real count (`urne.counting.closing`, `urne.counting.decryption`),
and `proclaimed` by staff holding `counting.proclaim_result`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest

from tests.conftest import make_elector
from tests.voting.conftest import (  # noqa: F401 - fixtures used by the results' tests
    Identifiers,
    SealScrutins,
    add_lists,
    cast,
    give_credentials,
    seal_scrutins,
)
from urne import clock
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin
from urne.candidacies.models import Candidate, CandidateList
from urne.cli.trustees import (
    read_trustee_files,
    write_single_key,
    write_threshold_trustees,
    write_trustees,
)
from urne.counting import closing, decryption, proclamation
from urne.crypto.group import BELENIOS_2048, Exponent
from urne.crypto.jsonio import dumps
from urne.crypto.tally import make_partial_decryption
from urne.crypto.trustees import SingleTrustee, make_trustee_key, trustees_to_json
from urne.voting import setup
from urne.voting.models import ScrutinElection

_KEY = make_trustee_key(BELENIOS_2048)


@dataclass(frozen=True)
class Bureau:
    """trustees.json and each trustee's private key file, by trustee number (the archive's
    ``owner``)."""

    trustees: Path
    keys: dict[int, Path]

    @property
    def text(self) -> str:
        return self.trustees.read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def threshold_bureau(tmp_path_factory: pytest.TempPathFactory) -> Bureau:
    """One Pedersen group: 2 of 3 members needed (`urne trustees threshold`)."""
    made = write_threshold_trustees(tmp_path_factory.mktemp("bureau"), 3, 2)
    return Bureau(made.trustees, dict(enumerate(made.private_keys, start=1)))


@pytest.fixture(scope="session")
def two_groups_bureau(tmp_path_factory: pytest.TempPathFactory) -> Bureau:
    """Two Pedersen groups whose keys multiply: 1 of 2 (president, secretary), then 2 of 3
    (delegates): `urne trustees threshold` twice, then `urne trustees combine`. Trustees 1-2
    are the first group's, 3-5 the second's."""
    folder = tmp_path_factory.mktemp("bureau-two")
    heads = write_threshold_trustees(folder / "presidence", 2, 1)
    delegates = write_threshold_trustees(folder / "delegues", 3, 2)
    combined = folder / "trustees.json"
    write_trustees(combined, read_trustee_files([heads.trustees, delegates.trustees]))
    keys = {1: heads.private_keys[0], 2: heads.private_keys[1]}
    keys.update({2 + j: path for j, path in enumerate(delegates.private_keys, start=1)})
    return Bureau(combined, keys)


def seal_with(scrutin: Scrutin, trustees_text: str) -> Identifiers:
    """Lists, the bureau's trustees, the electors' credentials and the sealed setup, the day
    before the vote opens."""
    identifiers = Identifiers()
    eve = scrutin.campaign.vote_opens_at - timedelta(days=1)
    with mock.patch.object(clock, "now", return_value=eve):
        if not scrutin.lists.exists():
            add_lists(scrutin)
        setup.do_prepare_elections(scrutin.campaign)
        setup.do_set_trustees(scrutin, trustees_text)
        give_credentials(ScrutinElection.objects.get(scrutin=scrutin), identifiers)
        setup.do_seal_election(scrutin)
    return identifiers


def voters(scrutin: Scrutin, academy: Academy, count: int) -> list[Elector]:
    made = []
    for number in range(count):
        elector = make_elector(scrutin.campaign, academy, f"Votant{number}", f"Numero{number}")
        RollEntry.objects.create(scrutin=scrutin, elector=elector)
        made.append(elector)
    return made


def run_vote(
    scrutin: Scrutin, academy: Academy, bureau: Bureau, choices: Sequence[int | None]
) -> ScrutinElection:
    """As many electors as `choices` on the roll; the scrutin sealed under `bureau`'s keys;
    each elector votes through the ballot box (choice: list index from 0, None: blank)."""
    electors = voters(scrutin, academy, len(choices))
    identifiers = seal_with(scrutin, bureau.text)
    election = ScrutinElection.objects.select_related("scrutin__campaign").get(scrutin=scrutin)
    for elector, choice in zip(electors, choices, strict=True):
        cast(election, elector, identifiers.of(elector), choice)
    election.refresh_from_db()
    return election


def fresh(election: ScrutinElection) -> ScrutinElection:
    return ScrutinElection.objects.select_related("scrutin__campaign").get(pk=election.pk)


@pytest.fixture(scope="session")
def single_and_group_bureau(tmp_path_factory: pytest.TempPathFactory) -> Bureau:
    """A "Single" key (`urne trustee keygen`) and a 2-of-2 group, combined: trustee 1 is the
    single key, 2-3 the group's."""
    folder = tmp_path_factory.mktemp("bureau-mixed")
    single = write_single_key(folder / "president")
    group = write_threshold_trustees(folder / "delegues", 2, 2)
    combined = folder / "trustees.json"
    write_trustees(combined, read_trustee_files([single.public_key, group.trustees]))
    keys = {1: single.private_key, 2: group.private_keys[0], 3: group.private_keys[1]}
    return Bureau(combined, keys)


@pytest.fixture(scope="session")
def trustee_key() -> Exponent:
    return _KEY[0]


@pytest.fixture(scope="session")
def trustees_text() -> str:
    """One "Single" trustee whose private key the tests keep (to decrypt)."""
    return dumps(trustees_to_json([SingleTrustee(_KEY[1])]))


CANDIDATES = {
    "Liste FSU": ["Anne Arnaud", "Bruno Blanc", "Chloé Chen", "Denis Durand"],
    "Liste UNSA Éducation": ["Ève Emery", "Fanny Faure"],
    "Liste SGEN-CFDT": ["Gilles Gay", "Hugo Hamon"],
}


ELECTORS = [
    ("Bob", "Martin"),
    ("Alice", "Bernard"),
    ("Chloé", "Petit"),
    ("David", "Roux"),
    ("Emma", "Noël"),
    ("Farid", "Lemoine"),
]


def add_candidates(
    lists: Sequence[CandidateList],
    academy: Academy | None = None,
    grades: dict[str, list[str]] | None = None,
) -> None:
    """Each list's candidates (`CANDIDATES`, by its title), in rank order. With `grades` (each
    list's candidates' grades, in list order), each candidate is also an elector of `academy`
    with that grade."""
    for candidate_list in lists:
        for position, name in enumerate(CANDIDATES[candidate_list.title], start=1):
            first, last = name.split()
            graded = (
                make_elector(
                    candidate_list.scrutin.campaign,
                    academy,
                    first,
                    last,
                    grade=grades[candidate_list.title][position - 1],
                )
                if grades is not None and academy is not None
                else None
            )
            Candidate.objects.create(
                elector=graded,
                candidate_list=candidate_list,
                position=position,
                civilite="M",
                first_name=first,
                last_name=last,
                corps_grade="Professeur certifié",
                affectation="Lycée Carnot, Dijon",
            )


def decide(
    scrutin: Scrutin,
    academy: Academy,
    seal_scrutins: SealScrutins,  # noqa: F811 - the fixture imported above
    trustee_key: Exponent,
    travel: Callable[[datetime], None],
    *,
    seats: int,
    electors: int,
    choices: Sequence[int | None],
    grades: dict[str, list[str]] | None = None,
) -> Scrutin:
    """`scrutin` with `seats` seats, `electors` electors on its roll, the three lists of
    `CANDIDATES`; the electors vote `choices` (list index, None: blank) through the ballot
    box; the vote closes, is tallied, and the trustee's partial decryption is accepted: the
    archive ends with the Result. `grades`: each list's candidates' grades, in list order (each
    candidate is then an elector of that grade)."""
    scrutin.seats = seats
    scrutin.save(update_fields=["seats"])
    made = []
    for first, last in ELECTORS[:electors]:
        elector = make_elector(scrutin.campaign, academy, first, last)
        RollEntry.objects.create(scrutin=scrutin, elector=elector)
        made.append(elector)
    add_candidates(add_lists(scrutin), academy if grades is not None else None, grades)
    identifiers = seal_scrutins(scrutin)
    election = ScrutinElection.objects.get(scrutin=scrutin)
    for elector, choice in zip(made, choices, strict=False):
        cast(election, elector, identifiers.of(elector), choice)
    travel(scrutin.campaign.vote_closes_at + timedelta(minutes=1))
    assert closing.do_close_election(fresh(election)) is True
    closing.do_compute_tally(fresh(election))
    election = fresh(election)
    tally = closing.encrypted_tally(election)
    assert tally is not None
    partial = make_partial_decryption(setup.sealed_election(election), tally, trustee_key)
    decryption.do_accept_partial_decryption(election, dumps(partial.to_json()), None)
    return scrutin


@pytest.fixture
def decided(
    campaign: Campaign,
    dijon: Academy,
    csa_national: Scrutin,
    seal_scrutins: SealScrutins,  # noqa: F811 - the fixture imported above
    trustee_key: Exponent,
    travel: Callable[[datetime], None],
) -> Scrutin:
    """The CSA ministériel, 3 seats, 5 electors on its roll; 4 vote (FSU, FSU, UNSA, blank);
    the vote closes (`urne.counting.closing`), is tallied, the trustee's partial decryption is
    accepted (`urne.counting.decryption`) and the archive ends with the Result. Not proclaimed
    (`proclaimed` is)."""
    return decide(
        csa_national,
        dijon,
        seal_scrutins,
        trustee_key,
        travel,
        seats=3,
        electors=5,
        choices=[0, 0, 1, None],
    )


@pytest.fixture
def tied(
    campaign: Campaign,
    dijon: Academy,
    csa_national: Scrutin,
    seal_scrutins: SealScrutins,  # noqa: F811 - the fixture imported above
    trustee_key: Exponent,
    travel: Callable[[datetime], None],
) -> Scrutin:
    """The CSA ministériel, 3 seats, 6 electors; they vote FSU, FSU, UNSA, UNSA, SGEN, blank.
    Exprimés 5, quotient 5 ÷ 3: FSU ⌊2 × 3 ÷ 5⌋ = 1, UNSA 1, SGEN 0. Seat 3: the averages are
    FSU 2 ÷ 2 = 1, UNSA 2 ÷ 2 = 1, SGEN 1 ÷ 1 = 1, all equal; SGEN has fewer votes; FSU and UNSA
    tie in votes (2 each) for one seat: a draw is needed."""
    return decide(
        csa_national,
        dijon,
        seal_scrutins,
        trustee_key,
        travel,
        seats=3,
        electors=6,
        choices=[0, 0, 1, 1, 2, None],
    )


HC, CN = "Hors classe", "Classe normale"


def decide_by_grade(
    capa: Scrutin,
    academy: Academy,
    seal_scrutins: SealScrutins,  # noqa: F811 - the fixture imported above
    trustee_key: Exponent,
    travel: Callable[[datetime], None],
    *,
    hors_classe: int,
    classe_normale: int,
    unsa: list[str],
) -> Scrutin:
    """`capa` counted grade by grade, with those seats of each grade; candidates' grades FSU
    CN, CN, HC, CN; UNSA `unsa`; SGEN CN, CN; 6 electors vote FSU, FSU, FSU, UNSA, UNSA, SGEN
    (`decide`)."""
    from urne.campaign.models import ScrutinGrade

    ScrutinGrade.objects.create(scrutin=capa, grade=HC, seats=hors_classe)
    ScrutinGrade.objects.create(scrutin=capa, grade=CN, seats=classe_normale)
    return decide(
        capa,
        academy,
        seal_scrutins,
        trustee_key,
        travel,
        seats=hors_classe + classe_normale,
        electors=6,
        choices=[0, 0, 0, 1, 1, 2],
        grades={
            "Liste FSU": [CN, CN, HC, CN],
            "Liste UNSA Éducation": unsa,
            "Liste SGEN-CFDT": [CN, CN],
        },
    )


@pytest.fixture
def cap_by_grade(
    campaign: Campaign,
    dijon: Academy,
    capa_dijon: Scrutin,
    seal_scrutins: SealScrutins,  # noqa: F811 - the fixture imported above
    trustee_key: Exponent,
    travel: Callable[[datetime], None],
) -> Scrutin:
    """The CAPA of Dijon counted grade by grade: 3 seats, Hors classe 1 and Classe normale 2.
    Candidates' grades: FSU CN, CN, HC, CN; UNSA HC, HC; SGEN CN, CN. 6 electors vote FSU,
    FSU, FSU, UNSA, UNSA, SGEN."""
    return decide_by_grade(
        capa_dijon,
        dijon,
        seal_scrutins,
        trustee_key,
        travel,
        hors_classe=1,
        classe_normale=2,
        unsa=[HC, HC],
    )


@pytest.fixture
def cap_grade_choice(
    campaign: Campaign,
    dijon: Academy,
    capa_dijon: Scrutin,
    seal_scrutins: SealScrutins,  # noqa: F811 - the fixture imported above
    trustee_key: Exponent,
    travel: Callable[[datetime], None],
) -> Scrutin:
    """The CAPA of Dijon counted grade by grade, Hors classe 1 and Classe normale 1, where a
    list's choice of grades changes who is elected. Candidates' grades: FSU CN, CN, HC, CN;
    UNSA HC, CN; SGEN CN, CN. 6 electors vote FSU, FSU, FSU, UNSA, UNSA, SGEN: quotient 6 ÷ 2 =
    3, FSU 1, UNSA 0, SGEN 0; seat 2: FSU 3 ÷ 2 = 1.5, UNSA 2 ÷ 1 = 2, SGEN 1 → UNSA. By list
    order: FSU Anne ARNAUD (Classe normale), UNSA Ève EMERY (Hors classe)."""
    return decide_by_grade(
        capa_dijon,
        dijon,
        seal_scrutins,
        trustee_key,
        travel,
        hors_classe=1,
        classe_normale=1,
        unsa=[HC, CN],
    )


@pytest.fixture
def proclaimed(decided: Scrutin) -> Scrutin:
    """`decided`, its results proclaimed by staff holding `counting.proclaim_result`."""
    from django.contrib.auth.models import Permission

    from urne.accounts.models import User
    from urne.backoffice.models import StaffScope

    proclaimer = User.objects.create_user(
        "proclamation@education.gouv.fr", "unused-password", is_staff=True, is_active=True
    )
    proclaimer.user_permissions.add(Permission.objects.get(codename="proclaim_result"))
    StaffScope.objects.create(user=proclaimer, campaign=decided.campaign)
    proclamation.do_proclaim(decided, User.objects.get(pk=proclaimer.pk))
    return decided
