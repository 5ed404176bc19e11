"""Numbers as the sentences show them (the words live in ``core.text``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from core.text import t


def num(x: float) -> str:
    """3 significant digits; very large or small numbers in exponent form."""
    if x is None or not math.isfinite(x):
        return "∞" if x is not None and x > 0 else "—"
    return f"{x + 0.0:.3g}"  # + 0.0 turns -0.0 into 0.0


def factor(x: float) -> str:
    """A factor per step: near 1 with the digits that tell it from 1 (×1.0043, not ×1)."""
    if x is None or not math.isfinite(x):
        return num(x)
    d = abs(x - 1.0)
    if 0 < d < 0.1:
        return f"{x:.{1 - math.floor(math.log10(d))}f}"
    return num(x)


def pct(x: float) -> str:
    v = 100 * x
    if not math.isfinite(v):
        return "—"
    if abs(v) >= 10:
        return f"{v:.0f} %"
    return f"{v:.2g} %" if abs(v) >= 0.01 else f"{v:.1e} %"


def count(x: float) -> str:
    """A number of steps: whole, with thousands separators; huge ones in exponent form."""
    if not math.isfinite(x):
        return "∞"
    return f"{round(x):,}" if abs(x) < 1e7 else f"{x:.2g}"


def vec(v: Sequence[float]) -> str:
    return "(" + ", ".join(num(c) for c in v) + ")"


def nums(v: Sequence[float]) -> str:
    return ", ".join(num(c) for c in v)


def listing(items: Sequence[str], lang: str, limit: int | None = None) -> str:
    """'a, b and c' in English, 'a、b和c' in Chinese; '…' after ``limit`` items."""
    items = list(items)
    more = limit is not None and len(items) > limit
    if more:
        items = items[:limit]
    if len(items) == 1:
        text = items[0]
    else:
        text = t("list.sep", lang).join(items[:-1]) + t("list.last", lang) + items[-1]
    return text + (t("list.more", lang) if more else "")


def sentence(parts: Sequence[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    """``{"en", "zh"}``: the catalog entries ``parts`` filled in and joined. A value that is
    itself a ``{"en", "zh"}`` dict (a phrase from the catalog) is taken in each language.
    (``t(key, lang)`` without values is the template; filling it with ``format_map`` spares
    two copies of the values per call, which a thousand verdicts notice.)"""
    en, zh = [], []
    for key, values in parts:
        pair = _TEMPLATES.get(key) or _template(key)
        if dict in map(type, values.values()):
            en.append(pair[0].format_map({k: x["en"] if type(x) is dict else x for k, x in values.items()}))
            zh.append(pair[1].format_map({k: x["zh"] if type(x) is dict else x for k, x in values.items()}))
        else:
            en.append(pair[0].format_map(values))
            zh.append(pair[1].format_map(values))
    if len(en) == 1:
        return {"en": en[0], "zh": zh[0]}
    return {"en": " ".join(en), "zh": "".join(zh)}


# key -> (English template, Chinese template): the catalog's entries, looked up once.
_TEMPLATES: dict[str, tuple[str, str]] = {}


def _template(key: str) -> tuple[str, str]:
    pair = _TEMPLATES[key] = (t(key, "en"), t(key, "zh"))
    return pair
