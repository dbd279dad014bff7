"""Headless tests of the Label page: class buttons, skip, undo, groups, uploads (the whole bad-file
corpus), the session round trip, a kept run after a change, and the race against a strategy.

AppTest cannot click Plotly points: the chart's selection handler is unit-tested in
test_selection.py, the click itself in test_label_browser.py. Here a selection is put where the
handler puts it (session state `lb_sel`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from test_upload_corpus import BAD

from al_core.data import csv_columns, load_csv
from al_core.formats.session import session_json
from al_core.loop import Config, Learner
from al_core.present.views import oracle_curve

CORPUS = Path(__file__).parent / "bad_csv"
NO_LABEL = "(none: I label every point)"


def open_label() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    at.switch_page("app_pages/label.py").run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def has_metric(at: AppTest, label: str) -> bool:
    return any(m.label == label for m in at.metric)


def run_of(at: AppTest):
    return at.session_state["learner"]


def top_suggestion(at: AppTest) -> int:
    run = run_of(at)
    return int(run.suggest(max(5, run.config.batch_size)).indices[0])


def upload(at: AppTest, key: str, name: str, data: bytes) -> AppTest:
    at.file_uploader(key=key).set_value((name, data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def shown(markdown: str) -> str:
    """What a person reads: the Markdown source without its backslash escapes (every string
    from a file is escaped on the page, see test_hostile_markup.py)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def errors(at: AppTest) -> str:
    return " | ".join(shown(e.value) for e in at.error)


# ---------------------------------------------------------------- labeling


def test_class_button_labels_the_preselected_top_suggestion():
    at = open_label()
    assert metric(at, "Labeled") == "60"
    top = top_suggestion(at)
    assert any(f"Point {top}" in m.value and "top suggestion" in m.value for m in at.markdown)
    at.button(key="label_1").click().run()
    run = run_of(at)
    assert metric(at, "Labeled") == "61"
    assert metric(at, "By you") == "1"
    assert run.steps[-1].queried == (top,) and run.steps[-1].labels == (1,)
    assert run.steps[-1].source == "you"
    assert any("labeled Class B" in c.value for c in at.caption)
    history = at.dataframe[0].value
    assert history.iloc[0].to_dict()["Point"] == top and history.iloc[0]["By"] == "you"
    assert len(history) == 61
    # the next top suggestion is selected at once: one key per label
    nxt = top_suggestion(at)
    assert nxt != top
    at.button(key="label_0").click().run()
    assert metric(at, "Labeled") == "62" and run.steps[-1].queried == (nxt,)


def test_a_clicked_point_and_a_group_are_labeled_as_selected():
    at = open_label()
    run = run_of(at)
    free = [int(i) for i in run.candidates[:4]]
    at.session_state["lb_sel"] = (free[0],)  # what the chart's click handler stores
    at.run()
    assert any(f"Point {free[0]}" in m.value for m in at.markdown)
    at.button(key="label_0").click().run()
    assert run.steps[-1].queried == (free[0],)
    at.session_state["lb_sel"] = tuple(free[1:])  # a box or lasso
    at.run()
    assert any("3 points selected" in m.value for m in at.markdown)
    at.button(key="label_1").click().run()
    assert run.steps[-1].queried == tuple(free[1:]) and run.steps[-1].labels == (1, 1, 1)
    assert metric(at, "Labeled") == "64" and metric(at, "By you") == "4"
    assert run.step_number == 2  # the group went in as one step


def test_undo_takes_back_labels_and_reselects_the_point():
    at = open_label()
    first = top_suggestion(at)
    at.button(key="label_0").click().run()
    at.button(key="label_1").click().run()
    assert metric(at, "Labeled") == "62"
    at.button(key="label_undo").click().run()
    assert metric(at, "Labeled") == "61"
    at.button(key="label_undo").click().run()
    assert metric(at, "Labeled") == "60"
    assert at.session_state["lb_sel"] == (first,)  # a corrected label is one key away
    assert any("is unlabeled again and selected" in c.value for c in at.caption)
    assert at.button(key="label_undo").disabled  # the starting labels stay
    assert not at.exception


def test_skip_sets_the_point_aside_and_moves_to_the_next():
    at = open_label()
    top = top_suggestion(at)
    at.button(key="label_skip").click().run()
    run = run_of(at)
    assert top in run.skipped and metric(at, "Labeled") == "60"
    assert top_suggestion(at) != top
    assert any("Set aside point" in c.value for c in at.caption)
    assert any("1 point set aside" in c.value for c in at.caption)  # not "point(s)"


def test_wrong_labels_are_counted_and_the_oracle_curve_differs():
    at = open_label()
    run = run_of(at)
    for _ in range(3):
        top = top_suggestion(at)
        at.button(key=f"label_{1 - int(run.dataset.y[top])}").click().run()  # always wrong
    assert metric(at, "Differ from truth") == "3"
    assert any("the 3 labels that differ from the truth" in c.value for c in at.caption)
    history = at.dataframe[0].value
    assert history["Truth"].str.startswith("✗").sum() == 3
    curve = at.session_state["lb_memo"]
    assert len(curve) >= 1  # the exact-oracle replay had to fit where labels differ


# ---------------------------------------------------------------- your own data


def test_every_bad_csv_gives_an_error_and_keeps_the_session():
    at = open_label()
    at.button(key="label_0").click().run()
    run = run_of(at)
    for name in sorted(BAD):
        upload(at, "csv_file", name, (CORPUS / name).read_bytes())
        message = errors(at)
        assert f"{name} was not loaded" in message, (name, message)
        assert "Your current session is kept" in message
        assert any(w.lower() in message.lower() for w in BAD[name]), (name, message)
        assert run_of(at) is run and metric(at, "By you") == "1"
    assert "upload_dataset" not in at.session_state


def test_a_labeled_csv_starts_a_run_with_a_label_column_picker():
    at = open_label()
    upload(at, "csv_file", "good_2d_labeled.csv", (CORPUS / "good_2d_labeled.csv").read_bytes())
    run = run_of(at)
    assert run.config.dataset == "upload" and run.dataset is at.session_state["upload_dataset"]
    assert at.selectbox(key="cfg_dataset").value == "upload"
    assert at.selectbox(key="upload_label_pick").value == "label"
    assert has_metric(at, "Accuracy") and not at.error
    assert any("Labeling **good_2d_labeled.csv**" in shown(m.value) for m in at.markdown)
    at.button(key="label_0").click().run()
    assert metric(at, "By you") == "1"
    # "none" cannot be right for a file whose label column holds text: refused, nothing changes
    at.selectbox(key="upload_label_pick").set_value(NO_LABEL).run()
    assert "cannot be the label column" in errors(at) and "'label'" in errors(at)
    assert run_of(at) is run and at.selectbox(key="upload_label_pick").value == "label"
    # a feature as the label column leaves the text labels as a feature: refused too
    at.selectbox(key="upload_label_pick").set_value("x").run()
    assert "'label' is not numeric" in errors(at) and run_of(at) is run
    assert not at.exception


def test_an_unlabeled_csv_with_five_features_is_labeled_from_scratch():
    at = open_label()
    upload(at, "csv_file", "good_5d_unlabeled.csv", (CORPUS / "good_5d_unlabeled.csv").read_bytes())
    run = run_of(at)
    assert run.n_labeled == 0 and not run.dataset.has_truth
    assert metric(at, "Labeled") == "0" and has_metric(at, "Confidence")
    assert not has_metric(at, "Accuracy")
    assert any("principal components" in c.value for c in at.caption)
    assert any("no label column" in c.value for c in at.caption)
    at.button(key="label_0").click().run()
    at.button(key="label_1").click().run()
    assert metric(at, "Labeled") == "2" and run.classes_seen == 2
    assert [s.source for s in run.steps[1:]] == ["you", "you"]
    history = at.dataframe[0].value
    assert "Truth" not in history.columns and len(history) == 2
    # the race needs ground truth, and says so
    at.segmented_control(key="label_mode").set_value("You vs the strategy").run()
    assert any("needs the true labels" in i.value for i in at.info)
    assert not at.exception


def test_replacing_a_run_with_your_labels_keeps_it_to_bring_back():
    at = open_label()
    at.button(key="label_0").click().run()
    at.button(key="label_1").click().run()
    old = run_of(at)
    upload(at, "csv_file", "good_2d_labeled.csv", (CORPUS / "good_2d_labeled.csv").read_bytes())
    assert run_of(at) is not old
    assert any("2 labels by you" in m.value for m in at.markdown)
    at.button(key="lb_restore_0").click().run()
    assert run_of(at).to_json() == old.to_json() and metric(at, "By you") == "2"
    assert at.selectbox(key="cfg_dataset").value == "moons"
    # the upload it swapped out is kept in turn? It had no labels by you, so nothing to keep
    assert not at.session_state["lb_kept"]
    # a sidebar change also keeps the run
    at.selectbox(key="cfg_model").set_value("knn").run()
    assert run_of(at) is not old and run_of(at).config.model == "knn"
    at.button(key="lb_restore_0").click().run()
    assert run_of(at).to_json() == old.to_json()
    assert at.selectbox(key="cfg_model").value == "logreg"
    assert not at.exception


# ---------------------------------------------------------------- sessions


def test_a_session_survives_download_and_upload_unchanged():
    at = open_label()
    at.button(key="label_0").click().run()
    at.button(key="label_skip").click().run()
    at.session_state["lb_sel"] = tuple(int(i) for i in run_of(at).candidates[:3])
    at.run()
    at.button(key="label_1").click().run()
    before = run_of(at)
    text = session_json(before)
    fresh = open_label()
    upload(fresh, "session_file", "ask-next-session.json", text.encode())
    after = run_of(fresh)
    assert after is not before and after.to_json() == before.to_json()
    assert after.skipped == before.skipped
    assert metric(fresh, "Labeled") == metric(at, "Labeled")
    assert any("Session restored" in c.value for c in fresh.caption)
    fresh.button(key="label_0").click().run()  # and labeling continues
    assert after.n_labeled == before.n_labeled + 1
    assert not fresh.exception


def test_an_uploaded_csv_session_round_trips_with_its_data():
    at = open_label()
    data = (CORPUS / "good_semicolon.csv").read_bytes()
    upload(at, "csv_file", "good_semicolon.csv", data)
    at.button(key="label_2").click().run()
    at.button(key="label_0").click().run()
    before = run_of(at)
    text = session_json(before, data, at.session_state["upload_label_column"])
    fresh = open_label()
    upload(fresh, "session_file", "s.json", text.encode())
    after = run_of(fresh)
    assert after.to_json() == before.to_json()
    assert fresh.session_state["upload_bytes"] == data
    assert fresh.selectbox(key="cfg_dataset").value == "upload"
    assert fresh.selectbox(key="upload_label_pick").value == "species"
    assert after.dataset.class_names == ("cat", "dog", "fox")
    assert not fresh.exception


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "empty"),
        (b"not json at all", "not valid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        (json.dumps({"format": "something else"}).encode(), "not an Ask Next session"),
    ],
)
def test_a_bad_session_file_is_refused_and_the_run_kept(content, words):
    at = open_label()
    at.button(key="label_0").click().run()
    run = run_of(at)
    upload(at, "session_file", "bad.json", content)
    assert words in errors(at) and "Your current session is kept" in errors(at)
    assert run_of(at) is run and metric(at, "By you") == "1"


def test_a_tampered_session_is_refused():
    at = open_label()
    at.button(key="label_0").click().run()
    body = json.loads(session_json(run_of(at)))
    body["learner"]["steps"][0][1] = [1 - body["learner"]["steps"][0][1][0]]
    upload(at, "session_file", "edited.json", json.dumps(body).encode())
    assert "checksum" in errors(at)


def test_the_save_buttons_are_there():
    at = open_label()
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Labels (CSV)", "Session (JSON)"], labels


# ---------------------------------------------------------------- you versus the strategy


def test_race_mode_starts_both_from_the_same_labels():
    at = open_label()
    at.segmented_control(key="label_mode").set_value("You vs the strategy").run()
    assert not at.exception, at.exception
    assert any("Can you beat Margin sampling?" in m.value for m in at.markdown)
    assert metric(at, "Your picks") == "0"
    race = at.session_state["lb_race"]
    assert race.you.labeled == race.them.labeled and race.them.config.strategy == "margin"
    assert race.you.config.oracle_noise == 0.0
    assert any("Target: 95%" in c.value for c in at.caption)
    # picks happen on the chart (browser test); here the race is advanced as the click does
    pick = int(race.you.candidates[0])
    race.you.teach([pick], [race.you.dataset.y[pick]], "you")
    race.them.step(1)
    at.run()
    assert metric(at, "Your picks") == "1"
    assert race.them.n_labeled == race.you.n_labeled == 61
    at.button(key="race_undo").click().run()
    assert race.you.n_labeled == race.them.n_labeled == 60
    # a different opponent is a fresh race
    at.selectbox(key="vs_opponent").set_value("entropy").run()
    assert any("Can you beat Entropy sampling?" in m.value for m in at.markdown)
    assert at.session_state["lb_race"].them.config.strategy == "entropy"
    # the main run was never touched
    assert run_of(at).n_labeled == 60 and run_of(at).step_number == 0


def test_race_cold_start_button_sets_a_fair_race():
    at = open_label()
    at.segmented_control(key="label_mode").set_value("You vs the strategy").run()
    at.button(key="race_fair").click().run()
    assert not at.exception, at.exception
    run = run_of(at)
    assert run.config.initial == 4 and run.config.model == "svm_rbf"
    race = at.session_state["lb_race"]
    assert race.you.n_labeled == race.them.n_labeled == 4
    assert "race_fair" not in [b.key for b in at.button]
    _, you_acc = race.you.curve()
    assert np.isfinite(you_acc).all()


def test_class_keys_are_one_two_three_or_the_digit_itself():
    at = open_label()
    assert [at.button(key=f"label_{c}").proto.shortcut for c in range(2)] == ["1", "2"]
    at.selectbox(key="cfg_dataset").set_value("digits").run()
    assert not at.exception, at.exception
    keys = [at.button(key=f"label_{c}").proto.shortcut for c in range(10)]
    assert keys == [str(c) for c in range(10)]  # class "0" is key 0, not key 1
    top = top_suggestion(at)
    at.button(key="label_7").click().run()
    assert run_of(at).steps[-1].queried == (top,) and run_of(at).steps[-1].labels == (7,)


def test_when_every_point_is_labeled_or_skipped_nothing_breaks():
    at = open_label()
    at.number_input(key="cfg_n_samples").set_value(50).run()
    at.number_input(key="cfg_initial").set_value(40).run()
    run = run_of(at)
    remaining = len(run.candidates)
    at.session_state["lb_sel"] = tuple(int(i) for i in run.candidates[:-1])
    at.run()
    at.button(key="label_0").click().run()
    at.button(key="label_skip").click().run()  # the last one is set aside
    assert not at.exception, at.exception
    assert len(run.candidates) == 0 and run.n_labeled == 40 + remaining - 1
    assert any("Every point is labeled or set aside" in m.value for m in at.markdown)
    assert at.button(key="label_0").disabled and at.button(key="label_skip").disabled
    at.button(key="label_undo").click().run()  # and undo still works
    assert run.n_labeled == 40 and not at.exception


# ---------------------------------------------------------------- the helpers the page relies on


def test_oracle_curve_equals_a_real_replay_with_true_labels():
    run = Learner(Config(initial=4, model="svm_rbf"))
    y = run.dataset.y
    for wrong in (False, True, False, True, False):
        q = run.suggest().indices
        run.teach(q, 1 - y[q] if wrong else y[q], "you")
    replay = Learner(run.config)
    for s in run.steps[1:]:
        replay.teach(s.queried, y[list(s.queried)], "oracle")
    memo: dict[int, float] = {}
    n, acc = oracle_curve(run, memo)
    assert list(n) == [s.n_labeled for s in run.steps]
    assert np.allclose(acc, replay.curve()[1])
    assert not np.allclose(acc, run.curve()[1])  # the wrong labels made a difference
    assert len(memo) == 4  # fits only from the first disagreement on
    undone = run.steps[-1].queried
    run.undo()
    before = len(memo)
    run.teach(undone, y[list(undone)], "you")  # the same point again, labeled right this time
    oracle_curve(run, memo)
    assert len(memo) == before  # the oracle's answer to the same queries is remembered
    other = [int(i) for i in run.candidates if i not in undone][:1]
    run.undo()
    run.teach(other, y[other], "you")
    assert np.allclose(oracle_curve(run, memo)[1][:-1], acc[:-1])
    assert len(memo) == before + 1  # a different point: one more fit
    unlabeled = load_csv((CORPUS / "good_5d_unlabeled.csv").read_bytes())
    with pytest.raises(ValueError, match="no ground truth"):
        oracle_curve(Learner(Config(dataset="upload", initial=0), unlabeled))


@pytest.mark.parametrize(
    "name, columns, guess",
    [
        ("good_2d_labeled.csv", ["x", "y", "label"], "label"),
        ("good_5d_unlabeled.csv", ["a", "b", "c", "d", "e"], None),
        ("good_semicolon.csv", ["height", "weight", "species"], "species"),
        ("good_tab_separated.csv", ["x", "y", "label"], "label"),
        ("good_trailing_commas.csv", ["x", "y", "label"], "label"),
        ("png_renamed.csv", [], None),
    ],
)
def test_csv_columns_offers_the_header_and_the_guess(name, columns, guess):
    assert csv_columns((CORPUS / name).read_bytes()) == (columns, guess)
