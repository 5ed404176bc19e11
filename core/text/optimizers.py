"""Texts of the optimizers: keyed ``optimizer.<name>...``; filled in by the optimizers code's owners."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {}
