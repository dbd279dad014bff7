"""Turn a Plotly selection event from the pool chart into the points the user means to label.

Streamlit hands the page a dict; the browser decides what is in it (an empty selection when the
user clicks empty space or the point that is already selected, a point per trace under the cursor,
a box or lasso full of points). Keeping that interpretation here, as a pure function, lets every
case be unit-tested without a browser; the page's on_select callback is a thin adapter.

Figures carry the pool index of every clickable point as `customdata` (a scalar, or a list whose
first element is the pool index). Points without customdata (the background heatmap, rank labels)
are not pool points and are ignored.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from al_core.present.safe_text import plain

Kind = Literal["none", "point", "group"]


@dataclass(frozen=True)
class Selection:
    """What the event meant. `kind` says what it brought: nothing usable ("none"), one point, or a
    group (box, lasso, or several points). `indices` are the pool points that should be selected
    after it, sorted: for "none" that is the previous point, kept if it is still unlabeled, so
    the page can always store `indices` without branching. `message` explains an ignored click."""

    kind: Kind
    indices: tuple[int, ...] = ()
    message: str = ""

    @property
    def point(self) -> int | None:
        """The single selected point, or None (nothing, or a group)."""
        return self.indices[0] if len(self.indices) == 1 else None


def read_selection(
    event: Any,
    labeled_mask: Sequence[bool] | np.ndarray,
    previous: int | None = None,
    labeled_by: Mapping[int, str] | None = None,
) -> Selection:
    """Interpret `st.session_state[chart_key]` (or the value st.plotly_chart returned).

    labeled_mask: one bool per pool point (Learner.labeled_mask); its length bounds the indices.
    previous: the point selected before this event, kept when the event brings nothing new.
    labeled_by: pool index -> "Class A by you", to say who labeled a point the user clicked
    (see `label_notes`). Never raises, whatever the event holds.
    """
    mask = np.asarray(labeled_mask, dtype=bool)
    n = len(mask)
    prev = _as_int(previous)
    keep = (prev,) if prev is not None and 0 <= prev < n and not mask[prev] else ()
    selection = event.get("selection") if isinstance(event, Mapping) else None
    if not isinstance(selection, Mapping):
        return Selection("none", keep)
    points = selection.get("points")
    picked = sorted({i for p in _as_list(points) if (i := _pool_index(p, n)) is not None})
    if not picked:
        return Selection("none", keep)
    gesture = bool(_as_list(selection.get("box")) or _as_list(selection.get("lasso")))
    fresh = tuple(i for i in picked if not mask[i])
    taken = [i for i in picked if mask[i]]
    if not gesture and len(picked) == 1:
        if fresh:
            return Selection("point", fresh)
        return Selection("none", keep, _already_labeled(taken[0], labeled_by))
    if not fresh:
        return Selection(
            "none",
            keep,
            f"All {len(picked)} selected points are already labeled: nothing to label.",
        )
    note = ""
    if taken:
        were = "was" if len(taken) == 1 else "were"
        note = f"{len(taken)} of the {len(picked)} selected points {were} already labeled and left out."
    return Selection("group", fresh, note)


def label_notes(learner: Any) -> dict[int, str]:
    """Pool index -> "Class A by you" for every labeled point, from a Learner's history."""
    names = [plain(n) for n in learner.dataset.class_names]  # shown as Markdown
    return {
        i: f"{names[label]} by {step.source}"
        for step in learner.steps
        for i, label in zip(step.queried, step.labels)
    }


def _already_labeled(index: int, labeled_by: Mapping[int, str] | None) -> str:
    who = (labeled_by or {}).get(index)
    return f"Point {index} is already labeled" + (f" ({who})." if who else ".")


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, list | tuple) else []


def _pool_index(point: Any, n: int) -> int | None:
    """The pool index a point carries, or None when it carries none (or nonsense)."""
    if not isinstance(point, Mapping):
        return None
    data = point.get("customdata")
    if isinstance(data, list | tuple | np.ndarray):
        data = data[0] if len(data) else None
    index = _as_int(data)
    return index if index is not None and 0 <= index < n else None


def _as_int(value: Any) -> int | None:
    """Ints, integral floats (JSON may send 12.0) and digit strings; never bools or NaN."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        f = float(value)
        return int(f) if math.isfinite(f) and f.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None
    return None
