"""Ask Next's headless core: datasets, models, strategies, the learning loop and figures.

Nothing here imports streamlit, so every number a page shows can be computed and tested alone.
"""

from al_core.datasets import DATASETS, DataError, Dataset, load_csv, make_dataset
from al_core.learner import Config, Learner, Step
from al_core.models import MODELS
from al_core.strategies import STRATEGIES

__all__ = [
    "DATASETS",
    "MODELS",
    "STRATEGIES",
    "Config",
    "DataError",
    "Dataset",
    "Learner",
    "Step",
    "load_csv",
    "make_dataset",
]
