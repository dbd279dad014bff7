"""The one table of a run's settings: every Config field with its type, default, range, share-link
key, CLI option, sidebar label and help.

`Config.validated()` refuses what this table does not accept, share links clamp to it, the CLI
builds its options from it and the sidebar its widgets, so a setting is described once and a bad
value gets the same words wherever it comes from (`params.Param`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from al_core.data import CLASS_RANGE, DATASETS, MAX_ROWS, dataset_label
from al_core.models import MODELS
from al_core.params import Param
from al_core.strategies import STRATEGIES

UPLOAD = "upload"  # Config.dataset of a run on an uploaded CSV
LEARN_IN = {"view": "the 2-D view", "all": "all features"}
ALL_FEATURES_FIRST = ("digits",)  # data whose 2-D view throws most of the signal away


def _classes(values: Mapping[str, Any]) -> tuple[float, float] | None:
    """The class range of a dataset that has one; None for fixed data (Config says why)."""
    return CLASS_RANGE.get(values.get("dataset"))


FIELDS: tuple[Param, ...] = (
    Param(
        "dataset",
        "Dataset",
        "moons",
        kind=str,
        url="ds",
        flag="--dataset",
        choices=lambda: [*DATASETS, UPLOAD],
        display=dataset_label,
        help="The data to learn: a generator or a bundled set (in the app, also your CSV).",
    ),
    Param(
        "n_samples",
        "Samples",
        600,
        20,
        MAX_ROWS,
        url="n",
        flag="--n-samples",
        step=100,
        help="Points in the pool (generated datasets). The held-out test set is drawn separately.",
    ),
    Param(
        "noise",
        "Noise",
        0.25,
        0.0,
        2.0,
        url="noise",
        flag="--noise",
        step=0.05,
        help="How much the generated classes overlap.",
    ),
    Param(
        "seed",
        "Seed",
        42,
        0,
        2**32 - 1,
        url="seed",
        flag="--seed",
        step=1,
        help="Every run is reproducible from its seed: data, initial labels and every choice.",
    ),
    Param(
        "n_classes",
        "Classes",
        None,
        kind=int,
        optional=True,
        span=_classes,
        url="classes",
        flag="--n-classes",
        step=1,
        help="Classes, for blobs, spirals and Gaussian quantiles.",
    ),
    Param(
        "imbalance",
        "Class imbalance",
        0.0,
        0.0,
        0.95,
        url="imb",
        flag="--imbalance",
        step=0.05,
        help="0 = balanced; higher values make each class rarer than the one before.",
    ),
    Param(
        "initial",
        "Initial labels",
        60,
        0,
        MAX_ROWS,
        url="init",
        flag="--initial",
        step=1,
        help="Labeled at the start, stratified by class. 0 or 2 per class is a cold start.",
    ),
    Param(
        "learn_in",
        "Model learns in",
        "view",
        kind=str,
        url="learn",
        flag="--learn-in",
        choices=lambda: list(LEARN_IN),
        display=LEARN_IN.get,
        noun="learning space",
        help="The 2-D view: the boundary drawn is exactly the model's. All features: the model "
        "sees every feature, the map shows its predictions and the background is an "
        "approximation. Only for data with more than two features.",
    ),
    Param(
        "model",
        "Model",
        "logreg",
        kind=str,
        url="model",
        flag="--model",
        choices=lambda: list(MODELS),
        display=lambda name: MODELS[name].label,
        help="The classifier that learns from the labels.",
    ),
    Param(
        "strategy",
        "Strategy",
        "least_confident",
        kind=str,
        url="strat",
        flag="--strategy",
        choices=lambda: list(STRATEGIES),
        display=lambda name: STRATEGIES[name].label,
        help="How the next point to ask about is chosen.",
    ),
    Param(
        "batch_size",
        "Batch size",
        1,
        1,
        100,
        url="batch",
        flag="--batch-size",
        step=1,
        help="Points asked per step.",
    ),
    Param(
        "random_mix",
        "Random mix",
        0.0,
        0.0,
        1.0,
        url="mix",
        flag="--random-mix",
        step=0.05,
        help="Share of each batch drawn at random (epsilon).",
    ),
    Param(
        "oracle_noise",
        "Oracle noise",
        0.0,
        0.0,
        0.5,
        url="onoise",
        flag="--oracle-noise",
        step=0.05,
        help="The simulated oracle flips a label with this probability.",
    ),
)
FIELD: dict[str, Param] = {f.name: f for f in FIELDS}
PARAM_FIELDS = ("model_params", "strategy_params")  # hyperparameters: see models and strategies


def hyperparameters(kind: str, name: str) -> tuple[Param, ...]:
    """The Params of a model ("model") or a strategy ("strategy") by its name."""
    registry = MODELS if kind == "model" else STRATEGIES
    return registry[name].params
