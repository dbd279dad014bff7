"""Share links: the whole state of a run in a URL's query parameters, and back.

A run is its Config plus the labeled sequence (see learner.py), so a link carries exactly that:
readable short keys for every setting that differs from its default, the view settings, and the
steps packed into one compact parameter `q`. Links are typed, pasted and edited by people, so
decoding never raises: a bad value is clamped or ignored and the reason goes into `warnings`.

Query parameters (values at their default are left out):

    ds=moons  n=600  noise=0.25  seed=42  classes=3  imb=0.5  init=60
    model=logreg  m.<param>=...  strat=least_confident  s.<param>=...
    batch=1  mix=0  onoise=0
    band=0.45-0.55  present=1  util=1  ghost=1
    q=<base64url of the packed steps>

`q` format (version 1): a flag byte (1 = plain, 2 = the rest is zlib-compressed), then unsigned
LEB128 varints: index bit width, label bit width, number of runs, and per run (consecutive steps
with the same batch size and source) its step count, batch size and source code; then the number
of set-aside points. After that a bit stream, most significant bit first: for every labeled point
its pool index and label in those widths, then the set-aside indices; zero-padded to a byte.
Source codes are positions in SOURCE_CODES and never change, so old links keep working.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlencode

import numpy as np

from al_core.datasets import CLASS_RANGE, DATASETS, MAX_ROWS, DataError, Dataset
from al_core.learner import Config, Learner
from al_core.models import MODELS
from al_core.params import Param
from al_core.strategies import STRATEGIES

# Appended to, never reordered: a link stores a source as its position here (a test holds
# every learner source to have a code).
SOURCE_CODES = ("initial", "oracle", "noisy oracle", "you", "random")

STEPS_KEY = "q"
MAX_Q_CHARS = 200_000  # far above any real session; stops a pasted novel from being decoded
_PLAIN, _ZLIB = 1, 2
_MAX_WARNINGS = 12
MAX_REPLAY_STEPS = 2000  # each replayed step is a model fit; no real session comes close

VIEW_DEFAULTS: dict[str, Any] = {
    "band_low": 0.45,
    "band_high": 0.55,
    "present": False,
    "utility": False,
    "ghost": False,
}
VIEW_FLAGS = {"present": "present", "util": "utility", "ghost": "ghost"}  # URL key -> view key
# Streamlit and link trackers add these; they are not ours to warn about.
_FOREIGN = ("embed", "embed_options")
_FOREIGN_PREFIXES = ("utm_",)


@dataclass(frozen=True)
class _Field:
    key: str  # short URL key
    name: str  # Config field
    label: str  # what the sidebar calls it
    kind: type
    low: float
    high: float


CONFIG_KEYS = (
    _Field("n", "n_samples", "Samples", int, 20, MAX_ROWS),
    _Field("noise", "noise", "Noise", float, 0.0, 2.0),
    _Field("seed", "seed", "Seed", int, 0, 2**32 - 1),
    _Field("imb", "imbalance", "Imbalance", float, 0.0, 0.95),
    _Field("init", "initial", "Initial labels", int, 0, MAX_ROWS),
    _Field("batch", "batch_size", "Batch size", int, 1, 100),
    _Field("mix", "random_mix", "Random share", float, 0.0, 1.0),
    _Field("onoise", "oracle_noise", "Oracle noise", float, 0.0, 0.5),
)


class SharedStep(NamedTuple):
    """One replayable step: pool indices, the labels given to them, and who gave them."""

    indices: tuple[int, ...]
    labels: tuple[int, ...]
    source: str


@dataclass
class DecodedState:
    """What a link asks for, already cleaned: a valid Config, the steps to replay, the view."""

    config: Config
    steps: list[SharedStep]
    view: dict[str, Any]
    warnings: list[str]
    skipped: list[int] = field(default_factory=list)


# ------------------------------------------------------------------------------------- encode


def encode_state(learner_dict: Mapping[str, Any], view: Mapping[str, Any] | None = None) -> dict:
    """Query parameters for `Learner.to_dict()` plus the view; defaults are left out.

    Keys come in a fixed, readable order (data, model, strategy, loop, view, then `q`).
    Raises ValueError only for a dict no Learner produces (the caller's bug, not the user's).
    """
    cfg = Config.from_dict(dict(learner_dict.get("config", {})))
    compact = cfg.to_dict(compact=True)
    short = {f.name: f.key for f in CONFIG_KEYS}
    out: dict[str, str] = {}

    def put(*names: str) -> None:
        for name in names:
            if name in compact:
                out[short[name]] = _fmt(compact[name])

    if "dataset" in compact:
        out["ds"] = cfg.dataset
    put("n_samples", "noise", "seed")
    if cfg.n_classes is not None:
        out["classes"] = _fmt(cfg.n_classes)
    put("imbalance", "initial")
    if "model" in compact:
        out["model"] = cfg.model
    out.update({f"m.{k}": _fmt(v) for k, v in compact.get("model_params", {}).items()})
    if "strategy" in compact:
        out["strat"] = cfg.strategy
    out.update({f"s.{k}": _fmt(v) for k, v in compact.get("strategy_params", {}).items()})
    put("batch_size", "random_mix", "oracle_noise")
    out.update(_encode_view(view or {}))
    steps = [SharedStep(tuple(s[0]), tuple(s[1]), s[2]) for s in learner_dict.get("steps", [])]
    skipped = [int(i) for i in learner_dict.get("skipped", [])]
    if steps or skipped:
        out[STEPS_KEY] = pack_steps(steps, skipped)
    return out


def query_string(params: Mapping[str, str]) -> str:
    """The part after `?`; base64url and the short keys need no escaping, so it stays readable."""
    return urlencode(params, safe=".-_")


def share_url(base: str, params: Mapping[str, str]) -> str:
    """`base` (scheme, host and page path) with the state's query string."""
    qs = query_string(params)
    return f"{base.split('?')[0]}?{qs}" if qs else base.split("?")[0]


def _encode_view(view: Mapping[str, Any]) -> dict[str, str]:
    v = {**VIEW_DEFAULTS, **{k: view[k] for k in VIEW_DEFAULTS if k in view}}
    out: dict[str, str] = {}
    low, high = float(v["band_low"]), float(v["band_high"])
    if (low, high) != (VIEW_DEFAULTS["band_low"], VIEW_DEFAULTS["band_high"]):
        out["band"] = f"{_fmt(low)}-{_fmt(high)}"
    for key, name in VIEW_FLAGS.items():
        if bool(v[name]) != VIEW_DEFAULTS[name]:
            out[key] = "1" if v[name] else "0"
    return out


def _fmt(value: Any) -> str:
    """Shortest text that reads back to the same value ("10" for 10.0, "0.25", "1e-05")."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def pack_steps(steps: Iterable[SharedStep], skipped: Iterable[int] = ()) -> str:
    """The labeled sequence (and set-aside points) as one short base64url string."""
    steps = [SharedStep(tuple(map(int, s[0])), tuple(map(int, s[1])), str(s[2])) for s in steps]
    skipped = [int(i) for i in skipped]
    for s in steps:
        if len(s.indices) != len(s.labels) or not s.indices:
            raise ValueError("every step needs one label per point, and at least one point")
        if s.source not in SOURCE_CODES:
            raise ValueError(f"cannot share a step from source {s.source!r}")
    idx = np.array([i for s in steps for i in s.indices] + skipped, dtype=np.int64)
    lab = np.array([v for s in steps for v in s.labels], dtype=np.int64)
    if (idx < 0).any() or (lab < 0).any():
        raise ValueError("indices and labels must not be negative")
    wi = int(idx.max()).bit_length() if len(idx) else 0
    wl = int(lab.max()).bit_length() if len(lab) else 0
    runs: list[list[int]] = []
    for s in steps:
        key = [len(s.indices), SOURCE_CODES.index(s.source)]
        if runs and runs[-1][1:] == key:
            runs[-1][0] += 1
        else:
            runs.append([1, *key])
    head = [wi, wl, len(runs), *(v for run in runs for v in run), len(skipped)]
    n_pts = len(lab)
    pairs = np.concatenate([_bits(idx[:n_pts], wi), _bits(lab, wl)], axis=1)
    stream = np.concatenate([pairs.ravel(), _bits(idx[n_pts:], wi).ravel()])
    body = b"".join(_varint(v) for v in head) + np.packbits(stream).tobytes()
    squeezed = zlib.compress(body, 9)
    raw = bytes([_ZLIB]) + squeezed if len(squeezed) < len(body) else bytes([_PLAIN]) + body
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _bits(values: np.ndarray, width: int) -> np.ndarray:
    shifts = np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values[:, None] >> shifts) & 1).astype(np.uint8)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


# ------------------------------------------------------------------------------------- decode


def unpack_steps(text: str) -> tuple[list[SharedStep], list[int]]:
    """Inverse of pack_steps; raises ValueError with a short reason if the text is damaged."""
    if len(text) > MAX_Q_CHARS:
        raise ValueError("it is too long")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("it holds characters a link never uses")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("it is not valid base64") from exc
    if not raw or raw[0] not in (_PLAIN, _ZLIB):
        raise ValueError("its format is unknown")
    body = raw[1:]
    if raw[0] == _ZLIB:
        inflate = zlib.decompressobj()
        try:
            body = inflate.decompress(body, 4 * MAX_Q_CHARS)
        except zlib.error as exc:
            raise ValueError("it does not decompress") from exc
        if inflate.unconsumed_tail or not inflate.eof:
            raise ValueError("it does not decompress")
    reader = _Reader(body)
    wi, wl = reader.varint(), reader.varint()
    if wi > 24 or wl > 8:
        raise ValueError("its field widths are impossible")
    runs = [(reader.varint(), reader.varint(), reader.varint()) for _ in range(reader.count())]
    n_pts = 0
    for count, batch, code in runs:
        if count < 1 or batch < 1 or code >= len(SOURCE_CODES):
            raise ValueError("a step header is impossible")
        n_pts += count * batch
        if n_pts > MAX_ROWS:
            raise ValueError("it labels more points than any pool holds")
    n_skip = reader.count()
    rest = body[reader.pos :]
    n_bits = n_pts * (wi + wl) + n_skip * wi
    if len(rest) != math.ceil(n_bits / 8):
        raise ValueError("it was cut short or has extra bytes")
    stream = np.unpackbits(np.frombuffer(rest, np.uint8))
    if stream[n_bits:].any():
        raise ValueError("its padding is not zero")
    pairs = stream[: n_pts * (wi + wl)].reshape(n_pts, wi + wl)
    idx, lab = _ints(pairs[:, :wi]), _ints(pairs[:, wi:])
    skipped = _ints(stream[n_pts * (wi + wl) : n_bits].reshape(n_skip, wi)).tolist()
    steps, pos = [], 0
    for count, batch, code in runs:
        for _ in range(count):
            sl = slice(pos, pos + batch)
            steps.append(
                SharedStep(tuple(idx[sl].tolist()), tuple(lab[sl].tolist()), SOURCE_CODES[code])
            )
            pos += batch
    return steps, skipped


def _ints(bits: np.ndarray) -> np.ndarray:
    weights = (1 << np.arange(bits.shape[1] - 1, -1, -1, dtype=np.int64)).astype(np.int64)
    return bits.astype(np.int64) @ weights if bits.shape[1] else np.zeros(len(bits), np.int64)


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def varint(self) -> int:
        value = 0
        for shift in range(0, 35, 7):
            if self.pos >= len(self.data):
                raise ValueError("it was cut short")
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
        raise ValueError("a number in it is too long")

    def count(self) -> int:
        n = self.varint()
        if n > MAX_ROWS:
            raise ValueError("it lists more items than any pool holds")
        return n


def decode_state(params: Mapping[str, Any], extra_keys: Iterable[str] = ()) -> DecodedState:
    """Read a link's query parameters into a valid state; never raises.

    Out-of-range values are clamped, unknown keys and names ignored, a damaged `q` dropped, each
    with a sentence for the user in `warnings`. `extra_keys` are parameters another part of the
    app owns: they are neither read nor warned about.
    """
    warnings: list[str] = []
    try:
        p = _plain(params)
        state = _decode(p, set(extra_keys), warnings)
    except Exception as exc:  # a safety net: a link must never crash a page
        warnings.append(f"The link could not be read ({type(exc).__name__}); using the defaults.")
        state = DecodedState(Config().validated(), [], dict(VIEW_DEFAULTS), warnings)
    if len(state.warnings) > _MAX_WARNINGS:
        more = len(state.warnings) - _MAX_WARNINGS + 1
        state.warnings[_MAX_WARNINGS - 1 :] = [f"…and {more} more problems with the link."]
    return state


def _plain(params: Mapping[str, Any]) -> dict[str, str]:
    """One string per key; with repeated keys the last wins, as in st.query_params."""
    out = {}
    for key, value in dict(params).items():
        if isinstance(value, list | tuple):
            if not value:
                continue
            value = value[-1]
        out[str(key)] = "" if value is None else str(value)
    return out


def _decode(p: dict[str, str], extra: set[str], warnings: list[str]) -> DecodedState:
    used = {"ds", "classes", "model", "strat", STEPS_KEY, "band", *VIEW_FLAGS}
    used |= {f.key for f in CONFIG_KEYS}
    values: dict[str, Any] = {}

    dataset = _name(p, "ds", "dataset", [*DATASETS, "upload"], "moons", warnings)
    values["dataset"] = dataset
    for f in CONFIG_KEYS:
        if f.key in p:
            got = _number(p[f.key], f.label, f.kind, f.low, f.high, warnings)
            if got is not None:
                values[f.name] = got
    if "classes" in p:
        values["n_classes"] = _classes(p["classes"], dataset, warnings)
    values["model"] = _name(p, "model", "model", list(MODELS), "logreg", warnings)
    values["strategy"] = _name(
        p, "strat", "strategy", list(STRATEGIES), "least_confident", warnings
    )
    values["model_params"] = _params(p, "m.", MODELS[values["model"]].params, "model", warnings)
    values["strategy_params"] = _params(
        p, "s.", STRATEGIES[values["strategy"]].params, "strategy", warnings
    )
    used |= {k for k in p if k.startswith(("m.", "s."))}
    config = Config(**values).validated()

    view = _view(p, warnings)
    steps: list[SharedStep] = []
    skipped: list[int] = []
    if p.get(STEPS_KEY):
        try:
            steps, skipped = unpack_steps(p[STEPS_KEY].strip())
        except ValueError as exc:
            warnings.append(
                f"The labels in the link are damaged ({exc}) and were dropped; "
                "starting from the initial labels."
            )
    unknown = sorted(
        k
        for k in p
        if k not in used | extra and k not in _FOREIGN and not k.startswith(_FOREIGN_PREFIXES)
    )
    if unknown:
        shown = ", ".join(repr(_short(k)) for k in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        warnings.append(f"Unknown link settings ignored: {shown}{more}.")
    return DecodedState(config, steps, view, warnings, skipped)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name(
    p: dict[str, str], key: str, what: str, names: list[str], default: str, warnings: list[str]
) -> str:
    if key not in p:
        return default
    given = p[key].strip().lower()
    if given in names:
        return given
    warnings.append(f"Unknown {what} {_short(p[key])!r} ignored; using {_label(what, default)}.")
    return default


def _label(what: str, name: str) -> str:
    registry = {"dataset": DATASETS, "model": MODELS, "strategy": STRATEGIES}[what]
    return registry[name].label if name in registry else name


def _number(
    text: str, label: str, kind: type, low: float, high: float, warnings: list[str]
) -> int | float | None:
    """A clamped number, or None (the default is kept) if the text is not a finite number."""
    text = text.strip()
    try:
        value: float = int(text) if re.fullmatch(r"[+-]?\d{1,30}", text) else float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        warnings.append(f"{label} {_short(text)!r} is not a number; ignored.")
        return None
    clamped = min(max(value, low), high)
    if kind is int:
        whole = round(clamped)
        if clamped != value:
            warnings.append(f"{label} {_short(text)} is out of range; using {whole}.")
        elif whole != value:
            warnings.append(f"{label} {_short(text)} is not a whole number; using {whole}.")
        return whole
    if clamped != value:
        warnings.append(f"{label} {_short(text)} is out of range; using {float(clamped)}.")
    return float(clamped)


def _classes(text: str, dataset: str, warnings: list[str]) -> int | None:
    spec = DATASETS.get(dataset)
    default = spec.default_classes if spec else None
    low, high = CLASS_RANGE.get(dataset, (default, default))
    if low is None or low == high:
        if default is not None and _number(text, "Classes", int, 0, 100, []) == default:
            return default  # says what the dataset has anyway: harmless
        label = spec.label if spec else "This dataset"
        warnings.append(f"{label} has a fixed number of classes; 'classes={_short(text)}' ignored.")
        return None
    got = _number(text, "Classes", int, low, high, warnings)
    return None if got is None else int(got)


def _params(
    p: dict[str, str], prefix: str, specs: tuple[Param, ...], what: str, warnings: list[str]
) -> dict[str, Any]:
    known = {s.name.lower(): s for s in specs}
    out: dict[str, Any] = {}
    for key, text in p.items():
        if not key.startswith(prefix):
            continue
        spec = known.get(key[len(prefix) :].lower())
        if spec is None:
            accepted = ", ".join(s.name for s in specs) or "none"
            warnings.append(
                f"Unknown {what} setting {_short(key)!r} ignored (accepted: {accepted})."
            )
            continue
        got = _number(
            text, spec.label, int if spec.is_int else float, spec.low, spec.high, warnings
        )
        if got is not None:
            out[spec.name] = got
    return out


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _view(p: dict[str, str], warnings: list[str]) -> dict[str, Any]:
    view = dict(VIEW_DEFAULTS)
    if "band" in p:
        parts = p["band"].strip().split("-")
        numbers = [_number(t, "Band", float, 0.0, 1.0, warnings) for t in parts]
        if len(parts) != 2 or None in numbers:
            warnings.append(
                f"Band {_short(p['band'])!r} is not 'low-high' (like 0.45-0.55); ignored."
            )
        else:
            low, high = numbers
            if low > high:
                warnings.append(f"Band {_short(p['band'])}: low is above high; swapped.")
                low, high = high, low
            view["band_low"], view["band_high"] = low, high
    for key, name in VIEW_FLAGS.items():
        if key in p:
            text = p[key].strip().lower()
            if text in _TRUE | _FALSE:
                view[name] = text in _TRUE
            else:
                warnings.append(f"{key}={_short(p[key])!r} is not 1 or 0; ignored.")
    return view


# ------------------------------------------------------------------------------------- rebuild


def rebuild(
    decoded: DecodedState, dataset: Dataset | None = None, max_steps: int = MAX_REPLAY_STEPS
) -> tuple[Learner, list[str]]:
    """The Learner a link describes, with its steps replayed; plus the decoding warnings and any
    new ones. Replay stops at the first step that does not fit the pool (the rest is dropped).

    Every replayed step refits the model, so `max_steps` bounds what one link can cost. An
    uploaded dataset cannot travel in a link: pass it as `dataset`, or the default scenario is
    shown with a warning.
    """
    warnings = list(decoded.warnings)
    config = decoded.config
    if config.dataset == "upload" and dataset is None:
        warnings.append(
            "This link was made on an uploaded CSV, which a link cannot carry: upload the file "
            "on the Label page and open the link again. Showing the default scenario."
        )
        return Learner(Config()), warnings
    try:
        learner = Learner(config, dataset)
    except (DataError, ValueError) as exc:
        warnings.append(
            f"The link's settings cannot be used ({exc}); showing the default scenario."
        )
        return Learner(Config()), warnings
    steps = decoded.steps
    if len(steps) > max_steps:
        warnings.append(
            f"The link holds {len(steps)} steps; only the first {max_steps} were replayed."
        )
        steps = steps[:max_steps]
    for number, step in enumerate(steps, start=1):
        try:
            learner.teach(step.indices, step.labels, step.source)
        except ValueError as exc:
            later = len(steps) - number
            dropped = f"it and {_plural(later, 'later step')} were" if later else "it was"
            warnings.append(
                f"Step {number} of the link does not fit this data ({exc}); {dropped} dropped."
            )
            break
    bad = 0
    for i in decoded.skipped:
        if 0 <= i < len(learner.dataset) and not learner.labeled_mask[i]:
            learner.skip(i)
        else:
            bad += 1
    if bad:
        warnings.append(
            f"{_plural(bad, 'set-aside point')} in the link {'is' if bad == 1 else 'are'} not "
            "in this pool; ignored."
        )
    return learner, warnings


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
