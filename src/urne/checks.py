"""What a production needs, as Django system checks: a half-configured production does not start.

The embedded defaults (SQLite, the database cache, tasks run in the web process) make `make demo`
need nothing but Python, and each of them is wrong for a real election: SQLite serialises every
ballot behind one lock, a cache that is not shared lets each web process keep its own rate-limit
counters, and without a broker mailings of a million electors run inside a web request.

Two registrations share one list of problems:
- in production mode (URNE_PRODUCTION) the problems are errors for every command, and the WSGI
  module runs the checks too (gunicorn runs none of its own);
- `urne check --deploy` reports them whatever the mode, and also that the mode itself is off:
  production mode forgotten is how a test switch ends up on a public server.

A third list applies to the web process only (urne.wsgi marks itself with `mark_web_process`):
the credential authority's private key must not be there (urne.E009): the web hosts seal
identifiers with its public key and never open one (docs/credential-authority.md).

The ids are documented in docs/configuration.md.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

POSTGRESQL = "django.db.backends.postgresql"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
# Celery brokers that several machines can share: Redis and RabbitMQ (AMQP). `memory://` and
# `filesystem://` also exist but stay inside one process or one machine.
SHARED_BROKERS = {"redis", "rediss", "redis+socket", "sentinel", "amqp", "amqps", "pyamqp"}


_web_process = False


def mark_web_process() -> None:
    """Called by urne.wsgi before its checks: this process serves the web."""
    global _web_process
    _web_process = True


def web_process_problems() -> list[CheckMessage]:
    """What the web process must not hold: the credential authority's private key."""
    if _web_process and settings.URNE_AUTHORITY_PRIVATE_KEY:
        return [
            Error(
                "The web process holds the credential authority's private key: whoever takes "
                "a web host could open every voting identifier.",
                hint=(
                    "Remove URNE_AUTHORITY_PRIVATE_KEY from the web hosts; only the authority's "
                    "worker (celery -A urne worker -Q authority) and its commands have it."
                ),
                id="urne.E009",
            )
        ]
    return []


def production_problems() -> list[CheckMessage]:
    """Every setting that would let production run on a development default."""
    problems: list[CheckMessage] = []
    if settings.DATABASES["default"].get("ENGINE") != POSTGRESQL:
        problems.append(
            Error(
                "Production needs PostgreSQL: the database is "
                f"{settings.DATABASES['default'].get('ENGINE')}.",
                hint="Set DATABASE_URL=postgres://user:password@host:5432/urne.",
                id="urne.E002",
            )
        )
    if settings.CACHES["default"]["BACKEND"] != REDIS_CACHE:
        problems.append(
            Error(
                "Production needs a cache shared by every web process (Redis): the rate limits "
                "are counted there.",
                hint="Set REDIS_URL=redis://host:6379/0.",
                id="urne.E003",
            )
        )
    if urlsplit(settings.CELERY_BROKER_URL).scheme not in SHARED_BROKERS:
        problems.append(
            Error(
                "Production needs a Celery broker: without one, imports and mailings run inside "
                "web requests.",
                hint="Set CELERY_BROKER_URL=redis://… or amqp://… and run `celery -A urne worker`.",
                id="urne.E004",
            )
        )
    if settings.CAPTCHA_TEST_MODE:
        problems.append(
            Error(
                "The captcha test switch is on: anyone could answer PASSED.",
                hint="Remove URNE_CAPTCHA_TEST_MODE.",
                id="urne.E005",
            )
        )
    if not settings.RATELIMIT_ENABLE:
        problems.append(
            Error(
                "The rate limits are switched off: passwords could be guessed without limit.",
                hint="Remove URNE_RATELIMIT_ENABLE=0.",
                id="urne.E008",
            )
        )
    if not settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "No host name to answer to: every request would be refused.",
                hint="Set URNE_ALLOWED_HOSTS=vote.example.org.",
                id="urne.E006",
            )
        )
    if urlsplit(settings.SITE_URL).scheme != "https":
        problems.append(
            Error(
                f"The links sent by email would point to {settings.SITE_URL}, not an https "
                "address.",
                hint="Set URNE_SITE_URL=https://vote.example.org.",
                id="urne.E007",
            )
        )
    problems.extend(metrics_problems())
    return problems


METRICS_TOKEN_MIN_LENGTH = 32


def metrics_problems() -> list[CheckMessage]:
    """The supervision's token (urne.operations): missing, the metrics stay closed (a warning:
    nothing is exposed, the operator is blind); too short, it could be guessed (an error)."""
    token = settings.URNE_METRICS_TOKEN
    if not token:
        return [
            Warning(
                "No metrics token: /metrics answers 404 to everyone and /sante/ gives no "
                "detail, so Prometheus cannot supervise this node.",
                hint="Set URNE_METRICS_TOKEN (or URNE_METRICS_TOKEN_FILE) to 32 random "
                "characters or more, and the same in Prometheus' scrape configuration.",
                id="urne.W011",
            )
        ]
    if len(token) < METRICS_TOKEN_MIN_LENGTH:
        return [
            Error(
                f"The metrics token has {len(token)} characters: it could be guessed.",
                hint=f"Set URNE_METRICS_TOKEN to {METRICS_TOKEN_MIN_LENGTH} random characters "
                "or more.",
                id="urne.E010",
            )
        ]
    return []


@register(Tags.security)
def check_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """In production mode, every command (and the web server, urne.wsgi) refuses to start."""
    return [*production_problems(), *web_process_problems()] if settings.PRODUCTION else []


@register(Tags.security, deploy=True)
def check_deployment(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """`urne check --deploy` outside production mode: the mode itself, then what it would refuse.

    In production mode check_production above already reports the problems (non-deploy checks
    also run with --deploy): reporting them here too would list each one twice.
    """
    if settings.PRODUCTION:
        return []
    return [
        Error(
            "Production mode is off: development defaults and test switches are allowed.",
            hint="Set URNE_PRODUCTION=1.",
            id="urne.E001",
        ),
        *production_problems(),
    ]
