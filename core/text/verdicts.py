"""Texts of the verdicts: keyed ``verdict.<name>...``; filled in by the verdicts code's owners."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {}
