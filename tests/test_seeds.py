"""Where batch runs end over many batch seeds (``lab.seeds``): the step loop alone ends where
the whole engine does, the counts are those of the runs one by one, and the map, the cards,
the link and the downloads show them (the review: preset 23's "in all 100 seeds" was on no
screen)."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import numpy as np
import pytest

from figures import View, classroom_spec
from figures.view import ViewError, view_options
from lab import simulate
from lab.engine import final_points
from lab.presets import get_preset
from lab.scenario import ScenarioError
from lab.seeds import MAX_SEEDS, NEAR, check_seeds, ends_at, fates
from ui.model import AppState
from ui.url import decode, encode


@pytest.mark.parametrize(
    "scenario",
    [
        get_preset("23").scenario,
        get_preset("09").scenario,  # emulated noise
        {"surface": "ravine", "start": [-9.0, 1.0], "steps": 300,
         "runs": [{"optimizer": "sgd", "params": {"lr": 0.0105}}, {"optimizer": "adam", "params": {"lr": 0.1}}]},
    ],
)  # fmt: skip
def test_the_step_loop_alone_ends_where_the_engine_does(scenario: dict[str, Any]) -> None:
    ends = final_points(scenario)
    for run, end in zip(simulate(scenario).runs, ends, strict=True):
        if run.kind == "diverged":  # the engine cut it; the loop alone went on, out of bounds
            assert np.isnan(end).all()
        else:
            np.testing.assert_array_equal(end, run.trajectory[-1])


def test_an_end_is_at_the_minimum_it_is_near_else_elsewhere() -> None:
    minima = np.array([[0.0, 0.0], [4.0, 0.0]])
    ends = np.array([[0.1, 0.0], [3.9, 0.2], [2.0, 0.0], [NEAR * 4 - 0.01, 0.0], [np.nan, np.nan]])
    assert ends_at(ends, minima, 10.0).tolist() == [0, 1, -1, 0, -1]
    assert ends_at(np.array([[0.5, 0.0], [3.0, 0.0]]), minima[:1], 10.0).tolist() == [0, -1]  # one: of the map
    assert ends_at(np.array([[0.5, 0.0]]), np.zeros((0, 2)), 10.0).tolist() == [-1]


def test_the_counts_are_those_of_the_runs_one_by_one() -> None:
    sc = get_preset("23").scenario
    got = fates(sc, 12)
    assert [f.run for f in got] == [1, 2]  # the batch runs; the full batch has no seed
    one_by_one = copy.deepcopy(sc)
    one_by_one["runs"] = [{**sc["runs"][2], "batch": {"size": 2, "seed": k}} for k in range(12)]
    res = simulate(one_by_one)
    minima = np.asarray(res.surface.minima)
    nearest = [int(np.argmin(np.linalg.norm(minima - r.trajectory[-1], axis=1))) for r in res.runs]
    assert got[1].counts == tuple(nearest.count(k) for k in range(len(minima)))
    assert sum(got[1].counts) + got[1].elsewhere == 12


def test_the_presets_counts_are_their_captions() -> None:
    """23: batches of one reach the wide well in all 100 seeds, of two in about four in five;
    25: batches of one end in the flat minimum in all 100; 24: all 100 at the saddle."""
    r23 = simulate(get_preset("23").scenario)
    wide = int(np.argmin([float(r23.surface.value(np.array(m))) for m in r23.surface.minima]))
    f1, f2 = fates(get_preset("23").scenario, 100)
    assert f1.counts[wide] == 100 and 65 <= f2.counts[wide] <= 92 and f2.elsewhere == 0
    assert "reach the wide minimum in all 100" in get_preset("23").caption["en"]
    r25 = simulate(get_preset("25").scenario)
    curv = [np.linalg.eigvalsh(r25.surface.hessian(np.array(m))).max() for m in r25.surface.minima]
    (f25,) = fates(get_preset("25").scenario, 100)
    assert f25.counts[int(np.argmin(curv))] == 100
    (f24,) = fates(get_preset("24").scenario, 100)
    assert f24.counts == (0, 0) and f24.elsewhere == 100
    assert f24.elsewhere_at == pytest.approx((0.0, 0.0), abs=1e-6)  # the saddle
    assert "all 100 end at the saddle" in get_preset("24").caption["en"]


@pytest.mark.parametrize("bad", [-1, MAX_SEEDS + 1, 1.5, True, "100", None])
def test_a_bad_seed_count_is_named_with_what_is_allowed(bad: Any) -> None:
    with pytest.raises(ScenarioError, match=f"seeds = .*allowed: a whole number from 0 .* to {MAX_SEEDS}"):
        check_seeds(bad)
    with pytest.raises(ViewError, match=r"view\.seeds = .*allowed"):
        view_options({"seeds": bad})


def test_too_many_sample_indices_over_the_seeds_are_refused() -> None:
    sc = copy.deepcopy(get_preset("21").scenario)
    sc["steps"] = 20_000
    sc["runs"][0]["batch"] = {"size": 32, "seed": 0}
    with pytest.raises(ScenarioError, match=r"seeds x steps x batch sizes = 128,000,000; allowed: at most 20,000,000"):
        fates(sc, 200)
    assert fates(get_preset("05").scenario, 100) == []  # no batch runs: nothing to count


def test_the_map_counts_the_ends_once_the_clock_is_at_the_end() -> None:
    p = get_preset("23")
    res = simulate(p.scenario)
    counted = fates(p.scenario, 20)
    d = classroom_spec(res, View(**view_options(p.view)), width=1000, height=640, step=0, fates=counted)
    i = next(k for k, tr in enumerate(d["data"]) if tr.get("name") == "seed_fates")
    texts = d["data"][i]["text"]
    words = [" ".join(re.sub(r"<[^>]+>", " ", x).replace("\u00a0", " ").split()) for x in texts]
    assert any("20 of 20 seeds end here" in w for w in words), words  # batches of one, the wide well
    color = View().color(1)
    assert all("<span style=\"color:" in x for x in texts) and any(color in x for x in texts)
    frames = {int(f["name"]): dict(zip(f["traces"], f["data"], strict=True)) for f in d["frames"]}
    last = max(frames)
    assert all(y is None for y in frames[last - 1][i]["y"]) if last - 1 in frames else True
    assert all(y is not None for y in frames[last][i]["y"])
    whole = classroom_spec(res, View(**view_options(p.view), reveal=False), width=1000, height=640, step=0, fates=counted)
    j = next(k for k, tr in enumerate(whole["data"]) if tr.get("name") == "seed_fates")
    assert all(y is not None for y in whole["data"][j]["y"])  # paths drawn whole: the counts too


def test_the_seed_count_round_trips_through_the_link_and_a_bad_one_is_named() -> None:
    state = AppState(seeds=50)
    back, ignored = decode(encode(state))
    assert ignored == [] and back.seeds == 50 and "seeds" in encode(state)
    back, ignored = decode({"seeds": "1e9"})
    assert back.seeds == 0 and [i.name for i in ignored] == ["seeds"]


def test_a_preset_with_seeds_counts_them_on_the_map_and_the_card(make_app: Any) -> None:
    at = make_app({"preset": "23"})
    assert not at.exception and not at.error
    assert at.session_state["seeds"] == 100
    spec = json.loads(json.loads(at.get("bidi_component")[0].proto.json)["figure"])
    assert any(tr.get("name") == "seed_fates" for tr in spec["data"])
    cards = " ".join(h.proto.body for h in at.get("html"))
    assert "Over 100 batch seeds (0 … 99) this run ends at the minimum" in cards
    at.select_slider(key="seeds").set_value(0).run()
    spec = json.loads(json.loads(at.get("bidi_component")[0].proto.json)["figure"])
    assert not any(tr.get("name") == "seed_fates" for tr in spec["data"])


def _label_box(text: str, position: str, at: np.ndarray, font: float) -> tuple[float, float, float, float]:
    """A seed label's box on screen (pixels, y up), from its text and text position."""
    from figures.fates import _box
    from figures.style import label_px

    side = {"middle right": "right", "middle left": "left", "bottom center": "below", "top center": "above"}.get(position, position)
    return _box(side, (float(at[0]), float(at[1])), label_px(text, font), (text.count("<br>") + 1) * 1.25 * font)  # at: its anchor


@pytest.mark.parametrize("width", [690, 1030])  # the app's figure at 1024 and at 1366 px
@pytest.mark.parametrize("name", ["23", "24", "25"])
def test_seed_counts_stay_on_the_map_clear_of_arrows_and_markers(name: str, width: int) -> None:
    """The review: under preset 24's saddle the count crossed the escape arrow; under 25's
    flat minimum it covered the star; right of 23's wide well it ran off the map. Every label
    now stands inside the map and covers no arrow, no star, no start ring but its own place's."""
    from figures import fates as fate_fig
    from figures.layers import layers_for
    from figures.map import drawn_indices, path_dashes, static_traces
    from figures.overview import _drawn

    p = get_preset(name)
    res = simulate(p.scenario)
    counted = fates(p.scenario, 100)
    view = View(**view_options(p.view), width=width, height=600)
    d = classroom_spec(res, view, width=width, height=600, step=res.runs[0].steps_run, fates=counted)
    (tr,) = [x for x in d["data"] if x.get("name") == "seed_fates"]
    lay = d["layout"]
    (x0, x1), (y0, y1) = lay["xaxis"]["range"], lay["yaxis"]["range"]
    plot_w = width - lay["margin"]["l"] - lay["margin"]["r"]
    plot_h = 600 - lay["margin"]["t"] - lay["margin"]["b"]
    (dx0, dx1), (dy0, dy1) = lay["xaxis"]["domain"], lay["yaxis"]["domain"]
    box = fate_fig.MapBox((x0, x1), (y0, y1), plot_w * (dx1 - dx0) / (x1 - x0), plot_h * (dy1 - dy0) / (y1 - y0))
    layers = layers_for(res.scenario.surface)
    drawn = [drawn_indices(r, layers) for r in res.runs]
    statics = [s for s in static_traces(res, layers, view, drawn, path_dashes(res, layers, view, drawn)) if s.get("name") != "contours"]
    ink = _drawn(box, [s for s in statics if "lines" in s.get("mode", "")] + [s for s in statics if "markers" in s.get("mode", "") and "lines" not in s.get("mode", "")], [])
    width_px, height_px = box.size
    places = [q for q, _ in fate_fig.fate_places(res, counted)]
    for x, y, text, side, place in zip(tr["x"], tr["y"], tr["text"], tr["textposition"], places, strict=True):
        at, here = box.px(np.array([[x, y], place]))
        assert np.hypot(*(at - here)) >= 0.98 * fate_fig.gap(view)  # anchored clear of its star
        bx0, by0, bx1, by1 = _label_box(text, side, at, view.sizes.font)
        assert bx0 >= -0.5 and bx1 <= width_px + 0.5 and by0 >= -0.5 and by1 <= height_px + 0.5, (name, text, side)
        far = np.hypot(*(ink - here).T) > fate_fig.MARK
        inside = ink[far]
        hits = (inside[:, 0] >= bx0) & (inside[:, 0] <= bx1) & (inside[:, 1] >= by0) & (inside[:, 1] <= by1)
        assert not hits.any(), (name, width, text, side, int(hits.sum()))
