"""The app through Streamlit's AppTest (every control changes what it should), and the pure
state codec behind its shareable URLs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

import lab.presets
from core.params import grid
from core.text import CATALOG as STRINGS
from lab import parse_scenario, simulate
from optimizers import OPTIMIZERS
from optimizers import OPTIMIZERS as _OPTS
from ui import explain
from ui.keys import state_to_widgets, widgets_to_state
from ui.model import AppState, RunState, auto_labels, default_state
from ui.scenario import from_scenario, to_scenario
from ui.url import decode, encode

LR_GRID = grid(_OPTS["sgd"].param("lr"))

MakeApp = Callable[..., Any]


# --- helpers ------------------------------------------------------------------------------
def stage_data(at: Any) -> dict:
    """What the page sends the stage component (``ui.stage``): the figure and its words."""
    (stage,) = at.get("bidi_component")
    return json.loads(stage.proto.json)


def stage_spec(at: Any) -> dict:
    """The one classroom figure: the map and the trace panels."""
    return json.loads(stage_data(at)["figure"])


map_spec = traces_spec = stage_spec


def trace(spec: dict, name: str) -> dict:
    return next(t for t in spec["data"] if t.get("name") == name)


def run_line(spec: dict, name: str, yaxis: str = "y2") -> dict:
    """A run's whole line in a panel (y2: loss, y3: ‖g‖, y4: η, y5: η/σ)."""
    return next(t for t in spec["data"] if t.get("name") == name and t.get("yaxis") == yaxis)


def values(v: Any) -> np.ndarray:
    """A chart array (a list, or Plotly's base64 typed array) as floats."""
    if isinstance(v, dict):
        import base64

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).astype(float)
    return np.asarray([np.nan if x is None else x for x in v], dtype=float)


def cards(at: Any) -> list[str]:
    """The verdict cards' bodies (``ui.results.card_html``), one per run."""
    return [h.proto.body for h in at.get("html") if 'class="lab-card"' in h.proto.body]


def kinds(at: Any) -> list[str]:
    """The verdict headline of each card, e.g. 'OSCILLATING'."""
    return [re.search(r'class="lab-card-kind"><b>(.*?)</b>', c).group(1) for c in cards(at)]


def open_run(at: Any, rid: int) -> Any:
    """Open run ``rid``'s expander (a closed run's widgets are not drawn), as a click does."""
    at.session_state[f"r{rid}_open"] = True
    return at.run()


def shown(markdown: str) -> str:
    """What a Markdown element shows: backslash escapes (``ui.safe.plain``) resolved."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def warnings(at: Any) -> list[str]:
    return [shown(w.value) for w in at.warning]


def latex(at: Any) -> str:
    """Every formula on the page: display math and the inline math of the update rules."""
    return "\n".join([*(x.value for x in at.latex), *(m.value for m in at.markdown if "$" in m.value)])


def ok(at: Any) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


# --- the default view ---------------------------------------------------------------------
def test_default_view_tells_the_ravine_story(make_app: MakeApp) -> None:
    at = make_app()
    ok(at)
    assert kinds(at) == ["OSCILLATING", "CRAWLING", "MINIMUM"]
    m = map_spec(at)
    assert m["layout"]["title"]["text"] == "Convex ravine"
    legend = [t["name"] for t in m["data"] if t.get("showlegend") and t.get("legendgroup")]
    assert legend == ["GD η=0.01", "GD η=1e-4", "Adam η=0.1"]
    assert len(m["frames"]) == 301  # a frame per step: single steps are real steps
    assert stage_data(at)["animated"] is True
    assert dict(at.query_params) == {}  # defaults make a bare URL


def test_language_switch_changes_every_label(make_app: MakeApp) -> None:
    at = make_app()
    at.button_group(key="lang").set_value("zh").run()
    ok(at)
    assert kinds(at) == ["震荡", "爬行", "最小值"]
    assert map_spec(at)["layout"]["title"]["text"] == "凸的狭长峡谷"
    assert any("自适应学习率" in h.value for h in at.markdown)
    assert at.selectbox(key="surface").label == "loss 曲面"
    # every option label at once, without a reload: surfaces, schedules, variants, batch
    assert "凸的狭长峡谷" in at.selectbox(key="surface").options
    assert "全批量（无噪声）" in at.select_slider(key="batch").options
    assert stage_data(at)["labels"]["play"] == "播放"
    assert any("卡住了" in c for c in cards(at))  # the engine's explanation, in Chinese
    assert at.query_params["lang"] == "zh"


def test_presentation_mode_enlarges_and_keeps_controls_in_the_drawer(make_app: MakeApp) -> None:
    at = make_app({"preset": "01"})
    normal = map_spec(at)["layout"]["font"]["size"]
    assert not any('class="lab-banner"' in h.proto.body for h in at.get("html"))
    at.toggle(key="present").set_value(True).run()
    ok(at)
    assert map_spec(at)["layout"]["font"]["size"] > normal
    assert len(at.sidebar.selectbox) > 0  # the controls stay in the sidebar (a drawer)
    banner = [h.proto.body for h in at.get("html") if 'class="lab-banner"' in h.proto.body]
    assert banner and "bounces between the walls" in banner[0]  # the caption above the map
    assert at.query_params["present"] == "1"


def test_a_closed_run_is_not_drawn_and_keeps_its_values(make_app: MakeApp) -> None:
    at = make_app()
    assert "r2_p_lr" not in [w.key for w in at.select_slider]  # closed: its widgets are not drawn
    open_run(at, 2)
    at.text_input(key="r2_p_lr__exact").set_value("0.0123").run()
    at.selectbox(key="r2_sched").set_value("cosine").run()
    assert at.select_slider(key="r2_p_lr").value == 0.0123  # still open after its title changed
    at.session_state["r2_open"] = False  # closed again, as a click does
    at.run()
    for lr in (0.005, 0.02):  # reruns that do not draw run 3 forget none of its values
        at.select_slider(key="r0_p_lr").set_value(lr).run()
        ok(at)
    assert "r2_p_lr" not in [w.key for w in at.select_slider]
    assert run_line(map_spec(at), "Adam η=0.0123 + CosineAnnealingLR")
    assert at.query_params["r2.lr"] == "0.0123" and at.query_params["r2.s"] == "cosine"
    open_run(at, 2)
    assert at.select_slider(key="r2_p_lr").value == 0.0123
    assert at.selectbox(key="r2_sched").value == "cosine"


def test_only_the_open_rules_tab_is_written_and_it_stays_with_its_run(make_app: MakeApp) -> None:
    at = make_app()
    assert "\\beta_1" not in latex(at)  # Adam's rule: run 3's tab, closed
    at.session_state["rules_run"] = 2
    at.run()
    assert "\\beta_1" in latex(at) and "Step t = 0" in " ".join(m.value for m in at.markdown)
    at.select_slider(key="r0_p_lr").set_value(0.005).run()  # renames run 1: run 3's tab stays open
    ok(at)
    assert "\\beta_1" in latex(at)


def test_a_card_is_one_element_and_shows_a_label_as_typed(make_app: MakeApp) -> None:
    label = "<b>bold</b> **star** [x](http://example.com)"
    at = make_app({"r0": "sgd", "r0.label": label})
    ok(at)
    (card,) = cards(at)
    assert "&lt;b&gt;bold&lt;/b&gt; **star** [x](http://example.com)" in card
    assert "<a " not in card and "<b>bold" not in card
    assert not any("OSCILLATING" in m.value or "MINIMUM" in m.value for m in at.markdown)


def test_share_link_holds_the_state(make_app: MakeApp) -> None:
    at = make_app()
    at.select_slider(key="r0_p_lr").set_value(0.005).run()
    assert at.query_params["r0.lr"] == "0.005"  # the address follows, the popover closed or not
    assert not at.code  # closed, the Share popover is not drawn
    at.session_state["share_open"] = True  # opened, as a click does
    at.run()
    assert any("r0.lr=0.005" in c.value for c in at.code)


# --- scenario controls --------------------------------------------------------------------
def test_surface_choice_redraws_and_resets_the_start(make_app: MakeApp) -> None:
    at = make_app()
    image = map_spec(at)["layout"]["images"][0]["source"]
    at.selectbox(key="surface").set_value("rosenbrock").run()
    ok(at)
    m = map_spec(at)
    assert m["layout"]["title"]["text"] == "Rosenbrock"
    assert m["layout"]["images"][0]["source"] != image
    assert (at.number_input(key="start_x").value, at.number_input(key="start_y").value) == (
        -1.5,
        2.0,
    )


def test_custom_formula_and_a_bad_one_keeps_the_previous_surface(make_app: MakeApp) -> None:
    pytest.importorskip("surfaces.formula.derivatives")
    at = make_app()
    at.selectbox(key="surface").set_value("custom").run()
    at.text_input(key="expr").set_value("x**2 + 3*y**2").run()
    ok(at)
    good = map_spec(at)["layout"]["images"][0]["source"]
    assert at.query_params["expr"] == "x**2 + 3*y**2"
    at.text_input(key="expr").set_value("x**2 + 3*y**2 +").run()
    assert not at.exception
    assert any("Invalid formula" in e.value for e in at.error)
    assert map_spec(at)["layout"]["images"][0]["source"] == good
    at.number_input(key="xr_hi").set_value(5.0).run()  # ranges still follow the last good formula
    at.text_input(key="expr").set_value("x**2 + 3*y**2").run()
    ok(at)
    assert map_spec(at)["layout"]["xaxis"]["range"] == [-3, 5]


def test_typed_start_moves_the_start_marker(make_app: MakeApp) -> None:
    at = make_app()
    at.number_input(key="start_x").set_value(-6.0).run()
    at.number_input(key="start_y").set_value(-0.5).run()
    ok(at)
    start = trace(map_spec(at), "start")
    assert (start["x"], start["y"]) == ([-6.0], [-0.5])
    assert at.query_params["start"] == "-6,-0.5"
    at.button[[b.label for b in at.button].index("Reset to the surface's start")].click().run()
    assert trace(map_spec(at), "start")["x"] == [-9.0]


def test_steps_control_the_run_length(make_app: MakeApp) -> None:
    at = make_app()
    at.number_input(key="steps").set_value(2000).run()
    ok(at)
    assert max(traces_spec(at)["layout"]["xaxis2"]["tickvals"]) == 2000
    assert int(map_spec(at)["frames"][-1]["name"]) == 2000


def test_batch_size_adds_noise_and_seed_changes_it(make_app: MakeApp) -> None:
    at = make_app()
    clean = values(run_line(map_spec(at), "Adam η=0.1")["y"])
    at.select_slider(key="batch").set_value(16.0).run()
    ok(at)
    noisy = values(run_line(map_spec(at), "Adam η=0.1")["y"])
    assert not np.allclose(clean, noisy)
    assert any("mini-batch noise" in c.value for c in at.caption)
    at.number_input(key="seed").set_value(7).run()
    assert not np.allclose(values(run_line(map_spec(at), "Adam η=0.1")["y"]), noisy)
    assert at.query_params["batch"] == "16" and at.query_params["seed"] == "7"


def test_a_run_with_its_own_batch_beside_the_scenarios(make_app: MakeApp) -> None:
    """A small- against a full-batch run on one surface (preset 9's comparison), as a user
    builds it: the second run's own batch, its noise, its label, its link."""
    at = make_app(
        {
            "surface": "lecture_saddle",
            "batch": "16",
            "r0": "sgd",
            "r0.lr": "0.01",
            "r1": "sgd",
            "r1.lr": "0.01",
        }
    )
    ok(at)
    at = open_run(at, 1)
    assert at.select_slider(key="r1_eb").value == "same"
    both = values(run_line(map_spec(at), "GD η=0.01 #1")["y"])
    at.select_slider(key="r1_eb").set_value("full").run()
    ok(at)
    exact = values(run_line(map_spec(at), "GD η=0.01, full batch")["y"])
    assert np.allclose(
        values(run_line(map_spec(at), "GD η=0.01")["y"]), both
    )  # run 1 keeps its noise
    assert not np.allclose(exact, both)
    assert kinds(at)[1] == "SADDLE POINT", kinds(at)
    assert at.query_params["r1.batch"] == "full"


# --- optimizer controls -------------------------------------------------------------------
def test_log_lr_slider_changes_the_verdict(make_app: MakeApp) -> None:
    at = make_app()
    slider = at.select_slider(key="r0_p_lr")
    assert slider.options[0] == "1e-8" and slider.options[-1] == "10"
    slider.set_value(1e-3).run()
    ok(at)
    assert kinds(at)[0] != "OSCILLATING"
    assert run_line(map_spec(at), "GD η=0.001")


@pytest.mark.parametrize(
    ("family", "switch", "in_rule"),
    [
        ("adagrad", "lecture", r"\frac{1}{t+1}"),
        ("rmsprop", "lecture", r"\sigma_i^0 = \left|g_i^0\right|"),
        ("momentum", "nesterov", r"(g^t + \mu\, b^t)"),
        ("adam", "decoupled", r"(1-\eta^t\lambda)\theta^t"),
    ],
)
def test_variant_switches_change_the_rule(
    make_app: MakeApp, family: str, switch: str, in_rule: str
) -> None:
    at = make_app()
    at.selectbox(key="r0_family").set_value(family).run()
    assert in_rule not in latex(at)
    at.toggle(key=f"r0_{switch}").set_value(True).run()
    ok(at)
    assert in_rule in latex(at)


@pytest.mark.parametrize(
    ("family", "key", "value"),
    [
        ("adam", "r0_p_beta1", 0.5),
        ("adam", "r0_p_beta2", 0.9),
        ("adam", "r0_p_eps", 1e-3),
        ("adam", "r0_p_amsgrad", True),
        ("adam", "r0_p_bias_correction", False),
        ("sgd", "r0_p_weight_decay", 0.5),
        ("momentum", "r0_p_momentum", 0.5),
        ("momentum", "r0_p_dampening", 0.5),
        ("rmsprop", "r0_p_alpha", 0.5),
        ("rmsprop", "r0_p_centered", True),
        ("adagrad", "r0_p_lr_decay", 0.5),
        ("adadelta", "r0_p_rho", 0.5),
        ("nadam", "r0_p_momentum_decay", 0.5),
        ("radam", "r0_p_decoupled_weight_decay", True),
    ],
)
def test_every_hyperparameter_changes_the_run(
    make_app: MakeApp, family: str, key: str, value: Any
) -> None:
    at = make_app()
    at.selectbox(key="r0_family").set_value(family).run()
    at.select_slider(key="r0_p_lr").set_value(0.1).run()  # a new optimizer has its own defaults
    if key == "r0_p_decoupled_weight_decay":
        at.select_slider(key="r0_p_weight_decay").set_value(0.5).run()
    first = next(t for t in map_spec(at)["data"] if t.get("legendgroup") == "run0" and t.get("yaxis") == "y2")
    before = values(first["y"])
    widget = next(w for w in (*at.number_input, *at.toggle, *at.select_slider) if w.key == key)
    widget.set_value(value).run()
    ok(at)
    after = values(next(t for t in map_spec(at)["data"] if t.get("legendgroup") == "run0" and t.get("yaxis") == "y2")["y"])
    assert len(before) != len(after) or not np.array_equal(before, after, equal_nan=True)


def test_a_refused_scenario_keeps_the_previous_result(make_app: MakeApp) -> None:
    pytest.importorskip("surfaces.formula.derivatives")
    at = make_app()
    at.selectbox(key="surface").set_value("custom").run()
    at.text_input(key="expr").set_value("log(x) + y**2").run()
    at.number_input(key="xr_lo").set_value(0.1).run()
    ok(at)
    before = kinds(at)
    at.number_input(key="start_x").set_value(-1.0).run()  # log(-1): no finite loss there
    assert not at.exception
    assert any("start" in e.value for e in at.error)
    assert kinds(at) == before


def test_schedule_choice_shows_its_curve_and_shapes_the_lr(make_app: MakeApp) -> None:
    at = make_app()
    open_run(at, 2)
    at.selectbox(key="r2_sched").set_value("cosine").run()
    ok(at)
    lr_line = next(
        t
        for t in traces_spec(at)["data"]
        if t.get("name") == "Adam η=0.1 + CosineAnnealingLR" and t.get("yaxis") == "y4"
    )
    lr = values(lr_line["y"])
    assert lr[0] == pytest.approx(0.1) and lr[-1] < 1e-3
    assert any(
        json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "").startswith("learning rate")
        for c in at.get("plotly_chart")
    )
    at.text_input(key="r2_s_T_max__exact").set_value("600").run()  # typed beside the slider
    ok(at)
    lr_line = next(
        t
        for t in traces_spec(at)["data"]
        if t.get("yaxis") == "y4" and "Cosine" in t.get("name", "")
    )
    assert values(lr_line["y"])[-1] == pytest.approx(
        0.05, rel=0.05
    )  # halfway down at t = T_max / 2
    assert at.query_params["r2.s.T_max"] == "600"


@pytest.mark.parametrize("schedule", ["step", "exponential", "linear", "warmup_cosine", "onecycle"])
def test_every_schedule_runs(make_app: MakeApp, schedule: str) -> None:
    at = make_app()
    open_run(at, 2)
    at.selectbox(key="r2_sched").set_value(schedule).run()
    ok(at)
    lr_line = next(
        t
        for t in traces_spec(at)["data"]
        if t.get("yaxis") == "y4" and t.get("name", "").startswith("Adam")
    )
    assert np.ptp(values(lr_line["y"])) > 0


def test_label_renames_the_run(make_app: MakeApp) -> None:
    at = make_app()
    at.text_input(key="r0_label").set_value("too big").run()
    ok(at)
    assert run_line(map_spec(at), "too big")
    assert at.query_params["r0.label"] == "too big"


def test_add_and_remove_runs(make_app: MakeApp) -> None:
    at = make_app()
    at.button[[b.label for b in at.button].index("Add an optimizer")].click().run()
    ok(at)
    assert len(kinds(at)) == 4
    assert run_line(map_spec(at), "RMSProp η=0.1")
    colors = {t["name"]: t["line"]["color"] for t in map_spec(at)["data"] if t.get("yaxis") == "y2" and t.get("legendgroup")}
    open_run(at, 1)
    at.button(key="r1_remove").click().run()
    ok(at)
    legend = [t["name"] for t in map_spec(at)["data"] if t.get("showlegend") and t.get("legendgroup")]
    assert legend == ["GD η=0.01", "Adam η=0.1", "RMSProp η=0.1"]
    after = {t["name"]: t["line"]["color"] for t in map_spec(at)["data"] if t.get("yaxis") == "y2" and t.get("legendgroup")}
    assert after == {k: v for k, v in colors.items() if k != "GD η=1e-4"}  # colours stay with runs
    assert at.query_params["r1"] == "adam"


# --- view controls ------------------------------------------------------------------------
def test_arrows_are_drawn_on_request(make_app: MakeApp) -> None:
    at = make_app()
    assert not any(t.get("name", "").startswith("arrow-") for t in map_spec(at)["data"])
    at.button_group(key="arrows").set_value(["grad", "momentum"]).run()
    ok(at)
    names = [t.get("name", "") for t in map_spec(at)["data"]]
    assert "−g (direction)" in names and "−momentum (direction)" in names  # the legend
    arrows = [t for t in map_spec(at)["data"] if t.get("name") == "arrow-grad"]
    assert [t["line"]["color"] for t in arrows] == ["#D55E00", "#0072B2", "#009E73"]
    assert at.query_params["arrows"] == "grad,momentum"


def test_3d_view(make_app: MakeApp) -> None:
    at = make_app()
    at.button_group(key="view").set_value("3d").run()
    ok(at)
    assert stage_spec(at)["data"][0]["type"] == "surface"
    assert stage_data(at)["animated"] is False


def test_a_reported_step_moves_the_numbers_not_the_figure(
    make_app: MakeApp, default_result: Any
) -> None:
    """The browser reports where the clock stopped (``ui.classroom.on_step``): the update
    rules show that step, and the figure is not rebuilt (its version stays, so the browser
    does not redraw it); a new figure opens at that step."""
    at = make_app()
    version = stage_data(at)["version"]
    at.session_state["step"] = 10
    at.run()
    ok(at)
    assert any("Step t = 10" in m.value for m in at.markdown)
    g10 = default_result.surface.grad(default_result.runs[0].trajectory[10])
    assert f"{g10[0]:.4g}" in latex(at)
    assert stage_data(at)["version"] == version
    assert at.query_params["step"] == "10"
    at.select_slider(key="r0_p_lr").set_value(0.005).run()  # a new figure ...
    assert stage_data(at)["version"] != version
    assert stage_data(at)["step"] == 10  # ... opens at the step
    assert "sliders" not in stage_spec(at)["layout"]  # the toolbar has the step control


def test_sessions_share_one_figure_and_open_it_at_their_own_step(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figure of a scenario, view and size is built once for every session (a class
    opening one link); each session opens it at the step where its own clock stands."""
    import figures as figs

    builds = []
    real = figs.classroom_spec
    monkeypatch.setattr(figs, "classroom_spec", lambda *a, **k: builds.append(1) or real(*a, **k))
    first = make_app()
    second = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    second.query_params["step"] = "40"  # a link opened at step 40
    second.run()
    ok(first)
    ok(second)
    assert len(builds) == 1
    assert stage_data(first)["version"] == stage_data(second)["version"]
    assert (stage_data(first)["step"], stage_data(second)["step"]) == (0, 40)


# --- presets ------------------------------------------------------------------------------
def test_presets_are_listed_and_loaded(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "saddle.json").write_text(
        json.dumps(
            {
                "title": {"en": "Stuck at a saddle", "zh": "卡在鞍点"},
                "caption": {
                    "en": "GD stops where the gradient vanishes. *Not* <b>bold</b> [a](http://x.io)",
                    "zh": "梯度消失处 GD 停下。",
                },
                "scenario": {
                    "surface": "lecture_saddle",
                    "start": [0.5, -0.5],
                    "steps": 300,
                    "runs": [{"optimizer": "sgd", "params": {"lr": 0.05}, "label": "GD"}],
                },
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "broken.json").write_text("{nope", encoding="utf-8")
    (tmp_path / "invalid.json").write_text(
        json.dumps({"scenario": {"surface": "nope", "runs": []}}), encoding="utf-8"
    )
    monkeypatch.setattr(lab.presets, "PRESET_DIR", tmp_path)
    at = make_app()
    ok(at)
    assert any("broken.json" in shown(c.value) for c in at.caption)  # escaped Markdown
    at.selectbox(key="preset").set_value("saddle").run()
    ok(at)
    assert kinds(at) == ["SADDLE POINT"]
    # the whole title first (the box cuts long ones), then the caption: both shown as typed
    (said,) = [shown(c.value) for c in at.caption if "GD stops where" in c.value]
    assert said == "**Stuck at a saddle** · GD stops where the gradient vanishes. *Not* <b>bold</b> [a](http://x.io)"
    assert any("\\*Not\\*" in c.value and "\\<b\\>" in c.value for c in at.caption)  # inert Markdown and HTML
    assert trace(map_spec(at), "escape direction")
    at.selectbox(key="preset").set_value("invalid").run()
    assert not at.exception
    assert any("invalid" in e.value for e in at.error)
    assert kinds(at) == ["SADDLE POINT"]


def test_no_presets_folder_means_no_preset_box(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lab.presets, "PRESET_DIR", tmp_path / "missing")
    at = make_app()
    ok(at)
    assert not any(s.key == "preset" for s in at.selectbox)


# --- URLs -------------------------------------------------------------------------------------
def test_url_round_trip_restores_every_widget(make_app: MakeApp) -> None:
    query = {
        "lang": "zh",
        "arrows": "grad,update",
        "step": "25",
        "surface": "rotated_ravine",
        "start": "-5,-2",
        "steps": "400",
        "batch": "64",
        "seed": "3",
        "r0": "adam",
        "r0.lr": "0.05",
        "r0.betas": "0.8,0.99",
        "r0.amsgrad": "1",
        "r0.s": "cosine",
        "r0.s.T_max": "400",
        "r1": "rmsprop_lecture",
        "r1.alpha": "0.5",
        "r1.label": "RMS",
    }
    at = make_app(query)
    ok(at)
    assert not at.warning
    assert at.button_group(key="lang").value == "zh"
    assert at.selectbox(key="surface").value == "rotated_ravine"
    assert at.number_input(key="steps").value == 400
    assert at.session_state["step"] == 25
    assert at.selectbox(key="r0_family").value == "adam"
    assert at.select_slider(key="r0_p_beta1").value == 0.8
    open_run(at, 1)
    assert at.toggle(key="r1_lecture").value is True
    assert at.text_input(key="r1_label").value == "RMS"
    assert {k: at.query_params[k] for k in query} == query
    assert run_line(map_spec(at), "RMS")


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"steps": "abc"}, "steps=abc"),
        ({"steps": "1e9"}, "steps=1e9"),
        ({"r0": "sgd", "r0.lr": "-1"}, "r0.lr=-1"),
        ({"r0": "sgd", "r0.lr": "nan"}, "r0.lr=nan"),
        ({"surface": "nope"}, "surface=nope"),
        ({"start": "1,2,3"}, "start=1,2,3"),
        ({"lang": "fr"}, "lang=fr"),
        ({"r0": "turbo"}, "r0=turbo"),
        ({"r9": "adam"}, "r9=adam"),
        ({"arrows": "up"}, "arrows=up"),
        ({"r0": "adam", "r0.betas": "0.9"}, "r0.betas=0.9"),
        ({"r0": "adam", "r0.s": "cosine", "r0.s.T_max": "-3"}, "r0.s.T_max=-3"),
        ({"r0": "nesterov", "r0.momentum": "0.0"}, "r0.momentum=0.0"),
        ({"r0": "sgd", "r0.s": "onecycle", "r0.s.total_steps": "5"}, "r0.s.total_steps=5"),
        ({"surface": "custom", "expr": "import os"}, "expr=import os"),
        ({"utm_source": "mail"}, "utm_source=mail"),
        ({"r01": "adam"}, "r01=adam"),  # not run 1: once a KeyError that broke the page
    ],
)
def test_bad_url_parameters_fall_back_with_a_warning(
    make_app: MakeApp, query: dict[str, str], named: str
) -> None:
    at = make_app(query)
    assert not at.exception
    assert not at.error
    assert any(named in w for w in warnings(at)), warnings(at)
    assert len(kinds(at)) >= 1
    at.button(key="dismiss_url").click().run()
    assert not at.warning


def test_refused_url_scenario_uses_the_defaults(make_app: MakeApp) -> None:
    at = make_app(
        {"r0": "sgd", "r0.lr": "10", "steps": "5000", "r0.s": "step", "r0.s.step_size": "999999"}
    )
    assert not at.exception
    assert kinds(at)  # something valid is shown either way


# --- the pure codec -----------------------------------------------------------------------
def test_default_state_encodes_to_nothing() -> None:
    assert encode(default_state()) == {}
    state, ignored = decode({})
    assert state == default_state() and ignored == []


def test_default_scenario_is_valid_and_tells_the_story() -> None:
    res = simulate(to_scenario(default_state()))
    assert [r.verdict["kind"] for r in res.runs] == ["oscillating", "crawling", "minimum"]


lrs = hs.sampled_from(LR_GRID)
runs = hs.builds(
    lambda name, lr, label: RunState(name, {"lr": lr}, None, label),
    hs.sampled_from(["sgd", "momentum", "adagrad_lecture", "rmsprop_lecture", "adam", "adamw"]),
    lrs,
    hs.sampled_from(["", "a", "run 2", "η=0.1 & more"]),
)


@settings(max_examples=40, deadline=None)
@given(
    hs.lists(runs, min_size=1, max_size=6),
    hs.integers(1, 100_000),
    hs.sampled_from(["en", "zh"]),
    hs.sampled_from([None, 1.0, 16.0, 3.5]),
    hs.tuples(hs.floats(-9, 2), hs.floats(-1.5, 1.5)),
)
def test_url_round_trip_property(
    rs: list[RunState], steps: int, lang: str, batch: float | None, start: tuple[float, float]
) -> None:
    state = AppState(runs=rs, steps=steps, lang=lang, batch=batch, start=start, step=steps // 2)
    back, ignored = decode(encode(state))
    assert ignored == []
    assert encode(back) == encode(state)
    assert to_scenario(back) == to_scenario(state)
    assert (back.lang, back.batch, back.step, back.start) == (lang, batch, steps // 2, start)


@settings(max_examples=200, deadline=None)
@given(
    hs.dictionaries(
        hs.sampled_from(
            [
                "steps",
                "r0",
                "r0.lr",
                "start",
                "batch",
                "lang",
                "r1.s",
                "surface",
                "expr",
                "step",
                "x",
            ]
        ),
        hs.text(max_size=12),
    )
)
def test_decode_never_raises(query: dict[str, str]) -> None:
    state, _ = decode(query)
    parse_scenario(to_scenario(state))  # whatever came in, what comes out is valid


def test_widgets_round_trip() -> None:
    state, _ = decode(
        {
            "r0": "nesterov",
            "r0.momentum": "0.5",
            "r1": "adamw",
            "r1.amsgrad": "1",
            "r1.s": "step",
            "r1.s.step_size": "50",
            "present": "1",
        }
    )
    back = widgets_to_state(state_to_widgets(state))
    assert encode(back) == encode(state)


def test_amsgrad_is_shown_as_adam_with_its_switch() -> None:
    state, _ = decode({"r0": "amsgrad"})
    assert state.runs[0].optimizer == "adam" and state.runs[0].params["amsgrad"] is True


def test_auto_labels_are_language_neutral_and_unique() -> None:
    labels = auto_labels(
        [
            RunState("sgd", {"lr": 1e-2}),
            RunState("sgd", {"lr": 1e-2}),
            RunState("adagrad_lecture", {"lr": 2e-7}),
        ]
    )
    assert labels == ["GD η=0.01 #1", "GD η=0.01 #2", "Adagrad η=2e-7"]


def test_preset_scenario_with_noise_maps_to_a_batch_size() -> None:
    sc = {"surface": "ravine", "runs": [{"optimizer": "sgd"}], "noise": {"std": 10.0, "seed": 2}}
    state = from_scenario(sc, default_state())
    assert state.batch is not None
    assert parse_scenario(to_scenario(state)).noise["std"] == pytest.approx(10.0, rel=1e-5)


# --- update rules and step numbers ----------------------------------------------------------
def test_update_rule_follows_the_variant() -> None:
    assert explain.update_rule("adam", {"bias_correction": False})[-1].endswith(
        r"\frac{m^t}{\sqrt{v^t} + \epsilon}"
    )
    assert r"\max_{k\le t} v^k" in explain.update_rule("adam", {"amsgrad": True})[-1]
    assert explain.update_rule("adagrad_lecture", {}) == OPTIMIZERS["adagrad_lecture"].rule({})
    assert (
        explain.update_rule("adam", {"weight_decay": 0.1})[0]
        == r"g^t \leftarrow g^t + \lambda\,\theta^t"
    )
    assert "b^t" in explain.update_rule("rmsprop", {"momentum": 0.9})[-1]


def test_step_numbers_are_the_recorded_ones() -> None:
    res = simulate(
        {
            "surface": "ravine",
            "steps": 50,
            "runs": [{"optimizer": "adagrad_lecture", "params": {"lr": 0.1}, "label": "A"}],
        },
        record_state=True,
    )
    run = res.runs[0]
    rows = dict(explain.step_numbers(run, 0, res.surface))
    # The lecture's first Adagrad step is eta * sign(g0): (0.1, -0.1) from (-9, 1).
    assert rows[r"\Delta\theta = \theta^{t+1} - \theta^t"] == r"\left(0.1,\ -0.1\right)"
    assert rows[r"\sigma^t"] == r"\left(9,\ 200\right)"
    assert explain.step_numbers(run, run.steps_run, res.surface) == []


def test_every_string_has_both_languages() -> None:
    for key, entry in STRINGS.items():
        # "" is a real English text where Chinese needs a word (the suffix of "第 3 步")
        assert "en" in entry and entry.get("zh"), key


@pytest.mark.parametrize("name", ["05_saddle_point", "saddle_point", "05"])
def test_a_preset_link_opens_the_preset(make_app: MakeApp, name: str) -> None:
    """?preset=NAME is the short link a teacher puts on a slide; it takes the names
    ``--preset`` takes on the command line (one resolver, lab.presets.get_preset)."""
    at = make_app({"preset": name, "lang": "zh"})
    ok(at)
    assert kinds(at) == ["鞍点"]
    assert at.selectbox(key="preset").value == "05_saddle_point"
    assert not at.warning


@pytest.mark.parametrize("name", ["nope", ""])
def test_an_unknown_or_empty_preset_link_is_reported(make_app: MakeApp, name: str) -> None:
    at = make_app({"preset": name})
    ok(at)
    (warning,) = warnings(at)
    assert f"preset={name} (allowed: 01_stuck_is_not_critical, 02_tiny_step_crawls" in warning
    assert kinds(at) == ["OSCILLATING", "CRAWLING", "MINIMUM"]


def test_link_values_cannot_become_markup(make_app: MakeApp) -> None:
    """A link's values are shown as typed: Markdown in them is escaped, not rendered."""
    hostile = "[click](http://example.com) ![i](http://example.com/i.png) :red[x] $x$ <b>"
    at = make_app({"utm": hostile, "r0": "sgd", "r0.label": "**bold** [a](http://b.c)"})
    ok(at)
    (raw,) = [w.value for w in at.warning]
    assert "[click](" not in raw and "![i](" not in raw and ":red[" not in raw
    assert hostile in shown(raw)  # what the reader sees is the text as typed
    assert "**bold**" not in " ".join(e.label for e in at.expander)


# --- controls (issue 11) --------------------------------------------------------------------
def test_a_new_optimizer_starts_from_its_own_defaults(make_app: MakeApp) -> None:
    at = make_app()
    at.selectbox(key="r0_family").set_value("adagrad").run()
    at.select_slider(key="r0_p_eps").set_value(1e-3).run()
    at.selectbox(key="r0_family").set_value("adam").run()
    ok(at)
    assert at.select_slider(key="r0_p_eps").value == 1e-8  # Adam's ε, not Adagrad's
    assert at.select_slider(key="r0_p_lr").value == 1e-3


def test_the_adamw_switch_brings_adamws_weight_decay(make_app: MakeApp) -> None:
    at = make_app()
    open_run(at, 2)
    at.selectbox(key="r2_family").set_value("adam").run()
    assert at.select_slider(key="r2_p_weight_decay").value == 0.0
    at.session_state["rules_run"] = 2  # its update rule's tab open (only the open tab is drawn)
    at.toggle(key="r2_decoupled").set_value(True).run()
    ok(at)
    assert at.select_slider(key="r2_p_weight_decay").value == 0.01  # AdamW's default λ
    assert "(1-\\eta^t\\lambda)" in latex(at)


def test_sliders_for_betas_alpha_and_schedule_parameters_with_exact_values(make_app: MakeApp) -> None:
    at = make_app()
    open_run(at, 2)
    beta1 = at.select_slider(key="r2_p_beta1")
    assert {"0.9", "0.95", "0.99", "0.995", "0.999"} <= set(beta1.options)  # fine near 1
    at.text_input(key="r2_p_lr__exact").set_value("0.0123").run()
    ok(at)
    assert at.select_slider(key="r2_p_lr").value == 0.0123
    assert run_line(map_spec(at), "Adam η=0.0123")
    at.text_input(key="r2_p_lr__exact").set_value("-1").run()
    assert any("r2" not in c.value and "lr" in c.value.lower() for c in at.caption)  # named, kept
    assert at.select_slider(key="r2_p_lr").value == 0.0123
    at.selectbox(key="r2_sched").set_value("linear").run()
    ok(at)
    assert at.select_slider(key="r2_s_start_factor").label.startswith("f₀")  # lecture symbol
    assert "start_factor" in at.select_slider(key="r2_s_start_factor").label  # torch name


def test_one_cycle_disables_eta_and_says_why(make_app: MakeApp) -> None:
    at = make_app()
    open_run(at, 2)
    at.selectbox(key="r2_sched").set_value("onecycle").run()
    ok(at)
    assert at.select_slider(key="r2_p_lr").disabled
    assert any("One-cycle sets η itself" in c.value for c in at.caption)
    assert run_line(map_spec(at), "Adam + OneCycleLR η_max=0.1")
    at.button_group(key="lang").set_value("zh").run()
    assert any("one-cycle 自己决定 η" in c.value for c in at.caption)
    assert at.select_slider(key="r2_s_pct_start").label.startswith("p：")


def test_preset_views_open_as_the_claim_needs(make_app: MakeApp) -> None:
    at = make_app({"preset": "07"})
    ok(at)
    layout = stage_spec(at)["layout"]
    assert max(layout["xaxis2"]["tickvals"]) <= 60  # zoomed on the first steps
    assert at.query_params["zoom"] == "0,60"
    data = stage_spec(at)["data"]
    assert any(t.get("name") == "pin" for t in data)  # the first steps' lengths, ringed
    assert any(t.get("name") == "zoom_read" for t in data)
    at = make_app({"preset": "05"})
    assert any(t.get("name") == "local-eig-" for t in stage_spec(at)["data"])  # the saddle's model
    # Preset 4 shows the step size |Δθ| instead of η (its view's panels), Adagrad's huge steps
    # down the cliff; choosing another surface brings the usual panels back.
    at = make_app({"preset": "04"})
    layout = stage_spec(at)["layout"]
    titles = [layout[f"yaxis{k}"]["title"]["text"] for k in range(2, 6)]
    assert titles[2] == STRINGS["fig.step_size"]["en"], titles
    assert any(t.get("name") == "pin" for t in stage_spec(at)["data"])  # the cliff's two steps
    at.sidebar.selectbox(key="surface").set_value("ravine").run()
    layout = stage_spec(at)["layout"]
    assert layout["yaxis4"]["title"]["text"] == STRINGS["fig.lr"]["en"]
    assert not any(t.get("name") == "pin" for t in stage_spec(at)["data"])  # the preset's pins went with it


def test_verdict_numbers_are_never_cut(make_app: MakeApp) -> None:
    """A card's numbers are written whole (st.metric cut "2.04e-25" to "2.0…" at 1024 px)."""
    at = make_app({"preset": "03"})
    bodies = " ".join(h.proto.body for h in at.get("html"))
    finals = re.findall(r'lab-num-value">([^<]+)<', bodies)
    assert any(f.endswith("e-25") for f in finals), finals


def test_a_cards_numbers_are_the_panels_read_outs(make_app: MakeApp) -> None:
    """The review read a card's "1.257" and "‖g‖ / ‖g⁰‖ 0.00716" against the panels' 1.26 and
    0.0266 as two answers: a card now gives the final loss and the final ‖g‖ as the panels'
    read-outs print them, and the ratio to the start under them."""
    from figures.style import fmt_value
    from lab import simulate
    from lab.presets import get_preset

    at = make_app({"preset": "09"})
    ok(at)
    bodies = " ".join(h.proto.body for h in at.get("html"))
    finals = re.findall(r'lab-num-value">([^<]+)<', bodies)
    runs = simulate(get_preset("09").scenario).runs
    for run in runs:
        assert fmt_value(float(run.loss[-1])) in finals and fmt_value(float(run.grad_norm[-1])) in finals
        ratio = fmt_value(run.verdict["numbers"]["grad_norm_ratio"])
        assert f"‖g‖ / ‖g⁰‖ = {ratio} (of its start)" in bodies


def test_a_card_judging_l2_names_the_gradient_it_gives(make_app: MakeApp) -> None:
    """Preset 8: Adam + L2's card judges L + λ/2·‖θ‖², whose gradient is 0 at its end, while
    the ‖g‖ panel shows L's, 2.15: the card's number says whose gradient it is."""
    at = make_app({"preset": "08"})
    ok(at)
    bodies = " ".join(h.proto.body for h in at.get("html"))
    assert "final ‖g‖ of L + λ/2·‖θ‖²" in bodies and "final ‖g‖<" in bodies  # Adam + L2, and the others
