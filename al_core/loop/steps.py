"""What a run is made of: its steps, where each label came from, the note a step carries, and
the stratified start. The learner builds runs from these; replays and lessons read them too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

FORMAT_VERSION = 1
SOURCES = ("initial", "oracle", "noisy oracle", "you", "random", "class")  # class: a room's vote
COLD_START_NOTE = (
    "Fewer than two classes are labeled, so no model can be trained yet: asking at random "
    "until a second class turns up."
)


def derived_note(source: str, classes_seen: int) -> str:
    """The note step() gives a simulated-oracle step: the cold-start reason, or nothing."""
    return COLD_START_NOTE if source in ("oracle", "noisy oracle") and classes_seen < 2 else ""


def whole_numbers(values: Any, what: str) -> np.ndarray:
    """A 1-D int array from JSON-ish input, or a ValueError (never a silent truncation of 1.5)."""
    try:
        arr = np.atleast_1d(np.asarray(values))
        ok = arr.ndim == 1 and (
            arr.dtype.kind in "iu"
            or (arr.dtype.kind == "f" and bool(np.all(np.isfinite(arr) & (arr == np.round(arr)))))
            or arr.size == 0
        )
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"{what} must be a list of whole numbers, not {values!r}"[:200])
    return arr.astype(int)


@dataclass(frozen=True)
class Step:
    """One change to the labeled set and the test metrics right after it."""

    number: int
    queried: tuple[int, ...]
    labels: tuple[int, ...]
    source: str
    n_labeled: int
    metrics: dict[str, float]
    note: str = ""


def initial_indices(y: np.ndarray | None, n: int, seed: int, n_classes: int) -> np.ndarray:
    """A stratified starting set. Matches `train_test_split(..., stratify=y, random_state=seed)`,
    so the default scenario is exactly the seed notebook's 60 points."""
    if y is None or n <= 0:
        return np.array([], dtype=int)
    counts = np.bincount(y, minlength=n_classes)
    # Leave at least one point per class unlabeled (a stratified split needs it) and one to ask.
    n = min(n, len(y) - max(1, int((counts > 0).sum())))
    if n >= n_classes and counts[counts > 0].min() >= 2:
        from sklearn.model_selection import train_test_split

        picked, _ = train_test_split(np.arange(len(y)), train_size=n, stratify=y, random_state=seed)
        return np.sort(picked)
    rng = np.random.default_rng(seed)  # too few for a stratified split: one point per class
    classes = rng.permutation(np.flatnonzero(counts))[:n]
    return np.sort([int(rng.choice(np.flatnonzero(y == c))) for c in classes])
