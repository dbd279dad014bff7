"""Classroom load test: N simulated students step the Explore page, without browsers.

Each simulated user speaks Streamlit's own websocket protocol, as the browser does: it loads
the page over HTTP (keeping its cookies, so a cookie-sticky load balancer routes it the way it
would route a browser), opens `/_stcore/stream`, sends a `BackMsg.rerun_script` for the page,
reads the `ForwardMsg` deltas until the run's `script_finished`, then presses "Step" (a
`trigger_value` widget state for the button's element id) a number of times with a seeded random
think time. With `--play` it presses Play instead and then answers each redrawn chart as the
live chart's script does: a "tick" trigger (the component's `json_trigger_value`) naming the
step it drew. A press counts as good only if its run finished cleanly and the "Labeled" metric
went up by exactly the batch size.

Reported: p50/p95 press latency (request sent -> that rerun's `script_finished`), errors
(exceptions, disconnects, timeouts, presses without effect) and server memory per session (VmRSS
of the server processes after a warm-up vs. with every session connected). With `--comparers N`
the class steps twice, alone and then while N more sessions each ask Compare for the largest
comparison it allows (and poll its progress as the browser does): the fairness figure is the
second p95 over the first. All traffic stays on
loopback; every loop is bounded by the step count and a per-run timeout.

    python deploy/loadtest.py --start --users 30 --steps 10
    python deploy/loadtest.py --url http://127.0.0.1:8501 --server-pid 1234 --json
    python deploy/loadtest.py --start --play --users 30 --steps 10 --think 0,0
    python deploy/loadtest.py --start --users 30 --steps 10 --comparers 5
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import NoReturn

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Markdown_pb2 import Markdown

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_APP = REPO_ROOT / "app.py"

BUTTON_KEY = "step"
PLAY_KEY = "play"
CHART_KEY = "plane"  # the live chart whose ticks pace autoplay
METRIC_LABEL = "Labeled"
P95_TARGET_S = 2.0
MEMORY_TARGET_MB = 5.0
FAIR_RATIO = 2.0  # the class's p95 while others compare, at most this times the p95 alone

FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
UPSTREAM_HEADER = "x-upstream"  # set by deploy/nginx.conf so the test can see where a user went
_INT_RE = re.compile(r"-?\d[\d,]*")


class LoadTestError(Exception):
    """A failure of one simulated user; `kind` groups it in the report."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


# ---------------------------------------------------------------- one Streamlit session


@dataclass
class RunResult:
    """What one script run sent: the elements that matter to the test, and its cost."""

    status: int | None = None
    button_id: str | None = None
    button_fragment: str = ""
    play_id: str | None = None
    chart_id: str | None = None  # the live chart: its ticks go to this element's trigger
    chart_fragment: str = ""
    chart_seq: int | None = None  # the step the chart shows (what a tick names)
    metric: int | None = None
    exceptions: list[str] = field(default_factory=list)
    n_bytes: int = 0
    n_msgs: int = 0
    widgets: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> id, fragment id
    options: dict[str, list[str]] = field(default_factory=dict)  # key -> a multiselect's labels
    status_line: str = ""  # the last progress bar's text or caption drawn (a job's status)


class ForwardMsgCache:
    """The browser's cache of big elements, so the server may send `ref_hash` references.

    The frontend keeps cacheable messages and drops those not seen for `max_age` finished runs;
    it tells the server which hashes it holds in every rerun request. Mirroring that keeps the
    bytes on the wire the same as a browser's.
    """

    def __init__(self, max_age: int = 2) -> None:
        self.max_age = max_age
        self._msgs: dict[str, tuple[ForwardMsg, int]] = {}
        self._run = 0

    def add(self, msg: ForwardMsg) -> None:
        if msg.metadata.cacheable and msg.hash:
            self._msgs[msg.hash] = (msg, self._run)

    def resolve(self, ref: ForwardMsg) -> ForwardMsg:
        entry = self._msgs.get(ref.ref_hash)
        if entry is None:
            raise LoadTestError("protocol", f"server referenced unknown message {ref.ref_hash}")
        self._msgs[ref.ref_hash] = (entry[0], self._run)
        msg = ForwardMsg()
        msg.CopyFrom(entry[0])
        msg.metadata.CopyFrom(ref.metadata)
        return msg

    def run_finished(self) -> None:
        self._run += 1
        self._msgs = {
            h: (m, seen) for h, (m, seen) in self._msgs.items() if self._run - seen <= self.max_age
        }

    def hashes(self) -> list[str]:
        return list(self._msgs)


class StreamlitUser:
    """One simulated browser tab: HTTP page load with cookies, then the websocket session."""

    def __init__(self, base_url: str, timeout: float, page: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.page = page.strip("/")
        self.query_string = ""
        self.page_script_hash = ""
        self.upstream: str | None = None  # replica that served the websocket (nginx header)
        self.page_upstream: str | None = None  # replica that served the page
        self.cache = ForwardMsgCache()
        self.cookies = CookieJar()
        self.wire_bytes = 0  # websocket bytes as received from the socket (compressed or not)
        self.auto_rerun: tuple[float, str] | None = None  # interval, fragment the page polls
        self._ws = None

    def _load_page(self) -> None:
        """GET the page and host config like the browser does, keeping the cookies it sets."""
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),  # loopback only: never go through an env proxy
            urllib.request.HTTPCookieProcessor(self.cookies),
        )
        for path in (f"/{self.page}", "/_stcore/host-config"):
            with opener.open(self.base_url + path, timeout=self.timeout) as resp:
                resp.read()
                if path != "/_stcore/host-config":
                    self.page_upstream = resp.headers.get(UPSTREAM_HEADER)

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        try:
            await asyncio.to_thread(self._load_page)
        except (urllib.error.URLError, OSError) as exc:
            raise LoadTestError("connect", f"page load failed: {exc}") from exc
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        ws_url = "ws" + self.base_url.removeprefix("http") + "/_stcore/stream"
        try:
            self._ws = await connect(
                ws_url,
                subprotocols=["streamlit"],
                origin=self.base_url,  # as a browser: Streamlit checks it against Host
                additional_headers={"Cookie": cookie} if cookie else None,
                proxy=None,
                max_size=None,
                open_timeout=self.timeout,
            )
        except Exception as exc:
            raise LoadTestError("connect", f"websocket connect failed: {exc!r}") from exc
        self.upstream = self._ws.response.headers.get(UPSTREAM_HEADER)
        received = self._ws.data_received  # the asyncio protocol's hook: count raw bytes

        def count(data: bytes) -> None:
            self.wire_bytes += len(data)
            received(data)

        self._ws.data_received = count

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()

    async def open_page(self) -> RunResult:
        """The first run of a session: no page hash yet, the server resolves the URL path."""
        return await self._rerun(page_name=self.page)

    async def press(self, run: RunResult) -> RunResult:
        """Click the button found in `run` (a trigger value, as a click in the browser)."""
        if run.button_id is None:
            raise LoadTestError("protocol", f'no button with key "{BUTTON_KEY}" on the page')
        return await self._rerun(trigger=run.button_id, fragment_id=run.button_fragment)

    async def press_play(self, run: RunResult) -> RunResult:
        """Click Play (the chart then paces the steps with its ticks)."""
        if run.play_id is None:
            raise LoadTestError("protocol", f'no button with key "{PLAY_KEY}" on the page')
        return await self._rerun(trigger=run.play_id, fragment_id=run.button_fragment)

    async def tick(self, run: RunResult) -> RunResult:
        """What the chart's script sends once it has drawn step `chart_seq` during Play."""
        if run.chart_id is None or run.chart_seq is None:
            raise LoadTestError("protocol", f'no live chart with key "{CHART_KEY}" on the page')
        events = [{"event": "tick", "value": run.chart_seq}]
        aggregator = f"$$STREAMLIT_INTERNAL_KEY_{run.chart_id}__events"
        return await self._rerun(
            json_trigger=(aggregator, json.dumps(events)), fragment_id=run.chart_fragment
        )

    async def _rerun(
        self,
        page_name: str = "",
        trigger: str = "",
        fragment_id: str = "",
        json_trigger: tuple[str, str] | None = None,
        values: dict[str, str | list[str] | float] | None = None,
    ) -> RunResult:
        """One rerun request; `values` are widget states by element id, sent with every request
        as the browser sends them: an option's label (a single choice), labels (a multiselect)
        or a number (a number input)."""
        from websockets.exceptions import ConnectionClosed

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        state.page_name = page_name
        state.cached_message_hashes.extend(self.cache.hashes())
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-US"
        state.context_info.url = f"{self.base_url}/{self.page}"
        if trigger:
            widget = state.widget_states.widgets.add()
            widget.id = trigger
            widget.trigger_value = True
        if json_trigger:
            widget = state.widget_states.widgets.add()
            widget.id, widget.json_trigger_value = json_trigger
        for element_id, value in (values or {}).items():
            widget = state.widget_states.widgets.add()
            widget.id = element_id
            if isinstance(value, str | list):
                widget.string_array_value.data.extend([value] if isinstance(value, str) else value)
            else:
                widget.double_value = float(value)
        if fragment_id:
            state.fragment_id = fragment_id
        try:
            await self._ws.send(msg.SerializeToString())
            return await asyncio.wait_for(self._read_run(), self.timeout)
        except ConnectionClosed as exc:
            raise LoadTestError("disconnect", f"websocket closed: {exc}") from exc
        except TimeoutError as exc:
            raise LoadTestError(
                "timeout", f"no script_finished within {self.timeout:.0f} s"
            ) from exc

    async def _read_run(self) -> RunResult:
        """Read ForwardMsgs until the run started by our request has finished."""
        result = RunResult()
        run_id = None
        while True:
            data = await self._ws.recv()
            result.n_bytes += len(data)
            result.n_msgs += 1
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":
                msg = self.cache.resolve(msg)
                kind = msg.WhichOneof("type")
            if kind == "new_session":
                run_id = msg.metadata.run.script_run_id or run_id
                self.page_script_hash = msg.new_session.page_script_hash or self.page_script_hash
                age = msg.new_session.config.max_cached_message_age
                self.cache.max_age = age or self.cache.max_age
            elif kind == "navigation":
                self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = msg.page_info_changed.query_string
            elif kind == "delta":
                self.cache.add(msg)
                self._read_delta(msg, result)
            elif kind == "auto_rerun":  # a run_every fragment: the browser polls it
                self.auto_rerun = (msg.auto_rerun.interval, msg.auto_rerun.fragment_id)
            elif (
                kind == "script_finished"
                and msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN
            ):
                continue  # st.rerun(): the same request's next run follows
            elif kind == "script_finished":
                finished_run = msg.metadata.run.script_run_id
                if run_id is None or not finished_run or finished_run == run_id:
                    result.status = msg.script_finished
                    self.cache.run_finished()
                    return result

    @staticmethod
    def _read_delta(msg: ForwardMsg, result: RunResult) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        widget_id = getattr(getattr(element, kind, None), "id", "") if kind else ""
        if isinstance(widget_id, str) and "-" in widget_id:  # a keyed widget: "...-<key>"
            key = widget_id.rsplit("-", 1)[-1]
            result.widgets[key] = (widget_id, delta.fragment_id)
            if kind == "multiselect":
                result.options[key] = list(element.multiselect.options)
        if kind == "progress":
            result.status_line = element.progress.text
        elif kind == "markdown" and element.markdown.element_type == Markdown.CAPTION:
            result.status_line = element.markdown.body
        if kind == "button" and (
            element.button.id.endswith(f"-{BUTTON_KEY}") or element.button.label == "Step"
        ):
            result.button_id = element.button.id
            result.button_fragment = delta.fragment_id
        elif kind == "button" and element.button.id.endswith(f"-{PLAY_KEY}"):
            result.play_id = element.button.id
        elif kind == "bidi_component" and element.bidi_component.id.endswith(f"-{CHART_KEY}"):
            chart = element.bidi_component
            text = chart.mixed.json if chart.WhichOneof("data") == "mixed" else chart.json
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                data = json.loads(text)
                result.chart_id, result.chart_fragment = chart.id, delta.fragment_id
                result.chart_seq = data["play"].get("seq", data.get("step"))
        elif kind == "metric" and element.metric.label == METRIC_LABEL:
            found = _INT_RE.search(element.metric.body)
            result.metric = int(found.group().replace(",", "")) if found else None
        elif kind == "exception":
            exc = element.exception
            where = " <- ".join(line.strip() for line in reversed(exc.stack_trace[-3:]))
            result.exceptions.append(
                f"{exc.type}: {exc.message}" + (f" at {where}" if where else "")
            )


# ---------------------------------------------------------------- the simulated class


@dataclass
class UserResult:
    user: int
    open_s: float | None = None
    latencies: list[float] = field(default_factory=list)
    presses_ok: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    upstream: str | None = None
    bytes_received: int = 0
    wire_bytes: int = 0


def _merge(old: RunResult, new: RunResult) -> RunResult:
    """The widgets a user can press after `new`: what it drew, else what was there before."""
    for name in ("button_id", "button_fragment", "play_id", "chart_id", "chart_fragment"):
        if getattr(new, name) in (None, ""):
            setattr(new, name, getattr(old, name))
    if new.chart_seq is None:
        new.chart_seq = old.chart_seq
    return new


def _check_run(run: RunResult, what: str, metric: bool = True) -> None:
    """A run that raised, ended badly or (with `metric`) showed no Labeled metric is an error."""
    if run.exceptions:
        raise LoadTestError("exception", f"{what}: {run.exceptions[0]}")
    if run.status not in FINISHED_OK:
        raise LoadTestError("exception", f"{what}: run ended with status {run.status}")
    if metric and run.metric is None:
        raise LoadTestError("protocol", f'{what}: no "{METRIC_LABEL}" metric on the page')


async def simulate_user(
    user: int,
    base_url: str,
    steps: int,
    batch_size: int,
    think: tuple[float, float],
    rng: random.Random,
    timeout: float,
    start_delay: float,
    all_done: asyncio.Event,
    on_done,
    play: bool = False,
) -> UserResult:
    """Open the page, press Step `steps` times, then hold the session until everyone is done
    (so memory and session counts are read with the whole class connected)."""
    out = UserResult(user)
    client = StreamlitUser(base_url, timeout)
    try:
        await asyncio.sleep(start_delay)
        t0 = time.perf_counter()
        await client.connect()
        out.upstream = client.upstream
        if client.upstream and client.page_upstream and client.upstream != client.page_upstream:
            out.errors.append(
                ("not_sticky", f"page from {client.page_upstream}, websocket to {client.upstream}")
            )
        run = await client.open_page()
        out.open_s = time.perf_counter() - t0
        out.bytes_received += run.n_bytes
        _check_run(run, "page open")
        if play:
            run = _merge(run, await client.press_play(run))
            _check_run(run, "Play")
        last_metric, pending = run.metric, 0  # presses since Labeled was last read
        for step in range(1, steps + 1):
            await asyncio.sleep(rng.uniform(*think))
            t0 = time.perf_counter()
            try:
                new = await (client.tick(run) if play else client.press(run))
            except LoadTestError as exc:
                out.errors.append((exc.kind, f"press {step}: {exc}"))
                break  # disconnected, or a run that never finished: the session is unusable
            out.latencies.append(time.perf_counter() - t0)
            out.bytes_received += new.n_bytes
            pending += 1
            run = _merge(run, new)  # the next press clicks what this run drew
            try:
                _check_run(new, f"press {step}")
            except LoadTestError as exc:
                out.errors.append((exc.kind, str(exc)))
                continue  # e.g. an exception in the app: the student presses again
            expected = last_metric + batch_size * pending
            if new.metric == expected:
                out.presses_ok += 1
            else:
                out.errors.append(
                    ("no_effect", f"press {step}: {METRIC_LABEL} {new.metric}, expected {expected}")
                )
            last_metric, pending = new.metric, 0
    except LoadTestError as exc:
        out.errors.append((exc.kind, str(exc)))
    except Exception as exc:  # a bug in the client or an unexpected server reply
        out.errors.append(("client", f"{type(exc).__name__}: {exc}"))
    finally:
        out.wire_bytes = client.wire_bytes
        on_done()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_done.wait(), timeout * 3)
        await client.close()
    return out


# The largest comparison the Compare page allows (its number inputs' maxima, every strategy).
COMPARE_PAGE = "compare"
LARGEST_COMPARISON = {"cmp_seeds": 100.0, "cmp_budget": 500.0}


@dataclass
class ComparerResult:
    user: int
    polls: int = 0
    status: str = ""  # the last status line seen, e.g. "212 of 1100 runs · 41 s"
    errors: list[tuple[str, str]] = field(default_factory=list)


async def simulate_comparer(
    user: int, base_url: str, timeout: float, asked: asyncio.Event, stop: asyncio.Event
) -> ComparerResult:
    """A student in another tab: open Compare, ask for the largest comparison the page allows,
    then poll its progress as the browser's `run_every` fragment does, until `stop`. Sets
    `asked` once the comparison was asked for (or this user failed)."""
    out = ComparerResult(user)
    client = StreamlitUser(base_url, timeout, page=COMPARE_PAGE)
    try:
        await client.connect()
        run = await client.open_page()
        _check_run(run, "Compare open", metric=False)
        needed = [*LARGEST_COMPARISON, "cmp_strategies", "cmp_run"]
        if missing := [k for k in needed if k not in run.widgets]:
            raise LoadTestError("protocol", f"Compare page lacks {', '.join(missing)}")
        kept: dict[str, str | list[str] | float] = {
            run.widgets[k][0]: v for k, v in LARGEST_COMPARISON.items()
        }
        kept[run.widgets["cmp_strategies"][0]] = run.options["cmp_strategies"]
        run = await client._rerun(trigger=run.widgets["cmp_run"][0], values=kept)
        _check_run(run, "Run comparison", metric=False)
        asked.set()
        while client.auto_rerun and not stop.is_set():
            interval, fragment = client.auto_rerun
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
            if stop.is_set():
                break
            run = await client._rerun(fragment_id=fragment, values=kept)
            _check_run(run, "progress poll", metric=False)
            out.polls += 1
            out.status = run.status_line or out.status
    except LoadTestError as exc:
        out.errors.append((exc.kind, str(exc)))
    except Exception as exc:  # a bug in the client or an unexpected server reply
        out.errors.append(("client", f"{type(exc).__name__}: {exc}"))
    finally:
        asked.set()
        await stop.wait()  # hold the session (and so its comparison) until the class is done
        await client.close()
    return out


# ---------------------------------------------------------------- server-side measurements


def rss_kb(pid: int) -> int:
    """Resident memory of a process in kB, from /proc/PID/status."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise LoadTestError("memory", f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def active_sessions(base_url: str) -> int | None:
    """`active_sessions` from Streamlit's /_stcore/metrics (None when unreadable)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{base_url.rstrip('/')}/_stcore/metrics", timeout=5) as resp:
            text = resp.read().decode()
    except (urllib.error.URLError, OSError):
        return None
    found = re.search(r"^active_sessions (\d+)", text, re.MULTILINE)
    return int(found.group(1)) if found else None


class RssSampler:
    """Samples the summed RSS of the server processes in a thread, to report the peak."""

    def __init__(self, pids: Sequence[int], interval: float = 0.25) -> None:
        self.pids = list(pids)
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def total_kb(self) -> int:
        return sum(rss_kb(p) for p in self.pids)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            with contextlib.suppress(OSError, LoadTestError):
                self.peak_kb = max(self.peak_kb, self.total_kb())

    def __enter__(self) -> RssSampler:
        if self.pids:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


# ---------------------------------------------------------------- the report


class Verdict:
    """What every report of this tool shares (a mixin for its dataclasses, which hold `errors`
    and `targets`): passed means no errors and no target missed."""

    errors: int
    targets: dict[str, bool | None]

    @property
    def passed(self) -> bool:
        return self.errors == 0 and all(v is not False for v in self.targets.values())

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "passed": self.passed}, indent=2)


@dataclass
class Report(Verdict):
    url: str
    users: int
    steps: int
    batch_size: int
    think_s: tuple[float, float]
    seed: int
    presses_planned: int
    presses_ok: int
    presses_measured: int
    errors: int
    errors_by_kind: dict[str, int]
    error_samples: list[str]
    latency_p50_s: float | None
    latency_p95_s: float | None
    latency_max_s: float | None
    open_p50_s: float | None
    open_p95_s: float | None
    duration_s: float
    reruns_per_s: float
    kb_per_press: float | None
    wire_kb_per_press: float | None
    client_cpu_s: float
    server_cpu_s: float | None
    server_cpu_ms_per_run: float | None
    load_average: float
    rss_before_mb: float | None
    rss_connected_mb: float | None
    rss_peak_mb: float | None
    memory_per_session_mb: float | None
    sessions_per_replica: dict[str, int | None]
    users_per_upstream: dict[str, int]
    targets: dict[str, bool | None]
    attacks_s: dict[str, float] = field(default_factory=dict)  # costly link -> seconds to settle
    comparers: int = 0  # sessions running the largest comparison meanwhile
    comparer_status: list[str] = field(default_factory=list)  # each one's last status line
    alone_p95_s: float | None = None  # the class's p95 in a run just before, without them

    def to_text(self) -> str:
        s = seconds

        def verdict(key: str) -> str:
            return target_verdict(self.targets, key)

        lines = [
            f"Load test: {self.users} users x {self.steps} steps against {self.url} "
            f"(think {self.think_s[0]}-{self.think_s[1]} s, seed {self.seed})",
            f"presses: {self.presses_ok}/{self.presses_planned} took effect; "
            f"errors: {self.errors} {self.errors_by_kind or ''}".rstrip(),
            f"press latency: p50 {s(self.latency_p50_s)}, p95 {s(self.latency_p95_s)}, "
            f"max {s(self.latency_max_s)}   (p95 <= {P95_TARGET_S:g} s: {verdict('p95')})",
            f"page open:     p50 {s(self.open_p50_s)}, p95 {s(self.open_p95_s)}",
            f"server memory: {s(self.rss_before_mb, ' MB')} after warm-up, "
            f"{s(self.rss_connected_mb, ' MB')} with all sessions (peak "
            f"{s(self.rss_peak_mb, ' MB')}) -> {s(self.memory_per_session_mb, ' MB')}/session "
            f"(<= {MEMORY_TARGET_MB:g} MB: {verdict('memory')})",
            f"throughput: {self.reruns_per_s:.1f} reruns/s over {self.duration_s:.1f} s, "
            f"{s(self.kb_per_press, ' kB')} per run ({s(self.wire_kb_per_press, ' kB')} on the "
            f"wire); server CPU "
            f"{s(self.server_cpu_ms_per_run, ' ms')} per run; load client CPU "
            f"{self.client_cpu_s:.1f} s; machine load average {self.load_average:.1f}",
        ]
        if self.sessions_per_replica:
            spread = self.targets.get("spread")
            lines.append(
                f"active sessions per replica: {self.sessions_per_replica}"
                + ("" if spread is None else f"   (every replica used: {verdict('spread')})")
            )
        if self.users_per_upstream:
            lines.append(f"users per upstream (nginx X-Upstream): {self.users_per_upstream}")
        if self.comparers:
            ratio = (
                f"{self.latency_p95_s / self.alone_p95_s:.2f}x"
                if self.alone_p95_s and self.latency_p95_s is not None
                else "n/a"
            )
            lines.append(
                f"fairness: p95 {s(self.latency_p95_s)} while {self.comparers} sessions ran the "
                f"largest comparison, {s(self.alone_p95_s)} alone -> {ratio} "
                f"(<= {FAIR_RATIO:g}x: {verdict('fair')})"
            )
            lines += [f"  comparer {i}: {p}" for i, p in enumerate(self.comparer_status)]
        for link, settled in self.attacks_s.items():
            shown = link if len(link) <= 120 else f"{link[:100]}… ({len(link):,} characters)"
            lines.append(f"costly link settled in {settled:.2f} s: ?{shown}")
        lines += [f"  error: {e}" for e in self.error_samples]
        lines.append("RESULT: " + ("PASS" if self.passed else "FAIL"))
        return "\n".join(lines)


def seconds(v: float | None, unit: str = " s", digits: int = 2) -> str:
    """A measured figure for a report line ("n/a" when it was not measured)."""
    return "n/a" if v is None else f"{v:.{digits}f}{unit}"


def target_verdict(targets: dict[str, bool | None], key: str) -> str:
    """PASS, FAIL or "not measured" for one of a report's targets."""
    v = targets.get(key)
    return "not measured" if v is None else ("PASS" if v else "FAIL")


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (no interpolation: p95 of 300 presses is the 285th)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


async def _warm_up(urls: Sequence[str], timeout: float) -> None:
    """One session per replica opens the page and steps once, so imports and caches are paid
    before the memory baseline is read."""
    for url in urls:
        client = StreamlitUser(url, timeout)
        try:
            await client.connect()
            run = await client.open_page()
            _check_run(run, "warm-up open")
            _check_run(await client.press(run), "warm-up press")
        finally:
            await client.close()


async def _run(
    url: str,
    users: int,
    steps: int,
    batch_size: int,
    think: tuple[float, float],
    seed: int,
    timeout: float,
    ramp: float,
    replicas: Sequence[str],
    server_pids: Sequence[int],
    warmup: bool,
    play: bool = False,
    attacks: Sequence[str] = (),
    comparers: int = 0,
) -> Report:
    if warmup:
        await _warm_up(replicas or [url], timeout)
        await asyncio.sleep(0.5)
    sampler = RssSampler(server_pids)
    rss_before = sampler.total_kb() if server_pids else None
    cpu_before = sum(cpu_seconds(p) for p in server_pids)
    all_done = asyncio.Event()
    remaining = users
    snapshot: dict[str, object] = {}

    def on_done() -> None:
        nonlocal remaining
        remaining -= 1
        if remaining == 0:  # every user is done and still connected: measure now
            if server_pids:
                snapshot["rss"] = sampler.total_kb()
                snapshot["cpu"] = sum(cpu_seconds(p) for p in server_pids) - cpu_before
            snapshot["sessions"] = {r: active_sessions(r) for r in replicas}
            all_done.set()

    attacked: dict[str, float] = {}

    async def attack() -> None:
        """A stranger opens costly links while the class steps (each in a session of its own):
        each must settle (refused, cut) within seconds, and the class must not notice."""
        await asyncio.sleep(ramp + 1.0)
        for link in attacks:
            client = StreamlitUser(url, timeout)
            client.query_string = link
            t = time.perf_counter()
            try:
                await client.connect()
                await client.open_page()
            except LoadTestError as exc:
                attacked[link] = float("nan")
                print(f"attack {link[:60]}: {exc}", file=sys.stderr)
            else:
                attacked[link] = time.perf_counter() - t
            finally:
                await client.close()

    stop = asyncio.Event()  # the class is done: the comparers close their tabs
    asked = [asyncio.Event() for _ in range(comparers)]
    comparing = [
        asyncio.create_task(simulate_comparer(i, url, timeout, e, stop))
        for i, e in enumerate(asked)
    ]
    with contextlib.suppress(TimeoutError):  # the class steps once every comparison was asked for
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in asked)), timeout)

    cpu0, t0 = time.process_time(), time.perf_counter()
    with sampler:
        attacker = asyncio.create_task(attack())
        results = await asyncio.gather(
            *(
                simulate_user(
                    i,
                    url,
                    steps,
                    batch_size,
                    think,
                    random.Random(seed * 100_003 + i),
                    timeout,
                    random.Random(seed - i - 1).uniform(0, ramp),
                    all_done,
                    on_done,
                    play,
                )
                for i in range(users)
            )
        )
        await attacker
        stop.set()
        compared = await asyncio.gather(*comparing)
    duration = time.perf_counter() - t0
    client_cpu = time.process_time() - cpu0

    latencies = [x for r in results for x in r.latencies]
    opens = [r.open_s for r in results if r.open_s is not None]
    errors = [e for r in [*results, *compared] for e in r.errors]
    rss_connected = snapshot.get("rss")
    per_session = (
        (rss_connected - rss_before) / 1024 / users
        if rss_connected is not None and rss_before is not None
        else None
    )
    p95 = percentile(latencies, 95)
    n_runs = len(latencies) + len(opens)
    server_cpu = snapshot.get("cpu")
    sessions = snapshot.get("sessions", {})
    n_bytes = sum(r.bytes_received for r in results)
    n_wire = sum(r.wire_bytes for r in results)
    return Report(
        url=url,
        users=users,
        steps=steps,
        batch_size=batch_size,
        think_s=think,
        seed=seed,
        presses_planned=users * steps,
        presses_ok=sum(r.presses_ok for r in results),
        presses_measured=len(latencies),
        errors=len(errors),
        errors_by_kind=dict(Counter(kind for kind, _ in errors)),
        error_samples=[
            f"{'comparer' if isinstance(r, ComparerResult) else 'user'} {r.user}: {m}"
            for r in [*results, *compared]
            for _, m in r.errors
        ][:10],
        latency_p50_s=percentile(latencies, 50),
        latency_p95_s=p95,
        latency_max_s=max(latencies) if latencies else None,
        open_p50_s=percentile(opens, 50),
        open_p95_s=percentile(opens, 95),
        duration_s=duration,
        reruns_per_s=n_runs / duration if duration else 0.0,
        kb_per_press=n_bytes / 1024 / n_runs if n_runs else None,
        wire_kb_per_press=n_wire / 1024 / n_runs if n_runs else None,
        client_cpu_s=client_cpu,
        server_cpu_s=server_cpu,
        server_cpu_ms_per_run=1000 * server_cpu / n_runs if server_cpu and n_runs else None,
        attacks_s=attacked,
        comparers=comparers,
        comparer_status=[c.status or "no status shown" for c in compared],
        load_average=os.getloadavg()[0],
        rss_before_mb=None if rss_before is None else rss_before / 1024,
        rss_connected_mb=None if rss_connected is None else rss_connected / 1024,
        rss_peak_mb=sampler.peak_kb / 1024 if server_pids else None,
        memory_per_session_mb=per_session,
        sessions_per_replica=sessions,
        users_per_upstream=dict(Counter(r.upstream for r in results if r.upstream)),
        targets={
            "p95": None if p95 is None else p95 <= P95_TARGET_S,
            "memory": None if per_session is None else per_session <= MEMORY_TARGET_MB,
            # Behind a load balancer every replica must get some of the class.
            "spread": None if len(sessions) < 2 else all(n for n in sessions.values()),
        },
    )


def run_load_test(
    url: str,
    users: int = 30,
    steps: int = 10,
    *,
    batch_size: int = 1,
    think: tuple[float, float] = (0.3, 1.0),
    seed: int = 0,
    timeout: float = 60.0,
    ramp: float = 1.0,
    replicas: Sequence[str] = (),
    server_pids: Sequence[int] = (),
    warmup: bool = True,
    play: bool = False,
    attacks: Sequence[str] = (),
    comparers: int = 0,
) -> Report:
    """Simulate `users` students on `url` and return the report (the CLI prints it).
    `attacks` are query strings a stranger opens meanwhile (costly links), each timed.
    With `play`, each presses Play and paces it with the live chart's ticks. With `comparers`,
    the class steps twice: alone, then while that many more sessions run the largest
    comparison; the second p95 must stay within FAIR_RATIO of the first.

    `replicas` are the direct URLs of the Streamlit servers behind `url` (warm-up and session
    counts); by default `url` itself. `server_pids` are their processes, for memory.
    """
    require_loopback(url)
    for r in replicas:
        require_loopback(r)

    def once(comparing: int, warm: bool) -> Report:
        return _in_fresh_loop(
            lambda: _run(
                url.rstrip("/"),
                users,
                steps,
                batch_size,
                think,
                seed,
                timeout,
                ramp,
                [r.rstrip("/") for r in replicas] or [url.rstrip("/")],
                server_pids,
                warm,
                play,
                attacks,
                comparing,
            )
        )

    if not comparers:
        return once(0, warmup)
    alone = once(0, warmup)
    report = once(comparers, False)
    report.alone_p95_s = alone.latency_p95_s
    report.errors += alone.errors
    report.error_samples = (alone.error_samples + report.error_samples)[:10]
    fair = None
    if alone.latency_p95_s and report.latency_p95_s is not None:
        fair = report.latency_p95_s <= FAIR_RATIO * alone.latency_p95_s
    report.targets["fair"] = fair
    return report


def _in_fresh_loop(make_coroutine):
    """asyncio.run, also from a thread that already runs a loop (Playwright's sync API does):
    then the load test gets a worker thread and a loop of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def require_loopback(url: str) -> None:
    """The load test never leaves this machine: refuse any non-loopback target."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "http" or not parsed.hostname:
        raise ValueError(f"--url must look like http://127.0.0.1:PORT, got {url!r}")
    host = parsed.hostname
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"--url must be a loopback address (127.0.0.1, ::1, localhost), got {host}"
        )


# ---------------------------------------------------------------- starting a server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def start_server(
    app: Path = DEFAULT_APP, options: Sequence[str] = (), timeout: float = 60.0
) -> Iterator[tuple[str, int]]:
    """`streamlit run APP` on a free loopback port (cwd = the app's folder, so its
    `.streamlit/config.toml` applies, plus `options` like "runner.postScriptGC=false");
    yields (url, pid) and stops the server afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", str(app)]
    cmd += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    cmd += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    for opt in options:
        key, _, value = opt.partition("=")
        cmd += [f"--{key.strip()}", value.strip()]
    with tempfile.TemporaryFile(mode="w+b") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=app.parent,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = log.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"streamlit did not become healthy on {url}:\n{tail}")
                time.sleep(0.2)
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


# ---------------------------------------------------------------- CLI


def _think(text: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("expects two seconds MIN,MAX, e.g. 0.3,1.0") from None
    if not 0 <= lo <= hi <= 60:
        raise argparse.ArgumentTypeError("expects 0 <= MIN <= MAX <= 60")
    return lo, hi


def _positive(limit: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expects a whole number, got {text!r}") from None
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(f"expects 1..{limit}, got {value}")
        return value

    return parse


def _server_opt(text: str) -> str:
    if not re.fullmatch(r"[a-zA-Z]+\.[a-zA-Z]+=\S*", text):
        raise argparse.ArgumentTypeError(f"expects SECTION.OPTION=VALUE, got {text!r}")
    return text


class _Parser(argparse.ArgumentParser):
    """Bad input: one line naming the problem, exit status 2 (no usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python deploy/loadtest.py",
        description="Simulate a class stepping the Explore page over Streamlit's websocket.",
    )
    p.add_argument("--url", default="http://127.0.0.1:8501", help="app URL (loopback only)")
    p.add_argument("--users", type=_positive(500), default=30)
    p.add_argument("--steps", type=_positive(1000), default=10, help="Step presses per user")
    p.add_argument("--batch-size", type=_positive(10_000), default=1, help="expected Labeled gain")
    p.add_argument("--think", type=_think, default=(0.3, 1.0), help="think time MIN,MAX seconds")
    p.add_argument("--ramp", type=float, default=1.0, help="users arrive within this many s")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per script run")
    p.add_argument("--server-pid", type=int, action="append", default=[], help="for memory")
    p.add_argument(
        "--replica",
        action="append",
        default=[],
        help="direct URL of a server behind --url (warm-up, session counts); repeatable",
    )
    p.add_argument("--no-warmup", action="store_true", help="skip the warm-up session")
    p.add_argument("--start", action="store_true", help="start `streamlit run APP` for the test")
    p.add_argument("--app", type=Path, default=DEFAULT_APP, help="app for --start")
    p.add_argument(
        "--server-opt",
        type=_server_opt,
        action="append",
        default=[],
        help="config override for --start, e.g. runner.postScriptGC=false; repeatable",
    )
    p.add_argument(
        "--play", action="store_true", help="press Play and answer the chart's ticks, not Step"
    )
    p.add_argument("--p95", type=float, default=P95_TARGET_S, help="p95 target in seconds")
    p.add_argument(
        "--attack",
        action="append",
        default=[],
        help="a costly query string a stranger opens meanwhile, e.g. 'n=20000&init=20000&model=gp'",
    )
    p.add_argument(
        "--comparers",
        type=_positive(50),
        default=0,
        help="step alone, then again while N more sessions run the largest comparison",
    )
    p.add_argument(
        "--room",
        action="store_true",
        help="a live room instead: one teacher and --users phones voting (deploy/room_load.py)",
    )
    p.add_argument("--questions", type=_positive(100), default=5, help="questions (--room)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when there were no errors and the targets were met, 1 otherwise, 2 on bad input."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        import websockets  # noqa: F401
    except ImportError:
        parser.error("the websockets package is missing (pip install websockets)")
    for url in [args.url, *args.replica]:
        try:
            require_loopback(url)
        except ValueError as exc:
            parser.error(str(exc))
    if args.comparers and args.room:
        parser.error("--comparers goes with the stepping class, not --room")
    if args.server_opt and not args.start:
        parser.error("--server-opt needs --start")
    if args.start and not args.app.is_file():
        parser.error(f"--app {args.app} is not a file")
    for pid in args.server_pid:
        if not Path(f"/proc/{pid}/status").exists():
            parser.error(f"--server-pid {pid}: no such process")
    if not args.start:
        for url in [args.url, *args.replica]:
            if not _healthy(url.rstrip("/")):
                parser.error(f"no Streamlit server answers at {url} (start one, or use --start)")

    kwargs = dict(
        users=args.users,
        steps=args.steps,
        batch_size=args.batch_size,
        think=args.think,
        seed=args.seed,
        timeout=args.timeout,
        ramp=max(0.0, args.ramp),
        warmup=not args.no_warmup,
        play=args.play,
        attacks=args.attack,
        comparers=args.comparers,
    )
    global P95_TARGET_S
    P95_TARGET_S = args.p95
    if args.room:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        sys.modules.setdefault("loadtest", sys.modules[__name__])  # one copy, run as a script
        from room_load import run_room_test

        def scenario(url: str, pids: Sequence[int], replicas: Sequence[str]):
            return run_room_test(
                url,
                students=args.users,
                questions=args.questions,
                think=args.think,
                seed=args.seed,
                timeout=args.timeout,
                server_pids=list(pids),
            )
    else:

        def scenario(url: str, pids: Sequence[int], replicas: Sequence[str]):
            return run_load_test(url, replicas=replicas, server_pids=pids, **kwargs)

    try:
        if args.start:
            with start_server(args.app.resolve(), args.server_opt) as (url, pid):
                report = scenario(url, [pid], [])
        else:
            report = scenario(args.url, args.server_pid, args.replica)
    except (RuntimeError, LoadTestError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report.to_json() if args.json else report.to_text())
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
