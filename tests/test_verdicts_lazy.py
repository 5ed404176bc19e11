"""The verdicts' cards are written when first read (``lab.verdicts.lazy``): what a reader gets
does not depend on when, in which order or by how many it is read, and a result still pickles
and compares as plain verdict dicts."""

from __future__ import annotations

import json
import pickle
import threading

import numpy as np

from lab import simulate
from lab.diagnostics import verdicts as judge_arrays
from lab.verdicts import Verdicts, gather

SCENARIO = {
    "surface": "rosenbrock",
    "start": [-1.5, 2.0],
    "steps": 400,
    "runs": [
        {"optimizer": "sgd", "params": {"lr": 1e-3}},
        {"optimizer": "sgd", "params": {"lr": 3e-3}},  # diverges: a cut run's card
        {"optimizer": "adam", "params": {"lr": 0.05}},
        {"optimizer": "adagrad", "params": {"lr": 0.5}},
        {"optimizer": "sgd", "params": {"lr": 1e-7}},
    ],
}


def stored() -> tuple:  # type: ignore[type-arg]
    res = simulate(SCENARIO)
    n = max(len(r.trajectory) for r in res.runs)

    def pad(a: np.ndarray) -> np.ndarray:
        out = np.full((n, *a.shape[1:]), np.nan)
        out[: len(a)] = a
        return out

    traj = np.stack([pad(r.trajectory) for r in res.runs], axis=1)
    loss = np.stack([pad(r.loss) for r in res.runs], axis=1)
    gnorm = np.stack([pad(r.grad_norm) for r in res.runs], axis=1)
    return res, traj, loss, gnorm


def test_cards_do_not_depend_on_the_order_they_are_read_in() -> None:
    res, traj, loss, gnorm = stored()
    forward = list(judge_arrays(res.surface, traj, loss, gnorm))
    late = judge_arrays(res.surface, traj, loss, gnorm)
    backward = [late[j] for j in reversed(range(len(late)))][::-1]
    assert json.dumps(forward) == json.dumps(backward)
    assert [v["kind"] for v in forward] == list(late.kinds)
    assert late == forward and forward == list(late)


def test_the_kinds_are_known_before_any_card_is_written() -> None:
    res = simulate(SCENARIO)
    verdicts = res.runs[0].judged[0]  # the batch's, in its rows' order (grouped by optimizer)
    assert all(r.judged[0] is verdicts for r in res.runs)
    assert verdicts.written() == 0
    assert sorted(r.judged[1] for r in res.runs) == list(range(len(res.runs)))
    assert [r.kind for r in res.runs] == [verdicts.kinds[r.judged[1]] for r in res.runs]
    assert "diverged" in verdicts.kinds and verdicts.written() == 0
    card = res.runs[2].verdict
    assert verdicts.written() == 1 and res.runs[2].verdict is card  # kept, not written again
    assert [r.verdict["kind"] for r in res.runs] == [r.kind for r in res.runs]
    assert verdicts.written() == len(res.runs) and verdicts._write is None  # decision released


def test_cards_read_by_several_threads_at_once_are_the_same() -> None:
    res, traj, loss, gnorm = stored()
    want = json.dumps(list(judge_arrays(res.surface, traj, loss, gnorm)))
    shared = judge_arrays(res.surface, traj, loss, gnorm)
    got: list[str] = []
    threads = [threading.Thread(target=lambda: got.append(json.dumps(list(shared)))) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert got == [want] * 4


def test_a_result_pickles_with_its_cards() -> None:
    res = simulate(SCENARIO)
    back = pickle.loads(pickle.dumps(res.runs[0].judged[0]))
    assert isinstance(back, Verdicts) and back.written() == len(back)
    assert back == [res.runs[0].judged[0][j] for j in range(len(res.runs))]
    assert [back[r.judged[1]] for r in res.runs] == [r.verdict for r in res.runs]


def test_gather_reads_each_part_only_where_asked() -> None:
    res, traj, loss, gnorm = stored()
    a = judge_arrays(res.surface, traj[:, [0, 2]], loss[:, [0, 2]], gnorm[:, [0, 2]])
    b = judge_arrays(res.surface, traj[:, [1, 3, 4]], loss[:, [1, 3, 4]], gnorm[:, [1, 3, 4]])
    whole = gather(5, [([0, 2], a), ([1, 3, 4], b)])
    assert list(whole.kinds) == [r.kind for r in res.runs]
    assert whole[3] == b[1] and b.written() == 1 and a.written() == 0
    assert whole[-1] is b[2] and whole[1:3] == [b[0], a[1]]
