"""The `urne` command: the operators' single entry point.

`urne verify`, `urne simulate`, `urne trustee`, `urne trustees` and `urne seats` need no database
and no Django: they run the pure protocol core (`urne.cli.protocol`, `urne.cli.trustees`,
`urne.cli.seats`). Every other
sub-command is a Django management command (`urne migrate`, `urne import_electors` ...). Help
covers both: `urne --help` (and `urne help`) lists the protocol commands beside Django's, and
`urne help verify` is `urne verify --help`.
"""

from __future__ import annotations

import os
import sys

PROTOCOL_COMMANDS = ("seats", "simulate", "trustee", "trustees", "verify")
"""Run by `urne.cli.protocol`, before (and without) Django."""

_HELP = {"help", "--help", "-h"}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv if argv is None else ["urne", *argv])
    command = args[1] if len(args) > 1 else None
    if command == "help" and len(args) > 2 and args[2] in PROTOCOL_COMMANDS:
        # `urne help verify`: Django's help would look for a management command of that name.
        command, args = args[2], [args[0], args[2], "--help"]
    if command in PROTOCOL_COMMANDS:
        from urne.cli import protocol

        return protocol.main(command, args[2:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urne.settings")
    from urne.cli.management import Utility

    Utility(args).execute()
    return 0


if __name__ == "__main__":
    sys.exit(main())
