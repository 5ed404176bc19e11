"""The verdict's fast paths give what the plain ones give (issue 9's speed work).

The whole-verdict proof is ``scripts/verdict_equality.py`` (dump before a change, check after);
these pin the pieces whose shortcuts rest on an argument: the card cleaner against the generic
``json_safe``, max |a| from max and min, the bound proved from the distances to the start, the
step of the running minimum counted instead of searched.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lab.scenario import MAX_COORD
from lab.verdicts import Accumulator, cards
from lab.verdicts.model import _abs_max
from surfaces import BUILTIN


def test_card_cleaner_is_json_safe() -> None:
    card = {
        "kind": "moving",
        "step": 3,
        "eigenvalues": [math.inf, -2.0, math.nan],
        "stretch": (1, 2),
        "numbers": {
            "a": math.nan,
            "b": -math.inf,
            "c": np.float64(2.5),
            "d": np.float64(math.inf),
            "e": [0.1, math.inf, None, True, [math.nan]],
            "f": {"g": math.inf, "h": 1},
            "i": None,
            "j": "loss",
            "k": False,
            "l": -0.0,
        },
        "explanation": {"en": "x", "zh": "y"},
    }
    want = cards.json_safe(card)
    got = cards._safe_dict({k: (dict(v) if isinstance(v, dict) else v) for k, v in card.items()})
    assert json.dumps(got) == json.dumps(want)
    assert [type(x) for x in got["numbers"].values()] == [type(x) for x in want["numbers"].values()]
    assert got["stretch"] == [1, 2] and got["numbers"]["d"] is None


def test_abs_max_is_max_of_magnitudes() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2, 9, 5)) * 10.0 ** rng.integers(-300, 300, size=(2, 9, 5))
    a[0, :, 0] = -0.0  # all negative zeros: |a| is +0.0, and so must the maximum be
    a[1, 3, 1] = np.nan
    a[1, 2, 2] = -np.inf
    want, got = np.abs(a).max(axis=1), _abs_max(a)
    assert np.array_equal(want, got, equal_nan=True)
    assert not np.signbit(got).any()


@pytest.mark.parametrize("chunk", [1, 3, 1000])
def test_bound_near_the_edge(chunk: int) -> None:
    """Points a hair inside the bound are valid, a hair outside are cut, far from the start
    or close to it (the distances prove the bound only with room to spare)."""
    s = BUILTIN["ravine"]
    n = 6
    x = np.array([MAX_COORD - 2.0, MAX_COORD - 1.0, MAX_COORD, MAX_COORD, np.nextafter(MAX_COORD, 2e6), 0.0, 0.0])
    pts = np.zeros((n + 1, 2, 2))
    pts[:, 0, 0] = x  # run 0 steps across the bound at step 4
    pts[:, 1, 0] = np.minimum(x, MAX_COORD)  # run 1 stays on it
    loss = np.ones((n + 1, 2))
    acc = Accumulator(s, 2, n)
    acc.feed_arrays(pts, loss, loss, chunk=chunk)
    summ = acc.summary()
    assert summ.cut.tolist() == [4, -1]
    assert summ.extent.tolist() == [2.0, MAX_COORD - 2.0]  # run 1 comes back to 0


@pytest.mark.parametrize("chunk", [1, 4, 50])
def test_lowest_step_is_the_last_fall(chunk: int) -> None:
    s = BUILTIN["ravine"]
    loss = np.array([[5, 5, 5], [4, 5, 6], [4, 5, 6], [3, 5, 1], [3, 2, 1], [9, 2, 1], [3, 2, 0.5]], dtype=float)
    n = len(loss) - 1
    acc = Accumulator(s, 3, n)
    acc.feed_arrays(np.zeros((n + 1, 3, 2)), loss, np.ones_like(loss), chunk=chunk)
    summ = acc.summary()
    assert summ.lowest_step.tolist() == [3, 4, 6]  # a tie (step 6 of run 0) is not a fall
    assert summ.lowest_loss.tolist() == [3.0, 2.0, 0.5]
