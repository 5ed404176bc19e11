"""Write docs/screens/: the classroom screen of every lecture preset (01-10) in Chromium, as a
class sees it, for the lesson review (does the picture prove the caption?).

Run from the project root (needs Debian's Chromium and Playwright):

    .venv/bin/python scripts/make_screens.py [--presets 01 03] [--sizes 1024x768]

For each preset and each screen size (1024 x 768, a projector; 1366 x 768, a laptop) it
opens ``?preset=NN``, plays the run to its end at 4x with the stage's own Play button and
saves the window (``NN_1024.png``), then the window scrolled down to the verdict cards and
the update rules under the stage (``NN_1024_page.png``) and, where the cards run past the
window, scrolled on to their end (``NN_1024_cards.png``). Presets whose claim happens during
the run also get a screenshot in the middle of Play (``NN_1024_mid.png``, at 1x, once the
clock has passed the step in ``MID_PLAY``): a burst of 3, the wild first steps of 7, the
escape of 9.
``docs/screenshot.png`` is preset 1 at 1366 x 768. Pictures are stored with 256 colours
(Pillow, no dithering) to keep the repository small. ``captions.md`` pairs each picture
with its preset's caption, which is all a reviewer is given.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402

from lab.presets import list_presets  # noqa: E402
from ui.local_server import CHROMIUM, CHROMIUM_ARGS, serve_app  # noqa: E402

OUT = ROOT / "docs" / "screens"
SIZES = ((1024, 768), (1366, 768))
LESSONS = (*(f"{k:02d}" for k in range(1, 11)), *(str(k) for k in range(21, 26)))  # the lecture's and the data sets'
# Where the claim happens during Play: the step at which the mid-Play picture is taken
# (preset 3: just after its first burst at step 229; 7: the wild first steps; 9: just after
# the small batch leaves the saddle at step 122; 21: a batch's own minimum away from the path).
MID_PLAY = {"03": 236, "07": 6, "09": 140, "21": 40}
GD = "document.querySelector('.stage-plot')"
TIMEOUT = 180_000


def settle(page: Page) -> None:
    """Until the stage's figure stops changing (the first is redrawn at the page's size)."""
    page.wait_for_selector(".stage-plot .main-svg", timeout=TIMEOUT)
    page.wait_for_function(f"() => {GD}.dataset.version !== undefined", timeout=TIMEOUT)
    for _ in range(30):
        version = page.evaluate(f"() => {GD}.dataset.version")
        page.wait_for_timeout(900)
        if page.evaluate(f"() => {GD}.dataset.version") == version:
            break
    page.wait_for_function("() => document.querySelectorAll('[data-stale=\"true\"]').length === 0", timeout=TIMEOUT)


def play_to_the_end(page: Page) -> None:
    page.select_option(".stage-speed", "4")
    page.locator(".stage-play").click()
    page.wait_for_function(
        f"() => {GD}.stageClock.active === {GD}.stageClock.steps.length - 1"
        " && !document.querySelector('.stage-play').textContent.includes('❚❚')",
        timeout=TIMEOUT,
    )
    page.wait_for_timeout(2500)  # the reported step reaches the cards and the rules


def save(png: bytes, path: Path) -> None:
    im = Image.open(io.BytesIO(png)).convert("RGB")
    im.quantize(colors=256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE).save(path, optimize=True)


def shoot(page: Page, url: str, stem: str, size: tuple[int, int]) -> list[str]:
    w, h = size
    page.set_viewport_size({"width": w, "height": h})
    page.goto(f"{url}/?preset={stem}")
    settle(page)
    written = []
    if stem in MID_PLAY:
        page.select_option(".stage-speed", "1")
        page.locator(".stage-play").click()
        page.wait_for_function(
            f"() => {GD}.stageClock.steps[{GD}.stageClock.active] >= {MID_PLAY[stem]}",
            timeout=TIMEOUT, polling="raf",
        )  # fmt: skip
        save(page.screenshot(), OUT / f"{stem}_{w}_mid.png")
        page.locator(".stage-play").click()  # pause
        page.wait_for_timeout(500)
        written.append(f"{stem}_{w}_mid.png")
    play_to_the_end(page)
    save(page.screenshot(), OUT / f"{stem}_{w}.png")
    # The page scrolls inside Streamlit's main section: the cards and rules are under the stage.
    page.locator('[data-testid="stMain"]').evaluate("e => e.scrollBy(0, e.clientHeight - 40)")
    page.wait_for_timeout(600)
    save(page.screenshot(), OUT / f"{stem}_{w}_page.png")
    written += [f"{stem}_{w}.png", f"{stem}_{w}_page.png"]
    # Long cards run past the window (preset 9's "passed the saddle around step 216" at 1024):
    # the window scrolled on to the cards' end as well.
    below = page.evaluate("() => Math.max(...[...document.querySelectorAll('.lab-card')].map(c => c.getBoundingClientRect().bottom))")
    if below > h - 8:
        page.locator('[data-testid="stMain"]').evaluate(f"e => e.scrollBy(0, {below - h + 24})")
        page.wait_for_timeout(600)
        save(page.screenshot(), OUT / f"{stem}_{w}_cards.png")
        written.append(f"{stem}_{w}_cards.png")
    if stem == "01" and w == 1366:
        save(page.screenshot(), ROOT / "docs" / "screenshot.png")
    return written


def captions(stems: list[str]) -> str:
    presets, _ = list_presets()
    lines = ["# Lesson review: each picture and its caption", ""]
    for p in presets:
        stem = p.name[:2]
        if stem in stems:
            lines += [f"## {p.title_in('en')}", "", p.caption_in("en"), ""]
            files = sorted(f.name for f in OUT.glob(f"{stem}_*.png"))
            lines += [f"![{f}]({f})" for f in files] + [""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--presets", nargs="*", default=list(LESSONS))
    ap.add_argument("--sizes", nargs="*", default=[f"{w}x{h}" for w, h in SIZES])
    args = ap.parse_args()
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes]
    OUT.mkdir(parents=True, exist_ok=True)
    with serve_app(log=Path("/tmp/optimizer-lab-screens.log")) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        for stem in args.presets:
            for size in sizes:
                print(stem, size, shoot(page, url, stem, size), flush=True)  # type: ignore[arg-type]
        browser.close()
    (OUT / "captions.md").write_text(captions(list(LESSONS)), encoding="utf-8")


if __name__ == "__main__":
    main()
