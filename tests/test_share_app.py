"""Share links through the real router: the address holds the state, bad values warn."""

from streamlit.testing.v1 import AppTest

from al_core import Learner
from al_core.formats.share import decode_state, encode_state


def run_with(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_address_follows_every_step():
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    at.button(key="step").click().run()
    at.button(key="step").click().run()
    decoded = decode_state(dict(at.query_params))
    assert len(decoded.steps) == 2
    assert decoded.config == at.session_state["learner"].config


def test_a_link_rebuilds_the_run_exactly():
    original = Learner()
    for _ in range(5):
        original.step()
    original.teach(
        [3], [1 - int(original.dataset.y[3])], "you"
    )  # a label that differs from the truth
    at = run_with(encode_state(original.to_dict(), {"present": True}))
    assert not at.exception
    rebuilt = at.session_state["learner"]
    assert rebuilt.to_json() == original.to_json()
    assert at.session_state["presenter"] is True
    labeled = next(m.value for m in at.metric if m.label == "Labeled")
    assert labeled == str(original.n_labeled)


def test_bad_values_are_clamped_or_ignored_with_a_warning():
    at = run_with({"noise": "9", "model": "nonsense", "seed": "abc", "q": "!!!"})
    assert not at.exception
    run = at.session_state["learner"]
    assert run.config.noise == 2.0 and run.config.model == "logreg"
    text = " ".join(w.value for w in at.warning)
    assert "Noise" in text and "nonsense" in text
