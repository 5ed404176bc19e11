"""The moments panel's numbers (``lab.moments``): how far σ and m lag the gradient, against
closed forms at step 0 and against the lecture's recursions run apart from the optimizers;
the state replayed for a run simulated without it equals the recorded one; the presets that
show the panel quote what it prints."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from figures import View, classroom_spec
from figures.view import view_options
from lab import simulate
from lab.moments import moment_ratios, replayed_state, used_gradient
from lab.presets import get_preset

RAVINE: dict[str, Any] = {"surface": "ravine", "start": [-9.0, 1.0], "steps": 40}


def run(optimizer: str, steps: int = 40, record: bool = True, **params: Any) -> Any:
    sc = {**RAVINE, "steps": steps, "runs": [{"optimizer": optimizer, "params": {"lr": 1e-3, **params}}]}
    return simulate(sc, record_state=record).runs[0]


@pytest.mark.parametrize("b1, b2", [(0.9, 0.999), (0.99, 0.99), (0.5, 0.9)])
def test_adam_at_step_0_closed_form(b1: float, b2: float) -> None:
    """m⁰ = (1 − β₁)g⁰, v⁰ = (1 − β₂)(g⁰)²: uncorrected, m/‖g‖ = 1 − β₁ and σ/‖g‖ = √(1 − β₂);
    corrected, both 1."""
    raw_s, raw_m = moment_ratios(run("adam", betas=[b1, b2], bias_correction=False))
    assert raw_s[0] == pytest.approx(np.sqrt(1 - b2), rel=1e-12) and raw_m[0] == pytest.approx(1 - b1, rel=1e-12)
    s, m = moment_ratios(run("adam", betas=[b1, b2]))
    assert s[0] == pytest.approx(1.0, rel=1e-12) and m[0] == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize(
    "optimizer, params, sigma0",
    [
        ("rmsprop", {"alpha": 0.99}, 0.1),  # torch's v⁰ = (1 − α)(g⁰)²: preset 7's 0.1
        ("rmsprop", {"alpha": 0.5}, np.sqrt(0.5)),
        ("rmsprop_lecture", {"alpha": 0.5}, 1.0),  # the lecture's σ⁰ = |g⁰|
        ("adagrad", {}, 1.0),  # √s⁰ = |g⁰|
        ("adagrad_lecture", {}, 1.0),
    ],
)
def test_sigma_at_step_0_closed_form(optimizer: str, params: dict[str, Any], sigma0: float) -> None:
    s, m = moment_ratios(run(optimizer, **params))
    assert m is None and s[0] == pytest.approx(sigma0, rel=1e-12)


def test_rmsprop_and_adam_against_the_recursions_run_apart() -> None:
    """v ← αv + (1 − α)g², m ← β₁m + (1 − β₁)g with the corrections, over 40 steps of the
    gradients the runs used, by hand."""
    r = run("rmsprop", alpha=0.9)
    g = used_gradient(r)
    v = np.zeros(2)
    want = []
    for gt in g:
        v = 0.9 * v + 0.1 * gt**2
        want.append(np.linalg.norm(np.sqrt(v)) / np.linalg.norm(gt))
    np.testing.assert_allclose(moment_ratios(r)[0], want, rtol=1e-12)
    a = run("adam", betas=[0.8, 0.95])
    g = used_gradient(a)
    m, v = np.zeros(2), np.zeros(2)
    ws, wm = [], []
    for t, gt in enumerate(g, start=1):
        m, v = 0.8 * m + 0.2 * gt, 0.95 * v + 0.05 * gt**2
        ws.append(np.linalg.norm(np.sqrt(v / (1 - 0.95**t))) / np.linalg.norm(gt))
        wm.append(np.linalg.norm(m / (1 - 0.8**t)) / np.linalg.norm(gt))
    s, mm = moment_ratios(a)
    np.testing.assert_allclose(s, ws, rtol=1e-12)
    np.testing.assert_allclose(mm, wm, rtol=1e-12)


def test_heavy_ball_m_and_plain_gd_none() -> None:
    """SGD's momentum buffer b ← μb + g is a sum: 1 at step 0, towards 1/(1 − μ) on a steady
    gradient; plain GD has neither σ nor m."""
    s, m = moment_ratios(run("momentum", steps=200, momentum=0.5, lr=1e-6))
    assert s is None and m[0] == pytest.approx(1.0) and m[-1] == pytest.approx(2.0, rel=1e-3)
    assert moment_ratios(run("sgd")) == (None, None)


@pytest.mark.parametrize("name", ["04", "07", "08", "09", "10", "23"])
def test_the_replayed_state_is_the_recorded_one(name: str) -> None:
    """A run simulated without its state (the command line, the gallery) replays it through
    its own rule: bit for bit what the app records (noise, batches, L2 and schedules too)."""
    sc = get_preset(name).scenario
    for kept, bare in zip(simulate(sc, record_state=True).runs, simulate(sc).runs, strict=True):
        again = replayed_state(bare)
        assert again.keys() == kept.state.keys()
        for field, arr in kept.state.items():
            np.testing.assert_array_equal(again[field], arr)


def test_the_panel_reads_sigma_and_m_and_says_what_they_are() -> None:
    """Preset 10: the rings at step 0 print σ 1 and m 1 (corrected) and σ 0.1 and m 0.01
    (uncorrected); the panel's note names the lines."""
    p = get_preset("10")
    res = simulate(p.scenario)
    d = classroom_spec(res, View(**view_options(p.view)), width=1000, height=640, step=res.runs[0].steps_run)
    labels = sorted(s.strip("\u00a0") for tr in d["data"] if tr.get("name") == "pin_label" for s in tr["text"])
    assert [x for x in labels if x.startswith(("σ", "m"))] == ["m 0.01", "m 1", "σ 0.1", "σ 1"]
    notes = [a["text"] for a in d["layout"]["annotations"]]
    assert "solid: ||σ||/||g||, dashed: ||m||/||g|| (1: as large as g)" in notes
    one = copy.deepcopy(get_preset("07"))
    d7 = classroom_spec(simulate(one.scenario), View(**view_options(one.view)), width=1000, height=640, step=0)
    assert "||σ||/||g|| (1: as large as g)" in [a["text"] for a in d7["layout"]["annotations"]]  # RMSProp: no m


def test_adagrad_falls_behind_at_the_cliff_and_rmsprop_does_not() -> None:
    """Preset 4: at the cliff (steps 90 → 100) the gradient jumps and Adagrad's σ, the mean
    of the whole history, is left at 0.139 of it; RMSProp's (α = 0.5) stays near 1."""
    ada, rms = simulate(get_preset("04").scenario).runs
    sa, sr = moment_ratios(ada)[0], moment_ratios(rms)[0]
    assert f"{sa[90]:.3g}" == "1.72" and f"{sa[100]:.3g}" == "0.139"
    assert 0.7 < sr[100] < 1.6 and abs(sr[-1] - 1) < 0.05
