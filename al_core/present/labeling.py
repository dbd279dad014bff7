"""A person as the oracle: what the Label page selects, counts and says, computed from a Learner.

The page is a thin view (widgets, callbacks, drawing); every rule about which point a class key
labels, how points are named, and what each action reports lives here, where it can be tested
without Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from al_core.data import Dataset
from al_core.experiments.races import Race
from al_core.loop import Learner, Step
from al_core.present.safe_text import plain
from al_core.strategies import STRATEGIES

SHOWN = 5  # ranked suggestions drawn on the plane
KEYS = "1234567890"  # class shortcuts, so 10 classes at most
YOU = "you"  # the step source of a label a person gave
PEOPLE = (YOU, "class")  # ... and of one a class voted in a room


def labels_by_you(run: Learner) -> int:
    """Labels people gave (you, or your class in a room): what would be lost if the run were
    replaced or reset, so the app keeps a run that holds any."""
    return sum(len(s.queried) for s in run.steps if s.source in PEOPLE)


def count_labels(n: int) -> str:
    """ "1 label", "2 labels": the notices read as sentences."""
    return f"{n} label" if n == 1 else f"{n} labels"


def suggestions(run: Learner, shown: int = SHOWN) -> np.ndarray:
    """The strategy's ranked suggestions (at least a batch), empty when nothing is left to ask.

    Never raises: a page must draw even when every point is labeled or set aside.
    """
    if not len(run.candidates):
        return np.array([], int)
    try:
        return np.asarray(run.suggest(max(shown, run.config.batch_size)).indices, int)
    except ValueError:
        return np.array([], int)


def current_selection(
    run: Learner, chosen: Sequence[int], shown: int = SHOWN
) -> tuple[tuple[int, ...], bool]:
    """(the points a class key labels now, whether they are the automatic top suggestion).

    The person's own selection wins while any of it is still unlabeled (points labeled since, or
    out of range after a change of run, drop out); otherwise the model's top suggestion is
    preselected, so labeling is one key per point.
    """
    mask = run.labeled_mask
    mine = tuple(int(i) for i in chosen if 0 <= i < len(mask) and not mask[i])
    if mine:
        return mine, False
    top = suggestions(run, shown)
    return ((int(top[0]),), True) if len(top) else ((), True)


def class_keys(names: Sequence[str]) -> list[str]:
    """Class shortcuts: 1, 2, 3 … in order, except that classes named by single digits (digits,
    a CSV labeled 0/1) take their own digit, so the key is the label."""
    if all(len(n) == 1 and n.isdigit() for n in names):
        return list(names)
    return list(KEYS[: len(names)])


def score_change(run: Learner) -> str:
    """What the last label did to the score (accuracy, or confidence without ground truth)."""
    metric = "accuracy" if run.dataset.has_truth else "confidence"
    now, before = (run.steps[i].metrics.get(metric) for i in (-1, -2))
    if now is None or before is None:
        return "The model has refitted."
    return f"{metric.capitalize()} {now:.1%} ({now - before:+.1%})."


def _what(ds: Dataset, points: Sequence[int], capital: bool = True) -> str:
    """The subject of a status line: one point by name, a group by its size."""
    if len(points) == 1:
        name = ds.point_name(points[0])
        return name.capitalize() if capital else name
    return f"{len(points)} points"


def labeled_message(run: Learner, points: Sequence[int], cls: int) -> str:
    """The status line after a class key: what was labeled, and what it did to the score."""
    return (
        f"{_what(run.dataset, points)} labeled {plain(run.dataset.class_names[cls])}. "
        f"{score_change(run)}"
    )


def skipped_message(run: Learner, points: Sequence[int]) -> str:
    """The status line after Skip, which says the point can still be labeled by a click."""
    what = _what(run.dataset, points, capital=False)
    return f"Set aside {what}: never suggested again (you can still click and label it)."


def undone_message(run: Learner, last: Step) -> str:
    """The status line after Undo: which label (and whose) was taken back."""
    if len(last.queried) == 1:
        i = last.queried[0]
        label = plain(run.dataset.class_names[last.labels[0]])
        what = f"{run.dataset.point_name(i).capitalize()} ({label} by {last.source})"
        return f"Undone: {what} is unlabeled again and selected."
    return f"Undone: {len(last.queried)} labels by {last.source}; those points are selected."


def selection_summary(run: Learner, points: Sequence[int], auto: bool, ranked: np.ndarray) -> str:
    """Markdown for the selected point: which one, why it is selected, what the model guesses."""
    ds = run.dataset
    if not points:
        return "**Every point is labeled or set aside.**"
    if len(points) > 1:
        return f"**{len(points)} points selected.** One class key labels all of them."
    i = points[0]
    rank = np.flatnonzero(np.asarray(ranked) == i)
    if auto:
        where = "the model's top suggestion"
    else:
        where = f"suggestion {rank[0] + 1}" if len(rank) else "your pick"
    p = run.pool_proba([i])[0]
    order = np.argsort(p)[::-1][:2]
    guess = " · ".join(f"{plain(ds.class_names[c])} {p[c]:.0%}" for c in order)
    return f"**{ds.point_name(i).capitalize()}**, {where}  \nThe model says: {guess}"


def labels_table(run: Learner) -> pd.DataFrame:
    """Every label given, newest first, with who gave it and (with ground truth) whether it
    matches the truth: the place to spot and undo a mistake."""
    ds = run.dataset
    names = ds.class_names
    rows = []
    for s in reversed(run.steps):
        for i, c in zip(s.queried, s.labels):
            row = {
                "Step": s.number,
                "Point": int(ds.row_ids[i]) if ds.row_ids is not None else int(i),
                "Label": names[c],
                "By": s.source,
            }
            if ds.y is not None:
                row["Truth"] = "✓" if ds.y[i] == c else f"✗ {names[ds.y[i]]}"
            rows.append(row)
    return pd.DataFrame(rows)


def loaded_message(ds: Dataset, name: str) -> str:
    """The status line after an upload: what is labeled and what is held out to test on."""
    shown = plain(name, limit=60)
    if not ds.has_truth:
        return f"Loaded {shown}: {len(ds)} points to label, no label column (every label is yours)."
    held = len(ds.X_test)
    return (
        f"Loaded {shown}: {len(ds) + held} rows, {ds.n_classes} classes. {len(ds)} are the pool "
        f"to label; {held} (a stratified 30%) are held out to measure accuracy, never asked."
    )


def projection_note(run: Learner) -> str:
    """What the map is when the data has more than two features ("" when it has two)."""
    if not run.dataset.projected:
        return ""
    if run.exact_plane:
        text = run.dataset.items is not None and run.dataset.items.kind == "text"
        where = "a 2-D map of the texts' TF-IDF" if text else "the first two principal components"
        return (
            f"More than two features: points and boundary are drawn in {where}, which is where "
            "the model learns."
        )
    return (
        "The model learns in all features; the map is only their 2-D projection. Each unlabeled "
        "point has its predicted class's colour, faint where the model is unsure, and the "
        "background carries those predictions over the map: an approximation."
    )


def caveats(run: Learner) -> list[str]:
    """Notes under the plane for states that would otherwise puzzle: no model yet, a projection,
    no ground truth, points set aside."""
    notes = []
    if run.classes_seen < 2 and len(run.candidates):
        notes.append(
            "Fewer than two classes are labeled, so there is no model yet: the suggestions are "
            "random until a second class turns up."
        )
    if note := projection_note(run):
        notes.append(note)
    if not run.dataset.has_truth:
        notes.append(
            "Your data has no label column, so there is no accuracy to measure: the model's "
            "mean confidence is shown instead."
        )
    if run.skipped:
        n = len(run.skipped)
        notes.append(
            f"{n} {'point' if n == 1 else 'points'} set aside: "
            f"{'it stays' if n == 1 else 'they stay'} unlabeled and unasked."
        )
    return notes


def reveal_message(race: Race, indices: Sequence[int], truth: np.ndarray, k: int) -> str:
    """The status line after a pick: the revealed label, and that the strategy asked as many."""
    ds = race.you.dataset
    if len(indices) == 1:
        what = f"{ds.point_name(indices[0]).capitalize()} is {plain(ds.class_names[truth[0]])}"
    else:
        what = f"{len(indices)} points revealed"
    return f"{what}. {STRATEGIES[race.them.config.strategy].label} asked {k} too."
