"""The credential authority's Celery tasks, routed to the "authority" queue (settings'
CELERY_TASK_ROUTES): only the authority's worker, on a host holding the private key, runs them.
Without a broker they run in-process (the demo, the tests)."""

from __future__ import annotations

from celery import shared_task

from urne.authority.generation import do_generate_identifiers
from urne.authority.keys import (
    configured_private_key,
    configured_public_key,
    private_key_configured,
)
from urne.authority.services import do_deliver_identifier
from urne.campaign.models import Campaign


@shared_task(name="urne.authority.tasks.deliver_identifier")  # type: ignore[untyped-decorator]
def deliver_identifier(delivery_id: int) -> str:
    """Open the identifier and send it to the destination the elector gave."""
    return do_deliver_identifier(delivery_id)


@shared_task(name="urne.authority.tasks.generate_identifiers")  # type: ignore[untyped-decorator]
def generate_identifiers(campaign_id: int) -> str:
    """`urne authority_generate` as a task: the report's text."""
    campaign = Campaign.objects.get(pk=campaign_id)
    private_key = configured_private_key() if private_key_configured() else None
    return do_generate_identifiers(campaign, configured_public_key(), private_key).as_text()
