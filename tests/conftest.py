"""Shared fixtures: a running Ask Next server, a headless Chromium driven by Playwright, and a
private redis-server for the room tests.

Browser tests need the `playwright` package and Debian's `chromium` on PATH (no
`playwright install`); room tests need Debian's `redis-server`. Without them these fixtures skip
locally, but fail when the `CI` environment variable is set, so a broken install step in CI
cannot hide behind skipped tests.
"""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest
from browser_helpers import CHROMIUM_ARGS, screenshot, start_server
from redis_helpers import redis_server_path, start_redis

VIEWPORT = {"width": 1400, "height": 900}
BROWSER_FIXTURES = {"browser", "page"}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str):
    if in_ci():
        pytest.fail(f"{reason} (CI is set: these tests must run in CI, not skip)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items):
    """Mark every test that uses a browser fixture as `browser`, so `-m "not browser"` works."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def app_server():
    """Base URL of one `streamlit run app.py` shared by the whole session."""
    with start_server() as url:
        yield url


@pytest.fixture
def fresh_server():
    """Factory: `url = fresh_server()` starts a NEW server (e.g. for deep links on a fresh
    process); every server it started is stopped when the test ends."""
    with contextlib.ExitStack() as stack:

        def _start(**kwargs) -> str:
            return stack.enter_context(start_server(**kwargs))

        yield _start


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium, launched once per session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -r requirements-dev.txt)")
    chromium = shutil.which("chromium")
    if chromium is None:
        _unavailable("chromium is not on PATH (apt-get install -y chromium)")

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        pw.stop()
        _unavailable(f"could not launch {chromium}: {exc}")
    try:
        yield b
    finally:
        b.close()
        pw.stop()


@pytest.fixture
def page(browser, request):
    """A page in a fresh browser context (1400x900). A screenshot of how the page ended is saved
    as tests/artifacts/<test name>.final.png, whether the test passed or not."""
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        with contextlib.suppress(Exception):
            screenshot(pg, f"{request.node.name}.final")
        context.close()


def _need_redis() -> None:
    try:
        import redis  # noqa: F401
    except ImportError:
        _unavailable("the redis client is not installed (pip install -r requirements.txt)")
    if redis_server_path() is None:
        _unavailable("redis-server is not installed (apt-get install -y redis-server)")


@pytest.fixture(scope="session")
def redis_url():
    """The URL of one private redis-server shared by the session's room tests."""
    _need_redis()
    with start_redis() as server:
        yield server.url


@pytest.fixture
def private_redis():
    """A redis-server of the test's own, which the test may kill (`server.kill()`)."""
    _need_redis()
    with start_redis() as server:
        yield server
