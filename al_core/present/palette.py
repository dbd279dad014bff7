"""Every colour and chart setting the pages share, named once.

Classes take a colour-blind-safe palette (orange and blue first, as in TensorFlow Playground):
chosen so that any two of the first seven stay apart (CIELAB distance above 15) for normal
vision and under simulated deuteranopia, protanopia and tritanopia, all ten above 11, and none
is so light it fades into the plane or so dark it reads as ink (a test holds all of this).
Strategies have one colour each, the same on every chart; the random baseline is always grey
and dashed; a person ("You") is ink. The chart configs say whether a chart can be picked from
(box and lasso in its mode bar) or is only read.
"""

from __future__ import annotations

import numpy as np

CLASS_COLORS = (
    "#E8710A",  # orange
    "#1A73B8",  # blue
    "#1B9E77",  # green
    "#AA3377",  # wine
    "#8C564B",  # brown
    "#56B4E9",  # sky
    "#C62AED",  # violet
    "#66A61E",  # leaf
    "#CC79A7",  # pink
    "#A50026",  # crimson
)
STRATEGY_COLORS = {
    "random": "#7F7F7F",
    "least_confident": "#332288",
    "margin": "#AA3377",
    "entropy": "#1B9E77",
    "qbc_vote": "#8C564B",
    "qbc_kl": "#66A61E",
    "density_weighted": "#CC79A7",
    "coreset": "#1A9FD6",
    "cluster_margin": "#A50026",
    "expected_error_reduction": "#C28A00",
}
YOU_COLOR = "#1F2328"  # a person's own curve: ink, never a class's or a strategy's colour
POOL = "#8A8F98"
INK = "#1F2328"
AXIS_INK = "#5C6370"  # tick labels and axis titles: quieter than the data
FONT = '"Source Sans Pro", "Source Sans 3", sans-serif'  # the page's own type
JUST_LABELED = "#7B2CBF"
SELECTED = "#D62728"
RANDOM_COLOR = STRATEGY_COLORS["random"]  # the random baseline, on every chart
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


def strategy_color(name: str) -> str:
    """A strategy's own colour, the same on every chart (ink for an unknown name)."""
    return STRATEGY_COLORS.get(name, YOU_COLOR)


def rgb(color: str) -> tuple[int, int, int]:
    """A "#RRGGBB" colour as three 0-255 numbers, for images drawn pixel by pixel."""
    return tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))


def background_colors(k: int, amount: float = 0.62) -> np.ndarray:
    """(k, 3) background colours of the plane at full confidence: each class's colour
    blended towards white, light enough to read the points drawn on it."""
    mixed = [amount * np.array(rgb(class_color(c))) + (255 - 255 * amount) for c in range(k)]
    return np.round(np.array(mixed))  # whole numbers, as the hex colours they once were
