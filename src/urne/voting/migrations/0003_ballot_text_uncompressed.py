"""PostgreSQL keeps ballot texts out of line without trying to compress them.

A ballot's text (13 kB for 7 choices: numbers in base 10) is over the 2 kB at which PostgreSQL
moves a value to its TOAST table, compressing it first with pglz. Base-10 digits rarely reach
pglz's minimum gain of 25 %: about one ballot in five is compressed, each by about a fifth, and
the attempt costs about 0.9 ms of the server's processor a ballot, inside the ballot box's
locked section (docs/benchmarks.md, « Urne : bulletins par seconde »). `STORAGE EXTERNAL`: out
of line, never compressed. Values already stored keep their form; nothing changes on SQLite.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _on_postgresql(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("voting", "0002_turnout_permissions")]

    operations = [
        migrations.RunPython(
            _on_postgresql('ALTER TABLE "voting_ballot" ALTER COLUMN "text" SET STORAGE EXTERNAL'),
            _on_postgresql('ALTER TABLE "voting_ballot" ALTER COLUMN "text" SET STORAGE EXTENDED'),
        )
    ]
