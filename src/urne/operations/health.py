"""The health of a web node: database, cache, broker, disk (docs/supervision.md).

`node_health()` runs the four checks, each cheap and bounded in time:

- database: one real query on the campaign's table through Django's connection;
- cache: a write, a read and a delete of one key on Redis when REDIS_URL is set (the rate limits
  and sessions live there); the embedded default's cache is the database, checked above;
- broker: a connection to CELERY_BROKER_URL within `BROKER_TIMEOUT` seconds; without a broker
  tasks run in the web process ("eager"), which is healthy by definition;
- disk: the free space of every folder urne writes to (media, imports, data) against
  URNE_HEALTH_MIN_FREE_MB.

A load balancer may ask every second, from every node: the result is kept
URNE_HEALTH_CACHE_SECONDS per process, so that a flood of requests costs at most one round of
checks per process and period.

What a failure says is the exception's class, never its message: a broker's or a database's
message may name hosts, users or a URL with its password.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache

BROKER_TIMEOUT = 1.0
"""Seconds a broker has to accept a connection before it is reported down."""

REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


@dataclass(frozen=True)
class ComponentHealth:
    name: str
    ok: bool
    detail: str
    """For the operator (token holder, staff page): a short fact, never a secret."""
    milliseconds: float


@dataclass(frozen=True)
class NodeHealth:
    components: tuple[ComponentHealth, ...]
    checked_at: float

    @property
    def ok(self) -> bool:
        return all(component.ok for component in self.components)

    @property
    def failing(self) -> list[str]:
        return [component.name for component in self.components if not component.ok]


def check_database() -> str:
    from urne.campaign.models import Campaign

    Campaign.objects.only("pk").exists()
    return "ok"


def check_cache() -> str:
    if settings.CACHES["default"]["BACKEND"] != REDIS_CACHE:
        return "database cache (embedded default)"
    key = f"urne.health.{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    read = cache.get(key)
    cache.delete(key)
    if read != "1":
        raise CacheMismatch
    return "redis round trip"


class CacheMismatch(Exception):
    """The cache did not give back what was just written to it."""


def broker_connection() -> Any:
    """A connection to the broker (not opened yet) that gives up after BROKER_TIMEOUT."""
    from kombu.connection import Connection

    return Connection(  # type: ignore[no-untyped-call]
        settings.CELERY_BROKER_URL,
        connect_timeout=BROKER_TIMEOUT,
        transport_options={
            "socket_timeout": BROKER_TIMEOUT,
            "socket_connect_timeout": BROKER_TIMEOUT,
            "max_retries": 0,
        },
    )


def check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "none: tasks run in the web process (eager)"
    with broker_connection() as connection:
        connection.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)
    return "connected"


def watched_folders() -> list[Path]:
    """The folders urne writes to: uploads (media), electors imports, the data folder."""
    folders = [Path(settings.MEDIA_ROOT), Path(settings.IMPORTS_ROOT), Path(settings.DATA_DIR)]
    unique: list[Path] = []
    for folder in folders:
        if folder not in unique:
            unique.append(folder)
    return unique


def _existing(folder: Path) -> Path:
    """The folder, or its nearest existing parent (a folder made at first use)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


class DiskAlmostFull(Exception):
    """A watched folder's file system has less free space than the threshold."""


def check_disk() -> str:
    threshold = settings.URNE_HEALTH_MIN_FREE_MB * 1024 * 1024
    smallest = min(shutil.disk_usage(_existing(folder)).free for folder in watched_folders())
    text = f"{smallest // (1024 * 1024)} MB free at least (threshold {threshold // (1024 * 1024)})"
    if smallest < threshold:
        raise DiskAlmostFull(text)
    return text


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("database", check_database),
    ("cache", check_cache),
    ("broker", check_broker),
    ("disk", check_disk),
)


def _run(name: str, check: Callable[[], str]) -> ComponentHealth:
    start = time.monotonic()
    try:
        detail = check()
        ok = True
    except DiskAlmostFull as full:
        detail, ok = str(full), False
    except Exception as error:  # any failure is the component's failure
        detail, ok = type(error).__name__, False
    return ComponentHealth(name, ok, detail, round((time.monotonic() - start) * 1000, 1))


_lock = threading.Lock()
_last: NodeHealth | None = None


def node_health(fresh: bool = False) -> NodeHealth:
    """Every component's health, at most URNE_HEALTH_CACHE_SECONDS old (`fresh`: now)."""
    global _last
    period = settings.URNE_HEALTH_CACHE_SECONDS
    with _lock:
        now = time.monotonic()
        if not fresh and _last is not None and now - _last.checked_at < period:
            return _last
        health = NodeHealth(tuple(_run(name, check) for name, check in CHECKS), now)
        _last = health
        return health


def forget() -> None:
    """Drop the kept result (tests, and after a change of settings)."""
    global _last
    with _lock:
        _last = None
