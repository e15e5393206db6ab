"""Where each scrutin's election stands, for the operators: `urne election_status` and the back
office show the same rows.

Counts only: what is missing before sealing is `urne.voting.setup.sealing_readiness`'s to say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils.translation import gettext as _

from urne.campaign.models import Campaign, Scrutin
from urne.crypto.errors import CryptoError
from urne.crypto.jsonio import loads
from urne.crypto.trustees import PedersenTrustees, read_trustees
from urne.voting.models import PublicCredential, ScrutinElection
from urne.voting.setup import GROUP


def describe_trustees(text: str) -> str:
    """« 2 sur 3 (seuil) », « 1 clé simple »... for a trustees.json text; « — » when none."""
    if not text:
        return "—"
    try:
        trustees = read_trustees(GROUP, loads(text))
    except CryptoError:
        return _("illisible")
    parts = []
    singles = sum(1 for trustee in trustees if not isinstance(trustee, PedersenTrustees))
    if singles:
        parts.append(_("%(count)d clé(s) simple(s)") % {"count": singles})
    for trustee in trustees:
        if isinstance(trustee, PedersenTrustees):
            parts.append(
                _("%(threshold)d sur %(members)d (seuil)")
                % {"threshold": trustee.threshold, "members": len(trustee.verification_keys)}
            )
    return " + ".join(parts)


@dataclass(frozen=True)
class ElectionRow:
    """One scrutin of a campaign and its election (if prepared)."""

    scrutin: Scrutin
    election: ScrutinElection | None
    electors: int
    """Electors on the scrutin's roll."""
    credentials: int
    """Public credentials stored for its election."""

    @property
    def uuid(self) -> str:
        return self.election.uuid if self.election else "—"

    @property
    def trustees(self) -> str:
        return describe_trustees(self.election.trustees) if self.election else "—"

    @property
    def sealed_at(self) -> datetime | None:
        return self.election.sealed_at if self.election else None

    @property
    def ballots(self) -> int:
        return self.election.ballot_count if self.election else 0


def credential_counts(elections: list[ScrutinElection]) -> dict[int, int]:
    """Public credentials stored, by election id."""
    rows = (
        PublicCredential.objects.filter(election__in=elections)
        .values("election")
        .annotate(count=Count("pk"))
    )
    return {row["election"]: row["count"] for row in rows}


def election_rows(campaign: Campaign) -> list[ElectionRow]:
    """Every scrutin of `campaign`, by code, with its election's state."""
    scrutins = list(
        campaign.scrutins.select_related("election")
        .annotate(roll_count=Count("roll"))
        .order_by("code")
    )
    elections = [scrutin.election for scrutin in scrutins if hasattr(scrutin, "election")]
    credentials = credential_counts(elections)
    rows = []
    for scrutin in scrutins:
        election = getattr(scrutin, "election", None)
        rows.append(
            ElectionRow(
                scrutin=scrutin,
                election=election,
                electors=scrutin.roll_count,
                credentials=credentials.get(election.pk, 0) if election else 0,
            )
        )
    return rows
