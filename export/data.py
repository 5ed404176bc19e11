"""The numbers of a result as CSV (one row per run and point) and JSON (what ``cli.py simulate``
prints, plus the scenario that reproduces it; on a data set also the data, and each run's
batches, batch loss, updates per epoch and test loss).

Both read the same arrays ``lab.simulate`` returns and write floats in their shortest
round-trip form, so parsing either file gives back exactly the simulated numbers. A run that
diverged ends at its last valid point, as in the engine. ``lr`` (and the effective learning
rate) belong to the step *from* point t to t+1: the final point has none, so its cells are
empty in CSV. JSON has no NaN or infinity: such a value would be written as null.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from typing import Any

from lab import Result, RunResult

COLUMNS = (
    "run",
    "label",
    "optimizer",
    "step",
    "x",
    "y",
    "loss",
    "grad_norm",
    "lr",
    "effective_lr_x",
    "effective_lr_y",
    "batch_loss",
    "epoch",
    "test_loss",
)


def _num(v: float) -> str:
    """Shortest text that parses back to the same float; empty for NaN and infinities."""
    f = float(v)
    return repr(f) if math.isfinite(f) else ""


def _text(label: str) -> str:
    """A label as a CSV cell: one starting like a spreadsheet formula (= + - @, a tab) gets a
    leading apostrophe, so a shared label never runs as a formula (OWASP's CSV injection)."""
    return "'" + label if label[:1] in ("=", "+", "-", "@", "\t", "\r") else label


def rows(result: Result) -> Iterator[list[str]]:
    """The CSV rows without the header: run index, label, optimizer, step, x, y, loss,
    grad_norm, then lr and the per-parameter effective lr of the step that follows, and on a
    data set the loss of that step's batch, the epochs of data seen at the point and the test
    set's loss (empty where they do not apply)."""
    for i, run in enumerate(result.runs):
        steps = len(run.lr)
        for t in range(len(run.trajectory)):
            x, y = run.trajectory[t]
            after = t < steps
            yield [*_point(run, t, x, y, after, i), *_batch_cells(run, t, after)]


def _point(run: RunResult, t: int, x: float, y: float, after: bool, i: int) -> list[str]:
    return [
        str(i),
        _text(run.label),
        run.optimizer,
        str(t),
        _num(x),
        _num(y),
        _num(run.loss[t]),
        _num(run.grad_norm[t]),
        _num(run.lr[t]) if after else "",
        _num(run.effective_lr[t, 0]) if after else "",
        _num(run.effective_lr[t, 1]) if after else "",
    ]


def _batch_cells(run: RunResult, t: int, after: bool) -> list[str]:
    """batch_loss (of the step after point t), epoch (t / updates per epoch), test_loss."""
    if run.steps_per_epoch is None:
        return ["", "", ""]
    return [
        _num(run.batch_loss[t]) if after else "",
        _num(t / run.steps_per_epoch),
        "" if run.test_loss is None else _num(run.test_loss[t]),
    ]


def to_csv(result: Result) -> bytes:
    """UTF-8 with a header row; labels may hold commas or Chinese text, csv quotes them."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    w.writerows(rows(result))
    return buf.getvalue().encode("utf-8")


def json_value(result: Result) -> dict[str, Any]:
    """``{"scenario": ..., "runs": [...]}``: the normalised scenario (``simulate`` of it gives
    this result again) and ``result.to_dict()["runs"]``, per-run arrays with the verdicts; on
    a data set also ``"data"`` (inputs, targets, the test set) and each run's batches."""
    return _finite({"scenario": result.scenario.to_dict(), **result.to_dict()})


def to_json(result: Result) -> bytes:
    text = json.dumps(
        json_value(result), ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )
    return (text + "\n").encode("utf-8")


def _finite(v: Any) -> Any:
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_finite(x) for x in v]
    return v
