"""Parameter kinds: how one value is parsed, bounded, written into a URL and shown as a widget.

One class per kind (``Float``, ``Int``, ``Bool``, ``Pair``, ``Choice``). Every optimizer
hyperparameter, schedule parameter, data-set setting and sweep axis is an instance of one of
them, and every other module asks the instance instead of switching on its kind:

* ``parse(value, path)``: a JSON value -> the validated value (``ParamError`` otherwise);
* ``from_text(text, path)`` / ``to_text(value)``: the URL form, ``from_text(to_text(v)) == v``;
* ``to_json(value)``: the plain JSON form (a pair becomes a list);
* ``allowed()``: the allowed values in words, used in every message;
* ``widget``: how the app shows it (``WIDGETS``), with ``grid()`` for sliders.

Numbers are float64 and must be finite (a JSON integer too large for a float is refused, not
overflowed); every integer has an upper bound, so no arithmetic on it can overflow.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, ClassVar

MAX_INT = 10**9  # the largest integer any parameter may take unless it says otherwise
SHOWN_CHARS = 80  # values in messages are cut to about this many characters

# How the app shows a parameter: a slider over log-spaced values, a slider over a grid that is
# fine near 1 (betas, alpha, momentum), a linear slider, a whole-number box, a switch, a list.
WIDGETS = ("log_slider", "near_one_slider", "slider", "integer", "toggle", "choice")


class ParamError(ValueError):
    """An invalid value; the message names the key, the value and what is allowed."""


def show(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A value for a message: JSON where possible, cut to about ``limit`` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def fail(path: str, value: Any, allowed: str, problem: str = "is invalid") -> ParamError:
    """The one message shape: ``path = value problem; allowed: ...``."""
    return ParamError(f"{path} = {show(value)} {problem}; allowed: {allowed}")


def fmt_bound(v: float) -> str:
    """A bound in a message: 0, 1, 1e-08, 0.999."""
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


def fmt_num(v: float | int | bool) -> str:
    """The shortest text that reads back to the same number (URLs, labels)."""
    if isinstance(v, bool):
        return "1" if v else "0"
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


def to_float(path: str, value: Any, allowed: str) -> float:
    """A JSON number as a finite float64; bools are not numbers."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise fail(path, value, allowed, "is not a number")
    try:
        f = float(value)
    except OverflowError:
        raise fail(path, value, allowed, "is too large for a float64") from None
    if not math.isfinite(f):
        raise fail(path, value, allowed, "is not finite")
    return f


def text_float(path: str, text: str, allowed: str) -> float:
    """URL text as a finite float64 (digits of any script are refused, like any non-number)."""
    s = str(text).strip()
    if not s.isascii() or len(s) > 40:
        raise fail(path, text, allowed, "is not a number")
    try:
        f = float(s)
    except ValueError:
        raise fail(path, text, allowed, "is not a number") from None
    if not math.isfinite(f):
        raise fail(path, text, allowed, "is not finite")
    return f


@dataclass(frozen=True)
class Param:
    """What every kind has: a name (the torch name where there is one), a default (``None``:
    required), and the lecture's symbol for labels."""

    name: str
    default: Any = None
    symbol: str = ""

    widget: ClassVar[str] = "slider"
    numeric: ClassVar[bool] = False  # takes values on a number line (a sweep axis can span it)

    @property
    def required(self) -> bool:
        return self.default is None

    def allowed(self) -> str:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    def parse(self, value: Any, path: str) -> Any:  # pragma: no cover
        raise NotImplementedError

    def from_text(self, text: str, path: str) -> Any:  # pragma: no cover
        raise NotImplementedError

    def to_text(self, value: Any) -> str:
        return fmt_num(value)

    def to_json(self, value: Any) -> Any:
        return value

    def label(self) -> str:
        """'η (lr)' where the lecture has a symbol, else the torch name."""
        return f"{self.symbol} ({self.name})" if self.symbol else self.name

    def coerce(self, value: Any) -> Any:
        """A widget's value as this kind's Python type (widgets hand back ints for floats)."""
        return value

    def nearest(self, v: float) -> Any:
        """The value of this kind nearest to the number ``v`` (a point of a sweep's grid);
        only for ``numeric`` kinds."""
        raise TypeError(f"{self.name} takes no numbers")

    # A parameter is shown as one widget per component: itself, or a pair's two parts.
    def components(self) -> tuple[Param, ...]:
        return (self,)

    def split(self, value: Any) -> tuple[Any, ...]:
        return (value,)

    def join(self, values: tuple[Any, ...]) -> Any:
        return self.coerce(values[0])


@dataclass(frozen=True)
class Float(Param):
    """A finite float64 in [low, high] (either end open); ``scale`` picks the widget."""

    low: float = 0.0
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    scale: str = "linear"  # "log" | "near_one" | "linear"
    span: tuple[float, float] | None = None  # what a slider covers (default: the bounds)

    numeric: ClassVar[bool] = True

    @property
    def widget(self) -> str:  # type: ignore[override]
        return {"log": "log_slider", "near_one": "near_one_slider"}.get(self.scale, "slider")

    def range_text(self, name: str | None = None) -> str:
        n = name or self.name
        lo = f"{fmt_bound(self.low)} {'<' if self.low_open else '<='} "
        # No upper bound still means a finite float64: 1e400 and inf are refused, and say so.
        hi = ", finite" if math.isinf(self.high) else f" {'<' if self.high_open else '<='} {fmt_bound(self.high)}"
        return f"{lo}{n}{hi}"

    def allowed(self) -> str:
        return self.range_text()

    def contains(self, v: float) -> bool:
        if not math.isfinite(v):
            return False
        above = v > self.low if self.low_open else v >= self.low
        below = v < self.high if self.high_open else v <= self.high
        return above and below

    def check(self, f: float, path: str, shown: Any) -> float:
        if not self.contains(f):
            raise fail(path, shown, self.allowed(), "is out of range")
        return f

    def parse(self, value: Any, path: str) -> float:
        return self.check(to_float(path, value, self.allowed()), path, value)

    def from_text(self, text: str, path: str) -> float:
        return self.check(text_float(path, text, self.allowed()), path, text)

    def coerce(self, value: Any) -> float:
        return float(value)

    def nearest(self, v: float) -> float:
        return float(v)

    def bounds(self) -> tuple[float, float | None]:
        """The closed interval a number box may take (open ends moved in by one ulp)."""
        lo = math.nextafter(self.low, math.inf) if self.low_open else self.low
        if math.isinf(self.high):
            return lo, None
        return lo, math.nextafter(self.high, -math.inf) if self.high_open else self.high


@dataclass(frozen=True)
class Int(Param):
    """An integer in [low, high]; a float that is a whole number is accepted as one."""

    low: int = 0
    high: int = MAX_INT

    widget: ClassVar[str] = "integer"
    numeric: ClassVar[bool] = True

    def allowed(self) -> str:
        return f"an integer with {self.low} <= {self.name} <= {self.high}"

    def _check(self, v: Any, path: str, shown: Any) -> int:
        if isinstance(v, float) and math.isfinite(v) and v.is_integer():
            v = int(v)
        if not isinstance(v, int) or isinstance(v, bool):
            raise fail(path, shown, self.allowed(), "is not an integer")
        if not self.low <= v <= self.high:
            raise fail(path, shown, self.allowed(), "is out of range")
        return v

    def parse(self, value: Any, path: str) -> int:
        return self._check(value, path, value)

    def from_text(self, text: str, path: str) -> int:
        s = str(text).strip()
        if s.isascii() and len(s) <= 40 and s.lstrip("+-").isdigit():
            return self._check(int(s), path, text)
        return self._check(text_float(path, text, self.allowed()), path, text)

    def to_text(self, value: Any) -> str:
        return str(int(value))

    def coerce(self, value: Any) -> int:
        return int(value)

    def nearest(self, v: float) -> int:
        return round(float(v))


TRUE_TEXTS = ("1", "true")
FALSE_TEXTS = ("0", "false")


@dataclass(frozen=True)
class Bool(Param):
    widget: ClassVar[str] = "toggle"

    def allowed(self) -> str:
        return "true or false"

    def parse(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise fail(path, value, self.allowed(), "is not a boolean")
        return value

    def from_text(self, text: str, path: str) -> bool:
        s = str(text).strip().lower()
        if s in TRUE_TEXTS:
            return True
        if s in FALSE_TEXTS:
            return False
        raise fail(path, text, "1 or 0", "is not a boolean")

    def coerce(self, value: Any) -> bool:
        return bool(value)


@dataclass(frozen=True)
class Choice(Param):
    choices: tuple[str, ...] = ()

    widget: ClassVar[str] = "choice"

    def allowed(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self.choices)

    def parse(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise fail(path, value, self.allowed(), "is not allowed")
        return value

    def from_text(self, text: str, path: str) -> str:
        return self.parse(str(text), path)

    def to_text(self, value: Any) -> str:
        return str(value)


@dataclass(frozen=True)
class Pair(Param):
    """Two floats, each in ``item``'s range, named ``parts`` in messages (beta1, beta2)."""

    item: Float = Float("value")
    parts: tuple[str, str] = ("first", "second")

    @property
    def widget(self) -> str:  # type: ignore[override]
        return self.item.widget

    def allowed(self) -> str:
        a, b = (self.item.range_text(p) for p in self.parts)
        return f"[{self.parts[0]}, {self.parts[1]}] with {a} and {b}"

    def parse(self, value: Any, path: str) -> tuple[float, float]:
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise fail(path, value, self.allowed(), "is not a pair")
        out = []
        for i, v in enumerate(value):
            f = to_float(f"{path}[{i}]", v, self.allowed())
            if not self.item.contains(f):
                raise fail(f"{path}[{i}]", v, self.item.range_text(self.parts[i]), "is out of range")
            out.append(f)
        return (out[0], out[1])

    def from_text(self, text: str, path: str) -> tuple[float, float]:
        pieces = str(text).split(",")
        if len(pieces) != 2:
            raise fail(path, text, f"{self.parts[0]},{self.parts[1]}: {self.allowed()}", "is not a pair")
        values = [text_float(path, p, self.allowed()) for p in pieces]
        if not all(self.item.contains(v) for v in values):
            raise fail(path, text, self.allowed(), "is out of range")
        return (values[0], values[1])

    def to_text(self, value: Any) -> str:
        return ",".join(fmt_num(v) for v in value)

    def to_json(self, value: Any) -> Any:
        return [float(value[0]), float(value[1])]

    def coerce(self, value: Any) -> tuple[float, float]:
        return (float(value[0]), float(value[1]))

    def components(self) -> tuple[Param, ...]:
        return (self.part(0), self.part(1))

    def split(self, value: Any) -> tuple[Any, ...]:
        return (float(value[0]), float(value[1]))

    def join(self, values: tuple[Any, ...]) -> tuple[float, float]:
        return (float(values[0]), float(values[1]))

    def part(self, i: int) -> Float:
        """The ``i``-th component as a Float of its own (a sweep axis, a slider)."""
        return Float(
            self.parts[i],
            None if self.default is None else self.default[i],
            self.symbol.split(",")[i].strip() if "," in self.symbol else self.symbol,
            low=self.item.low,
            high=self.item.high,
            low_open=self.item.low_open,
            high_open=self.item.high_open,
            scale=self.item.scale,
        )


def grid(p: Float, current: float | None = None) -> tuple[float, ...]:
    """The values a slider of ``p`` offers, plus ``current`` when it is not among them (so a
    value from a link is kept exactly, not snapped): 1-2-3-5 per decade on a log scale; for
    values near 1, 0, 0.1 ... 0.9 then 0.95, 0.99, 0.995, 0.999, ...; linear: 100 steps."""
    lo, hi = p.span or (p.low, p.high)
    if p.scale == "log":
        lo = lo if lo > 0 else 1e-8
        hi = hi if math.isfinite(hi) else 10.0
        values = {
            float(f"{m}e{e}")
            for e in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1)
            for m in (1, 2, 3, 5)
        }
        values = {v for v in values if lo <= v <= hi}
        if p.contains(0.0) and p.span is None:
            values.add(0.0)  # "off" (no weight decay, no eps) is one notch of the slider
    elif p.scale == "near_one":
        values = {round(0.1 * k, 1) for k in range(10)}
        for d in range(2, 7):
            values |= {1 - 10.0**-d * 5, 1 - 10.0**-d}
        values = {float(f"{v:.8g}") for v in values}
    else:
        hi = hi if math.isfinite(hi) else max(10.0, 10 * abs(lo))
        values = {float(f"{lo + (hi - lo) * k / 100:.6g}") for k in range(101)}
    values = {v for v in values if p.contains(v)}
    if current is not None and math.isfinite(current) and p.contains(current):
        values.add(float(current))
    return tuple(sorted(values))
