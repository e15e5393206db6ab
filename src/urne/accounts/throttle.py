"""How often a visitor may try: failed logins, and requests that send an email.

Counters live in the shared cache (django-ratelimit), so every web process sees the same numbers.
They are keyed on the address *as typed* (normalized), never on whether an account exists, so a
limit reached says nothing about the rolls. The client address is the one django-ratelimit reads
(REMOTE_ADDR, or RATELIMIT_IP_META_KEY behind a proxy); IPv6 clients count per /64.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from urne.campaign.models import normalize_email
from urne.web.errors import TooManyAttempts

KeyKind = Literal["ip", "address"]


@dataclass(frozen=True)
class Rule:
    """At most so many counted events per window: django-ratelimit's rate ("5/15m"), read from
    the setting named `setting` (docs/accounts.md), `default` when it is not set."""

    group: str
    setting: str
    default: str
    key: KeyKind

    @property
    def rate(self) -> str:
        return str(getattr(settings, self.setting, "") or self.default)

    def _usage(self, request: HttpRequest, address: str, increment: bool) -> dict[str, int] | None:
        typed = f"address:{normalize_email(address)}"
        key = "ip" if self.key == "ip" else (lambda _group, _request: typed)
        return get_usage(  # type: ignore[no-any-return]
            request, group=self.group, key=key, rate=self.rate, increment=increment
        )

    def reached(self, request: HttpRequest, address: str = "") -> bool:
        """True once `limit` events were counted in the current window."""
        usage = self._usage(request, address, increment=False)
        if usage is None:  # rate limiting switched off (URNE_RATELIMIT_ENABLE=0)
            return False
        return bool(usage["count"] >= usage["limit"])

    def count(self, request: HttpRequest, address: str = "") -> None:
        self._usage(request, address, increment=True)


# Failed password checks (login, and the confirmation page which asks for the password too).
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


ALL_RULES = (*LOGIN_RULES, *MAIL_RULES, CAPTCHAS_PER_IP)


_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "5/15m" → (5, 900): events allowed, window in seconds. ValueError when malformed."""
    match = _RATE.match(rate.strip())
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"not a rate like '5/15m': {rate!r}")
    return int(match.group(1)), int(match.group(2) or 1) * _UNIT_SECONDS[match.group(3)]


def wait_minutes(rules: tuple[Rule, ...]) -> int:
    """How long someone who reached one of these limits waits at most, in whole minutes."""
    return max(-(-parse_rate(rule.rate)[1] // 60) for rule in rules)


def check_login_allowed(request: HttpRequest, address: str) -> None:
    """TooManyAttempts once failed logins for this address, or from this client, reached
    their limit: then even the right password is not checked."""
    if any(rule.reached(request, address) for rule in LOGIN_RULES):
        raise TooManyAttempts(
            _(
                "Trop de tentatives de connexion ont échoué pour cette adresse ou depuis votre "
                "réseau. Patientez %(minutes)d minutes avant de réessayer, ou choisissez un "
                "nouveau mot de passe avec « Mot de passe oublié ? »."
            )
            % {"minutes": wait_minutes(LOGIN_RULES)}
        )


def count_failed_login(request: HttpRequest, address: str) -> None:
    for rule in LOGIN_RULES:
        rule.count(request, address)


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
    if MAIL_FORMS_PER_IP.reached(request):
        raise _mail_limit_reached()
    MAIL_FORMS_PER_IP.count(request)


def count_mail_to(request: HttpRequest, address: str) -> None:
    """Count one more email asked for this address; TooManyAttempts once it reached its limit."""
    if MAILS_PER_ADDRESS.reached(request, address):
        raise _mail_limit_reached()
    MAILS_PER_ADDRESS.count(request, address)
