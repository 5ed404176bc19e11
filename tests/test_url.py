"""The URL codec never raises and names everything it ignores: keys and values of any text and
length, repeated keys, run keys that are not run keys, parameters without their run or
schedule, parameters an optimizer does not have, cross-parameter rules."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.params import SHOWN_CHARS
from lab import parse_scenario
from ui.model import default_state
from ui.scenario import to_scenario
from ui.url import RUN_KEY_HELP, decode, encode, shown

KEYS = ["r0", "r1", "r5", "r6", "r0.lr", "r0.s", "r0.s.gamma", "r0.s.T_max", "r0.betas",
        "r0.label", "r1.momentum", "r00", "r01", "r٣", "r²", "r-1", "r999999999999", "steps",
        "step", "start", "surface", "expr", "xr", "yr", "batch", "seed", "lang", "present",
        "view", "arrows", "panels", "pins", "utm_source", "", "."]
VALUES = ["sgd", "adam", "nesterov", "onecycle", "cosine", "step", "0", "1", "-1", "0.5",
          "1e19", "1e400", "nan", "inf", "10" * 200, "x**2+y", "log(-1-x**2)", "custom",
          "ravine", "en", "zh", "3d", "grad,update", "1,2", "0.9,0.999", "", " ", "٣", "²",
          "step:0", "loss:1:1,step:0", "loss,grad_norm,lr,step"]
text = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
keys = st.one_of(st.sampled_from(KEYS), text, st.builds(lambda a, b: f"{a}.{b}", st.sampled_from(KEYS), text))
values = st.one_of(st.sampled_from(VALUES), text)
queries = st.dictionaries(keys, st.one_of(values, st.lists(values, max_size=3)), max_size=12)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries)
def test_decode_never_raises_and_names_every_key_it_did_not_use(query: dict) -> None:
    state, ignored = decode(query)
    parse_scenario(to_scenario(state))  # whatever came in, what comes out is valid
    named = {i.name for i in ignored}
    for item in ignored:  # shown as text of bounded length, however long the link's
        assert len(item.name) <= SHOWN_CHARS and len(item.value) <= SHOWN_CHARS
        assert item.name.isprintable() and item.value.replace(" ", "").isprintable()
    if "scenario" in named:
        return  # the whole link was refused, and said so
    for key in query:
        others = {k: v for k, v in query.items() if k != key}
        used = encode(decode(others)[0]) != encode(state)
        default = decode({key: query[key]}) == (default_state(), [])  # e.g. lang=en alone
        assert used or default or shown(key) in named, key


@pytest.mark.parametrize(
    ("query", "name", "allowed"),
    [
        ({"r00": "sgd"}, "r00", RUN_KEY_HELP),
        ({"r0": "sgd", "r01": "adam"}, "r01", RUN_KEY_HELP),
        ({"r٣": "adam"}, "r٣", RUN_KEY_HELP),
        ({"r²": "adam"}, "r²", RUN_KEY_HELP),
        ({"r-1": "adam"}, "r-1", RUN_KEY_HELP),
        ({"r999999999999": "adam"}, "r999999999999", RUN_KEY_HELP),
        ({"r" + "9" * 5000: "adam"}, shown("r" + "9" * 5000), RUN_KEY_HELP),  # int() would fail
        ({"r6": "adam"}, "r6", "at most 6 runs"),
        ({"r0": "sgd", "r0.s.gamma": "0.5"}, "r0.s.gamma", "needs a valid r0.s"),
        ({"r2.lr": "0.5"}, "r2.lr", "needs a valid r2"),
        ({"r0": "nope", "r0.lr": "0.5"}, "r0.lr", "needs a valid r0"),
        ({"r0": "sgd", "r0.s": "nope", "r0.s.gamma": "0.5"}, "r0.s.gamma", "needs a valid r0.s"),
        ({"r0": "sgd", "r0.s": "constant", "r0.s.gamma": "0.5"}, "r0.s.gamma", "parameters of constant: none"),
        ({"r0": "sgd", "r0.betas": "0.9,0.99"}, "r0.betas", "parameters of sgd: lr, weight_decay"),
        ({"r0": "sgd", "r0.s": "step", "r0.s.step_size": "1e19"}, "r0.s.step_size", "1 <= step_size <= 1000000000"),
        ({"r0": "sgd", "r0.lr": "1e400"}, "r0.lr", "0 <= lr"),
        ({"r0": "sgd", "r0.s": "onecycle", "r0.s.div_factor": "1e-300", "r0.s.max_lr": "1e10"}, "r0.s", "div_factor >= max_lr / 1.8e+308"),
        ({"r0": "sgd", "r0.s": "onecycle", "r0.s.three_phase": "1", "r0.s.pct_start": "0.6"}, "r0.s", "pct_start < (total_steps + 1) / (2 * total_steps)"),
        ({"r0": ["sgd", "adam"]}, "r0", "given 2 times, the last is used"),
        ({"r0": "sgd", "r0.label": "a\nb"}, "r0.label", "none of them a control or format character"),
        ({"r0": "sgd", "r0.label": "x" * 61}, "r0.label", "non-empty text of at most 60 characters"),
        ({"r0": "sgd", "r0.batch": "half"}, "r0.batch", "full or 1 <= batch <= 1000000000"),
        ({"r0": "sgd", "r0.batch": "0.5"}, "r0.batch", "full or 1 <= batch"),
        ({"expr": "log(-1-x**2)"}, "expr", "not finite anywhere in the plot range"),
        ({"expr": "1/(x-x)"}, "expr", "not finite anywhere in the plot range"),
        ({"expr": "exp(1000+x)"}, "expr", "not finite anywhere in the plot range"),
        ({"surface": "custom", "expr": "log(x)", "start": "-1,0"}, "start", "a point where the surface and its gradient are finite"),
        ({"steps": "1e19"}, "steps", "1 <= steps <= 100000"),
        ({"utm": "x" * 100_000}, "utm", "not a parameter of this app"),
        ({"\ud800": "\udfff"}, "\ufffd", "not a parameter of this app"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_what_a_link_cannot_use_is_named_with_what_is_allowed(query: dict, name: str, allowed: str) -> None:
    state, ignored = decode(query)
    parse_scenario(to_scenario(state))
    match = [i for i in ignored if i.name == name]
    assert match, ignored
    assert allowed in match[0].allowed, match[0].allowed
    assert "scenario" not in {i.name for i in ignored}  # the rest of the link is kept


def test_a_long_value_is_cut_in_the_warning() -> None:
    (item,) = decode({"utm": "[click](http://host/phish) " * 4000})[1]
    assert len(item.value) <= SHOWN_CHARS and item.value.endswith("…")


def test_a_refused_schedule_keeps_its_run_and_the_rest_of_the_link() -> None:
    state, ignored = decode(
        {"r0": "adam", "r0.lr": "0.05", "r0.s": "onecycle", "r0.s.three_phase": "1",
         "r0.s.pct_start": "0.9", "r1": "sgd", "steps": "120"}
    )
    assert [r.optimizer for r in state.runs] == ["adam", "sgd"]
    assert state.runs[0].params["lr"] == 0.05 and state.runs[0].schedule is None
    assert state.steps == 120
    assert [i.name for i in ignored] == ["r0.s"]


def test_a_link_without_problems_reports_nothing() -> None:
    assert decode(encode(default_state())) == (default_state(), [])


def test_a_presets_panels_and_pins_travel_in_its_link() -> None:
    """A student shares preset 7 after playing with it: the link keeps its panels (σ and m
    over ‖g‖, and the step length) and its pinned steps, read by the preset view's own
    checker."""
    from dataclasses import replace

    from figures.view import view_options
    from lab.presets import get_preset
    from ui.session import with_view

    state = with_view(default_state(), view_options(get_preset("07").view))
    q = encode(state)
    assert q["panels"] == "loss,moments,lr,step" and q["pins"] == "loss:0:1,loss:1:1,lr:0:2,step:0,moments:0:1"
    back, ignored = decode(q)
    assert not ignored and back.panels == state.panels and back.pins == state.pins
    assert "pins" not in encode(replace(state, pins=())) and "panels" not in encode(default_state())


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"pins": "step:x"}, "pins"), ({"pins": "speed:1"}, "pins"), ({"pins": "step:1:9"}, "pins"),
        ({"pins": "step:1:0"}, "pins"), ({"pins": "step:١"}, "pins"), ({"pins": "step"}, "pins"),
        ({"pins": "step:1,step:2,step:3,step:4,step:5"}, "pins"), ({"pins": "step:99999999"}, "pins"),
        ({"panels": "loss,loss"}, "panels"), ({"panels": "loss,step,lr,speed"}, "panels"),
    ],
)  # fmt: skip
def test_a_bad_pin_or_panel_list_in_a_link_is_named_and_left_out(query: dict, name: str) -> None:
    state, ignored = decode(query)
    assert [i.name for i in ignored] == [name]
    assert "grad_norm" in ignored[0].allowed and ("runs 1 .. 6" in ignored[0].allowed or name == "panels")
    assert state.pins == () and state.panels is None
