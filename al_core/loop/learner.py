"""The learning loop: a labeled sequence, the model fitted on it, and a history of every step.

A run is fully determined by its Config and the sequence of (indices, labels, source) it was
taught, so it serialises to a compact JSON and rebuilds bit-for-bit: share links, exports and undo
all stand on that. Randomness for step t comes from (seed, t), never from a shared stream.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from al_core.data import Bounds, Dataset, make_dataset
from al_core.loop import scoring
from al_core.loop.carry import carried, carry_weights
from al_core.loop.config import Config
from al_core.loop.steps import (
    COLD_START_NOTE,
    FORMAT_VERSION,
    SOURCES,
    Step,
    derived_note,
    initial_indices,
    whole_numbers,
)
from al_core.models import MODELS, class_proba, clean_input, fit_model
from al_core.strategies import STRATEGIES, Query, QueryContext, query
from al_core.threads import one_thread


class Learner:
    """A run in progress. Mutated by teach/step/undo/reset; everything else is derived."""

    def __init__(self, config: Config | None = None, dataset: Dataset | None = None):
        self.config = (config or Config()).validated()
        c = self.config
        self.dataset = dataset or make_dataset(
            c.dataset, c.n_samples, c.noise, c.seed, c.n_classes, c.imbalance
        )
        self._strategy = STRATEGIES[c.strategy]
        # One model call per step for the next query and the test set, where that is exact.
        self._shares_prediction = (
            self._strategy.reads_proba and MODELS[c.model].rowwise and self.X.shape[1] <= 2
        )
        self._carry: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # grid -> nearest pool points
        # Called with the learner after every recorded step, while its model is held (the
        # stopping meter records its signals there, see `loop.stopping.StopTrace`).
        self.observers: list[Callable[[Learner], None]] = []
        self.reset()

    # ------------------------------------------------------------ state

    def reset(self) -> None:
        """Back to the initial labels; the history is cleared."""
        self.labeled: list[int] = []
        self.labels: list[int] = []
        self.steps: list[Step] = []
        self.skipped: set[int] = set()
        self._version = 0
        self._models: dict[int, Any] = {}
        self._cache: dict[str, Any] = {}
        start = initial_indices(
            self.dataset.y, self.config.initial, self.config.seed, self.dataset.n_classes
        )
        truth = self.dataset.y
        self._record(start, truth[start] if truth is not None else np.array([], int), "initial")

    @property
    def n_labeled(self) -> int:
        """Labels the model learns from (initial ones included)."""
        return len(self.labeled)

    @property
    def step_number(self) -> int:
        """The latest step; 0 is the initial labels."""
        return len(self.steps) - 1

    @property
    def labeled_mask(self) -> np.ndarray:
        """One bool per pool point: labeled or not."""
        mask = np.zeros(len(self.dataset), bool)
        mask[self.labeled] = True
        return mask

    @property
    def candidates(self) -> np.ndarray:
        """Unlabeled pool points that were not set aside."""
        mask = ~self.labeled_mask
        if self.skipped:
            mask[list(self.skipped)] = False
        return np.flatnonzero(mask)

    @property
    def classes_seen(self) -> int:
        """Distinct classes among the labels: under two, no model can be trained."""
        return len(set(self.labels))

    @property
    def X(self) -> np.ndarray:
        """The pool as the model sees it: the 2-D view, or all features (`Config.learn_in`)."""
        return self.dataset.inputs(self.config.learn_in)[0]

    @property
    def exact_plane(self) -> bool:
        """True when the model learns in the plane drawn, so its boundary there is exact."""
        return self.X is self.dataset.X

    @property
    def model(self) -> Any:
        """The model fitted on the current labels."""
        return self.model_at(self.step_number)

    # ------------------------------------------------------------ operations

    def suggest(self, k: int | None = None) -> Query:
        """The next batch the strategy wants labeled, ranked; the same answer until the state changes."""
        k = self.config.batch_size if k is None else int(k)
        key = ("suggest", self._version, k)
        if key not in self._cache:
            self._cache = {k_: v for k_, v in self._cache.items() if k_[1] == self._version}
            self._cache[key] = self._suggest(k)
        return self._cache[key]

    def _suggest(self, k: int) -> Query:
        candidates = self.candidates
        if len(candidates) == 0:
            raise ValueError("every point in the pool is labeled or set aside: nothing left to ask")
        # A copy with the step's own stream: the cached context (and its committee) stays the same
        # whichever of suggest() and utility_grid() runs first.
        ctx = replace(self.context(), rng=self._rng("select"))
        if self.classes_seen < 2:
            q = query(STRATEGIES["random"], ctx, candidates, k)
            return replace(q, note=COLD_START_NOTE, random_picks=np.ones(len(q.indices), bool))
        with one_thread():
            utility, inputs = self.pool_utility(), self._candidate_inputs()
            return query(
                self._strategy, ctx, candidates, k, self.config.random_mix, utility, inputs
            )

    def pool_utility(self) -> np.ndarray:
        """The strategy's utility for every candidate, computed once per state (any batch size,
        the "why this point?" table and the UI share it); drawn from its own random stream."""
        key = ("pool_utility", self._version)
        if key not in self._cache:
            ctx = replace(self.context(), rng=self._rng("utility"))
            X = self._candidate_inputs()
            with one_thread(), clean_input():
                self._cache[key] = np.asarray(self._strategy.utility(ctx, X), dtype=float)
        return self._cache[key]

    def teach(self, indices, labels, source: str = "you", note: str = "") -> Step:
        """Add labels for pool points; the model refits and the test metrics are recorded."""
        idx = whole_numbers(indices, "point indices")
        lab = whole_numbers(labels, "labels")
        if len(idx) == 0:
            raise ValueError("nothing to teach: no points were given")
        if len(idx) != len(lab):
            raise ValueError(f"{len(idx)} points but {len(lab)} labels")
        if idx.min() < 0 or idx.max() >= len(self.dataset):
            raise ValueError(f"point index out of range (the pool has {len(self.dataset)} points)")
        if len(np.unique(idx)) != len(idx):
            raise ValueError("the same point appears twice in one batch")
        if self.labeled_mask[idx].any():
            raise ValueError(f"point {int(idx[self.labeled_mask[idx]][0])} is already labeled")
        if lab.min() < 0 or lab.max() >= self.dataset.n_classes:
            raise ValueError(f"labels must be class numbers 0 to {self.dataset.n_classes - 1}")
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r} (accepted: {', '.join(SOURCES)})")
        self.skipped.difference_update(idx.tolist())
        return self._record(idx, lab, source, note)

    def step(self, k: int | None = None) -> Step:
        """Ask the strategy, answer with the simulated oracle (exact, or noisy), and learn."""
        if self.dataset.y is None:
            raise ValueError("this dataset has no ground truth: a person has to label it")
        q = self.suggest(k)
        labels = self.dataset.y[q.indices].copy()
        source = "oracle"
        if self.config.oracle_noise > 0:
            rng = self._rng("oracle")
            flip = rng.random(len(labels)) < self.config.oracle_noise
            shift = rng.integers(1, self.dataset.n_classes, size=len(labels))
            labels = np.where(flip, (labels + shift) % self.dataset.n_classes, labels)
            source = "noisy oracle"
        return self.teach(q.indices, labels, source, q.note)

    def advance(self, goal: int, deadline: float | None = None) -> bool:
        """Step until `goal` labels are held (the last batch trimmed to fit), the pool runs out,
        or `time.perf_counter()` passes `deadline`; True when the goal was reached.

        Every "step until n" in the app goes through here: many seeds, lessons, the random
        baseline beside the live curve, Step ×10 and the races.
        """
        while self.n_labeled < goal and len(self.candidates):
            self.step(min(self.config.batch_size, goal - self.n_labeled))
            if deadline is not None and time.perf_counter() > deadline:
                break
        return self.n_labeled >= goal

    @property
    def start_step(self) -> int:
        """The last step of the run's start: step 0, or the last of the leading steps taught as
        "initial" (a lesson's own start). Undo and restart never go below it."""
        start = 0
        while start + 1 < len(self.steps) and self.steps[start + 1].source == "initial":
            start += 1
        return start

    def restart(self) -> int:
        """Back to the start, a lesson's own start included (`reset` would drop it); returns how
        many steps were taken back. Set-aside points come back too."""
        self.skipped.clear()
        self._version += 1
        return self.undo(self.step_number - self.start_step)

    def undo(self, n: int = 1) -> int:
        """Take back the last n steps (never the start); returns how many were undone."""
        n = max(0, min(int(n), self.step_number - self.start_step))
        if n:
            del self.steps[-n:]
            keep = self.steps[-1].n_labeled
            del self.labeled[keep:], self.labels[keep:]
            self._models = {s: m for s, m in self._models.items() if s <= self.step_number}
            self._version += 1
        return n

    def skip(self, index: int) -> None:
        """Set a point aside: it is never suggested until reset, unless someone labels it."""
        i = int(index)
        if not 0 <= i < len(self.dataset):
            raise ValueError(f"point index out of range (the pool has {len(self.dataset)} points)")
        self.skipped.add(i)
        self._version += 1

    # ------------------------------------------------------------ derived views

    def model_at(self, step: int) -> Any:
        """The model as it was right after `step` (refitted from the labeled prefix if needed)."""
        step = self._step_index(step)
        if step not in self._models:
            n = self.steps[step].n_labeled
            model = self._fit(np.array(self.labeled[:n], int), np.array(self.labels[:n], int))
            self._models[step] = model
            self._trim_models(keep=step)
        return self._models[step]

    def _trim_models(self, keep: int) -> None:
        """Hold the current model, `keep` and a few recent ones: a long run must not hoard fits."""
        if len(self._models) > 4:
            spare = sorted(s for s in self._models if s not in (self.step_number, keep))
            for old in spare[:-2]:
                del self._models[old]

    def proba(self, X: np.ndarray, step: int | None = None) -> np.ndarray:
        """Class probabilities for X (in the space the model learns in) after `step` (default:
        now)."""
        model = self.model_at(self.step_number if step is None else step)
        return class_proba(model, X, self.dataset.n_classes)

    def pool_proba(self, indices: Any = None, step: int | None = None) -> np.ndarray:
        """Class probabilities for pool points (all of them by default, cached per state: the
        carried-over background and the points' colours share it) after `step`."""
        if indices is not None:
            return self.proba(self.X[np.asarray(indices, int)], step)
        step = self._step_index(self.step_number if step is None else step)
        key = ("pool_proba", self._version, step)
        if key not in self._cache:
            shared = self._shared_pool_proba() if step == self.step_number else None
            self._cache[key] = self.proba(self.X, step) if shared is None else shared
        return self._cache[key]

    def _shared_pool_proba(self) -> np.ndarray | None:
        """The current pool probabilities from the Step's own prediction of the candidates, plus
        one small call for the labeled and set-aside rest; None when the Step shared none. The
        same bits as one call on the pool (the models that share predict row by row), and the
        plane and the stopping meter no longer predict the whole pool once more per Step."""
        known = self._cache.get(("candidate_proba", self._version))
        if known is None or known[0] is not self._candidate_inputs():
            return None
        cand, cand_proba = self.candidates, known[1]
        out = np.empty((len(self.X), cand_proba.shape[1]), dtype=cand_proba.dtype)
        out[cand] = cand_proba
        others = np.ones(len(self.X), bool)
        others[cand] = False
        rest = np.flatnonzero(others)  # the labeled and the set-aside points
        if len(rest):
            out[rest] = self.proba(self.X[rest])
        return out

    def proba_grid(self, resolution: int = 100, step: int | None = None) -> np.ndarray:
        """Class probabilities over the plot bounds, shape (resolution, resolution, K), float32.

        In all features the plane is only a view: each grid cell takes the mean prediction of
        its nearest pool points on the map, an approximation the page labels as one."""
        step = self._step_index(self.step_number if step is None else step)
        key = ("grid", self._version, step, resolution)
        if key not in self._cache:
            self._cache[key] = self.plane_proba(resolution, step)
        return self._cache[key]

    def plane_proba(self, resolution: int, step: int) -> np.ndarray:
        """`proba_grid` without its cache (a GIF draws every step once)."""
        if self.exact_plane:
            _, _, pts = self.bounds.grid(resolution)
            p = self.proba(pts, step).astype(np.float32)
        else:
            if resolution not in self._carry:
                self._carry[resolution] = carry_weights(self.dataset.X, self.bounds, resolution)
            p = carried(*self._carry[resolution], self.pool_proba(step=step))
        return p.reshape(resolution, resolution, -1)

    def utility_grid(self, resolution: int = 100) -> np.ndarray | None:
        """The current strategy's utility over the plane, or None where it cannot be drawn (in
        all features a grid cell is no point the strategy could score)."""
        if not self._strategy.surface or self.classes_seen < 2 or not self.exact_plane:
            return None
        key = ("utility", self._version, resolution)
        if key not in self._cache:
            _, _, pts = self.bounds.grid(resolution)
            with one_thread():
                u = self._strategy.utility(self.context(), pts.astype(float))
            self._cache[key] = u.astype(np.float32).reshape(resolution, resolution)
        return self._cache[key]

    def context(self) -> QueryContext:
        """The strategy's view of the current state; cached so pool and grid share one committee."""
        key = ("context", self._version)
        if key not in self._cache:
            idx = np.array(self.labeled, int)
            X = self.X
            c = self.config
            committee_seed = int(self._rng("committee").integers(2**31 - 1))

            def fit(Xf: np.ndarray, yf: np.ndarray) -> Any:
                return fit_model(c.model, c.model_params, Xf, yf, c.seed, self.dataset.n_classes)

            ctx = QueryContext(
                model=self.model,
                X_labeled=X[idx],
                y_labeled=np.array(self.labels, int),
                X_pool=X,
                n_classes=self.dataset.n_classes,
                rng=np.random.default_rng(committee_seed),
                fit=fit,
                params=c.strategy_params,
                committee_rng=np.random.default_rng(committee_seed),
                known=self._cache.get(("candidate_proba", self._version)),
            )
            self._cache[key] = ctx
        return self._cache[key]

    @property
    def bounds(self) -> Bounds:
        """The plot's fixed bounds (the dataset's)."""
        return self.dataset.bounds

    def curve(self, metric: str = "accuracy") -> tuple[np.ndarray, np.ndarray]:
        """(labels, metric) after every step, for the learning curve."""
        n = np.array([s.n_labeled for s in self.steps])
        return n, np.array([s.metrics.get(metric, np.nan) for s in self.steps])

    def disagreements(self) -> np.ndarray:
        """Labeled points whose given label differs from the ground truth (none without truth)."""
        if self.dataset.y is None or not self.labeled:
            return np.array([], int)
        idx = np.array(self.labeled)
        return idx[self.dataset.y[idx] != np.array(self.labels)]

    # ------------------------------------------------------------ serialisation

    def to_dict(self) -> dict[str, Any]:
        """Config plus every step after the initial one: enough to rebuild the run exactly.

        A step's note is stored only when the rebuild could not derive it (see `derived_note`),
        so share links stay short.
        """
        steps, seen = [], set(self.steps[0].labels)
        for s in self.steps[1:]:
            entry: list[Any] = [list(s.queried), list(s.labels), s.source]
            if s.note != derived_note(s.source, len(seen)):
                entry.append(s.note)
            steps.append(entry)
            seen.update(s.labels)
        return {
            "v": FORMAT_VERSION,
            "config": self.config.to_dict(),
            "steps": steps,
            **({"skipped": sorted(self.skipped)} if self.skipped else {}),
        }

    def to_json(self) -> str:
        """`to_dict()` as compact JSON: what share links, sessions and undo stand on."""
        return json.dumps(self.to_dict(), separators=(",", ":"))

    # ------------------------------------------------------------ internals

    def _record(self, idx: np.ndarray, labels: np.ndarray, source: str, note: str = "") -> Step:
        self.labeled.extend(int(i) for i in idx)
        self.labels.extend(int(v) for v in labels)
        self._version += 1
        number = len(self.steps)
        model = self._fit(np.array(self.labeled, int), np.array(self.labels, int))
        self._models[number] = model
        ahead = self._candidate_inputs() if self._shares_prediction else None
        metrics, proba = scoring.score_and_predict(model, self.dataset, self.config.learn_in, ahead)
        if proba is not None:  # the next query's probabilities, from the same prediction
            self._cache[("candidate_proba", self._version)] = (ahead, proba)
        step = Step(
            number,
            tuple(int(i) for i in idx),
            tuple(int(v) for v in labels),
            source,
            self.n_labeled,
            metrics,
            note,
        )
        self.steps.append(step)
        for observe in self.observers:
            observe(self)
        self._trim_models(keep=number)
        return step

    def _candidate_inputs(self) -> np.ndarray:
        """The candidates' inputs, one array per state: the strategy's `ctx.proba` knows it by
        identity when it was predicted with the test set."""
        key = ("candidate_inputs", self._version)
        if key not in self._cache:
            self._cache[key] = self.X[self.candidates]
        return self._cache[key]

    def _fit(self, idx: np.ndarray, labels: np.ndarray) -> Any:
        return scoring.fit(self.config, self.dataset, idx, labels)

    def _rng(self, purpose: str) -> np.random.Generator:
        tag = {"select": 1, "oracle": 2, "committee": 3, "utility": 4}[purpose]
        return np.random.default_rng([self.config.seed, self.step_number, tag])

    def _step_index(self, step: int) -> int:
        if not 0 <= step <= self.step_number:
            raise ValueError(f"step {step} does not exist (0 to {self.step_number})")
        return step
