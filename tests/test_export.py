"""The exported script must print exactly the app's numbers; the history CSV must be safe to open."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from threadpoolctl import threadpool_limits

from al_core.data import load_csv
from al_core.formats.script import python_script
from al_core.formats.spreadsheet import history_csv, safe_cell
from al_core.loop import Config, Learner
from al_core.loop.metrics import METRICS
from al_core.models import MODELS

FINAL = re.compile(r"^Final (accuracy|confidence): (\S+)$", re.M)
ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+([0-9.]+)\s+(\w[\w ]*)$", re.M)


def run(config: Config, steps: int = 8, you: int = 0, dataset=None) -> Learner:
    """A learner after `steps` oracle steps, then `you` steps labeled against the truth."""
    learner = Learner(config, dataset)
    for _ in range(steps):
        learner.step()
    for _ in range(you):
        i = int(learner.suggest(1).indices[0])
        wrong = (int(learner.dataset.y[i]) + 1) % learner.dataset.n_classes
        learner.teach([i], [wrong], "you")
    return learner


def check_output(learner: Learner, out: str) -> None:
    """Every step's line and the final value agree with the learner's own metrics."""
    metric = "accuracy" if learner.dataset.has_truth else "confidence"
    final = FINAL.search(out)
    assert final, out
    assert final.group(1) == metric
    assert final.group(2) == repr(learner.steps[-1].metrics[metric])
    rows = ROW.findall(out)
    assert len(rows) == len(learner.steps)
    for (number, n, value, source), step in zip(rows, learner.steps):
        assert (int(number), int(n), source) == (step.number, step.n_labeled, step.source)
        assert value == f"{step.metrics[metric]:.4f}"


def exec_script(script: str, argv: list[str] | None = None) -> str:
    """Run a generated script in this process (much faster than a subprocess per case)."""
    out = io.StringIO()
    old = sys.argv
    sys.argv = ["ask_next_run.py", *(argv or [])]
    try:
        with threadpool_limits(limits=1), contextlib.redirect_stdout(out):
            exec(compile(script, "ask_next_run.py", "exec"), {"__name__": "__main__"})
    finally:
        sys.argv = old
    return out.getvalue()


# The five runs the brief names, each in a real subprocess: the script must stand alone.
SUBPROCESS_CASES = {
    "moons-logreg-default": (Config(), 10, 2),
    "blobs-3-knn": (Config(dataset="blobs", n_classes=3, model="knn", initial=12), 10, 1),
    "iris-svm-rbf": (Config(dataset="iris", model="svm_rbf", initial=6, strategy="margin"), 8, 1),
    "xor-forest": (
        Config(dataset="xor", model="forest", initial=8, model_params={"n_estimators": 20}),
        5,
        0,
    ),
    "noisy-oracle": (
        Config(initial=10, model="svm_rbf", oracle_noise=0.3, batch_size=3, seed=5),
        8,
        0,
    ),
}


# Runs the scripts given on the command line one after another in fresh namespaces, so the
# subprocess pays scikit-learn's import once; al_core must not be importable there.
BATCH_RUNNER = """
import importlib.util, runpy, sys
assert importlib.util.find_spec("al_core") is None
for path in sys.argv[1:]:
    runpy.run_path(path, run_name="__main__")
    print("=== end of", path, flush=True)
"""


def standalone(args: list[str], cwd: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_scripts_run_standalone_and_print_the_apps_accuracy(tmp_path: Path):
    learners, paths = {}, {}
    for name, (config, steps, you) in SUBPROCESS_CASES.items():
        learners[name] = learner = run(config, steps, you)
        paths[name] = tmp_path / f"{name}.py"
        paths[name].write_text(python_script(learner))
    first, *rest = SUBPROCESS_CASES
    single = standalone([str(paths[first])], tmp_path)  # exactly as a user runs it
    batch = standalone(["-c", BATCH_RUNNER, *(str(paths[n]) for n in rest)], tmp_path)
    for proc in (single, batch):
        proc.wait(timeout=180)
    out, err = single.communicate()
    assert single.returncode == 0, err
    check_output(learners[first], out)
    out, err = batch.communicate()
    assert batch.returncode == 0, err
    chunks = out.split("=== end of")
    for name, chunk in zip(rest, [chunks[0], *(c.split("\n", 1)[1] for c in chunks[1:])]):
        check_output(learners[name], chunk)
    sources = {s.source for s in learners["noisy-oracle"].steps}
    assert "noisy oracle" in sources
    assert learners["noisy-oracle"].disagreements().size  # some labels really were wrong


def test_script_imports_only_numpy_sklearn_and_their_helpers():
    learner = run(Config(dataset="iris", model="gp", initial=6), 2)
    script = python_script(learner)
    imported = set(re.findall(r"^(?:from|import) (\w+)", script, re.M))
    assert imported <= {
        "__future__",
        "numpy",
        "sklearn",
        "threadpoolctl",
        "warnings",
        "csv",
        "sys",
        "types",
    }
    assert "al_core" not in script
    assert len(script.splitlines()) < 120  # short: data helpers, the model, the steps, the loop


# Every other model, dataset and option, executed in-process.
EXEC_CASES = [
    Config(model="svm_linear", initial=6, model_params={"C": 3.0}),
    Config(dataset="circles", model="tree", initial=6, model_params={"max_depth": 3}),
    Config(dataset="spirals", n_classes=3, model="gboost", initial=9),
    Config(dataset="linear", model="mlp", initial=6, model_params={"hidden": 8}),
    Config(dataset="gaussian_quantiles", model="gp", initial=9, noise=0.1),
    Config(dataset="wine", model="naive_bayes", initial=6),
    Config(dataset="breast_cancer", model="logreg", initial=4, model_params={"C": 0.1}),
    Config(dataset="digits", model="knn", initial=20, model_params={"k": 3}),
    Config(dataset="blobs", n_classes=4, imbalance=0.5, model="knn", initial=8, n_samples=300),
    Config(dataset="xor", imbalance=0.8, model="tree", initial=6, n_samples=200),
    Config(model="svm_rbf", initial=0, seed=3),  # a cold start: a prior model comes first
    Config(model="knn", initial=1, seed=4),  # one class labeled at the start
    Config(dataset="moons", n_samples=2500, noise=0.4, seed=2**32 - 1, initial=30),
]


def test_every_model_is_covered():
    covered = {c.model for c in EXEC_CASES} | {c.model for c, _, _ in SUBPROCESS_CASES.values()}
    assert covered == set(MODELS)


@pytest.mark.parametrize("config", EXEC_CASES, ids=lambda c: f"{c.dataset}-{c.model}")
def test_script_matches_app(config: Config):
    learner = run(config, steps=6, you=1)
    check_output(learner, exec_script(python_script(learner)))


# ------------------------------------------------------------------------ uploaded data


def write_csv(path: Path, labels: bool, n: int = 90, features: int = 4) -> bytes:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, features))
    names = [f"f{i}" for i in range(features)]
    lines = [",".join([*names, "label"] if labels else names)]
    for row in X:
        cells = [repr(float(v)) for v in row]
        if labels:
            cells.append("=cmd|' /C calc'!A0" if row[0] + row[1] > 0 else "ham")
        lines.append(",".join(f'"{c}"' if "|" in c else c for c in cells))
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(data)
    return data


def test_upload_with_labels_replays_from_the_csv_path(tmp_path: Path):
    csv_path = tmp_path / "mine.csv"
    ds = load_csv(write_csv(csv_path, labels=True))
    learner = run(Config(dataset="upload", initial=6, model="svm_rbf"), 5, 1, dataset=ds)
    script = python_script(learner)
    check_output(learner, exec_script(script, [str(csv_path)]))
    # Without the path it says what it needs; with another file it says that too.
    with pytest.raises(SystemExit, match=r"Usage: python ask_next_run.py DATA.csv"):
        exec_script(script)
    other = tmp_path / "other.csv"
    write_csv(other, labels=True, n=40)
    with pytest.raises(SystemExit, match="is not the data the run used"):
        exec_script(script, [str(other)])


def test_upload_without_labels_replays_the_confidence(tmp_path: Path):
    csv_path = tmp_path / "raw.csv"
    ds = load_csv(write_csv(csv_path, labels=False, features=2))
    learner = Learner(Config(dataset="upload", model="knn"), ds)
    for i, label in [(3, 0), (10, 1), (11, 1), (40, 0)]:
        learner.teach([i], [label], "you")
    out = exec_script(python_script(learner), [str(csv_path)])
    check_output(learner, out)
    assert "Final confidence" in out


# ------------------------------------------------------------------------ history CSV


def test_history_csv_has_one_row_per_step_with_the_metrics():
    learner = run(Config(initial=10, batch_size=2), 3, 1)
    learner.undo()
    rows = list(csv.DictReader(io.StringIO(history_csv(learner))))
    assert len(rows) == len(learner.steps) == 4
    assert list(rows[0])[:6] == ["step", "n_labeled", "source", "queried", "labels", "label_names"]
    for row, step in zip(rows, learner.steps):
        assert int(row["step"]) == step.number and int(row["n_labeled"]) == step.n_labeled
        assert row["source"] == step.source
        assert [int(v) for v in row["queried"].split()] == list(step.queried)
        assert [int(v) for v in row["labels"].split()] == list(step.labels)
        for m in METRICS:
            assert float(row[m]) == step.metrics[m]
    assert rows[1]["label_names"] in {
        "Class A; Class B",
        "Class B; Class A",
        "Class A; Class A",
    } | {"Class B; Class B"}


def test_history_csv_escapes_formulas_from_uploaded_class_names(tmp_path: Path):
    ds = load_csv(write_csv(tmp_path / "x.csv", labels=True))
    learner = Learner(Config(dataset="upload", initial=0), ds)
    formula = ds.class_names.index("=cmd|' /C calc'!A0")
    learner.teach([0], [formula], "you")
    learner.teach([1], [1 - formula], "you")
    rows = list(csv.DictReader(io.StringIO(history_csv(learner))))
    assert rows[1]["label_names"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["csv_rows"] == str(int(ds.row_ids[0]) + 2)
    for row in rows:
        assert not any(str(v).startswith(("=", "+", "@")) for v in row.values())


def test_history_csv_without_truth_reports_confidence(tmp_path: Path):
    ds = load_csv(write_csv(tmp_path / "raw.csv", labels=False, features=2))
    learner = Learner(Config(dataset="upload"), ds)
    learner.teach([0, 1], [0, 1], "you")
    rows = list(csv.DictReader(io.StringIO(history_csv(learner))))
    assert "confidence" in rows[0] and "accuracy" not in rows[0]
    assert float(rows[1]["confidence"]) == learner.steps[1].metrics["confidence"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=x", "'\t=x"),
        ("-0.5", "-0.5"),
        ("+3", "+3"),
        ("1e-05", "1e-05"),
        (-0.25, "-0.25"),
        (7, "7"),
        (None, ""),
        ("Class A", "Class A"),
        ("a=b", "a=b"),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


@given(st.text())
def test_safe_cell_never_leaves_a_formula(text: str):
    cell = safe_cell(text)
    if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        float(cell)  # only plain numbers may keep a sign at the front
    assert cell in (text, "'" + text)
