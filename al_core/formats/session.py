"""The whole session as one JSON file, and back: what a person downloads to continue later.

The session file is for Ask Next itself: the learner's compact history (config + every step),
plus, for an uploaded dataset, the original CSV bytes and the label-column choice, so uploading
the file again rebuilds the run exactly and the user continues where they stopped. Loading it
is strict: anything that does not rebuild to the stored state is refused with a clear message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from al_core.data import DataError, Dataset, load_csv
from al_core.loop import FORMAT_VERSION, SOURCES, Learner, cost
from al_core.loop.config import Config
from al_core.loop.replay import replay_dict
from al_core.loop.schema import UPLOAD

SESSION_FORMAT = "ask-next-session"
SESSION_VERSION = 1
MAX_SESSION_BYTES = 64 * 2**20  # a 20,000-row CSV base64-encoded is far below this

# ---------------------------------------------------------------- the session as JSON


@dataclass(frozen=True)
class Session:
    """A loaded session: the rebuilt run and, for an upload, what is needed to save it again."""

    learner: Learner
    dataset: Dataset | None  # None for built-in data (the learner made it from its config)
    csv_bytes: bytes | None = None
    label_column: str | None = "auto"


def session_json(
    learner: Learner, csv_bytes: bytes | None = None, label_column: str | None = "auto"
) -> str:
    """The whole session as one JSON document that `load_session` turns back into this run.

    For an uploaded dataset (config.dataset == "upload") pass the CSV bytes exactly as uploaded
    and the label_column given to load_csv; they are stored base64-encoded.
    """
    uploaded = learner.config.dataset == UPLOAD
    if uploaded and csv_bytes is None:
        raise ValueError("this run is on an uploaded CSV: pass its bytes to save the session")
    if not uploaded and csv_bytes is not None:
        raise ValueError(
            f"CSV bytes were given but this run uses the built-in dataset {learner.config.dataset!r}"
        )
    upload = None
    if uploaded:
        upload = {
            "name": learner.dataset.name,
            "label_column": label_column,
            "csv_base64": base64.b64encode(bytes(csv_bytes)).decode("ascii"),
        }
    return history_json(learner.to_dict(), learner.n_labeled, upload)


def history_json(run: dict[str, Any], n_labeled: int, upload: dict | None = None) -> str:
    """A session file from a run's history alone (`Learner.to_dict()`), without rebuilding it:
    how a run too costly to replay here still goes home whole."""
    body: dict[str, Any] = {
        "format": SESSION_FORMAT,
        "version": SESSION_VERSION,
        "n_labeled": int(n_labeled),
        "learner": run,
    }
    if upload is not None:
        body["upload"] = upload
    body["checksum"] = _checksum(body)
    return json.dumps(body, separators=(",", ":"))


def load_session(text_or_bytes: str | bytes) -> tuple[Learner, Dataset | None]:
    """Rebuild a run from a session file; ValueError with a user-facing message if it is bad."""
    session = read_session(text_or_bytes)
    return session.learner, session.dataset


def read_session(text_or_bytes: str | bytes, budget_s: float | None = None) -> Session:
    """Like load_session, plus the upload's bytes and label column (to save the session again).

    With `budget_s` (the app's), a run whose rebuild would take longer is refused, saying how
    long it would take: the file stays whole on the person's disk."""
    body = _parse(text_or_bytes)
    learner_data = body.get("learner")
    _check_learner_data(learner_data)
    uploaded = learner_data.get("config", {}).get("dataset") == UPLOAD
    upload = body.get("upload")
    if uploaded and upload is None:
        raise ValueError(
            "The session is for an uploaded CSV but does not contain the CSV. Save it again "
            "from Ask Next with the dataset loaded."
        )
    if not uploaded and upload is not None:
        raise ValueError("The session holds an uploaded CSV but its run uses a built-in dataset.")
    dataset = csv_bytes = None
    label_column: str | None = "auto"
    if uploaded:
        dataset, csv_bytes, label_column = _read_upload(upload)
    learner = _replay(learner_data, dataset, budget_s)
    if learner.n_labeled != body.get("n_labeled"):
        raise ValueError("The session's label count does not match its steps.")
    return Session(learner, dataset, csv_bytes, label_column)


def _checksum(body: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of everything but the checksum: catches edits and damage
    (it is not a signature: anyone can recompute it)."""
    rest = {k: v for k, v in body.items() if k != "checksum"}
    canonical = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _parse(text_or_bytes: str | bytes) -> dict[str, Any]:
    if isinstance(text_or_bytes, bytes | bytearray | memoryview):
        raw = bytes(text_or_bytes)
        if len(raw) > MAX_SESSION_BYTES:
            raise ValueError("The file is too large to be an Ask Next session.")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(
                "This is not an Ask Next session file (it is not UTF-8 text)."
            ) from None
    elif isinstance(text_or_bytes, str):
        text = text_or_bytes
        if len(text) > MAX_SESSION_BYTES:
            raise ValueError("The file is too large to be an Ask Next session.")
    else:
        raise ValueError("A session must be given as text or bytes.")
    if not text.strip():
        raise ValueError("The session file is empty.")
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"This is not an Ask Next session file: it is not valid JSON (line {exc.lineno}, "
            f"column {exc.colno})."
        ) from None
    except RecursionError:
        raise ValueError("This is not an Ask Next session file: it is nested too deeply.") from None
    if not isinstance(body, dict) or body.get("format") != SESSION_FORMAT:
        raise ValueError(
            "This is not an Ask Next session file. Upload a session that Ask Next downloaded."
        )
    version = body.get("version")
    if version != SESSION_VERSION:
        raise ValueError(
            f"This session file has format version {version if _is_int(version) else '(unknown)'}; "
            f"this version of Ask Next reads version {SESSION_VERSION}."
        )
    if body.get("checksum") != _checksum(body):
        raise ValueError(
            "The session file was changed after it was saved (its checksum does not match). "
            "Upload the file exactly as Ask Next downloaded it."
        )
    return body


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_learner_data(data: Any) -> None:
    """Types and shapes, before anything is replayed (teach() would coerce 1.7 to 1 or '3' to 3)."""
    bad = "The session's run is malformed: "
    if not isinstance(data, dict) or data.get("v") != FORMAT_VERSION:
        raise ValueError(bad + f"expected a run of format version {FORMAT_VERSION}.")
    unknown = sorted(set(data) - {"v", "config", "steps", "skipped"})
    if unknown:
        raise ValueError(bad + f"unexpected field {unknown[0]!r}.")
    config = data.get("config", {})
    if not isinstance(config, dict):
        raise ValueError(bad + "the config is not a set of name: value pairs.")
    steps = data.get("steps", [])
    if not isinstance(steps, list):
        raise ValueError(bad + "the steps are not a list.")
    for number, entry in enumerate(steps, start=1):
        ok = (
            isinstance(entry, list)
            and len(entry) == 3
            and isinstance(entry[0], list)
            and isinstance(entry[1], list)
            and all(_is_int(i) for i in entry[0] + entry[1])
            and entry[2] in SOURCES
        )
        if not ok:
            raise ValueError(bad + f"step {number} is not [point indices, class numbers, source].")
    skipped = data.get("skipped", [])
    if not (isinstance(skipped, list) and all(_is_int(i) for i in skipped)):
        raise ValueError(bad + "the skipped points are not a list of point indices.")


def _read_upload(upload: Any) -> tuple[Dataset, bytes, str | None]:
    if not (
        isinstance(upload, dict)
        and isinstance(upload.get("name"), str)
        and isinstance(upload.get("csv_base64"), str)
        and (upload.get("label_column") is None or isinstance(upload.get("label_column"), str))
    ):
        raise ValueError(
            "The session's uploaded data is incomplete (it needs name, label_column and "
            "csv_base64)."
        )
    try:
        data = base64.b64decode(upload["csv_base64"], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("The CSV stored in the session is damaged (not valid base64).") from None
    label_column = upload["label_column"]
    try:
        dataset = load_csv(data, upload["name"], label_column)
    except DataError as exc:
        raise ValueError(f"The CSV stored in the session no longer loads: {exc}") from None
    return dataset, data, label_column


def _replay(data: dict[str, Any], dataset: Dataset | None, budget_s: float | None) -> Learner:
    try:
        if budget_s is not None:
            problem = cost.opening_problem(Config.from_dict(data.get("config", {})), dataset)
            if problem:
                raise ValueError(problem)
        learner = replay_dict(data, dataset, budget_s)
    except ValueError as exc:
        raise ValueError(f"The session cannot be replayed: {exc}.") from None
    except (TypeError, KeyError, IndexError, AttributeError, OverflowError):
        raise ValueError("The session cannot be replayed: its run is malformed.") from None
    n = len(learner.dataset)
    skipped = data.get("skipped", [])
    if any(not 0 <= i < n for i in skipped) or len(set(skipped)) != len(skipped):
        raise ValueError(f"The session's skipped points are not distinct points 0 to {n - 1}.")
    truth = learner.dataset.y
    for step in learner.steps[1:]:
        if step.source == "oracle" and (
            truth is None or any(truth[i] != label for i, label in zip(step.queried, step.labels))
        ):
            raise ValueError(
                f"Step {step.number} claims the exact oracle gave labels that differ from the "
                "ground truth."
            )
    if learner.to_dict() != data:
        raise ValueError("The session does not rebuild to the state it stored.")
    return learner
