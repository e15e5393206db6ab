"""Sending an SMS through a pluggable backend, as Django sends email.

`send_sms(number, text)` hands the message to the backend class named by URNE_SMS_BACKEND
(a dotted path). Two come with urne:

- `FileBackend` (the default): one file per message in URNE_SMS_FILE_PATH (var/sms/ in the
  embedded default), which the demo's mailbox lists and the tests read;
- `ConsoleBackend`: the message on standard output (development).

A real provider is plugged by writing a class with the same `send(message)` method (the
provider's HTTP API, its credentials read from the environment) and naming it in
URNE_SMS_BACKEND; docs/credential-authority.md shows one. Numbers are in international form
(+33612345678); `normalize_mobile` reads what a French elector types.
"""

from __future__ import annotations

import re
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from urne import clock

_SEPARATORS = re.compile(r"[\s.\-()]")
# [0-9], not \d: \d takes any script's digits (« ٠٦١٢… »), which no SMS provider reads.
_FRENCH_MOBILE = re.compile(r"(?:\+33|0033|0)([67][0-9]{8})")


def normalize_mobile(text: str) -> str | None:
    """A French mobile number in international form (+33612345678), or None.

    Accepts 06 12 34 56 78, 06.12.34.56.78, +33 6 12 34 56 78, 0033612345678 (07 too).
    """
    match = _FRENCH_MOBILE.fullmatch(_SEPARATORS.sub("", text))
    return f"+33{match.group(1)}" if match else None


@dataclass(frozen=True)
class SmsMessage:
    to: str
    """International form: +33612345678."""
    text: str


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> None: ...


class FileBackend:
    """Each message as a text file `<time>-<random>.sms` in URNE_SMS_FILE_PATH."""

    def send(self, message: SmsMessage) -> None:
        folder = Path(settings.URNE_SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        now: datetime = clock.now()
        path = folder / f"{now:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.sms"
        path.write_text(
            f"To: {message.to}\nDate: {now.isoformat()}\n\n{message.text}\n", encoding="utf-8"
        )


class ConsoleBackend:
    """Each message on standard output."""

    def send(self, message: SmsMessage) -> None:
        sys.stdout.write(f"SMS to {message.to}:\n{message.text}\n{'-' * 40}\n")
        sys.stdout.flush()


def get_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.URNE_SMS_BACKEND)()
    return backend


def send_sms(number: str, text: str) -> None:
    """Send `text` to `number` (international form) through the configured backend."""
    get_backend().send(SmsMessage(to=number, text=text))
