"""The learning curve (accuracy against labels) as a Plotly spec, with bands, a target line and
the random baseline's dashes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from al_core.present.chart_style import Style, axis_font, legend, trace
from al_core.present.palette import AXIS_INK, FONT, INK, STRATEGY_COLORS, rgb
from al_core.present.safe_text import plain

if TYPE_CHECKING:
    import plotly.graph_objects as go


@dataclass(frozen=True)
class Curve:
    """One line on a learning-curve chart, optionally with a band (e.g. 95% over seeds)."""

    name: str
    x: np.ndarray
    y: np.ndarray
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None
    color: str = STRATEGY_COLORS["least_confident"]
    dash: str = "solid"


def curve_figure(curves: Sequence[Curve], **options) -> go.Figure:
    """The learning curve as a Plotly figure (`curve_spec`'s options)."""
    import plotly.graph_objects as go

    spec = curve_spec(curves, **options)
    return go.Figure(spec["traces"], spec["layout"])


def curve_spec(
    curves: Sequence[Curve],
    y_title: str = "Test accuracy",
    x_title: str = "Labels",
    marker_x: float | None = None,
    target: float | None = None,
    style: Style = Style(),
    height: int | None = None,
    title: str | None = None,
) -> dict:
    """Accuracy against the number of labels; a dotted line marks the viewed step or a target.

    Plain data (`traces` and `layout`), built in one go: the live chart sends it as it is, and
    Plotly validates a figure once instead of at every add_vline or update_layout.
    """
    traces = []
    for c in curves:
        name = plain(c.name, "html")
        if c.lo is not None and c.hi is not None:
            traces.append(
                trace(
                    "scatter",
                    f"{name} band",
                    None,
                    x=np.concatenate([c.x, c.x[::-1]]),
                    y=np.concatenate([c.hi, c.lo[::-1]]),
                    fill="toself",
                    fillcolor=_rgba(c.color, 0.15),
                    line=dict(width=0),
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
        # a single point draws no line at all: show it as a marker until the curve has two
        lone = len(c.x) < 2
        traces.append(
            trace(
                "scatter",
                name,
                None,
                x=np.asarray(c.x),
                y=np.asarray(c.y),
                mode="lines+markers" if lone else "lines",
                line=dict(color=c.color, width=2.5 * style.line, dash=c.dash, shape="hv"),
                marker=dict(color=c.color, size=9 * style.marker) if lone else None,
                hovertemplate=f"{name}: %{{y:.3f}} at %{{x}} labels<extra></extra>",
            )
        )
    lows = [np.nanmin(c.lo if c.lo is not None else c.y) for c in curves if len(c.y)]
    if target is not None:
        lows.append(target)  # a target below every curve is still drawn, with its label
    floor = np.floor((min(lows) - 0.03) * 20) / 20 if lows and np.isfinite(min(lows)) else 0.0
    dotted = dict(color="#999", width=1, dash="dot")
    shapes, notes = [], []
    if marker_x is not None:
        shapes.append(
            dict(
                type="line",
                xref="x",
                yref="paper",
                x0=marker_x,
                x1=marker_x,
                y0=0,
                y1=1,
                line=dotted,
            )
        )
    if target is not None:
        shapes.append(
            dict(type="line", xref="paper", yref="y", x0=0, x1=1, y0=target, y1=target, line=dotted)
        )
        notes.append(
            dict(
                text=f"target {target:.3f}",
                xref="paper",
                yref="y",
                x=0.01,  # at the left, above the line: the curves end at the right
                y=target,
                xanchor="left",
                yanchor="bottom",
                showarrow=False,
            )
        )
    layout = dict(
        height=height or int(style.height * 0.55),
        margin=dict(l=10, r=10, t=60 if title else 10, b=50),
        title=dict(
            text=plain(title or "", "html"),
            x=0.01,
            xanchor="left",
            font=dict(size=style.font + 2, color=INK, weight=700),
        ),
        font=dict(size=style.font, family=FONT, color=INK),
        plot_bgcolor="white",
        legend=legend(style),
        xaxis=_curve_axis(x_title, style, dtick=_label_tick(curves)),
        # from a round floor to 1: small changes look small, as they are
        yaxis=_curve_axis(
            y_title, style, range=[max(floor, 0.0), 1.005] if y_title.endswith("accuracy") else None
        ),
        shapes=shapes,
        annotations=notes,
        hovermode="x unified",
        uirevision="curve",
    )
    return {"traces": traces, "layout": layout}


def _curve_axis(title: str, style: Style, **extra) -> dict:
    """A learning-curve axis: titled, light grid, never zoomed (the view must not jump)."""
    return dict(
        title=dict(text=title, font=axis_font(style)),
        tickfont=dict(size=style.font - 2, color=AXIS_INK),
        showgrid=True,
        gridcolor="#EEF0F2",
        fixedrange=True,
        automargin=True,
        ticks="outside",
        ticklen=5,
        tickcolor="rgba(0,0,0,0)",  # room between the tick labels and the plot, no marks
        **extra,
    )


def _label_tick(curves: Sequence[Curve]) -> float | None:
    """Whole-label ticks: a label count of 60.5 means nothing."""
    xs = [np.asarray(c.x, float) for c in curves if len(c.x)]
    if not xs:
        return None
    span = max(x.max() for x in xs) - min(x.min() for x in xs)
    raw = max(span / 6, 1.0)
    magnitude = 10 ** np.floor(np.log10(raw))
    return float(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))


def _rgba(color: str, alpha: float) -> str:
    r, g, b = rgb(color)
    return f"rgba({r},{g},{b},{alpha})"
