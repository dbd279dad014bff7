"""One schema for a run's settings: every field reaches Config validation, share links, the CLI and
the sidebar with the same name, range and words (al_core.loop.schema)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from al_core.cli import main
from al_core.formats.share import decode_state
from al_core.loop import Config
from al_core.loop.schema import FIELDS
from al_core.params import fmt

# One value beyond each field's range (or not a known name), and what the words must say.
TOO_FAR = {
    "dataset": ("mnist", "Unknown dataset 'mnist'"),
    "n_samples": (5, "Samples 5 is out of range (20 to 20000)"),
    "noise": (9, "Noise 9 is out of range (0 to 2)"),
    "seed": (-1, "Seed -1 is out of range (0 to 4294967295)"),
    "n_classes": (9, "Classes 9 is out of range (2 to 6)"),
    "imbalance": (0.99, "Class imbalance 0.99 is out of range (0 to 0.95)"),
    "initial": (30_000, "Initial labels 30000 is out of range (0 to 20000)"),
    "model": ("gpt", "Unknown model 'gpt'"),
    "strategy": ("psychic", "Unknown strategy 'psychic'"),
    "batch_size": (101, "Batch size 101 is out of range (1 to 100)"),
    "random_mix": (2, "Random mix 2 is out of range (0 to 1)"),
    "oracle_noise": (0.9, "Oracle noise 0.9 is out of range (0 to 0.5)"),
    "learn_in": ("pixels", "Unknown learning space 'pixels'"),
}
CONTEXT = {"n_classes": {"dataset": "blobs"}}  # classes are tunable only for some datasets
WIDGETS = {  # the sidebar's widget kind per field
    "dataset": "selectbox",
    "model": "selectbox",
    "strategy": "selectbox",
    "n_samples": "number_input",
    "seed": "number_input",
    "initial": "number_input",
    "learn_in": "radio",
}
ONLY_ON = {"learn_in": "iris"}  # a choice only for data with more than two features


def test_every_field_is_in_the_table_and_every_table_entry_is_a_field():
    assert [f.name for f in FIELDS] != []
    config_fields = set(Config.__dataclass_fields__) - {"model_params", "strategy_params"}
    assert {f.name for f in FIELDS} == config_fields == set(TOO_FAR)
    assert len({f.url for f in FIELDS}) == len({f.flag for f in FIELDS}) == len(FIELDS)


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_config_refuses_in_the_schemas_words(field):
    value, words = TOO_FAR[field.name]
    with pytest.raises(ValueError) as info:
        Config(**{**CONTEXT.get(field.name, {}), field.name: value}).validated()
    assert str(info.value).startswith(f"{field.name}: {words}")


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_a_link_clamps_in_the_same_words(field):
    value, words = TOO_FAR[field.name]
    params = {field.url: str(value)}
    if field.name == "n_classes":
        params["ds"] = "blobs"
    decoded = decode_state(params)
    warning = next(w for w in decoded.warnings if w.startswith(words))
    got = getattr(decoded.config, field.name)
    if field.choices is not None:
        assert got == field.default and warning.endswith(f"using {field.default_label()}.")
    else:
        low, high = field.limits(CONTEXT.get(field.name, {}))
        assert got == (high if value > high else low)
        assert warning == f"{words}; using {fmt(got)}."
    assert decoded.config == decoded.config.validated()


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_the_cli_refuses_in_the_same_words_naming_the_option(field, capsys):
    value, words = TOO_FAR[field.name]
    option = "--strategies" if field.name == "strategy" else field.flag
    argv = ["compare", option, str(value), "--seeds", "1", "--budget", "1"]
    if field.name == "n_classes":
        argv += ["--dataset", "blobs"]
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2 and len(err.strip().splitlines()) == 1
    if field.name == "strategy":  # a list of names has its own parser
        assert "argument --strategies" in err and "psychic" in err
    else:
        assert f"argument {field.flag}: {words}" in err


def test_the_sidebar_offers_each_field_with_its_label_range_and_help():
    at = AppTest.from_file("../app.py", default_timeout=60).run()
    at.selectbox(key="cfg_dataset").set_value("blobs").run()  # Classes become tunable
    assert not at.exception
    assert "cfg_learn_in" not in [r.key for r in at.radio]  # two features: nothing to choose
    for f in sorted(FIELDS, key=lambda f: f.name in ONLY_ON):
        if f.name in ONLY_ON:
            at.selectbox(key="cfg_dataset").set_value(ONLY_ON[f.name]).run()
            assert not at.exception
        kind = WIDGETS.get(f.name, "slider")
        widget = getattr(at, kind)(key=f"cfg_{f.name}")
        assert widget.label == f.label and widget.help == f.help, f.name
        if kind in ("selectbox", "radio"):
            assert set(widget.options) <= {f.display(c) for c in f.choices()}, f.name
            continue
        low, high = f.limits({"dataset": "blobs"})
        assert (widget.min, widget.max) == (low, high), f.name
