"""The demo's mailbox: reads back what Django's file-based email backend wrote.

Only for `make demo` (settings.DEMO), so that a person trying urne without a mail server can
follow the confirmation link. The backend appends each message to a `.log` file followed by a
line of 79 dashes; a file holds every message one connection sent.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.utils.html import strip_tags

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
FILE_NAME = re.compile(r"^(\d{8}-\d{6}-\d+)\.log$")
MESSAGE_ID = re.compile(r"^(\d{8}-\d{6}-\d+)-(\d{1,6})$")
MAX_FILES = 500


class MessageNotFound(Exception):
    pass


@dataclass(frozen=True)
class MailboxMessage:
    id: str
    date: datetime | None
    sender: str
    recipients: str
    subject: str
    body: str


def _parse(message_id: str, raw: bytes) -> MailboxMessage:
    # With the default policy the parser builds EmailMessage objects (get_body, get_content).
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    try:
        date: datetime | None = parsedate_to_datetime(str(parsed["Date"]))
    except (TypeError, ValueError):
        date = None
    if date is not None and date.tzinfo is None:
        # "-0000" means "zone unknown": read it as UTC so that every date compares.
        date = date.replace(tzinfo=UTC)
    body = ""
    part = parsed.get_body(preferencelist=("plain", "html"))
    if part is not None:
        content = part.get_content()
        body = content if part.get_content_type() == "text/plain" else strip_tags(content)
    return MailboxMessage(
        id=message_id,
        date=date,
        sender=str(parsed.get("From", "")),
        recipients=str(parsed.get("To", "")),
        subject=str(parsed.get("Subject", "")),
        body=body,
    )


def _messages_in(path: Path, stem: str) -> list[MailboxMessage]:
    chunks = path.read_bytes().split(SEPARATOR)
    return [_parse(f"{stem}-{index}", chunk) for index, chunk in enumerate(chunks) if chunk.strip()]


def read_mailbox(directory: Path, recipient: str = "", limit: int = 200) -> list[MailboxMessage]:
    """The newest messages first, optionally only those sent to an address containing
    `recipient`."""
    if not directory.is_dir():
        return []
    files = sorted(
        (path for path in directory.iterdir() if FILE_NAME.match(path.name)),
        key=lambda path: path.name,
        reverse=True,
    )[:MAX_FILES]
    found: list[MailboxMessage] = []
    for path in files:
        stem = path.name.removesuffix(".log")
        found.extend(
            message
            for message in _messages_in(path, stem)
            if recipient.lower() in message.recipients.lower()
        )
    found.sort(
        key=lambda message: (message.date is not None, message.date, message.id), reverse=True
    )
    return found[:limit]


def read_message(directory: Path, message_id: str) -> MailboxMessage:
    """One message by the id `read_mailbox` gave it; the id never reaches the file system
    unchecked."""
    match = MESSAGE_ID.match(message_id)
    if match is None:
        raise MessageNotFound(message_id)
    path = directory / f"{match.group(1)}.log"
    if not path.is_file():
        raise MessageNotFound(message_id)
    for message in _messages_in(path, match.group(1)):
        if message.id == message_id:
            return message
    raise MessageNotFound(message_id)
