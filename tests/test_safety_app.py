"""Hostile links and failures through the app (Streamlit's AppTest): no crash, one warning that
names what was ignored, the chart still shown; an unexpected error shows one message with a
reset, the controls stay and the next interaction works; work over the budget is refused
with what to lower."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

import figures
import ui.compute

MakeApp = Callable[..., Any]
DEEP = "sin(" * 49 + "x*y" + ")" * 49
PHISH = "[click here](http://host/phish) ![t](http://host/t.png)"


def shown(markdown: str) -> str:
    """What a Markdown element shows: backslash escapes (``ui.safe.plain``) resolved."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def map_shown(at: Any) -> bool:
    """The stage (``ui.stage``, a custom component) carries the classroom figure: the map's
    surface raster is in its layout's images."""
    for stage in at.get("bidi_component"):
        figure = json.loads(stage.proto.json).get("figure")
        if figure and json.loads(figure)["layout"].get("images"):
            return True
    return False


def verdict_headlines(at: Any) -> list[str]:
    """The verdict cards' headlines ("OSCILLATING · at step 233"), one per card."""
    cards = [h.proto.body for h in at.get("html") if 'class="lab-card"' in h.proto.body]
    return [m.group(1) for c in cards if (m := re.search(r'class="lab-card-kind">(.*?)</p>', c))]


HOSTILE: list[tuple[dict[str, str], str]] = [
    ({"r00": "sgd"}, "r00=sgd"),
    ({"r0": "sgd", "r01": "adam"}, "r01=adam"),
    ({"r٣": "adam"}, "r٣=adam"),
    ({"r²": "adam"}, "r²=adam"),
    ({"r-1": "adam"}, "r-1=adam"),
    ({"r999999999999": "adam"}, "r999999999999=adam"),
    ({"r0": "sgd", "r0.s": "step", "r0.s.step_size": "1e19"}, "r0.s.step_size=1e19"),
    ({"r0": "sgd", "r0.lr": "1" + "0" * 400}, "r0.lr=1000"),
    ({"r0": "sgd", "r0.s.gamma": "0.5"}, "r0.s.gamma=0.5"),
    ({"r0": "adam", "r0.s": "onecycle", "r0.s.three_phase": "1", "r0.s.pct_start": "0.6"}, "r0.s=onecycle"),
    ({"r0": "sgd", "r0.s": "onecycle", "r0.s.max_lr": "1e10", "r0.s.div_factor": "1e-300"}, "r0.s=onecycle"),
    ({"expr": "log(-1-x**2)"}, "not finite anywhere in the plot range"),
    ({"expr": "1/(x-x)"}, "not finite anywhere in the plot range"),
    ({"expr": "exp(1000+x)"}, "not finite anywhere in the plot range"),
    ({"utm": PHISH}, "utm=" + PHISH),
    ({"utm": "x" * 100_000}, "utm=xxxxxxxx"),
    ({"steps": "1e19"}, "steps=1e19"),
    ({"start": "nan,nan"}, "start=nan,nan"),
    ({"r0": "sgd", "r0.label": "a" * 61}, "r0.label="),
    ({"preset": ""}, "preset= (allowed: 01_stuck_is_not_critical"),
    ({"preset": "nope"}, "preset=nope (allowed: 01_stuck_is_not_critical"),
    ({"r0": "nesterov", "r0.momentum": "0"}, "r0.momentum=0"),
    ({"lang": "klingon", "view": "<b>", "arrows": "all"}, "lang=klingon"),
]


@pytest.mark.parametrize(("query", "named"), HOSTILE, ids=[str(q)[:40] for q, _ in HOSTILE])
def test_a_hostile_link_opens_with_one_warning_and_a_chart(
    make_app: MakeApp, query: dict[str, str], named: str
) -> None:
    at = make_app(query)
    assert not at.exception, [e.value for e in at.exception]
    (warning,) = at.warning  # one warning names everything ignored
    assert named in shown(warning.value), shown(warning.value)
    assert len(shown(warning.value)) < 2000  # a 100 kB value is cut, not echoed
    assert map_shown(at) and verdict_headlines(at)
    assert at.sidebar.selectbox(key="surface") is not None  # the controls are there
    at.button(key="dismiss_url").click().run()
    assert not at.warning and not at.exception


def test_link_markup_stays_text_in_the_warning(make_app: MakeApp) -> None:
    at = make_app({"utm": PHISH, "r0": "sgd", "r0.label": "<a href=http://host>GD</a>"})
    (warning,) = at.warning
    raw = warning.value
    assert "](http" not in raw.replace("\\]\\(", "")  # no live link or image in the Markdown
    assert PHISH in shown(raw)


def test_work_over_the_budget_is_refused_with_what_to_lower(make_app: MakeApp) -> None:
    """The issue's runaway link: six runs x 100,000 steps on a formula nested 49 deep (20–36 s
    of server CPU before) is refused before it runs; the previous (here: the default) result
    stays on screen, and the message says which steps would fit."""
    query = {"expr": DEEP, "xr": "-1,1", "yr": "-1,1", "steps": "100000"}
    for i, name in enumerate(["sgd", "momentum", "adam", "rmsprop", "nadam", "radam"]):
        query[f"r{i}"] = name
    started = time.perf_counter()
    at = make_app(query)
    elapsed = time.perf_counter() - started
    assert not at.exception
    (error,) = at.error
    text = shown(error.value)
    assert "6 runs × 100,000 steps on this formula ≈" in text
    assert "at most ≈ 3 s: lower the steps to" in text
    assert map_shown(at) and verdict_headlines(at)
    assert elapsed < 60  # the AppTest run; the refusal itself takes milliseconds
    steps = int(re.search(r"lower the steps to ([\d,]+)", text).group(1).replace(",", ""))
    at.number_input(key="steps").set_value(steps).run()  # the advice works
    assert not at.error and not at.exception


def test_an_unexpected_error_shows_one_message_and_the_controls_stay(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected failure in the compute path")

    monkeypatch.setattr(ui.compute, "result_for", broken)
    at = make_app()
    assert not at.exception  # no traceback on the page
    (error,) = at.error
    assert "Something went wrong" in error.value and "injected failure" in shown(error.value)
    assert at.button(key="reset_defaults_results") is not None
    assert at.sidebar.number_input(key="steps").value == 300  # the controls were drawn first
    monkeypatch.undo()  # the failure goes away: the next interaction works
    at.sidebar.number_input(key="steps").set_value(120).run()
    assert not at.exception and not at.error
    assert map_shown(at) and len(verdict_headlines(at)) == 3


def test_a_failing_chart_leaves_the_page_usable(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a figure that cannot be drawn")

    monkeypatch.setattr(figures, "classroom_spec", broken)  # the stage's one figure
    at = make_app()
    assert not at.exception
    assert len(at.error) == 1
    at.sidebar.selectbox(key="surface").set_value("rosenbrock").run()  # still interactive
    assert not at.exception and len(at.error) == 1


def test_reset_to_defaults_recovers_a_session_that_cannot_start(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.session

    def broken(query: object) -> None:
        raise RuntimeError("a link that breaks the session")

    monkeypatch.setattr(ui.session, "decode", broken)
    at = make_app({"r0": "adam"})
    assert not at.exception
    (error,) = at.error
    assert "a link that breaks the session" in shown(error.value)
    monkeypatch.undo()
    at.button(key="reset_defaults_session").click().run()
    assert not at.exception and not at.error
    assert len(verdict_headlines(at)) == 3  # the default view
    assert dict(at.query_params) == {}


def test_a_failing_callback_shows_one_message_not_a_traceback(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Callbacks run before the script, outside the page's boundaries (ui.recover.guarded)."""
    import ui.session

    def broken(state: object) -> None:
        raise RuntimeError("a callback that fails")

    at = make_app()
    monkeypatch.setattr(ui.session, "surface_start", broken)
    at.sidebar.selectbox(key="surface").set_value("rosenbrock").run()  # on_change=reset_start
    assert not at.exception
    (error,) = at.error
    assert "a callback that fails" in shown(error.value)
    assert map_shown(at)  # the rest of the page is drawn
    monkeypatch.undo()
    at.sidebar.selectbox(key="surface").set_value("beale").run()
    assert not at.exception and not at.error


def test_switching_the_language_back_keeps_every_choice(make_app: MakeApp) -> None:
    """Streamlit sends a select box's choice as its label: after zh -> en the browser's label
    was Chinese (or the English one came back as the value itself, "Gradient descent"), and
    every later run failed. ``ui.session.relabel`` sets the worded choices again."""
    at = make_app({"surface": "rosenbrock", "r0": "adam", "r0.s": "cosine", "r0.s.T_max": "100"})
    for lang in ("zh", "en", "zh"):
        at.button_group(key="lang").set_value(lang).run()
        assert not at.exception and not at.error
    assert at.selectbox(key="surface").value == "rosenbrock"
    assert at.selectbox(key="r0_family").value == "adam"
    assert at.selectbox(key="r0_sched").value == "cosine"
