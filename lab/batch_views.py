"""What the pictures of mini-batches need, as plain arrays (the figure builders draw them):

* ``batch_grid``: the error surface one batch sees, over a grid: "every batch its own error
  surface" (any run and step; O(grid) for the least-squares models, O(grid x B) otherwise);
* ``step_axis``: the x values of a run's traces in updates or in epochs of data;
* ``data_panel``: the samples, the ones of the current batch, and the model's fit at the
  current point (a line for the regressions, the decision boundary for logistic regression,
  the point itself for the sharp/flat data, whose samples live in the parameter plane);
* ``batch_loss_at``: each batch's loss at the point it was used, and the full-data loss, on
  one clock.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lab.engine import Result, RunResult
from surfaces.data import DataSurface

Array = np.ndarray
FIT_POINTS = 50  # points along a fitted line: straight lines need two, products stay exact


def batch_of(run: RunResult, step: int) -> Array | None:
    """The sample indices of the batch ``run`` used at ``step`` (None: all the data)."""
    if run.batches is None:
        return None
    if not 0 <= step < len(run.batches):
        raise ValueError(f"step = {step} is out of range; allowed: 0 <= step < {len(run.batches)}")
    return run.batches[step]


def batch_grid(surface: DataSurface, idx: Array | None, xs: Array, ys: Array) -> Array:
    """(len(ys), len(xs)): the mean loss of the samples ``idx`` (None: all) at every grid
    point, rows along y as contour builders expect."""
    gx, gy = np.meshgrid(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
    points = np.stack([gx, gy], axis=-1)
    with np.errstate(all="ignore"):
        return surface.batch_value(points, idx)


def step_axis(run: RunResult, unit: str = "updates") -> Array:
    """The x value of every point of ``run``: its step (``"updates"``) or the epochs of data
    seen (``"epochs"``: step / updates per epoch; a built-in surface has no epochs)."""
    steps = np.arange(len(run.trajectory), dtype=float)
    if unit == "updates":
        return steps
    if unit != "epochs":
        raise ValueError(f"unit = {unit!r} is invalid; allowed: 'updates' or 'epochs'")
    if run.steps_per_epoch is None:
        raise ValueError("unit = 'epochs' needs a data-set surface; allowed here: 'updates'")
    return steps / run.steps_per_epoch


def batch_loss_at(run: RunResult) -> dict[str, Array]:
    """``{"step", "batch_loss", "loss"}``: each step's batch loss beside the full-data loss at
    the same point (the loss before the step), for one trace panel."""
    if run.batch_loss is None:
        raise ValueError("this run is not on a data set: it has no batch loss")
    k = len(run.batch_loss)
    return {"step": np.arange(k), "batch_loss": run.batch_loss, "loss": run.loss[:k]}


def data_panel(result: Result, run: int, step: int) -> dict[str, Any]:
    """The data panel of run ``run`` at point ``step``: the samples (``inputs``, ``targets``,
    the test set where there is one), a mask of the samples in the batch of that step (the
    batch the next update uses; all True on the whole data set, all False at the last point)
    and the model's ``fit`` at that point."""
    surface = result.surface
    if not isinstance(surface, DataSurface):
        raise ValueError("the data panel needs a data-set surface")
    r = result.runs[run]
    if not 0 <= step < len(r.trajectory):
        raise ValueError(f"step = {step} is out of range; allowed: 0 <= step <= {len(r.trajectory) - 1}")
    mask = np.zeros(surface.samples, dtype=bool)
    if step < len(r.trajectory) - 1:
        idx = batch_of(r, step)
        mask[slice(None) if idx is None else idx] = True
    theta = r.trajectory[step]
    return {**surface.to_data(), "in_batch": mask, "fit": model_fit(surface, theta)}


def model_fit(surface: DataSurface, theta: Array) -> dict[str, Any]:
    """What the model at ``theta`` says about the data, in the data's own coordinates."""
    name = surface.model.name
    x = surface.dataset.inputs
    w1, w2 = float(theta[0]), float(theta[1])
    if name in ("linear_regression", "lecture_product"):
        xs = np.linspace(float(x.min()), float(x.max()), FIT_POINTS)
        slope, offset = (w1, w2) if name == "linear_regression" else (w1 * w2, 0.0)
        return {"kind": "line", "x": xs, "y": slope * xs + offset}
    if name == "logistic":
        return _boundary(x, w1, w2)
    return {"kind": "point", "x": np.array([w1]), "y": np.array([w2])}


def _boundary(x: Array, w1: float, w2: float) -> dict[str, Any]:
    """The line theta . x = 0 across the box of the samples (empty for theta = 0), and the
    direction of the class +1 (theta)."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    if w1 == 0 and w2 == 0:
        return {"kind": "boundary", "x": np.zeros(0), "y": np.zeros(0), "normal": np.zeros(2)}
    if abs(w2) >= abs(w1):  # y as a function of x: steep lines are parametrised by y
        xs = np.array([lo[0], hi[0]])
        ys = -w1 * xs / w2
    else:
        ys = np.array([lo[1], hi[1]])
        xs = -w2 * ys / w1
    return {"kind": "boundary", "x": xs, "y": ys, "normal": np.array([w1, w2])}
