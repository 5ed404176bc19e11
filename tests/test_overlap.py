"""Paths on top of one another: a run drawn exactly over another's path is dashed, so both
colours show (the review: preset 24's two runs read as one line of neither colour)."""

from __future__ import annotations

import numpy as np
import pytest

from figures.overlap import COVER, dashes, near_share, simplified
from figures.view import View, view_options
from lab import simulate
from lab.presets import get_preset
from tests.test_figures import spec

SPAN = (4.0, 4.0)
TOL = COVER * 4.0


def line(a: tuple[float, float], b: tuple[float, float], n: int = 200) -> np.ndarray:
    return np.linspace(a, b, n)


def test_simplified_keeps_the_path_within_its_step() -> None:
    rng = np.random.default_rng(0)
    p = np.cumsum(rng.normal(size=(2000, 2)) * 0.01, axis=0)
    q = simplified(p, 0.05)
    assert len(q) < len(p) / 3 and np.array_equal(q[0], p[0]) and np.array_equal(q[-1], p[-1])
    seg_a, seg_b = q[:-1], q[1:]  # every original point is near the kept polyline
    for x in p[::37]:
        ab = seg_b - seg_a
        u = np.clip(np.sum((x - seg_a) * ab, axis=1) / np.maximum(np.sum(ab * ab, axis=1), 1e-300), 0, 1)
        assert np.min(np.linalg.norm(seg_a + u[:, None] * ab - x, axis=1)) <= 0.05 + 1e-12


def test_the_share_of_a_path_along_another_is_its_length_there() -> None:
    long = line((0, 0), (2, 0))
    assert near_share(line((0, 0), (1, 0)), long, TOL) == pytest.approx(1.0)
    assert near_share(long, line((0, 0), (1, 0)), TOL) == pytest.approx(0.5, abs=0.02)
    assert near_share(line((0, 2 * TOL), (2, 2 * TOL)), long, TOL) == 0.0  # parallel, two tolerances off
    assert near_share(np.zeros((50, 2)), long, TOL) == 0.0  # a dot is not a line


@pytest.mark.parametrize(
    ("paths", "want"),
    [
        ([line((0, 0), (1, 1)), line((0, 0), (1, 1))], [None, "dash"]),  # the same line
        ([line((0, 0), (1, 1)), line((0, 0.1), (1, 1.1))], [None, None]),  # near but apart
        ([line((0, 0), (1, 1)), line((0, 0), (2, 2))], [None, "dash"]),  # the upper goes on
        ([line((0, 0), (0.1, 0.1)), line((0, 0), (3, 3))], [None, None]),  # a short one under a long one
        ([line((0, 0), (1, 1))] * 3, [None, "dash", "dot"]),  # two dashed runs keep apart
    ],
)
def test_a_path_on_an_earlier_runs_path_is_dashed(paths: list[np.ndarray], want: list[str | None]) -> None:
    assert dashes(paths, SPAN) == want


def test_a_scribble_over_a_short_path_stays_solid() -> None:
    """Preset 23's batch of one scribbles all over the full batch's short path; dashing the
    scribble would show nothing more."""
    rng = np.random.default_rng(1)
    short = line((0, 0), (0.3, 0))
    scribble = np.r_[short, 0.3 + np.cumsum(rng.normal(size=(3000, 2)) * 0.02, axis=0)]
    assert dashes([short, scribble], SPAN) == [None, None]


@pytest.mark.parametrize(("name", "dashed"), [("24", [False, True]), ("08", [False, False, True]), ("21", [False, False])])
def test_a_presets_runs_on_one_line_are_told_apart(name: str, dashed: list[bool]) -> None:
    p = get_preset(name)
    res = simulate(p.scenario)
    d = spec(res, View(**view_options(p.view)), step=0)
    labels = [r.label for r in res.runs]
    legend = {tr["name"]: tr["line"].get("dash") for tr in d["data"] if tr.get("showlegend") and tr.get("name") in labels}
    assert [legend[lab] is not None for lab in labels] == dashed
