"""A run's configuration: the dataclass, its validation (by the one table, `loop.schema`), its
compact JSON form, and the presets the pages offer (the cold start)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from al_core.data import CLASS_RANGE, DATASETS
from al_core.loop.schema import FIELD, FIELDS, hyperparameters
from al_core.models import model_params
from al_core.params import Param, resolve
from al_core.strategies import strategy_params

# Models that draw one straight boundary: from a cold start they cannot show a saving.
STRAIGHT_MODELS = ("logreg", "svm_linear")
COLD_MODEL = "svm_rbf"


@dataclass(frozen=True)
class Config:
    """Everything that defines a run. The defaults are the scenario every user sees first."""

    dataset: str = "moons"
    n_samples: int = 600
    noise: float = 0.25
    seed: int = 42
    initial: int = 60
    model: str = "logreg"
    strategy: str = "least_confident"
    batch_size: int = 1
    n_classes: int | None = None
    imbalance: float = 0.0
    random_mix: float = 0.0
    oracle_noise: float = 0.0
    learn_in: str = "view"
    model_params: dict[str, Any] = field(default_factory=dict)
    strategy_params: dict[str, Any] = field(default_factory=dict)

    def validated(self) -> Config:
        """Check every field against the schema; a ValueError names the setting and what it
        accepts. Values from JSON or URLs arrive untyped, so they are coerced here rather than
        failing later with a TypeError deep inside a model."""
        values = asdict(self)
        coerced = {f.name: _checked(f, values) for f in FIELDS}
        spec = DATASETS.get(coerced["dataset"])
        k = coerced["n_classes"]
        if (
            spec is not None
            and spec.name not in CLASS_RANGE
            and k not in (None, spec.default_classes)
        ):
            raise ValueError(
                f"n_classes: {spec.label} has a fixed number of classes "
                f"({spec.default_classes}), not {k}"
            )
        for name in ("model_params", "strategy_params"):
            if not isinstance(values[name], Mapping):
                raise ValueError(f"{name} is not a set of parameters (accepted: name: value pairs)")
        kind = {"model_params": "model", "strategy_params": "strategy"}
        params = {
            name: resolve(hyperparameters(kind[name], coerced[kind[name]]), values[name])
            for name in kind
        }
        return replace(self, **coerced, **params)

    def to_dict(self, compact: bool = True) -> dict[str, Any]:
        """Fields as plain JSON values; compact drops those at their default (short share links)."""
        out = asdict(self)
        if not compact:
            return out
        defaults = {
            "model_params": model_params(self.model),
            "strategy_params": strategy_params(self.strategy),
        }
        for key in list(out):
            if key in defaults:
                out[key] = {k: v for k, v in out[key].items() if defaults[key].get(k) != v}
                if not out[key]:
                    del out[key]
            elif out[key] == FIELD[key].default:
                del out[key]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Config:
        """A validated Config from its JSON form; unknown fields are refused, not dropped."""
        if not isinstance(data, Mapping):
            raise ValueError("the config must be an object of field: value pairs")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known, key=str)
        if unknown:
            raise ValueError(
                f"unknown config field {str(unknown[0])!r} (accepted: {', '.join(sorted(known))})"
            )
        return cls(**data).validated()


def _checked(f: Param, values: dict[str, Any]) -> Any:
    """One field checked by the schema; the error starts with the field's name, as a session
    file or code spells it, then the schema's words ("n_samples: Samples 5 is out of range …")."""
    try:
        return f.check(values[f.name], values)
    except ValueError as exc:
        raise ValueError(f"{f.name}: {exc}") from None


def cold_start(config: Config, n_classes: int) -> Config:
    """The start where active learning shows its savings: 2 labels per class, and a model that
    can bend (a straight-line model becomes an RBF SVM). One rule for every page that offers it."""
    changes: dict[str, Any] = {"initial": 2 * n_classes}
    if config.model in STRAIGHT_MODELS:
        changes.update(model=COLD_MODEL, model_params={})
    return replace(config, **changes)


def is_cold(config: Config, n_classes: int) -> bool:
    """True when the config already starts cold with a flexible model."""
    return config.initial <= 2 * n_classes and config.model not in STRAIGHT_MODELS


def initial_that_fits(config: Config, dataset: Any = None) -> tuple[Config, str]:
    """The initial labels, cut to what the pool can start with (a start must leave a
    point of every class to ask about), with the words that say so."""
    from al_core.data import make_dataset

    c = config
    ds = dataset or make_dataset(c.dataset, c.n_samples, c.noise, c.seed, c.n_classes, c.imbalance)
    most = max(len(ds) - ds.n_classes, 0)
    if c.initial <= most:
        return config, ""
    return replace(config, initial=most), (
        f"Initial labels {c.initial} is more than this pool of {len(ds):,} points can start "
        f"with; using {most}."
    )
