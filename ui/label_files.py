"""Your own data and your saved work on the Label page: the CSV upload, its label-column picker,
and the labels and session downloads and uploads.

Every handler is a widget callback. A bad file never replaces the run: it leaves a clear error
under its uploader and the current session as it was; a good one starts (or restores) a run and
keeps the replaced one if it held labels by you (ui.backup).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from al_core.data import DataError, Dataset, csv_columns, load_csv
from al_core.formats.session import read_session, session_json
from al_core.formats.spreadsheet import labels_csv
from al_core.loop import Learner, cost
from al_core.present import labeling as lab
from al_core.present.labeling import labels_by_you
from al_core.present.safe_text import plain
from ui import backup, state, status
from ui.downloads import download

NO_LABEL = "(none: I label every point)"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "short_texts.csv"
UPLOAD_ERROR, SESSION_ERROR = "lb_upload_error", "lb_session_error"


def upload_initial(ds: Dataset) -> int:
    """Without labels the person starts from zero; with labels, 10% of the pool (at least one per
    class) come from the label column, as with the built-in data."""
    return 0 if ds.y is None else max(ds.n_classes, len(ds) // 10)


def upload_learn_in(ds: Dataset) -> str:
    """Texts learn in all features (their 2-D map throws most of the signal away)."""
    return "all" if ds.items is not None and ds.items.kind == "text" else "view"


def pick_value(label_column: str | None) -> str:
    """What the label-column picker shows for the column the dataset was loaded with ("auto" is
    the column the loader guessed). Derived on every draw, so a failed pick, a restored backup
    or a restored session never leaves the picker showing another column than the data's."""
    ss = st.session_state
    if label_column == "auto":
        label_column = ss.get("upload_guess")
    return label_column if label_column in (ss.get("upload_columns") or []) else NO_LABEL


def _adopt(ds: Dataset, data: bytes, name: str, label_column: str | None) -> str:
    """Start a run on an uploaded dataset; returns an error message, or "" when it worked."""
    try:
        config = state.with_config(
            dataset="upload",
            initial=upload_initial(ds),
            n_classes=None,
            imbalance=0.0,
            learn_in=upload_learn_in(ds),
        ).validated()
        run = Learner(config, ds)
    except ValueError as exc:
        return f"The file loaded, but no run can start on it: {exc}."
    _use(run, data, name, label_column, f"replaced by {name}")
    return ""


def _use(run: Learner, data: bytes, name: str, label_column: str | None, reason: str) -> None:
    """Make `run` on uploaded `data` the current run, keeping the old one if it holds your labels."""
    backup.keep(st.session_state.get("learner"), reason)
    columns, guess = csv_columns(data)
    ss = st.session_state
    ss.upload_dataset, ss.upload_bytes, ss.upload_name = run.dataset, data, name
    ss.upload_label_column, ss.upload_columns, ss.upload_guess = label_column, columns, guess
    state.replace_learner(run)


def _load(data: bytes, name: str, column: str | None, failed: str, kept: str) -> Dataset | None:
    """Load `data` with `column` as the label column and start a run on it; on any problem,
    leave the message under the uploader (`failed`, the reason, `kept`) and change nothing."""
    try:
        ds = load_csv(data, name, column)
    except DataError as exc:
        st.session_state[UPLOAD_ERROR] = f"{failed} {exc} {kept}"
        return None
    if error := _adopt(ds, data, name, column):
        st.session_state[UPLOAD_ERROR] = error
        return None
    return ds


def on_csv() -> None:
    """A CSV was dropped on the uploader (removing it keeps the data and the run)."""
    ss = st.session_state
    ss.pop(UPLOAD_ERROR, None)
    f = ss.get("csv_file")
    if f is None:
        return
    data = f.getvalue()
    ds = _load(data, f.name, "auto", f"{f.name} was not loaded.", "Your current session is kept.")
    if ds is None:
        return
    status.say(lab.loaded_message(ds, f.name))


def on_example() -> None:
    """The shipped example of short texts, in one click: loaded exactly as an upload."""
    ss = st.session_state
    ss.pop(UPLOAD_ERROR, None)
    data = EXAMPLE.read_bytes()
    ds = _load(data, EXAMPLE.name, "auto", f"{EXAMPLE.name} was not loaded.", "Nothing changed.")
    if ds is not None:
        status.say(lab.loaded_message(ds, EXAMPLE.name))


def on_label_pick() -> None:
    """A different label column (or none) was picked for the uploaded CSV: a new run, or an error
    and nothing changed (the picker goes back by itself, see `pick_value`)."""
    ss = st.session_state
    ss.pop(UPLOAD_ERROR, None)
    pick = ss.upload_label_pick
    column = None if pick == NO_LABEL else pick
    failed = f"'{pick}' cannot be the label column."
    if _load(ss.upload_bytes, ss.upload_name, column, failed, "Nothing was changed.") is None:
        return
    status.say(
        "Label column: none. Every label is yours." if column is None else f"Label column: {pick}."
    )


def on_session() -> None:
    """A session file was uploaded: rebuild the run exactly, or say why not and keep this one."""
    ss = st.session_state
    ss.pop(SESSION_ERROR, None)
    f = ss.get("session_file")
    if f is None:
        return
    try:
        session = read_session(f.getvalue(), budget_s=cost.REPLAY_BUDGET_S)
    except ValueError as exc:
        ss[SESSION_ERROR] = f"{f.name} was not loaded. {exc} Your current session is kept."
        return
    except Exception:  # read_session promises ValueError; a traceback must never reach the page
        ss[SESSION_ERROR] = (
            f"{f.name} could not be read as an Ask Next session. Your current session is kept."
        )
        return
    run = session.learner
    reason = f"replaced by the session in {f.name}"
    if session.dataset is not None:
        _use(run, session.csv_bytes, session.dataset.name, session.label_column, reason)
    else:
        backup.keep(ss.get("learner"), reason)
        state.replace_learner(run)
    status.say(
        f"Session restored: {run.n_labeled} labels ({labels_by_you(run)} by you), "
        f"step {run.step_number}."
    )


# ---------------------------------------------------------------- drawing


def section(run: Learner, saving: bool) -> None:
    """ "Your own data" (upload, what is being labeled, the label column) and, when `saving`,
    "Save your work" (labels and session downloads, session upload) side by side."""
    st.divider()
    left, right = st.columns(2, gap="large")
    with left:
        _your_data(run)
    if saving:
        with right:
            _save(run)


def _your_data(run: Learner) -> None:
    """The CSV uploader, its error, and for an uploaded run what is being labeled and the
    label-column picker (changing the column starts a new run)."""
    ss = st.session_state
    st.markdown("#### Your own data")
    st.caption(
        "A CSV with a header row, two or more numeric feature columns or one column of texts "
        "(named text, sentence, review …) and, optionally, a label column (label, class, "
        "target or y is found automatically). 20 to 20,000 rows, UTF-8."
    )
    st.file_uploader("Upload a CSV", key="csv_file", on_change=on_csv)
    st.button(
        "Label short texts (example)",
        key="load_text_example",
        on_click=on_example,
        icon=":material/article:",
        help="271 short sentences about weather, food and sport (examples/short_texts.csv): "
        "read each one and give its topic.",
    )
    if err := ss.get(UPLOAD_ERROR):
        st.error(plain(err, limit=600))  # it quotes the file: names and cells are a stranger's
    if run.config.dataset != "upload" or ss.get("upload_dataset") is not run.dataset:
        return
    ds = run.dataset
    what = (
        f"{ds.n_classes} classes from its label column"
        if ds.has_truth
        else "no label column: two classes, Class A and Class B, labeled by you"
    )
    name = plain(ss.get("upload_name", "your CSV"), limit=80)
    st.markdown(f"Labeling **{name}**: {len(ds)} points, {what}.")
    if ds.items is not None and ds.items.kind == "text":
        st.caption(
            "Texts: each is embedded with TF-IDF (100 dimensions by latent semantic analysis) "
            "and drawn on a 2-D map of that embedding."
        )
    elif ds.projected:
        st.caption(
            "It has more than two features: they are projected to their first two "
            "principal components (PC 1, PC 2)."
        )
    if ss.get("upload_columns"):
        ss.upload_label_pick = pick_value(ss.get("upload_label_column"))
        st.selectbox(
            "Label column",
            [NO_LABEL, *ss.upload_columns],
            key="upload_label_pick",
            on_change=on_label_pick,
            help="The column that holds the class. Pick none to label everything "
            "yourself. Changing it starts a new run.",
        )


def _save(run: Learner) -> None:
    """Labels as CSV, the whole session as JSON (built only when clicked), and the uploader that
    continues a saved session."""
    ss = st.session_state
    st.markdown("#### Save your work")
    uploaded = run.config.dataset == "upload"
    data = ss.get("upload_bytes") if uploaded else None
    column = ss.get("upload_label_column", "auto")
    c = st.columns(2)
    download(
        c[0],
        "Labels (CSV)",
        lambda: labels_csv(run),
        "ask-next-labels.csv",
        key="dl_labels",
        icon=":material/download:",
        help="One row per label: row index, features, label, who labeled it, step.",
    )
    download(
        c[1],
        "Session (JSON)",
        lambda: session_json(run, data, column),
        "ask-next-session.json",
        key="dl_session",
        icon=":material/download:",
        help="The whole run (and your CSV): upload it below to continue where you stopped.",
        disabled=uploaded and data is None,
    )
    st.file_uploader("Continue a saved session (JSON)", key="session_file", on_change=on_session)
    if err := ss.get(SESSION_ERROR):
        st.error(plain(err, limit=600))
