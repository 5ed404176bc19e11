"""The app's Maps view (issue 13, item 2): a preset with a sweep opens it with its map; the axes
are chosen from the run's own parameters; a click on a cell opens that run in the Map view with
the cell's parameters, and the run's verdict there is the cell's kind; the view's keys round-trip
in a share link and hostile values give the one warning; the work is bounded."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lab import parse_scenario, simulate, sweep
from lab.presets import find_preset, list_presets
from ui import maps_compute
from ui.keys import widgets_to_state
from ui.maps_compute import MAPS, MapBudgetError, check_budget, map_scenarios
from ui.maps_model import AxisSetting, MapSettings, default_settings, from_widgets, to_widgets
from ui.model import default_state
from ui.scenario import to_scenario
from ui.url_sweep import decode_sweep, encode_sweep

ROSENBROCK_ADAM = {
    "surface": "rosenbrock",
    "start": [-1.5, 2.0],
    "steps": 300,
    "runs": [{"optimizer": "adam", "params": {"lr": 0.05}}, {"optimizer": "sgd", "params": {"lr": 1e-3}}],
}


def preset_scenario(name: str) -> Any:
    presets, _ = list_presets()
    found = find_preset(name, presets)
    assert found is not None
    return parse_scenario(found.scenario)


def chart(at: Any) -> dict[str, Any]:
    """The Maps view's figure (the first Plotly chart; the second is plotly.js's loader)."""
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def click(at: Any, spec: dict[str, Any], k: int, panel: int = 0) -> None:
    """A click on pick point ``k`` of ``panel`` (the pick traces are the figure's last ones)."""
    picks = [i for i, d in enumerate(spec["data"]) if d.get("name") == "pick"]
    curve = picks[panel]
    pick = spec["data"][curve]
    point = {"curve_number": curve, "point_number": k, "point_index": k, "x": pick["x"][k], "y": pick["y"][k]}
    at.session_state["maps_chart"] = {"selection": {"points": [point]}}
    at.run()


def test_map_preset_opens_the_maps_view_with_its_sweep(make_app: Any) -> None:
    at = make_app({"preset": "32"})
    assert not at.exception
    assert at.session_state["view"] == "maps"
    spec = chart(at)
    names = [d.get("name") for d in spec["data"]]
    assert "cells" in names and "pick" in names
    assert any(str(n).startswith("ηλ = 2(1 + μ)") for n in names)  # the heavy ball's theory line
    assert any(n == "this run's values" for n in names)
    preset = preset_scenario("32")
    assert at.session_state["mp_x_param"] == preset.sweep["x"]["param"]
    assert at.session_state["mp_y_param"] == preset.sweep["y"]["param"]
    cells = next(d for d in spec["data"] if d.get("name") == "cells")
    assert len(cells["z"]) == preset.sweep["y"]["n"] and len(cells["z"][0]) == preset.sweep["x"]["n"]


def test_axes_are_chosen_from_the_runs_parameters(make_app: Any) -> None:
    at = make_app({"view": "maps", "surface": "rosenbrock", "r0": "adam", "r0.lr": "0.05", "steps": "200"})
    assert not at.exception
    options = at.selectbox(key="mp_x_param").options
    assert {"η (lr)", "β₁ (beta1)", "β₂ (beta2)"} <= {o.removeprefix("x: ") for o in options}
    # Adam's default map: eta against beta1, eta on a log axis around the run's own value
    assert at.session_state["mp_x_param"] == "lr" and at.session_state["mp_y_param"] == "beta1"
    assert chart(at)["layout"]["xaxis"]["type"] == "log"
    at.selectbox(key="mp_y_param").set_value("start.y").run()
    assert not at.exception
    spec = chart(at)
    assert "start.y" in spec["layout"]["yaxis"]["title"]["text"]
    # the new axis starts from the surface's plot range
    assert float(at.session_state["mp_y_from"]) == -1.0 and float(at.session_state["mp_y_to"]) == 3.0


def test_a_click_on_a_cell_opens_that_run_with_the_cells_verdict(make_app: Any) -> None:
    at = make_app({"preset": "32"})
    spec = chart(at)
    sc = preset_scenario("32")
    res = sweep(sc)
    pick = next(d for d in spec["data"] if d.get("name") == "pick")
    kinds = set()
    for k in (0, len(pick["x"]) // 3 + 7, len(pick["x"]) - 1):  # crawling, converging, diverging corners
        at.session_state["view"] = "maps"
        at.run()
        i, j = res.cell_at(pick["x"][k], pick["y"][k])
        click(at, chart(at), k)
        assert not at.exception
        assert at.session_state["view"] == "map"
        state = widgets_to_state(at.session_state)
        alone = res.cell_scenario(i, j)["runs"][0]
        app_run = parse_scenario(to_scenario(state)).runs[0]
        assert app_run.params == parse_scenario({**res.cell_scenario(i, j), "runs": [alone]}).runs[0].params
        verdict = simulate(to_scenario(state)).runs[0].verdict["kind"]
        assert verdict == res.kind[i][j]
        kinds.add(verdict)
        assert any("Opened from the map" in c.value for c in at.caption)
    assert len(kinds) >= 2  # the clicks landed in different regions


def test_sweep_keys_round_trip_in_a_link() -> None:
    scenario = to_scenario(default_state())
    cases = [
        MapSettings(0, AxisSetting("lr", 1e-5, 0.1, 161, "log"), AxisSetting("start.y", 0.1, 2.0, 20)),
        MapSettings(2, AxisSetting("beta1", 0.0, 0.99, 30), AxisSetting("lr", 1e-3, 1.0, 40, "log"), None, "rate", "kind"),
        MapSettings(1, AxisSetting("start.x", -3.0, 3.0, 50), None, 0, "none", "auto"),
    ]
    for settings in cases:
        back, ignored = decode_sweep(encode_sweep(settings), scenario)
        assert ignored == [] and back == settings


@pytest.mark.parametrize(
    ("keys", "name"),
    [
        ({"sweep.x": "lr,abc,1,10,log"}, "sweep.x"),
        ({"sweep.x": "betas,0,1,10"}, "sweep.x"),  # not a sweepable name (beta1/beta2 are)
        ({"sweep.x": "lr,1e-4,1,100000,log"}, "sweep.x"),  # more than 200 values
        ({"sweep.x": "lr,0,1,10,log"}, "sweep.x"),  # a log axis from 0
        ({"sweep.x": "lr,1e-4,1,10,log", "sweep.shade": "[x](http://e.vil)"}, "sweep.shade"),
        ({"sweep.x": "lr,1e-4,1,10,log", "sweep.run": "9"}, "sweep.run"),
        ({"sweep.x": "x" * 100_000}, "sweep.x"),
        ({"sweep.evil": "1", "sweep.x": "lr,1e-4,1,10,log"}, "sweep.evil"),
    ],
)
def test_hostile_sweep_keys_are_reported(keys: dict[str, str], name: str) -> None:
    _, ignored = decode_sweep(keys, to_scenario(default_state()))
    assert [i.name for i in ignored] == [name]
    assert len(ignored[0].value) <= 90
    assert ignored[0].allowed


def test_a_hostile_link_gives_the_one_warning_and_the_view_works(make_app: Any) -> None:
    at = make_app({"view": "maps", "sweep.x": "lr,1e-4,[x](http://e.vil),10,log", "sweep.y": "momentum,0,1,10"})
    assert not at.exception
    warnings = [w.value.replace("\\", "") for w in at.warning]  # Markdown escapes off
    assert len(warnings) == 1 and "sweep.x" in warnings[0]
    assert all("](http" not in w.value for w in at.warning)  # escaped: no live link
    assert at.get("plotly_chart")  # the view's defaults are drawn


def test_the_share_link_carries_the_views_keys(make_app: Any) -> None:
    at = make_app({"preset": "31"})
    assert at.query_params["view"] == "maps"
    assert at.query_params["sweep.x"] == "lr,1e-05,0.1,161,log"
    reopened = make_app(dict(at.query_params.items()))
    assert not at.exception and not reopened.warning
    assert reopened.session_state["mp_x_n"] == 161 and reopened.session_state["mp_y_param"] == "start.y"


def test_widgets_round_trip_the_settings() -> None:
    sc = parse_scenario(ROSENBROCK_ADAM)
    settings = default_settings(sc.runs, sc.start, sc.build_surface())
    assert from_widgets(to_widgets(settings), sc.runs) == (settings, [])
    bad = {**to_widgets(settings), "mp_x_from": "-1"}
    got, problems = from_widgets(bad, sc.runs)
    assert got is None and 'sweep.x.from = "-1"' in problems[0] and "lr" in problems[0]


def test_the_work_is_bounded(monkeypatch: pytest.MonkeyPatch, make_app: Any) -> None:
    sc = ROSENBROCK_ADAM
    big = MapSettings(0, AxisSetting("lr", 1e-4, 1.0, 200, "log"), AxisSetting("beta1", 0.0, 0.99, 200), beside=None)
    MAPS.clear()
    monkeypatch.setattr(maps_compute, "MAP_BUDGET_SECONDS", 1.0)
    with pytest.raises(MapBudgetError, match="allows 1 s per map"):
        check_budget(map_scenarios(sc, big))
    # beyond the sweep's own limit: refused by the sweep's parser, in the view as a message
    at = make_app({"view": "maps", "steps": "5000", "sweep.x": "lr,1e-4,1,200,log", "sweep.y": "start.y,-3,3,200"})
    assert not at.exception
    assert any("cell-steps" in w.value.replace("\\", "") for w in at.warning)


def test_preset_34_shows_adam_beside_gd(make_app: Any) -> None:
    """The caption compares Adam's basins with GD's: both maps are on the screen."""
    at = make_app({"preset": "34"})
    assert not at.exception
    assert at.session_state["view"] == "maps"
    assert at.session_state["mp_run"] == 0 and at.session_state["mp_beside"] == 1
    spec = chart(at)
    assert [d.get("name") for d in spec["data"]].count("cells") == 2
    titles = " ".join(str(a.get("text", "")) for a in spec["layout"].get("annotations", []))
    assert "Adam" in titles and "GD" in titles
