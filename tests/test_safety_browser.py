"""The page in headless Chromium with hostile links: Markdown and HTML in every text parameter
render as text and the page asks no host but the app's for anything; the console stays clean
across Play, Pause, Play again and the slider. Runs only with Debian's /usr/bin/chromium."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"
    ),
]

CHART = ".stage-plot .main-svg"  # the classroom stage (ui/stage.js): map and panels, one figure
TIMEOUT = 60_000
MAP_JS = "document.querySelector('.stage-plot')"
LINK = "[click](http://host/phish)"
IMAGE = "![i](http://host/t.png)"
ANCHOR = "<a href=http://host/a>GD</a>"
IMG = "<img src=http://host/i.png>"
HOSTILE = {
    "utm_source": f"{LINK} {IMAGE}",
    "utm_campaign": f"{ANCHOR} {IMG}",
    "r0": "sgd",
    "r0.label": ANCHOR,
    "r1": "sgd",
    "r1.lr": "0.0001",
    "r1.label": IMAGE,
    "r2": "adam",
    "r2.lr": "0.1",
    "r2.label": IMG,
    "expr": LINK,  # refused by the parser: its text is echoed in the warning
}


def watch(page: Page, origin: str) -> tuple[list[str], list[str]]:
    """Requests to any other host, and console errors, warnings and uncaught errors."""
    foreign: list[str] = []
    console: list[str] = []

    def on_request(request: Request) -> None:
        url = request.url
        if not (url.startswith(origin) or url.startswith(("data:", "blob:"))):
            foreign.append(url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning", "trace", "assert"):
            console.append(f"{message.type}: {message.text}")

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    return foreign, console


def open_link(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(CHART, timeout=TIMEOUT)
    page.wait_for_function(f"() => {MAP_JS} && {MAP_JS}.dataset.version !== undefined", timeout=TIMEOUT)


def test_markup_in_every_text_parameter_is_text_and_no_other_host_is_asked(
    page: Page, app_url: str
) -> None:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(app_url))
    foreign, _ = watch(page, origin)
    open_link(page, f"{app_url}/?{urlencode(HOSTILE)}")
    alert = page.locator('[data-testid="stAlert"]').first
    expect(alert).to_be_visible(timeout=TIMEOUT)
    warning = alert.inner_text().replace("\u2060", "")
    for text in (LINK, IMAGE, ANCHOR, IMG):
        assert text in warning  # shown as typed
    expanders = [e.replace("\u2060", "") for e in page.locator('[data-testid="stExpander"] summary').all_inner_texts()]
    for i, text in enumerate((ANCHOR, IMAGE, IMG)):
        assert f"{i + 1}. {text}" in expanders[i]
    legend = page.evaluate(f"() => [...{MAP_JS}.querySelectorAll('.legendtext')].map(e => e.textContent)")
    assert {ANCHOR, IMAGE, IMG} <= set(legend)
    tabs = page.get_by_role("tab").all_inner_texts()
    assert [t.replace("\u2060", "") for t in tabs[:3]] == [f"{i}. {x}" for i, x in enumerate((ANCHOR, IMAGE, IMG), 1)]
    page.wait_for_timeout(1500)  # anything a rendered link or image would fetch has started
    live = "a[href*='host'], img[src*='host'], [*|href*='host/'], image[href*='host']"
    assert page.locator(live).count() == 0
    assert foreign == []


def test_the_console_stays_clean_across_play_pause_and_the_slider(page: Page, app_url: str) -> None:
    """Every Pause used to log "API call to Plotly.animate rejected" and an uncaught promise
    rejection (ui.browser explains why and what disarms it)."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(app_url))
    _, console = watch(page, origin)
    open_link(page, app_url)
    page.wait_for_function("() => window.labQuietInterrupts === true", timeout=TIMEOUT)
    play = pause = page.locator(".stage-play")  # the stage's toolbar: one Play / Pause button
    active = f"() => {MAP_JS}.stageClock.active"
    for _ in range(3):
        before = page.evaluate(active)
        play.click()
        page.wait_for_timeout(600)
        pause.click()
        page.wait_for_timeout(200)
        paused = page.evaluate(active)
        page.wait_for_timeout(400)
        assert paused > before or paused == page.evaluate(active)  # it played, then it stopped
        assert page.evaluate(active) == paused
    play.click()  # Play again while playing, then the slider while playing
    page.wait_for_timeout(300)
    play.click()
    page.wait_for_timeout(300)
    box = page.locator(".stage-range").bounding_box()  # the toolbar's step slider
    page.mouse.click(box["x"] + 0.3 * box["width"], box["y"] + 0.5 * box["height"])
    page.wait_for_timeout(300)
    play.click()
    page.wait_for_timeout(300)
    page.mouse.move(box["x"] + 0.2 * box["width"], box["y"] + 0.5 * box["height"])
    page.mouse.down()
    for k in range(8):
        page.mouse.move(box["x"] + (0.2 + 0.06 * k) * box["width"], box["y"] + 0.5 * box["height"])
        page.wait_for_timeout(40)
    page.mouse.up()
    page.wait_for_timeout(1000)
    assert console == []


def test_switching_the_language_there_and_back_keeps_the_page_working(page: Page, app_url: str) -> None:
    """Streamlit 1.67 sends a select box's choice back as its label. After 中文 and back to
    English the browser still held the English label of the optimizer, which the Chinese run
    could not match: its choice came back as the text "Gradient descent", and the surface's
    callback failed with a traceback (ui.session.relabel sets the worded choices again)."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(app_url))
    _, console = watch(page, origin)
    open_link(page, app_url)
    for name, word in (("中文", "震荡"), ("EN", "OSCILLATING"), ("中文", "震荡"), ("EN", "OSCILLATING")):
        page.get_by_role("radio", name=name, exact=True).click()  # the header's EN | 中文
        expect(page.get_by_text(word).first).to_be_visible(timeout=TIMEOUT)
    eta = page.locator("[data-testid='stSidebar'] input[type=range][aria-label*='η']").first
    eta.focus()
    eta.press("ArrowRight")
    page.wait_for_function("() => location.href.includes('r0.lr=0.02')", timeout=TIMEOUT)
    page.wait_for_function("() => document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=TIMEOUT)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlert"]').count() == 0
    assert console == []
