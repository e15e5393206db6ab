"""Dates as the seed writes them: Paris time, French words, "1er", "10 h 00"."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import translation

from tests.conftest import paris
from urne.web import dates


@pytest.mark.parametrize(
    ("moment", "french", "english"),
    [
        (paris(2014, 11, 14, 23, 59), "14 novembre", "14 November"),
        (paris(2014, 12, 1, 9), "1er décembre", "1 December"),
        (datetime.fromisoformat("2014-10-14T22:30:00+00:00"), "15 octobre", "15 October"),
    ],
)
def test_day_month_reads_the_clocks_of_paris(moment: datetime, french: str, english: str):
    with translation.override("fr"):
        assert dates.day_month(moment) == french
    with translation.override("en"):
        assert dates.day_month(moment) == english


def test_the_hour_follows_french_typography():
    with translation.override("fr"):
        assert dates.day_month_year_hour(paris(2014, 11, 27, 10)) == "27 novembre 2014 à 10 h 00"
        assert dates.hour(paris(2014, 12, 4, 17, 5)) == "17 h 05"


def test_summer_time_is_taken_into_account():
    # 8:00 UTC in July is 10:00 in Paris (UTC+2), 9:00 in December (UTC+1).
    with translation.override("fr"):
        assert dates.hour(datetime.fromisoformat("2014-07-01T08:00:00+00:00")) == "10 h 00"
        assert dates.hour(datetime.fromisoformat("2014-12-01T08:00:00+00:00")) == "9 h 00"
