"""One headless Chromium per process, driven by kaleido, shared by every static export.

Why not ``kaleido.start_sync_server`` + ``kaleido.calc_fig_sync``, the library's own way to
keep a browser warm:

* when no browser is installed, the sync server's thread dies on start-up and the next
  ``calc_fig_sync`` waits forever (measured: kaleido 1.5.0); here the missing browser is a
  :class:`MissingDependencyError` raised at once;
* its request and answer queues are shared without a lock, so two Streamlit sessions
  exporting at the same time could receive each other's images; here a lock serialises
  the calls;
* kaleido loads MathJax from a CDN unless told not to; offline that costs every cold start
  a failed request (none of our labels uses LaTeX), so it is switched off.

Costs measured on a 2-core machine: starting the browser ~2.7 s, then ~0.35 s per image, of
which ~0.2 s is kaleido reloading its page (4.8 MB of plotly.js) after each image. A GIF's
frames skip that reload (``reuse_page``): 40 frames take ~3.5 s instead of ~13 s.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import threading
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from export.errors import MissingDependencyError, RenderError

START_TIMEOUT = 60.0  # seconds to launch Chromium and load plotly.js into its page
IMAGE_TIMEOUT = 90.0  # seconds for one image (kaleido's own default)

INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: apt-get install chromium) or set BROWSER_PATH to a "
    "Chrome/Chromium executable; CSV, JSON and HTML exports work without it"
)


def browser_path() -> str | None:
    """The Chromium image exports would launch (``BROWSER_PATH`` when set, else a Chrome
    kaleido downloaded, then PATH and the usual places), or None: lets the app grey out image
    downloads instead of failing on click."""
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if Path(env).is_file() else None
    from choreographer.browsers.chromium import Chromium

    found = Chromium.find_browser(skip_local=False)
    return found if found and Path(found).is_file() else None


def _kaleido_class() -> type:
    import kaleido

    class ReusingKaleido(kaleido.Kaleido):  # type: ignore[misc]
        """kaleido reloads its page after every image, although ``Plotly.toImage`` draws each
        figure into a fresh detached element: nothing of the previous image survives to be
        cleaned. ``reuse_page`` skips that reload for the frames of one GIF. The hook is
        private; if a kaleido release renames it, this override is never called and exports
        are merely slower (requirements.txt pins kaleido)."""

        reuse_page: bool = False

        async def _return_kaleido_tab(self, tab: Any) -> None:
            if self.reuse_page:
                await self.tabs_ready.put(tab)
            else:
                await super()._return_kaleido_tab(tab)

    return ReusingKaleido


class Browser:
    """A kaleido browser living on its own event-loop thread, started on first use and kept
    (later images take ~0.35 s instead of ~3 s), closed by :meth:`close` or at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._exit_hook = False

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    def _run(self, coro: Coroutine[Any, Any, Any], timeout: float) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _start(self) -> None:
        if self._kaleido is not None:
            return
        from kaleido.errors import ChromeNotFoundError

        cls = _kaleido_class()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="export-browser", daemon=True
        )
        self._thread.start()

        # BROWSER_PATH passed on as the path: otherwise a Chrome that kaleido once downloaded
        # would take precedence over it.
        where = os.environ.get("BROWSER_PATH")
        path = {"path": where} if where else {}

        async def open_browser() -> Any:
            k = cls(n=1, mathjax=False, timeout=IMAGE_TIMEOUT, **path)
            await k.open()
            return k

        try:
            self._kaleido = self._run(open_browser(), START_TIMEOUT)
            if not self._exit_hook:
                # Registered only now, so that it runs before the clean-up of the browser's
                # temporary profile (atexit runs the last registered first): deleting the
                # profile under a running Chromium prints a traceback at exit.
                atexit.register(self.close)
                self._exit_hook = True
        except ChromeNotFoundError:
            self._stop_loop()
            found = f"no browser at BROWSER_PATH={where!r}" if where else "no Chromium found"
            raise MissingDependencyError(
                f"image export needs a Chromium browser and {found}: {INSTALL_HINT}"
            ) from None
        except Exception as e:
            self._stop_loop()
            browser = f"the browser at BROWSER_PATH={where!r}" if where else "Chromium"
            raise RenderError(f"could not start {browser} for image export: {_one_line(e)}") from e

    def images(
        self,
        figures: Sequence[dict[str, Any]],
        fmt: str,
        width: int,
        height: int,
        scale: float = 1.0,
        *,
        reuse_page: bool = False,
    ) -> list[bytes]:
        """Render each figure dict as ``fmt`` (png, svg, pdf) at width x height layout pixels
        (times ``scale`` for PNG). ``reuse_page`` for many images in a row (GIF frames)."""
        opts = {"format": fmt, "width": int(width), "height": int(height), "scale": scale}
        with self._lock:
            self._start()
            k = self._kaleido

            async def render_all() -> list[bytes]:
                k.reuse_page = reuse_page
                try:
                    # Queued together, kaleido pipelines the figures through its tab.
                    return list(await asyncio.gather(*(k.calc_fig(f, opts) for f in figures)))
                finally:
                    k.reuse_page = False

            try:
                return self._run(render_all(), IMAGE_TIMEOUT * max(1, len(figures)))
            except Exception as e:
                # The browser may be dead or stuck: start a fresh one next time.
                self._close_locked()
                raise RenderError(f"rendering the {fmt.upper()} failed: {_one_line(e)}") from e

    def close(self) -> None:
        """Stop Chromium (the next export starts it again)."""
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        k, self._kaleido = self._kaleido, None
        if k is not None and self._loop is not None:
            with contextlib.suppress(Exception):  # closing a dead browser may fail
                self._run(k.close(), 15)
        self._stop_loop()

    def _stop_loop(self) -> None:
        loop, self._loop = self._loop, None
        thread, self._thread = self._thread, None
        if loop is not None and loop.is_running():
            # A browser that failed to start leaves its watchdog task behind; cancelled here,
            # it does not print "Task was destroyed but it is pending" at exit.
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(_cancel_tasks(), loop).result(5)
            loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=5)
        if loop is not None and not loop.is_running():
            loop.close()


async def _cancel_tasks() -> None:
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _one_line(e: BaseException) -> str:
    """The first sentence of an error, on one line (choreographer's run to several)."""
    parts = e.args if e.args and all(isinstance(a, str) for a in e.args) else (str(e),)
    text = " ".join(str(parts[0]).split()) or type(e).__name__
    return text if len(text) <= 200 else text[:197] + "..."


BROWSER = Browser()
