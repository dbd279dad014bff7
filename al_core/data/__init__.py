"""Data: the synthetic generators, the bundled sets (PCA projections) and uploaded CSVs."""

from al_core.data.catalog import (
    CLASS_RANGE,
    DATASETS,
    DatasetSpec,
    class_range,
    dataset_label,
    make_dataset,
    test_size,
)
from al_core.data.csv_upload import MAX_COLUMNS, csv_columns, from_dataframe, load_csv
from al_core.data.dataset import MAX_ROWS, TEST_SHARE, Bounds, DataError, Dataset, Items
from al_core.data.generators import class_counts

__all__ = [
    "CLASS_RANGE",
    "DATASETS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "TEST_SHARE",
    "Bounds",
    "DataError",
    "Dataset",
    "DatasetSpec",
    "Items",
    "class_counts",
    "class_range",
    "csv_columns",
    "dataset_label",
    "from_dataframe",
    "load_csv",
    "make_dataset",
    "test_size",
]
