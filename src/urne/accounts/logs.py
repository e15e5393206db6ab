"""Keep the account links' tokens out of the logs.

Django logs every 4xx and 5xx answer with its path ("Too Many Requests: /compte/confirmer/MQ/
<token>/"), and the development server logs every request line. A confirmation or password reset
link whose page answers with an error would leave a still valid token there: this filter, set on
those loggers in settings.LOGGING, hides every token-shaped path segment before any handler sees
the record.
"""

from __future__ import annotations

import logging
import re

# Django's PasswordResetTokenGenerator (and ours, built on it): a base 36 timestamp, a dash and
# the hexadecimal HMAC.
TOKEN = re.compile(r"\b[0-9a-z]{1,13}-[0-9a-f]{20,}\b")
HIDDEN = "[token hidden]"


def hide_tokens(text: str) -> str:
    return TOKEN.sub(HIDDEN, text)


class HideLinkTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = hide_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                hide_tokens(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True
