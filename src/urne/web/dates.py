"""Dates as the campaign's calendar states them: always in Europe/Paris, in the visitor's language.

The seed writes "dès le 15 octobre", "jusqu'au 14 novembre", "du 27 novembre au 4 décembre": the
day and month in words, the hour as "10 h 00". French writes the first day of a month "1er".
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

PARIS = ZoneInfo("Europe/Paris")


def paris(moment: datetime) -> datetime:
    """The same instant on the clocks of Paris, where the calendar is decided."""
    return moment.astimezone(PARIS)


def _french() -> bool:
    return (get_language() or "fr").startswith("fr")


def _day(moment: datetime) -> str:
    if _french() and moment.day == 1:
        return "1er"
    return str(moment.day)


def day_month(moment: datetime) -> str:
    """ "14 novembre" (French) or "14 November" (English)."""
    local = paris(moment)
    return f"{_day(local)} {date_format(local, 'F')}"


def day_month_year(moment: datetime) -> str:
    """ "15 octobre 2014"."""
    local = paris(moment)
    return f"{_day(local)} {date_format(local, 'F Y')}"


def hour(moment: datetime) -> str:
    """ "10 h 00" in French typography, "10:00" otherwise."""
    local = paris(moment)
    return f"{local.hour} h {local.minute:02d}" if _french() else f"{local:%H:%M}"


def day_month_year_hour(moment: datetime) -> str:
    """ "27 novembre 2014 à 10 h 00"."""
    return _("%(date)s à %(hour)s") % {"date": day_month_year(moment), "hour": hour(moment)}
