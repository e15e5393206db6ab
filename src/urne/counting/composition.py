"""The bureau's keys: who holds which fragment, and why that enforces the rule (docs/bureau.md).

DOMAIN.md's rule on decryption keys: at least one fragment each to the president and the
secretary; at least two thirds of the fragments to union delegates; at most two per member;
opening needs at least three members: the president or the secretary, and two delegates of
different unions.

urne expresses it with two Belenios "Pedersen" trustee items whose public keys multiply (the
election key is their product, so *both* must be opened):

- the presidency group: the president and the secretary, one fragment each, threshold 1 (either
  one opens it);
- the unions group: two fragments per union, both held by the union's one key-holding delegate,
  threshold 3: one delegate (2 fragments) cannot open it, two delegates of different unions
  (4 fragments) can; a union has one delegate here, so no union can stand in for two.

Fragments: 2 to the presidency, 2U to delegates: 2U / (2U + 2) ≥ 2/3 as soon as U ≥ 2.

This module is pure (no Django): `plan_fragments` builds the plan from the members, `check_*`
checks each clause on a plan (`check_plan` all of them), `opens` says whether a set of members
can open the keys of a plan: what the member pages show, and what the tests check exhaustively.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from django.utils.translation import gettext as _

from urne.web.errors import VisitorError


class CompositionRefused(VisitorError):
    """A bureau whose composition breaks the rule; the message says which clause."""


class Role(enum.StrEnum):
    PRESIDENT = "president"
    SECRETARY = "secretary"
    DELEGATE = "delegate"


class KeyGroup(enum.StrEnum):
    """The two trustee items of trustees.json, in this order."""

    PRESIDENCY = "presidency"
    UNIONS = "unions"


THRESHOLDS = {KeyGroup.PRESIDENCY: 1, KeyGroup.UNIONS: 3}
"""Fragments needed to open each group (Belenios' ``threshold``: t + 1)."""

FRAGMENTS_PER_ROLE = {Role.PRESIDENT: 1, Role.SECRETARY: 1, Role.DELEGATE: 2}
MAX_FRAGMENTS_PER_MEMBER = 2
DELEGATES_SHARE = Fraction(2, 3)
MIN_UNIONS = 2


@dataclass(frozen=True)
class Member:
    """A member of the bureau as the rule sees them: a key (their id), a role, a union."""

    key: int
    role: Role
    union: int | None = None


@dataclass(frozen=True)
class Fragment:
    """One trustee of one group: held by `member`, at `position` (from 1) in its group."""

    member: int
    group: KeyGroup
    position: int


@dataclass(frozen=True)
class Plan:
    members: tuple[Member, ...]
    fragments: tuple[Fragment, ...]
    thresholds: tuple[tuple[KeyGroup, int], ...]

    def threshold(self, group: KeyGroup) -> int:
        return dict(self.thresholds)[group]

    def member(self, key: int) -> Member:
        return next(member for member in self.members if member.key == key)

    def of_group(self, group: KeyGroup) -> list[Fragment]:
        return [fragment for fragment in self.fragments if fragment.group == group]


# --- the members ----------------------------------------------------------------------------------


def check_members(members: Sequence[Member]) -> None:
    """The members a plan can be made of: one president, one secretary (neither for a union),
    delegates each for a union, one key-holding delegate per union, at least two unions."""
    roles = Counter(member.role for member in members)
    if roles[Role.PRESIDENT] != 1 or roles[Role.SECRETARY] != 1:
        raise CompositionRefused(
            _(
                "Le bureau de vote doit compter exactement un président et un secrétaire : "
                "chacun reçoit un fragment de clé."
            )
        )
    if len({member.key for member in members}) != len(members):
        raise CompositionRefused(_("Une même personne ne peut occuper deux places du bureau."))
    for member in members:
        if member.role == Role.DELEGATE and member.union is None:
            raise CompositionRefused(
                _("Chaque délégué syndical du bureau représente une organisation syndicale.")
            )
        if member.role != Role.DELEGATE and member.union is not None:
            raise CompositionRefused(
                _("Le président et le secrétaire ne représentent pas d'organisation syndicale.")
            )
    unions = Counter(member.union for member in members if member.role == Role.DELEGATE)
    if any(count > 1 for count in unions.values()):
        raise CompositionRefused(
            _(
                "Un seul délégué par organisation syndicale détient les fragments de clé de son "
                "organisation : deux délégués d'une même organisation pourraient sinon tenir "
                "lieu de deux organisations."
            )
        )
    if len(unions) < MIN_UNIONS:
        raise CompositionRefused(
            _(
                "Le bureau de vote doit compter des délégués d'au moins deux organisations "
                "syndicales : l'ouverture de l'urne en demande deux."
            )
        )


def plan_fragments(members: Sequence[Member]) -> Plan:
    """The fragments of `members` (checked first): the president then the secretary in the
    presidency group; each delegate's two fragments, side by side, in the unions group, in the
    order given. The plan is checked clause by clause before it is returned."""
    check_members(members)
    fragments = []
    for group, roles in (
        (KeyGroup.PRESIDENCY, (Role.PRESIDENT, Role.SECRETARY)),
        (KeyGroup.UNIONS, (Role.DELEGATE,)),
    ):
        position = 0
        for role in roles:
            for member in members:
                if member.role != role:
                    continue
                for _count in range(FRAGMENTS_PER_ROLE[role]):
                    position += 1
                    fragments.append(Fragment(member.key, group, position))
    plan = Plan(
        members=tuple(members),
        fragments=tuple(fragments),
        thresholds=tuple(THRESHOLDS.items()),
    )
    check_plan(plan)
    return plan


# --- each clause, on a plan -----------------------------------------------------------------------


def _held(plan: Plan) -> Counter[int]:
    return Counter(fragment.member for fragment in plan.fragments)


def check_president_and_secretary_hold(plan: Plan) -> None:
    """Clause 1: at least one fragment each to the president and the secretary."""
    held = _held(plan)
    for member in plan.members:
        if member.role in (Role.PRESIDENT, Role.SECRETARY) and not held[member.key]:
            raise CompositionRefused(
                _("Le président et le secrétaire reçoivent chacun au moins un fragment de clé.")
            )
    if not any(member.role == Role.PRESIDENT for member in plan.members) or not any(
        member.role == Role.SECRETARY for member in plan.members
    ):
        raise CompositionRefused(
            _("Le président et le secrétaire reçoivent chacun au moins un fragment de clé.")
        )


def check_delegates_share(plan: Plan) -> None:
    """Clause 2: at least two thirds of the fragments to union delegates."""
    delegates = {member.key for member in plan.members if member.role == Role.DELEGATE}
    theirs = sum(1 for fragment in plan.fragments if fragment.member in delegates)
    if not plan.fragments or Fraction(theirs, len(plan.fragments)) < DELEGATES_SHARE:
        raise CompositionRefused(
            _(
                "Au moins deux tiers des fragments de clé vont aux délégués syndicaux "
                "(ici %(theirs)d sur %(total)d)."
            )
            % {"theirs": theirs, "total": len(plan.fragments)}
        )


def check_at_most_two(plan: Plan) -> None:
    """Clause 3: no member holds more than two fragments."""
    for _member, count in _held(plan).items():
        if count > MAX_FRAGMENTS_PER_MEMBER:
            raise CompositionRefused(
                _("Un membre du bureau détient au plus deux fragments de clé (ici %(count)d).")
                % {"count": count}
            )


def allowed_to_open(plan: Plan, present: Collection[int]) -> bool:
    """What the rule allows: among `present`, the president or the secretary, and two delegates
    of different unions."""
    members = [plan.member(key) for key in present]
    head = any(member.role in (Role.PRESIDENT, Role.SECRETARY) for member in members)
    unions = {member.union for member in members if member.role == Role.DELEGATE}
    return head and len(unions) >= MIN_UNIONS


def opens(plan: Plan, present: Collection[int]) -> bool:
    """What the keys allow: `present` members hold enough fragments of every group (the
    election key is the product of the groups' keys: each must be opened)."""
    for group, threshold in plan.thresholds:
        held = sum(1 for fragment in plan.of_group(group) if fragment.member in present)
        if held < threshold:
            return False
    return True


def check_opening(plan: Plan) -> None:
    """Clause 4: exactly the sets of members the rule allows can open the keys (every subset
    of the members is tried: a bureau has a handful)."""
    keys = [member.key for member in plan.members]
    for size in range(len(keys) + 1):
        for present in combinations(keys, size):
            if opens(plan, present) and not allowed_to_open(plan, present):
                raise CompositionRefused(
                    _(
                        "Ces fragments de clé permettraient d'ouvrir l'urne sans le président ou "
                        "le secrétaire et deux délégués d'organisations différentes."
                    )
                )
            if allowed_to_open(plan, present) and not opens(plan, present):
                raise CompositionRefused(
                    _(
                        "Ces fragments de clé ne permettraient pas d'ouvrir l'urne avec le "
                        "président ou le secrétaire et deux délégués d'organisations différentes."
                    )
                )


def check_plan(plan: Plan) -> None:
    """Every clause of the rule, on `plan`."""
    check_president_and_secretary_hold(plan)
    check_delegates_share(plan)
    check_at_most_two(plan)
    check_opening(plan)


def openers(plan: Plan, member: int) -> list[frozenset[int]]:
    """The smallest sets of members, `member` among them, that open the keys (what the member
    page shows: with whom their key opens the ballot box)."""
    others = [key.key for key in plan.members if key.key != member]
    found: list[frozenset[int]] = []
    for size in range(len(others) + 1):
        for chosen in combinations(others, size):
            present = frozenset((member, *chosen))
            if opens(plan, present) and not any(smaller <= present for smaller in found):
                found.append(present)
    return found


def members_from(rows: Iterable[tuple[int, str, int | None]]) -> list[Member]:
    """Members from (key, role value, union id) rows."""
    return [Member(key, Role(role), union) for key, role, union in rows]
