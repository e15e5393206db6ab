"""Template filters for the calendar's dates (see urne.web.dates)."""

from __future__ import annotations

from datetime import datetime

from django import template

from urne.web import dates

register = template.Library()


@register.filter
def day_month(moment: datetime) -> str:
    return dates.day_month(moment)


@register.filter
def day_month_year(moment: datetime) -> str:
    return dates.day_month_year(moment)


@register.filter
def day_month_year_hour(moment: datetime) -> str:
    return dates.day_month_year_hour(moment)
