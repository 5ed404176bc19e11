"""The URL keys of data sets and mini-batches (``ui.url.encode_batches`` / ``decode_batches``):
round trips, short links, and every bad value named with what is allowed, never an error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lab import parse_scenario
from lab.presets import get_preset
from ui.batch_keys import BatchKeys, batches_of, with_batches
from ui.url import Query, decode, decode_batches, encode_batches

PRESETS = ["21", "22", "23", "24", "25"]


@pytest.mark.parametrize("name", PRESETS)
def test_every_batch_preset_round_trips_through_its_url_keys(name: str) -> None:
    sc = parse_scenario(get_preset(name).scenario).to_dict()
    keys = batches_of(sc)
    query = encode_batches(keys)
    runs = {f"r{i}": r["optimizer"] for i, r in enumerate(sc["runs"])}  # the app's run keys
    q = Query({**query, **runs})
    assert decode_batches(q) == keys and not q.ignored
    assert set(query) <= q.used
    # the keys rebuild the scenario's data set and batches on a scenario without them
    bare = {**sc, "surface": "ravine", "runs": [{k: v for k, v in r.items() if k != "batch"} for r in sc["runs"]]}
    bare.pop("batch", None)
    rebuilt = parse_scenario(with_batches(bare, keys)).to_dict()
    assert rebuilt == sc


def test_links_stay_short_defaults_are_left_out() -> None:
    keys = BatchKeys({"data": "logistic", "samples": 128, "seed": 0, "noise": 1.0}, {"size": 8, "seed": 0})
    assert encode_batches(keys) == {"data": "logistic", "mb": "8"}
    keys = BatchKeys(
        {"data": "sharp_flat", "samples": 256, "seed": 3, "noise": 0.15, "depth": 1.6, "shift": 0.25},
        {"size": 1, "seed": 5},
        {2: {"size": 16, "seed": 0}},
    )
    assert encode_batches(keys) == {
        "data": "sharp_flat",
        "data.seed": "3",
        "data.depth": "1.6",
        "mb": "1",
        "mb.seed": "5",
        "r2.mb": "16",
    }


@pytest.mark.parametrize(
    ("query", "name", "allowed"),
    [
        ({"data": "mnist"}, "data", "one of 'linear_regression', 'lecture_product', 'logistic', 'sharp_flat'"),
        ({"data": "logistic", "data.samples": "0"}, "data.samples", "an integer with 1 <= samples <= 4096"),
        ({"data": "logistic", "data.samples": "1e400"}, "data.samples", "an integer with 1 <= samples <= 4096"),
        ({"data": "sharp_flat", "data.depth": "3"}, "data.depth", "0 <= depth <= 2"),
        ({"data": "logistic", "data.depth": "1"}, "data.depth", "parameters of logistic: samples, seed, noise"),
        ({"data.samples": "8"}, "data.samples", "data=NAME first"),
        ({"data": "logistic", "mb": "0"}, "mb", "an integer with 1 <= size <= 4096"),
        ({"data": "logistic", "mb": "８"}, "mb", "an integer with 1 <= size <= 4096"),
        ({"data": "logistic", "mb": "4", "mb.seed": "-1"}, "mb.seed", "an integer with 0 <= seed <= 4294967295"),
        ({"mb": "4"}, "mb", "a data set: data=linear_regression | lecture_product | logistic | sharp_flat"),
        ({"data": "logistic", "mb.seed": "2"}, "mb.seed", "mb=B first"),
        ({"data": "logistic", "r0": "sgd", "r0.mb": "[x](http://h)"}, "r0.mb", "an integer with 1 <= size"),
    ],
)
def test_bad_keys_are_reported_with_what_is_allowed(query: dict, name: str, allowed: str) -> None:
    q = Query(query)
    decode_batches(q)
    bad = {i.name: i for i in q.ignored}
    assert name in bad, q.ignored
    assert allowed in bad[name].allowed
    assert bad[name].value == query[name]  # shown as given, as text


def test_a_bad_value_keeps_the_rest() -> None:
    q = Query({"data": "linear_regression", "data.samples": "-3", "data.noise": "0.2", "mb": "4"})
    keys = decode_batches(q)
    assert keys.data == {"data": "linear_regression", "samples": 64, "seed": 0, "noise": 0.2}
    assert keys.batch == {"size": 4, "seed": 0}
    assert [i.name for i in q.ignored] == ["data.samples"]


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["data", "data.samples", "data.seed", "data.noise", "data.depth", "mb", "mb.seed", "r0", "r0.mb", "r0.mb.seed", "r7.mb"]),
        st.one_of(st.text(max_size=30), st.sampled_from(["logistic", "sharp_flat", "4", "0", "1e308", "-1", "nan", "4096", "4097"])),
    )
)
def test_decoding_never_raises(query: dict[str, str]) -> None:
    q = Query(query)
    keys = decode_batches(q)
    if keys.data is not None:  # whatever it kept is a valid scenario value
        parse_scenario(with_batches({"surface": "ravine", "runs": [{"optimizer": "sgd"}], "steps": 3}, keys))
    decode(query)  # the app's codec (not yet wired to these keys) does not raise either
