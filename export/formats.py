"""``render(result, fmt, ...) -> bytes``: one entry point for every export format.

The app's download buttons and ``cli.py render`` both call it, so a file exported either
way is the same file. Every option is checked where it enters and an invalid one raises
:class:`ExportError` naming the value and what is allowed (no silent clipping). Options a
format does not use are ignored here, so one set of keyword arguments can serve every
download button; the command line is stricter (see ``APPLIES``).
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.text import LANGS
from export import compose, data
from export.browser import BROWSER
from export.compose import FigureDict
from export.errors import ExportError
from figures.animation import frame_stills, with_step_label
from figures.style import ARROW_KINDS, INTERACTIVE_CONFIG
from lab import Result

FORMATS = ("png", "svg", "pdf", "gif", "html", "csv", "json")
IMAGE_FORMATS = ("png", "svg", "pdf")
BROWSER_FORMATS = ("png", "svg", "pdf", "gif")  # need Chromium; the others work without

MIME_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "gif": "image/gif",
    "html": "text/html",
    "csv": "text/csv",
    "json": "application/json",
}

# Which formats each option means something for (the command line refuses the others).
APPLIES = {
    "view": ("png", "svg", "pdf", "gif", "html"),
    "lang": ("png", "svg", "pdf", "gif", "html"),
    "width": ("png", "svg", "pdf", "gif", "html"),
    "height": ("png", "svg", "pdf", "gif", "html"),
    "scale": ("png", "svg", "pdf"),
    "frames": ("gif", "html"),
    "frame_ms": ("gif", "html"),
    "step": ("png", "svg", "pdf", "html"),
}

# Default picture sizes in layout pixels: the map keeps the app's height; "all" is as wide
# as the app's two columns; a GIF is smaller, since every frame is stored.
DEFAULT_SIZE = {
    "map": (900, 640),
    "traces": (700, 640),
    "3d": (900, 640),
    "all": (1400, 640),
}
GIF_SIZE = {"map": (720, 520), "all": (1080, 520)}
SIZE_RANGE = (200, 4000)
SCALE_RANGE = (0.25, 4.0)

GIF_FRAMES = 40  # ~3.5 s to render; the app's 120 would take ~10 s and triple the file
GIF_FRAME_MS = 100
GIF_HOLD_MS = 1500  # the last frame stays this long before the loop restarts
HTML_FRAMES = 120  # as in the app
HTML_FRAME_MS = 60
ANIMATION_DEFAULTS = {"gif": (GIF_FRAMES, GIF_FRAME_MS), "html": (HTML_FRAMES, HTML_FRAME_MS)}
FRAMES_RANGE = {"gif": (2, 300), "html": (2, 1000)}
FRAME_MS_RANGE = (20, 10_000)  # GIF viewers play shorter delays at 100 ms

# A whole page with plotly.js inlined and MathJax left out (it would come from a CDN; the
# figures write exponents with <sup>, not LaTeX), still until Play is pressed.
PAGE_OPTIONS = {
    "config": INTERACTIVE_CONFIG,
    "auto_play": False,
    "include_plotlyjs": True,
    "include_mathjax": False,
    "full_html": True,
    "validate": False,
}


def format_for_path(path: str | Path) -> str:
    """The format an output file name asks for, from its suffix (case-insensitive)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        allowed = ", ".join(f".{f}" for f in FORMATS)
        shown = f"suffix .{suffix}" if suffix else "no suffix"
        raise ExportError(f"output {str(path)!r} has {shown}; allowed: {allowed}")
    return suffix


@dataclass(frozen=True)
class Options:
    """The options of one export, checked (``checked``) where they enter."""

    view: str = "map"
    lang: str = "en"
    width: int | None = None
    height: int | None = None
    scale: float = 1.0
    frames: int | None = None
    frame_ms: int | None = None
    step: int | None = None
    arrows: tuple[str, ...] = ()
    presentation: bool = False
    look: tuple[tuple[str, Any], ...] = ()  # the app's or a preset's view (figures.View fields)

    def checked(self, fmt: str, result: Result) -> Options:
        """These options for ``fmt``, each checked (ExportError naming the value and what is
        allowed), with the animation defaults of ``fmt`` filled in."""
        _check_choice("view", self.view, _views_for(fmt), f"for {fmt}")
        _check_choice("lang", self.lang, LANGS)
        for kind in self.arrows:
            _check_choice("arrows", kind, ARROW_KINDS)
        last = compose.last_step(result)
        step = self.step
        if step is not None:
            step = _check_int("step", step, 0, last, f"(the runs have {last} steps)")
        for name in ("width", "height"):
            if getattr(self, name) is not None:
                _check_int(name, getattr(self, name), *SIZE_RANGE)
        scale = _check_float("scale", self.scale, *SCALE_RANGE)
        frames, frame_ms = ANIMATION_DEFAULTS.get(fmt, (None, None))
        if fmt in ANIMATION_DEFAULTS:
            frames = self.frames if self.frames is not None else frames
            frame_ms = self.frame_ms if self.frame_ms is not None else frame_ms
            frames = _check_int("frames", frames, *FRAMES_RANGE[fmt])
            frame_ms = _check_int("frame_ms", frame_ms, *FRAME_MS_RANGE)
        return replace(self, step=step, scale=scale, frames=frames, frame_ms=frame_ms)

    def size(self, defaults: dict[str, tuple[int, int]]) -> tuple[int, int]:
        """The picture's layout size: the given width and height, else the view's default."""
        w, h = defaults[self.view]
        return (
            w if self.width is None else int(self.width),
            h if self.height is None else int(self.height),
        )

    def static(self, result: Result, size: tuple[int, int], step: int | None) -> FigureDict:
        """The still picture of this view at ``size`` layout pixels."""
        w, h = size
        shown = {"arrows": self.arrows, "presentation": self.presentation, "look": dict(self.look)}
        return compose.static_figure(
            result, self.view, self.lang, step=step, width=w, height=h, **shown
        )

    def animated(
        self, result: Result, step: int, size: tuple[int | None, int | None]
    ) -> FigureDict:
        """The playing figure of this view, showing ``step`` before Play."""
        assert self.frames is not None and self.frame_ms is not None  # set by checked()
        w, h = size
        shown = {"arrows": self.arrows, "presentation": self.presentation, "look": dict(self.look)}
        pace = {"frames": self.frames, "frame_ms": self.frame_ms}
        return compose.animated_figure(
            result, self.view, self.lang, step=step, width=w, height=h, **pace, **shown
        )


def render(result: Result, fmt: str, **options: Any) -> bytes:
    """The export of ``result`` as ``fmt`` (one of ``FORMATS``), as the bytes of the file.

    * png/svg/pdf: ``view`` "map" (the surface with every path), "traces" (loss, gradient
      norm, lr, effective lr), "3d" or "all" (map and traces); ``width`` x ``height``
      layout pixels (a PNG has ``scale`` times as many pixels); the marked points sit at
      ``step`` (default: the last step, where every path ends).
    * gif: the map's animation ("map" or "all"), ``frames`` evenly spaced steps from 0 to
      the last (fewer when the runs have fewer steps), ``frame_ms`` each; the last frame is
      held for 1.5 s.
    * html: the interactive figure, self-contained and offline (plotly.js inlined, no
      MathJax, no network request); "map" and "all" animate (``frames``, ``frame_ms``;
      ``step`` is shown before Play, default 0), "3d" and "traces" can be rotated/zoomed.
    * csv/json: the numbers (see :mod:`export.data`); every other option is ignored.

    ``lang`` ("en"/"zh"), ``arrows`` and ``presentation`` as in the app (the keywords of
    :class:`Options`); ``look``: further ``figures.View`` options (a preset's zoom, the loss
    axis, whole paths, the local model, the runs' colours), so a file shows what the page does. Raises ExportError for an invalid option, MissingDependencyError
    when an image format finds no Chromium, RenderError when Chromium fails.
    """
    if fmt not in FORMATS:
        raise ExportError(f"format {fmt!r} is not supported; allowed: {', '.join(FORMATS)}")
    if fmt in DATA_FORMATS:
        return DATA_FORMATS[fmt](result)
    look = tuple(sorted((options.pop("look", None) or {}).items()))
    opts = Options(**{**options, "arrows": tuple(options.get("arrows", ())), "look": look}).checked(fmt, result)
    return PICTURE_FORMATS.get(fmt, _image)(result, fmt, opts)


def _image(result: Result, fmt: str, opts: Options) -> bytes:
    size = opts.size(DEFAULT_SIZE)
    image = BROWSER.images([opts.static(result, size, opts.step)], fmt, *size, opts.scale)[0]
    return _repack_png(image, opts.scale) if fmt == "png" else image


def _html_export(result: Result, fmt: str, opts: Options) -> bytes:
    if opts.view in compose.ANIMATED_VIEWS:
        fig = opts.animated(
            result, 0 if opts.step is None else opts.step, (opts.width, opts.height)
        )
    else:
        fig = opts.static(result, opts.size(DEFAULT_SIZE), opts.step)
    for name in ("width", "height"):
        if getattr(opts, name) is not None:
            fig["layout"][name] = getattr(opts, name)
    title = result.surface.title.get(opts.lang, result.surface.name)
    return _html(fig, opts.lang, title=title)


def _views_for(fmt: str) -> tuple[str, ...]:
    return compose.ANIMATED_VIEWS if fmt == "gif" else compose.VIEWS


def _gif(result: Result, fmt: str, opts: Options) -> bytes:
    """One PNG per frame from one browser page (see export.browser), assembled by Pillow.

    Every frame is mapped onto one palette, taken from the last frame (it shows every path),
    without dithering: unchanged pixels stay identical from frame to frame, so Pillow stores
    only the rectangle around the moving points. Maximum coverage keeps the colours of small
    areas (measured: every pixel within 14/765 of the PNG); median cut turned the yellow
    star of the minimum orange."""
    from PIL import Image

    size = opts.size(GIF_SIZE)
    static = opts.static(result, size, None)
    stills = frame_stills(static, opts.animated(result, 0, size), opts.lang, opts.presentation)
    if not stills:  # every run stopped at its start (diverged at once): one still
        stills = [(0, with_step_label(static, 0, opts.lang, opts.presentation))]
    pngs = BROWSER.images([f for _, f in stills], "png", *size, reuse_page=True)
    rgb = [Image.open(io.BytesIO(p)).convert("RGB") for p in pngs]
    palette = rgb[-1].quantize(colors=256, method=Image.Quantize.MAXCOVERAGE)
    images = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in rgb]
    assert opts.frame_ms is not None  # set by Options.checked
    durations = [opts.frame_ms] * len(images)
    durations[-1] = max(opts.frame_ms, GIF_HOLD_MS)
    buf = io.BytesIO()
    images[0].save(
        buf,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        optimize=True,
    )
    return buf.getvalue()


# Formats that need no figure, and the picture formats other than the static images.
DATA_FORMATS = {"csv": data.to_csv, "json": data.to_json}
PICTURE_FORMATS = {"gif": _gif, "html": _html_export}


def _repack_png(png: bytes, scale: float) -> bytes:
    """Chromium's PNG, losslessly smaller: RGB instead of an all-opaque alpha channel and
    zlib's default level instead of Chromium's fast one (measured: 344 kB -> 183 kB, 0.2 s).
    The DPI (96 per layout pixel) lets word processors and LaTeX place a ``scale`` 2 export
    at the size of a ``scale`` 1 one, only sharper."""
    from PIL import Image

    im = Image.open(io.BytesIO(png))
    if im.mode == "RGBA" and im.getextrema()[3] == (255, 255):
        im = im.convert("RGB")
    buf = io.BytesIO()
    dpi = round(96 * scale)
    im.save(buf, format="PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def _html(fig: dict, lang: str, title: str) -> bytes:
    """A whole page with plotly.js inlined and MathJax left out (it would come from a CDN;
    the figures write exponents with <sup>, not LaTeX): it opens offline, from a file."""
    import plotly.io as pio

    page = pio.to_html(fig, **PAGE_OPTIONS)
    meta = '<meta charset="utf-8" />'
    if meta not in page:  # the title (maybe Chinese) must follow the charset declaration
        page = page.replace("<head>", f"<head>\n    {meta}", 1)
    page = page.replace(meta, f"{meta}\n    <title>{html.escape(title)}</title>", 1)
    return page.replace("<html>", f'<html lang="{lang}">', 1).encode("utf-8")


def _check_choice(name: str, value: object, allowed: Sequence[str], where: str = "") -> None:
    if value not in allowed:
        extra = f" {where}" if where else ""
        raise ExportError(f"{name} = {value!r} is invalid{extra}; allowed: {', '.join(allowed)}")


def _check_int(name: str, value: object, lo: int, hi: int, note: str = "") -> int:
    allowed = f"an integer with {lo} <= {name} <= {hi}" + (f" {note}" if note else "")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ExportError(f"{name} = {value!r} is not an integer; allowed: {allowed}")
    if not lo <= value <= hi:
        raise ExportError(f"{name} = {value} is out of range; allowed: {allowed}")
    return value


def _check_float(name: str, value: object, lo: float, hi: float) -> float:
    allowed = f"a number with {lo:g} <= {name} <= {hi:g}"
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ExportError(f"{name} = {value!r} is not a number; allowed: {allowed}")
    if not lo <= float(value) <= hi:
        raise ExportError(f"{name} = {value} is out of range; allowed: {allowed}")
    return float(value)
