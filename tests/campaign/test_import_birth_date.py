"""The optional import column « date_naissance »: the answer to the identifier's challenge."""

from __future__ import annotations

import io
from datetime import date

import pytest

from tests.campaign.conftest import HEADER, csv_text
from urne.campaign.imports import ElectorImportRejected, do_import_electors
from urne.campaign.models import Academy, Campaign, Elector

pytestmark = pytest.mark.usefixtures("importable_campaign", "csa_national", "capa_dijon", "lyon")

WITH_DATE = f"{HEADER};date_naissance"
BOB = (
    "M.;Bob;Martin;bob.martin@ac-dijon.fr;Professeur certifié;Classe normale;"
    "Lycée Carnot, Dijon;dijon;csa-men"
)


def upload(campaign: Campaign, *lines: str, header: str = WITH_DATE) -> None:
    do_import_electors(campaign, io.BytesIO(csv_text(*lines, header=header).encode()))


def bob_birth_date() -> date | None:
    return Elector.objects.get(email="bob.martin@ac-dijon.fr").birth_date


def test_the_birth_date_is_stored_and_a_file_without_the_column_keeps_it(
    campaign: Campaign, dijon: Academy
) -> None:
    upload(campaign, f"{BOB};07/03/1978")
    assert bob_birth_date() == date(1978, 3, 7)

    upload(campaign, BOB, header=HEADER)
    assert bob_birth_date() == date(1978, 3, 7)

    upload(campaign, f"{BOB};8/3/1978")
    assert bob_birth_date() == date(1978, 3, 8)

    upload(campaign, f"{BOB};")
    assert bob_birth_date() is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1978-03-07", "date de naissance « 1978-03-07 » invalide (attendu : JJ/MM/AAAA)"),
        ("31/02/1980", "date de naissance « 31/02/1980 » invalide"),
        ("01/01/1850", "date de naissance « 01/01/1850 » impossible"),
        ("01/01/2990", "date de naissance « 01/01/2990 » impossible"),
    ],
)
def test_a_wrong_birth_date_is_refused_with_its_line(
    campaign: Campaign, dijon: Academy, value: str, message: str
) -> None:
    with pytest.raises(ElectorImportRejected) as caught:
        upload(campaign, f"{BOB};{value}")
    text = caught.value.report.as_text()
    assert "ligne 2" in text.lower()
    assert message in text
    assert not Elector.objects.exists()


def test_an_unknown_column_still_names_the_optional_one(campaign: Campaign) -> None:
    with pytest.raises(ElectorImportRejected) as caught:
        upload(campaign, f"{BOB};x", header=f"{HEADER};numen")
    assert "facultative : date_naissance" in caught.value.report.as_text()
