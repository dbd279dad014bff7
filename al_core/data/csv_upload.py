"""An uploaded CSV as a Dataset: numeric features, an optional label column, clear messages.

An upload is untrusted input and the page shows the message as it is, so `DataError` is the
only exception that leaves `load_csv`, and no message quotes a Python exception.
"""

from __future__ import annotations

import numpy as np

from al_core.data import text_csv
from al_core.data.dataset import MAX_ROWS, DataError, Dataset, fixed_dataset, project

MAX_COLUMNS = 50

LABEL_COLUMNS = ("label", "class", "target", "y")  # in order of preference
MAX_ABS_VALUE = 1e12  # the plot grid is float32 and distances square the values
_SEPARATORS = (",", ";", "\t")  # on a tie the comma wins


def load_csv(data: bytes, name: str = "upload", label_column: str | None = "auto") -> Dataset:
    """Parse an uploaded CSV into a Dataset, or raise DataError saying how to fix the file.

    An upload is untrusted input and the page shows the message as it is, so DataError is the
    only exception that leaves this function, and no message quotes a Python exception.
    """
    import io

    import pandas as pd

    text = _csv_text(data)
    header = next((line for line in text.splitlines() if line.strip()), "")
    sep = max(_SEPARATORS, key=header.count)
    _check_header(_split_header(header, sep))
    try:
        # Only an empty cell is missing: "NA", "null" or "None" may be a class's name (a feature
        # holding them is still read as missing, in `from_dataframe`).
        df = pd.read_csv(
            io.StringIO(text), sep=sep, nrows=MAX_ROWS + 1, keep_default_na=False, na_values=[""]
        )
    except pd.errors.EmptyDataError:
        raise DataError(_EMPTY) from None
    except Exception as exc:  # pandas raises many types on malformed text; none may escape
        raise DataError(_parse_problem(str(exc))) from None
    if _rows_longer_than_header(text, sep, df.shape[1]):
        # pandas took the first column as the row index: shift it back; the extra last value
        # may only be empty (a trailing separator on every row).
        shifted = pd.concat(
            [df.index.to_series().reset_index(drop=True), df.reset_index(drop=True)], axis=1
        )
        if shifted.iloc[:, -1].notna().any():
            raise DataError(
                "The rows have more values than the header has column names. Give every column "
                "a name in the header (or remove the extra values) and upload again."
            )
        df = shifted.iloc[:, :-1].set_axis(list(df.columns), axis=1)
    # Trailing separators (a common spreadsheet export) give unnamed, entirely empty columns.
    empty = [c for c in df.columns if str(c).startswith("Unnamed: ") and df[c].isna().all()]
    return from_dataframe(df.drop(columns=empty), name=name, label_column=label_column)


_EMPTY = "The file is empty. Upload a CSV with a header row and numeric columns."


def _csv_text(data: bytes) -> str:
    """The file as text, with a specific message for the usual wrong files (workbooks, images)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data or not data.strip():
        raise DataError(_EMPTY)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # xlsx/ods (zip), legacy xls
        raise DataError(
            "This is a spreadsheet workbook, not a CSV. Save it with File › Save As › "
            "'CSV UTF-8 (comma delimited)' and upload that file."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(
            "The file is UTF-16 text. Save it as 'CSV UTF-8 (comma delimited)' and upload it again."
        )
    if b"\x00" in data[:8192]:
        raise DataError(
            "This is a binary file (an image or a program?), not CSV text. Upload a "
            "comma-separated text file with a header row."
        )
    try:
        return data.decode("utf-8-sig").lstrip("\ufeff")  # a file saved twice has two BOMs
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            f"The file is not UTF-8 text (the first unreadable character is on line {line}). "
            "Save it as 'CSV UTF-8' and upload it again."
        ) from None


def _split_header(header: str, sep: str) -> list[str]:
    import csv

    try:
        return [h.strip() for h in next(csv.reader([header], delimiter=sep), [])]
    except csv.Error:
        return [h.strip().strip('"') for h in header.split(sep)]


def _rows_longer_than_header(text: str, sep: str, n_columns: int) -> bool:
    """True when the first data row has one value more than the header names (pandas then
    quietly uses the first column as the row index)."""
    import csv

    lines = (line for line in text.splitlines() if line.strip())
    next(lines, None)
    try:
        first = next(csv.reader([next(lines, "")], delimiter=sep), [])
    except csv.Error:
        return False
    return len(first) == n_columns + 1


def _check_header(names: list[str]) -> None:
    # Far too many columns is refused before any other work (a 17 MB header of two million
    # names must not cost more than reading it).
    if len(names) > MAX_COLUMNS + 1:
        raise DataError(
            f"The header names {len(names):,} columns; at most {MAX_COLUMNS} features (and a "
            "label column) are supported. Remove some columns and upload again."
        )
    numbers = [n for n in names if _is_number(n)]
    # Column names like 0..63 (pixels) are fine; decimals, signs or repeats mean a data row.
    if len(numbers) >= max(2, len(names) - 1) and (
        len(set(numbers)) < len(numbers) or not all(n.isdigit() for n in numbers)
    ):
        raise DataError(
            "The first row holds numbers, not column names. Add a header row that names every "
            "column (for example x,y,label) and upload again."
        )
    from collections import Counter

    dupes = sorted(n for n, k in Counter(n for n in names if n).items() if k > 1)
    if dupes:
        raise DataError(
            f"The header names '{dupes[0]}' more than once. Give every column a unique name."
        )


def _parse_problem(message: str) -> str:
    """A pandas parser message rewritten for a person: where the problem is and what to do."""
    import re

    if m := re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message):
        want, line, got = m.groups()
        return (
            f"Line {line} has {got} values but the header names {want} "
            f"{'column' if want == '1' else 'columns'}. Give every row one value per column and "
            "upload again."
        )
    if m := re.search(r"EOF inside string starting at row (\d+)", message):
        return (
            f'A quote (") opened on line {int(m.group(1)) + 1} is never closed. Close or remove '
            "it and upload again."
        )
    if "EOF inside string" in message:
        return 'A quote (") is never closed. Close or remove it and upload again.'
    return (
        "This file cannot be read as a CSV. Check that it is plain text with one row per line "
        "and the same separator (comma or semicolon) everywhere."
    )


def from_dataframe(df, name: str = "upload", label_column: str | None = "auto") -> Dataset:
    """Numeric feature columns plus an optional label column, validated with clear messages.

    More than two features are projected to 2-D with PCA; the model then learns in that
    projection, so the boundary drawn is exactly the one it uses.
    """
    if df is None or df.shape[0] == 0:
        raise DataError("The file has a header but no rows. Add at least 20 rows of data.")
    cols = [str(c) for c in df.columns]
    if len(set(cols)) != len(cols):
        raise DataError("Two columns share a name. Give every column a unique name.")
    df = df.set_axis(cols, axis=1)
    if len(df) > MAX_ROWS:
        raise DataError(
            f"The file has more than {MAX_ROWS:,} rows. Sample it down and upload again."
        )
    if df.shape[1] > MAX_COLUMNS + 1:
        raise DataError(
            f"The file has {df.shape[1]} columns; at most {MAX_COLUMNS} features are supported. "
            "Remove some columns and upload again."
        )
    text_column = text_csv.named_text_column(cols)
    if label_column == "auto":
        label_column = _guess_label_column(df)
    elif label_column is not None and label_column not in cols:
        raise DataError(
            f"There is no column named '{label_column}'. Pick one of: {', '.join(cols[:12])}."
        )
    features = [c for c in cols if c != label_column]
    if text_column is None and len(features) == 1 and text_csv.looks_like_text(df[features[0]]):
        text_column = features[0]
    if text_column is not None and text_column != label_column:
        return _from_texts(df, text_column, label_column, name)
    if len(features) > MAX_COLUMNS:  # without a label column the check above lets one more in
        raise DataError(
            f"The file has {len(features)} feature columns; at most {MAX_COLUMNS} are supported. "
            "Remove some columns and upload again."
        )
    df = df.assign(**{c: _missing_as_nan(df[c]) for c in features if not _is_numeric(df[c])})
    non_numeric = [c for c in features if not _is_numeric(df[c])]
    if non_numeric:
        raise DataError(_non_numeric_message(df, non_numeric))
    if len(features) < 2:
        found = f"Only one feature column ('{features[0]}')" if features else "No feature column"
        raise DataError(
            f"{found} was found. Ask Next needs at least two numeric feature columns besides "
            "the label."
        )
    X = df[features].to_numpy(dtype=float)
    missing = ~np.isfinite(X)
    if missing.any():
        row, col = np.argwhere(missing)[0]
        kind = "a missing" if np.isnan(X[row, col]) else "an infinite"
        n_rows = int(missing.any(axis=1).sum())
        raise DataError(
            f"Column '{features[col]}' has {kind} value in row {row + 2} of the file "
            f"({n_rows} {'row' if n_rows == 1 else 'rows'} affected). Fill in or drop those rows "
            "and upload again."
        )
    if len(X) < 20:
        rows_ = "row" if len(X) == 1 else "rows"
        raise DataError(
            f"The file has {len(X)} {rows_} of data; Ask Next needs at least 20. Add rows and "
            "upload again."
        )
    big = np.abs(X).max(axis=0)
    if big.max() > MAX_ABS_VALUE:
        col = int(big.argmax())
        raise DataError(
            f"Column '{features[col]}' holds values as large as {big[col]:.3g}; values must stay "
            f"within ±{MAX_ABS_VALUE:.0e}. Rescale the column (say, to thousands) and upload again."
        )
    projected = len(features) > 2
    X2 = project(X) if projected else X
    fnames = ("PC 1", "PC 2") if projected else (features[0], features[1])
    rows = np.arange(len(X2))
    if label_column is None:
        return fixed_dataset(name, X2, None, (), 0, projected, fnames, rows)
    y, names = _labels(df, label_column)
    return fixed_dataset(name, X2, y, names, 0, projected, fnames, rows)


def _from_texts(df, text_column: str, label_column: str | None, name: str) -> Dataset:
    """A CSV whose feature is a column of texts (other columns besides the label are ignored)."""
    texts = text_csv.texts_of(df[text_column], text_column)
    if len(texts) < 20:
        raise DataError(
            f"The file has {len(texts)} texts; Ask Next needs at least 20. Add rows and upload "
            "again."
        )
    if label_column is None:
        return text_csv.text_dataset(name, texts, None, ())
    y, names = _labels(df, label_column)
    return text_csv.text_dataset(name, texts, y, names)


def _labels(df, label_column: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """The label column as class numbers and names, or a DataError saying what to fix."""
    values = df[label_column].astype(str).str.strip()
    empty = (df[label_column].isna() | (values == "")).to_numpy()
    if empty.any():
        row = int(np.flatnonzero(empty)[0])
        raise DataError(
            f"The label column '{label_column}' is empty in row {row + 2}. Every row needs a label."
        )
    names = tuple(sorted(values.unique(), key=_natural))
    if len(names) < 2:
        raise DataError(
            f"The label column '{label_column}' holds a single class. Active learning needs two or more."
        )
    if len(names) > 10:
        raise DataError(
            f"The label column '{label_column}' holds {len(names)} different values; at most 10 "
            "classes are supported. If it is a measurement, not a class, rename the column."
        )
    y = values.map({n: i for i, n in enumerate(names)}).to_numpy(dtype=int)
    small = [names[c] for c in range(len(names)) if (y == c).sum() < 2]
    if small:
        raise DataError(
            f"Class '{small[0]}' has a single row. Every class needs at least two rows."
        )
    return y, names


MISSING_TOKENS = ("NA", "N/A", "NaN", "nan", "null", "NULL", "None", "none", "-", "?")


def _missing_as_nan(col):
    """A feature column whose only words are missing-value tokens ("NA", "null" …) becomes
    numeric with those cells missing, so the message is about missing values, not text."""
    import pandas as pd

    text = col.astype(str).str.strip()
    cleared = col.where(~text.isin(MISSING_TOKENS))
    numbers = pd.to_numeric(cleared, errors="coerce")
    return numbers if numbers.notna().sum() == cleared.notna().sum() else col


def _guess_label_column(df) -> str | None:
    """A column named like a label ('y' only when there is no 'x': then x,y are coordinates),
    else the only text column if most of its values are words rather than numbers."""
    import pandas as pd

    by_name: dict[str, str] = {}
    for c in df.columns:
        by_name.setdefault(c.strip().lower(), c)
    for want in LABEL_COLUMNS:
        if want in by_name and not (want == "y" and "x" in by_name):
            return by_name[want]
    texts = text_csv.named_text_column([str(c) for c in df.columns])  # the feature, not a label
    text = [c for c in df.columns if not _is_numeric(df[c]) and c != texts]
    if len(text) == 1:
        col = df[text[0]].dropna()
        if pd.to_numeric(col, errors="coerce").isna().mean() > 0.5:
            return text[0]
    return None


def _non_numeric_message(df, columns: list[str]) -> str:
    import re

    import pandas as pd

    first = df[columns[0]]
    bad = first.notna() & pd.to_numeric(first, errors="coerce").isna()
    example = hint = ""
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        value = str(first.iloc[row]).strip()
        shown = value if len(value) <= 20 else value[:19] + "…"
        example = f"row {row + 2} holds '{shown}'"
        if re.fullmatch(r"[+-]?\d+,\d+", value):
            hint = " Write decimals with a dot (1.5, not 1,5)."
    if len(columns) == 1:
        what = f"Column '{columns[0]}' is not numeric" + (f": {example}." if example else ".")
    else:
        more = f" and {len(columns) - 3} more" if len(columns) > 3 else ""
        shown = ", ".join(f"'{c}'" for c in columns[:3])
        what = f"Columns {shown}{more} are not numeric" + (
            f" (in '{columns[0]}', {example})." if example else "."
        )
    return (
        f"{what}{hint} Features must be numbers; name the label column 'label' (or one of "
        f"{', '.join(LABEL_COLUMNS)}) if it holds the classes."
    )


def _is_numeric(col) -> bool:
    import pandas as pd

    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _natural(s: str):
    try:
        return (0, float(s), s)
    except ValueError:
        return (1, 0.0, s)


def csv_columns(data: bytes) -> tuple[list[str], str | None]:
    """The header's column names and the label column `load_csv(label_column="auto")` picks,
    so the page can offer every column (or none) with the guess preselected.

    Call it on a file that loaded: it reads the same header the same way. Never raises; a file
    it cannot read gives ([], None).
    """
    import io

    import pandas as pd

    try:
        text = _csv_text(data)
        header = next((line for line in text.splitlines() if line.strip()), "")
        sep = max(_SEPARATORS, key=header.count)
        names = [n for n in _split_header(header, sep) if n]
        df = pd.read_csv(io.StringIO(text), sep=sep, nrows=MAX_ROWS, index_col=False)
        df = df[[c for c in df.columns if not str(c).startswith("Unnamed: ")]]
        df = df.set_axis([str(c) for c in df.columns], axis=1)
        guess = _guess_label_column(df)
    except Exception:  # an unreadable file simply offers nothing to pick
        return [], None
    return names, guess if guess in names else None
