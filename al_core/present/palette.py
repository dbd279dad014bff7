"""Every colour and chart setting the pages share, named once.

Classes take a colour-blind-safe palette (orange and blue first, as in TensorFlow Playground);
the random baseline is always grey and dashed; the chart configs say whether a chart can be
picked from (box and lasso in its mode bar) or is only read.
"""

from __future__ import annotations

CLASS_COLORS = (
    "#E8710A",
    "#1A73B8",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0C808",
    "#6A3D9A",
    "#8C564B",
    "#4D4D4D",
)
POOL = "#8A8F98"
INK = "#1F2328"
AXIS_INK = "#5C6370"  # tick labels and axis titles: quieter than the data
FONT = '"Source Sans Pro", "Source Sans 3", sans-serif'  # the page's own type
JUST_LABELED = "#7B2CBF"
SELECTED = "#D62728"
RANDOM_COLOR = "#7F7F7F"  # the random baseline, on every chart
ORACLE_COLOR = "#5A5A5A"  # the exact oracle beside a person's labels

# Plotly `config` for a chart whose points are picked by a click, a box or a lasso: the box and
# lasso tools live in the mode bar; zoom is off, since axis ranges are fixed so the view never jumps
SELECT_CONFIG = {
    "displayModeBar": True,
    "displaylogo": False,
    "modeBarButtonsToRemove": [
        "zoom2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "resetScale2d",
        "toImage",
    ],
}
STATIC_CONFIG = {"displayModeBar": False}  # a chart that is only read


def class_color(c: int) -> str:
    """The colour of class c (the palette repeats beyond ten classes)."""
    return CLASS_COLORS[c % len(CLASS_COLORS)]


def curve_color(i: int, name: str) -> str:
    """Random is always grey; strategies take the class palette in order."""
    return RANDOM_COLOR if name.lower().startswith("random") else class_color(i + 1)
