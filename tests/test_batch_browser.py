"""A data-set preset in headless Chromium at a projector's 1024 × 768: the map, its Play
control, the data panel and the traces fit; Play moves the batch's own surface and the ringed
batch to the last step. Runs only with Debian's /usr/bin/chromium."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.test_browser import GD, PLOT, open_app, play_to_the_end, pytestmark  # noqa: F401


def batch_lines(page: Page) -> str:
    return str(page.evaluate(
        f"() => {{ const t = {GD}._fullData.find(d => d.name === \"the current batch's own error surface\");"
        " return Array.from(t.x).slice(0, 40).join(','); }"
    ))  # fmt: skip


def test_a_data_set_preset_fits_1024x768_and_plays(page: Page, app_url: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, app_url, "preset=21")
    page.wait_for_timeout(1500)
    plot = page.locator(PLOT).bounding_box()
    play = page.locator(".stage-play").bounding_box()
    assert plot is not None and play is not None
    assert play["y"] + play["height"] <= 768 and plot["x"] + plot["width"] <= 1024
    # what a viewer must see: the toolbar's step slider and the data panel
    rail = page.locator(".stage-range").bounding_box()
    assert rail is not None and rail["y"] + rail["height"] <= 768
    for axis in ("yaxis8", "yaxis3"):  # the data panel, the bottom trace panel
        bottom = page.evaluate(f"() => {{ const a = {GD}._fullLayout.{axis}; return a._offset + a._length; }}")
        assert plot["y"] + bottom <= 768, axis
    assert page.locator('[data-testid="stException"]').count() == 0
    before = batch_lines(page)
    play_to_the_end(page)
    assert batch_lines(page) != before  # another batch, its own surface
    ringed = page.evaluate(f"() => {GD}.querySelectorAll('.subplot.x8y8 .scatterlayer .trace')[1].querySelectorAll('.point').length")
    assert ringed == 4  # drawn: the batch of the last update, B = 4
    assert errors == []
