"""The one way a run is rebuilt from its configuration and its labeled sequence.

Share links, session files, kept runs and `replay_json` all hand their steps to
`replay`, so a run rebuilds the same whichever door it comes back through: the same labels, the
same notes (a cold start's random steps carry theirs, derived as `step()` gives them), the same
metrics. A session file is strict (anything that does not fit is refused); a link is lenient (it
stops at the first step that does not fit and says so).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from al_core.data import Dataset
from al_core.loop import cost
from al_core.loop.config import Config
from al_core.loop.learner import Learner
from al_core.loop.steps import FORMAT_VERSION, derived_note, whole_numbers

# How far past its budget a replay may run before the clock stops it: estimates are measured
# on an idle machine, and the page still has to draw what was rebuilt.
CLOCK_SLACK = 1.25

MAX_REPLAY_STEPS = 2000  # each replayed step is a model fit; no real session comes close


@dataclass
class Replayed:
    """A rebuilt run and what the person should know about it (nothing when all went in)."""

    learner: Learner
    warnings: list[str] = field(default_factory=list)


def replay(
    config: Config,
    steps: Iterable[Sequence[Any]],
    skipped: Iterable[int] = (),
    dataset: Dataset | None = None,
    *,
    strict: bool = True,
    max_steps: int | None = None,
    budget_s: float | None = None,
) -> Replayed:
    """Rebuild `config`'s run and teach it `steps`, each (indices, labels, source[, note]).

    A step without a note gets the note `step()` would have given it. `strict` raises ValueError
    at the first step or set-aside point that does not fit; otherwise the rest is dropped with a
    warning, and `max_steps` cuts a long sequence (with a warning too). With `budget_s`, the
    estimated cost of the fits (`loop.cost`) bounds what is replayed: strictly, a sequence beyond
    it is refused; otherwise it is cut where the budget ends and the warning says how long the
    rest would have taken. Estimates can be beaten (labels crafted to be slow, a busy server),
    so the clock has the last word: past `CLOCK_SLACK` times the budget, replay stops (or,
    strictly, refuses) there, and its warning replaces the estimate's, so one number is shown.
    """
    learner = Learner(config, dataset)
    steps = list(steps)
    total = len(steps)
    warnings: list[str] = []
    if max_steps is not None and len(steps) > max_steps:
        warnings.append(
            f"The link holds {len(steps)} steps; only the first {max_steps} were replayed."
        )
        steps = steps[:max_steps]
    rest = whole = ""  # how long the steps the estimate cut would take, and all of them
    if budget_s is not None and steps:
        cut, rest, whole = _within_budget(learner, steps, budget_s, strict)
        steps = steps[:cut]
    deadline = None if budget_s is None else time.perf_counter() + CLOCK_SLACK * budget_s
    for number, entry in enumerate(steps, start=1):
        if deadline is not None and time.perf_counter() > deadline:
            if strict:
                raise ValueError(
                    f"rebuilding it took longer than this server allows ({budget_s:g} s)"
                )
            warnings.append(
                f"Replayed the first {number - 1:,} of {total:,} steps: rebuilding took "
                f"longer than this server allows ({budget_s:g} s), so the rest were left out"
                + (f" (all {total:,} would take {whole} here)." if whole else ".")
            )
            rest = ""
            break
        indices, labels, source = entry[0], entry[1], entry[2]
        note = entry[3] if len(entry) > 3 else derived_note(source, learner.classes_seen)
        try:
            learner.teach(indices, labels, source, note)
        except ValueError as exc:
            if strict:
                raise
            later = len(steps) - number
            dropped = f"it and {plural(later, 'later step')} were" if later else "it was"
            warnings.append(
                f"Step {number} of the link does not fit this data ({exc}); {dropped} dropped."
            )
            rest = ""
            break
    if rest:  # the estimate's cut, when the clock did not cut earlier
        warnings.append(
            f"Replayed the first {len(steps):,} of {total:,} steps: the rest would take {rest} "
            "to rebuild here."
        )
    bad = 0
    for i in skipped:
        if strict or (0 <= i < len(learner.dataset) and not learner.labeled_mask[i]):
            learner.skip(i)
        else:
            bad += 1
    if bad:
        warnings.append(
            f"{plural(bad, 'set-aside point')} in the link {'is' if bad == 1 else 'are'} not "
            "in this pool; ignored."
        )
    return Replayed(learner, warnings)


def _within_budget(
    learner: Learner, steps: list[Sequence[Any]], budget_s: float, strict: bool
) -> tuple[int, str, str]:
    """How many leading steps fit in the budget, how long the rest would take, and all of them
    ("" and "" when everything fits)."""
    sizes = [len(entry[0]) if isinstance(entry[0], list | tuple) else 1 for entry in steps]
    dims = cost.learned_dims(learner.config, learner.dataset)
    spent = cost.replay(learner.config, sizes, learner.n_labeled, learner.dataset.n_classes, dims)
    cut = sum(1 for t in spent if t <= budget_s)
    if cut == len(steps):
        return cut, "", ""
    if strict:
        raise ValueError(
            f"rebuilding its {len(steps):,} steps would take {cost.duration(spent[-1])} "
            f"(this server allows {budget_s:g} s)"
        )
    return (
        cut,
        cost.duration(spent[-1] - (spent[cut - 1] if cut else 0.0)),
        cost.duration(spent[-1]),
    )


def replay_dict(
    data: Mapping[str, Any], dataset: Dataset | None = None, budget_s: float | None = None
) -> Learner:
    """`Learner.to_dict()` back to the same run, strictly: a ValueError names what is wrong
    (a run too costly to rebuild within `budget_s` included)."""
    if not isinstance(data, Mapping) or data.get("v") != FORMAT_VERSION:
        raise ValueError(f"not an Ask Next session (expected format version {FORMAT_VERSION})")
    steps, skipped = data.get("steps", []), data.get("skipped", [])
    if not isinstance(steps, list) or not isinstance(skipped, list):
        raise ValueError("the session's steps and skipped points must be lists")
    for entry in steps:
        if not (
            isinstance(entry, list)
            and len(entry) in (3, 4)
            and all(isinstance(v, str) for v in entry[2:])
        ):
            raise ValueError("a step in the session is malformed")
    config = Config.from_dict(data.get("config", {}))
    skipped = whole_numbers(skipped, "skipped points")
    return replay(config, steps, skipped, dataset, budget_s=budget_s).learner


def replay_json(text: str, dataset: Dataset | None = None) -> Learner:
    """`Learner.to_json()` back to the same run; invalid JSON is a ValueError too."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the session is not valid JSON ({exc.msg})") from exc
    return replay_dict(data, dataset)


def plural(n: int, noun: str) -> str:
    """ "1 step", "2 steps"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
