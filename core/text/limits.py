"""Texts of the limits (filled in by the code's owners)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {}
