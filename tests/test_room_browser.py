"""A live room in real browsers: a teacher and three phones through three questions.

Run twice: on one server with the in-process store, and on two servers sharing a private
redis-server, the teacher on one and the students on the other (as behind nginx's replicas).
Checks the live tally, the labels the class teaches (a majority, a unanimous answer, a tie the
teacher breaks), and the marks on the plane (split answers, answers against the truth).
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pytest
from browser_helpers import screenshot, start_server, wait_idle
from redis_helpers import start_redis

from al_core.loop import Config, Learner

CLASSES = ("Class A", "Class B")
# The votes of the three students on each question: None abstains (a tie on the last one).
VOTES = ((0, 0, 1), (1, 1, 1), (0, 1, None))
PLOT = "[data-testid='stApp'] .js-plotly-plot"


@contextlib.contextmanager
def _env(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module", params=["one server", "two replicas with Redis"])
def servers(request):
    """(the teacher's server, the students' server)."""
    if request.param == "one server":
        with start_server() as url:
            yield url, url
        return
    from conftest import _need_redis

    _need_redis()
    with (
        start_redis() as redis,
        _env(ASK_NEXT_REDIS_URL=redis.url),
        start_server() as a,
        start_server() as b,
    ):
        yield a, b


def _trace_size(page, name: str) -> int:
    """How many points the plane's trace `name` draws (0 when it has none)."""
    return page.evaluate(
        """([sel, name]) => {
            const g = document.querySelector(sel);
            const t = g && g.data.find(t => t.name === name);
            return t && t.customdata ? t.customdata.length : 0;
        }""",
        [PLOT, name],
    )


def _question_point(teacher) -> int:
    text = teacher.locator("[data-testid='room-tally']").inner_text()
    return int(re.search(r"point (\d+)", text).group(1))


def _count(teacher, c: int) -> str:
    return teacher.locator(f"[data-testid='room-count-{c}']").inner_text()


def _download_rows(page, button: str, tries: int = 3) -> list[str]:
    """A download's lines. The tally's poll reruns twice a second, and a download that starts
    just as one lands can be cancelled by the browser; a person would press again, so do we."""
    for attempt in range(tries):
        try:
            with page.expect_download() as got:
                page.get_by_role("button", name=button).click()
            return Path(got.value.path()).read_text().strip().splitlines()
        except Exception:
            if attempt == tries - 1:
                raise
            page.wait_for_timeout(500)
    return []


def test_a_class_votes_three_labels(browser, servers):
    teacher_url, student_url = servers
    truth = Learner(Config()).dataset.y  # the scenario every Label page opens on
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    teacher = ctx.new_page()
    teacher.goto(f"{teacher_url}/label")
    wait_idle(teacher)
    teacher.get_by_text("Class room", exact=True).click()
    teacher.get_by_role("button", name="Open a room").click()
    code_box = teacher.locator("[data-testid='room-code']")
    code_box.wait_for(timeout=20_000)
    code = code_box.inner_text().replace(" ", "")
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTVWXYZ]{6}", code)

    phones = []
    for _ in range(3):  # each phone its own browser context: its own token, as on real phones
        phone = browser.new_context(viewport={"width": 360, "height": 640}).new_page()
        phone.goto(f"{student_url}/join?room={code}")
        phone.get_by_text("Which class is").wait_for(timeout=20_000)
        phones.append(phone)
    teacher.get_by_text("3 joined").wait_for(timeout=10_000)

    taught, split, wrong = [], 0, 0
    for n, votes in enumerate(VOTES, start=1):
        teacher.get_by_text(f"Question {n}:").wait_for(timeout=15_000)
        point = _question_point(teacher)
        for phone, vote in zip(phones, votes):
            if vote is None:
                continue
            phone.get_by_text(f"Which class is point {point}?").wait_for(timeout=10_000)
            phone.get_by_role("button", name=CLASSES[vote], exact=True).click()
            phone.get_by_role("button", name=f"✓ {CLASSES[vote]}").wait_for(timeout=5_000)
        cast = [v for v in votes if v is not None]
        teacher.get_by_text(f"{len(cast)} voted").wait_for(timeout=5_000)
        assert [_count(teacher, c) for c in (0, 1)] == [str(cast.count(c)) for c in (0, 1)]
        screenshot(teacher, f"room_teacher_q{n}")
        if n == 1:
            screenshot(phones[0], "room_phone_voted")
        teacher.get_by_role("button", name="Accept the majority").click()
        wait_idle(teacher)
        if cast.count(0) == cast.count(1):  # a tie: the teacher teaches class B
            teacher.get_by_text("A tie: teach one of these.").wait_for(timeout=10_000)
            teacher.locator(".st-key-room_pick_1 button").click()
            wait_idle(teacher)
            label = 1
        else:
            label = max((0, 1), key=cast.count)
        teacher.get_by_text(f"Taught {CLASSES[label]}").wait_for(timeout=20_000)
        taught.append(label)
        split += len(set(cast)) > 1
        wrong += int(truth[point]) != label

    teacher.get_by_role("button", name="Reveal the truth").click()
    phones[0].locator("[data-testid='join-answer']").get_by_text("The truth").wait_for(
        timeout=10_000
    )
    screenshot(phones[0], "room_phone_truth")
    wait_idle(teacher, 1000)
    assert _trace_size(teacher, "Class was split") == split == 2
    assert _trace_size(teacher, "Differs from the truth") == wrong
    screenshot(teacher, "room_teacher_end")
    rows = _download_rows(teacher, "Votes (CSV)")
    assert len(rows) == 1 + sum(v is not None for q in VOTES for v in q)  # a header, then votes
    teacher.get_by_role("button", name="Close the room").click()
    phones[1].get_by_text("This room has closed").wait_for(timeout=10_000)
    ctx.close()
