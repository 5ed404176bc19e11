"""Widget keys of the data-set and mini-batch controls (issue 12) and their mapping to
``AppState`` — pure, like ``ui.keys``, which calls these two functions.

* ``data_<set>_<parameter>``: a data set's parameters, one group per data set, so each keeps
  its values when the user looks at another one;
* ``mb`` (``FULL`` or B) and ``mb_seed``: the scenario's mini-batches;
* ``r<id>_mb`` (``SAME``, ``FULL`` or B) and ``r<id>_mb_seed``: a run's own mini-batches, for a
  batch-size comparison;
* ``step_axis``: the panels' step axis, updates or epochs;
* ``seeds``: over how many batch seeds the batch runs' ends are counted (0: not).

``BatchKeys`` is what a link's data-set and mini-batch keys say in the scenario's own terms
(``ui.url`` reads and writes them); ``batches_of`` and ``with_batches`` take them out of a
scenario and put them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from surfaces.data_models import DATASETS
from ui.model import STEP_AXES, AppState, RunState

FULL = "full"  # all the samples at every step
SAME = "same"  # a run that follows the scenario's mini-batches
STEP_AXIS = "step_axis"
SEEDS = "seeds"
SEED_COUNTS = (0, 10, 20, 50, 100, 200)  # the control's choices (a link may bring another)


def data_key(name: str, param: str) -> str:
    return f"data_{name}_{param}"


def run_key(rid: int, name: str) -> str:
    return f"r{rid}_{name}"  # the form of ui.keys.rk (imported there from here would loop)


def batch_widgets(state: AppState) -> dict[str, Any]:
    """Session-state values that make the data-set and batch widgets show ``state``."""
    out: dict[str, Any] = {STEP_AXIS: state.axis if state.axis in STEP_AXES else "updates", SEEDS: int(state.seeds)}
    if state.surface in DATASETS:
        for p in DATASETS[state.surface].params:
            out[data_key(state.surface, p.name)] = p.coerce(state.data.get(p.name, p.default))
    out["mb"] = FULL if state.mb is None else int(state.mb["size"])
    out["mb_seed"] = 0 if state.mb is None else int(state.mb.get("seed", 0))
    return out


def _batch(size: Any, seed: Any, samples: int) -> dict[str, int] | None:
    """A batch setting from a widget's value; ``FULL`` is every sample (B = N)."""
    if size in (None, SAME):
        return None
    b = samples if size == FULL else int(size)
    return {"size": max(1, b), "seed": int(seed or 0)}


def batch_state(values: Mapping[str, Any], state: AppState) -> AppState:
    """``state`` (read from the other widgets) with what the data-set and batch widgets say.
    Mini-batches belong to data sets: on another surface they are left out."""
    axis = values.get(STEP_AXIS, "updates")
    state.axis = axis if axis in STEP_AXES else "updates"
    state.seeds = int(values.get(SEEDS, 0) or 0)
    if state.surface not in DATASETS:
        return state
    model = DATASETS[state.surface]
    state.data = {p.name: values.get(data_key(state.surface, p.name), p.default) for p in model.params}
    samples = int(state.data.get("samples", 1))
    mb = values.get("mb", FULL)
    state.mb = None if mb == FULL else _batch(mb, values.get("mb_seed", 0), samples)
    for rid, run in zip(values.get("run_ids", []), state.runs, strict=False):
        run.batch = _batch(values.get(run_key(rid, "mb"), SAME), values.get(run_key(rid, "mb_seed"), 0), samples)
    return state


def run_batch(run: RunState) -> dict[str, Any]:
    """One run's batch widgets (a new run follows the scenario's batches)."""
    return {"mb": SAME if run.batch is None else int(run.batch["size"]),
            "mb_seed": 0 if run.batch is None else int(run.batch.get("seed", 0))}  # fmt: skip


# --- the link's keys (``ui.url``'s encode_batches / decode_batches speak the scenario's terms)
def link_parts(state: AppState) -> tuple[dict[str, Any] | None, dict[str, int] | None, dict[int, dict[str, int]]]:
    """The data set (``{"data": name, **params}``), the scenario's batch and the runs' own, of
    ``state`` — what ``ui.url.BatchKeys`` holds (nothing when the surface is no data set)."""
    if state.surface not in DATASETS:
        return None, None, {}
    model = DATASETS[state.surface]
    data = {"data": state.surface, **{p.name: state.data.get(p.name, p.default) for p in model.params}}
    runs = {i: dict(r.batch) for i, r in enumerate(state.runs) if r.batch is not None}
    return data, state.mb, runs


def apply_link(state: AppState, data: dict[str, Any] | None, batch: dict[str, int] | None,
               runs: Mapping[int, dict[str, int]], positions: Mapping[int, int]) -> None:
    """``state`` takes a link's data set and batches; ``positions`` maps a link's run number
    (``r3``) to the run's place in ``state.runs``."""  # fmt: skip
    if data is None:
        return
    state.surface = data["data"]
    state.data = {k: v for k, v in data.items() if k != "data"}
    state.mb = dict(batch) if batch is not None else None
    for i, b in runs.items():
        if i in positions:
            state.runs[positions[i]].batch = dict(b)


@dataclass(frozen=True)
class BatchKeys:
    """What the data-set and mini-batch keys of a link say, in the scenario's own terms: the
    ``surface`` value of a data set (None: no data set), the scenario's ``batch`` and each
    run's own (by run index)."""

    data: dict[str, Any] | None = None
    batch: dict[str, int] | None = None
    runs: dict[int, dict[str, int]] = field(default_factory=dict)


def batches_of(scenario: dict[str, Any]) -> BatchKeys:
    """The keys of a normalised scenario (``parse_scenario(...).to_dict()``)."""
    surface = scenario.get("surface")
    data = surface if isinstance(surface, dict) and "data" in surface else None
    runs = {i: r["batch"] for i, r in enumerate(scenario.get("runs", [])) if r.get("batch")}
    return BatchKeys(data, scenario.get("batch"), runs)


def with_batches(scenario: dict[str, Any], keys: BatchKeys) -> dict[str, Any]:
    """``scenario`` (the engine's format) with the data set and mini-batches of ``keys``."""
    out = {**scenario, "runs": [dict(r) for r in scenario.get("runs", [])]}
    if keys.data is not None:
        out["surface"] = dict(keys.data)
    if keys.batch is not None:
        out["batch"] = dict(keys.batch)
    for i, b in keys.runs.items():
        if i < len(out["runs"]):
            out["runs"][i]["batch"] = dict(b)
    return out
