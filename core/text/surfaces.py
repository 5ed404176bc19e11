"""Texts of the surfaces: keyed ``surface.<name>...``; filled in by the surfaces code's owners."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {}
