"""Every sentence and label a user reads, in English and Chinese (Simplified): one catalog.

``t(key, lang, **values)`` is the one way in. The catalog is split into tables by area
(``app``, ``figures``, ...), merged here; a key is defined once (a duplicate fails at
import). A key missing in a language falls back to English; an unknown key raises
``KeyError``. Numbers are formatted by the caller and passed as ``values``: the words live
here, the numbers come from the engine.
"""

from __future__ import annotations

from typing import Any

from core.text import app, batches, figures, limits, maps, optimizers, params, surfaces, verdicts

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "中文"}

Table = dict[str, dict[str, str]]


def _merge(*tables: Table) -> Table:
    out: Table = {}
    for table in tables:
        for key, entry in table.items():
            if key in out:
                raise KeyError(f"text key {key!r} is defined twice")
            out[key] = entry
    return out


CATALOG: Table = _merge(
    app.STRINGS,
    figures.STRINGS,
    params.STRINGS,
    optimizers.STRINGS,
    surfaces.STRINGS,
    verdicts.STRINGS,
    batches.STRINGS,
    maps.STRINGS,
    limits.STRINGS,
)


def t(key: str, lang: str, **values: Any) -> str:
    """The text of ``key`` in ``lang`` with ``values`` filled in."""
    entry = CATALOG[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in CATALOG


def both(key: str, **values: Any) -> dict[str, str]:
    """``{"en": ..., "zh": ...}``: the form verdicts and presets carry."""
    return {lang: t(key, lang, **values) for lang in LANGS}


__all__ = ["CATALOG", "LANGS", "LANG_NAMES", "both", "has", "t"]
