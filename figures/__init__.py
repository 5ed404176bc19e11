"""Figure builders: pure functions from an engine ``Result`` to Plotly figures.

They never call Streamlit and never save anything, so the app and every export (PNG, SVG,
GIF, HTML) draw the same pictures in the same colours (``PALETTE``).
"""

from figures.animation import frame_stills
from figures.layers import layers_for
from figures.map import PICK_NAME, map_figure
from figures.overview import overview_figure
from figures.schedule import schedule_figure
from figures.style import ARROW_KINDS, PALETTE, color
from figures.three_d import surface_3d
from figures.traces import traces_figure

__all__ = [
    "ARROW_KINDS",
    "PALETTE",
    "PICK_NAME",
    "color",
    "frame_stills",
    "layers_for",
    "map_figure",
    "overview_figure",
    "schedule_figure",
    "surface_3d",
    "traces_figure",
]
