"""Labels as CSV (spreadsheet-safe) and the session file (download, upload, continue exactly)."""

from __future__ import annotations

import base64
import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from al_core.data import load_csv
from al_core.formats import session as labels_io
from al_core.formats.session import load_session, read_session, session_json
from al_core.formats.spreadsheet import labels_csv
from al_core.formats.spreadsheet import safe_cell as _safe_cell  # the one rule both tables use
from al_core.loop import Config, Learner

CORPUS = Path(__file__).parent / "bad_csv"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def resign(body: dict) -> str:
    """A hand-edited session with a valid checksum: reaches the checks behind the checksum."""
    body["checksum"] = labels_io._checksum(body)
    return json.dumps(body)


def builtin_run() -> Learner:
    learner = Learner(Config(dataset="blobs", n_samples=120, initial=6, model="knn", batch_size=2))
    learner.step()
    free = learner.candidates
    learner.teach([free[0], free[1]], [2, 0], source="you")
    learner.skip(int(free[2]))
    learner.step()
    learner.step()
    learner.undo()
    return learner


def upload_run(filename: str, label_column: str | None = "auto") -> tuple[Learner, bytes]:
    data = (CORPUS / filename).read_bytes()
    ds = load_csv(data, filename, label_column)
    learner = Learner(Config(dataset="upload", initial=4), ds)
    free = learner.candidates
    learner.teach([free[3]], [1], source="you")
    learner.teach([free[5], free[0]], [0, 1], source="you")
    if ds.has_truth:
        learner.step()
    learner.skip(int(learner.candidates[0]))
    return learner, data


def assert_same_run(a: Learner, b: Learner) -> None:
    assert a.to_json() == b.to_json()
    assert [s.metrics for s in a.steps] == [s.metrics for s in b.steps]
    assert [(s.queried, s.labels, s.source) for s in a.steps] == [
        (s.queried, s.labels, s.source) for s in b.steps
    ]
    assert np.array_equal(a.candidates, b.candidates)
    assert labels_csv(a) == labels_csv(b)


# ------------------------------------------------------------ _safe_cell


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("-", "'-"),
        ("Class A", "Class A"),
        ("a=b", "a=b"),
        ("", ""),
        ("-1", "-1"),
        ("+1", "+1"),
        ("-0.5", "-0.5"),
        ("-.5", "-.5"),
        ("-1e-05", "-1e-05"),
        (-3, "-3"),
    ],
)
def test_safe_cell_defuses_formulas_and_leaves_numbers(cell, safe):
    assert _safe_cell(cell) == safe


# ------------------------------------------------------------ labels_csv


def test_labels_csv_has_one_row_per_labeled_point_in_order():
    learner = builtin_run()
    rows = rows_of(labels_csv(learner))
    assert rows[0] == ["row_index", "Feature 1", "Feature 2", "label", "labeled_by", "step"]
    body = rows[1:]
    assert [int(r[0]) for r in body] == learner.labeled
    ds = learner.dataset
    for r, i, label in zip(body, learner.labeled, learner.labels):
        assert (float(r[1]), float(r[2])) == tuple(ds.X[i])  # full precision
        assert r[3] == ds.class_names[label]
    sources = {s.number: s.source for s in learner.steps}
    assert all(r[4] == sources[int(r[5])] for r in body)
    assert {r[4] for r in body} == {"initial", "oracle", "you"}
    assert [int(r[5]) for r in body] == sorted(int(r[5]) for r in body)


def test_labels_csv_of_an_upload_names_the_original_rows_and_features():
    learner, data = upload_run("good_semicolon.csv")
    rows = rows_of(labels_csv(learner))
    assert rows[0][:3] == ["row_index", "height", "weight"]
    original = [line.split(";") for line in data.decode().splitlines()[1:]]
    for r in rows[1:]:
        file_row = original[int(r[0])]
        assert [float(v) for v in file_row[:2]] == [float(r[1]), float(r[2])]
        if r[4] in ("initial", "oracle"):
            assert file_row[2] == r[3]
    assert len(rows) - 1 == learner.n_labeled


def test_labels_csv_escapes_class_and_column_names_that_a_spreadsheet_would_run():
    rng = np.random.default_rng(0)
    lines = ["=cmd,step,label"] + [
        f"{a:.3f},{b:.3f},{['=1+1', '@SUM(A1)', '-1', '+2+x'][i % 4]}"
        for i, (a, b) in enumerate(rng.normal(size=(40, 2)))
    ]
    ds = load_csv("\n".join(lines).encode(), "evil.csv")
    learner = Learner(Config(dataset="upload", initial=8), ds)
    text = labels_csv(learner)
    rows = rows_of(text)
    assert rows[0][:3] == ["row_index", "'=cmd", "step (feature)"]
    assert {r[3] for r in rows[1:]} == {"'=1+1", "'@SUM(A1)", "-1", "'+2+x"}
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_START):
                float(cell)  # only plain numbers may start like a formula


def test_labels_csv_of_an_unlabeled_upload_lists_only_the_users_labels():
    learner, _ = upload_run("good_5d_unlabeled.csv")
    rows = rows_of(labels_csv(learner))
    assert rows[0][1:3] == ["PC 1", "PC 2"]
    assert [r[4] for r in rows[1:]] == ["you"] * 3
    assert [r[3] for r in rows[1:]] == ["Class B", "Class A", "Class B"]
    assert [r[5] for r in rows[1:]] == ["1", "2", "2"]


# ------------------------------------------------------------ session round trips


def test_builtin_session_survives_download_and_upload_unchanged():
    learner = builtin_run()
    text = session_json(learner)
    again, dataset = load_session(text)
    assert dataset is None
    assert_same_run(learner, again)
    assert session_json(again) == text
    # ... and continues exactly: the next step asks and answers the same.
    assert learner.step() == again.step()
    assert_same_run(learner, again)


def test_session_loads_from_bytes_too():
    learner = builtin_run()
    again, _ = load_session(session_json(learner).encode())
    assert_same_run(learner, again)


@pytest.mark.parametrize(
    ("filename", "label_column"),
    [
        ("good_2d_labeled.csv", "auto"),
        ("good_5d_unlabeled.csv", "auto"),
        ("good_semicolon.csv", "species"),
        ("good_5d_unlabeled.csv", None),  # no label column, chosen explicitly
    ],
)
def test_upload_session_survives_download_and_upload_unchanged(filename, label_column):
    learner, data = upload_run(filename, label_column)
    text = session_json(learner, data, label_column)
    session = read_session(text)
    assert session.csv_bytes == data
    assert session.label_column == label_column
    assert session.dataset is session.learner.dataset
    assert session.dataset.name == filename
    assert_same_run(learner, session.learner)
    assert session_json(session.learner, session.csv_bytes, session.label_column) == text
    free = learner.candidates[:2]
    assert learner.teach(free, [0, 1]) == session.learner.teach(free, [0, 1])
    assert learner.suggest().indices.tolist() == session.learner.suggest().indices.tolist()


def test_saving_an_upload_needs_its_bytes_and_a_builtin_refuses_them():
    learner, data = upload_run("good_2d_labeled.csv")
    with pytest.raises(ValueError, match="pass its bytes"):
        session_json(learner)
    with pytest.raises(ValueError, match="built-in dataset 'moons'"):
        session_json(Learner(Config(n_samples=60, initial=4)), data)


# ------------------------------------------------------------ strict loading


@pytest.fixture(scope="module")
def saved() -> dict:
    learner = Learner(Config(n_samples=100, initial=4))
    learner.step()
    learner.teach([int(learner.candidates[0])], [1], source="you")
    learner.step()
    return json.loads(session_json(learner))


@pytest.fixture(scope="module")
def saved_upload() -> dict:
    learner, data = upload_run("good_2d_labeled.csv")
    return json.loads(session_json(learner, data))


def edited(body: dict, path: tuple, value) -> dict:
    body = json.loads(json.dumps(body))
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("{not json", "not valid JSON \\(line 1, column 2\\)"),
        ("[1, 2]", "not an Ask Next session file"),
        ('{"v": 1, "config": {}, "steps": []}', "not an Ask Next session file"),
        ("x,y,label\n1,2,A\n", "not valid JSON"),
        ("[" * 100_000, "not an Ask Next session file"),
    ],
)
def test_files_that_are_not_sessions_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        load_session(text)


def test_binary_and_oversized_uploads_are_refused():
    with pytest.raises(ValueError, match="not UTF-8"):
        load_session(b"\x89PNG\r\n\x1a\n\x00\xff")
    with pytest.raises(ValueError, match="too large"):
        load_session(b" " * (labels_io.MAX_SESSION_BYTES + 1))
    with pytest.raises(ValueError, match="text or bytes"):
        load_session(None)  # type: ignore[arg-type]


def test_other_versions_are_refused_with_both_numbers(saved):
    with pytest.raises(
        ValueError, match="format version 2; this version of Ask Next reads version 1"
    ):
        load_session(resign(edited(saved, ("version",), 2)))


def test_any_edit_breaks_the_checksum(saved):
    steps = saved["learner"]["steps"]
    tampered = edited(saved, ("learner", "steps", 1, 1), [1 - steps[1][1][0]])
    with pytest.raises(ValueError, match="changed after it was saved"):
        load_session(json.dumps(tampered))
    with pytest.raises(ValueError, match="changed after it was saved"):
        load_session(json.dumps({k: v for k, v in saved.items() if k != "checksum"}))


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("learner", "steps", 0, 0), [100_000], "point index out of range"),
        (("learner", "steps", 0, 0), [-1], "point index out of range"),
        (("learner", "steps", 0, 0), [10**30], "cannot be replayed"),
        (("learner", "steps", 0, 0), [1.5], "step 1 is not \\[point indices"),
        (("learner", "steps", 0, 1), ["1"], "step 1 is not"),
        (("learner", "steps", 0, 1), [7], "labels must be class numbers 0 to 1"),
        (("learner", "steps", 0, 1), [1, 0], "1 points but 2 labels"),
        (("learner", "steps", 0, 2), "hacker", "step 1 is not"),
        (("learner", "steps", 0), "oops", "step 1 is not"),
        (("learner", "steps"), {"a": 1}, "steps are not a list"),
        (("learner", "steps", 0, 0), [], "nothing to teach"),
        (("learner", "skipped"), [99999], "out of range|skipped points"),
        (("learner", "skipped"), ["3"], "skipped points"),
        (("learner", "config", "seed"), "42", "(?i)seed '42' is not a whole number"),
        (("learner", "config", "noise"), True, "(?i)noise True is not a number"),
        (("learner", "config", "model_params"), {"C": "big"}, "C 'big' is not a number"),
        (("learner", "config", "model"), "gpt", "(?i)unknown model 'gpt'"),
        (("learner", "config", "dataset"), "upload", "does not contain the CSV"),
        (("learner", "config", "bogus"), 1, "unknown config field 'bogus'"),
        (("learner", "config"), [], "config is not a set"),
        (("learner", "v"), 9, "expected a run of format version 1"),
        (("learner", "extra"), 1, "unexpected field 'extra'"),
        (("learner",), None, "expected a run of format version 1"),
        (("n_labeled",), 3, "label count does not match"),
        (("upload",), {"name": "x.csv"}, "holds an uploaded CSV but its run uses a built-in"),
    ],
)
def test_tampered_runs_are_refused_with_a_clear_message(saved, path, value, message):
    with pytest.raises(ValueError, match=message):
        load_session(resign(edited(saved, path, value)))


def test_a_point_labeled_twice_is_refused(saved):
    first = saved["learner"]["steps"][0][0]
    with pytest.raises(ValueError, match=f"point {first[0]} is already labeled"):
        load_session(resign(edited(saved, ("learner", "steps", 2, 0), first)))


def test_an_oracle_that_contradicts_the_truth_is_refused(saved):
    oracle = saved["learner"]["steps"][0]
    assert oracle[2] == "oracle"
    flipped = edited(saved, ("learner", "steps", 0, 1), [1 - oracle[1][0]])
    with pytest.raises(ValueError, match="Step 1 claims the exact oracle"):
        load_session(resign(flipped))
    # the same labels are fine when a person gave them
    load_session(resign(edited(flipped, ("learner", "steps", 0, 2), "you")))


def test_an_explicit_default_in_the_config_does_not_rebuild_identically(saved):
    with pytest.raises(ValueError, match="does not rebuild to the state it stored"):
        load_session(resign(edited(saved, ("learner", "config", "model"), "logreg")))


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("upload",), None, "does not contain the CSV"),
        (("upload", "csv_base64"), None, "incomplete"),
        (("upload", "name"), 3, "incomplete"),
        (("upload", "label_column"), 1, "incomplete"),
        (("upload", "csv_base64"), "%%%not base64", "damaged"),
        (
            ("upload", "csv_base64"),
            base64.b64encode(b"x,y,label\n1,2,A\n").decode(),
            "no longer loads: The file has 1 row of data",
        ),
        (("upload", "csv_base64"), "", "no longer loads: The file is empty"),
        (("upload", "label_column"), "nope", "There is no column named 'nope'"),
    ],
)
def test_damaged_upload_data_is_refused(saved_upload, path, value, message):
    with pytest.raises(ValueError, match=message):
        load_session(resign(edited(saved_upload, path, value)))


def test_a_smaller_csv_under_the_same_run_is_refused(saved_upload):
    data = base64.b64decode(saved_upload["upload"]["csv_base64"]).decode()
    shorter = "\n".join(data.splitlines()[:25]) + "\n"
    body = edited(
        saved_upload, ("upload", "csv_base64"), base64.b64encode(shorter.encode()).decode()
    )
    with pytest.raises(ValueError, match=r"cannot be replayed|claims the exact oracle"):
        load_session(resign(body))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 200) | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    key=st.sampled_from(["steps", "skipped", "config", "v", "n_labeled", "upload"]),
    value=json_values,
)
def test_arbitrary_edits_give_a_value_error_or_a_valid_run(saved, key, value):
    body = json.loads(json.dumps(saved))
    if key == "n_labeled" or key == "upload":
        body[key] = value
    else:
        body["learner"][key] = value
    try:
        learner, _ = load_session(resign(body))
    except ValueError as exc:
        assert "Traceback" not in str(exc)
    else:
        assert learner.n_labeled == body["n_labeled"]
