"""Figure builders: pure functions from an engine ``Result`` to Plotly figures.

They never call Streamlit and never save anything, so the app and every export (PNG, SVG,
GIF, HTML) draw the same pictures in the same colours (``PALETTE``).
"""

from figures.animation import frame_stills
from figures.layers import layers_for
from figures.overview import classroom_spec, map_figure, overview_figure
from figures.schedule import schedule_figure
from figures.style import ARROW_KINDS, PALETTE, color
from figures.three_d import surface_3d
from figures.traces import traces_figure
from figures.view import PANELS, View, ViewError, view_options

__all__ = [
    "ARROW_KINDS",
    "PALETTE",
    "PANELS",
    "View",
    "ViewError",
    "classroom_spec",
    "color",
    "frame_stills",
    "layers_for",
    "map_figure",
    "overview_figure",
    "schedule_figure",
    "surface_3d",
    "traces_figure",
    "view_options",
]
