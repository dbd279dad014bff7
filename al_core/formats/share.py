"""Share links: the whole state of a run in a URL's query parameters, and back.

A run is its Config plus the labeled sequence, so a link carries exactly that: the schema's short
key for every setting that differs from its default (`loop.schema.FIELDS`), hyperparameters as
`m.NAME` and `s.NAME`, the view settings, and the steps packed into `q` (`formats.packing`).
Links are typed, pasted and edited by people, so decoding never raises: a bad value is clamped or
ignored, in the schema's words, and the reason goes into `warnings`.

    ds=moons  n=600  noise=0.25  seed=42  classes=3  imb=0.5  init=60
    model=logreg  m.<param>=...  strat=least_confident  s.<param>=...
    batch=1  mix=0  onoise=0
    band=0.45-0.55  present=1  util=1  ghost=1
    q=<base64url of the packed steps>
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from al_core.data import DATASETS, DataError, Dataset
from al_core.formats.packing import SOURCE_CODES, SharedStep, pack_steps, unpack_steps
from al_core.loop import cost
from al_core.loop.config import Config, initial_that_fits
from al_core.loop.learner import Learner
from al_core.loop.replay import MAX_REPLAY_STEPS, replay
from al_core.loop.schema import FIELD, FIELDS, UPLOAD, hyperparameters
from al_core.params import Param, fmt, parse_number

__all__ = [
    "SOURCE_CODES",
    "STEPS_KEY",
    "DecodedState",
    "SharedStep",
    "decode_state",
    "encode_state",
    "pack_steps",
    "query_string",
    "rebuild",
    "share_url",
    "unpack_steps",
]

STEPS_KEY = "q"
_MAX_WARNINGS = 12

VIEW_DEFAULTS: dict[str, Any] = {
    "band_low": 0.45,
    "band_high": 0.55,
    "present": False,
    "utility": False,
    "ghost": False,
}
VIEW_FLAGS = {"present": "present", "util": "utility", "ghost": "ghost"}  # URL key -> view key
BAND = Param("band", "Band", 0.45, 0.0, 1.0)
FIXED_DATA_FIELDS = ("n_samples", "noise", "imbalance")  # only generated data takes them
PARAM_PREFIX = {"model": "m.", "strategy": "s."}
# Streamlit and link trackers add these; they are not ours to warn about.
_FOREIGN = ("embed", "embed_options")
_FOREIGN_PREFIXES = ("utm_",)


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

    Keys come in the schema's order (data, model, strategy, loop), then the view, then `q`.
    Raises ValueError only for a dict no Learner produces (the caller's bug, not the user's).
    """
    cfg = Config.from_dict(dict(learner_dict.get("config", {})))
    compact = cfg.to_dict(compact=True)
    out: dict[str, str] = {}
    for f in FIELDS:
        if f.name in compact:
            out[f.url] = str(compact[f.name]) if f.choices else fmt(compact[f.name])
        kind = f.name if f.name in PARAM_PREFIX else None
        if kind is not None:
            prefix = PARAM_PREFIX[kind]
            out.update(
                {f"{prefix}{k}": fmt(v) for k, v in compact.get(f"{kind}_params", {}).items()}
            )
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
        out["band"] = f"{fmt(low)}-{fmt(high)}"
    for key, name in VIEW_FLAGS.items():
        if bool(v[name]) != VIEW_DEFAULTS[name]:
            out[key] = "1" if v[name] else "0"
    return out


# ------------------------------------------------------------------------------------- decode


def decode_state(params: Mapping[str, Any], extra_keys: Iterable[str] = ()) -> DecodedState:
    """Read a link's query parameters into a valid state; never raises.

    Out-of-range values are clamped, unknown keys and names ignored, a damaged `q` dropped, each
    with a sentence for the user in `warnings`. `extra_keys` are parameters another part of the
    app owns: they are neither read nor warned about.
    """
    warnings: list[str] = []
    try:
        state = _decode(_plain(params), set(extra_keys), warnings)
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
    values: dict[str, Any] = {"dataset": FIELD["dataset"].default}
    used = {STEPS_KEY, "band", *VIEW_FLAGS}
    for f in FIELDS:
        used.add(f.url)
        if f.url not in p:
            continue
        spec = DATASETS.get(values["dataset"])
        if f.name in FIXED_DATA_FIELDS and spec is not None and not spec.tunable:
            warnings.append(
                f"{spec.label} is fixed data: '{_short(f.url)}={_short(p[f.url])}' ignored."
            )
            continue
        if f.name == "n_classes":
            values[f.name] = _classes(p[f.url], values["dataset"], warnings)
            continue
        values[f.name], warning = f.clamp(p[f.url], values)
        if warning:
            warnings.append(warning)
    for kind, prefix in PARAM_PREFIX.items():
        name = values.get(kind, FIELD[kind].default)
        values[f"{kind}_params"] = _params(p, prefix, hyperparameters(kind, name), kind, warnings)
        used |= {k for k in p if k.startswith(prefix)}
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


def _classes(text: str, dataset: str, warnings: list[str]) -> int | None:
    """Classes for a dataset that takes them; for fixed data only its own count passes."""
    f = FIELD["n_classes"]
    spec = DATASETS.get(dataset)
    if f.limits({"dataset": dataset}) is None:
        if spec is not None and parse_number(text) == spec.default_classes:
            return spec.default_classes  # says what the dataset has anyway: harmless
        label = spec.label if spec else "This dataset"
        warnings.append(f"{label} has a fixed number of classes; 'classes={_short(text)}' ignored.")
        return None
    value, warning = f.clamp(text, {"dataset": dataset})
    if warning:
        warnings.append(warning)
    return None if value is None else int(value)


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
        out[spec.name], warning = spec.clamp(text)
        if warning:
            warnings.append(warning)
    return out


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _view(p: dict[str, str], warnings: list[str]) -> dict[str, Any]:
    view = dict(VIEW_DEFAULTS)
    if "band" in p:
        parts = p["band"].strip().split("-")
        numbers = [BAND.clamp(t) for t in parts]
        if len(parts) != 2 or any(parse_number(t) is None for t in parts):
            warnings.append(
                f"Band {_short(p['band'])!r} is not 'low-high' (like 0.45-0.55); ignored."
            )
        else:
            warnings.extend(w for _, w in numbers if w)
            low, high = (v for v, _ in numbers)
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
    decoded: DecodedState,
    dataset: Dataset | None = None,
    max_steps: int = MAX_REPLAY_STEPS,
    budget_s: float | None = cost.REPLAY_BUDGET_S,
) -> tuple[Learner, list[str]]:
    """The Learner a link describes, replayed by `loop.replay` (leniently: replay stops at the
    first step that does not fit the pool and says so), plus the decoding warnings.

    An uploaded dataset cannot travel in a link: pass it as `dataset`, or the default scenario is
    shown with a warning.
    """
    warnings = list(decoded.warnings)
    config = decoded.config
    if config.dataset == UPLOAD and dataset is None:
        warnings.append(
            "This link was made on an uploaded CSV, which a link cannot carry: upload the file "
            "on the Label page and open the link again. Showing the default scenario."
        )
        return Learner(Config()), warnings
    try:
        config, capped = initial_that_fits(config, dataset)
        if capped:
            warnings.append(capped)
        problem = cost.opening_problem(config, dataset)
        if problem:
            raise ValueError(problem)
        done = replay(
            config,
            decoded.steps,
            decoded.skipped,
            dataset,
            strict=False,
            max_steps=max_steps,
            budget_s=budget_s,
        )
    except (DataError, ValueError) as exc:
        warnings.append(
            f"The link's settings cannot be used ({exc}); showing the default scenario."
        )
        return Learner(Config()), warnings
    return done.learner, warnings + done.warnings
