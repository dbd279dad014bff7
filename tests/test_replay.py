"""One replay path: a run rebuilt from a share link, a session file or its own JSON is the same
run, to the last note and metric; and links saved before that path existed open to the same run.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from urllib.parse import parse_qsl

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from al_core.formats.session import read_session, session_json
from al_core.formats.share import decode_state, encode_state, query_string, rebuild
from al_core.formats.spreadsheet import history_csv
from al_core.loop import COLD_START_NOTE, Config, Learner
from al_core.loop.replay import replay_json
from al_core.threads import one_thread

SAVED = Path(__file__).parent / "data" / "links_before_one_replay_path.json"
FAST_MODELS = ["logreg", "knn", "tree", "naive_bayes", "svm_rbf"]


@st.composite
def runs(draw) -> Learner:
    """A random config (cold starts included), stepped by the oracle and labeled by a person
    whose answers sometimes differ from the truth, with undos and set-aside points between."""
    config = Config(
        dataset=draw(st.sampled_from(["moons", "blobs", "xor"])),
        n_samples=draw(st.integers(40, 120)),
        seed=draw(st.integers(0, 2**32 - 1)),
        initial=draw(st.sampled_from([0, 0, 1, 2, 6])),
        model=draw(st.sampled_from(FAST_MODELS)),
        strategy=draw(st.sampled_from(["random", "least_confident", "margin", "coreset"])),
        batch_size=draw(st.integers(1, 3)),
        oracle_noise=draw(st.sampled_from([0.0, 0.3])),
        random_mix=draw(st.sampled_from([0.0, 0.5])),
    )
    learner = Learner(config)
    for op in draw(st.lists(st.sampled_from(["step", "you", "wrong", "undo", "skip"]), max_size=8)):
        if not len(learner.candidates):
            break
        if op == "step":
            learner.step()
        elif op in ("you", "wrong"):
            i = int(learner.suggest(1).indices[0])
            truth = int(learner.dataset.y[i])
            label = (truth + 1) % learner.dataset.n_classes if op == "wrong" else truth
            learner.teach([i], [label], "you")
        elif op == "undo":
            learner.undo()
        else:
            learner.skip(int(learner.candidates[0]))
    return learner


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_link_session_and_json_rebuild_the_identical_run(learner):
    with one_thread():
        url = query_string(encode_state(learner.to_dict()))
        from_link, warnings = rebuild(decode_state(dict(parse_qsl(url))))
        from_session = read_session(session_json(learner)).learner
        from_json = replay_json(learner.to_json())
    assert warnings == []
    for other in (from_link, from_session, from_json):
        assert other.to_json() == learner.to_json()
        assert history_csv(other) == history_csv(learner)
        assert [s.note for s in other.steps] == [s.note for s in learner.steps]


def test_a_cold_start_link_keeps_the_note_of_its_random_steps():
    """The bug: a link from init=0 lost the note, so its JSON differed after a round trip."""
    learner = Learner(Config(initial=0, model="svm_rbf"))
    for _ in range(3):
        learner.step()
    assert learner.steps[1].note == COLD_START_NOTE
    rebuilt, _ = rebuild(decode_state(encode_state(learner.to_dict())))
    assert rebuilt.steps[1].note == COLD_START_NOTE
    assert rebuilt.to_json() == learner.to_json()


def _same_history(now: str, then: str) -> bool:
    """The same steps, sources, queries and labels exactly, and the same metrics to 1e-9: the
    last digit of a log loss may differ between scikit-learn or BLAS builds, a run may not."""
    a, b = list(csv.reader(io.StringIO(now))), list(csv.reader(io.StringIO(then)))
    if len(a) != len(b) or a[0] != b[0]:
        return False
    for row_a, row_b in zip(a[1:], b[1:]):
        for x, y in zip(row_a, row_b, strict=True):
            try:
                fx, fy = float(x), float(y)
            except ValueError:
                if x != y:
                    return False
                continue
            if not math.isclose(fx, fy, rel_tol=1e-9, abs_tol=1e-12):
                return False
    return True


def test_links_saved_before_the_one_replay_path_open_to_the_same_run():
    saved = json.loads(SAVED.read_text())
    assert len(saved) >= 5 and any("init=0" in s["query"] for s in saved)
    for case in saved:
        run, warnings = rebuild(decode_state(dict(parse_qsl(case["query"]))))
        assert warnings == [], case["name"]
        assert run.to_json() == case["to_json"], case["name"]
        assert _same_history(history_csv(run), case["history_csv"]), case["name"]
