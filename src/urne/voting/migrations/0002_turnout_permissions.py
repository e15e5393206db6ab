"""Turnout's permission (`voting.view_turnout`) and the group « Observateurs » that holds it alone.

The émargement list needs Django's own `voting.view_emargement`, which observers do not get.
A group of permissions reaches nothing without a perimeter (docs/backoffice.md): a superuser
adds the observer to the group and gives them a perimeter.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

OBSERVERS = "Observateurs"


def create_observers(apps: Any, schema_editor: Any) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="voting", model="emargement")
    # Django creates the model's permissions after the migrations run: make this one now.
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="view_turnout",
        defaults={"name": "Peut voir la participation"},
    )
    group, _ = Group.objects.get_or_create(name=OBSERVERS)
    group.permissions.add(permission)


def remove_observers(apps: Any, schema_editor: Any) -> None:
    apps.get_model("auth", "Group").objects.filter(name=OBSERVERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="emargement",
            options={
                "ordering": ["election", "voted_at"],
                "permissions": [("view_turnout", "Peut voir la participation")],
                "verbose_name": "émargement",
                "verbose_name_plural": "émargements",
            },
        ),
        migrations.RunPython(create_observers, remove_observers),
    ]
