"""The émargement and the ballot box lose every link in the database (DOMAIN.md).

- An émargement no longer points to its ballot, and its id is drawn at random instead of
  following the order of the votes (which the ballots' heights follow too).
- A public credential names its owner by a keyed pseudonym (urne.voting.pseudonyms) instead of
  the elector's id: the pseudonyms of the credentials already stored are computed here, with
  URNE_PSEUDONYM_KEY (the same key the server will use).
- The time of an émargement already recorded is cut to the second, as new ones are.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

import urne.voting.models


def name_credentials_by_pseudonym(apps: Any, schema_editor: Any) -> None:
    from urne.voting.pseudonyms import pseudonym

    credentials = apps.get_model("voting", "PublicCredential")
    rows = credentials.objects.select_related("election").only("election__uuid", "elector_id")
    changed = []
    for row in rows.iterator(chunk_size=5_000):
        row.pseudonym = pseudonym(row.election.uuid, row.elector_id)
        changed.append(row)
        if len(changed) == 5_000:
            credentials.objects.bulk_update(changed, ["pseudonym"])
            changed = []
    credentials.objects.bulk_update(changed, ["pseudonym"])


def renumber_emargements(apps: Any, schema_editor: Any) -> None:
    emargements = apps.get_model("voting", "Emargement")
    for row in list(emargements.objects.all()):
        emargements.objects.filter(pk=row.pk).delete()
        row.pk = urne.voting.models.random_id()
        row.voted_at = row.voted_at.replace(microsecond=0)
        row.save(force_insert=True)


class Migration(migrations.Migration):
    dependencies = [("voting", "0003_ballot_text_uncompressed")]

    operations = [
        migrations.RemoveField(model_name="emargement", name="ballot"),
        migrations.AlterField(
            model_name="emargement",
            name="id",
            field=models.BigIntegerField(
                default=urne.voting.models.random_id,
                editable=False,
                primary_key=True,
                serialize=False,
            ),
        ),
        migrations.RunPython(renumber_emargements, migrations.RunPython.noop),
        migrations.AddField(
            model_name="publiccredential",
            name="pseudonym",
            field=models.CharField(
                default="", max_length=32, verbose_name="pseudonyme de l'électeur"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(name_credentials_by_pseudonym, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="publiccredential", name="public_credential_one_per_elector"
        ),
        migrations.RemoveField(model_name="publiccredential", name="elector"),
        migrations.AddConstraint(
            model_name="publiccredential",
            constraint=models.UniqueConstraint(
                fields=("election", "pseudonym"), name="public_credential_one_per_elector"
            ),
        ),
    ]
