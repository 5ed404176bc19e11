"""The classroom screen in headless Chromium, at a laptop's 1366 × 768 and a projector's
1024 × 768: the map, its Play control and the traces fit; one clock moves everything; the
step where it stops reaches the update rules; the language switch leaves no English label;
a click takes the start; a hostile link shows its values as text. Runs only with Debian's
/usr/bin/chromium."""

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

PLOT = ".stage-plot"
TIMEOUT = 120_000
GD = f"document.querySelector('{PLOT}')"
SIZES = [(1366, 768), (1024, 768)]


def open_app(page: Page, url: str, query: str = "") -> None:
    """The page, once its figure is drawn at the size the page reported (the first figure is
    drawn at a guess and redrawn when the page's size arrives)."""
    page.goto(f"{url}/?{query}")
    page.wait_for_selector(f"{PLOT} .main-svg", timeout=TIMEOUT)
    page.wait_for_function(f"() => {GD}.dataset.version !== undefined", timeout=TIMEOUT)
    for _ in range(20):
        version = page.evaluate(f"() => {GD}.dataset.version")
        page.wait_for_timeout(700)
        if page.evaluate(f"() => {GD}.dataset.version") == version:
            return


def active(page: Page) -> int:
    return int(page.evaluate(f"() => {GD}.stageClock.active"))


def frames(page: Page) -> int:
    return int(page.evaluate(f"() => {GD}.stageClock.steps.length"))


def play_to_the_end(page: Page) -> None:
    page.select_option(".stage-speed", "4")
    page.locator(".stage-play").click()
    page.wait_for_function(
        f"() => {GD}.stageClock.active === {GD}.stageClock.steps.length - 1"
        " && !document.querySelector('.stage-play').textContent.includes('❚❚')",
        timeout=TIMEOUT,
    )


def contour_length(page: Page) -> int:
    return int(
        page.evaluate(
            f"""() => [...{GD}.querySelectorAll('.scatterlayer .trace')[0].querySelectorAll('path.js-line')]
                .reduce((n, p) => n + (p.getAttribute('d') || '').length, 0)"""
        )
    )


def test_page_loads_without_errors(page: Page, app_url: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_app(page, app_url)
    expect(page.get_by_text("OSCILLATING").first).to_be_visible(timeout=TIMEOUT)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.evaluate(f"() => {GD}.querySelectorAll('.imagelayer image').length") == 1
    assert contour_length(page) > 5000
    assert errors == []


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_map_its_play_control_and_the_traces_fit_the_screen(
    page: Page, app_url: str, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    open_app(page, app_url)
    page.wait_for_timeout(1500)  # the page reports its size; the figure is fitted to it
    plot = page.locator(PLOT).bounding_box()
    play = page.locator(".stage-play").bounding_box()
    assert plot is not None and play is not None
    assert play["y"] >= 0 and play["y"] + play["height"] <= height
    assert plot["y"] + plot["height"] <= height + 1  # map, panels and slider: no scrolling
    assert plot["x"] + plot["width"] <= width
    header = page.locator(".st-key-page_header").bounding_box()
    assert header is not None and header["height"] < 60  # one row: nothing wrapped away
    for name in ("Present",):
        expect(page.get_by_text(name, exact=True).first).to_be_visible()


def test_after_play_everything_is_at_the_last_step(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    drawn = contour_length(page)
    play_to_the_end(page)
    last = 300
    cursors = page.evaluate(
        f"() => {GD}._fullData.filter(t => t.name === 'cursor').map(t => t.x[0])"
    )
    assert cursors == [last] * 4  # the trace markers are at the last step
    heads = page.evaluate(f"() => {GD}._fullData.find(t => t.name === 'heads').x")
    assert len(heads) == 3
    assert contour_length(page) == drawn  # the contours survived Play
    expect(page.get_by_text("t = 300 is the last point").first).to_be_visible(timeout=TIMEOUT)


def test_single_steps_speed_and_the_rules_follow(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    for _ in range(3):
        page.locator("[data-act=forward]").click()
    page.wait_for_function(f"() => {GD}.stageClock.active === 3", timeout=TIMEOUT)
    page.locator("[data-act=back]").click()
    page.wait_for_function(f"() => {GD}.stageClock.active === 2", timeout=TIMEOUT)
    expect(page.get_by_text("Step t = 2").first).to_be_visible(timeout=TIMEOUT)  # the LaTeX panel
    assert "step=2" in page.url
    # 4× covers the steps four times as fast (every 4th frame when drawing is the limit)
    times = {}
    for speed in ("1", "4"):
        page.locator("[data-act=first]").click()
        page.wait_for_function(f"() => {GD}.stageClock.active === 0", timeout=TIMEOUT)
        page.select_option(".stage-speed", speed)
        start = page.evaluate("performance.now()")
        page.locator(".stage-play").click()
        page.wait_for_function(f"() => {GD}.stageClock.active >= 60", timeout=TIMEOUT, polling="raf")
        times[speed] = page.evaluate("performance.now()") - start
        page.locator(".stage-play").click()  # pause
    assert times["4"] < 0.6 * times["1"]


def test_the_toolbar_slider_moves_the_clock_and_reads_the_step(page: Page, app_url: str) -> None:
    """The toolbar's step slider is the one step control: dragging it (here: its keys) moves
    the figure's frame, and its read-out says the step; the figure has no plotly.js slider."""
    open_app(page, app_url)
    assert page.evaluate(f"() => ({GD}.layout.sliders || []).length") == 0
    expect(page.locator(".stage-readout")).to_have_text("step 0 / 300")
    page.locator(".stage-range").focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => {GD}.stageClock.active === 5", timeout=TIMEOUT)
    expect(page.locator(".stage-readout")).to_have_text("step 5 / 300")
    page.wait_for_function(f"() => {GD}._fullData.find(t => t.name === 'cursor').x[0] === 5", timeout=TIMEOUT)
    expect(page.get_by_text("Step t = 5").first).to_be_visible(timeout=TIMEOUT)  # reported to the rules


def test_the_array_attribute_memo_answers_as_plotly_does(page: Page, app_url: str) -> None:
    """``ui/stage.js`` keeps plotly.js's array attributes per trace shape: on every trace of
    the figure, before and after Play, its answer is the original's."""
    open_app(page, app_url, "arrows=grad,update&local=1")
    same = f"""() => {{
        const f = Plotly.PlotSchema.findArrayAttributes;
        if (!f.labMemo) return 'not installed';
        const all = [...{GD}._fullData, ...{GD}.data];
        return all.every(t => JSON.stringify(f(t)) === JSON.stringify(f.original(t))) ? all.length : 'differs';
    }}"""
    assert page.evaluate(same) >= 38
    play_to_the_end(page)
    assert page.evaluate(same) >= 38


def test_a_click_on_the_map_takes_the_start(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    box = page.evaluate(
        f"""() => {{ const g = {GD}, r = g.getBoundingClientRect(), xa = g._fullLayout.xaxis, ya = g._fullLayout.yaxis;
            return {{x: r.x + xa._offset, y: r.y + ya._offset, w: xa._length, h: ya._length}}; }}"""
    )
    page.mouse.click(box["x"] + 0.5 * box["w"], box["y"] + 0.25 * box["h"])
    page.wait_for_function(
        f"() => {{ const s = {GD}.data.find(t => t.name === 'start'); return s && s.x[0] > -5 && s.x[0] < -3; }}",
        timeout=TIMEOUT,
    )  # the middle of x in [-10, 2]


def test_switching_language_leaves_no_english_label(page: Page, app_url: str) -> None:
    open_app(page, app_url, "r0=sgd&r1=adam&r1.s=cosine")
    page.get_by_role("radio", name="中文").click()
    expect(page.get_by_text("自适应学习率，一步一步看").first).to_be_visible(timeout=TIMEOUT)
    page.wait_for_function(f"() => {GD}.layout.title.text === '凸的狭长峡谷'", timeout=TIMEOUT)
    page.wait_for_timeout(1000)
    sidebar = page.locator('section[data-testid="stSidebar"]')
    boxes = sidebar.locator("input[role=combobox]")
    closed = boxes.count()
    page.locator('[data-testid="stExpander"] summary').nth(1).click()  # open run 2 (a rerun draws it)
    page.wait_for_function(
        "n => document.querySelectorAll('section[data-testid=stSidebar] input[role=combobox]').length > n",
        arg=closed, timeout=TIMEOUT,
    )
    page.wait_for_timeout(800)
    chosen = " | ".join(boxes.nth(i).input_value() for i in range(boxes.count()))
    shown = sidebar.inner_text() + " | " + chosen
    for english in ("Convex ravine", "Gradient descent", "Cosine annealing", "full batch", "Constant", "Optimizer"):
        assert english not in shown, english
    assert "凸的狭长峡谷" in chosen and "余弦退火" in chosen and "梯度下降" in chosen
    assert page.locator(".stage-play").inner_text().strip().endswith("播放")


def test_preset_1s_gradient_panel_spans_two_decades_or_more(page: Page, app_url: str) -> None:
    open_app(page, app_url, "preset=01")
    lo, hi = page.evaluate(f"() => {GD}._fullLayout.yaxis3.range")
    assert hi - lo >= 2


def test_download_buttons_give_the_current_view_as_files(page: Page, app_url: str, tmp_path: Path) -> None:
    open_app(page, app_url)
    page.locator('.st-key-page_header [data-testid="stPopoverButton"]:visible').last.click()
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="CSV", exact=True).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    rows = path.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("run,label,optimizer,step,x,y,loss,grad_norm,lr")
    assert len(rows) == 1 + 3 * 301


def test_a_hostile_link_shows_its_values_as_typed(page: Page, app_url: str) -> None:
    link = "[click](http://example.com/x) ![i](http://example.com/i.png) www.example.com"
    label = "<a href='http://example.com/y'>run</a>"
    open_app(page, app_url, f"utm={quote(link)}&r0=sgd&r0.label={quote(label)}")

    def shown(selector: str) -> str:  # the text as read (word joiners are invisible)
        return page.locator(selector).first.inner_text().replace("\u2060", "")

    expect(page.locator('[data-testid="stAlert"]').first).to_be_visible(timeout=TIMEOUT)
    assert link in shown('[data-testid="stAlert"]')
    assert "1. " + label in shown('[data-testid="stExpander"] summary')
    assert page.locator("a[href*='example.com'], img[src*='example.com']").count() == 0
    legend = page.evaluate(f"() => [...{GD}.querySelectorAll('.legendtext')].map(e => e.textContent)")
    assert label in legend
