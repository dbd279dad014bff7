"""Hostile input: what a stranger can send (links, session files, CSVs, settings) is bounded by
its cost, refused with a clear message, and never loses what a person labeled. Beside the
bad-CSV corpus (test_upload_corpus.py) and the markup tests (test_hostile_markup.py)."""

from __future__ import annotations

import base64
import gzip
import io
import json
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from al_core.data import DataError, load_csv
from al_core.formats.packing import SharedStep, pack_steps
from al_core.formats.session import history_json, read_session, session_json
from al_core.formats.share import decode_state, rebuild
from al_core.loop import Config, Learner, cost
from al_core.loop.replay import replay

HEAVY = [
    # (link, what the refusal must say)
    ({"n": "20000", "init": "20000", "model": "svm_rbf", "m.C": "1000", "m.gamma": "100"}, "step"),
    ({"n": "5000", "init": "5000", "model": "gp"}, "step"),
    ({"n": "20000", "init": "20000", "model": "gp"}, "GB"),
    (
        {
            "ds": "digits",
            "model": "gboost",
            "m.n_estimators": "300",
            "m.max_depth": "8",
            "strat": "qbc_vote",
            "s.committee_size": "15",
        },
        "step",
    ),
]


@pytest.mark.parametrize(("params", "words"), HEAVY)
def test_costly_settings_in_range_are_refused_before_they_run(params, words):
    decoded = decode_state(params)
    problem = cost.opening_problem(decoded.config)
    assert (words in problem and "allows" in problem) or "GB" in problem
    run, warnings = rebuild(decoded)  # the link opens the default scenario instead, saying why
    assert run.config == Config().validated()
    assert any("cannot be used" in w for w in warnings)


def test_the_default_and_every_lesson_fit_the_budget():
    from al_core.experiments.lesson_catalog import LESSONS

    assert cost.opening_problem(Config()) == ""
    for lesson in LESSONS:
        assert cost.opening_problem(lesson.config) == "", lesson.slug


def long_link(steps: int = 2000, batch: int = 10, n: int = 20000) -> dict:
    """The issue's link: 2,000 steps of 10 labels on 20,000 points with an RBF SVM."""
    start: set[int] = set()  # from no labels, as the link
    rng = np.random.default_rng(0)
    order = [int(i) for i in rng.permutation(n) if int(i) not in start][: steps * batch]
    packed = [
        SharedStep(tuple(order[k : k + batch]), tuple(j % 2 for j in range(batch)), "you")
        for k in range(0, len(order), batch)
    ]
    return {"n": str(n), "model": "svm_rbf", "init": "0", "q": pack_steps(packed)}


def test_a_link_of_2000_steps_is_cut_to_its_budget_and_says_what_was_kept():
    decoded = decode_state(long_link())
    assert len(decoded.steps) == 2000
    run, warnings = rebuild(decoded)
    assert 0 < run.step_number < 2000
    said = " ".join(warnings)
    assert f"Replayed the first {run.step_number:,} of 2,000 steps" in said
    assert "would take about" in said
    replayed = cost.replay(run.config, [10] * run.step_number, 0, 2)
    assert replayed[-1] <= cost.REPLAY_BUDGET_S


def test_the_clock_stops_a_replay_whose_estimate_was_beaten(monkeypatch):
    """Labels crafted to be slow can beat the estimate: the clock still stops the rebuild."""
    monkeypatch.setattr(cost, "replay", lambda config, sizes, start, k, dims=2: [0.0] * len(sizes))
    decoded = decode_state(long_link(steps=400))
    run, warnings = rebuild(decoded, budget_s=0.25)
    assert 0 < run.step_number < 400  # without the clock all 400 would be replayed
    assert f"Replayed the first {run.step_number:,} of 400 steps" in " ".join(warnings)
    assert len(warnings) == 1  # the clock's count, not also the estimate's
    with pytest.raises(ValueError, match="longer than this server allows"):
        replay(decoded.config, decoded.steps, budget_s=0.25)


def test_a_cut_link_keeps_its_whole_history_to_download():
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.query_params.update(long_link(steps=600))
    at.run()
    assert not at.exception, at.exception
    kept = at.session_state["lb_kept"]
    assert kept and not kept[0].whole and "600 steps" in kept[0].reason
    session = json.loads(history_json(kept[0].run, kept[0].labels))
    assert len(session["learner"]["steps"]) == 600  # every label goes home
    assert any(b.key == "lb_download_0" for b in at.get("download_button"))


def test_a_session_file_of_20000_steps_is_refused_within_its_budget():
    run = Learner(Config(n_samples=20000, initial=4, model="svm_rbf"))
    body = json.loads(session_json(run))
    order = np.random.default_rng(1).permutation(20000)[:19000]
    body["learner"]["steps"] = [[[int(i)], [0], "you"] for i in order]
    body["n_labeled"] = 4 + len(order)
    text = history_json(body["learner"], body["n_labeled"])
    with pytest.raises(ValueError, match="would take about"):
        read_session(text, budget_s=cost.REPLAY_BUDGET_S)


def test_a_wide_header_is_refused_at_once():
    header = ",".join(f"c{i}" for i in range(50_000)) + ",label\n"
    with pytest.raises(DataError, match="50,001 columns"):
        load_csv((header + "1," * 50_000 + "a\n").encode())


def test_a_duplicate_name_is_found_without_a_quadratic_search():
    names = [f"c{i}" for i in range(40)] + ["c3"]
    with pytest.raises(DataError, match="'c3' more than once"):
        load_csv((",".join(names) + "\n" + ",".join(["1"] * 41) + "\n").encode())


def test_compressed_bombs_and_huge_files_are_refused_with_a_message():
    bomb = gzip.compress(b"0" * 50_000_000)  # a CSV upload is never decompressed
    with pytest.raises(DataError):
        load_csv(bomb)
    q = base64.urlsafe_b64encode(bytes([2]) + zlib.compress(b"\x00" * 5_000_000, 9)).decode()
    decoded = decode_state({"q": q.rstrip("=")})
    assert decoded.steps == [] and any("damaged" in w for w in decoded.warnings)
    with pytest.raises(ValueError, match="too large"):
        read_session(b" " * (64 * 2**20 + 1))


def test_numbers_that_are_not_numbers_never_reach_a_model():
    for text in ("nan", "inf", "-inf", "1e999", "-0", "0x10", "1_000", "١٢"):
        config = decode_state({"noise": text, "n": text, "m.C": text}).config
        assert config == config.validated() and np.isfinite(config.noise)
        assert config.noise >= 0 and str(config.noise) != "-0.0"


def test_duplicate_keys_and_deep_nesting_in_a_session_are_refused_as_text():
    deep = '{"format": "ask-next-session", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ValueError, match=r"nested too deeply|not valid JSON|not an Ask Next"):
        read_session(deep)
    twice = session_json(Learner()).replace('"version":1', '"version":1,"version":9', 1)
    with pytest.raises(ValueError):
        read_session(twice)


LINK_KEYS = st.sampled_from(["ds", "n", "init", "model", "strat", "batch", "m.C", "m.k", "q"])
LINK_VALUES = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"-?[0-9]{0,8}(\.[0-9]{0,4})?(e[0-9]{1,3})?", fullmatch=True),
    st.sampled_from(["svm_rbf", "gp", "gboost", "digits", "20000", "100000", "qbc_vote"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(LINK_KEYS, LINK_VALUES, max_size=6))
def test_fuzzed_links_never_raise_and_stay_within_budget(params):
    decoded = decode_state(params)
    run, _ = rebuild(decoded)
    start = run.steps[0].n_labeled
    sizes = [len(s.queried) for s in run.steps[1:]]
    if sizes:
        assert (
            cost.replay(run.config, sizes, start, run.dataset.n_classes)[-1] <= cost.REPLAY_BUDGET_S
        )
    assert cost.opening_problem(run.config) == ""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_fuzzed_session_files_never_raise_anything_but_a_message(data):
    try:
        read_session(data, budget_s=cost.REPLAY_BUDGET_S)
    except ValueError as exc:
        assert str(exc)


def test_a_fuzzed_valid_session_replays_within_budget_or_says_why():
    body = json.loads(session_json(Learner(Config(model="gp", initial=60))))
    body["learner"]["steps"] = [[[i], [0], "you"] for i in range(100, 400)]
    body["n_labeled"] = 60 + 300
    try:
        session = read_session(history_json(body["learner"], body["n_labeled"]), budget_s=4.0)
    except ValueError as exc:
        assert "would take about" in str(exc) or "cannot be replayed" in str(exc)
    else:
        assert session.learner.n_labeled == 360


def test_an_upload_that_is_refused_keeps_the_run():
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    at.switch_page("app_pages/label.py").run()
    at.button(key="label_0").click().run()
    before = at.session_state["learner"].to_json()
    at.file_uploader(key="csv_file").set_value(
        ("wide.csv", io.BytesIO(("a," * 60_000 + "b\n").encode()).getvalue(), "text/csv")
    ).run()
    assert at.error and at.session_state["learner"].to_json() == before
