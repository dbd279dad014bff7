"""Every file in tests/bad_csv/ through load_csv: bad ones give a DataError a person can act on
(and never any other exception), good ones load.

Add a file to the folder and to BAD or GOOD below; a file in neither fails the inventory test.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from al_core.data import MAX_ROWS, DataError, Dataset, load_csv

CORPUS = Path(__file__).parent / "bad_csv"

# file -> words its message must contain (what is wrong, and where, when that is known)
BAD = {
    "empty.csv": ["empty", "header row"],
    "whitespace_only.csv": ["empty"],
    "header_only.csv": ["no rows", "at least 20"],
    "non_numeric.csv": ["'colour'", "not numeric", "row 2", "'red'"],
    "missing_values.csv": ["'y'", "missing", "row 7"],
    "infinite_values.csv": ["'x'", "infinite", "row 5"],
    "missing_label.csv": ["label column", "empty in row 8"],
    "one_class.csv": ["single class", "two or more"],
    "class_with_one_row.csv": ["'C'", "single row", "at least two rows"],
    "too_many_classes.csv": ["30 different values", "at most 10"],
    "one_feature.csv": ["one feature column ('x')", "at least two"],
    "label_column_only.csv": ["no feature column", "at least two"],
    "duplicate_headers.csv": ["'x' more than once", "unique"],
    "too_many_columns.csv": ["at most 50"],
    "not_utf8.csv": ["not utf-8", "line 1", "csv utf-8"],
    "utf16.csv": ["utf-16", "csv utf-8"],
    "png_renamed.csv": ["binary file", "not csv text"],
    "xlsx_renamed.csv": ["spreadsheet workbook", "save as"],
    "ragged_rows.csv": ["line 9 has 4 values", "3 columns"],
    "extra_field_every_row.csv": ["more values than the header", "name in the header"],
    "unclosed_quote.csv": ["quote", "line 6", "never closed"],
    "no_header.csv": ["first row holds numbers", "header row"],
    "decimal_comma.csv": ["not numeric", "'0,757'", "decimals with a dot"],
    "huge_values.csv": ["'x'", "1e+308", "rescale"],
    "single_row.csv": ["1 row of data", "at least 20"],
    "too_few_rows.csv": ["12 rows", "at least 20"],
    "text_empty_text.csv": ["text column 'text'", "empty in row 8"],
    "text_too_long.csv": ["row 5", "12,503 characters", "at most 10,000"],
    "text_not_utf8.csv": ["not utf-8", "line 6"],
    "text_one_class.csv": ["single class", "two or more"],
    "text_no_words.csv": ["no words", "sentences"],
}

# file -> (feature names, class names or None when unlabeled, number of rows in the file)
GOOD = {
    "good_2d_labeled.csv": (("x", "y"), ("A", "B"), 40),
    "good_5d_unlabeled.csv": (("PC 1", "PC 2"), None, 40),
    "good_semicolon.csv": (("height", "weight"), ("cat", "dog", "fox"), 40),
    "good_tab_separated.csv": (("x", "y"), ("A", "B"), 30),
    "good_trailing_commas.csv": (("x", "y"), ("A", "B"), 30),
    # script tags, Markdown and three duplicate rows: loaded, and shown escaped (test_items.py)
    "good_text_html_duplicates.csv": (
        ("Text map 1", "Text map 2"),
        ("food", "sport", "weather"),
        33,
    ),
}

# A message a person can act on: no Python or parser internals, one sentence or two, and a fix.
INTERNALS = re.compile(
    r"Traceback|Error\b|Exception|C error|tokeniz|codec|0x[0-9a-f]|\\x|dtype|Unnamed|"
    r"\bnan\b|<|>|\{|\}",
    re.IGNORECASE,
)
FIXES = re.compile(
    r"\b(upload|add|give|fill|save|remove|rename|rescale|write|close|pick|needs?|must)\b",
    re.IGNORECASE,
)


def assert_human(message: str) -> None:
    own = re.sub(r"'[^']*'", "''", message)  # quoted names and values come from the file
    assert not INTERNALS.search(own), message
    assert "\n" not in own and 20 < len(message) < 300, message
    assert message[0].isupper() and message.endswith("."), message
    assert FIXES.search(message), f"says what is wrong but not what to do: {message}"


def test_every_file_in_the_corpus_has_an_expectation():
    files = {p.name for p in CORPUS.iterdir()}
    assert files == set(BAD) | set(GOOD)
    assert not set(BAD) & set(GOOD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_gives_a_data_error_that_says_what_to_fix(name):
    with pytest.raises(DataError) as info:  # any other exception type fails the test
        load_csv((CORPUS / name).read_bytes(), name)
    message = str(info.value)
    assert_human(message)
    for word in BAD[name]:
        assert word.lower() in message.lower(), message


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_file_loads(name):
    features, classes, n_rows = GOOD[name]
    ds = load_csv((CORPUS / name).read_bytes(), name)
    assert isinstance(ds, Dataset)
    assert ds.name == name
    assert ds.feature_names == features
    assert np.isfinite(ds.X).all() and ds.X.shape[1] == 2
    if classes is None:
        assert not ds.has_truth and len(ds) == n_rows
        assert sorted(ds.row_ids) == list(range(n_rows))
    else:
        assert ds.has_truth and ds.class_names == classes
        assert len(ds) + len(ds.X_test) == n_rows
        assert len(set(ds.row_ids)) == len(ds) and ds.row_ids.max() < n_rows


def test_too_many_rows_is_generated_not_committed():
    rows = "\n".join(f"{i % 7},{i % 5},{'AB'[i % 2]}" for i in range(MAX_ROWS + 1))
    with pytest.raises(DataError) as info:
        load_csv(f"x,y,label\n{rows}\n".encode())
    assert_human(str(info.value))
    assert f"more than {MAX_ROWS:,} rows" in str(info.value)


def test_a_chosen_label_column_that_does_not_exist_is_named():
    data = (CORPUS / "good_2d_labeled.csv").read_bytes()
    with pytest.raises(DataError) as info:
        load_csv(data, label_column="species")
    assert_human(str(info.value))
    assert "'species'" in str(info.value) and "x, y, label" in str(info.value)


def test_no_label_column_on_a_labeled_file_says_the_labels_are_text():
    with pytest.raises(DataError) as info:
        load_csv((CORPUS / "good_2d_labeled.csv").read_bytes(), label_column=None)
    assert_human(str(info.value))
    assert "'label'" in str(info.value)


def test_x_and_y_are_coordinates_when_both_exist_but_y_alone_is_the_label():
    rng = np.random.default_rng(1)
    pts = rng.normal(size=(30, 2))
    xy = "x,y\n" + "\n".join(f"{a},{b}" for a, b in pts)
    assert load_csv(xy.encode()).feature_names == ("x", "y")
    x1x2y = "x1,x2,y\n" + "\n".join(f"{a},{b},{i % 2}" for i, (a, b) in enumerate(pts))
    ds = load_csv(x1x2y.encode())
    assert ds.feature_names == ("x1", "x2") and ds.class_names == ("0", "1")


def test_the_only_text_column_is_the_label_whatever_its_name():
    ds = load_csv((CORPUS / "good_semicolon.csv").read_bytes())
    assert ds.class_names == ("cat", "dog", "fox")


def test_pixel_columns_named_by_numbers_are_a_header_not_data():
    rng = np.random.default_rng(2)
    lines = ["0,1,2,3,label"] + [
        ",".join(f"{v:.2f}" for v in row) + f",{'AB'[i % 2]}"
        for i, row in enumerate(rng.normal(size=(30, 4)))
    ]
    assert load_csv("\n".join(lines).encode()).has_truth


GOOD_BYTES = (CORPUS / "good_2d_labeled.csv").read_bytes()


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(0, len(GOOD_BYTES)), junk=st.binary(max_size=6), at=st.integers(0, 600))
def test_damaged_good_files_load_or_give_a_data_error(cut, junk, at):
    data = GOOD_BYTES[:cut]
    data = data[:at] + junk + data[at:]
    try:
        load_csv(data)
    except DataError as exc:
        assert_human(str(exc))


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes_load_or_give_a_data_error(data):
    try:
        load_csv(data)
    except DataError as exc:
        assert_human(str(exc))


def test_a_trailing_separator_on_every_row_only_is_ignored():
    rng = np.random.default_rng(3)
    rows = [f"{i},{b:.2f},{'AB'[i % 2]}," for i, b in enumerate(rng.normal(size=30))]
    ds = load_csv(("x,y,label\n" + "\n".join(rows) + "\n").encode())
    assert ds.feature_names == ("x", "y") and ds.class_names == ("A", "B")
    assert sorted(ds.X[:, 0].tolist() + ds.X_test[:, 0].tolist()) == list(range(30))
