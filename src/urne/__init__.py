"""urne: verifiable online professional elections."""

from __future__ import annotations

from urne.celery import app as celery_app

__all__ = ["celery_app"]
