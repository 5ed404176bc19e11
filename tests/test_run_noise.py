"""A run's own emulated noise (a small- against a large-batch run on the same surface): each
run scales the same draws by its own std, so a run is the same alone and beside others; the
app shows it as the run's own batch size, and a link carries it (``r0.batch``)."""

from __future__ import annotations

import numpy as np
import pytest

from lab import parse_scenario
from lab.engine import simulate
from lab.presets import list_presets
from lab.scenario import ScenarioError
from lab.sweeps import sweep
from ui.model import FULL_BATCH, AppState, default_state
from ui.scenario import from_scenario, to_scenario
from ui.url import decode, encode

BASE = {
    "surface": "lecture_saddle",
    "start": [0.8, -0.8],
    "steps": 400,
    "noise": {"std": 0.5, "seed": 0},
}
GD = {"optimizer": "sgd", "params": {"lr": 0.01}}


def _alone(run: dict, std: float) -> object:
    own = {k: v for k, v in run.items() if k != "noise"}
    return simulate({**BASE, "noise": {"std": std, "seed": 0}, "runs": [own]}).runs[0]


def test_each_run_is_the_run_alone_with_its_own_noise() -> None:
    runs = [
        {**GD, "label": "small"},
        {**GD, "label": "exact", "noise": {"std": 0.0}},
        {"optimizer": "adam", "params": {"lr": 0.01}, "label": "large", "noise": {"std": 0.05}},
        {**GD, "label": "exact again", "noise": {"std": 0.0}},
    ]
    together = simulate({**BASE, "runs": runs}).runs
    for run, got in zip(runs, together, strict=True):
        std = run.get("noise", {"std": 0.5})["std"]
        alone = _alone(run, std)
        assert np.array_equal(got.trajectory, alone.trajectory)  # bit for bit
        assert got.verdict == alone.verdict  # the card's noise floor is the run's own
        if std > 0:
            assert np.array_equal(got.noise, alone.noise)
        else:
            assert got.noise is None  # nothing to show for exact gradients


def test_the_draws_are_shared_and_scaled() -> None:
    runs = [{**GD, "label": "a"}, {**GD, "label": "b", "noise": {"std": 0.05}}]
    a, b = simulate({**BASE, "runs": runs}).runs
    np.testing.assert_allclose(b.noise, a.noise * 0.1, rtol=1e-15)


def test_preset_9_shows_the_full_batch_at_the_saddle_and_the_small_batch_past_it() -> None:
    preset = next(p for p in list_presets()[0] if p.name.startswith("09"))
    small, full, large = simulate(preset.scenario).runs
    assert (small.kind, full.kind, large.kind) == ("minimum", "saddle", "minimum")
    assert [e["kind"] for e in small.verdict["events"]] == ["left_saddle"]
    assert np.linalg.norm(full.trajectory[-1]) < 0.01  # at the saddle (0, 0)
    # the app shows it as the run's own batch, and gives the same scenario back
    state = from_scenario(preset.scenario, default_state())
    assert [r.emulated for r in state.runs] == [None, FULL_BATCH, 100000.0]
    back, given = parse_scenario(to_scenario(state)), parse_scenario(preset.scenario)
    assert back.runs == given.runs  # the full batch's own noise included
    assert back.noise["std"] == pytest.approx(given.noise["std"], rel=1e-6)  # B is kept to 6 digits


@pytest.mark.parametrize("emulated", [FULL_BATCH, 4096.0, 1.0])
def test_a_link_keeps_a_runs_own_batch(emulated: object) -> None:
    preset = next(p for p in list_presets()[0] if p.name.startswith("09"))
    state = from_scenario(preset.scenario, default_state())
    state.runs[1].emulated = emulated
    query = encode(state)
    assert query["r1.batch"] == ("full" if emulated == FULL_BATCH else f"{emulated:g}")
    back, ignored = decode(query)
    assert not ignored
    assert back.runs[1].emulated == emulated
    assert parse_scenario(to_scenario(back)) == parse_scenario(to_scenario(state))


def test_a_runs_own_batch_names_itself_in_the_automatic_label() -> None:
    state = AppState(surface="lecture_saddle", batch=16.0)
    from ui.model import RunState

    state.runs = [RunState("sgd", {"lr": 0.01}), RunState("sgd", {"lr": 0.01}, emulated=FULL_BATCH),
                  RunState("sgd", {"lr": 0.01}, emulated=4096.0)]  # fmt: skip
    labels = [r["label"] for r in to_scenario(state)["runs"]]
    assert labels == ["GD η=0.01", "GD η=0.01, full batch", "GD η=0.01, B=4096"]
    sc = parse_scenario(to_scenario(state))
    assert sc.run_noise(1) == 0.0 and sc.run_noise(0) == pytest.approx(4 * sc.run_noise(2) * 4)


@pytest.mark.parametrize(
    ("noise", "message"),
    [
        ({"std": -1}, "runs[0].noise.std"),
        ({"seed": 3}, 'unknown key "seed" in runs[0].noise; allowed keys: std'),
        (0.5, 'is not a run\'s noise setting ({"std": number})'),
        ({"std": float("inf")}, "runs[0].noise.std"),
    ],
)
def test_a_bad_run_noise_is_named(noise: object, message: str) -> None:
    with pytest.raises(ScenarioError, match=None) as e:
        parse_scenario({**BASE, "runs": [{**GD, "noise": noise}]})
    assert message in str(e.value)


def test_a_scenario_without_run_noise_keeps_its_text() -> None:
    sc = parse_scenario({**BASE, "runs": [GD]})
    assert "noise" not in sc.to_dict()["runs"][0]
    own = parse_scenario({**BASE, "runs": [{**GD, "noise": {"std": 0.25}}]})
    assert own.to_dict()["runs"][0]["noise"] == {"std": 0.25}
    assert parse_scenario(own.to_dict()) == own


def test_a_map_steps_with_the_swept_runs_own_noise() -> None:
    grid = {"param": "lr", "from": 0.005, "to": 0.02, "n": 3, "scale": "log"}
    runs = [{**GD, "label": "small"}, {**GD, "label": "exact", "noise": {"std": 0.0}}]
    exact = sweep({**BASE, "steps": 200, "runs": runs, "sweep": {"run": 1, "x": grid}})
    plain = sweep(
        {
            **BASE,
            "steps": 200,
            "noise": {"std": 0.0, "seed": 0},
            "runs": [GD],
            "sweep": {"run": 0, "x": grid},
        }
    )
    assert exact.kind == plain.kind
    np.testing.assert_array_equal(exact.final_point, plain.final_point)
