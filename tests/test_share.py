"""Share links: a run survives the round trip through a URL, and no URL can break a page."""

from __future__ import annotations

import base64
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from al_core.formats.share import (
    SOURCE_CODES,
    STEPS_KEY,
    VIEW_DEFAULTS,
    DecodedState,
    SharedStep,
    decode_state,
    encode_state,
    pack_steps,
    query_string,
    rebuild,
    share_url,
    unpack_steps,
)
from al_core.loop import SOURCES, Config, Learner
from al_core.loop.schema import FIELDS

BASE = "https://asknext.example.org/explore"


def mixed_session() -> Learner:
    """Oracle, noisy oracle, random and 'you' steps (some labels against the truth), an undo, a
    skipped point and a non-default config: everything a link has to carry."""
    config = Config(
        dataset="blobs",
        n_samples=300,
        noise=0.3,
        seed=7,
        n_classes=4,
        initial=10,
        model="knn",
        strategy="margin",
        batch_size=2,
        random_mix=0.5,
        oracle_noise=0.2,
        model_params={"k": 3},
    )
    learner = Learner(config)
    for _ in range(3):
        learner.step()
    y = learner.dataset.y
    free = [int(i) for i in learner.candidates[:6]]
    learner.teach(free[:2], [(y[free[0]] + 1) % 4, y[free[1]]], "you")  # one label is wrong
    learner.teach([free[2]], [(y[free[2]] + 2) % 4], "you")
    learner.teach([free[3]], [y[free[3]]], "random")
    learner.step()
    learner.undo()
    learner.teach([free[4]], [y[free[4]]], "oracle")
    learner.skip(free[5])
    assert learner.disagreements().size >= 2
    return learner


def test_round_trip_rebuilds_the_same_run():
    learner = mixed_session()
    view = {"band_low": 0.3, "band_high": 0.7, "present": True, "utility": True, "ghost": False}
    params = encode_state(learner.to_dict(), view)
    decoded = decode_state(params)
    assert decoded.warnings == []
    assert decoded.view == view
    rebuilt, warnings = rebuild(decoded)
    assert warnings == []
    assert rebuilt.to_json() == learner.to_json()
    assert rebuilt.steps[-1].metrics == learner.steps[-1].metrics
    assert rebuilt.labels == learner.labels and rebuilt.skipped == learner.skipped
    assert [s.source for s in rebuilt.steps] == [s.source for s in learner.steps]


def test_round_trip_through_a_real_url():
    """The way a browser hands parameters back: parsed from the address, lists of strings."""
    from urllib.parse import parse_qs, urlsplit

    learner = mixed_session()
    url = share_url(BASE + "?old=1", encode_state(learner.to_dict(), {"present": True}))
    assert url.startswith(BASE + "?ds=blobs&n=300&noise=0.3&seed=7&classes=4&init=10&model=knn")
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True)
    decoded = decode_state(parsed)
    assert rebuild(decoded)[0].to_json() == learner.to_json()
    assert decoded.view["present"] is True


def test_the_default_scenario_is_an_empty_query():
    assert encode_state(Learner().to_dict(), {}) == {}
    assert encode_state(Learner().to_dict(), dict(VIEW_DEFAULTS)) == {}
    assert share_url(BASE, {}) == BASE
    decoded = decode_state({})
    assert decoded.config == Config().validated() and decoded.steps == [] and not decoded.warnings
    assert decoded.view == VIEW_DEFAULTS


def test_readable_keys_for_changed_settings():
    learner = Learner(
        Config(
            dataset="moons",
            n_samples=250,
            noise=0.1,
            seed=3,
            initial=4,
            model="svm_rbf",
            model_params={"C": 100.0, "gamma": 2.5},
            strategy="density_weighted",
            strategy_params={"beta": 2.0},
            batch_size=5,
            imbalance=0.25,
            oracle_noise=0.1,
        )
    )
    params = encode_state(learner.to_dict(), {"ghost": True, "band_low": 0.4, "band_high": 0.6})
    assert params == {
        "n": "250",
        "noise": "0.1",
        "seed": "3",
        "imb": "0.25",
        "init": "4",
        "model": "svm_rbf",
        "m.C": "100",
        "m.gamma": "2.5",
        "strat": "density_weighted",
        "s.beta": "2",
        "batch": "5",
        "onoise": "0.1",
        "band": "0.4-0.6",
        "ghost": "1",
    }
    rebuilt, warnings = rebuild(decode_state(params))
    assert warnings == [] and rebuilt.config == learner.config


def measured_length(learner: Learner) -> int:
    return len(share_url(BASE, encode_state(learner.to_dict(), {})))


def test_a_200_step_session_fits_well_inside_2000_characters():
    learner = Learner(Config(seed=11))
    for _ in range(200):
        learner.step()
    length = measured_length(learner)
    print(f"\nURL for 200 steps, batch 1, 600-point pool: {length} characters")
    assert length < 2000
    assert len(encode_state(learner.to_dict(), {})[STEPS_KEY]) < 450


def test_packed_lengths_for_larger_sessions():
    """Without a learner (fast): the q parameter alone, for sizes the UI allows."""
    rng = np.random.default_rng(0)

    def q_len(pool: int, steps: int, batch: int, classes: int, source: str = "oracle") -> int:
        idx = rng.permutation(pool)[: steps * batch].reshape(steps, batch)
        lab = rng.integers(0, classes, size=(steps, batch))
        return len(pack_steps([SharedStep(tuple(i), tuple(v), source) for i, v in zip(idx, lab)]))

    sizes = {
        "200 steps x1, 600 pool, 2 classes": q_len(600, 200, 1, 2),
        "200 steps x1, 20000 pool, 10 classes": q_len(20_000, 200, 1, 10),
        "200 steps x5, 2000 pool, 3 classes": q_len(2000, 200, 5, 3),
        "500 steps x1, 600 pool, 2 classes (you)": q_len(600, 500, 1, 2, "you"),
    }
    print()
    for name, n in sizes.items():
        print(f"q for {name}: {n} characters")
    assert sizes["200 steps x1, 600 pool, 2 classes"] < 400
    assert sizes["200 steps x1, 20000 pool, 10 classes"] < 700


def test_pack_format_is_stable():
    """Old links must keep working: this exact text decodes to this exact sequence."""
    steps = [
        SharedStep((5,), (1,), "oracle"),
        SharedStep((9,), (0,), "oracle"),
        SharedStep((2, 7), (1, 1), "you"),
        SharedStep((3,), (0,), "noisy oracle"),
    ]
    text = pack_steps(steps, [4])
    assert text == "AQQBAwIBAQECAwEBAgFcivMg"
    assert unpack_steps(text) == (steps, [4])


def test_sources_have_codes():
    assert set(SOURCES) <= set(SOURCE_CODES)
    assert SOURCE_CODES[:5] == ("initial", "oracle", "noisy oracle", "you", "random")


@pytest.mark.parametrize("compress", [False, True])
def test_unpack_reads_plain_and_compressed_payloads(compress: bool):
    # Long runs of one point and label compress well: the packer chooses zlib for those.
    steps = [SharedStep((i,), (0,), "you") for i in range(0, 400, 2)] if compress else []
    steps += [SharedStep((1000,), (3,), "random")]
    text = pack_steps(steps)
    flag = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))[0]
    assert flag == (2 if compress else 1)
    assert unpack_steps(text) == (steps, [])


# ------------------------------------------------------------------------ bad links


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"noise": "9"}, "Noise 9 is out of range (0 to 2); using 2."),
        ({"noise": "abc"}, "Noise 'abc' is not a number; ignored."),
        ({"n": "5"}, "Samples 5 is out of range (20 to 20000); using 20."),
        ({"n": "600.4"}, "Samples 600.4 is not a whole number; using 600."),
        ({"seed": "-1"}, "Seed -1 is out of range (0 to 4294967295); using 0."),
        ({"batch": "1e9"}, "Batch size 1e9 is out of range (1 to 100); using 100."),
        ({"onoise": "nan"}, "Oracle noise 'nan' is not a number; ignored."),
        ({"model": "foo"}, "Unknown model 'foo' ignored; using Logistic regression."),
        ({"strat": "psychic"}, "Unknown strategy 'psychic' ignored; using Least confident."),
        ({"ds": "mnist"}, "Unknown dataset 'mnist' ignored; using Two moons."),
        ({"classes": "3"}, "Two moons has a fixed number of classes; 'classes=3' ignored."),
        ({"ds": "blobs", "classes": "9"}, "Classes 9 is out of range (2 to 6); using 6."),
        ({"m.C": "5"}, None),
        ({"model": "knn", "m.C": "5"}, "Unknown model setting 'm.C' ignored (accepted: k)."),
        ({"model": "knn", "m.k": "500"}, "Neighbours k 500 is out of range (1 to 50); using 50."),
        ({"s.beta": "1"}, "Unknown strategy setting 's.beta' ignored (accepted: none)."),
        ({"band": "0.7-0.2"}, "Band 0.7-0.2: low is above high; swapped."),
        ({"band": "wide"}, "Band 'wide' is not 'low-high' (like 0.45-0.55); ignored."),
        ({"present": "maybe"}, "present='maybe' is not 1 or 0; ignored."),
        ({"foo": "1", "bar": ""}, "Unknown link settings ignored: 'bar', 'foo'."),
        ({"q": "!!!"}, "The labels in the link are damaged (it holds characters"),
        ({"q": "AQ"}, "The labels in the link are damaged (it was cut short)"),
    ],
)
def test_bad_values_are_clamped_or_ignored_with_a_warning(params, message):
    decoded = decode_state(params)
    if message is None:  # m.C with the default model (logreg) is fine
        assert decoded.warnings == [] and decoded.config.model_params["C"] == 5.0
        return
    assert any(w.startswith(message) for w in decoded.warnings), decoded.warnings
    assert decoded.config.validated() == decoded.config  # always a usable config
    rebuild(decoded)  # and always a usable learner


def test_clamped_values_are_used():
    decoded = decode_state({"noise": "9", "n": "99999", "model": "knn", "m.k": "0", "band": "-1-5"})
    c = decoded.config
    assert (c.noise, c.n_samples, c.model_params["k"]) == (2.0, 20_000, 1)
    assert (decoded.view["band_low"], decoded.view["band_high"]) == (0.45, 0.55)  # unreadable
    assert decode_state({"band": "0-1.5"}).view["band_high"] == 1.0


def test_streamlit_and_tracking_keys_and_other_pages_keys_are_not_warned_about():
    params = {"embed": "true", "utm_source": "mail", "tab": "race"}
    assert decode_state(params, extra_keys=["tab"]).warnings == []
    assert decode_state(params).warnings == ["Unknown link settings ignored: 'tab'."]


def test_repeated_keys_take_the_last_value_and_flags_read_words():
    decoded = decode_state({"seed": ["1", "2"], "present": ["true"], "ghost": [], "util": "no"})
    assert decoded.config.seed == 2 and decoded.view["present"] is True
    assert decoded.view["utility"] is False and not decoded.warnings


def test_many_problems_are_summarised():
    decoded = decode_state({f"m.x{i}": "1" for i in range(30)})
    assert len(decoded.warnings) == 12
    assert decoded.warnings[-1] == "…and 19 more problems with the link."


def test_steps_that_do_not_fit_the_pool_are_dropped_and_replay_stops():
    learner = Learner(Config(initial=10))
    learner.step()
    params = encode_state(learner.to_dict(), {})
    good = unpack_steps(params[STEPS_KEY])[0]
    bad = [*good, SharedStep((5000,), (1,), "you"), SharedStep((3,), (0,), "you")]
    params[STEPS_KEY] = pack_steps(bad, [7000, 4])
    rebuilt, warnings = rebuild(decode_state(params))
    assert rebuilt.to_dict()["steps"] == learner.to_dict()["steps"]  # stopped at step 2
    assert rebuilt.skipped == {4}
    assert warnings[0].startswith("Step 2 of the link does not fit this data (point index out")
    assert warnings[0].endswith("; it and 1 later step were dropped.")
    assert warnings[1] == "1 set-aside point in the link is not in this pool; ignored."


def test_a_label_outside_the_classes_stops_the_replay():
    params = {STEPS_KEY: pack_steps([SharedStep((1,), (0,), "you"), SharedStep((2,), (5,), "you")])}
    rebuilt, warnings = rebuild(decode_state(params))
    assert rebuilt.step_number == 1
    assert warnings == [
        "Step 2 of the link does not fit this data (labels must be class numbers 0 to 1); "
        "it was dropped."
    ]


def test_replay_is_bounded():
    params = {STEPS_KEY: pack_steps([SharedStep((i,), (i % 2,), "you") for i in range(5)])}
    rebuilt, warnings = rebuild(decode_state(params), max_steps=3)
    assert rebuilt.step_number == 3
    assert warnings == ["The link holds 5 steps; only the first 3 were replayed."]


def test_a_link_to_uploaded_data_needs_the_data():
    decoded = decode_state({"ds": "upload", "init": "0"})
    assert decoded.config.dataset == "upload" and not decoded.warnings
    learner, warnings = rebuild(decoded)
    assert learner.config == Config().validated()
    assert "uploaded CSV, which a link cannot carry" in warnings[0]
    from al_core.data import make_dataset

    learner, warnings = rebuild(decoded, dataset=make_dataset("circles"))
    assert learner.config.dataset == "upload" and not warnings


def test_upload_round_trip_with_the_dataset_given():
    from al_core.data import make_dataset

    data = make_dataset("circles", 200, seed=1)
    learner = Learner(Config(dataset="upload", initial=0), data)
    learner.teach([0, 1], [int(data.y[0]), 1 - int(data.y[1])], "you")
    decoded = decode_state(encode_state(learner.to_dict(), {}))
    assert rebuild(decoded, data)[0].to_json() == learner.to_json()


# ------------------------------------------------------------------------ never raises

keys = st.sampled_from(
    ["ds", "model", "strat", "classes", "band", "present", "util", "ghost", STEPS_KEY, "m.k"]
    + ["m.C", "s.beta", "m.", "s.", "", "x"]
    + [f.url for f in FIELDS]
)
values = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"-?[0-9]{0,25}(\.[0-9]*)?(e-?[0-9]{1,4})?", fullmatch=True),
    st.sampled_from(["moons", "blobs", "iris", "knn", "svm_rbf", "margin", "nan", "inf", "-0"]),
    st.from_regex(r"[A-Za-z0-9_-]{0,60}", fullmatch=True),
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.one_of(keys, st.text(max_size=10)), st.one_of(values, st.lists(values))))
def test_decode_never_raises(params):
    decoded = decode_state(params)
    assert isinstance(decoded, DecodedState)
    assert decoded.config.validated() == decoded.config
    assert set(decoded.view) == set(VIEW_DEFAULTS)
    assert all(isinstance(w, str) and w for w in decoded.warnings)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), st.text()))
def test_decode_never_raises_on_arbitrary_strings(params):
    assert isinstance(decode_state(params), DecodedState)


def _valid_payload() -> bytes:
    steps = [SharedStep((i, i + 1), (i % 2, 1), "oracle") for i in range(0, 40, 2)]
    text = pack_steps(steps, [90])
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_payloads_never_break_a_rebuild(data):
    raw = bytearray(_valid_payload())
    kind = data.draw(st.sampled_from(["flip", "cut", "append", "zlib"]))
    if kind == "flip":
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] ^= 1 << data.draw(st.integers(0, 7))
    elif kind == "cut":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    elif kind == "append":
        raw += data.draw(st.binary(min_size=1, max_size=8))
    else:
        raw = bytearray([2]) + zlib.compress(bytes(raw[1:]) + data.draw(st.binary(max_size=8)))
    text = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    decoded = decode_state({"n": "100", "init": "4", STEPS_KEY: text})
    learner, warnings = rebuild(decoded)
    assert learner.n_labeled >= 4
    assert all(isinstance(w, str) for w in warnings)


def test_query_string_is_readable():
    params = {"ds": "blobs", "m.k": "3", "band": "0.4-0.6", "q": "AQ-_"}
    assert query_string(params) == "ds=blobs&m.k=3&band=0.4-0.6&q=AQ-_"
