"""What the plane and the learning curves share: sizes for a laptop or a projector, one trace
spec, the legend at a figure's foot, the axis titles' font."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from al_core.present.palette import AXIS_INK


@dataclass(frozen=True)
class Style:
    """Sizes for a laptop screen; `presenter()` scales them for the back of a classroom."""

    font: int = 14
    title: int = 20
    marker: float = 1.0
    line: float = 1.0
    height: int = 580

    @classmethod
    def presenter(cls) -> Style:
        """Large type, thick markers and lines: readable from the back of a room."""
        return cls(font=20, title=28, marker=1.4, line=1.8, height=560)


def legend(style: Style) -> dict:
    """A horizontal legend at the figure's foot; the live chart lifts the plot clear of it
    (`margin.b` grows until the axis title and the legend no longer touch)."""
    # traceorder "normal": legend groups would otherwise stack a horizontal legend vertically
    return dict(
        orientation="h",
        yref="container",
        y=0,
        yanchor="bottom",
        x=0,
        font=dict(size=style.font - 1),
        traceorder="normal",
    )


def axis_font(style: Style) -> dict:
    """An axis title's font."""
    return dict(size=style.font, color=AXIS_INK)


def trace(kind: str, name: str, points: np.ndarray | None, **attributes) -> dict:
    """One trace spec; None values are left out, as Plotly would drop them."""
    out = {"type": kind, "name": name, **{k: v for k, v in attributes.items() if v is not None}}
    if points is not None:
        out["points"] = np.asarray(points, int)
    return out
