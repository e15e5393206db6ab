"""The back-office roles of assistance work, as groups of Django permissions.

A group says *what* its members may do; their perimeter (`urne.backoffice.models.StaffScope`,
given by a superuser) says *where*. Both groups are made, or completed, after every `migrate`
(`urne.backoffice.roles.connect_role`, from `urne.support.apps`: rights are only added, never
taken away: an operator may give a group more). docs/backoffice.md describes them.
"""

from __future__ import annotations

from typing import Final

VIEW_ELECTOR: Final = "campaign.view_elector"
VIEW_CORRECTIONS: Final = "campaign.view_profilecorrectionrequest"
ANSWER_CORRECTIONS: Final = "campaign.change_profilecorrectionrequest"
RESEND_CONFIRMATION: Final = "support.resend_confirmation"
UNLOCK_ACCOUNT: Final = "support.unlock_account"

HELPDESK_GROUP: Final = "Assistance"
"""Find electors and read their record, rolls, account and mails; resend the confirmation
message; unlock an account after identity checks. Reads the correction requests, never answers
them."""

ACADEMY_MANAGERS_GROUP: Final = "Gestionnaires académiques"
"""Answer the profile correction requests of their academies, and read electors as the helpdesk
does (without its actions on accounts)."""

GROUP_PERMISSIONS: Final[dict[str, tuple[str, ...]]] = {
    HELPDESK_GROUP: (VIEW_ELECTOR, VIEW_CORRECTIONS, RESEND_CONFIRMATION, UNLOCK_ACCOUNT),
    ACADEMY_MANAGERS_GROUP: (VIEW_ELECTOR, VIEW_CORRECTIONS, ANSWER_CORRECTIONS),
}
