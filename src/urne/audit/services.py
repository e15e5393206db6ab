"""Recording staff actions, and checking the chain: the audit log's verbs.

`record` is the one function every staff action calls — the admin's add, change, delete and
actions (through `urne.backoffice.admin`), correction answers, imports, invitations, staff logins
and password resets. `verify_chain` walks the chain for `urne audit verify`. What is recorded and
what never is: docs/audit.md.
"""

from __future__ import annotations

import getpass
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F, Model
from django.http import HttpRequest
from django.utils.translation import gettext as _

from urne import clock
from urne.audit.context import current_source, request_source
from urne.audit.models import GENESIS, AuditChainHead, AuditEntry
from urne.backoffice import access
from urne.backoffice.models import StaffScope

Who = HttpRequest | AbstractBaseUser | AnonymousUser | None

ACTION: Final = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")

# Never in an entry: what would let a reader log in, vote or read a vote. Checked on every key of
# the details, at any depth, whoever calls.
FORBIDDEN_DETAILS: Final = re.compile(
    r"pass|token|secret|credential|identifi|ballot|bulletin|otp|totp|recovery|private",
    re.IGNORECASE,
)

# How many entries this context (a request, an admin action) has recorded: an admin action that
# recorded its own entries (answering corrections) gets no generic one on top.
_recorded: ContextVar[int] = ContextVar("urne_audit_recorded", default=0)


class ForbiddenDetail(ValueError):
    """A detail that must never be written in the audit log (a password, a token...)."""


def _check_details(value: Any, path: str = "") -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if FORBIDDEN_DETAILS.search(str(key)):
                raise ForbiddenDetail(f"never recorded in the audit log: {path}{key}")
            _check_details(item, f"{path}{key}.")
    elif isinstance(value, list | tuple):
        for item in value:
            _check_details(item, path)


def _json(value: Any) -> Any:
    """The details as the database gives them back (so that the hash holds once read)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def actor_role(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """Who the actor was when they acted: superuser, or their perimeters, in words."""
    if user is None:
        return _("système (commande ou tâche de fond)")
    reach = access.staff_reach(user)
    if reach.unrestricted:
        return _("superutilisateur")
    if not getattr(user, "is_staff", False) or user.pk is None:
        return _("électeur ou visiteur")
    scopes = StaffScope.objects.filter(user_id=user.pk).select_related(
        "campaign", "academy", "union"
    )
    names = sorted(str(scope) for scope in scopes)
    return ("; ".join(names) or _("personnel sans périmètre"))[:255]


def _actor(user: AbstractBaseUser | AnonymousUser | None) -> tuple[int | None, str]:
    if user is None or not user.is_authenticated:
        try:
            account = getpass.getuser()
        except (KeyError, OSError):  # no name for this process's user
            account = "?"
        return None, _("système (compte %(account)s)") % {"account": account}
    return user.pk, str(user.get_username())[:254]


def _follow(obj: Model, path: str | None) -> int | None:
    """The id at the end of a lookup path of the access rules ("elector__academy")."""
    if path is None:
        return None
    if path == "pk":
        return obj.pk  # type: ignore[no-any-return]
    target: Any = obj
    for part in path.split("__"):
        target = getattr(target, part, None)  # a missing relation raises an AttributeError
        if target is None:
            return None
    return target.pk  # type: ignore[no-any-return]


def scope_of(obj: Model) -> tuple[int | None, int | None]:
    """The campaign and academy an object belongs to, by the access layer's own rules: an entry
    about it is read by whoever reaches them. An object without a rule: nobody but superusers."""
    rule = access.rule_for(type(obj))
    if rule is None:
        return None, None
    return _follow(obj, rule.campaign), _follow(obj, rule.academy)


def _actor_scope(user: AbstractBaseUser | AnonymousUser | None) -> tuple[int | None, int | None]:
    """For an entry about the actor themselves (a login): their perimeter, if it is one place."""
    if user is None or not user.is_authenticated:
        return None, None
    rows = list(
        StaffScope.objects.filter(user_id=user.pk).values_list(
            "campaign_id", "academy_id", "academy__campaign_id", "union__campaign_id"
        )
    )
    if len(rows) != 1:
        return None, None
    campaign, academy, academy_campaign, union_campaign = rows[0]
    return campaign or academy_campaign or union_campaign, academy


def _lock_head() -> AuditChainHead:
    """The chain's head, locked until the transaction ends. Call inside `transaction.atomic`.

    Writing the row first takes its lock on PostgreSQL (a second append waits, then reads the
    head the first one left) and the write lock on SQLite, whatever its transaction mode: no
    two appends ever read the same head."""
    heads = AuditChainHead.objects.filter(pk=AuditChainHead.ROW)
    if not heads.update(sequence=F("sequence")):
        # First entry (or a head lost): start from the last entry, never from scratch.
        last = AuditEntry.objects.order_by("-sequence").only("sequence", "hash").first()
        start = AuditChainHead(
            pk=AuditChainHead.ROW,
            sequence=last.sequence if last else 0,
            hash=last.hash if last else GENESIS,
        )
        AuditChainHead.objects.bulk_create([start], ignore_conflicts=True)
        heads.update(sequence=F("sequence"))
    return heads.get()


def record(
    who: Who,
    action: str,
    obj: Model | None = None,
    *,
    description: str = "",
    campaign: int | None = None,
    academy: int | None = None,
    **details: Any,
) -> AuditEntry:
    """Append one entry: `who` acted (a request, whose user and address are taken; a user; or
    None for the system), `action` is a stable code ("correction.accept"), `obj` what it acted
    on. `details` are names and counts, never a password, token, voting identifier or ballot
    (ForbiddenDetail). The address comes from the request, or from the request being served
    (`urne.audit.context`).

    Runs in the caller's transaction if there is one (an action rolled back leaves no entry),
    holding the chain's head until it ends."""
    if not ACTION.match(action):
        raise ValueError(f"not an action code: {action!r}")
    _check_details(details)
    if isinstance(who, HttpRequest):
        user: AbstractBaseUser | AnonymousUser | None = who.user
        source = request_source(who)
    else:
        user = cast(AbstractBaseUser | AnonymousUser | None, who)
        source = current_source.get()
    actor_id, label = _actor(user)
    if obj is not None:
        found = scope_of(obj)
        object_type = obj._meta.label_lower
        object_id = str(obj.pk if obj.pk is not None else "")
        object_repr = description or str(obj)
    else:
        found = (None, None)
        object_type = object_id = ""
        object_repr = description
    if campaign is None and academy is None:
        campaign, academy = found
    if campaign is None and academy is None and isinstance(obj, AbstractBaseUser) and obj == user:
        campaign, academy = _actor_scope(user)
    with transaction.atomic():
        head = _lock_head()
        entry = AuditEntry(
            sequence=head.sequence + 1,
            at=clock.now(),
            actor_id=actor_id,
            actor_label=label,
            actor_role=actor_role(user),
            action=action,
            object_type=object_type,
            object_id=object_id[:64],
            object_repr=object_repr[:200],
            campaign_id=campaign,
            academy_id=academy,
            details=_json(details),
            source=source[:64],
            previous_hash=head.hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        AuditChainHead.objects.filter(pk=AuditChainHead.ROW).update(
            sequence=entry.sequence, hash=entry.hash
        )
    _recorded.set(_recorded.get() + 1)
    return entry


@contextmanager
def counting() -> Iterator[list[int]]:
    """Count the entries recorded within the block: `with counting() as count: ...; count[0]`."""
    before = _recorded.get()
    count = [0]
    try:
        yield count
    finally:
        count[0] = _recorded.get() - before


@dataclass(frozen=True)
class ChainProblem:
    """The first place the chain breaks: the entry's number, what kind of break, in French."""

    sequence: int
    kind: str  # "edited", "removed", "reordered", "head"
    message: str


@dataclass(frozen=True)
class ChainReport:
    entries: int
    last_sequence: int
    last_hash: str
    problem: ChainProblem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_chain() -> ChainReport:
    """Walk the chain in order, checking that the numbers follow each other from 1, that each
    entry names the hash of the one before it, that each hash is its entry's, and that the chain
    ends where its head says. Stops at the first break."""
    expected, previous, count = 1, GENESIS, 0

    def report(problem: ChainProblem | None) -> ChainReport:
        return ChainReport(count, expected - 1, previous, problem)

    for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
        if entry.sequence != expected:
            message = (
                _("L'entrée n° %(first)d manque : elle a été supprimée du journal.")
                % {"first": expected}
                if entry.sequence == expected + 1
                else _(
                    "Les entrées n° %(first)d à %(last)d manquent : elles ont été supprimées "
                    "du journal."
                )
                % {"first": expected, "last": entry.sequence - 1}
            )
            return report(ChainProblem(expected, "removed", message))
        if entry.previous_hash != previous:
            return report(
                ChainProblem(
                    entry.sequence,
                    "reordered",
                    _(
                        "L'entrée n° %(number)d ne suit pas l'entrée n° %(before)d : elle ne "
                        "porte pas son empreinte. Des entrées ont été déplacées, insérées ou "
                        "remplacées."
                    )
                    % {"number": entry.sequence, "before": entry.sequence - 1},
                )
            )
        if entry.compute_hash() != entry.hash:
            return report(
                ChainProblem(
                    entry.sequence,
                    "edited",
                    _(
                        "L'entrée n° %(number)d a été modifiée : son contenu ne correspond plus "
                        "à son empreinte."
                    )
                    % {"number": entry.sequence},
                )
            )
        previous, expected, count = entry.hash, expected + 1, count + 1
    head = AuditChainHead.objects.filter(pk=AuditChainHead.ROW).first()
    last = expected - 1
    if head is None and count == 0:
        return report(None)
    if head is None or head.sequence != last or head.hash != previous:
        announced = head.sequence if head is not None else "?"
        return report(
            ChainProblem(
                last + 1,
                "head",
                _(
                    "Le journal s'arrête à l'entrée n° %(last)d, mais sa tête annonce l'entrée "
                    "n° %(head)s : les dernières entrées ont été supprimées ou la tête modifiée."
                )
                % {"last": last, "head": announced},
            )
        )
    return report(None)
