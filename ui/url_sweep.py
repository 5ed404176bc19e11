"""The Maps view's keys in a share link (beside ``ui.url``'s, which would pass 600 lines)::

    view=maps  sweep.x=lr,1e-05,0.1,161,log  sweep.y=start.y,0.1,2,20,linear
    sweep.run=1  sweep.beside=2  sweep.shade=rate  sweep.coloring=basin

An axis is ``param,from,to[,n[,scale]]`` (the scenario's ``sweep.x``); ``sweep.y=none`` is a
strip. Every part is read by its parameter's own kind, then the whole sweep by the sweep's own
parser against the link's scenario (its optimizer, its bounds, its cost), so a value that
cannot be used is reported as ``Ignored`` naming the key, the value and what is allowed, and
the view keeps its defaults. Decoding never raises.
"""

from __future__ import annotations

from typing import Any

from core.params import Choice, Int, ParamError
from lab.scenario import ScenarioError, parse_scenario
from lab.sweep_spec import DEFAULT_N, N_SPEC, SCALES, sweepable
from ui.maps_model import COLORINGS, SHADES, AxisSetting, MapSettings
from ui.model import MAX_RUNS
from ui.url import Ignored

PREFIX = "sweep."
RUN = Int("sweep.run", 0, low=0, high=MAX_RUNS - 1)
SHADE = Choice("sweep.shade", "auto", choices=SHADES)
COLORING = Choice("sweep.coloring", "auto", choices=COLORINGS)
NONE = "none"
AXIS_HELP = "param,from,to[,n[,scale]], e.g. lr,1e-4,1,100,log (scale: " + " or ".join(SCALES) + ")"


def split_query(query: dict[str, Any]) -> dict[str, Any]:
    """The link's sweep keys, taken out of ``query`` (``ui.url.decode`` reads the rest)."""
    return {k: query.pop(k) for k in [k for k in query if str(k).startswith(PREFIX)]}


def encode_sweep(settings: MapSettings) -> dict[str, str]:
    """The link keys of ``settings`` (defaults left out, the x axis always written)."""
    q = {"sweep.x": settings.x.to_text(), "sweep.y": NONE if settings.y is None else settings.y.to_text()}
    if settings.run:
        q["sweep.run"] = str(settings.run)
    if settings.beside is not None:
        q["sweep.beside"] = str(settings.beside)
    if settings.shade != "auto":
        q["sweep.shade"] = settings.shade
    if settings.coloring != "auto":
        q["sweep.coloring"] = settings.coloring
    return q


def _last(raw: Any) -> str:
    """One value of a key (a key given several times: the last, as ``ui.url.Query``)."""
    if isinstance(raw, (list, tuple)):
        return str(raw[-1]) if raw else ""
    return str(raw)


def decode_sweep(keys: dict[str, Any], scenario: dict[str, Any]) -> tuple[MapSettings | None, list[Ignored]]:
    """The settings of the link's sweep keys for ``scenario`` (the link's own, decoded by
    ``ui.url``), or None when there are none or they cannot be used; never raises."""
    values = {str(k): _last(v) for k, v in keys.items()}
    if not values:
        return None, []
    ignored: list[Ignored] = []
    try:
        settings = _decode(values, scenario, ignored)
    except Exception as e:  # a bug here must not cost the page: the view's defaults, and why
        return None, [Ignored.of("sweep", "", f"could not be read ({type(e).__name__})")]
    return settings, ignored


def _decode(values: dict[str, str], scenario: dict[str, Any], ignored: list[Ignored]) -> MapSettings | None:
    known = {"sweep.x", "sweep.y", "sweep.run", "sweep.beside", "sweep.shade", "sweep.coloring"}
    for k in values:
        if k not in known:
            ignored.append(Ignored.of(k, values[k], "sweep keys: " + ", ".join(sorted(known))))
    sc = parse_scenario(scenario)
    run = _choice(values, "sweep.run", RUN, ignored, 0)
    if run >= len(sc.runs):
        ignored.append(Ignored.of("sweep.run", values["sweep.run"], f"a run of the link: 0 … {len(sc.runs) - 1}"))
        run = 0
    table = sweepable(sc.runs[run])
    x = _axis(values, "sweep.x", table, ignored)
    y = None if values.get("sweep.y", NONE) == NONE else _axis(values, "sweep.y", table, ignored)
    if x is None:
        if "sweep.x" not in values:
            ignored.append(Ignored.of("sweep.x", "", AXIS_HELP))
        return None
    beside = _choice(values, "sweep.beside", RUN, ignored, None)
    settings = MapSettings(run, x, y, beside, _choice(values, "sweep.shade", SHADE, ignored, "auto"),
                           _choice(values, "sweep.coloring", COLORING, ignored, "auto"))  # fmt: skip
    return _checked(settings, scenario, values, ignored)


def _choice(values: dict[str, str], name: str, spec: Any, ignored: list[Ignored], default: Any) -> Any:
    if name not in values:
        return default
    try:
        return spec.from_text(values[name], name)
    except ParamError:
        ignored.append(Ignored.of(name, values[name], spec.allowed()))
        return default


def _axis(values: dict[str, str], name: str, table: dict[str, Any], ignored: list[Ignored]) -> AxisSetting | None:
    """One axis's text, each part by its own kind; None (reported) when a part is refused."""
    text = values.get(name)
    if text is None:
        return None
    parts = text.split(",", 5)
    try:
        if not 3 <= len(parts) <= 5:
            raise ParamError(AXIS_HELP)
        param = parts[0]
        if param not in table:
            raise ParamError(f"param one of {', '.join(table)}")
        spec = table[param][0]
        low, high = (float(spec.from_text(v, f"{name}.{end}")) for v, end in zip(parts[1:3], ("from", "to"), strict=True))
        n = N_SPEC.from_text(parts[3], f"{name}.n") if len(parts) > 3 else DEFAULT_N
        scale = parts[4] if len(parts) > 4 else "linear"
        if scale not in SCALES:
            raise ParamError(f"scale {' or '.join(SCALES)}")
    except (ParamError, ValueError) as e:
        ignored.append(Ignored.of(name, text, f"{AXIS_HELP}; {e}"))
        return None
    return AxisSetting(param, low, high, int(n), scale)


def _checked(settings: MapSettings, scenario: dict[str, Any], values: dict[str, str], ignored: list[Ignored]) -> MapSettings | None:
    """The sweep's own checks (both axes together, the cost, the run beside): what they refuse
    is reported under the key it concerns."""
    try:
        parse_scenario({**scenario, "sweep": settings.sweep()})
    except ScenarioError as e:
        where = "sweep.y" if str(e).startswith("sweep.y") else "sweep.x"
        ignored.append(Ignored.of(where, values.get(where, ""), str(e)))
        return None
    if settings.beside is not None:
        try:
            parse_scenario({**scenario, "sweep": settings.sweep(settings.beside)})
        except ScenarioError as e:
            ignored.append(Ignored.of("sweep.beside", values.get("sweep.beside", ""), str(e)))
            return MapSettings(settings.run, settings.x, settings.y, None, settings.shade, settings.coloring)
    return settings
