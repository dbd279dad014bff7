"""Plotly figures for the plane (plain graph_objects, no streamlit); the learning curve is in
`curves`, re-exported here with `Style`, as the pages import them.

The look follows TensorFlow Playground: an orange–grey–blue background whose intensity is the
model's confidence, points on top. The active-learning layers sit above that: the uncertainty band,
the decision boundary, ranked candidates, the last queried points and the ghost of the previous
boundary. Every pool point carries its pool index in `customdata`, so a click can be mapped back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import plotly.graph_objects as go


from al_core.data import Bounds
from al_core.present import raster
from al_core.present.chart_style import Style, axis_font, legend, trace
from al_core.present.curves import Curve, curve_figure, curve_spec
from al_core.present.palette import (
    AXIS_INK,
    FONT,
    INK,
    JUST_LABELED,
    POOL,
    SELECTED,
    background_colors,
    class_color,
)
from al_core.present.safe_text import plain

WEBGL_ABOVE = 3000
RANK_SIDES = ("top right", "bottom left", "top left", "bottom right", "top center", "bottom center")
TEXT_HALO = "-1px -1px 2px #fff, 1px -1px 2px #fff, -1px 1px 2px #fff, 1px 1px 2px #fff"
TITLE = "Which points should we label next?"


@dataclass(frozen=True)
class PlaneView:
    """What the plane shows; the learner (or a page) fills it, the figure only draws it."""

    X: np.ndarray
    bounds: Bounds
    class_names: Sequence[str]
    proba: np.ndarray  # (res, res, K) float32 over bounds
    labeled: np.ndarray = field(default_factory=lambda: np.array([], int))
    labels: np.ndarray = field(default_factory=lambda: np.array([], int))
    candidates: np.ndarray = field(default_factory=lambda: np.array([], int))  # rank order
    last_queried: np.ndarray = field(default_factory=lambda: np.array([], int))
    wrong: np.ndarray = field(default_factory=lambda: np.array([], int))  # label differs from truth
    marks_wrong: bool = False  # keep the "differs from the truth" key even while none does
    split: np.ndarray = field(default_factory=lambda: np.array([], int))  # a room was split
    split_share: np.ndarray = field(default_factory=lambda: np.array([], float))  # its agreement
    trained: bool = True  # False while fewer than two classes are labeled: no boundary yet
    band: tuple[float, float] = (0.45, 0.55)
    utility: np.ndarray | None = None  # (res, res), drawn instead of the probabilities
    ghost: np.ndarray | None = None  # previous step's (res, res, K) probabilities
    selected: int | tuple[int, ...] | None = None  # one point, or a group (box or lasso)
    feature_names: tuple[str, str] = ("Feature 1", "Feature 2")
    title: str = TITLE
    show_candidates: bool = True  # the race planes draw no "next to ask" rings
    # Learning in all features: every pool point's predicted class and its probability, and the
    # background is only carried over the map from them (the legend says so).
    predicted: np.ndarray | None = None
    certainty: np.ndarray | None = None


def plane_spec(view: PlaneView, style: Style = Style()) -> dict:
    """The plane, built once, as plain data: `layout` (with the background image), and `traces`
    whose points are pool indices (`points`) rather than coordinates.

    The live chart sends exactly this and maps indices to the pool it already holds, so a Step
    ships the labeled state, not the figure; `plane_figure` expands it for everything else.
    """
    k = len(view.class_names)
    image = raster.render(
        view.proba,
        background_colors(k),
        view.band,
        view.ghost if view.trained else None,
        view.utility,
        line=style.line,
        trained=view.trained,
        lines=view.predicted is None,
    )
    layout = _layout(view, style)
    b = view.bounds
    layout["images"] = [
        dict(
            source=raster.image_data_uri(image),
            xref="x",
            yref="y",
            x=b.x0,
            y=b.y1,
            sizex=b.x1 - b.x0,
            sizey=b.y1 - b.y0,
            sizing="stretch",
            layer="below",
            xanchor="left",
            yanchor="top",
        )
    ]
    return {"layout": layout, "traces": [*_legend_keys(view, style), *_points(view, style, k)]}


def plane_figure(view: PlaneView, style: Style = Style()) -> go.Figure:
    """The plane as a Plotly figure (tests, static pages): the spec with coordinates filled in.

    The background image comes first, the points last, so clicks reach the points; every pool
    point carries its index in `customdata`.
    """
    import plotly.graph_objects as go  # only here: the live chart never builds a Figure

    spec = plane_spec(view, style)
    traces = [expand(t, view.X) for t in spec["traces"]]
    # One construction, one validation: each Plotly update validates again (measured: the
    # curve figure went from 17 to 3 ms this way).
    return go.Figure(traces, spec["layout"])


def expand(trace: dict, X: np.ndarray) -> dict:
    """A trace spec with its pool indices turned into x, y and customdata."""
    out = {k: v for k, v in trace.items() if k != "points"}
    if "points" in trace:
        idx = np.asarray(trace["points"], int)
        if len(idx):
            out.update(x=X[idx, 0], y=X[idx, 1], customdata=idx)
        else:  # an empty group keeps its legend key, so the legend never grows mid-run
            out.update(x=[None], y=[None])
    return out


def _legend_keys(view: PlaneView, style: Style) -> list[dict]:
    """Legend entries for the layers drawn in the background image."""
    if not view.trained:
        return []
    if view.predicted is not None:  # all features: no boundary on the map, only its colours
        square = dict(symbol="square", size=12, color="rgba(31,35,40,0.12)")
        return [
            trace(
                "scatter",
                "Background: approximate",
                None,
                x=[None],
                y=[None],
                mode="markers",
                marker=square,
                hoverinfo="skip",
            )
        ]
    keys = [("Boundary", dict(color=INK, width=2.2 * style.line), "lines", None)]
    if view.utility is None:
        lo, hi = view.band
        band = (
            f"Unsure ({lo:.2f}–{hi:.2f})"
            if len(view.class_names) == 2
            else f"Unsure (top two within {hi - lo:.2f})"
        )
        keys.append(
            (band, None, "markers", dict(symbol="square", size=12, color="rgba(31,35,40,0.28)"))
        )
    if view.ghost is not None:
        keys.append(
            (
                "Previous boundary",
                dict(color="#5A5A5A", width=1.6 * style.line, dash="dash"),
                "lines",
                None,
            )
        )
    if view.utility is not None:
        keys.append(
            (
                "Utility: darker = asked sooner",
                None,
                "markers",
                dict(symbol="square", size=12, color="#4B2A86"),
            )
        )
    return [
        trace(
            "scatter",
            name,
            None,
            x=[None],
            y=[None],
            mode=mode,
            line=line,
            marker=marker,
            hoverinfo="skip",
        )
        for name, line, mode, marker in keys
    ]


# ---------------------------------------------------------------- points


def _marks(kind: str, idx: np.ndarray, name: str, marker: dict, note: str, **extra) -> dict:
    """One group of points; its pool indices become customdata, so a click maps back."""
    extra.setdefault("mode", "markers")
    extra.setdefault("hovertemplate", f"point %{{customdata}}<extra>{note}</extra>")
    return trace(kind, name, idx, marker=marker, **extra)


def _points(view: PlaneView, style: Style, k: int) -> list[dict]:
    n = len(view.X)
    kind = "scattergl" if n > WEBGL_ABOVE else "scatter"
    m = style.marker * (0.6 if n > WEBGL_ABOVE else 1.0)
    labeled = np.asarray(view.labeled, int)
    unlabeled = np.setdiff1d(np.arange(n), labeled)
    halo = dict(width=0.5 * style.line, color="white")
    names = [plain(c, "html") for c in view.class_names]  # a CSV's names are a stranger's text
    out = [_pool_marks(view, kind, unlabeled, 6 * m, halo, k)]
    labels = np.asarray(view.labels, int)
    for c in range(k):
        color = class_color(c)
        marker = dict(color=color, size=10 * m, line=dict(width=1.5 * style.line, color="white"))
        out.append(_marks(kind, labeled[labels == c], names[c], marker, names[c]))
    # The keys that can appear during a run are always there, so a new legend row never
    # shrinks the plot in the middle of Play.
    wrong = np.asarray(view.wrong, int)
    if len(wrong) or view.marks_wrong:
        cross = dict(
            symbol="x-thin", size=11 * m, color=INK, line=dict(width=2.2 * style.line, color=INK)
        )
        out.append(
            _marks(kind, wrong, "Differs from the truth", cross, "label differs from the truth")
        )
    split = np.asarray(view.split, int)
    if len(split):  # a room's answer the class did not agree on: real label noise
        diamond = dict(
            symbol="diamond-open", size=16 * m, color=INK, line=dict(width=2 * style.line)
        )
        shares = [f"{a:.0%}" for a in np.asarray(view.split_share, float)]
        out.append(
            _marks(
                kind,
                split,
                "Class was split",
                diamond,
                "class was split",
                text=shares,
                hovertemplate="point %{customdata}: %{text} agreed<extra>class was split</extra>",
            )
        )
    last = np.asarray(view.last_queried, int)
    ring = dict(
        symbol="circle-open",
        size=20 * style.marker,
        color=JUST_LABELED,
        line=dict(width=2.5 * style.line),
    )
    out += _ringed(last, "Just labeled", ring, "just labeled")
    cand = np.asarray(view.candidates, int)
    if view.show_candidates:
        ring = dict(
            symbol="circle-open", size=17 * style.marker, color=INK, line=dict(width=3 * style.line)
        )
        out += _ringed(
            cand,
            "Next to ask (rank)",
            ring,
            "next to ask",
            mode="markers+text",
            text=[str(r) for r in range(1, len(cand) + 1)],
            # neighbours' numbers go to different sides, so a clump stays readable
            textposition=[RANK_SIDES[r % len(RANK_SIDES)] for r in range(len(cand))],
            textfont=dict(size=style.font + 1, color=INK, family=FONT, shadow=TEXT_HALO),
            hovertemplate="point %{customdata}: rank %{text}<extra>next to ask</extra>",
        )
    out.extend(_selection_marks(view, style))
    return out


def _pool_marks(
    view: PlaneView, kind: str, unlabeled: np.ndarray, size: float, halo: dict, k: int
) -> dict:
    """The unlabeled points: grey, or, when the model learns in all features (so the background
    is only an approximation), each in its predicted class's colour, faint where it is unsure."""
    if view.predicted is None or view.certainty is None:
        marker = dict(color=POOL, size=size, opacity=0.75, line=halo)
        return _marks(kind, unlabeled, "Unlabeled pool", marker, "unlabeled")
    sure = (np.asarray(view.certainty)[unlabeled] - 1 / k) / max(1 - 1 / k, 1e-9)
    scale = [[edge, class_color(c)] for c in range(k) for edge in (c / k, (c + 1) / k)]
    marker = dict(
        color=np.asarray(view.predicted)[unlabeled].astype(np.int16),
        colorscale=scale,
        cmin=-0.5,
        cmax=k - 0.5,
        size=size * 1.15,
        opacity=(0.2 + 0.8 * np.clip(sure, 0, 1)).astype(np.float32),
        line=halo,
    )
    return _marks(kind, unlabeled, "Unlabeled: predicted class", marker, "unlabeled")


def _selection_marks(view: PlaneView, style: Style) -> list[dict]:
    """Red squares on the selected points: a large one on a single point (the one a class key
    labels), smaller ones on a group, whose trace name carries its size ("Selected (12)")."""
    if view.selected is None:
        return []
    idx = np.atleast_1d(np.asarray(view.selected, int))
    if not len(idx):
        return []
    one = len(idx) == 1
    square = dict(
        symbol="square-open",
        size=(22 if one else 15) * style.marker,
        color=SELECTED,
        line=dict(width=(3 if one else 2) * style.line),
    )
    name = "Selected" if one else f"Selected ({len(idx)})"
    return _ringed(idx, name, square, "selected")


def _ringed(idx: np.ndarray, name: str, marker: dict, note: str, **extra) -> list[dict]:
    """An open marker with a white halo beneath it, so it stays visible on any background
    (a dark utility surface, a crowd of points); the halo has no legend key of its own."""
    line = marker.get("line", {})
    halo = dict(marker, color="white", line=dict(line, width=line.get("width", 2) + 3))
    under = _marks(
        "scatter", idx, f"halo of {name}", halo, note, showlegend=False, hoverinfo="skip"
    )
    return [under, _marks("scatter", idx, name, marker, note, **extra)]


def _layout(view: PlaneView, style: Style) -> dict:
    b = view.bounds
    axis = dict(
        fixedrange=True,
        showgrid=False,
        zeroline=False,
        ticks="outside",
        mirror=True,
        showline=True,
        linecolor="#C9CDD2",
        automargin=True,
        tickfont=dict(size=style.font - 2, color=AXIS_INK),
    )
    return dict(
        title=dict(
            text=plain(view.title, "html"),
            x=0.01,
            xanchor="left",
            font=dict(size=style.title, color=INK, weight=700),
        ),
        height=style.height,
        margin=dict(l=10, r=10, t=60 if view.title else 10, b=80),  # the legend's foot
        font=dict(size=style.font, family=FONT, color=INK),
        plot_bgcolor="white",
        paper_bgcolor="white",
        uirevision="plane",
        clickmode="event+select",
        legend=legend(style),
        xaxis=dict(
            axis,
            range=[b.x0, b.x1],
            title=dict(text=plain(view.feature_names[0], "html"), font=axis_font(style)),
        ),
        yaxis=dict(
            axis,
            range=[b.y0, b.y1],
            title=dict(text=plain(view.feature_names[1], "html"), font=axis_font(style)),
        ),
    )


__all__ = [
    "Curve",
    "PlaneView",
    "Style",
    "curve_figure",
    "curve_spec",
    "expand",
    "plane_figure",
    "plane_spec",
]
