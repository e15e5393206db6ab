"""The `urne` command: the operators' single entry point.

`urne verify` and `urne simulate` need no database and no Django: they run the pure protocol core.
Every other sub-command is a Django management command (`urne migrate`, `urne import_electors` ...).
"""

from __future__ import annotations

import os
import sys

PROTOCOL_COMMANDS = {"verify", "simulate"}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv if argv is None else ["urne", *argv])
    if len(args) > 1 and args[1] in PROTOCOL_COMMANDS:
        from urne.crypto import commands

        return commands.main(args[1], args[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urne.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
