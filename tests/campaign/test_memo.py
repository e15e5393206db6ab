"""Le mémo élections pro: a page to print, with the address but never the password."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.campaign.conftest import text
from tests.conftest import PASSWORD, paris
from urne.accounts.models import User
from urne.campaign.models import Campaign

MEMO = reverse("campaign:memo")


def test_it_fills_the_address_and_leaves_the_password_blank(
    bob: Client, voter_bob: User, campaign: Campaign
):
    page = text(bob.get(MEMO))

    assert "Mémo élections pro :" in page
    assert "Adresse messagerie pro :" in page
    assert '<dd class="memo-value">bob.martin@ac-dijon.fr</dd>' in page
    assert "Mot de passe électeur :" in page
    assert page.count('<span class="memo-line"></span>') == 2
    assert PASSWORD not in page
    assert voter_bob.password not in page


def test_the_voting_identifier_is_announced_then_said_available(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    before = text(bob.get(MEMO))
    travel(paris(2014, 11, 13))
    after = text(bob.get(MEMO))

    assert "Identifiant de vote disponible à partir du 12 novembre 2014" in before
    assert "Identifiant de vote disponible depuis le 12 novembre 2014" in after
    assert "à partir du 12 novembre" not in after


def test_it_gives_the_academys_assistance(bob: Client, campaign: Campaign):
    page = text(bob.get(MEMO))

    assert "En cas de problème, saisissez l'assistance académique :" in page
    assert 'href="mailto:elections2014@ac-dijon.fr"' in page
    assert "Tél : 03.80.44.89.95" in page


def test_its_print_button_is_a_script_file_not_inline_code(bob: Client, campaign: Campaign):
    page = text(bob.get(MEMO))

    assert '<script src="/static/urne/print.js" defer></script>' in page
    assert "<script>" not in page
    assert "onclick" not in page


def test_the_stylesheet_has_print_rules_for_the_memo():
    found = finders.find("urne/urne.css")
    assert isinstance(found, str)
    css = Path(found).read_text(encoding="utf-8")

    assert "@media print" in css
    assert ".memo-line" in css
