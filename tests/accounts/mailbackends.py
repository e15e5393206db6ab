"""Mail servers that misbehave, for the invitation tests: Django's in-memory backend that
refuses some recipients, or whose worker dies after a number of messages."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from typing import ClassVar

from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends import locmem


class WorkerLost(BaseException):
    """What a killed worker (or a hard time limit) looks like to the code it interrupts."""


class RefusingBackend(locmem.EmailBackend):
    """Refuses the recipients in `refused`, as an SMTP server refuses a mailbox."""

    refused: ClassVar[set[str]] = set()

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        for message in messages:
            if set(message.to) & self.refused:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)


class DyingBackend(locmem.EmailBackend):
    """Delivers `die_after` messages in all, then the worker dies."""

    die_after: ClassVar[int] = 0

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if len(mail.outbox) >= self.die_after:
            raise WorkerLost
        return super().send_messages(messages)
