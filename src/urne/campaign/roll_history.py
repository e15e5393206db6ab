"""The history of the published rolls: every change made to them, with who, when and why.

Once a campaign publishes its rolls (`Campaign.rolls_published`), electors read them and may
contest them: from then on every change to a roll is written here, as `RollChange` rows, by the
path that makes it — a correction request accepted (`urne.campaign.corrections`), an edit of an
elector or of a roll entry in the back office (`urne.campaign.admin`), an electors import (one
row with its counts: the import's own report lists its lines). Before the publication nothing is
written: the rolls are still being drawn up. After the vote opens nothing changes any more
(`check_roll_editable`), so nothing is written either.

This is the one place the roll's history is kept, apart from the audit log: the audit log says
which staff member acted, never the values (docs/audit.md); the history says what the roll said
before and after, for the staff who keep it and the electors who contest it. Staff read it in the
back office (*Historique des listes électorales*), within their perimeter like everything else.

Call these inside the transaction of the change they describe: a change rolled back leaves no
row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from urne import clock
from urne.campaign.models import (
    Campaign,
    Elector,
    ProfileCorrectionRequest,
    RollChange,
    Scrutin,
)

# The elector's fields a roll shows or that decide who the elector is, in the order of their
# record. The birth date is left out on purpose: it answers the challenge before a voting
# identifier is sent, and is no one's to read in a history.
TRACKED_FIELDS: Final = (
    "civilite",
    "first_name",
    "last_name",
    "email",
    "corps",
    "grade",
    "establishment",
    "academy",
)

Snapshot = dict[str, Any]
Actor = AbstractBaseUser | AnonymousUser | None


def snapshot(elector: Elector) -> Snapshot:
    """What the roll says of `elector` now: the tracked fields (the academy as its id), to
    compare with after a change."""
    return {
        name: getattr(elector, "academy_id" if name == "academy" else name)
        for name in TRACKED_FIELDS
    }


def of_roll(changes: QuerySet[RollChange], scrutin_id: int) -> QuerySet[RollChange]:
    """One scrutin's roll in the history: its entries added or removed, and what changed of
    the electors on it (the back office's page of a roll, and the admin's filter)."""
    return changes.filter(
        Q(scrutin_id=scrutin_id)
        | Q(scrutin__isnull=True, elector__roll_entries__scrutin_id=scrutin_id)
    ).distinct()


def recording(campaign: Campaign) -> bool:
    """Whether changes to the campaign's rolls are written to the history: once published."""
    return campaign.rolls_published()


def _actor(actor: Actor) -> tuple[int | None, str]:
    if actor is None or not actor.is_authenticated:
        return None, _("système (commande ou tâche de fond)")
    return actor.pk, str(actor.get_username())[:254]


def _shown(elector: Elector, name: str, value: Any) -> str:
    """A field's value as the history shows it: the academy by its name, the civility as
    written on the roll."""
    if value is None or value == "":
        return ""
    if name == "academy":
        academy = type(elector.academy)._default_manager.filter(pk=value).first()
        return academy.name if academy is not None else str(value)
    if name == "civilite":
        return str(dict(Elector._meta.get_field("civilite").flatchoices).get(value, value))
    return str(value)


def _row(
    campaign: Campaign,
    actor: Actor,
    source: str,
    reason: str,
    kind: str,
    correction: ProfileCorrectionRequest | None = None,
    **fields: Any,
) -> RollChange:
    actor_id, label = _actor(actor)
    return RollChange(
        campaign=campaign,
        at=clock.now(),
        actor_id=actor_id,
        actor_label=label,
        source=source,
        reason=reason[:1000],
        kind=kind,
        correction=correction,
        **fields,
    )


def do_record_elector_change(
    actor: Actor,
    elector: Elector,
    before: Snapshot,
    *,
    source: str,
    reason: str = "",
    correction: ProfileCorrectionRequest | None = None,
) -> list[RollChange]:
    """Write one row per tracked field of `elector` that differs from `before` (its
    `snapshot` before the change), if the campaign's rolls are published."""
    campaign = elector.campaign
    if not recording(campaign):
        return []
    after = snapshot(elector)
    rows = []
    for name in TRACKED_FIELDS:
        if before.get(name) == after[name]:
            continue
        old, new = _shown(elector, name, before.get(name)), _shown(elector, name, after[name])
        # A move between academies is filed under both: each keeps the trace of it.
        academies = [after["academy"]]
        if name == "academy" and before.get(name) is not None:
            academies.insert(0, before[name])
        for academy_id in academies:
            rows.append(
                _row(
                    campaign,
                    actor,
                    source,
                    reason,
                    RollChange.Kind.FIELD,
                    correction,
                    academy_id=academy_id,
                    elector=elector,
                    elector_label=str(elector)[:300],
                    field=name,
                    old_value=old[:500],
                    new_value=new[:500],
                )
            )
    return RollChange.objects.bulk_create(rows)


def do_record_roll_entries(
    actor: Actor,
    elector: Elector,
    *,
    added: Iterable[Scrutin] = (),
    removed: Iterable[Scrutin] = (),
    source: str,
    reason: str = "",
    correction: ProfileCorrectionRequest | None = None,
) -> list[RollChange]:
    """Write one row per scrutin whose roll `elector` joined (`added`) or left (`removed`), if
    the campaign's rolls are published."""
    campaign = elector.campaign
    if not recording(campaign):
        return []
    rows = [
        _row(
            campaign,
            actor,
            source,
            reason,
            kind,
            correction,
            academy_id=elector.academy_id,
            elector=elector,
            elector_label=str(elector)[:300],
            scrutin=scrutin,
            scrutin_label=str(scrutin)[:200],
        )
        for kind, scrutins in ((RollChange.Kind.ADDED, added), (RollChange.Kind.REMOVED, removed))
        for scrutin in scrutins
    ]
    return RollChange.objects.bulk_create(rows)


def do_record_elector_removed(
    actor: Actor, elector: Elector, *, source: str, reason: str = ""
) -> list[RollChange]:
    """Write that `elector` was deleted, and each roll they leave with it. Call before the
    deletion (their roll entries are read)."""
    campaign = elector.campaign
    if not recording(campaign):
        return []
    scrutins = list(Scrutin.objects.filter(roll__elector=elector).order_by("name"))
    removed = _row(
        campaign,
        actor,
        source,
        reason,
        RollChange.Kind.ELECTOR_REMOVED,
        academy_id=elector.academy_id,
        elector=None,  # the row stays when the elector goes
        elector_label=str(elector)[:300],
        old_value=elector.email,
    )
    rows = [removed] + [
        _row(
            campaign,
            actor,
            source,
            reason,
            RollChange.Kind.REMOVED,
            academy_id=elector.academy_id,
            elector=None,
            elector_label=str(elector)[:300],
            scrutin=scrutin,
            scrutin_label=str(scrutin)[:200],
        )
        for scrutin in scrutins
    ]
    return RollChange.objects.bulk_create(rows)


IMPORT_COUNTS: Final = ("lines", "created", "updated", "roll_added", "roll_removed")


def do_record_import(
    actor: Actor | tuple[int | None, str],
    campaign: Campaign,
    counts: Mapping[str, Any],
    *,
    reason: str = "",
) -> RollChange | None:
    """Write one row for an electors import that changed the campaign's published rolls, with
    its counts (electors created and updated, roll entries added and removed); nothing for an
    import that changed nothing, or before the publication. `actor` may be given as the
    (account id, address) the audit log holds."""
    if not recording(campaign):
        return None
    kept = {name: int(counts.get(name) or 0) for name in IMPORT_COUNTS}
    if not any(kept[name] for name in IMPORT_COUNTS if name != "lines"):
        return None
    actor_id, label = actor if isinstance(actor, tuple) else _actor(actor)
    row = RollChange(
        campaign=campaign,
        at=clock.now(),
        actor_id=actor_id,
        actor_label=label,
        source=RollChange.Source.IMPORT,
        reason=reason or _("Import d'un fichier d'électeurs"),
        kind=RollChange.Kind.IMPORT,
        details=kept,
        new_value=_(
            "%(created)s électeur(s) ajouté(s), %(updated)s modifié(s) ; %(roll_added)s "
            "inscription(s) ajoutée(s), %(roll_removed)s retirée(s)"
        )
        % kept,
    )
    row.save()
    return row


def record_import_from_audit(
    sender: type[Any], instance: Any, created: bool, **kwargs: Any
) -> None:
    """The import's hook: an electors import that ends well writes "import.finish" to the audit
    log (`urne.campaign.imports`), with its counts and its actor; its row in the history is
    written from there, in the same transaction as that entry. (Connected to the audit entry's
    post_save by `CampaignConfig.ready`.)"""
    details = getattr(instance, "details", None) or {}
    if not created or instance.action != "import.finish" or details.get("outcome") != "done":
        return
    campaign = Campaign.objects.filter(pk=instance.campaign_id).first()
    if campaign is not None:
        do_record_import((instance.actor_id, instance.actor_label), campaign, details)


def do_record_roll_additions(
    actor: Actor,
    scrutin: Scrutin,
    electors: Iterable[Elector],
    *,
    source: str,
    reason: str = "",
) -> int:
    """Write one row per elector added to `scrutin`'s roll together (a membership rule applied
    in the back office), in batches, if the campaign's rolls are published; the rows written."""
    campaign = scrutin.campaign
    if not recording(campaign):
        return 0
    written, batch = 0, []
    for elector in electors:
        batch.append(
            _row(
                campaign,
                actor,
                source,
                reason,
                RollChange.Kind.ADDED,
                academy_id=elector.academy_id,
                elector=elector,
                elector_label=str(elector)[:300],
                scrutin=scrutin,
                scrutin_label=str(scrutin)[:200],
            )
        )
        if len(batch) >= ROW_BATCH:
            written += len(RollChange.objects.bulk_create(batch))
            batch = []
    written += len(RollChange.objects.bulk_create(batch))
    return written


ROW_BATCH: Final = 2000
