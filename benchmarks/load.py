"""Load: N real browser sessions against one app server, each making 10 interactions.

    python benchmarks/load.py                  # 20 sessions (one of them hostile, one exporting)
    python benchmarks/load.py --sessions 5     # fewer, for a quick look

One server (``streamlit run app.py`` on 127.0.0.1, started by this script with a hook that
times every script run in its own thread), one Debian Chromium driven by Playwright with one
browser context per session. Sessions start a second apart and each makes 10
interactions that change the page (the η slider, the steps, a step of the stage's clock, the language,
the surface, the batch size, another optimizer, the 3-D view, ...), waiting for each update:
the URL follows the new state, no element is stale and every chart is drawn.

One session is hostile: it first opens the runaway link of issue 10 (six runs × 100,000 steps
on a formula nested 49 deep: refused before it runs), then a link just within the work budget,
and makes its interactions on that (each a new scenario costing about 2 s of CPU). One session
exports a PNG, which starts the export's Chromium inside the server.

Printed: errors (uncaught page errors, console errors, exceptions or timeouts), the median and
worst update time of the ordinary sessions and of the hostile one, the server's CPU per rerun
(the script thread's own CPU time per run, median and 90th percentile, for runs on the default
scenario and for all; and the whole process's CPU over the run divided by the runs), and the
server's peak memory (VmHWM), with the export's Chromium (the server's child processes)
counted apart. Targets: 20 sessions, 0 errors, server CPU per default rerun <= 100 ms, peak
server memory <= 400 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ui.local_server import CHROMIUM, CHROMIUM_ARGS, SERVER_FLAGS, free_port  # noqa: E402

DEEP = "sin(" * 49 + "x*y" + ")" * 49
RUNAWAY = {"expr": DEEP, "xr": "-1,1", "yr": "-1,1", "steps": "100000",
           **{f"r{i}": n for i, n in enumerate(["sgd", "momentum", "adam", "rmsprop", "nadam", "radam"])}}
# Just within the budget: six runs of six optimizers, 12,000 steps on Rosenbrock (≈ 2.5 s).
HEAVY = {"surface": "rosenbrock", "steps": "12000",
         **{f"r{i}": n for i, n in enumerate(["sgd", "momentum", "adam", "rmsprop", "nadam", "radam"])}}
TIMEOUT_MS = 180_000
STAGGER_S = 1.0  # sessions open one second apart, as a class does after the link goes up
DRAWN_JS = "() => [...document.querySelectorAll('.main-svg')].some(s => s.getBoundingClientRect().height > 200)"
MAP_JS = "[...document.querySelectorAll('.js-plotly-plot')].find(g => g.layout && g.layout.updatemenus)"
SETTLED_JS = """() => document.querySelectorAll('[data-stale="true"]').length === 0
    && [...document.querySelectorAll('.js-plotly-plot')].every(g => g._fullLayout)
    && document.querySelectorAll('[data-testid="stPlotlyChart"]').length > 0"""

HOOK = """
import json, sys, threading, time
from streamlit.runtime.scriptrunner import script_runner

_lock = threading.Lock()
_out = open(sys.argv.pop(1), "a", buffering=1)
_run = script_runner.ScriptRunner._run_script

def _timed(self, rerun_data):
    cpu, wall = time.thread_time(), time.perf_counter()
    try:
        return _run(self, rerun_data)
    finally:
        record = {"session": self._session_id, "cpu": time.thread_time() - cpu,
                  "wall": time.perf_counter() - wall, "at": time.time()}
        with _lock:
            _out.write(json.dumps(record) + "\\n")

script_runner.ScriptRunner._run_script = _timed
from streamlit.web import cli
sys.argv = ["streamlit", "run", "app.py", *sys.argv[1:]]
sys.exit(cli.main())
"""


# --- the server ---------------------------------------------------------------------------
class Server:
    """The app with the timing hook; its memory polled, its own and its children's apart."""

    def __init__(self, runs_log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.runs_log = runs_log
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOOK, str(runs_log), *SERVER_FLAGS, str(self.port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.peak_children = 0
        self._stop = threading.Event()
        self._poller = threading.Thread(target=self._poll, daemon=True)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).read() == b"ok":
                    self._poller.start()
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("the app did not start")

    def _poll(self) -> None:
        while not self._stop.wait(0.25):
            self.peak_children = max(self.peak_children, sum(rss_kb(p) for p in descendants(self.proc.pid)))

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_kb(self) -> int:
        return status_kb(self.proc.pid, "VmHWM")

    def stop(self) -> None:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def runs(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.runs_log.read_text().splitlines() if line]


def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kb(pid: int) -> int:
    return status_kb(pid, "VmRSS")


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children of any of its threads: kaleido starts Chromium
    from a worker thread)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids: list[str] = []
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):  # the task ended meanwhile
                kids += (task / "children").read_text().split()
        for k in kids:
            out.append(int(k))
            todo.append(int(k))
    return out


# --- a session ----------------------------------------------------------------------------
class Session:
    def __init__(self, index: int, context: Any, base: str, kind: str) -> None:
        self.index, self.context, self.base, self.kind = index, context, base, kind
        self.errors: list[str] = []
        self.updates: list[float] = []

    async def run(self) -> None:
        page = await self.context.new_page()
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}")
                if m.type in ("error",) else None)
        self.page = page
        try:
            await self.script()
        except Exception as e:  # a timeout is an error of the run, not of the benchmark
            done = len(self.updates)
            self.errors.append(f"{type(e).__name__} in interaction {done + 1}: {str(e).splitlines()[0][:200]}")
        exceptions = await page.locator('[data-testid="stException"]').count()
        if exceptions:
            self.errors.append(f"{exceptions} exception element(s) on the page")

    async def open(self, query: dict[str, str] | None = None) -> None:
        url = f"{self.base}/?{urlencode(query)}" if query else self.base
        await self.page.goto(url, timeout=TIMEOUT_MS, wait_until="commit")
        await self.page.wait_for_function(DRAWN_JS, timeout=TIMEOUT_MS)
        await self.page.wait_for_function(SETTLED_JS, timeout=TIMEOUT_MS)

    async def update(self, action: Any) -> None:
        """Do ``action`` and wait until the page shows its result; the time is kept."""
        before = await self.page.evaluate("() => location.href")  # page.url lags replaceState
        started = time.perf_counter()
        await action()
        await self.page.wait_for_function(f"() => location.href !== {json.dumps(before)}", timeout=TIMEOUT_MS)
        await self.page.wait_for_function(SETTLED_JS, timeout=TIMEOUT_MS)
        self.updates.append(time.perf_counter() - started)
        await asyncio.sleep(0.3)  # a user reads the result before the next move

    async def key_on(self, selector: str, key: str) -> None:
        box = self.page.locator(selector).first
        await box.focus()
        await box.press(key)

    async def script(self) -> None:
        p = self.page
        if self.kind == "hostile":
            await self.open(RUNAWAY)
            await self.open(HEAVY)
        else:
            await self.open()
        eta = "[data-testid='stSidebar'] input[aria-label='η (lr)']"
        actions = [
            lambda: self.key_on(eta, "ArrowRight"),
            lambda: self.key_on(eta, "ArrowLeft"),
            lambda: self.step_key(),  # the stage's clock: one step forward
            lambda: p.get_by_text("中文", exact=True).first.click(),
            lambda: p.get_by_text("EN", exact=True).first.click(),
            lambda: self.key_on("[data-testid='stSidebar'] input[aria-label*='atch size']", "ArrowRight"),
            lambda: self.steps(11000 if self.kind == "hostile" else 400 + 10 * self.index),
            lambda: self.add_or_remove(),
            lambda: self.key_on(eta, "ArrowRight"),
        ]
        for action in actions:
            await self.update(action)
        if self.kind == "export":
            await self.export_png()
        else:
            await self.update(lambda: p.get_by_text("3-D", exact=True).first.click())

    async def step_key(self) -> None:
        """→ on the page (not in a field): the stage steps its clock and reports the step."""
        await self.page.evaluate("() => document.activeElement && document.activeElement.blur()")
        await self.page.keyboard.press("ArrowRight")

    async def add_or_remove(self) -> None:
        """Another optimizer (the hostile session, at the six runs allowed, removes one)."""
        name = "Remove" if self.kind == "hostile" else "Add an optimizer"
        await self.page.get_by_role("button", name=name).first.click()

    async def steps(self, n: int) -> None:
        box = self.page.locator("input[aria-label='Number of steps']").first
        await box.fill(str(n))
        await box.press("Enter")

    async def export_png(self) -> None:
        p = self.page
        started = time.perf_counter()
        await p.locator("button", has_text="download").first.click()  # the icon popover
        async with p.expect_download(timeout=TIMEOUT_MS) as info:
            await p.get_by_role("button", name="PNG", exact=True).click()
        await (await info.value).path()
        self.updates.append(time.perf_counter() - started)


# --- the run ------------------------------------------------------------------------------
async def drive(base: str, n: int) -> list[Session]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        sessions = []
        for i in range(n):
            context = await browser.new_context(viewport={"width": 1366, "height": 900})
            kind = "hostile" if i == 1 else "export" if i == 2 and n > 2 else "ordinary"
            sessions.append(Session(i, context, base, kind))

        async def start(s: Session) -> None:
            await asyncio.sleep(STAGGER_S * s.index)
            await s.run()

        await asyncio.gather(*(start(s) for s in sessions))
        await browser.close()
    return sessions


def summary(values: list[float]) -> str:
    if not values:
        return "—"
    return f"median {statistics.median(values):.2f} s, worst {max(values):.2f} s ({len(values)} updates)"


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def report(sessions: list[Session], server: Server, cpu: float, wall: float) -> None:
    errors = [(s.index, e) for s in sessions for e in s.errors]
    print(f"sessions: {len(sessions)} (one hostile, one exporting a PNG), wall {wall:.0f} s")
    print(f"errors: {len(errors)}")
    for i, e in errors[:20]:
        print(f"  session {i}: {e}")
    ordinary = [u for s in sessions if s.kind == "ordinary" for u in s.updates]
    print(f"update time, ordinary sessions: {summary(ordinary)}")
    print(f"update time, hostile session:   {summary([u for s in sessions if s.kind == 'hostile' for u in s.updates])}")
    print(f"update time, export (PNG):      {summary([u for s in sessions if s.kind == 'export' for u in s.updates[-1:]])}")
    runs = server.runs()
    heavy = {r["session"] for r in runs if r["cpu"] > 1.0}
    default = [r["cpu"] for r in runs if r["session"] not in heavy]
    every = [r["cpu"] for r in runs]
    print(f"server CPU per rerun (script thread), default-sized sessions: median "
          f"{1e3 * statistics.median(default):.0f} ms, 90th percentile {1e3 * percentile(default, 0.9):.0f} ms "
          f"({len(default)} runs)")
    print(f"server CPU per rerun (script thread), all runs: median {1e3 * statistics.median(every):.0f} ms, "
          f"max {1e3 * max(every):.0f} ms ({len(every)} runs)")
    print(f"server process CPU over the run / runs: {1e3 * cpu / max(1, len(every)):.0f} ms "
          f"(includes the websocket and the export's own work)")
    print(f"peak server memory (VmHWM): {server.peak_kb() / 1024:.0f} MB; the export's Chromium and "
          f"other child processes apart: peak {server.peak_children / 1024:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "runs.jsonl")
        try:
            server.wait_ready()
            cpu0, t0 = server.cpu_seconds(), time.perf_counter()
            sessions = asyncio.run(drive(server.url, args.sessions))
            cpu, wall = server.cpu_seconds() - cpu0, time.perf_counter() - t0
            report(sessions, server, cpu, wall)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
