"""The stopping meter beside the plane: what it says at a step, and its sparkline as inline SVG.

Everything here is read from a run's `StopTrace` (see `loop.stopping`) and its learning curve;
the page only draws the result. Where the truth is known, the meter also shows the steps at
which accuracy first reached 95% and 99% of the full-data accuracy, so a class sees whether the
criterion stopped early, late or right.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape

import numpy as np

from al_core.loop.metrics import labels_to_target
from al_core.loop.stopping import StopTrace, criterion_named
from al_core.present.palette import AXIS_INK, INK, POOL

FIRED = "#1A7F37"  # "you could stop here": the one green on the page, never a class colour
SHARES = (0.95, 0.99)  # of the full-data accuracy


@dataclass(frozen=True)
class Meter:
    """What the meter shows after one step."""

    label: str  # the criterion's name
    value: str  # its signal now, as text ("κ 0.993", "—")
    fired_at: int | None  # the first step (up to this one) at which it fired
    fired_now: bool
    status: str  # "You could stop here", "Not yet", "No model yet"
    reached: tuple[int | None, ...] | None  # first steps at 95% / 99% of full data; None: no truth
    sparkline: str  # inline SVG
    help: str


def meter(
    trace: StopTrace,
    criterion: str,
    threshold: float | None,
    step: int,
    accuracy: np.ndarray | None = None,
    full_accuracy: float | None = None,
) -> Meter:
    """The meter after `step` (what it said then: nothing after that step is used)."""
    c = criterion_named(criterion)
    t = c.threshold if threshold is None else float(threshold)
    series = trace.series(c.signal)[: step + 1]
    fired = c.fired(series, t)
    hits = np.flatnonzero(fired)
    fired_at = int(hits[0]) if len(hits) else None
    now = float(series[-1]) if len(series) else float("nan")
    fired_now = bool(len(fired) and fired[-1])
    if fired_now:
        status = "You could stop here"
    elif np.all(np.isnan(trace.series("uncertainty")[: step + 1])):  # no trained model yet
        status = "No model yet"
    else:
        status = "Not yet"
    reached = None
    if accuracy is not None and full_accuracy is not None and np.isfinite(full_accuracy):
        acc = np.asarray(accuracy, float)[: step + 1]
        steps = np.arange(len(acc))
        reached = tuple(
            _step_or_none(labels_to_target(steps, acc, s * full_accuracy)) for s in SHARES
        )
    rule = (
        f"mean of the last {c.window} at least {t:g}"
        if c.at_least and c.window > 1
        else f"{'at least' if c.at_least else 'at most'} {t:g}"
    )
    return Meter(
        label=c.label,
        value=f"{_SYMBOL[c.signal]} {_format(c.signal, now)}",
        fired_at=fired_at,
        fired_now=fired_now,
        status=status,
        reached=reached,
        sparkline=sparkline_svg(series, t, fired_at, c.at_least),
        help=f"{c.idea} Fires when {rule}.",
    )


_SYMBOL = {"kappa": "κ", "uncertainty": "H", "changed": "Δ"}


def _format(signal: str, value: float) -> str:
    if np.isnan(value):
        return "—"
    return f"{value:.1%}" if signal == "changed" else f"{value:.3f}"


def _step_or_none(value: float) -> int | None:
    return None if np.isnan(value) else int(value)


def sparkline_svg(
    series: np.ndarray,
    threshold: float,
    fired_at: int | None,
    at_least: bool,
    width: int = 120,
    height: int = 34,
    last: int = 40,
) -> str:
    """The last `last` values as a polyline, the threshold dashed, the first firing a dot.

    The y range always holds the threshold, so the line visibly crosses it when the rule fires.
    NaN (no model) leaves a gap.
    """
    v = np.asarray(series, float)
    start = max(0, len(v) - last)
    v = v[start:]
    finite = v[np.isfinite(v)]
    lo = min([threshold, *finite]) if len(finite) else threshold - 0.5
    hi = max([threshold, *finite]) if len(finite) else threshold + 0.5
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    pad = 3

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * (i / max(len(v) - 1, 1))

    def y(value: float) -> float:
        return pad + (height - 2 * pad) * (1 - (value - lo) / (hi - lo))

    runs, current = [], []
    for i, value in enumerate(v):
        if np.isfinite(value):
            current.append(f"{x(i):.1f},{y(value):.1f}")
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    lines = "".join(
        f'<polyline points="{" ".join(r)}" fill="none" stroke="{INK}" stroke-width="1.6"/>'
        if len(r) > 1
        else f'<circle cx="{r[0].split(",")[0]}" cy="{r[0].split(",")[1]}" r="1.6" fill="{INK}"/>'
        for r in runs
    )
    ty = y(threshold)
    dot = ""
    if fired_at is not None and fired_at >= start and np.isfinite(v[fired_at - start]):
        dot = (
            f'<circle cx="{x(fired_at - start):.1f}" cy="{y(v[fired_at - start]):.1f}" r="3.2" '
            f'fill="{FIRED}"/>'
        )
    side = "above" if at_least else "below"
    title = escape(f"Last {len(v)} steps; dashed: the threshold {threshold:g} (fires {side})")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{title}"><title>{title}</title>'
        f'<line x1="{pad}" x2="{width - pad}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{POOL}" '
        f'stroke-width="1" stroke-dasharray="3 2"/>{lines}{dot}'
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="none" '
        f'stroke="{AXIS_INK}" stroke-opacity="0.25"/></svg>'
    )


def svg_data_uri(svg: str) -> str:
    """An SVG as a data URI for an <img>: drawn as it is, never sanitised away."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
