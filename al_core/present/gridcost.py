"""How fine a probability grid each model can afford, so the UI never stalls on a slow model.

The seconds below are measured figures, not guesses: `python -m al_core bench` prints them
(figure 4, "grid cost") for the 200×200 grid with 160 labels, on the 2-core development machine.
The cost of a grid grows with its number of points, so a resolution r costs about
seconds_200 × (r / 200)². A model missing from the table falls back to its `grid_cost` (relative
to logistic regression) times the logistic regression figure.
"""

from __future__ import annotations

from collections.abc import Mapping

from al_core.models import MODELS

RESOLUTIONS = (200, 150, 100, 70)

# Seconds for the 200×200 grid (40,000 points), 160 labels, default parameters. Update from
# `python -m al_core bench` when models or machines change.
GRID_SECONDS_200: dict[str, float] = {  # measured on the 2-core dev VM, rounded up
    "logreg": 0.001,
    "svm_rbf": 0.05,  # grows with the support vectors, so with the labels
    "svm_linear": 0.035,
    "knn": 0.05,
    "tree": 0.001,
    "forest": 0.03,
    "gboost": 0.01,
    "mlp": 0.002,
    "gp": 0.25,  # grows with the labels: 40,000 × n kernel
    "naive_bayes": 0.004,
}


def grid_seconds(
    model_name: str, resolution: int = 200, measured: Mapping[str, float] | None = None
) -> float:
    """Estimated seconds for a resolution×resolution probability grid of this model."""
    if model_name not in MODELS:
        raise ValueError(f"unknown model {model_name!r} (accepted: {', '.join(MODELS)})")
    table = {**GRID_SECONDS_200, **(measured or {})}
    base = table.get(model_name)
    if base is None:
        base = MODELS[model_name].grid_cost * table["logreg"]
    return base * (resolution / 200) ** 2


def grid_resolution(
    model_name: str, budget_s: float = 0.15, measured: Mapping[str, float] | None = None
) -> int:
    """The finest of 200/150/100/70 whose grid fits in `budget_s` seconds (70 at the least)."""
    for res in RESOLUTIONS:
        if grid_seconds(model_name, res, measured) <= budget_s:
            return res
    return RESOLUTIONS[-1]
