"""The seal as published: the JSON of the board (/tableau/scellement.json) and of
`urne seal show --json`, and the summary rows the pages show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from urne.sealing.fingerprint import (
    BOOTH,
    BOX,
    CODE,
    DISTRIBUTIONS,
    SCRUTIN_PREFIX,
    SETTINGS,
    Component,
)
from urne.sealing.models import CampaignSeal, SealVerification
from urne.sealing.services import last_verification, seal_components

FORMAT = "urne-seal/1"


def verification_as_json(verification: SealVerification | None) -> dict[str, Any] | None:
    if verification is None:
        return None
    return {
        "verified_at": verification.verified_at.isoformat(),
        "identical": verification.identical,
        "fingerprint": verification.fingerprint,
        "changes": verification.changes,
    }


def seal_as_json(seal: CampaignSeal, *, with_data: bool = True) -> dict[str, Any]:
    """Everything recorded: each component's hash and (`with_data`) what it covers, so that
    anyone can recompute each hash and the whole fingerprint (docs/sealing.md)."""
    return {
        "format": FORMAT,
        "campaign": {"id": seal.campaign_id, "name": seal.campaign.name},
        "number": seal.number,
        "sealed_at": seal.sealed_at.isoformat(),
        "fingerprint": seal.fingerprint,
        "components": [
            component if with_data else {"name": component["name"], "hash": component["hash"]}
            for component in seal.components
        ],
        "last_verification": verification_as_json(last_verification(seal)),
    }


@dataclass(frozen=True)
class Row:
    """One component as the pages show it: its name, what it is, its hash."""

    name: str
    label: str
    hash: str


def _label(component: Component) -> str:
    if component.name == CODE:
        return _("%(count)d fichiers du paquet urne") % {"count": len(component.data["files"])}
    if component.name == DISTRIBUTIONS:
        return _("Python et %(count)d distributions Python installées") % {
            "count": len(component.data) - 1
        }
    if component.name == BOOTH:
        return _("%(count)d scripts de l'isoloir, tels que servis") % {
            "count": len(component.data["files"])
        }
    if component.name == SETTINGS:
        return _("%(count)d réglages, présence des secrets") % {
            "count": len(component.data["values"])
        }
    if component.name.startswith(SCRUTIN_PREFIX):
        return str(component.data.get("name", ""))
    if component.name == BOX:
        return _("urne et émargement au scellement")
    return ""


def component_rows(seal: CampaignSeal) -> list[Row]:
    return [
        Row(component.name, _label(component), component.hash)
        for component in seal_components(seal)
    ]


def box_rows(seal: CampaignSeal) -> list[tuple[str, dict[str, int]]]:
    """(scrutin code, {height, ballots, emargements}) as recorded at the seal."""
    for component in seal.components:
        if component["name"] == BOX:
            return sorted(component["data"]["scrutins"].items())
    return []
