"""The ballot box: what the voting server accepts, and the émargement written with it.

`votes_of(elector)`: the elector's émargements, by scrutin id (what "Mes scrutins" and the
espace show: « a voté le ... »).
"""

from __future__ import annotations

from urne.campaign.models import Elector
from urne.voting.models import Emargement


def votes_of(elector: Elector) -> dict[int, Emargement]:
    """The elector's émargements, keyed by scrutin id, with their ballot (for the tracker)."""
    rows = Emargement.objects.filter(elector=elector).select_related("election", "ballot")
    return {row.election.scrutin_id: row for row in rows}
