"""The captcha of the forms that create an account or send an email: a wrong or replayed answer
is refused, a new challenge is available on demand (within the client's limit), the code is
spoken in the page's language, and a written question serves those who cannot read the image."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
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
RESET = reverse("accounts:password_reset")
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


@pytest.fixture
def speech_commands(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The commands the audio view runs, recorded: they still run, for real."""
    commands: list[list[str]] = []
    real_run = subprocess.run

    def recording_run(command: list[str], *args: Any, **kwargs: Any) -> Any:
        commands.append(list(command))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", recording_run)
    return commands


def audio_link(page: str, text: str) -> str:
    link = re.search(rf'<a href="([^"]+)" data-captcha-audio>{re.escape(text)}</a>', page)
    assert link is not None
    return link.group(1)


def voice_of(command: list[str]) -> str:
    return command[command.index("-v") + 1]


def test_the_french_page_spells_the_code_in_french(
    client: Client, elector_alice, speech_commands: list[list[str]]
) -> None:
    page = client.get(SIGNUP).content.decode()

    response = client.get(audio_link(page, "Écouter le code (fichier audio)"))

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    wav = response.getvalue()
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE" and len(wav) > 10_000
    [command] = speech_commands
    assert Path(command[0]).name == "espeak-ng"
    assert voice_of(command) == "fr"


def test_the_english_page_spells_the_code_in_english(
    client: Client, elector_alice, speech_commands: list[list[str]]
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(SIGNUP).content.decode()
    link = audio_link(page, "Listen to the code (audio file)")

    english = client.get(link).getvalue()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = client.get(link).getvalue()

    assert [voice_of(command) for command in speech_commands] == ["en", "fr"]
    assert english[:4] == b"RIFF" and english[8:12] == b"WAVE"
    assert english != french  # the same letters, said otherwise


def test_a_used_code_or_a_written_question_is_not_spoken(
    client: Client, post, elector_alice, speech_commands: list[list[str]]
) -> None:
    store = challenge_on(client.get(SIGNUP).content.decode())
    post(SIGNUP, signup_data("x@ac-dijon.fr", captcha_0=store.hashkey, captcha_1="NOTIT"))
    question = challenge_on(client.get(SIGNUP + "?captcha=texte").content.decode())

    used = client.get(reverse("captcha-audio", kwargs={"key": store.hashkey}))
    written = client.get(reverse("captcha-audio", kwargs={"key": question.hashkey}))

    assert used.status_code == written.status_code == 410
    assert speech_commands == []


def test_without_espeak_there_is_no_audio(client: Client, elector_alice, settings) -> None:
    settings.CAPTCHA_ESPEAK_PATH = None
    page = client.get(SIGNUP).content.decode()
    store = challenge_on(page)

    response = client.get(reverse("captcha-audio", kwargs={"key": store.hashkey}))

    assert "data-captcha-audio" not in page
    assert "?captcha=texte" in page
    assert response.status_code == 404


def test_a_failing_synthesizer_gives_a_french_message_and_logs_no_code(
    client: Client, elector_alice, settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CAPTCHA_ESPEAK_PATH = "/bin/false"  # a synthesizer that always fails
    page = client.get(SIGNUP).content.decode()
    store = challenge_on(page)

    response = client.get(audio_link(page, "Écouter le code (fichier audio)"))

    assert response.status_code == 404
    assert "Le code ne peut pas être lu pour le moment" in response.content.decode()
    assert "espeak-ng failed" in caplog.text
    assert store.challenge not in caplog.text


REFRESH = reverse("captcha-refresh")
SCRIPT = {"X-Requested-With": "XMLHttpRequest"}
TOO_MANY_CODES = "Trop de codes de sécurité ont été demandés depuis votre réseau."


def test_new_codes_stop_at_the_clients_limit_with_a_french_message(
    client: Client, settings, db: None
) -> None:
    settings.URNE_RATE_CAPTCHA_PER_IP = "3/15m"
    for _ in range(3):
        assert client.get(REFRESH, headers=SCRIPT, REMOTE_ADDR="203.0.113.7").status_code == 200
    stored = CaptchaStore.objects.count()

    refused = client.get(REFRESH, headers=SCRIPT, REMOTE_ADDR="203.0.113.7")
    elsewhere = client.get(REFRESH, headers=SCRIPT, REMOTE_ADDR="198.51.100.7")

    assert refused.status_code == 429
    page = refused.content.decode()
    assert TOO_MANY_CODES in page
    assert "Patientez 15 minutes" in page
    assert CaptchaStore.objects.count() == stored + 1  # only the other client's
    assert elsewhere.status_code == 200


def test_every_display_of_a_form_with_a_code_counts_toward_the_same_limit(
    client: Client, settings, elector_alice
) -> None:
    settings.URNE_RATE_CAPTCHA_PER_IP = "3/15m"
    client.get(SIGNUP)
    client.get(reverse("accounts:resend"))
    client.get(RESET)
    stored = CaptchaStore.objects.count()

    for refused in (
        client.get(SIGNUP + "?captcha=texte"),
        client.get(REFRESH, headers=SCRIPT),
        client.get(reverse("captcha-audio", kwargs={"key": "0" * 40})),
    ):
        assert refused.status_code == 429
        assert TOO_MANY_CODES in refused.content.decode()
    assert CaptchaStore.objects.count() == stored


def test_listening_to_the_code_counts_toward_the_limit(
    client: Client, settings, elector_alice
) -> None:
    """Each listening runs the speech synthesizer."""
    settings.URNE_RATE_CAPTCHA_PER_IP = "3/15m"
    link = audio_link(client.get(SIGNUP).content.decode(), "Écouter le code (fichier audio)")
    client.get(link)
    client.get(link)

    response = client.get(link)

    assert response.status_code == 429


def solve(question: str) -> str:
    """What a ten-line program does with the written question (docs/accounts.md says so)."""
    first, operator, second = question.split(" ")
    return str(NUMBERS[first] + NUMBERS[second] * (1 if operator == "plus" else -1))


def test_a_program_answering_every_written_question_is_stopped_by_the_clients_limit(
    client: Client, post, settings, voter_bob
) -> None:
    """The written question stops no program: the per-client limit on forms that send an email
    is what bounds it (here 3 an hour instead of 30)."""
    settings.URNE_RATE_MAIL_PER_IP = "3/1h"
    statuses = []
    for n in range(4):
        store = challenge_on(client.get(RESET + "?captcha=texte").content.decode())
        response = post(
            RESET + "?captcha=texte",
            {
                "email": f"agent{n}@ac-dijon.fr" if n else "bob.martin@ac-dijon.fr",
                "captcha_0": store.hashkey,
                "captcha_1": solve(store.challenge),
            },
        )
        statuses.append(response.status_code)

    assert statuses == [302, 302, 302, 429]
    assert len(mail.outbox) == 1  # Bob's: the other addresses have no account
