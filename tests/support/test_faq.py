"""The FAQ: public, edited by staff, filled at first with answers to the seed's questions."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.campaign.conftest import text
from urne.campaign.models import Campaign
from urne.support.faq import seed_default_faq
from urne.support.models import FaqEntry

FAQ = reverse("support:faq")


def test_anyone_reads_the_published_entries_in_order(client: Client, campaign: Campaign):
    FaqEntry.objects.create(campaign=campaign, question="Deuxième ?", answer="B.", order=2)
    FaqEntry.objects.create(campaign=campaign, question="Première ?", answer="A.", order=1)
    FaqEntry.objects.create(
        campaign=campaign, question="Brouillon ?", answer="C.", order=0, published=False
    )

    response = client.get(FAQ)

    assert response.status_code == 200
    page = text(response)
    assert page.index("Première ?") < page.index("Deuxième ?")
    assert "Brouillon ?" not in page


def test_answers_keep_paragraphs_and_links_but_no_markup(client: Client, campaign: Campaign):
    FaqEntry.objects.create(
        campaign=campaign,
        question="Où ?",
        answer="Voir https://www.education.gouv.fr/electionspro\n\n<script>alert(1)</script>",
    )

    page = client.get(FAQ).content.decode()  # raw: the escaping is the point

    assert '<a href="https://www.education.gouv.fr/electionspro"' in page
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in page


def test_without_a_campaign_it_says_the_faq_is_not_published_yet(client: Client, db: None):
    page = text(client.get(FAQ))

    assert "La foire aux questions n'est pas encore publiée." in page


def test_seeding_answers_the_guides_questions_with_the_campaigns_dates(
    calendar_2014: Campaign,
):
    added = seed_default_faq(calendar_2014)

    entries = list(FaqEntry.objects.filter(campaign=calendar_2014))
    assert added == len(entries) >= 10
    questions = [entry.question for entry in entries]
    assert "Comment ouvrir mon espace électeur ?" in questions
    assert "Je n'ai pas reçu le message de confirmation. Que faire ?" in questions
    assert "Quelles règles mon mot de passe doit-il respecter ?" in questions
    assert "Qui contacter en cas de problème ?" in questions
    text = "\n".join(entry.answer for entry in entries)
    assert (
        "au minimum 8 caractères dont au moins une majuscule, une minuscule et un chiffre" in text
    )
    assert "Dès le 15 octobre 2014" in text
    assert "Dès le 28 octobre 2014" in text
    assert "à partir du 12 novembre 2014" in text
    assert "jusqu'au 14 novembre 2014" in text
    assert "du 27 novembre 2014 à 10 h 00 au 4 décembre 2014 à 17 h 00" in text
    assert [entry.order for entry in entries] == sorted(entry.order for entry in entries)


def test_seeding_twice_adds_nothing_and_keeps_staff_edits(calendar_2014: Campaign):
    seed_default_faq(calendar_2014)
    entry = FaqEntry.objects.filter(campaign=calendar_2014).first()
    assert entry is not None
    entry.answer = "Réponse revue par la gestion."
    entry.save()

    assert seed_default_faq(calendar_2014) == 0
    entry.refresh_from_db()
    assert entry.answer == "Réponse revue par la gestion."


def test_the_seeded_faq_is_shown_on_the_page(client: Client, calendar_2014: Campaign):
    seed_default_faq(calendar_2014)

    page = text(client.get(FAQ))

    assert "Comment ouvrir mon espace électeur ?" in page
    assert 'href="#question-' in page


def test_an_entry_shows_its_english_version_to_english_visitors(client: Client, campaign: Campaign):
    FaqEntry.objects.create(
        campaign=campaign,
        question="Quand vote-t-on ?",
        answer="En novembre.",
        question_en="When do we vote?",
        answer_en="In November.",
    )

    with translation.override("en"):
        entry = FaqEntry.objects.get()
        assert entry.localized_question == "When do we vote?"
        assert entry.localized_answer == "In November."
    client.cookies["django_language"] = "en"
    page = text(client.get(FAQ))

    assert "When do we vote?" in page
    assert "In November." in page


def test_an_entry_without_english_stays_in_french(client: Client, campaign: Campaign):
    FaqEntry.objects.create(
        campaign=campaign, question="Quand vote-t-on ?", answer="En novembre.", question_en="When?"
    )
    client.cookies["django_language"] = "en"

    page = text(client.get(FAQ))

    assert "Quand vote-t-on ?" in page
    assert "When?" not in page
