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
