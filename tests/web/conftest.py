"""The espace électeur's fixtures serve the base pages. tests too (error pages)."""

from __future__ import annotations

from tests.campaign.conftest import bob, calendar_2014, capa_lists, charlie, media_root

__all__ = ["bob", "calendar_2014", "capa_lists", "charlie", "media_root"]
