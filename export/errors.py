"""What can go wrong in an export, as three kinds the callers treat differently.

The command line maps them to exit statuses (2 invalid input, 3 missing system dependency,
1 rendering failed); the app shows the message. The module imports nothing heavy, so a
caller can name the errors without loading Plotly or kaleido.
"""

from __future__ import annotations


class ExportError(ValueError):
    """An invalid export request (format, view, size, step...); the message names the value
    and what is allowed. A ``ValueError``, like the engine's ``ScenarioError``."""


class MissingDependencyError(RuntimeError):
    """A system program the format needs is absent: PNG, SVG, PDF and GIF need a Chromium
    browser (kaleido drives it). The message says what to install; CSV, JSON and HTML still
    work without it."""


class RenderError(RuntimeError):
    """The browser was found but failed to draw the figure (crashed, timed out)."""
