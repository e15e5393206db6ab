"""Scrutins get their seats of suppléants; those already set up get as many as their titulaires
(the usual rule), which the organizer may then change."""

import django.core.validators
from django.db import migrations, models


def same_as_titulaires(apps, schema_editor):
    Scrutin = apps.get_model("campaign", "Scrutin")
    Scrutin.objects.update(substitute_seats=models.F("seats"))


class Migration(migrations.Migration):

    dependencies = [
        ('campaign', '0009_import_progress_and_errors'),
    ]

    operations = [
        migrations.AddField(
            model_name='scrutin',
            name='substitute_seats',
            field=models.PositiveIntegerField(default=0, help_text='En général autant que de sièges de titulaires.', verbose_name='sièges de suppléants'),
        ),
        migrations.RunPython(same_as_titulaires, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='scrutin',
            name='seats',
            field=models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1, 'Un scrutin a au moins un siège de titulaire.')], verbose_name='sièges de titulaires'),
        ),
    ]
