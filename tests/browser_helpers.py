"""Helpers for end-to-end tests against a real `streamlit run` in headless Chromium.

The recipes behind these helpers are in shared/testing-recipes.md. Tests import them directly
(`from browser_helpers import wait_idle, click_data_point, screenshot`); the fixtures that use
`start_server` live in conftest.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

SERVER_START_TIMEOUT_S = 60.0


# Debian's chromium as root, with no network but loopback (see ../shared/testing-recipes.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


class Server(str):
    """A running server's base URL, which also knows the server's process id (to read its CPU)."""

    pid: int


@contextlib.contextmanager
def start_server(
    app: str = "app.py", timeout: float = SERVER_START_TIMEOUT_S, extra_args: tuple[str, ...] = ()
) -> Iterator[Server]:
    """Start `streamlit run APP` on a free loopback port; yield its base URL; stop it after.

    The server runs with the repository root as its working directory, so `.streamlit/config.toml`
    applies. Its output goes to a temporary log whose tail is shown if it fails to start.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        *extra_args,
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryFile(mode="w+b") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(url):
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"streamlit exited with code {proc.returncode} before it was healthy:\n"
                        + _tail(log)
                    )
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"streamlit on {url} not healthy after {timeout:.0f} s:\n" + _tail(log)
                    )
                time.sleep(0.2)
            server = Server(url)
            server.pid = proc.pid
            yield server
        finally:
            stop(proc)


def stop(proc: subprocess.Popen, grace_s: float = 10.0) -> None:
    """Terminate a process, and kill it if it has not gone within `grace_s`."""
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace_s)


def _tail(log, n_bytes: int = 4000) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace")[-n_bytes:]


def wait_idle(page, settle_ms=500):
    """Wait until the current Streamlit rerun has finished, then let the page settle."""
    page.wait_for_timeout(200)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached"
    )
    page.wait_for_timeout(settle_ms)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def click_data_point(page, x, y, chart=0):
    """Click a Plotly chart's point by data coordinates (SVG and WebGL traces alike)."""
    px, py = page.evaluate(
        """([i, x, y]) => {
        const gd = document.querySelectorAll('.js-plotly-plot')[i];
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
        return [r.left + xa._offset + xa.l2p(x), r.top + ya._offset + ya.l2p(y)]; }""",
        [chart, x, y],
    )
    page.mouse.move(px, py)
    page.wait_for_timeout(150)
    page.mouse.click(px, py)


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a PNG of the page as tests/artifacts/NAME.png and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name.removesuffix(".png"))
    path = ARTIFACTS / f"{stem}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# ---------------------------------------------------------------- what a page shows, measured

# Text that does not fit its box: buttons, labels, tabs, metrics and chips whose own text is wider
# than the element (`scrollWidth > clientWidth`), ignoring what is hidden or in a closed sidebar.
_TRUNCATED_JS = """() => {
  const roots = document.querySelectorAll(
    "button, label, [role=tab], [data-testid=stMetricLabel], [data-testid=stWidgetLabel], " +
    "[data-testid=stMetricValue], [data-testid=stMultiSelect] span[title]");
  const out = new Set();
  const hidden = el => !el.checkVisibility({visibilityProperty: true}) ||
    el.closest("[data-testid=stSidebar][aria-expanded=false]");
  // cut by a box that clips it, between it and its widget (a chip in a full select box)
  const clipped = (el) => {
    const r = el.getBoundingClientRect(), stop = el.closest("[data-testid=stElementContainer]");
    for (let a = el.parentElement; a && a !== stop; a = a.parentElement) {
      if (getComputedStyle(a).overflowX === "visible") continue;
      const q = a.getBoundingClientRect();
      if (r.right > q.right + 1 || r.left < q.left - 1) return true;
    }
    return false;
  };
  for (const root of roots) {
    if (hidden(root)) continue;
    for (const el of [root, ...root.querySelectorAll("*")]) {
      if (!el.innerText || !el.innerText.trim() || !el.clientWidth || hidden(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.right <= 0 || r.left >= innerWidth) continue;
      if (el.scrollWidth > el.clientWidth + 1 || clipped(el))
        out.add(`${root.innerText.trim().slice(0, 60)} (${el.scrollWidth} > ${el.clientWidth} px)`);
    }
  }
  // a table wider than the text column it stands in (its right columns past the edge)
  for (const table of document.querySelectorAll("[data-testid=stMarkdownContainer] table")) {
    const column = table.closest("[data-testid=stMarkdownContainer]");
    if (hidden(table)) continue;
    if (table.getBoundingClientRect().right > column.getBoundingClientRect().right + 1)
      out.add(`a table past its column: ${table.innerText.trim().slice(0, 60)}`);
  }
  return [...out];
}"""


def truncated_texts(page) -> list[str]:
    """Every visible control text that is cut off (an ellipsis, a clipped word)."""
    return page.evaluate(_TRUNCATED_JS)


# The planes on the page: the graphs that draw a pool. `labeled` counts the points drawn in the
# class traces (named after the classes, "Class A" …), the labels the chart shows.
_PLANES_JS = """() => [...document.querySelectorAll(".asknext-graph")].flatMap((gd, index) => {
  const data = gd._fullData || [];
  if (!data.some(t => t.name === "Unlabeled pool" || (t.name || "").startsWith("Class"))) return [];
  const labeled = data.filter(t => (t.name || "").startsWith("Class"))
                      .reduce((n, t) => n + (t._length || 0), 0);
  const title = ((gd._fullLayout || {}).title || {}).text || "";
  return [{index, labeled, title, top: gd.getBoundingClientRect().top}];
})"""


def planes(page) -> list[dict]:
    """Each plane on the page: its graph index, labeled points drawn, title and top edge."""
    return page.evaluate(_PLANES_JS)


def wait_drawn(page, graphs: int = 0, timeout_ms: int = 30_000) -> None:
    """Wait for the rerun to finish, the placeholders to go and every live chart (at least
    `graphs` Plotly graphs) to be drawn, or to say in words why it cannot be."""
    wait_idle(page, settle_ms=300)
    page.wait_for_function(
        """n => !document.querySelector("[data-testid=stSkeleton]") &&
               document.querySelectorAll(".asknext-graph .main-svg").length >= n &&
               [...document.querySelectorAll(".asknext-chart")].every(c =>
                 c.querySelector(".asknext-chart-note") ||
                 (c.querySelector(".asknext-graph") &&
                  [...c.querySelectorAll(".asknext-graph")].every(g => g.querySelector(".main-svg"))))""",
        arg=graphs,
        timeout=timeout_ms,
    )
    page.wait_for_timeout(200)


# Where parts of a Plotly graph are drawn on screen: each selector's boxes (non-empty ones).
_PARTS_JS = """([index, selectors]) => {
  const gd = document.querySelectorAll(".asknext-graph")[index];
  const box = r => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
  const out = {graph: box(gd.getBoundingClientRect()), viewport: {left: 0, top: 0,
               right: innerWidth, bottom: innerHeight}};
  for (const s of selectors)
    out[s] = [...gd.querySelectorAll(s)].map(e => e.getBoundingClientRect())
               .filter(r => r.width && r.height).map(box);
  return out;
}"""


def graph_parts(page, index: int, selectors: list[str]) -> dict:
    """Screen boxes of a graph (`graph`), the viewport and each selector's elements in it."""
    return page.evaluate(_PARTS_JS, [index, selectors])


def inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    """Whether box `inner` lies within box `outer` (screen pixels)."""
    return (
        inner["left"] >= outer["left"] - slack
        and inner["top"] >= outer["top"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["bottom"] <= outer["bottom"] + slack
    )


def overlap(a: dict, b: dict) -> bool:
    """Whether two screen boxes intersect (touching edges do not count)."""
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )
