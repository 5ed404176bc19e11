"""The mini-batch presets (21-25) prove what their captions say, with the captions' numbers."""

from __future__ import annotations

import copy
import functools
from typing import Any

import numpy as np
import pytest

from lab import simulate
from lab.batches import step_of_epoch
from lab.presets import get_preset
from surfaces import make_surface

BATCH_PRESETS = (
    "21_every_batch_its_own_surface",
    "22_small_vs_large_batch_per_epoch",
    "23_small_batch_escapes_sharp_minimum",
    "24_batches_cannot_leave_the_stable_line",
    "25_flat_minimum_generalises",
)
SEEDS = 100  # batch orders tried for the escape rates the captions report


@functools.cache
def sim(name: str) -> Any:
    return simulate(get_preset(name).scenario)


def caption(name: str) -> str:
    return get_preset(name).caption["en"]


@pytest.mark.parametrize("name", BATCH_PRESETS)
def test_every_batch_preset_has_both_languages_and_a_data_set(name: str) -> None:
    p = get_preset(name)
    assert p.title["en"] and p.caption["en"] and p.title["zh"] and p.caption["zh"]
    assert any("\u4e00" <= c <= "\u9fff" for c in p.caption["zh"])
    assert "data" in p.scenario["surface"]


def _lstsq(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)[0]


def test_21_every_batch_has_its_own_minimum_and_each_step_descends_its_own_surface() -> None:
    res = sim("21_every_batch_its_own_surface")
    small, full = res.runs
    s = res.surface
    best = np.array(s.minima[0])
    x, y = res.data["inputs"], res.data["targets"]
    # every batch's own least-squares minimum: spread around the data's
    own = np.array([_lstsq(x[b], y[b]) for b in small.batches])
    far = np.linalg.norm(own - best, axis=1)
    assert round(float(np.median(far)), 2) == 0.38
    assert 1 / 9 < np.mean(far > 1) < 1 / 7  # one batch in eight
    text = caption("21_every_batch_its_own_surface")  # says what the map shows of it
    assert "the ✕ its own minimum" in text and "jump from batch to batch as Play runs" in text
    # ... and its gradient at the data's minimum is not zero (the data's own gradient is)
    g = np.linalg.norm([s.batch_grad(best, b) for b in small.batches], axis=1)
    assert g.min() > 1e3 * np.linalg.norm(s.grad(best)) and np.median(g) > 0.1
    # every step goes downhill on its own batch's surface ...
    after = np.array([float(s.batch_value(small.trajectory[t + 1], b)) for t, b in enumerate(small.batches)])
    assert np.all(after < small.batch_loss)
    # ... while the whole data set's loss rises on 41 % of them: counted apart from the card,
    # which says so (the number the caption quotes is on the screen)
    rises = int(np.count_nonzero(np.diff(small.loss) > 0))
    assert rises == small.verdict["numbers"]["rises"] == 163 and np.all(np.diff(full.loss) <= 0)
    assert "rose on 41 % of its 400 steps (163)" in small.verdict["explanation"]["en"]
    assert "41 %" in text and "(163, its card says)" in text
    # hovering: minimum within the noise; the data's loss barely moves, each batch's jumps
    v = small.verdict
    assert v["kind"] == "minimum" and v["numbers"]["within_noise"] is True
    assert full.verdict["kind"] == "minimum" and not full.verdict["numbers"].get("within_noise")
    late = slice(200, None)
    assert np.ptp(small.batch_loss[late]) > 10 * np.ptp(small.loss[late])


def test_22_per_epoch_the_small_batch_gets_further_per_update_it_is_noisier() -> None:
    res = sim("22_small_vs_large_batch_per_epoch")
    b4, b16, full = res.runs
    floor = float(res.surface.value(np.array(res.surface.minima[0])))
    assert (b4.steps_per_epoch, b16.steps_per_epoch, full.steps_per_epoch) == (16, 4, 1)
    excess = lambda run, step: float(run.loss[step] - floor)  # noqa: E731
    at_epoch_5 = [excess(r, step_of_epoch(5, r.steps_per_epoch)) for r in (b4, b16, full)]
    np.testing.assert_allclose(at_epoch_5, [0.015, 0.60, 1.59], atol=0.006)
    assert at_epoch_5[0] < at_epoch_5[1] < at_epoch_5[2]
    per_update = [excess(r, 80) for r in (b4, b16, full)]
    np.testing.assert_allclose(per_update, [0.015, 0.013, 0.013], atol=0.0006)
    text = caption("22_small_vs_large_batch_per_epoch")
    # the caption quotes what the screen prints: the read-outs at epoch 20 (each run's line
    # ends at its last update on the axis) and the cards' final losses
    from figures.style import fmt_value

    at_20 = [fmt_value(float(r.loss[step_of_epoch(20, r.steps_per_epoch)])) for r in (b4, b16, full)]
    assert at_20 == ["0.119", "0.132", "0.725"] and f"{at_20[0]}, {at_20[1]} and {at_20[2]}" in text
    assert {fmt_value(float(r.loss[-1])) for r in res.runs} == {"0.119"}  # every card's final loss
    assert "against 0.119 where all three end (every card's final loss)" in text
    rises = [np.mean(np.diff(r.loss) > 0) for r in (b4, b16, full)]
    assert round(rises[0] * 100) == 39 and round(rises[1] * 100) == 33 and rises[2] == 0
    assert "39 %" in text and "33 %" in text
    # noise per update: smaller batch, larger noise (about 1 / sqrt(B) times the FPC)
    noise = [np.linalg.norm(r.noise, axis=1).mean() for r in (b4, b16)]
    assert noise[0] > 1.8 * noise[1] > 0 and full.noise is None


def _escapes(name: str, sizes: tuple[int, ...], seeds: int = SEEDS) -> dict[int, list[int]]:
    """For each batch size: the step at which each of ``seeds`` batch orders first came within
    0.5 of the flat minimum and ended there (-1: it did not), the preset's run otherwise."""
    p = get_preset(name).scenario
    s = make_surface(p["surface"])
    flat = min(s.minima, key=lambda m: np.linalg.eigvalsh(s.hessian(np.array(m))).max())
    run = copy.deepcopy(p["runs"][-1])
    runs = [{**run, "batch": {"size": b, "seed": k}} for b in sizes for k in range(seeds)]
    res = simulate({**p, "runs": runs})
    out: dict[int, list[int]] = {}
    for run in res.runs:
        near = np.linalg.norm(run.trajectory - np.array(flat), axis=1) < 0.5
        end_near = np.linalg.norm(run.trajectory[-1] - np.array(flat)) < 0.3
        out.setdefault(run.batch["size"], []).append(int(np.argmax(near)) if end_near else -1)
    return out


@functools.cache
def escapes_23() -> dict[int, list[int]]:
    # the caption also reports batches of 3 and 4 (not runs of the preset: those that stay in
    # the narrow well get verdicts the loss probes cannot make through that much noise)
    return _escapes("23_small_batch_escapes_sharp_minimum", (1, 2, 3, 4))


def test_23_full_batch_stays_in_the_sharp_local_minimum() -> None:
    res = sim("23_small_batch_escapes_sharp_minimum")
    s = res.surface
    curv = {m: np.linalg.eigvalsh(s.hessian(np.array(m))).max() for m in s.minima}
    flat, sharp = sorted(s.minima, key=lambda m: curv[m])
    assert round(curv[sharp]) == 18 and round(curv[flat], 1) == 1.2
    assert float(s.value(np.array(sharp))) > float(s.value(np.array(flat)))  # shallower
    full = res.runs[0]
    assert full.verdict["kind"] == "minimum" and full.verdict["local"] is True
    np.testing.assert_allclose(full.trajectory[-1], sharp, atol=1e-6)
    # the batch noise there is large, in the flat minimum small: ~ curvature x offset
    from lab.batches import BatchNoise

    noise = BatchNoise(s, 1).covariance(np.array([sharp, flat]))
    assert np.sqrt(np.linalg.eigvalsh(noise[0]).max()) > 10 * np.sqrt(np.linalg.eigvalsh(noise[1]).max())


def test_23_escape_rates_over_seeds_are_the_captions() -> None:
    rates = escapes_23()
    escaped = {b: sum(k >= 0 for k in ks) for b, ks in rates.items()}
    # The escape is chaotic: the last bit of a processor's rounding changes a few seeds' fate
    # (83 of 100 for batches of 2 on one machine, 75 on another; the slowest batch-of-1 escape
    # 529 and 445 steps), so the caption gives proportions and the test their ranges.
    assert escaped[1] == 100 and escaped[4] == 0, escaped  # of 100 each
    assert 65 <= escaped[2] <= 92 and 4 <= escaped[3] <= 20, escaped  # ~4 in 5, ~1 in 10
    assert escaped[1] > escaped[2] > escaped[3] > escaped[4]
    first, last = min(rates[1]), max(rates[1])
    assert 40 <= first <= 60 and 350 <= last <= 650, (first, last)
    text = caption("23_small_batch_escapes_sharp_minimum")
    # the caption quotes what the map prints: the counts beside the minima (this machine's:
    # 83 of 100 for batches of 2, within the range above) and the hourglasses' steps
    assert "batches of 1 reach the wide minimum in all 100" in text
    assert f"batches of 2 in {escaped[2]} (the other {100 - escaped[2]} stay" in text or not 80 <= escaped[2] <= 86
    assert "The map draws batch seed 0" in text and "counts where each batch size ends over 100" in text
    seed0 = simulate(get_preset("23").scenario).runs
    passed = [e["step"] for r in seed0 for e in r.verdict["events"] if e["kind"] == "left_saddle"]
    assert f"step {passed[0]} and step {passed[1]}" in text
    # most runs that escaped settle within the noise of the wide well
    res = simulate(
        {
            **get_preset("23").scenario,
            "runs": [{"optimizer": "sgd", "params": {"lr": 0.08}, "batch": {"size": 1, "seed": k}} for k in range(10)],
        }
    )
    assert sum(bool(r.verdict["numbers"].get("within_noise")) for r in res.runs) >= 9


def test_23_escaped_runs_hover_at_the_flat_minimum_within_the_noise() -> None:
    res = sim("23_small_batch_escapes_sharp_minimum")
    assert [r.batch for r in res.runs] == [None, {"size": 1, "seed": 0}, {"size": 2, "seed": 0}]
    for run in res.runs[1:]:
        v = run.verdict
        assert v["kind"] == "minimum" and v["numbers"]["within_noise"] is True, v["explanation"]["en"]
        assert v["local"] is False


def test_24_batches_of_one_sample_stay_on_the_line_and_reach_the_saddle() -> None:
    res = sim("24_batches_cannot_leave_the_stable_line")
    one, full = res.runs
    for run in (one, full):
        np.testing.assert_array_equal(run.trajectory.sum(axis=1), 0.0)  # w1 + w2 = 0 exactly
        assert run.verdict["kind"] == "saddle"
        np.testing.assert_allclose(run.verdict["escape_direction"], [2**-0.5, 2**-0.5], atol=1e-6)
    # the batch noise had no component across the line, ever
    assert np.abs(one.noise @ np.array([1.0, 1.0])).max() == 0.0 and np.abs(one.noise).max() > 0.05
    # a start off the line escapes, one sample per step or all of them
    nudged = copy.deepcopy(get_preset("24_batches_cannot_leave_the_stable_line").scenario)
    nudged["start"] = [0.8, -0.78]
    for run in simulate(nudged).runs:
        assert run.verdict["kind"] == "minimum" and run.loss[-1] < 0.02
        assert [e["kind"] for e in run.verdict["events"]] == ["left_saddle"]


def test_25_the_sharp_minimum_is_lower_on_training_data_and_worse_on_test_data() -> None:
    res = sim("25_flat_minimum_generalises")
    s = res.surface
    full, small = res.runs
    curv = {m: np.linalg.eigvalsh(s.hessian(np.array(m))).max() for m in s.minima}
    flat, sharp = sorted(s.minima, key=lambda m: curv[m])
    assert round(curv[sharp]) == 23
    train = {m: float(s.value(np.array(m))) for m in (flat, sharp)}
    test = {m: float(s.test_value(np.array(m))) for m in (flat, sharp)}
    assert (round(train[sharp], 3), round(train[flat], 3)) == (1.209, 1.256)
    assert (round(test[sharp], 2), round(test[flat], 2)) == (1.72, 1.29)
    text = caption("25_flat_minimum_generalises")
    # the caption quotes the read-outs (train 1.21 and 1.26) and the test losses
    assert "train 1.21 for the full batch" in text and "train 1.26 for the batch run" in text
    assert f"{full.loss[-1]:.3g}" == "1.21" and f"{small.loss[-1]:.3g}" == "1.26"
    assert "1.72" in text and "1.29" in text
    np.testing.assert_allclose(full.trajectory[-1], sharp, atol=1e-6)
    assert full.verdict["kind"] == "minimum" and full.verdict["local"] is False  # the lowest
    assert full.loss[-1] < small.loss[-1] and full.test_loss[-1] > small.test_loss[-1] + 0.3
    assert abs(small.test_loss[-1] - test[flat]) < 0.01
    assert small.verdict["kind"] == "minimum" and small.verdict["numbers"]["within_noise"] is True


def test_25_batches_of_one_end_in_the_flat_minimum_for_every_seed() -> None:
    rates = _escapes("25_flat_minimum_generalises", (1,))
    assert all(k >= 0 for k in rates[1])
    assert "in all 100 batch seeds (the count beside it" in caption("25_flat_minimum_generalises")


def test_the_noise_wander_of_a_hovering_run_is_not_a_burst() -> None:
    """Preset 21's batches of 4 hover at the minimum within their noise; their loss rose from
    0.128 to 0.155 at step 86, a wander of the noise that no panel shows and the card listed as
    a burst. A loss that does not double there is not a burst; a real burst (Adagrad's, with a
    little noise added) still is, on its card and on the loss panel."""

    batch = simulate(get_preset("21_every_batch_its_own_surface").scenario).runs[0]
    assert batch.verdict["kind"] == "minimum" and batch.verdict["numbers"]["within_noise"]
    assert not [e for e in batch.verdict["events"] if e["kind"] == "burst"]
    assert "events_text" not in batch.verdict
    sc = copy.deepcopy(get_preset("03").scenario)
    sc["noise"] = {"std": 1e-3, "seed": 0}
    adagrad = simulate(sc).runs[0]
    bursts = [e for e in adagrad.verdict["events"] if e["kind"] == "burst"]
    assert len(bursts) >= 3 and all(e["peak_loss"] > 2 * e["base_loss"] for e in bursts)
