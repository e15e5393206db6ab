"""The captcha of the forms that create an account or send an email (django-simple-captcha).

Two ways to answer, checked by the same field:

- the image (random letters, CAPTCHA_LENGTH of them), with a button for another image (our
  refresh view, called by a static script; without JavaScript the same button is a plain link
  that reloads the form) and, when the server has `espeak-ng`, the letters spelled aloud in the
  page's language;
- a written question in the visitor's language ("Combien font sept plus deux ?"), for those
  who can read neither the image nor listen to it (blind or deaf-blind visitors using a screen
  reader or a braille display). It is reached by a link next to the image ("?captcha=texte")
  and is a real challenge stored like the image's: single use, expiring, checked on the server.

The written question is solved by a short program, and so, nowadays, is the image: neither is
what bounds abuse. The rate limits are (docs/accounts.md, « What the captcha does and does not
stop »): per client, security codes made (CAPTCHAS_PER_IP) and forms sent; per address, emails.
"""

from __future__ import annotations

import logging
import secrets
import subprocess
from typing import Any

from captcha.fields import CaptchaField, CaptchaTextInput
from captcha.models import CaptchaStore
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from urne.accounts.throttle import CAPTCHAS_PER_IP, wait_minutes
from urne.web.errors import NotFound, TooManyAttempts

logger = logging.getLogger(__name__)

TEXT_MODE_PARAMETER = "captcha"
TEXT_MODE_VALUE = "texte"

# Numbers and operations in words, in the visitor's language (translated when the challenge is
# made). The context keeps "un" or "six" apart from the same words elsewhere.
_NUMBERS = (
    pgettext_lazy("captcha", "zéro"),
    pgettext_lazy("captcha", "un"),
    pgettext_lazy("captcha", "deux"),
    pgettext_lazy("captcha", "trois"),
    pgettext_lazy("captcha", "quatre"),
    pgettext_lazy("captcha", "cinq"),
    pgettext_lazy("captcha", "six"),
    pgettext_lazy("captcha", "sept"),
    pgettext_lazy("captcha", "huit"),
    pgettext_lazy("captcha", "neuf"),
    pgettext_lazy("captcha", "dix"),
    pgettext_lazy("captcha", "onze"),
    pgettext_lazy("captcha", "douze"),
    pgettext_lazy("captcha", "treize"),
    pgettext_lazy("captcha", "quatorze"),
    pgettext_lazy("captcha", "quinze"),
    pgettext_lazy("captcha", "seize"),
    pgettext_lazy("captcha", "dix-sept"),
    pgettext_lazy("captcha", "dix-huit"),
    pgettext_lazy("captcha", "dix-neuf"),
    pgettext_lazy("captcha", "vingt"),
)
# simple-captcha stores the challenge in 32 characters at most (tests check every question fits).
CHALLENGE_MAX_LENGTH = 32


def challenge_words(first: int, second: int, subtract: bool) -> str:
    """ "sept plus deux", "dix-sept moins huit": in the active language."""
    operation = (
        pgettext("captcha", "%(first)s moins %(second)s")
        if subtract
        else pgettext("captcha", "%(first)s plus %(second)s")
    )
    return operation % {"first": _NUMBERS[first], "second": _NUMBERS[second]}


def text_challenge() -> tuple[str, str]:
    """A sum or a difference of two numbers written in words, in the active language, and its
    answer in digits.

    Numbers up to twenty, so that every one is a word a screen reader says plainly.
    """
    first, second = secrets.randbelow(10) + 1, secrets.randbelow(10) + 1
    if secrets.randbelow(2):
        first += second  # the difference stays positive
        return challenge_words(first, second, subtract=True), str(first - second)
    return challenge_words(first, second, subtract=False), str(first + second)


def wants_text_challenge(request: HttpRequest) -> bool:
    return request.GET.get(TEXT_MODE_PARAMETER) == TEXT_MODE_VALUE


def count_captcha_request(request: HttpRequest) -> None:
    """Count one more security code made or spoken for this client (a form displayed, a new
    code, the audio); TooManyAttempts, and nothing counted, once the client reached its limit.
    Call it before the challenge is stored or spoken, so that a refused request costs nothing."""
    if CAPTCHAS_PER_IP.take(request) is None:
        raise TooManyAttempts(
            gettext(
                "Trop de codes de sécurité ont été demandés depuis votre réseau. "
                "Patientez %(minutes)d minutes avant de réessayer."
            )
            % {"minutes": wait_minutes((CAPTCHAS_PER_IP,))}
        )


# espeak-ng's voice for each language of the site (LANGUAGES): the code is spelled in the page's.
VOICES = {"fr": "fr", "en": "en"}
# Slower than espeak-ng's default (175 words a minute), with a pause between letters.
SPEECH_WORDS_PER_MINUTE = "120"
SPEECH_GAP_10MS = "10"
SPEECH_TIMEOUT_SECONDS = 10


def speech_available() -> bool:
    return bool(settings.CAPTCHA_ESPEAK_PATH)


def audio_url(key: str) -> str | None:
    """Where the code of challenge `key` is heard, when the server can speak."""
    return reverse("captcha-audio", kwargs={"key": key}) if speech_available() else None


def speech_command(language: str) -> list[str]:
    """The espeak-ng command that reads text on its standard input aloud in `language` (the
    site's default for another) and writes a WAV file on its standard output."""
    voice = VOICES.get(language.split("-")[0], VOICES[settings.LANGUAGE_CODE])
    return [
        str(settings.CAPTCHA_ESPEAK_PATH),
        "-v",
        voice,
        "-s",
        SPEECH_WORDS_PER_MINUTE,
        "-g",
        SPEECH_GAP_10MS,
        "--stdout",
        "--stdin",
    ]


def spoken_letters(letters: str, language: str) -> bytes:
    """The letters of an image's code spelled one by one ("A, B, C": espeak-ng then says each
    letter's name, "a, bé, cé" in French), as WAV audio.

    The text goes through standard input, never the command line. NotFound with a French
    message (and a log line without the code) if the synthesizer fails.
    """
    if not speech_available():
        raise NotFound
    try:
        result = subprocess.run(  # noqa: S603 (a fixed command; the text goes to stdin)
            speech_command(language),
            input=", ".join(letters).encode(),
            capture_output=True,
            timeout=SPEECH_TIMEOUT_SECONDS,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("espeak-ng failed to speak a security code: %s", type(error).__name__)
        raise NotFound(
            _(
                "Le code ne peut pas être lu pour le moment : affichez un autre code ou "
                "répondez à une question écrite."
            )
        ) from None
    return result.stdout


class CaptchaInput(CaptchaTextInput):  # type: ignore[misc]
    """simple-captcha's widget, rendered by our accessible template, with the written mode."""

    # In the app's own templates/: the form renderer looks in installed apps, not in TEMPLATES DIRS.
    template_name = "accounts/widgets/captcha.html"

    def __init__(self, text_mode: bool = False) -> None:
        super().__init__()
        self.text_mode = text_mode
        self._question = ""

    def fetch_captcha_store(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, generator: Any = None
    ) -> None:
        if not self.text_mode:
            super().fetch_captcha_store(name, value, attrs, generator)
            return
        question, answer = text_challenge()
        store = CaptchaStore.objects.create(challenge=question, response=answer)
        self._question = question
        self._key = store.hashkey
        self._value = [store.hashkey, ""]
        self.id_ = self.build_attrs(attrs or {}).get("id")

    def audio_url(self) -> str | None:
        """Our audio view (espeak-ng, the page's language) instead of simple-captcha's (flite)."""
        return audio_url(self._key)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id", f"id_{name}")
        described_by = [f"{base_id}_hint"]
        if self.text_mode:
            described_by.insert(0, f"{base_id}_question")
        answer = context["widget"]["subwidgets"][1]
        answer["attrs"]["aria-describedby"] = " ".join(described_by)
        answer["attrs"]["maxlength"] = "32"
        context.update(
            text_mode=self.text_mode,
            question=self._question,
            refresh_url=reverse("captcha-refresh"),
            base_id=base_id,
            text_mode_query=f"?{TEXT_MODE_PARAMETER}={TEXT_MODE_VALUE}",
        )
        return context


class SecurityCodeField(CaptchaField):  # type: ignore[misc]
    """The captcha answer, with French messages; an attempt consumes the challenge."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Code de sécurité"))
        kwargs.setdefault("widget", CaptchaInput())
        wrong = _(
            "Le code de sécurité saisi est incorrect ou a expiré. "
            "Saisissez le nouveau code affiché."
        )
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": wrong,
                "required": _("Saisissez le code de sécurité."),
                "incomplete": _("Saisissez le code de sécurité."),
            },
        )
        super().__init__(**kwargs)

    def use_text_challenge(self) -> None:
        self.widget.text_mode = True
