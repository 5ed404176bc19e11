"""Screenshots of the data-set presets (21-25) in the app, for the lesson review and the
README: Debian Chromium at 1024x768 and 1366x768, each after Play (to a given fraction of its
frames, or the end). Usage: python scripts/batch_screens.py OUT_DIR [PRESET ...]"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
PLOT = ".stage-plot"
GD = f"document.querySelector('{PLOT}')"
# Where Play is paused, as a fraction of the frames (1: the end): mid-Play where the lesson is
# the moving batch surface, the end where it is where the runs ended.
STOP = {"21": 0.5, "22": 1.0, "23": 1.0, "24": 1.0, "25": 1.0}
SIZES = ((1024, 768), (1366, 768))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(port: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health").read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the app did not start")


def settle(page) -> None:
    page.wait_for_selector(f"{PLOT} .main-svg", timeout=120_000)
    for _ in range(20):
        v = page.evaluate(f"() => {GD}.dataset.version")
        page.wait_for_timeout(900)
        if page.evaluate(f"() => {GD}.dataset.version") == v:
            return


def play_to(page, fraction: float) -> None:
    n = int(page.evaluate(f"() => {GD}.stageClock.steps.length"))
    target = max(0, min(n - 1, round(fraction * (n - 1))))
    page.select_option(".stage-speed", "4")
    page.locator(".stage-play").click()
    page.wait_for_function(f"() => {GD}.stageClock.active >= {target}", timeout=120_000)
    if target < n - 1:
        page.locator(".stage-play").click()  # pause
    else:
        page.wait_for_function("() => !document.querySelector('.stage-play').textContent.includes('❚❚')")
    page.wait_for_timeout(800)


def main(out: Path, names: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = start_app(port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic"])  # fmt: skip
            for name in names:
                for w, h in SIZES:
                    page = browser.new_page(viewport={"width": w, "height": h})
                    page.goto(f"http://127.0.0.1:{port}/?preset={name}")
                    settle(page)
                    play_to(page, STOP.get(name[:2], 1.0))
                    path = out / f"{name}_{w}x{h}.png"
                    page.screenshot(path=str(path))
                    print(path, page.evaluate(f"() => {GD}.stageClock.active"), flush=True)
                    page.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:] or list(STOP))
