"""Runs on mini-batches against torch.optim 2.13 stepped on the same batches, from committed
fixtures (``scripts/make_torch_fixtures.py``; torch is not needed here).

Torch computed each batch's mean loss and its gradient itself (autograd over the models'
formulas written in torch), so a difference can come from the batch gradient (the per-sample
formulas, the sufficient statistics of the least-squares models), the batches, or the update
rule. The batches in the fixture are torch's ``BatchSampler(drop_last=True)`` cut of each
epoch's seeded permutation: the engine's sampler must cut them the same way.

Tolerance: trajectories to ``rtol=1e-8`` with ``atol = 1e-12 * scale`` (as the full-gradient
fixtures, ``test_torch_reference.py``). The batch gradients differ from torch's by rounding
(a mean of B per-sample terms, or a few moments, instead of autograd's sum), ~1e-16 relative,
which stays far below 1e-8 over the 60 steps of a case.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lab import simulate
from optimizers import OPTIMIZERS
from surfaces.data_models import DATASETS

FIXTURE = Path(__file__).parent / "fixtures" / "torch_batches.json"
DATA: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
CASES = {c["id"]: c for c in DATA["cases"]}


@pytest.mark.parametrize("cid", list(CASES))
def test_batch_trajectory_matches_torch(cid: str) -> None:
    case = CASES[cid]
    run = simulate(case["scenario"]).runs[0]
    ref = np.array(case["trajectory"])
    np.testing.assert_array_equal(run.batches, np.array(case["batches"]), err_msg=f"{cid}: batches")
    assert run.trajectory.shape == ref.shape, cid
    scale = float(np.max(np.abs(ref)))
    np.testing.assert_allclose(run.trajectory, ref, rtol=1e-8, atol=1e-12 * scale, err_msg=cid)


def test_the_fixture_covers_every_torch_optimizer_on_every_data_set() -> None:
    assert DATA["torch_version"].startswith("2.13.") and DATA["dtype"] == "float64"
    seen = {(c["scenario"]["runs"][0]["optimizer"], c["scenario"]["surface"]["data"]) for c in CASES.values()}
    torch_names = {n for n, o in OPTIMIZERS.items() if o.follows == "torch"}
    assert seen == {(o, d) for o in torch_names for d in DATASETS}
    sizes = {c["scenario"]["batch"]["size"] for c in CASES.values()}
    assert 1 in sizes and any(s > 1 for s in sizes)  # single samples and real batches
    # and every case really moves on batches: epochs of several steps, not the whole data
    for c in CASES.values():
        n = c["scenario"]["surface"]["samples"]
        assert n // c["scenario"]["batch"]["size"] >= 4
