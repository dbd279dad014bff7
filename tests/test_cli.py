"""`python -m al_core`: every subcommand, both output files, and the one-line bad-option path."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from al_core.cli import main
from al_core.data import DATASETS
from al_core.loop import Config
from al_core.models import MODELS
from al_core.strategies import STRATEGIES, Strategy

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--n-samples", "200", "--initial", "6", "--budget", "3"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """main() in-process: exit status, stdout, stderr (argparse exits via SystemExit)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_module_entry_point_runs_as_a_subprocess():
    proc = subprocess.run(
        [sys.executable, "-m", "al_core", "list"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "least_confident" in proc.stdout


def test_list_names_every_dataset_model_and_strategy(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    for name in [*DATASETS, *MODELS, *STRATEGIES]:
        assert f"  {name} " in out
    code, out, _ = run(capsys, "list", "--json")
    data = json.loads(out)
    assert [d["name"] for d in data["strategies"]] == list(STRATEGIES)
    assert [d["name"] for d in data["models"]] == list(MODELS)
    assert all(d["description"] for group in data.values() for d in group)


def test_simulate_json_has_the_design_shape(capsys):
    code, out, err = run(capsys, "simulate", *SMALL, "--strategy", "margin", "--seeds", "2")
    assert code == 0, err
    assert "margin" in out and "random (baseline)" in out  # the table
    code, out, _ = run(capsys, "simulate", *SMALL, "--strategy", "margin", "--seeds", "2", "--json")
    data = json.loads(out)
    assert {"config", "runs", "summary", "elapsed_s"} <= set(data)
    assert data["config"]["n_samples"] == 200 and data["seeds"] == [42, 43]
    assert {r["strategy"] for r in data["runs"]} == {"random", "margin"}
    for r in data["runs"]:
        assert len(r["n_labeled"]) == len(r["accuracy"]) == 4
    assert {"strategy", "aulc_mean", "aulc_std", "labels_to_target", "target"} <= set(
        data["summary"][0]
    )


def test_seeds_take_a_count_from_seed_or_a_list(capsys):
    _, out, _ = run(capsys, "simulate", *SMALL, "--seed", "7", "--seeds", "3", "--json")
    assert json.loads(out)["seeds"] == [7, 8, 9]
    _, out, _ = run(capsys, "simulate", *SMALL, "--seeds", "5,1", "--json")
    assert json.loads(out)["seeds"] == [5, 1]


def test_every_lesson_option_reaches_the_config(capsys):
    _, out, _ = run(
        capsys,
        *("simulate", *SMALL, "--json", "--dataset", "blobs", "--n-classes", "4"),
        *("--model", "svm_rbf", "--model-param", "C=3", "--batch-size", "2"),
        *("--oracle-noise", "0.1", "--random-mix", "0.5", "--noise", "0.3", "--imbalance", "0.2"),
        *("--strategy", "qbc_vote", "--strategy-param", "committee_size=3"),
    )
    c = json.loads(out)["config"]
    assert (c["dataset"], c["n_classes"], c["model"], c["batch_size"]) == ("blobs", 4, "svm_rbf", 2)
    assert (c["oracle_noise"], c["random_mix"], c["noise"], c["imbalance"]) == (0.1, 0.5, 0.3, 0.2)
    assert c["model_params"]["C"] == 3 and c["strategy_params"] == {"committee_size": 3}


def test_out_csv_writes_the_tidy_runs(capsys, tmp_path):
    path = tmp_path / "runs.csv"
    code, _, _ = run(capsys, "simulate", *SMALL, "--seeds", "2", "--out", str(path))
    assert code == 0
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == [
        "strategy", "seed", "step", "n_labeled",
        "accuracy", "balanced_accuracy", "f1_macro", "log_loss",
    ]  # fmt: skip
    assert len(rows) == 2 * 2 * 4


def test_out_json_writes_the_same_object_as_json(capsys, tmp_path):
    path = tmp_path / "exp.json"
    code, out, _ = run(capsys, "simulate", *SMALL, "--json", "--out", str(path))
    assert code == 0
    printed, written = json.loads(out), json.loads(path.read_text())
    assert written["runs"] == printed["runs"] and written["summary"] == printed["summary"]


def test_compare_runs_several_strategies_and_the_baseline(capsys):
    code, out, _ = run(capsys, "compare", *SMALL, "--strategies", "margin,entropy", "--seeds", "2")
    assert code == 0
    lines = out.splitlines()
    rows = [ln.split()[0] for ln in lines[lines.index("") + 2 :] if ln and ln[0].isalpha()]
    assert rows[:3] == ["random", "margin", "entropy"]
    _, out, _ = run(capsys, "compare", *SMALL, "--strategies", "margin", "--seeds", "1", "--json")
    assert [s["strategy"] for s in json.loads(out)["summary"]] == ["random", "margin"]


def test_the_header_says_where_the_runs_went(capsys, monkeypatch):
    from al_core.experiments import runner

    _, out, _ = run(capsys, "compare", *SMALL, "--strategies", "margin", "--seeds", "1")
    assert " s with 1 job" in out.splitlines()[1]
    done = runner.run_experiment(Config(n_samples=200, initial=6), ["margin"], [0], 3)
    monkeypatch.setattr(runner, "run_experiment", lambda *a, **kw: done)  # no cluster here
    _, out, _ = run(capsys, "compare", *SMALL, "--seeds", "1", "--scheduler", "tcp://h:8786")
    assert out.splitlines()[1].endswith(" s on the Dask cluster at tcp://h:8786")


def test_progress_bar_goes_to_stderr_only_when_asked(capsys):
    _, out, err = run(capsys, "simulate", *SMALL, "--json")
    assert err == ""  # stderr is not a terminal under pytest
    _, out, err = run(capsys, "simulate", *SMALL, "--json", "--progress")
    assert "2/2 runs" in err and json.loads(out)


def test_a_failed_run_is_reported_and_exits_1(capsys, monkeypatch):
    def explode(ctx, X):
        raise RuntimeError("boom")

    monkeypatch.setitem(STRATEGIES, "boom", Strategy("boom", "Boom", "Fails.", explode))
    code, out, err = run(capsys, "compare", *SMALL, "--strategies", "boom,margin", "--seeds", "1")
    assert code == 1
    assert "margin" in out
    assert "run failed: boom seed 42: RuntimeError: boom" in err


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["simulate", "--dataset", "nope"], "--dataset"),
        (["simulate", "--model", "nope"], "--model"),
        (["simulate", "--strategy", "nope"], "--strategy"),
        (["compare", "--strategies", "margin,nope"], "--strategies"),
        (["simulate", "--n-samples", "5"], "--n-samples"),
        (["simulate", "--noise", "-1"], "--noise"),
        (["simulate", "--noise", "nan"], "--noise"),
        (["simulate", "--seed", "-3"], "--seed"),
        (["simulate", "--initial", "x"], "--initial"),
        (["simulate", "--batch-size", "0"], "--batch-size"),
        (["simulate", "--budget", "0"], "--budget"),
        (["simulate", "--seeds", "0"], "--seeds"),
        (["simulate", "--seeds", "1,x"], "--seeds"),
        (["simulate", "--jobs", "0"], "--jobs"),
        (["simulate", "--oracle-noise", "0.9"], "--oracle-noise"),
        (["simulate", "--random-mix", "2"], "--random-mix"),
        (["simulate", "--n-classes", "3"], "--n-classes"),
        (["simulate", "--dataset", "blobs", "--n-classes", "9"], "--n-classes"),
        (["simulate", "--model-param", "depth=3"], "--model-param"),
        (["simulate", "--model-param", "C=1e9"], "--model-param"),
        (["simulate", "--model-param", "C"], "--model-param"),
        (["simulate", "--strategy-param", "committee_size=3"], "--strategy-param"),
        (["simulate", "--out", "results.txt"], "--out"),
        (["simulate", "--out", "/no/such/folder/x.csv"], "--out"),
        (["simulate", "--backend", "nope"], "--backend"),
        (["simulate", "--backend", "threading", "--scheduler", "tcp://h:1"], "--scheduler"),
        (["simulate", "--frobnicate"], "--frobnicate"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_options_exit_2_with_one_line_naming_the_option(capsys, argv, option):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert option in err and "error:" in err


def test_bad_option_from_a_real_shell_is_one_line_and_status_2():
    proc = subprocess.run(
        [sys.executable, "-m", "al_core", "compare", "--model", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "--model" in proc.stderr and "logreg" in proc.stderr  # names what it accepts
