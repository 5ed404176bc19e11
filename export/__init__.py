"""Exports of a simulated result: PNG, SVG, PDF, GIF, HTML, CSV, JSON.

``render(result, fmt, ...) -> bytes`` is the one entry point (the app's download buttons
and ``cli.py render`` both use it); the pictures come from the app's own figure builders,
so an export looks like the app: same colours, labels and language.

PNG, SVG, PDF and GIF are drawn by Plotly through kaleido in a headless Chromium, started
on the first image and kept for the next ones (``close_browser()`` stops it); without
Chromium they raise :class:`MissingDependencyError`. HTML, CSV and JSON need no browser.
"""

from export.browser import BROWSER, INSTALL_HINT, browser_path
from export.compose import ANIMATED_VIEWS, VIEWS, animated_figure, static_figure
from export.data import COLUMNS, json_value, to_csv, to_json
from export.errors import ExportError, MissingDependencyError, RenderError
from export.formats import (
    APPLIES,
    BROWSER_FORMATS,
    DEFAULT_SIZE,
    FORMATS,
    IMAGE_FORMATS,
    LANGS,
    MIME_TYPES,
    format_for_path,
    render,
)


def close_browser() -> None:
    """Stop the Chromium kept for image exports (the next image export starts it again)."""
    BROWSER.close()


__all__ = [
    "ANIMATED_VIEWS",
    "APPLIES",
    "BROWSER_FORMATS",
    "COLUMNS",
    "DEFAULT_SIZE",
    "FORMATS",
    "IMAGE_FORMATS",
    "INSTALL_HINT",
    "LANGS",
    "MIME_TYPES",
    "VIEWS",
    "ExportError",
    "MissingDependencyError",
    "RenderError",
    "animated_figure",
    "browser_path",
    "close_browser",
    "format_for_path",
    "json_value",
    "render",
    "static_figure",
    "to_csv",
    "to_json",
]
