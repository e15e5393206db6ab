"""French first, English available: the switch in every page and the pages in English."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.campaign.conftest import text
from urne.campaign.models import Campaign
from urne.support.faq import seed_default_faq


def test_pages_are_in_french_by_default(bob: Client, calendar_2014: Campaign):
    page = text(bob.get(reverse("campaign:space")))

    assert '<html lang="fr">' in page
    assert "<h1>Mon espace électeur</h1>" in page
    assert "English version" in page


def test_the_switch_sets_english_and_comes_back_to_the_page(bob: Client):
    space = reverse("campaign:space")

    response = bob.post(reverse("set_language"), {"language": "en", "next": space})

    assert response.status_code == 302
    assert response["Location"] == space
    assert bob.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_espace_reads_in_english(bob: Client, calendar_2014: Campaign):
    bob.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = text(bob.get(reverse("campaign:space")))

    assert '<html lang="en">' in page
    assert "<h1>My voter area</h1>" in page
    assert (
        "This personal area tells you about your elections and lets you log in to the voting "
        "application." in page
    )
    assert "until 14 November" in page
    assert "from 15 October, the electoral rolls" in page
    assert "from 27 November 2014 at 10:00 to 4 December 2014 at 17:00 (Paris time)" in page
    assert "Version française" in page
    assert "Mon espace électeur" not in page


def test_in_english_a_scrutin_is_an_election_and_its_level_reads_plainly(
    bob: Client, campaign: Campaign
):
    bob.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = text(bob.get(reverse("campaign:scrutins")))

    assert "<h1>My elections</h1>" in page
    assert "You are called to take part in 2 elections." in page
    assert "Joint administrative committee (CAP) — level: academy (Dijon)" in page
    assert "level: national" in page
    # A scrutin is never "a ballot" (the footer's link to the public board rightly speaks of
    # the ballots received: a bulletin is a ballot).
    assert "ballot" not in page.split("<footer")[0].lower()


def test_a_french_404_becomes_english_too(bob: Client):
    bob.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = text(bob.get(reverse("campaign:scrutin", args=["nulle-part"])))

    assert "<h1>Page not found</h1>" in page
    assert "This election does not exist or you are not called to vote in it." in page
    assert "If there is a problem, contact the helpdesk of the academy of Dijon:" in page


def test_the_seeded_faq_has_its_english_version(client: Client, calendar_2014: Campaign):
    seed_default_faq(calendar_2014)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = text(client.get(reverse("support:faq")))

    assert "How do I open my voter area?" in page
    assert "From 15 October 2014, in your voter area" in page
