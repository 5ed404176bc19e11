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
        if any(type(x) is dict for x in values.values()):
            en.append(t(key, "en").format_map({k: x["en"] if type(x) is dict else x for k, x in values.items()}))
            zh.append(t(key, "zh").format_map({k: x["zh"] if type(x) is dict else x for k, x in values.items()}))
        else:
            en.append(t(key, "en").format_map(values))
            zh.append(t(key, "zh").format_map(values))
    return {"en": " ".join(en), "zh": "".join(zh)}
