"""The seal's components, each computed from what is deployed and stored now.

A `Component` is a name, the SHA-256 of what it covers (hex) and that content (`data`, JSON),
so that a verification can say *what* changed, not only that something did. The components:

- ``code``: every file of the installed `urne` package (sources, templates, static files, message
  catalogues; not the bytecode caches). Its hash is the SHA-256 of the ``sha256sum`` listing of
  those files, named ``urne/...`` and sorted bytewise: the same shell pipeline recomputes it.
- ``distributions``: the exact version of every installed Python distribution and of Python
  itself, one ``name==version`` line each, sorted.
- ``booth``: the booth's JavaScript as the server serves it (the collected file under
  STATIC_ROOT when the server serves those, else the one the static finders find).
- ``settings``: the documented non-secret settings that change behaviour (`SEALED_SETTINGS`), and
  of the secret ones only their presence, or a key check value (`SECRET_SETTINGS`).
- ``scrutin:CODE``, one per scrutin of the campaign: its election's uuid and fingerprint, the
  hashes of its election text, trustees, public credential list and board setup, and its
  validated lists in official order with their unions, candidates and profession de foi's hash.
- ``box``: for each sealed election, the ballots and émargements present at the seal (0).

The whole fingerprint is the SHA-256 of the lines ``HASH  NAME`` of the components, sorted by
name. JSON components hash their data's canonical text (`canonical`: keys sorted, no spaces,
UTF-8). How an expert recomputes each one: docs/sealing.md.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.metadata
import json
import os
import platform
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

import urne
from urne.campaign.models import Campaign, Scrutin
from urne.candidacies.models import CandidateList
from urne.voting.models import Ballot, Emargement, ScrutinElection
from urne.voting.setup import credential_list_text

CODE = "code"
DISTRIBUTIONS = "distributions"
BOOTH = "booth"
SETTINGS = "settings"
BOX = "box"
SCRUTIN_PREFIX = "scrutin:"

BOOTH_STATIC_PREFIX = "urne/voting/"
"""The booth's scripts: every ``.js`` static file under this folder (booth, worker, crypto)."""

SEALED_SETTINGS: tuple[str, ...] = (
    "PRODUCTION",
    "DEBUG",
    "DEMO",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "ROOT_URLCONF",
    "AUTH_USER_MODEL",
    "PASSWORD_HASHERS",
    "AUTH_PASSWORD_VALIDATORS",
    "PASSWORD_RESET_TIMEOUT",
    "LANGUAGE_CODE",
    "TIME_ZONE",
    "USE_TZ",
    "STATIC_URL",
    "STORAGES",
    "SESSION_ENGINE",
    "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
    "EMAIL_BACKEND",
    "DEFAULT_FROM_EMAIL",
    "CELERY_TASK_ALWAYS_EAGER",
    "CELERY_TASK_ROUTES",
    "CAPTCHA_TEST_MODE",
    "CAPTCHA_LENGTH",
    "CAPTCHA_TIMEOUT",
    "RATELIMIT_ENABLE",
    "RATELIMIT_IP_META_KEY",
    "URNE_RATE_LOGIN_PER_ADDRESS",
    "URNE_RATE_LOGIN_PER_IP",
    "URNE_RATE_MAIL_PER_ADDRESS",
    "URNE_RATE_MAIL_PER_IP",
    "URNE_RATE_IDENTIFIER_SENDINGS",
    "URNE_RATE_IDENTIFIER_WRONG_ANSWERS",
    "URNE_RATE_IDENTIFIER_WRONG_ANSWERS_PER_DAY",
    "URNE_RATE_IDENTIFIER_WRONG_ANSWERS_PER_NETWORK",
    "URNE_RATE_CODE_PER_ACCOUNT",
    "URNE_RATE_CODE_PER_IP",
    "URNE_RATE_CAPTCHA_PER_IP",
    "URNE_RATE_CAST_PER_ELECTOR",
    "URNE_PREPARED_ELECTIONS",
    "URNE_RECEIPT_DELAY_SECONDS",
    "URNE_PROFESSION_DE_FOI_MAX_BYTES",
    "URNE_IMPORT_MAX_BYTES",
    "URNE_AUTHORITY_PUBLIC_KEY",
    "URNE_SMS_BACKEND",
    "URNE_MAILING_RATE",
    "URNE_SEAL_REQUIRED",
    "OTP_TOTP_ISSUER",
    "OTP_TOTP_THROTTLE_FACTOR",
    "OTP_STATIC_THROTTLE_FACTOR",
)
"""The non-secret settings whose value is sealed (docs/sealing.md lists them with a reason).
Besides these, the database's and the cache's engines (`_engines`)."""

PRESENCE = "presence"
KEY_CHECK = "key-check"

SECRET_SETTINGS: dict[str, str] = {
    "SECRET_KEY": PRESENCE,
    "URNE_PSEUDONYM_KEY": KEY_CHECK,
    "EMAIL_HOST_PASSWORD": PRESENCE,
    "DATABASES.default.PASSWORD": PRESENCE,
    "REDIS_URL": PRESENCE,
    "CELERY_BROKER_URL": PRESENCE,
    "URNE_AUTHORITY_PRIVATE_KEY": PRESENCE,
}
"""The secret settings (or settings that may hold a password): never their value. PRESENCE:
only « set » or « unset ». KEY_CHECK: a key check value, the first 16 hex digits of
HMAC-SHA256(key, KEY_CHECK_LABEL), which says whether the key changed without revealing it
(the pseudonym key must not change during a campaign: the stored credentials would no longer be
found)."""

KEY_CHECK_LABEL = b"urne seal: key check value"


@dataclass(frozen=True)
class Component:
    name: str
    hash: str
    """SHA-256 of what the component covers, hex."""
    data: Any
    """What it covers, JSON (what a verification compares to say what changed)."""

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "hash": self.hash, "data": self.data}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Component:
        return cls(name=value["name"], hash=value["hash"], data=value["data"])


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical(data: Any) -> str:
    """The text a JSON component's hash is taken of (``jq -cjS`` prints the same)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def json_component(name: str, data: Any) -> Component:
    return Component(name, sha256(canonical(data)), data)


def listing(hashes: dict[str, str]) -> str:
    """``sha256sum``'s output for these files (name → hash), sorted bytewise by name."""
    return "".join(f"{hashes[name]}  {name}\n" for name in sorted(hashes, key=_bytewise))


def _bytewise(name: str) -> bytes:
    return name.encode("utf-8")


def whole_fingerprint(components: Iterable[Component]) -> str:
    """SHA-256 of the lines ``HASH  NAME``, one per component, sorted by name."""
    return sha256(listing({component.name: component.hash for component in components}))


# --- the deployed code ---------------------------------------------------------------------------


def code_root() -> Path:
    """The installed `urne` package's folder (src/urne in a checkout installed editable)."""
    return Path(urne.__file__).resolve().parent


def _skipped(name: str) -> bool:
    return name.endswith((".pyc", ".pyo"))


def package_files(root: Path) -> dict[str, str]:
    """Every regular file under `root` (symbolic links and bytecode caches left out, as
    ``find -type f`` and the pipeline of docs/sealing.md leave them), named
    ``<root's name>/relative/path`` → its SHA-256."""
    hashes = {}
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name != "__pycache__"]
        for name in names:
            path = Path(folder) / name
            if _skipped(name) or path.is_symlink() or not path.is_file():
                continue
            relative = path.relative_to(root).as_posix()
            hashes[f"{root.name}/{relative}"] = file_sha256(path)
    return hashes


def code_component(root: Path | None = None) -> Component:
    files = package_files(root or code_root())
    return Component(CODE, sha256(listing(files)), {"files": files})


def _canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_distributions() -> list[str]:
    """``name==version`` of Python and of every installed distribution, sorted."""
    found = {
        f"{_canonical_name(dist.metadata['Name'])}=={dist.version}"
        for dist in importlib.metadata.distributions()
        if dist.metadata["Name"]
    }
    found.add(f"python=={platform.python_version()}")
    return sorted(found, key=_bytewise)


def distributions_component(lines: list[str] | None = None) -> Component:
    lines = installed_distributions() if lines is None else lines
    return Component(DISTRIBUTIONS, sha256("".join(f"{line}\n" for line in lines)), lines)


# --- the booth's JavaScript as served ------------------------------------------------------------


def booth_script_names() -> list[str]:
    """The static names of the booth's scripts, as the static finders know them."""
    names = set()
    for finder in finders.get_finders():
        for name, _storage in finder.list([]):
            name = name.replace(os.sep, "/")
            if name.startswith(BOOTH_STATIC_PREFIX) and name.endswith((".js", ".mjs")):
                names.add(name)
    return sorted(names, key=_bytewise)


def served_file(name: str) -> Path | None:
    """The file the server sends for the static `name`: with DEBUG off, WhiteNoise serves the
    collected files (under their hashed name in production) when they exist; otherwise the
    static finders' file."""
    if not settings.DEBUG:
        stored = name
        stored_name = getattr(staticfiles_storage, "stored_name", None)
        if stored_name is not None:
            try:
                stored = stored_name(name)
            except ValueError:  # not collected
                stored = name
        try:
            if staticfiles_storage.exists(stored):
                return Path(staticfiles_storage.path(stored))
        except NotImplementedError:  # a storage without local files
            pass
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None


def served_url(name: str) -> str:
    try:
        return str(staticfiles_storage.url(name))
    except ValueError:  # a manifest storage before collectstatic
        return f"{settings.STATIC_URL}{name}"


def booth_component() -> Component:
    files = {}
    for name in booth_script_names():
        path = served_file(name)
        files[name] = {
            "url": served_url(name),
            "sha256": file_sha256(path) if path is not None else "absent",
        }
    manifest = listing({name: entry["sha256"] for name, entry in files.items()})
    return Component(BOOTH, sha256(manifest), {"files": files})


# --- the configuration ---------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A setting's value as JSON: paths, lazy texts and decimal numbers as strings (a decimal
    number is written differently by JSON tools: 10.0 or 10), tuples as lists."""
    if isinstance(value, float):
        return repr(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(item) for item in value]
        return sorted(items, key=canonical) if isinstance(value, set | frozenset) else items
    if isinstance(value, Path):
        return str(value)
    return str(value)


def _engines() -> dict[str, Any]:
    return {
        "DATABASES.default.ENGINE": settings.DATABASES["default"].get("ENGINE"),
        "CACHES.default.BACKEND": settings.CACHES["default"].get("BACKEND"),
        "LANGUAGES": [code for code, _name in settings.LANGUAGES],
    }


def _secret_value(name: str) -> Any:
    if name == "DATABASES.default.PASSWORD":
        return settings.DATABASES["default"].get("PASSWORD")
    return getattr(settings, name, None)


def key_check_value(secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), KEY_CHECK_LABEL, hashlib.sha256).hexdigest()[:16]


def secret_facts() -> dict[str, str]:
    facts = {}
    for name, kind in SECRET_SETTINGS.items():
        value = _secret_value(name)
        if not value:
            facts[name] = "unset"
        elif kind == KEY_CHECK:
            facts[name] = f"kcv:{key_check_value(str(value))}"
        else:
            facts[name] = "set"
    return facts


def settings_component() -> Component:
    values = {name: plain(getattr(settings, name, None)) for name in SEALED_SETTINGS}
    values.update(_engines())
    return json_component(SETTINGS, {"values": values, "secrets": secret_facts()})


# --- each scrutin's election setup ---------------------------------------------------------------


def _upload_sha256(candidate_list: CandidateList) -> str | None:
    upload = candidate_list.profession_de_foi
    if not upload:
        return None
    try:
        with upload.open("rb") as stream:
            digest = hashlib.sha256()
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()
    except OSError:
        return "absent"


def counting_rules(scrutin: Scrutin) -> dict[str, Any]:
    """What turns the scrutin's counts into seats: its seats of titulaires and suppléants, those
    of each grade when it is counted grade by grade, the rule for lists with fewer candidates
    than their seats, and whether a tie goes to the list with more candidates."""
    return {
        "seats": scrutin.seats,
        "substitute_seats": scrutin.substitute_seats,
        "grades": [
            {"grade": grade.grade, "seats": grade.seats, "substitutes": grade.substitute_seats}
            for grade in scrutin.grade_seats.order_by("grade")
        ],
        "short_list_rule": scrutin.short_list_rule,
        "tie_by_candidates": scrutin.tie_by_candidates,
    }


def scrutin_setup(scrutin: Scrutin) -> dict[str, Any]:
    """What a scrutin's vote is made of: its counting rules, its election (if any) and its
    validated lists."""
    election = ScrutinElection.objects.filter(scrutin=scrutin).first()
    election_facts: dict[str, Any] | None = None
    if election is not None:
        election_facts = {
            "uuid": election.uuid,
            "sealed": election.is_sealed,
            "fingerprint": election.fingerprint,
            "election_sha256": sha256(election.election),
            "trustees_sha256": sha256(election.trustees),
            "credential_list_sha256": sha256(credential_list_text(election)),
            "credential_count": election.credentials.count(),
            "board_setup_sha256": sha256(bytes(election.setup_archive)),
        }
    lists = (
        CandidateList.objects.filter(scrutin=scrutin, status=CandidateList.Status.VALIDATED)
        .order_by("position", "pk")
        .prefetch_related("unions", "candidates")
    )
    return {
        "code": scrutin.code,
        "name": scrutin.name,
        "kind": scrutin.kind,
        "counting": counting_rules(scrutin),
        "election": election_facts,
        "lists": [
            {
                "position": candidate_list.position,
                "title": candidate_list.title,
                "unions": sorted(union.acronym for union in candidate_list.unions.all()),
                "profession_de_foi_sha256": _upload_sha256(candidate_list),
                "candidates": [
                    {
                        "rank": candidate.position,
                        "civilite": candidate.civilite,
                        "last_name": candidate.last_name,
                        "first_name": candidate.first_name,
                        "corps_grade": candidate.corps_grade,
                        "affectation": candidate.affectation,
                    }
                    for candidate in sorted(candidate_list.candidates.all(), key=_rank)
                ],
            }
            for candidate_list in lists
        ],
    }


def _rank(candidate: Any) -> int:
    return int(candidate.position)


def scrutin_components(campaign: Campaign) -> list[Component]:
    return [
        json_component(f"{SCRUTIN_PREFIX}{scrutin.code}", scrutin_setup(scrutin))
        for scrutin in campaign.scrutins.order_by("code")
    ]


# --- the ballot box and the émargement -----------------------------------------------------------


def box_component(
    campaign: Campaign, sealed_at: datetime | None = None, heights: dict[str, int] | None = None
) -> Component:
    """For each sealed election of `campaign`: the board's height at the seal, the ballots in
    the board up to that height and the émargements signed before `sealed_at`.

    At the seal (`heights` None): the board's height now and every ballot and émargement, which
    must all be absent (height 0: the Setup event only). At a verification: the recorded
    heights and time, so that the ballots cast since, rightly, change nothing; a ballot or an
    émargement dated before the seal does."""
    elections = ScrutinElection.objects.filter(
        scrutin__campaign=campaign, sealed_at__isnull=False
    ).select_related("scrutin")
    scrutins = {}
    for election in elections.only("pk", "height", "scrutin__code").order_by("scrutin__code"):
        code = election.scrutin.code
        ballots = Ballot.objects.filter(election=election)
        emargements = Emargement.objects.filter(election=election)
        if heights is None or code not in heights:
            height = election.height
        else:
            height = heights[code]
            ballots = ballots.filter(height__lte=height)
        if sealed_at is not None and heights is not None:
            emargements = emargements.filter(voted_at__lt=sealed_at)
        scrutins[code] = {
            "height": height,
            "ballots": ballots.count(),
            "emargements": emargements.count(),
        }
    return json_component(BOX, {"scrutins": scrutins})


def recorded_heights(box: Component) -> dict[str, int]:
    return {code: int(facts["height"]) for code, facts in box.data["scrutins"].items()}


# --- all of them ---------------------------------------------------------------------------------


def compute_components(
    campaign: Campaign,
    *,
    sealed_at: datetime | None = None,
    heights: dict[str, int] | None = None,
    root: Path | None = None,
) -> list[Component]:
    """Every component of `campaign`'s seal as things stand, sorted by name (`box_component`
    says what `sealed_at` and `heights` are for)."""
    components = [
        code_component(root),
        distributions_component(),
        booth_component(),
        settings_component(),
        *scrutin_components(campaign),
        box_component(campaign, sealed_at, heights),
    ]
    return sorted(components, key=lambda component: _bytewise(component.name))


__all__ = [
    "BOOTH",
    "BOX",
    "CODE",
    "DISTRIBUTIONS",
    "SCRUTIN_PREFIX",
    "SEALED_SETTINGS",
    "SECRET_SETTINGS",
    "SETTINGS",
    "Component",
    "canonical",
    "code_component",
    "code_root",
    "compute_components",
    "key_check_value",
    "listing",
    "package_files",
    "recorded_heights",
    "whole_fingerprint",
]
