"""Shared fixtures: the time seam, the demo-like campaign and the personas."""

from __future__ import annotations
