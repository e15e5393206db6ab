"""Sealing a campaign, and verifying its seal: the verbs the page, the command and the demo call.

- `check_campaign_sealable(campaign)`: before the vote opens; every scrutin that has validated
  lists has its election sealed (`urne.voting.setup`); the ballot box and the émargement empty.
- `do_seal_campaign(who, campaign)`: computes every component (`urne.sealing.fingerprint`),
  records a new `CampaignSeal` and an audit entry. Sealing again with nothing changed is refused
  (the last seal stands and says the same); with something changed, before the opening, it is a
  new seal, numbered next: earlier ones stay, unchanged.
- `do_verify_seal(who, campaign)`: recomputes every component now and compares with the last
  seal (`urne.sealing.compare`); records a `SealVerification` and an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils.translation import gettext as _

from urne import clock
from urne.audit import services as audit
from urne.campaign.models import Campaign
from urne.candidacies.models import CandidateList
from urne.sealing import fingerprint
from urne.sealing.compare import Change, differences
from urne.sealing.fingerprint import Component
from urne.sealing.models import CampaignSeal, SealVerification
from urne.voting.models import ScrutinElection
from urne.web.errors import VisitorError

Who = HttpRequest | AbstractBaseUser | AnonymousUser | None


class SealRefused(VisitorError):
    """A seal that cannot be made, or verified, now; the message says why."""

    status = 409


def latest_seal(campaign: Campaign) -> CampaignSeal | None:
    return CampaignSeal.objects.filter(campaign=campaign).order_by("-number").first()


def last_verification(seal: CampaignSeal) -> SealVerification | None:
    return seal.verifications.order_by("-verified_at", "-pk").first()


def seal_components(seal: CampaignSeal) -> list[Component]:
    return [Component.from_json(value) for value in seal.components]


def _label(who: Who) -> str:
    if isinstance(who, HttpRequest):
        user: Any = who.user
    else:
        user = who
    if user is None or not user.is_authenticated:
        return _("système (commande)")
    return str(user.get_username())[:254]


# --- sealing -------------------------------------------------------------------------------------


def unsealed_scrutins(campaign: Campaign) -> list[str]:
    """Codes of the scrutins that have validated lists but no sealed election."""
    with_lists = campaign.scrutins.filter(lists__status=CandidateList.Status.VALIDATED).distinct()
    sealed = ScrutinElection.objects.filter(
        scrutin__campaign=campaign, sealed_at__isnull=False
    ).values("scrutin_id")
    return list(with_lists.exclude(pk__in=sealed).order_by("code").values_list("code", flat=True))


def check_campaign_sealable(campaign: Campaign, box: Component | None = None) -> None:
    """The campaign may be sealed now: the vote has not opened, its elections are sealed, and
    (`box`, the box component computed now, if given) no ballot nor émargement exists."""
    if campaign.vote_open() or campaign.vote_closed():
        raise SealRefused(
            _(
                "Le vote de la campagne « %(campaign)s » est ouvert ou clos : le scellement se "
                "fait avant l'ouverture. Rien n'a été enregistré."
            )
            % {"campaign": campaign.name}
        )
    missing = unsealed_scrutins(campaign)
    if missing:
        raise SealRefused(
            _(
                "La campagne ne peut pas être scellée : l'élection de %(count)d scrutin(s) n'est "
                "pas encore scellée (%(codes)s). Scellez-les d'abord (« urne seal_elections »)."
            )
            % {"count": len(missing), "codes": ", ".join(missing)}
        )
    if not ScrutinElection.objects.filter(
        scrutin__campaign=campaign, sealed_at__isnull=False
    ).exists():
        raise SealRefused(
            _("La campagne ne peut pas être scellée : aucune élection de scrutin n'est scellée.")
        )
    if box is not None:
        full = sorted(
            code
            for code, facts in box.data["scrutins"].items()
            if facts["ballots"] or facts["emargements"] or facts["height"] != 0
        )
        if full:
            raise SealRefused(
                _(
                    "La campagne ne peut pas être scellée : l'urne ou l'émargement n'est pas vide "
                    "(%(codes)s). Rien n'a été enregistré."
                )
                % {"codes": ", ".join(full)}
            )


def do_seal_campaign(who: Who, campaign: Campaign, *, root: Path | None = None) -> CampaignSeal:
    """Compute and record the campaign's seal; raises `SealRefused` (nothing recorded then).
    `root`: the package folder to fingerprint (the installed one by default)."""
    with transaction.atomic():
        # One seal at a time per campaign: the campaign's row is the lock.
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        check_campaign_sealable(campaign)
        components = fingerprint.compute_components(campaign, root=root)
        box = next(component for component in components if component.name == fingerprint.BOX)
        check_campaign_sealable(campaign, box)
        whole = fingerprint.whole_fingerprint(components)
        last = latest_seal(campaign)
        if last is not None and last.fingerprint == whole:
            raise SealRefused(
                _(
                    "Rien n'a changé depuis le scellement n° %(number)d (empreinte %(short)s…) : "
                    "il reste valable, aucun nouveau scellement n'a été enregistré."
                )
                % {"number": last.number, "short": whole[:16]}
            )
        number = (
            CampaignSeal.objects.filter(campaign=campaign).aggregate(last=Max("number"))["last"]
            or 0
        ) + 1
        seal = CampaignSeal.objects.create(
            campaign=campaign,
            number=number,
            sealed_at=clock.now(),
            sealed_by=_label(who),
            fingerprint=whole,
            components=[component.as_json() for component in components],
        )
        audit.record(
            who,
            "sealing.seal",
            campaign,
            number=number,
            fingerprint=whole,
            components=[f"{component.name}={component.hash}" for component in components],
        )
    return seal


# --- verifying -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    seal: CampaignSeal
    fingerprint: str
    """The whole fingerprint recomputed now."""
    changes: tuple[Change, ...]
    record: SealVerification | None

    @property
    def identical(self) -> bool:
        return not self.changes


def recompute(seal: CampaignSeal, *, root: Path | None = None) -> list[Component]:
    """The seal's components computed now (the box's as of the seal: its heights and time)."""
    recorded = {component.name: component for component in seal_components(seal)}
    heights = fingerprint.recorded_heights(recorded[fingerprint.BOX])
    return fingerprint.compute_components(
        seal.campaign, sealed_at=seal.sealed_at, heights=heights, root=root
    )


def do_verify_seal(
    who: Who, campaign: Campaign, *, record: bool = True, root: Path | None = None
) -> Verification:
    """Recompute the last seal of `campaign` and compare; record the outcome unless `record`
    is False. Raises `SealRefused` when the campaign has no seal."""
    seal = latest_seal(campaign)
    if seal is None:
        raise SealRefused(
            _("La campagne « %(campaign)s » n'a pas de scellement : rien à vérifier.")
            % {"campaign": campaign.name}
        )
    now = recompute(seal, root=root)
    changes = tuple(differences(seal_components(seal), now))
    whole = fingerprint.whole_fingerprint(now)
    saved = None
    if record:
        with transaction.atomic():
            saved = SealVerification.objects.create(
                seal=seal,
                verified_at=clock.now(),
                verified_by=_label(who),
                identical=not changes,
                fingerprint=whole,
                changes=[change.as_json() for change in changes],
            )
            audit.record(
                who,
                "sealing.verify",
                campaign,
                number=seal.number,
                identical=not changes,
                changed=[change.component for change in changes],
            )
    return Verification(seal=seal, fingerprint=whole, changes=changes, record=saved)


__all__ = [
    "SealRefused",
    "Verification",
    "check_campaign_sealable",
    "do_seal_campaign",
    "do_verify_seal",
    "last_verification",
    "latest_seal",
    "recompute",
    "seal_components",
    "unsealed_scrutins",
]
