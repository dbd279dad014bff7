"""Ask Next's headless core, grouped by what each part is:

- `data`: generators, bundled sets, uploaded CSVs;
- `strategies`: one module per family, one signature `utility(ctx, X)`;
- `loop`: the configuration schema, the learner, replay, metrics;
- `experiments`: many seeds, background jobs, lessons, races;
- `present`: figures, the plane's raster, what a page shows, chart events;
- `formats`: share links, session files, exports;
- `models`, `params`, `threads`, and the `cli` and `bench` commands.

Nothing here imports streamlit, so every number a page shows can be computed and tested alone.
"""

from al_core.data import DATASETS, DataError, Dataset, load_csv, make_dataset
from al_core.loop import Config, Learner, Step
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
