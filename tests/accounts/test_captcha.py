"""The captcha of CRÉER MON COMPTE: a wrong or replayed answer is refused, a new challenge is
available on demand, and a written question serves those who cannot read the image."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tests.accounts.conftest import signup_data
from urne.accounts.captcha import CHALLENGE_MAX_LENGTH, challenge_words, text_challenge
from urne.accounts.models import User

SIGNUP = reverse("accounts:signup")
WRONG = "Le code de sécurité saisi est incorrect ou a expiré."
NUMBERS = {
    word: value
    for value, word in enumerate(
        [
            *("zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"),
            *("dix", "onze", "douze", "treize", "quatorze", "quinze", "seize", "dix-sept"),
            *("dix-huit", "dix-neuf", "vingt"),
        ]
    )
}

ENGLISH = {
    word: value
    for value, word in enumerate(
        [
            *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
            *("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"),
            *("seventeen", "eighteen", "nineteen", "twenty"),
        ]
    )
}


def challenge_on(page: str) -> CaptchaStore:
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page)
    assert key is not None
    return CaptchaStore.objects.get(hashkey=key.group(1))


def test_a_wrong_answer_is_refused_and_nothing_is_created(client: Client, post, elector_alice):
    store = challenge_on(client.get(SIGNUP).content.decode())

    response = post(
        SIGNUP,
        signup_data("alice.bernard@ac-dijon.fr", captcha_0=store.hashkey, captcha_1="NOTIT"),
    )

    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_a_wrong_answer_spends_the_challenge(client: Client, post, elector_alice) -> None:
    """One try per challenge: the right answer after a wrong one no longer works."""
    store = challenge_on(client.get(SIGNUP).content.decode())
    post(SIGNUP, signup_data("x@ac-dijon.fr", captcha_0=store.hashkey, captcha_1="NOTIT"))

    response = post(
        SIGNUP,
        signup_data("alice.bernard@ac-dijon.fr", captcha_0=store.hashkey, captcha_1=store.response),
    )

    assert WRONG in response.content.decode()
    assert User.objects.count() == 0


def test_the_right_answer_is_accepted_once_and_a_replay_is_refused(
    client: Client, post, elector_alice
) -> None:
    store = challenge_on(client.get(SIGNUP).content.decode())
    answer = {"captcha_0": store.hashkey, "captcha_1": store.response.upper()}

    first = post(SIGNUP, signup_data("nobody@ac-dijon.fr", **answer))
    replay = post(SIGNUP, signup_data("alice.bernard@ac-dijon.fr", **answer))

    assert first.status_code == 302
    assert replay.status_code == 200
    assert WRONG in replay.content.decode()
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_an_expired_challenge_is_refused(client: Client, post, elector_alice) -> None:
    store = challenge_on(client.get(SIGNUP).content.decode())
    CaptchaStore.objects.filter(pk=store.pk).update(
        expiration=timezone.now() - timedelta(seconds=1)
    )

    response = post(
        SIGNUP,
        signup_data("alice.bernard@ac-dijon.fr", captcha_0=store.hashkey, captcha_1=store.response),
    )

    assert WRONG in response.content.decode()
    assert User.objects.count() == 0


def test_a_missing_answer_is_asked_for_in_french(post, elector_alice) -> None:
    response = post(SIGNUP, signup_data("alice.bernard@ac-dijon.fr", captcha_1=""))

    assert "Saisissez le code de sécurité." in response.content.decode()
    assert User.objects.count() == 0


def test_each_display_of_the_form_shows_a_new_challenge(client: Client, elector_alice) -> None:
    first = challenge_on(client.get(SIGNUP).content.decode())
    second = challenge_on(client.get(SIGNUP).content.decode())

    assert first.hashkey != second.hashkey


def test_a_new_image_is_available_on_demand_without_reloading(client: Client, elector_alice):
    page = client.get(SIGNUP).content.decode()
    refresh_url = re.search(r'data-captcha-refresh="([^"]+)"', page)
    assert refresh_url is not None

    response = client.get(refresh_url.group(1), headers={"X-Requested-With": "XMLHttpRequest"})

    data = response.json()
    assert data["key"] != challenge_on(page).hashkey
    assert CaptchaStore.objects.filter(hashkey=data["key"]).exists()
    image = client.get(data["image_url"])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"


def test_without_javascript_the_refresh_control_is_a_link_that_reloads_the_form(
    client: Client, elector_alice
) -> None:
    page = client.get(SIGNUP).content.decode()

    assert re.search(
        r'<a href="\?" data-captcha-refresh="[^"]+"[^>]*>Afficher un autre code</a>', page
    )


def test_the_script_is_a_static_file_allowed_by_the_content_security_policy(
    client: Client, elector_alice
) -> None:
    response = client.get(SIGNUP)
    page = response.content.decode()

    assert '<script src="/static/urne/accounts/captcha.js" defer></script>' in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert finders.find("urne/accounts/captcha.js") is not None


def test_the_written_question_is_offered_next_to_the_image(client: Client, elector_alice):
    page = client.get(SIGNUP).content.decode().replace("&#x27;", "'")

    assert (
        '<a href="?captcha=texte">Je ne peux pas lire l\'image : répondre à une question écrite</a>'
        in page
    )


def test_the_written_question_is_text_a_screen_reader_reads(client: Client, elector_alice):
    page = client.get(SIGNUP + "?captcha=texte").content.decode()

    store = challenge_on(page)
    assert f"Question : combien font {store.challenge} ?" in page
    assert "<img" not in page.split('class="captcha"')[1].split("</div>")[0]
    # The answer field is described by the question and the hint.
    assert 'aria-describedby="id_captcha_question id_captcha_hint"' in page


def test_the_written_question_is_answered_in_digits(client: Client, post, elector_alice):
    store = challenge_on(client.get(SIGNUP + "?captcha=texte").content.decode())
    first, operator, second = store.challenge.split(" ")
    expected = NUMBERS[first] + NUMBERS[second] * (1 if operator == "plus" else -1)

    response = post(
        SIGNUP + "?captcha=texte",
        signup_data("alice.bernard@ac-dijon.fr", captcha_0=store.hashkey, captcha_1=str(expected)),
    )

    assert response.status_code == 302
    assert User.objects.get().email == "alice.bernard@ac-dijon.fr"


def test_a_wrong_answer_to_the_written_question_is_refused(client: Client, post, elector_alice):
    store = challenge_on(client.get(SIGNUP + "?captcha=texte").content.decode())

    response = post(
        SIGNUP + "?captcha=texte",
        signup_data(
            "alice.bernard@ac-dijon.fr",
            captcha_0=store.hashkey,
            captcha_1=str(int(store.response) + 1),
        ),
    )

    page = response.content.decode()
    assert WRONG in page
    assert "Question : combien font" in page  # a new written question, not an image
    assert User.objects.count() == 0


def test_written_questions_are_right_small_and_varied() -> None:
    seen = set()
    for _ in range(300):
        question, answer = text_challenge()
        first, operator, second = question.split(" ")
        assert operator in {"plus", "moins"}
        value = NUMBERS[first] + NUMBERS[second] * (1 if operator == "plus" else -1)
        assert answer == str(value)
        assert 0 <= value <= 20
        assert len(question) <= 32
        seen.add(question)
    assert len(seen) > 50


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_written_question_fits_the_captcha_store(language: str) -> None:
    with translation.override(language):
        longest = max(
            len(challenge_words(first, second, subtract))
            for first in range(1, 21)
            for second in range(1, 11)
            for subtract in (False, True)
        )

    assert longest <= CHALLENGE_MAX_LENGTH


def test_an_english_visitor_gets_the_written_question_in_english(
    client: Client, post, elector_alice
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(SIGNUP + "?captcha=texte").content.decode()

    store = challenge_on(page)
    first, operator, second = store.challenge.split(" ")
    assert operator in {"plus", "minus"}
    assert f"Question: what is {store.challenge}?" in page
    expected = ENGLISH[first] + ENGLISH[second] * (1 if operator == "plus" else -1)
    response = post(
        SIGNUP + "?captcha=texte",
        signup_data("alice.bernard@ac-dijon.fr", captcha_0=store.hashkey, captcha_1=str(expected)),
    )
    assert response.status_code == 302


@pytest.mark.skipif(shutil.which("flite") is None, reason="the spoken captcha needs flite")
def test_the_code_can_be_heard_when_the_server_has_flite(client: Client, elector_alice) -> None:
    page = client.get(SIGNUP).content.decode()
    audio = re.search(r'<a href="([^"]+)" data-captcha-audio>Écouter le code', page)
    assert audio is not None

    response = client.get(audio.group(1))

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response.getvalue().startswith(b"RIFF")


def test_without_flite_there_is_no_audio_link(client: Client, elector_alice, monkeypatch):
    monkeypatch.setattr(captcha_settings, "CAPTCHA_FLITE_PATH", None)

    page = client.get(SIGNUP).content.decode()

    assert "data-captcha-audio" not in page
    assert "?captcha=texte" in page
