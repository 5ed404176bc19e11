"""The Maps view in headless Chromium at a projector's 1024 × 768: a map preset's map, its
legend and the row of axis choices fit the screen without scrolling. Runs only with Debian's
/usr/bin/chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"),
]

MAP = '[data-testid="stPlotlyChart"] .main-svg'
TIMEOUT = 120_000


@pytest.mark.parametrize("preset", ["31", "33"])
def test_the_maps_view_fits_a_projector(page: Page, app_url: str, preset: str) -> None:
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{app_url}/?preset={preset}")
    page.wait_for_selector(MAP, timeout=TIMEOUT)
    page.wait_for_timeout(1500)
    chart = page.locator(MAP).first.bounding_box()
    assert chart is not None and chart["y"] + chart["height"] <= 768, chart
    legend = page.locator(f"{MAP} .legend").first.bounding_box()
    assert legend is not None and legend["y"] + legend["height"] <= 768, legend
    # the legend sits below the x axis's title, never on it
    title = page.locator(f"{MAP} .xtitle").first.bounding_box()
    assert title is not None and title["y"] + title["height"] <= legend["y"] + 2, (title, legend)
    row = page.locator(".st-key-maps_row").bounding_box()
    assert row is not None and row["y"] >= 0 and row["y"] + row["height"] <= chart["y"] + 1
    assert row["height"] < 70  # one line: the axis choices do not wrap
    cells = page.locator(f"{MAP} .heatmaplayer image, {MAP} .hm image").count()
    assert cells >= 1  # the cells are drawn
