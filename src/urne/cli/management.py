"""Django's management utility, with the protocol commands (`urne verify`...) in its lists.

Those are not management commands (they run without Django, see `urne.cli`), so Django's
own help would not know them; this module is imported only for the Django side of `urne`.
"""

from __future__ import annotations

from django.core.management import ManagementUtility
from django.core.management.color import color_style

from urne.cli import PROTOCOL_COMMANDS


class Utility(ManagementUtility):
    """`execute_from_command_line`'s utility, its help listing the protocol commands too."""

    def main_help_text(self, commands_only: bool = False) -> str:
        text = str(super().main_help_text(commands_only))
        if commands_only:  # `urne help --commands`: one name a line, sorted (shell completion)
            return "\n".join(sorted([*text.splitlines(), *PROTOCOL_COMMANDS]))
        section = [
            "",
            color_style().NOTICE("[protocol, without Django or database]"),
            *(f"    {name}" for name in PROTOCOL_COMMANDS),
        ]
        return "\n".join([text, *section])
