"""The Maps view's settings: which run is swept over which two of its parameters, and how the
cells are painted. Plain data and pure functions (no Streamlit): the view (``ui.maps_view``),
its URL keys (``ui.url_sweep``) and the presets' sweeps all go through ``MapSettings``.

An axis is ``(param, from, to, n, scale)`` as in the scenario's ``sweep`` key (``lab.sweep_spec``):
any numeric parameter of the run's optimizer (``beta1`` / ``beta2`` for ``betas``), of its
schedule (``schedule.T_max``) or ``start.x`` / ``start.y``. The values are checked by the
sweep's own parser (``lab.sweep_spec.parse_sweep``), so a message names the key, the value and
what that parameter allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from core.params import Float, Int, Param, fmt_num
from lab.scenario import RunSpec
from lab.sweep_spec import DEFAULT_N, sweepable
from surfaces.base import Surface

SHADES = ("auto", "loss", "rate", "none")  # "auto": the figure's own choice (none for basins)
COLORINGS = ("auto", "kind", "basin")
SPREAD = 100.0  # a log axis spans the current value / SPREAD ... x SPREAD by default
NEAR_ONE_TOP = 0.99  # beta1, momentum, alpha: 0 ... 0.99 by default (1 itself is refused)


@dataclass(frozen=True)
class AxisSetting:
    """One axis as the view holds it (the scenario's ``sweep.x`` / ``sweep.y``)."""

    param: str
    low: float
    high: float
    n: int = DEFAULT_N
    scale: str = "linear"

    def to_sweep(self) -> dict[str, Any]:
        return {"param": self.param, "from": self.low, "to": self.high, "n": self.n, "scale": self.scale}

    def to_text(self) -> str:
        """``param,from,to,n,scale``: the axis in a link."""
        return ",".join((self.param, fmt_num(self.low), fmt_num(self.high), str(self.n), self.scale))


@dataclass(frozen=True)
class MapSettings:
    """The swept run (an index into the scenario's runs), its axes, a second run shown beside
    it over the same axes (or None), and the painting."""

    run: int
    x: AxisSetting
    y: AxisSetting | None
    beside: int | None = None
    shade: str = "auto"
    coloring: str = "auto"

    def sweep(self, run: int | None = None) -> dict[str, Any]:
        """The scenario's ``sweep`` key for ``run`` (default: the swept run)."""
        out: dict[str, Any] = {"run": self.run if run is None else run, "x": self.x.to_sweep()}
        if self.y is not None:
            out["y"] = self.y.to_sweep()
        return out

    def runs(self) -> list[int]:
        """The runs the view sweeps: the chosen one and the one beside it."""
        return [self.run] if self.beside is None or self.beside == self.run else [self.run, self.beside]

    @classmethod
    def from_sweep(cls, sweep: dict[str, Any]) -> MapSettings:
        """The settings of a scenario's (normalised) ``sweep`` key, e.g. a preset's."""

        def axis(a: dict[str, Any] | None) -> AxisSetting | None:
            if a is None:
                return None
            return AxisSetting(a["param"], float(a["from"]), float(a["to"]), int(a.get("n", DEFAULT_N)), a.get("scale", "linear"))

        x = axis(sweep["x"])
        assert x is not None
        return cls(int(sweep.get("run", 0)), x, axis(sweep.get("y")))


def axis_params(run: RunSpec) -> list[str]:
    """Every parameter an axis may sweep for ``run``, in the sweep's order (the optimizer's,
    then the schedule's, then the start)."""
    return list(sweepable(run))


def current_value(run: RunSpec, start: tuple[float, float], param: str) -> float:
    """``run``'s own value of ``param`` (where the current run sits on its map)."""
    spec, target = sweepable(run)[param]
    if target.where == "start":
        return float(start[target.index or 0])
    if target.where == "schedule":
        assert run.schedule is not None
        return float(run.schedule["params"].get(target.name, spec.default or 0.0))
    v = run.params.get(target.name, spec.default)
    return float(v if target.index is None else v[target.index])


def default_axis(run: RunSpec, start: tuple[float, float], surface: Surface, param: str) -> AxisSetting:
    """A first range for ``param``: the surface's plot for a start coordinate; for a
    parameter on a log slider the current value / 100 ... x 100 (within its slider's span);
    0 ... 0.99 for one near 1 (momentum, beta1); the parameter's bounds or 0 ... 2 x the
    current value for the rest."""
    spec, target = sweepable(run)[param]
    if target.where == "start":
        lo, hi = surface.x_range if target.index == 0 else surface.y_range
        return AxisSetting(param, float(lo), float(hi))
    value = current_value(run, start, param)
    if isinstance(spec, Float):
        return _float_axis(spec, param, value)
    assert isinstance(spec, Int)
    lo = max(spec.low, 1)
    return AxisSetting(param, float(lo), float(max(lo + 1, 2 * int(value))), n=min(DEFAULT_N, max(2, 2 * int(value) - lo + 1)))


def _float_axis(spec: Float, param: str, value: float) -> AxisSetting:
    if spec.scale == "log":
        span = spec.span or (1e-12, 1e12)
        mid = value if value > 0 else math.sqrt(span[0] * span[1]) if spec.span else 1e-3
        lo, hi = max(mid / SPREAD, span[0]), min(mid * SPREAD, span[1])
        return AxisSetting(param, _round(lo), _round(hi), scale="log")
    if spec.scale == "near_one":
        return AxisSetting(param, max(0.0, spec.low), NEAR_ONE_TOP)
    top = spec.high if math.isfinite(spec.high) else max(2 * value, 1.0)
    if spec.high_open:
        top = 0.99 * top
    return AxisSetting(param, float(spec.low), float(top))


def _round(v: float) -> float:
    """Two significant digits: a range typed by a person."""
    return float(f"{v:.2g}")


def default_settings(runs: tuple[RunSpec, ...], start: tuple[float, float], surface: Surface, run: int = 0) -> MapSettings:
    """The map a run opens with: its learning rate against its second hyperparameter (momentum,
    beta1, alpha, ...) when it has one, else against the start's height."""
    spec = runs[run]
    params = axis_params(spec)
    x = "lr" if "lr" in params else params[0]
    second = [p for p in params if p not in (x, "weight_decay", "eps", "start.x", "start.y") and not p.startswith("schedule.")]
    y = second[0] if second else "start.y"
    return MapSettings(run, default_axis(spec, start, surface, x), default_axis(spec, start, surface, y))


def fitted(settings: MapSettings, runs: tuple[RunSpec, ...], start: tuple[float, float], surface: Surface) -> MapSettings:
    """``settings`` made to fit the scenario: a run index beyond its runs becomes 0, an axis
    whose parameter the run does not have gets that run's default axes, a run beside that is
    gone or lacks an axis's parameter is dropped."""
    if not 0 <= settings.run < len(runs):
        return default_settings(runs, start, surface)
    have = set(axis_params(runs[settings.run]))
    wanted = {settings.x.param, *([settings.y.param] if settings.y else [])}
    if not wanted <= have:
        base = default_settings(runs, start, surface, settings.run)
        return replace(base, shade=settings.shade, coloring=settings.coloring)
    beside = settings.beside
    if beside is not None and not (0 <= beside < len(runs) and wanted <= set(axis_params(runs[beside]))):
        beside = None
    return replace(settings, beside=beside)


def axis_param_spec(run: RunSpec, param: str) -> Param:
    return sweepable(run)[param][0]


# --- the view's widgets -------------------------------------------------------------------------
# Widget keys of the Maps view: ``mp_run``, ``mp_beside``, ``mp_shade``, ``mp_coloring`` and per
# axis ``mp_x_param``, ``mp_x_from`` (text, read by the parameter's kind), ``mp_x_to``, ``mp_x_n``,
# ``mp_x_scale`` (``mp_y_param`` = NO_AXIS: a strip of one row).
PREFIX = "mp_"
NO_AXIS = ""
AXES = ("x", "y")


def key(name: str) -> str:
    return f"{PREFIX}{name}"


def to_widgets(settings: MapSettings) -> dict[str, Any]:
    """Session-state values that make the view's widgets show ``settings``."""
    out: dict[str, Any] = {
        key("run"): settings.run,
        key("beside"): settings.beside,
        key("shade"): settings.shade,
        key("coloring"): settings.coloring,
    }
    for name, axis in (("x", settings.x), ("y", settings.y)):
        out[key(f"{name}_param")] = NO_AXIS if axis is None else axis.param
        if axis is not None:
            out.update(axis_widgets(name, axis))
    return out


def axis_widgets(name: str, axis: AxisSetting) -> dict[str, Any]:
    return {
        key(f"{name}_from"): fmt_num(axis.low),
        key(f"{name}_to"): fmt_num(axis.high),
        key(f"{name}_n"): axis.n,
        key(f"{name}_scale"): axis.scale,
    }


def from_widgets(values: Any, runs: tuple[RunSpec, ...]) -> tuple[MapSettings | None, list[str]]:
    """The settings the widgets hold (None before the view has any), and the problems of typed
    values (each naming the key, the value and what is allowed)."""
    if key("x_param") not in values:
        return None, []
    run = int(values.get(key("run")) or 0)
    if not 0 <= run < len(runs):
        return None, []
    problems: list[str] = []
    axes = [_axis_from(values, name, runs[run], problems) for name in AXES]
    if axes[0] is None or problems:
        return None, problems
    beside = values.get(key("beside"))
    return MapSettings(
        run, axes[0], axes[1], None if beside is None else int(beside),
        str(values.get(key("shade")) or "auto"), str(values.get(key("coloring")) or "auto"),
    ), problems  # fmt: skip


def _axis_from(values: Any, name: str, run: RunSpec, problems: list[str]) -> AxisSetting | None:
    param = values.get(key(f"{name}_param"))
    table = sweepable(run)
    if not param or param not in table:
        return None
    spec = table[param][0]
    bounds = []
    for end in ("from", "to"):
        text = str(values.get(key(f"{name}_{end}"), ""))
        try:
            bounds.append(float(spec.from_text(text, f"sweep.{name}.{end}")))
        except ValueError as e:
            problems.append(str(e))
    if len(bounds) < 2:
        return None
    n = int(values.get(key(f"{name}_n")) or DEFAULT_N)
    scale = values.get(key(f"{name}_scale")) or "linear"
    return AxisSetting(str(param), bounds[0], bounds[1], n, str(scale))
