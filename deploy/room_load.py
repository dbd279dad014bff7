"""Room load test: a teacher and N students' phones in one live room, without browsers.

Every client speaks Streamlit's protocol (`loadtest.StreamlitUser`). The teacher opens the Label
page, picks "Class room", presses "Open a room" and then polls its tally fragment twice a second,
as the browser's `run_every` does; each phone opens `/join?room=CODE`, polls its question
fragment once a second, and votes after a seeded think time. Once every phone has voted (or a
question has been open `--question-timeout` s) the teacher presses "Accept the majority" (and on
a tie, the first class).

Measured, per vote: the press (request sent -> that rerun finished, showing the tick on the
pressed button) and the tally (request sent -> the first teacher poll that counts it: the k-th
vote to finish is counted when a poll reports k votes or more). Targets from the rooms issue: a
vote in the teacher's tally within 1 s (p95), a phone reacting within 300 ms (p95).

    python deploy/loadtest.py --start --room --users 60 --questions 5
    deploy/run_replicas.sh --loadtest --room --users 60     # two replicas sharing Redis
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

try:  # imported as deploy.room_load (the tests) or beside loadtest.py run as a script
    from deploy import loadtest as lt
except ImportError:
    import loadtest as lt

TALLY_TARGET_S = 1.0
PRESS_TARGET_S = 0.3
TEACHER_POLL_S = 0.5  # as ui.room's fragment
PHONE_POLL_S = 1.0  # as app_pages/join.py's fragment
_CODE = re.compile(r'data-testid="room-code"[^>]*>([^<]+)<')
_TALLY = re.compile(r"Question (\d+):.*?(\d+) joined.*?(\d+) voted", re.S)


@dataclass
class Seen:
    """What one run showed, of the elements a room's clients look for."""

    buttons: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # key -> id, frag, label
    choices: dict[str, str] = field(default_factory=dict)  # key -> element id (button groups)
    html: list[tuple[str, str]] = field(default_factory=list)  # body, fragment id
    markdown: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)


class RoomClient(lt.StreamlitUser):
    """A simulated browser that also reads buttons by key, button groups, HTML and Markdown."""

    def __init__(self, base_url: str, timeout: float, page: str = "", query: str = "") -> None:
        super().__init__(base_url, timeout, page)
        self.query_string = query
        self.kept: dict[str, str] = {}  # choices resent with every request (element id -> label)
        self.seen = Seen()

    def _read_delta(self, msg, result) -> None:
        lt.StreamlitUser._read_delta(msg, result)
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "button":
            key = element.button.id.rsplit("-", 1)[-1]
            self.seen.buttons[key] = (element.button.id, delta.fragment_id, element.button.label)
        elif kind == "button_group":
            self.seen.choices[element.button_group.id.rsplit("-", 1)[-1]] = element.button_group.id
        elif kind == "html":
            self.seen.html.append((element.html.body, delta.fragment_id))
        elif kind == "markdown":
            self.seen.markdown.append(element.markdown.body)

    async def run(self, **kw) -> tuple[lt.RunResult, Seen]:
        """One rerun (`_rerun`'s options); the elements it showed."""
        self.seen = Seen()
        result = await self._rerun(values=self.kept, **kw)
        lt._check_run(result, "room run", metric=False)
        return result, self.seen

    async def press(self, seen: Seen, key: str) -> tuple[lt.RunResult, Seen]:  # type: ignore[override]
        if key not in seen.buttons:
            raise lt.LoadTestError("protocol", f'no button "{key}" on the page')
        element_id, fragment, _ = seen.buttons[key]
        return await self.run(trigger=element_id, fragment_id=fragment)


@dataclass
class RoomReport(lt.Verdict):
    url: str
    students: int
    questions: int
    votes: int
    errors: int
    error_samples: list[str]
    press_p50_s: float | None
    press_p95_s: float | None
    tally_p50_s: float | None
    tally_p95_s: float | None
    tally_max_s: float | None
    accept_p50_s: float | None
    server_cpu_s: float | None
    load_average: float
    students_per_upstream: dict[str, int]
    targets: dict[str, bool | None]

    def to_text(self) -> str:
        def s(v: float | None) -> str:
            return lt.seconds(v, digits=3)

        def verdict(key: str) -> str:
            return lt.target_verdict(self.targets, key)

        lines = [
            f"Room load test: 1 teacher + {self.students} phones, {self.questions} questions, "
            f"{self.votes} votes against {self.url}; errors: {self.errors}",
            f"phone press -> tick:  p50 {s(self.press_p50_s)}, p95 {s(self.press_p95_s)}   "
            f"(p95 <= {PRESS_TARGET_S:g} s: {verdict('press')})",
            f"vote -> tally:        p50 {s(self.tally_p50_s)}, p95 {s(self.tally_p95_s)}, "
            f"max {s(self.tally_max_s)}   (p95 <= {TALLY_TARGET_S:g} s: {verdict('tally')})",
            f"accept -> next question on the teacher's page: p50 {s(self.accept_p50_s)}",
            f"server CPU {s(self.server_cpu_s)}; machine load average {self.load_average:.1f}",
        ]
        if self.students_per_upstream:
            lines.append(f"phones per upstream (nginx X-Upstream): {self.students_per_upstream}")
        lines += [f"  error: {e}" for e in self.error_samples]
        lines.append("RESULT: " + ("PASS" if self.passed else "FAIL"))
        return "\n".join(lines)


class _Room:
    """Shared between the clients of one test: the open question and every timing."""

    def __init__(self) -> None:
        self.question = 0
        self.changed = asyncio.Event()
        self.votes: dict[int, list[tuple[float, float]]] = {}  # question -> (sent, done)
        self.polls: list[tuple[float, int, int]] = []  # (time, question, voted)
        self.presses: list[float] = []
        self.accepts: list[float] = []
        self.errors: list[str] = []
        self.done = False


async def _teacher(
    url: str,
    timeout: float,
    students: int,
    questions: int,
    room: _Room,
    question_timeout: float,
    code_ready: asyncio.Future,
) -> None:
    t = RoomClient(url, timeout, page="label")
    try:
        await t.connect()
        _, seen = await t.run(page_name="label")
        if "label_mode" not in seen.choices:
            raise lt.LoadTestError("protocol", "no Label / Class room choice on the Label page")
        t.kept[seen.choices["label_mode"]] = "Class room"
        _, seen = await t.run()
        _, seen = await t.press(seen, "room_open")
        code = next((m.group(1) for b, _ in seen.html if (m := _CODE.search(b))), None)
        frag = next((f for b, f in seen.html if 'data-testid="room-tally"' in b), None)
        if code is None or frag is None:
            raise lt.LoadTestError("protocol", "the room did not open (no code or tally)")
        code_ready.set_result(code.replace(" ", ""))
        page = seen
        for _ in range(questions):
            opened = time.monotonic()
            while True:
                await asyncio.sleep(TEACHER_POLL_S)
                _, polled = await t.run(fragment_id=frag)
                got = next((m for b, _ in polled.html if (m := _TALLY.search(b))), None)
                if got is None:
                    continue
                qid, voted = int(got.group(1)), int(got.group(3))
                room.question = qid
                room.polls.append((time.monotonic(), qid, voted))
                room.changed.set()
                if voted >= students or time.monotonic() - opened > question_timeout:
                    break
            sent = time.monotonic()
            _, page = await t.press(page, "room_accept")
            if "room_pick_0" in page.buttons:  # a tie: the teacher teaches the first class
                _, page = await t.press(page, "room_pick_0")
            room.accepts.append(time.monotonic() - sent)
            frag = next((f for b, f in page.html if 'data-testid="room-tally"' in b), frag)
    except BaseException as exc:
        if not code_ready.done():  # the phones are still waiting for a code: tell them why not
            code_ready.set_exception(exc)
        raise
    finally:
        room.done = True
        room.changed.set()
        await t.close()


async def _student(
    url: str,
    timeout: float,
    code: str,
    n: int,
    think: tuple[float, float],
    rng: random.Random,
    room: _Room,
    upstreams: Counter,
    questions: int,
) -> None:
    phone = RoomClient(url, timeout, page="join", query=f"room={code}")
    await phone.connect()
    try:
        _, seen = await phone.run(page_name="join")
        upstreams[phone.upstream or "direct"] += 1
        voted: set[int] = set()
        while not room.done:
            votes = [k for k in seen.buttons if k.startswith("vote_")]
            open_q = {int(k.split("_")[1]) for k in votes}
            q = next(iter(open_q), None)
            if q is not None and q not in voted and q <= questions:  # the last accept asks one more
                await asyncio.sleep(rng.uniform(*think))
                key = rng.choice([k for k in votes if k.startswith(f"vote_{q}_")])
                sent = time.monotonic()
                _, after = await phone.press(seen, key)
                done = time.monotonic()
                ticked = any(lbl.startswith("✓") for _, _, lbl in after.buttons.values())
                if not ticked:
                    room.errors.append(f"phone {n}: question {q}'s vote showed no tick")
                room.presses.append(done - sent)
                room.votes.setdefault(q, []).append((sent, done))
                voted.add(q)
                seen = after
                continue
            await asyncio.sleep(PHONE_POLL_S)
            fragment = seen.buttons[votes[0]][1] if votes else phone_fragment(seen)
            _, seen = await phone.run(fragment_id=fragment)
    finally:
        await phone.close()


def phone_fragment(seen: Seen) -> str:
    """The question fragment's id, from any element it drew (a button, HTML)."""
    for _, frag, _ in seen.buttons.values():
        if frag:
            return frag
    return next((f for _, f in seen.html if f), "")


def _tally_latencies(room: _Room) -> list[float]:
    """For each vote: from its press until the first teacher poll that counted it."""
    out = []
    for qid, votes in room.votes.items():
        polls = [(t, v) for t, q, v in room.polls if q == qid]
        for k, (sent, done) in enumerate(sorted(votes, key=lambda v: v[1]), start=1):
            seen = next((t for t, v in polls if v >= k and t >= done - 1e-3), None)
            if seen is None:
                room.errors.append(f"question {qid}: vote {k} never reached the tally")
            else:
                out.append(max(0.0, seen - sent))
    return out


async def _run_room(
    url: str,
    students: int,
    questions: int,
    think: tuple[float, float],
    seed: int,
    timeout: float,
    question_timeout: float,
    server_pids: list[int],
) -> RoomReport:
    room = _Room()
    cpu0 = sum(lt.cpu_seconds(p) for p in server_pids)
    code: asyncio.Future = asyncio.get_running_loop().create_future()
    upstreams: Counter = Counter()
    teacher = asyncio.create_task(
        _teacher(url, timeout, students, questions, room, question_timeout, code)
    )
    try:
        room_code = await asyncio.wait_for(asyncio.shield(code), timeout)
    except TimeoutError as exc:
        teacher.cancel()
        raise lt.LoadTestError("timeout", "the teacher's room did not open") from exc
    except lt.LoadTestError:
        teacher.cancel()
        raise
    phones = [
        asyncio.create_task(
            _student(
                url,
                timeout,
                room_code,
                i,
                think,
                random.Random(seed * 1000 + i),
                room,
                upstreams,
                questions,
            )
        )
        for i in range(students)
    ]
    results = await asyncio.gather(teacher, *phones, return_exceptions=True)
    for r in results:
        if isinstance(r, BaseException):
            room.errors.append(f"{type(r).__name__}: {r}")
    tally = _tally_latencies(room)
    p = lt.percentile
    press95, tally95 = p(room.presses, 95), p(tally, 95)
    return RoomReport(
        url=url,
        students=students,
        questions=questions,
        votes=len(room.presses),
        errors=len(room.errors),
        error_samples=room.errors[:5],
        press_p50_s=p(room.presses, 50),
        press_p95_s=press95,
        tally_p50_s=p(tally, 50),
        tally_p95_s=tally95,
        tally_max_s=max(tally) if tally else None,
        accept_p50_s=p(room.accepts, 50),
        server_cpu_s=(sum(lt.cpu_seconds(p_) for p_ in server_pids) - cpu0)
        if server_pids
        else None,
        load_average=os.getloadavg()[0],
        students_per_upstream=dict(upstreams) if any(k != "direct" for k in upstreams) else {},
        targets={
            "press": None if press95 is None else press95 <= PRESS_TARGET_S,
            "tally": None if tally95 is None else tally95 <= TALLY_TARGET_S,
        },
    )


def run_room_test(
    url: str,
    students: int = 60,
    questions: int = 5,
    *,
    think: tuple[float, float] = (0.5, 4.0),
    seed: int = 0,
    timeout: float = 60.0,
    question_timeout: float = 30.0,
    server_pids: list[int] | None = None,
) -> RoomReport:
    """One teacher and `students` phones through `questions` questions on `url`."""
    lt.require_loopback(url)
    return lt._in_fresh_loop(
        lambda: _run_room(
            url.rstrip("/"),
            students,
            questions,
            think,
            seed,
            timeout,
            question_timeout,
            list(server_pids or []),
        )
    )
