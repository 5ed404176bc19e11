"""A learning-rate schedule's curve lr(t), drawn from the engine's closed forms."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from core.text import t
from figures.sampling import envelope_indices, f32
from figures.style import Sizes, base_layout, color
from optimizers.schedules import lr_sequence


def schedule_figure(
    name: str | None,
    base_lr: float,
    params: dict[str, Any] | None,
    steps: int,
    lang: str = "en",
    *,
    run_index: int = 0,
    presentation: bool = False,
) -> go.Figure:
    """η^t for t = 0 .. steps-1 under schedule ``name`` (None or "constant": flat at base_lr)."""
    sizes = Sizes.of(presentation)
    if name in (None, "constant"):
        lr = np.full(steps, float(base_lr))
    else:
        lr = lr_sequence(name, base_lr, params or {}, steps)
    idx = envelope_indices(lr)
    layout = base_layout(sizes)
    layout.update(
        {
            "height": 170 if not presentation else 230,
            "margin": {"l": 55, "r": 10, "t": 30, "b": 35},
            "title": {"text": t("fig.schedule_title", lang), "font": {"size": sizes.font - 1}},
            "xaxis": {"title": None, "range": [0, max(steps - 1, 1)], "gridcolor": "#eee"},
            "yaxis": {"rangemode": "tozero", "exponentformat": "power", "gridcolor": "#eee"},
            "showlegend": False,
        }
    )
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": idx.astype(np.int32),
            "y": f32(lr[idx]),
            "line": {"color": color(run_index), "width": sizes.line + 0.5},
            "hovertemplate": "t=%{x}<br>η=%{y:.3g}<extra></extra>",
        }
    ]
    return go.Figure({"data": data, "layout": layout}, _validate=False)
