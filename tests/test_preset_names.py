"""The one preset name resolver (``lab.presets.get_preset``), shared by the app's
``?preset=`` links and the command line's ``--preset``."""

from __future__ import annotations

import pytest

from lab.presets import allowed_names, find_preset, get_preset, list_presets


@pytest.mark.parametrize("name", ["05_saddle_point", "saddle_point", "05", "5", " 05 "])
def test_a_stem_its_name_or_its_number_resolve_to_the_preset(name: str) -> None:
    assert get_preset(name).name == "05_saddle_point"


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "0",
        "11",
        "saddle",
        "05_saddle",
        "point",
        "٠٥",
        "5" * 5000,
        "05_saddle_point.json",
    ],
)
def test_other_names_resolve_to_none_and_the_message_lists_every_preset(name: str) -> None:
    presets, _ = list_presets()
    assert find_preset(name, presets) is None
    with pytest.raises(ValueError) as e:
        get_preset(name)
    assert "does not exist; allowed: 01_stuck_is_not_critical, 02_tiny_step_crawls" in str(e.value)
    assert str(e.value).endswith(presets[-1].name)
    assert len(str(e.value)) < 120 + len(allowed_names(presets))  # a long name is cut
