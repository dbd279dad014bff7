"""Take a run out of the app: a standalone Python script that reproduces it, and a history CSV.

The script is the proof that the app's numbers are real: it needs only numpy and scikit-learn,
regenerates the data with the very lines al_core uses (copied with `inspect.getsource`, so the two
cannot drift apart), rebuilds the model with the run's hyperparameters and replays the recorded
labeled sequence, printing the test accuracy after every step. It does not re-run the strategy:
the sequence is the run's result, and replaying it is what makes the curve identical.
"""

from __future__ import annotations

import inspect
import textwrap
from typing import Any

import numpy as np

from al_core.data import catalog as D
from al_core.data import csv_upload, generators
from al_core.data import dataset as fixed
from al_core.loop import Learner

# ------------------------------------------------------------------------------ Python script

# How models.py builds each model, with `n_labeled` the size of the labeled set. The export
# tests replay every model against the app, so a change there that is not mirrored here fails.
_MODEL_CODE: dict[str, tuple[str, str]] = {
    "logreg": (
        "from sklearn.linear_model import LogisticRegression",
        "LogisticRegression(C={C!r}, max_iter=1000)",
    ),
    "svm_rbf": (
        "from sklearn.svm import SVC",
        'SVC(kernel="rbf", C={C!r}, gamma={gamma!r}, decision_function_shape="ovr")',
    ),
    "svm_linear": (
        "from sklearn.svm import SVC",
        'SVC(kernel="linear", C={C!r}, gamma="scale", decision_function_shape="ovr")',
    ),
    "knn": (
        "from sklearn.neighbors import KNeighborsClassifier",
        'KNeighborsClassifier(min({k!r}, n_labeled), weights="distance")',
    ),
    "tree": (
        "from sklearn.tree import DecisionTreeClassifier",
        "DecisionTreeClassifier(max_depth={max_depth!r}, random_state=SEED)",
    ),
    "forest": (
        "from sklearn.ensemble import RandomForestClassifier",
        "RandomForestClassifier(\n        {n_estimators!r}, max_depth={max_depth!r}, n_jobs=1, "
        "random_state=SEED\n    )",
    ),
    "gboost": (
        "from sklearn.ensemble import GradientBoostingClassifier",
        "GradientBoostingClassifier(\n        n_estimators={n_estimators!r}, "
        "max_depth={max_depth!r}, random_state=SEED\n    )",
    ),
    "mlp": (
        "from sklearn.neural_network import MLPClassifier",
        'MLPClassifier(\n        ({hidden!r},), solver="lbfgs", alpha=1e-3, max_iter=400, '
        "random_state=SEED\n    )",
    ),
    "gp": (
        "from sklearn.gaussian_process import GaussianProcessClassifier\n"
        "from sklearn.gaussian_process.kernels import RBF, ConstantKernel",
        "GaussianProcessClassifier(\n"
        '        ConstantKernel(1.0, "fixed") * RBF({length_scale!r}, "fixed"),\n'
        "        optimizer=None,\n        random_state=SEED,\n    )",
    ),
    "naive_bayes": ("from sklearn.naive_bayes import GaussianNB", "GaussianNB()"),
}

_SVM_SCORES = '''
def scores(model, X):
    """Ask Next turns the SVM's margin into probabilities with a logistic squash (scale 2)."""
    d = 2.0 * model.decision_function(X)
    if d.ndim == 1:
        p1 = 1.0 / (1.0 + np.exp(-d))
        return np.column_stack([1.0 - p1, p1])
    e = np.exp(d - d.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
'''

_PLAIN_SCORES = """
def scores(model, X):
    return model.predict_proba(X)
"""

_REPLAY = """
threadpool_limits(1)  # one BLAS thread, as in the app (and faster for small fits)
warnings.simplefilter("ignore", ConvergenceWarning)  # tiny labeled sets rarely converge fully
idx, labels = [], []
print("step  labels  {metric}")
for number, (queried, given, source) in enumerate(STEPS):
    idx += queried
    labels += given
    yl = np.array(labels, dtype=int)
    if len(set(labels)) < 2:  # no model yet: the app predicts the label shares seen so far
        counts = np.bincount(yl, minlength=N_CLASSES) + (0 if labels else 1)
        proba = np.tile(counts / counts.sum(), (len({X_eval}), 1))
    else:
        model = make_model(len(labels)).fit(X[idx], yl)
        proba = np.zeros((len({X_eval}), N_CLASSES))
        proba[:, model.classes_] = scores(model, {X_eval})
    {metric} = {formula}
    print(f"{{number:>4}}  {{len(labels):>6}}  {{{metric}:.4f}}  {{source}}")
print(f"Final {metric}: {{{metric}!r}}")
"""


def python_script(learner: Learner, label_column: str | None = None) -> str:
    """A short standalone script (numpy + scikit-learn) that replays this run and prints the
    same accuracy after every step, ending with `Final accuracy: <repr of the float>`.

    For an uploaded CSV the script reads the file from its first argument (the data cannot be
    embedded); pass `label_column` if the user picked one other than the app's guess. Without
    ground truth it prints the model's mean confidence instead (`Final confidence: ...`).
    """
    c, ds = learner.config, learner.dataset
    if c.model not in _MODEL_CODE:
        raise ValueError(f"no script template for model {c.model!r}")
    import_line, model_expr = _MODEL_CODE[c.model]
    upload = c.dataset not in D.DATASETS or ds.name not in D.DATASETS
    if upload and ds.items is not None and ds.items.kind == "text":
        raise ValueError(
            "no script for a run on texts yet (the TF-IDF embedding is not written out)"
        )
    has_truth = ds.X_test is not None and ds.y_test is not None
    data = _upload_data(learner, has_truth, label_column) if upload else _data(learner)
    stdlib = ["csv", "sys", "warnings"] if upload else ["warnings"]
    sk_imports = {"from sklearn.exceptions import ConvergenceWarning", *import_line.split("\n")}
    if "skd." in data:
        sk_imports.add("from sklearn import datasets as skd")
    parts = [
        _describe(learner, upload, has_truth),
        "from __future__ import annotations\n",
        "\n".join(f"import {m}" for m in stdlib),
        *(["from types import SimpleNamespace"] if "SimpleNamespace" in data else []),
        "",
        "import numpy as np",
        "\n".join(sorted(sk_imports)),
        "from threadpoolctl import threadpool_limits  # installed with scikit-learn",
        "",
        f"SEED = {c.seed}",
        f"N_CLASSES = {ds.n_classes}",
        data,
    ]
    parts.append(
        f"\n\ndef make_model(n_labeled):\n    return {model_expr.format(**c.model_params)}\n"
    )
    parts.append(_SVM_SCORES if c.model.startswith("svm") else _PLAIN_SCORES)
    parts.append(_steps_literal(learner))
    if has_truth:
        metric, x_eval, formula = (
            "accuracy",
            "X_test",
            "float(np.mean(proba.argmax(axis=1) == y_test))",
        )
    else:
        metric, x_eval, formula = "confidence", "X", "float(proba.max(axis=1).mean())"
    parts.append(_REPLAY.format(metric=metric, X_eval=x_eval, formula=formula))
    return "\n".join(parts).replace("\n\n\n\n", "\n\n\n")


def _describe(learner: Learner, upload: bool, has_truth: bool) -> str:
    from al_core.models import MODELS
    from al_core.strategies import STRATEGIES

    c = learner.config
    data = "an uploaded CSV" if upload else D.DATASETS[c.dataset].label
    title = (
        f"Reproduce an Ask Next run: {data}, {MODELS[c.model].label}, strategy "
        f"{STRATEGIES[c.strategy].label}, seed {c.seed}."
    )
    score = (
        "the accuracy on the held-out test set"
        if has_truth
        else "the model's mean confidence over the pool (the data has no labels to test on)"
    )
    text = (
        "Needs only numpy and scikit-learn. It rebuilds the data exactly as Ask Next did, then "
        "replays the labels the run collected, in order (the strategy that chose them is not "
        f"re-run), refitting the model after every step and printing {score}."
    )
    if c.oracle_noise:
        text += (
            f" The simulated oracle gave a wrong label with probability {c.oracle_noise:g}; "
            "the labels below are the ones it gave."
        )
    if upload:
        text += " It needs the CSV you uploaded: pass its path."
    usage = "python ask_next_run.py DATA.csv" if upload else "python ask_next_run.py"
    return f'"""{textwrap.fill(title, 96)}\n\n{textwrap.fill(text, 96)}\n\nRun: {usage}\n"""\n'


def _source(func: Any) -> str:
    return textwrap.dedent(inspect.getsource(func)).strip() + "\n"


def _data(learner: Learner) -> str:
    c = learner.config
    spec = D.DATASETS[c.dataset]
    if not spec.tunable:
        space = fixed.standardise if c.learn_in == "all" else fixed.project  # all features
        return "\n\n".join(
            [
                "",
                _source(space),
                _source(fixed.stratified_split),
                f"bunch = skd.{spec.loader.__name__}()\n"
                f"X_all = {space.__name__}(np.asarray(bunch.data, dtype=float))\n"
                "y_all = np.asarray(bunch.target, dtype=int)\n"
                f"pool, test = stratified_split(y_all, {fixed.TEST_SHARE!r}, SEED)  # "
                "a stratified 30% is held out\n"
                "X, y, X_test, y_test = X_all[pool], y_all[pool], X_all[test], y_all[test]",
            ]
        )
    make = spec.make.__name__
    if c.imbalance > 0:  # al_core's own sampler; `spec` stands in for its registry entry
        helpers = [_source(generators.class_counts), _source(generators._sample)]
        draw = f"_sample(SimpleNamespace(make={make}), n, NOISE, seed, N_CLASSES, {c.imbalance!r})"
        sample = f"def sample(n, seed):\n    return {draw}\n"
    else:
        helpers = []
        sample = (
            "def sample(n, seed):\n"
            f"    X, y = {make}(n, NOISE, seed, N_CLASSES)\n"
            "    return np.asarray(X, dtype=float), np.asarray(y, dtype=int)\n"
        )
    return "\n\n".join(
        [
            f"NOISE = {c.noise!r}",
            "",
            _source(spec.make),
            *helpers,
            sample,
            f"X, y = sample({c.n_samples}, SEED)\n"
            "# The test set comes from the same distribution, drawn with a seed derived from SEED.\n"
            "test_seed = int(np.random.SeedSequence([SEED, 1]).generate_state(1)[0])\n"
            f"X_test, y_test = sample({D.test_size(c.n_samples)}, test_seed)",
        ]
    )


_FIND_LABEL = """\
    if label == "auto":
        lower = [n.lower() for n in names]
        want = [w for w in ("label", "class", "target", "y") if w in lower]
        label = names[lower.index(want[0])] if want else None
    if label not in names:
        sys.exit(f"{path}: there is no label column {label!r}; set LABEL_COLUMN.")
"""

_SPLIT = """\
    values = [r[names.index(label)] for r in rows]
    classes = sorted(set(values), key=_natural)
    y_all = np.array([classes.index(v) for v in values])
    pool, test = stratified_split(y_all, 0.3, 0)  # the app holds out a stratified 30%
    return X_all[pool], y_all[pool], X_all[test], y_all[test]
"""

_READ_CSV = '''

{label_line}
N_ROWS, CHECKSUM = {rows}, {check!r}  # the data the run used, to catch a different file


def read_csv(path):
    """Read the CSV as Ask Next did: a header row, numeric features, maybe a label column."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    sep = max((",", ";", "\\t"), key=lines[0].count) if lines else ","
    names, *rows = [[v.strip() for v in r] for r in csv.reader(lines, delimiter=sep)]
    label = LABEL_COLUMN
{find_label}    features = [i for i, n in enumerate(names) if n and n != label]
    try:
        X_all = np.array([[float(r[i]) for i in features] for r in rows])
    except (ValueError, IndexError):
        sys.exit(f"{{path}}: a feature value is not a number. Is LABEL_COLUMN right?")
    X_all = project(X_all) if len(features) > 2 else X_all
    if len(rows) != N_ROWS or not np.isclose(np.abs(X_all).sum(), CHECKSUM):
        sys.exit(f"{{path}} is not the data the run used ({{len(rows)}} rows; it had {{N_ROWS}}).")
{split}

if len(sys.argv) != 2:
    sys.exit("Usage: python ask_next_run.py DATA.csv  (the CSV uploaded to Ask Next)")
X, y, X_test, y_test = read_csv(sys.argv[1])'''


def _upload_data(learner: Learner, has_truth: bool, label_column: str | None) -> str:
    """Read the uploaded CSV from a path argument; a checksum of the projected data makes sure
    it is the same file, parsed the same way, so a mismatch is a clear message, not a wrong curve."""
    ds = learner.dataset
    if not has_truth:
        label_line = "LABEL_COLUMN = None  # the run had no label column: every column is a feature"
        return (
            "\n\n"
            + _source(fixed.project)
            + _READ_CSV.format(
                label_line=label_line,
                rows=len(ds.X),
                check=float(np.abs(ds.X).sum()),
                find_label="",
                split="    return X_all, None, None, None\n",
            )
        )
    if label_column:
        label_line = f"LABEL_COLUMN = {label_column!r}"
    else:
        label_line = (
            "# The label column: the first one named label, class, target or y, as the app\n"
            "# guesses; write its name here if you picked another one in the app.\n"
            'LABEL_COLUMN = "auto"'
        )
    helpers = [
        _source(fixed.project),
        _source(csv_upload._natural),
        _source(fixed.stratified_split),
    ]
    return (
        "\n\n"
        + "\n\n".join(helpers)
        + _READ_CSV.format(
            label_line=label_line,
            rows=len(ds.X) + len(ds.X_test),
            check=float(np.abs(ds.X).sum() + np.abs(ds.X_test).sum()),
            find_label=_FIND_LABEL,
            split=_SPLIT,
        )
    )


def _steps_literal(learner: Learner) -> str:
    lines = [
        "",
        "# The labeled sequence: (pool indices, labels given, who gave them); step 0 is the start.",
        "STEPS = [",
    ]
    for s in learner.steps:
        entry = f"({list(s.queried)}, {list(s.labels)}, {s.source!r}),"
        lines.extend(textwrap.wrap(entry, 96, initial_indent="    ", subsequent_indent="     "))
    lines.append("]")
    return "\n".join(lines)
