"""The app in headless Chromium: loads, animates with its contours intact, takes a click as the
start, follows a slider and switches language. Runs only with Debian's /usr/bin/chromium."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"
    ),
]

CHART = '[data-testid="stPlotlyChart"] .main-svg'
TIMEOUT = 30_000

# The map is the chart whose layout has animation buttons; these read its live state.
MAP_JS = (
    "[...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout && g.layout.updatemenus)"
)
TRACES_JS = (
    "[...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout && g.layout.yaxis4)"
)


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(CHART, timeout=TIMEOUT)
    page.wait_for_function(f"() => {MAP_JS} !== undefined", timeout=TIMEOUT)


def contour_path_length(page: Page) -> int:
    """Total length of the drawn contour lines (trace 0 of the map, one SVG path per piece
    between NaN gaps): 0 once Plotly drops them."""
    return int(
        page.evaluate(
            f"""() => {{
                const gd = {MAP_JS};
                const paths = gd.querySelectorAll('.scatterlayer .trace')[0].querySelectorAll('path.js-line');
                return [...paths].reduce((n, p) => n + (p.getAttribute('d') || '').length, 0);
            }}"""
        )
    )


def image_count(page: Page) -> int:
    """The surface raster: Plotly draws layout images in the subplot's image layer."""
    return int(page.evaluate(f"() => {MAP_JS}.querySelectorAll('.imagelayer image').length"))


def test_page_loads_without_errors(page: Page, app_url: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_app(page, app_url)
    expect(page.get_by_text("OSCILLATING").first).to_be_visible(timeout=TIMEOUT)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert image_count(page) == 1
    assert contour_path_length(page) > 5000
    assert errors == []


def test_play_advances_and_the_contours_stay(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    drawn = contour_path_length(page)
    before = page.evaluate(f"() => {MAP_JS}._fullLayout.sliders[0].active")
    page.locator(".updatemenu-button", has_text="Play").first.click()
    page.wait_for_timeout(1500)
    during = page.evaluate(f"() => {MAP_JS}._fullLayout.sliders[0].active")
    assert during > before
    assert contour_path_length(page) == drawn  # still all drawn, mid-animation
    assert image_count(page) == 1
    page.locator(".updatemenu-button", has_text="Pause").first.click()


def test_click_on_the_map_moves_the_start(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    box = page.evaluate(
        f"""() => {{
            const r = {MAP_JS}.querySelector('.nsewdrag').getBoundingClientRect();
            return {{x: r.x, y: r.y, w: r.width, h: r.height}};
        }}"""
    )
    page.mouse.click(box["x"] + 0.5 * box["w"], box["y"] + 0.25 * box["h"])
    page.wait_for_url("**start=*", timeout=TIMEOUT)
    start_x = float(page.url.split("start=")[1].split("%2C")[0].split(",")[0])
    assert -5.0 < start_x < -3.0  # the middle of x in [-10, 2]
    page.wait_for_function(
        f"() => {{ const g = {MAP_JS}; return g && g.data.some(t => t.name === 'start' && Math.abs(t.x[0] - ({start_x})) < 1e-6); }}",
        timeout=TIMEOUT,
    )


def test_step_slider_moves_the_marker(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    cursor = f"() => {TRACES_JS}.layout.shapes.find(s => s.type === 'line').x0"
    assert page.evaluate(cursor) == 0
    thumb = page.locator('[data-testid="stSlider"]', has_text="Step t").get_by_role("slider")
    thumb.focus()
    for _ in range(3):
        thumb.press("ArrowRight")
    page.wait_for_url("**step=3*", timeout=TIMEOUT)
    page.wait_for_function(
        f"() => {{ const g = {TRACES_JS}; return g && ({cursor})() === 3; }}", timeout=TIMEOUT
    )


def test_language_switch_changes_the_labels(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    page.get_by_role("radio", name="中文").click()
    expect(page.get_by_text("自适应学习率，一步一步看")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("震荡").first).to_be_visible(timeout=TIMEOUT)
    page.wait_for_function(
        f"() => {{ const g = {MAP_JS}; return g && g.layout.title.text === '凸的狭长峡谷'; }}",
        timeout=TIMEOUT,
    )
    assert "lang=zh" in page.url


def test_download_buttons_give_the_current_view_as_files(
    page: Page, app_url: str, tmp_path: Path
) -> None:
    open_app(page, app_url)
    page.get_by_role("button", name="Download").first.click()  # the popover (then its files)
    files = {}
    for fmt in ("CSV", "PNG"):
        with page.expect_download(timeout=120_000) as info:
            page.get_by_role("button", name=fmt, exact=True).click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        files[fmt] = path
    assert files["CSV"].name == "optimizer-lab-ravine.csv"
    rows = files["CSV"].read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("run,label,optimizer,step,x,y,loss,grad_norm,lr")
    assert len(rows) == 1 + 3 * 301  # three runs of 300 steps, every point
    assert files["PNG"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_hostile_link_shows_its_values_as_typed(page: Page, app_url: str) -> None:
    """Markdown and HTML in a link's values and labels are shown as text: no live link, no
    remote image, in the warning, the run's expander or the legend."""
    link = "[click](http://example.com/x) ![i](http://example.com/i.png) www.example.com"
    label = "<a href='http://example.com/y'>run</a>"
    page.goto(f"{app_url}/?utm={quote(link)}&r0=sgd&r0.label={quote(label)}")
    page.wait_for_selector(CHART, timeout=TIMEOUT)
    page.wait_for_function(f"() => {MAP_JS} !== undefined", timeout=TIMEOUT)

    def shown(selector: str) -> str:  # the text as read (word joiners are invisible)
        return page.locator(selector).first.inner_text().replace("\u2060", "")

    expect(page.locator('[data-testid="stAlert"]').first).to_be_visible(timeout=TIMEOUT)
    assert link in shown('[data-testid="stAlert"]')
    assert "1. " + label in shown('[data-testid="stExpander"] summary')
    assert page.locator("a[href*='example.com'], img[src*='example.com']").count() == 0
    legend = page.evaluate(
        f"() => [...{MAP_JS}.querySelectorAll('.legendtext')].map(e => e.textContent)"
    )
    assert label in legend
