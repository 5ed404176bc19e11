"""Screenshots of the map presets (31-35) in the app's Maps view, in Debian Chromium, at a
projector's 1024 x 768 and a laptop's 1366 x 768: ``docs/screens/maps_<preset>_<w>.png``.

    python scripts/maps_screens.py [--out docs/screens] [--preset 31 ...] [--lang en]

Each page is opened by its preset link (``?preset=31``), waited for until the map is drawn,
and captured as the visible screen (what a class sees without scrolling).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from ui.local_server import CHROMIUM, CHROMIUM_ARGS, serve_app  # noqa: E402

PRESETS = ("31", "32", "33", "34", "35")
SIZES = ((1024, 768), (1366, 768))
MAP = '[data-testid="stPlotlyChart"] .main-svg'
TIMEOUT = 180_000


def shoot(url: str, out: Path, presets: list[str], lang: str, query: str) -> list[Path]:
    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for w, h in SIZES:
            page = browser.new_page(viewport={"width": w, "height": h})
            for name in presets:
                page.goto(f"{url}/?preset={name}&lang={lang}{query}")
                page.wait_for_selector(MAP, timeout=TIMEOUT)
                page.wait_for_timeout(2500)  # the figure's own layout pass
                png = page.screenshot()
                # RGB, not a palette: quantising lost the legend's small swatches to the
                # large regions' colours (an orange swatch came out brown)
                img = Image.open(io.BytesIO(png)).convert("RGB")
                path = out / f"maps_{name}_{w}.png"
                img.save(path, optimize=True)
                saved.append(path)
                print(path, path.stat().st_size // 1024, "kB")
            page.close()
        browser.close()
    return saved


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    ap.add_argument("--preset", action="append")
    ap.add_argument("--lang", default="en")
    ap.add_argument("--query", default="", help="more link keys, e.g. '&present=1'")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with serve_app() as url:
        shoot(url, args.out, args.preset or list(PRESETS), args.lang, args.query)


if __name__ == "__main__":
    main()
