"""A person as the oracle (al_core.labeling): what a class key labels, how points are named and
counted, and what each action on the Label page says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from al_core.data import load_csv
from al_core.loop import Config, Learner
from al_core.present import labeling as lab

CORPUS = Path(__file__).parent / "bad_csv"
SMALL = Config(n_samples=120, initial=4, model="logreg")


@pytest.fixture
def run() -> Learner:
    return Learner(SMALL)


def upload_run(name: str, initial: int = 0) -> Learner:
    return Learner(
        Config(dataset="upload", initial=initial), load_csv((CORPUS / name).read_bytes())
    )


def test_only_labels_by_you_are_counted(run):
    assert lab.labels_by_you(run) == 0
    run.step()
    run.teach([int(i) for i in run.candidates[:3]], [0, 1, 0], "you")
    run.teach([int(run.candidates[0])], [1], "random")
    assert lab.labels_by_you(run) == 3
    run.undo(2)
    assert lab.labels_by_you(run) == 0


def test_counts_and_names_read_as_sentences(run):
    assert [lab.count_labels(n) for n in (0, 1, 2)] == ["0 labels", "1 label", "2 labels"]
    assert run.dataset.point_name(7) == "point 7"
    csv = upload_run("good_2d_labeled.csv").dataset
    assert csv.point_name(3) == f"row {int(csv.row_ids[3])}"


def test_suggestions_rank_at_least_a_batch_and_are_empty_when_nothing_is_left(run):
    top = lab.suggestions(run)
    assert len(top) == lab.SHOWN and list(top) == list(run.suggest(lab.SHOWN).indices)
    batch = Learner(Config(n_samples=120, initial=4, batch_size=8))
    assert len(lab.suggestions(batch)) == 8
    for i in run.candidates:
        run.skip(int(i))
    assert len(lab.suggestions(run)) == 0


def test_your_selection_wins_until_it_is_labeled_then_the_top_suggestion(run):
    top = int(lab.suggestions(run)[0])
    assert lab.current_selection(run, ()) == ((top,), True)
    free = [int(i) for i in run.candidates[:3] if int(i) != top]
    assert lab.current_selection(run, free) == (tuple(free), False)
    run.teach([free[0]], [0], "you")
    assert lab.current_selection(run, free) == (tuple(free[1:]), False)  # labeled ones drop out
    labeled, stale = run.labeled[0], len(run.dataset) + 5  # e.g. from a bigger, older run
    new_top = int(lab.suggestions(run)[0])
    assert lab.current_selection(run, (labeled, stale)) == ((new_top,), True)
    for i in run.candidates:
        run.skip(int(i))
    assert lab.current_selection(run, ()) == ((), True)


def test_class_keys_are_positions_unless_the_classes_are_digits():
    assert lab.class_keys(("Class A", "Class B", "Class C")) == ["1", "2", "3"]
    assert lab.class_keys(tuple(str(d) for d in range(10))) == [str(d) for d in range(10)]
    assert lab.class_keys(("0", "1")) == ["0", "1"]  # a CSV labeled 0/1: the key is the label
    assert lab.class_keys(("1", "cat")) == ["1", "2"]


def test_messages_say_what_an_action_did(run):
    i = int(run.candidates[0])
    run.teach([i], [1], "you")
    acc = run.steps[-1].metrics["accuracy"]
    change = acc - run.steps[-2].metrics["accuracy"]
    assert lab.score_change(run) == f"Accuracy {acc:.1%} ({change:+.1%})."
    assert lab.labeled_message(run, [i], 1).startswith(f"Point {i} labeled Class B. Accuracy")
    assert lab.labeled_message(run, [1, 2], 0).startswith("2 points labeled Class A.")
    assert lab.skipped_message(run, [i]).startswith(f"Set aside point {i}: never suggested")
    assert lab.skipped_message(run, [1, 2, 3]).startswith("Set aside 3 points:")
    assert (
        lab.undone_message(run, run.steps[-1])
        == f"Undone: Point {i} (Class B by you) is unlabeled again and selected."
    )
    group = run.teach([int(j) for j in run.candidates[:2]], [0, 0], "you")
    assert lab.undone_message(run, group) == "Undone: 2 labels by you; those points are selected."


def test_without_ground_truth_the_score_is_the_confidence():
    run = upload_run("good_5d_unlabeled.csv")
    run.teach([0], [0], "you")
    run.teach([1], [1], "you")
    now, before = (run.steps[i].metrics["confidence"] for i in (-1, -2))
    assert lab.score_change(run) == f"Confidence {now:.1%} ({now - before:+.1%})."
    assert lab.labeled_message(run, [1], 1).startswith("Row 1 labeled Class B. Confidence")


def test_selection_summary_says_which_point_and_why(run):
    ranked = lab.suggestions(run)
    top, second = int(ranked[0]), int(ranked[1])
    text = lab.selection_summary(run, (top,), True, ranked)
    assert text.startswith(f"**Point {top}**, the model's top suggestion  \nThe model says: ")
    p = run.proba(run.dataset.X[[top]])[0]
    best = run.dataset.class_names[int(np.argmax(p))]
    assert f"{best} {p.max():.0%}" in text
    assert "suggestion 2" in lab.selection_summary(run, (second,), False, ranked)
    elsewhere = next(int(i) for i in run.candidates if int(i) not in ranked)
    assert "your pick" in lab.selection_summary(run, (elsewhere,), False, ranked)
    assert lab.selection_summary(run, (1, 2, 3), False, ranked).startswith("**3 points selected")
    assert (
        lab.selection_summary(run, (), True, ranked) == "**Every point is labeled or set aside.**"
    )


def test_the_labels_table_is_newest_first_and_checks_the_truth(run):
    y = run.dataset.y
    i, j = (int(k) for k in run.candidates[:2])
    run.teach([i], [int(y[i])], "you")
    run.teach([j], [1 - int(y[j])], "you")
    table = lab.labels_table(run)
    assert len(table) == run.n_labeled
    assert list(table.columns) == ["Step", "Point", "Label", "By", "Truth"]
    assert table.iloc[0].to_dict() == {
        "Step": 2,
        "Point": j,
        "Label": run.dataset.class_names[1 - int(y[j])],
        "By": "you",
        "Truth": f"✗ {run.dataset.class_names[int(y[j])]}",
    }
    assert table.iloc[1]["Truth"] == "✓" and table.iloc[-1]["By"] == "initial"
    unlabeled = upload_run("good_5d_unlabeled.csv")
    unlabeled.teach([0], [1], "you")
    assert "Truth" not in lab.labels_table(unlabeled).columns


def test_caveats_explain_puzzling_states(run):
    assert lab.caveats(run) == []
    cold = upload_run("good_5d_unlabeled.csv")
    notes = " ".join(lab.caveats(cold))
    assert "no model yet" in notes and "principal components" in notes
    assert "no label column" in notes
    run.skip(int(run.candidates[0]))
    assert lab.caveats(run) == ["1 point set aside: it stays unlabeled and unasked."]
