"""How often a visitor may try: password checks, and requests that send an email.

Every rule is a sliding window: at most `limit` events in *any* `window` seconds. Each event takes
one of the key's `limit` places for `window` seconds from its own moment (urne.clock), so a
lockout lasts until the oldest counted event is `window` old, and no boundary lets twice the limit
through. Taking a place is one atomic step — with Redis, a Lua script over a sorted set; with any
other cache, a conditional UPDATE of a LimitSlot row in the database (Django's cache API cannot
count atomically there: DatabaseCache.incr is a get then a set) — and it happens *before* the work
it limits (the password check), so a burst of simultaneous requests gets `limit` through at most.

Keys are the address as typed (normalized) and the client's network, never whether an account
exists, so a limit reached says nothing about the rolls. They are stored as an HMAC (SECRET_KEY):
the counters hold no address. The client is read as django-ratelimit reads it (REMOTE_ADDR, or
RATELIMIT_IP_META_KEY behind a proxy); IPv6 clients count per /64.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from urne import clock
from urne.accounts.models import LimitSlot
from urne.campaign.models import normalize_email
from urne.web.errors import TooManyAttempts

KeyKind = Literal["ip", "address"]

# Places free for longer than this are deleted when a new key gets its places.
_KEEP_FREE_PLACES = timedelta(days=1)
# How far apart two requests (or two web nodes) may read the clock.
_CLOCK_SPREAD = timedelta(minutes=1)


# A client is counted by its network: its IPv4 address, or the /64 of its IPv6 address (a home
# or a phone gets a whole /64, so counting single IPv6 addresses would count nothing).
_IPV6_PREFIX = 64


def client_network(request: HttpRequest) -> str:
    """The client's network, as the per-client limits count it.

    The address is REMOTE_ADDR, or behind a proxy the request header that
    URNE_RATELIMIT_IP_META_KEY names; when that header lists several addresses (as
    X-Forwarded-For does), the last one, which the proxy itself added, since a client may write
    the others. An IPv4 address written as IPv6 (`::ffff:198.51.100.7`, as a dual-stack socket
    gives it) counts as the IPv4 address, not as the shared `::/64`. An address that cannot be
    read counts in one shared bucket: never a server error, never a way around the limits.
    """
    header = settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR"
    text = str(request.META.get(header, "")).split(",")[-1].strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return "unreadable"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    return str(ipaddress.IPv6Network((address, _IPV6_PREFIX), strict=False).network_address)


class _Store(Protocol):
    """Where places are taken: one atomic `take` whatever the number of web processes."""

    def take(self, key: str, limit: int, window: int, now: datetime, token: str) -> bool: ...

    def release(self, key: str, token: str, now: datetime) -> None: ...

    def in_use(self, key: str, limit: int, now: datetime) -> int: ...

    def clear(self, key: str, now: datetime) -> None: ...


class _DatabaseStore:
    """Places as LimitSlot rows. A place is free once its `expires_at` has passed; it is taken
    by `UPDATE … WHERE expires_at <= now`, which PostgreSQL re-checks after waiting for a
    concurrent writer's lock, and SQLite runs one writer at a time: two requests never take the
    same place."""

    def take(self, key: str, limit: int, window: int, now: datetime, token: str) -> bool:
        places = LimitSlot.objects.filter(key=key, slot__lt=limit)
        for _round in range(2):
            for slot in list(places.filter(expires_at__lte=now).values_list("slot", flat=True)):
                taken = places.filter(slot=slot, expires_at__lte=now).update(
                    expires_at=now + timedelta(seconds=window), token=token
                )
                if taken:
                    return True
            if places.count() >= limit:
                return False  # every place holds an event of the last `window` seconds
            # A key not seen lately (or a limit raised): create its missing places, free now.
            LimitSlot.objects.filter(expires_at__lte=now - _KEEP_FREE_PLACES).delete()
            # Free since a minute ago, not since `now`: a request that read the clock a moment
            # before this one must find them free too, or a burst would get fewer than `limit`.
            free_since = now - _CLOCK_SPREAD
            LimitSlot.objects.bulk_create(
                [LimitSlot(key=key, slot=slot, expires_at=free_since) for slot in range(limit)],
                ignore_conflicts=True,
            )
        return False  # fail closed: the places were taken while they were created

    def release(self, key: str, token: str, now: datetime) -> None:
        LimitSlot.objects.filter(key=key, token=token).update(expires_at=now, token="")

    def in_use(self, key: str, limit: int, now: datetime) -> int:
        return LimitSlot.objects.filter(key=key, slot__lt=limit, expires_at__gt=now).count()

    def clear(self, key: str, now: datetime) -> None:
        LimitSlot.objects.filter(key=key).update(expires_at=now - _CLOCK_SPREAD, token="")


# KEYS[1]: the key's sorted set (token → expiry); ARGV: now, expiry, limit, token, lifetime.
_REDIS_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class _RedisStore:
    """Places as the members of a sorted set scored by their expiry: a Lua script runs alone on
    the server, so dropping the expired, counting and adding are one step."""

    def __init__(self, cache: RedisCache) -> None:
        self.cache = cache

    def _client(self, key: str) -> tuple[Any, str]:
        name = self.cache.make_and_validate_key(f"urne.limit.{key}")
        # Django's own redis-py client for this key (no public accessor; django-stubs lacks it).
        client = self.cache._cache.get_client(name, write=True)  # type: ignore[attr-defined]
        return client, name

    def take(self, key: str, limit: int, window: int, now: datetime, token: str) -> bool:
        client, name = self._client(key)
        at = now.timestamp()
        # The set outlives its newest event by a second; the scores, not this, decide.
        return bool(client.eval(_REDIS_TAKE, 1, name, at, at + window, limit, token, window + 1))

    def release(self, key: str, token: str, now: datetime) -> None:
        client, name = self._client(key)
        client.zrem(name, token)

    def in_use(self, key: str, limit: int, now: datetime) -> int:
        client, name = self._client(key)
        return int(client.zcount(name, f"({now.timestamp()}", "+inf"))

    def clear(self, key: str, now: datetime) -> None:
        client, name = self._client(key)
        client.delete(name)


def _store() -> _Store:
    cache = caches["default"]
    return _RedisStore(cache) if isinstance(cache, RedisCache) else _DatabaseStore()


@dataclass(frozen=True)
class Claim:
    """One counted event. `release()` gives its place back (a password that proved right)."""

    key: str
    token: str

    def release(self) -> None:
        if self.token:
            _store().release(self.key, self.token, clock.now())


@dataclass(frozen=True)
class Rule:
    """At most so many events in any window: a rate like "5/15m", read from the setting named
    `setting` (docs/accounts.md), `default` when it is not set."""

    group: str
    setting: str
    default: str
    key: KeyKind

    @property
    def rate(self) -> str:
        return str(getattr(settings, self.setting, "") or self.default)

    def _key(self, request: HttpRequest, address: str) -> str:
        return self._hashed(
            client_network(request) if self.key == "ip" else normalize_email(address)
        )

    def _hashed(self, value: str) -> str:
        return salted_hmac(self.group, value, algorithm="sha256").hexdigest()

    def take(self, request: HttpRequest, address: str = "") -> Claim | None:
        """Count one event if the limit lets it through, atomically; None (and nothing counted)
        once `limit` events were counted in the last window. Call it before the work it limits."""
        if not settings.RATELIMIT_ENABLE:  # URNE_RATELIMIT_ENABLE=0
            return Claim("", "")
        limit, window = parse_rate(self.rate)
        key, token = self._key(request, address), uuid.uuid4().hex
        if _store().take(key, limit, window, clock.now(), token):
            return Claim(key, token)
        return None

    def reached(self, request: HttpRequest, address: str = "") -> bool:
        """True while `limit` events are counted in the last window. To limit some work, use
        `take()`: a check then a count would let simultaneous requests in between."""
        if not settings.RATELIMIT_ENABLE:
            return False
        limit, _window = parse_rate(self.rate)
        return _store().in_use(self._key(request, address), limit, clock.now()) >= limit

    def clear_address(self, address: str) -> None:
        """Forget every event counted for `address` (a rule keyed on addresses): its owner
        proved who they are, e.g. by choosing a new password through a link sent to it."""
        assert self.key == "address"  # noqa: S101 - a client's count is not one person's
        _store().clear(self._hashed(normalize_email(address)), clock.now())


# Password checks (login, staff included, and the confirmation page): every attempt is counted
# before the password is checked, and given back if the password was right.
LOGIN_FAILURES_PER_ADDRESS = Rule(
    "urne.accounts.login.address", "URNE_RATE_LOGIN_PER_ADDRESS", "5/15m", "address"
)
# Higher per client: a whole school or rectorat may reach us through one address.
LOGIN_FAILURES_PER_IP = Rule("urne.accounts.login.ip", "URNE_RATE_LOGIN_PER_IP", "30/15m", "ip")
LOGIN_RULES = (LOGIN_FAILURES_PER_ADDRESS, LOGIN_FAILURES_PER_IP)

# Forms that send an email (create an account, resend the confirmation, reset the password):
# a person's mailbox is not to be flooded, and one client may not probe thousands of addresses.
MAILS_PER_ADDRESS = Rule(
    "urne.accounts.mail.address", "URNE_RATE_MAIL_PER_ADDRESS", "3/1h", "address"
)
MAIL_FORMS_PER_IP = Rule("urne.accounts.mail.ip", "URNE_RATE_MAIL_PER_IP", "30/1h", "ip")
MAIL_RULES = (MAILS_PER_ADDRESS, MAIL_FORMS_PER_IP)

# Security codes asked for (accounts/captcha.py): every display of a form with a captcha and
# every "Afficher un autre code" stores a challenge, every "Écouter le code" runs the speech
# synthesizer. Generous (a school shares one address), it bounds the rows and the work one client
# causes; the forms themselves are limited above.
CAPTCHAS_PER_IP = Rule("urne.accounts.captcha.ip", "URNE_RATE_CAPTCHA_PER_IP", "100/15m", "ip")


# Second-factor codes of staff (urne.staffauth): every code typed, TOTP or recovery, is counted
# before it is checked, and given back if it was right. The same limits as passwords.
CODE_FAILURES_PER_ACCOUNT = Rule(
    "urne.staffauth.code.account", "URNE_RATE_CODE_PER_ACCOUNT", "5/15m", "address"
)
CODE_FAILURES_PER_IP = Rule("urne.staffauth.code.ip", "URNE_RATE_CODE_PER_IP", "30/15m", "ip")
CODE_RULES = (CODE_FAILURES_PER_ACCOUNT, CODE_FAILURES_PER_IP)


ALL_RULES = (*LOGIN_RULES, *MAIL_RULES, CAPTCHAS_PER_IP, *CODE_RULES)


_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "5/15m" → (5, 900): events allowed, window in seconds. ValueError when malformed."""
    match = _RATE.match(rate.strip())
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"not a rate like '5/15m': {rate!r}")
    return int(match.group(1)), int(match.group(2) or 1) * _UNIT_SECONDS[match.group(3)]


def wait_minutes(rules: tuple[Rule, ...]) -> int:
    """How long someone who reached one of these limits waits at most, in whole minutes: a
    place comes free `window` after the event that took it."""
    return max(-(-parse_rate(rule.rate)[1] // 60) for rule in rules)


def take_all(
    rules: tuple[Rule, ...],
    request: HttpRequest,
    address: str,
    refusal: Callable[[], TooManyAttempts],
) -> list[Claim]:
    """One event counted by each rule, or `refusal()` raised and nothing counted."""
    claims: list[Claim] = []
    for rule in rules:
        claim = rule.take(request, address)
        if claim is None:
            for taken in claims:
                taken.release()
            raise refusal()
        claims.append(claim)
    return claims


def _login_limit_reached() -> TooManyAttempts:
    return TooManyAttempts(
        _(
            "Trop de tentatives de connexion ont échoué pour cette adresse ou depuis votre "
            "réseau. Patientez %(minutes)d minutes avant de réessayer, ou choisissez un "
            "nouveau mot de passe avec « Mot de passe oublié ? »."
        )
        % {"minutes": wait_minutes(LOGIN_RULES)}
    )


@dataclass
class PasswordAttempt:
    """A password check, counted as a failed login unless `succeeded()` is called."""

    claims: list[Claim] = field(default_factory=list)

    def succeeded(self) -> None:
        """The password was right: not a guess, its places are given back."""
        for claim in self.claims:
            claim.release()
        self.claims = []


def begin_password_check(request: HttpRequest, address: str) -> PasswordAttempt:
    """Count a password check for this address and this client *before* it is made:
    TooManyAttempts (nothing counted, the password not checked) once either limit is reached.
    The attempt stays counted unless the caller proves the password right — an error, expected
    or not, leaves it counted (fail closed). Only urne.accounts.services checks passwords."""
    return PasswordAttempt(take_all(LOGIN_RULES, request, address, _login_limit_reached))


def _code_limit_reached() -> TooManyAttempts:
    return TooManyAttempts(
        _(
            "Trop de codes de vérification erronés pour ce compte ou depuis votre réseau. "
            "Patientez %(minutes)d minutes avant de réessayer."
        )
        % {"minutes": wait_minutes(CODE_RULES)}
    )


def begin_code_check(request: HttpRequest, address: str) -> PasswordAttempt:
    """Count a second-factor code typed for the account of `address` and from this client
    *before* it is checked, as `begin_password_check` does for passwords: TooManyAttempts
    (nothing counted, the code not checked) once either limit is reached; counted unless the
    caller proves the code right. Only urne.staffauth.services checks codes."""
    return PasswordAttempt(take_all(CODE_RULES, request, address, _code_limit_reached))


def login_locked(address: str) -> bool:
    """Whether logins to `address` are refused now: the failed passwords typed for it filled
    the per-address limit (whoever typed them). The lock ends by itself `window` after the
    oldest counted failure, or with `unlock_login`."""
    if not settings.RATELIMIT_ENABLE:
        return False
    rule = LOGIN_FAILURES_PER_ADDRESS
    limit, _window = parse_rate(rule.rate)
    return _store().in_use(rule._hashed(normalize_email(address)), limit, clock.now()) >= limit


def unlock_login(address: str) -> None:
    """Forget the failed passwords counted for `address`: the one way an account's lock is
    lifted before its time, once its owner proved who they are (a new password through a link
    sent to the address, or the helpdesk's identity checks, `urne.support.helpdesk`). The
    per-client limit stays: it is the network's, not the person's."""
    LOGIN_FAILURES_PER_ADDRESS.clear_address(address)


def _mail_limit_reached() -> TooManyAttempts:
    return TooManyAttempts(
        _(
            "Trop de demandes ont été faites pour cette adresse ou depuis votre réseau. "
            "Patientez %(minutes)d minutes avant de réessayer."
        )
        % {"minutes": wait_minutes(MAIL_RULES)}
    )


def count_mail_form(request: HttpRequest) -> None:
    """Count one more submitted form that sends an email, from this client; TooManyAttempts
    (and nothing counted) once the client reached its limit. Call before validating the form,
    so that invalid submissions count too."""
    take_all((MAIL_FORMS_PER_IP,), request, "", _mail_limit_reached)


def count_mail_to(request: HttpRequest, address: str) -> None:
    """Count one more email asked for this address; TooManyAttempts once it reached its limit."""
    take_all((MAILS_PER_ADDRESS,), request, address, _mail_limit_reached)
