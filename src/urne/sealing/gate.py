"""The opening gate's one condition about the seal: `seal_missing`.

The ballot box (`urne.voting.ballot_box.do_cast_ballot`) refuses every ballot of a campaign whose
seal is missing, and « Mes scrutins » shows its scrutins as not ready (`urne.voting.vote_state`):
both ask this function, nothing else decides it. Sealing is required unless the setting
URNE_SEAL_REQUIRED is off (on by default: fail closed; docs/sealing.md).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from urne.sealing.models import CampaignSeal

ELECTOR_MESSAGE = _(
    "Le vote n'est pas encore ouvert : le bureau de vote n'a pas scellé l'élection. Aucun "
    "bulletin n'est accepté avant le scellement ; rien n'a été enregistré. Réessayez plus tard."
)
"""What the elector reads when the seal is missing (the API's code: ``not_sealed``)."""

STAFF_MESSAGE = _(
    "Le vote de cette campagne ne peut pas s'ouvrir : aucun scellement n'est enregistré. "
    "Scellez la campagne avant l'ouverture du vote (page « Scellement » de l'espace de gestion, "
    "ou « urne seal create --campaign … »)."
)


def seal_required() -> bool:
    return bool(getattr(settings, "URNE_SEAL_REQUIRED", True))


def seal_missing(campaign_id: int, recorded: bool | None = None) -> bool:
    """True when the vote of campaign `campaign_id` must not take ballots: sealing is required
    and no seal of it is recorded. `recorded`: whether a seal is recorded, when the caller read
    it already in its own query (the ballot box reads it with the election: no second query)."""
    if not seal_required():
        return False
    if recorded is None:
        recorded = CampaignSeal.objects.filter(campaign_id=campaign_id).exists()
    return not recorded
