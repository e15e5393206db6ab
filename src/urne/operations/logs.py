"""Structured logs: one JSON object a line, and one line per request (docs/supervision.md).

- `RequestLogMiddleware` gives each request an id (the proxy's X-Request-ID when it sends a
  sane one, a random one otherwise), sends it back in the answer's X-Request-ID header, and
  writes one line on the `urne.request` logger: the id, the view's name (never the path, which
  may carry a link's token or a scrutin's code typed by anyone), the method, the status and the
  duration. Never the client's address, the session, a header, the query or the body.
- `RequestContext` (a logging filter) adds the request's id to every record logged while it is
  served, so that a ballot's "accepted" line and its request line meet.
- `JsonFormatter` (python-json-logger) writes only the fields it names; Django attaches the
  request object to its own records, and an unnamed field would print it. As a last guard it
  hides what looks like an email or an IPv4 address in the message and the traceback: a
  database's error may quote the row it refused.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

logger = logging.getLogger("urne.request")

_request_id: ContextVar[str] = ContextVar("urne_request_id", default="-")
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

FIELDS = (
    "timestamp",
    "level",
    "logger",
    "message",
    "request_id",
    "view",
    "method",
    "status",
    "duration_ms",
    "exc_info",
    "stack_info",
)
"""Every field a JSON line may hold."""

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


def current_request_id() -> str:
    return _request_id.get()


def hide_personal(text: str) -> str:
    return _IPV4.sub("[address hidden]", _EMAIL.sub("[email hidden]", text))


class RequestContext(logging.Filter):
    """Adds `request_id` to every record (a dash outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """`LEVEL logger [request id] message`, for a person reading a console."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return super().format(record)


class JsonFormatter(_JsonFormatter):
    """One JSON object a line, holding only `FIELDS`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        super().__init__("{levelname}{name}{message}", *args, style="{", **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return super().format(record)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        kept = {key: log_data[key] for key in FIELDS if key in log_data}
        for key in ("message", "exc_info", "stack_info"):
            if isinstance(kept.get(key), str):
                kept[key] = hide_personal(kept[key])
        return kept


class RequestLogMiddleware:
    """One log line per request, and the request's id for every line logged meanwhile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        start = time.monotonic()
        try:
            response = self.get_response(request)
            duration = round((time.monotonic() - start) * 1000, 1)
            match = getattr(request, "resolver_match", None)
            view = (match.view_name if match is not None else "") or "-"
            method = request.method if request.method in _METHODS else "other"
            response["X-Request-ID"] = request_id
            logger.info(
                "%s %s %s %.1f ms",
                method,
                view,
                response.status_code,
                duration,
                extra={
                    "view": view,
                    "method": method,
                    "status": response.status_code,
                    "duration_ms": duration,
                },
            )
            return response
        finally:
            _request_id.reset(token)
