"""Learn: lessons whose claims hold in our own numbers, and a card per strategy."""

import streamlit as st

from al_core.experiments.cards import CARDS
from al_core.experiments.jobs import LessonCheck
from al_core.experiments.lesson_catalog import LESSONS
from al_core.experiments.lessons import Lesson
from al_core.present.safe_text import plain
from al_core.strategies import STRATEGIES
from ui import backup, jobs, state

ss = st.session_state


def open_preset(lesson: Lesson) -> None:
    """Set the lesson's configuration (and its own start, if any); the page switch follows.

    A button callback, because the sidebar's keys can only change before its widgets are drawn.
    """
    backup.keep(ss.get("learner"), f"replaced by the lesson “{lesson.title}”")  # keep your labels
    if lesson.page == "explore":
        state.replace_learner(lesson.learner())
        ss.playing = False
        ss.goto = "app_pages/explore.py"
        return
    state.set_config(lesson.config)
    ss.cmp_strategies = [s for s in lesson.strategies if s != "random"] or ["least_confident"]
    ss.cmp_seeds = lesson.seeds
    ss.cmp_budget = lesson.budget
    ss.cmp_cold = False  # the lesson's own start is part of its claim
    ss.cmp_target_share = lesson.target_share
    ss.pop("cmp_job", None)
    ss.goto = "app_pages/compare.py"


def check_progress(lesson: Lesson) -> None:
    """Polls the lesson's check; once it has ended, one full run draws the verdict."""
    job: LessonCheck = ss[f"lesson_job_{lesson.slug}"]
    if job.running:
        jobs.status(job, f"cancel_{lesson.slug}")
    else:
        st.rerun()


def verdict(lesson: Lesson) -> None:
    """The last check's outcome: the claim with its numbers, or why there is none."""
    job: LessonCheck | None = ss.get(f"lesson_job_{lesson.slug}")
    if job is None or job.running:
        return
    if job.error:
        st.error(f"The check failed: {plain(job.error, limit=400)}")
    elif job.result is None:
        st.info("Cancelled: a claim over every seed needs every seed, so there is no verdict.")
    else:
        ok, numbers = job.result
        (st.success if ok else st.error)(("Holds: " if ok else "Does not hold: ") + numbers)


def lesson_card(lesson: Lesson) -> None:
    with st.container(border=True):
        st.subheader(lesson.title)
        st.markdown(f"**Claim.** {lesson.claim}")
        st.markdown(lesson.text)
        names = ", ".join(STRATEGIES[s].label for s in lesson.strategies)
        st.caption(
            f"Checked over {lesson.seeds} seeds with {names}; {lesson.budget} labels after the start."
        )
        c = st.columns([1, 1, 3])
        c[0].button(
            f"Open in {lesson.page.title()}",
            key=f"open_{lesson.slug}",
            type="primary",
            on_click=open_preset,
            args=(lesson,),
        )
        job = ss.get(f"lesson_job_{lesson.slug}")
        running = job is not None and job.running
        if c[1].button(
            "Check this claim",
            key=f"check_{lesson.slug}",
            disabled=running,
            help="Runs its experiment in the background, in line with other students' ones.",
        ):
            ss[f"lesson_job_{lesson.slug}"] = jobs.start(LessonCheck(lesson))
            st.rerun()
        if running:
            st.fragment(check_progress, run_every=0.5)(lesson)
        verdict(lesson)


def strategy_card(name: str) -> None:
    card = CARDS[name]
    with st.container(border=True):
        st.markdown(f"#### {card.title}")
        st.markdown(card.idea)
        st.latex(card.formula)
        st.markdown(f"**Works when** {card.works_when}")
        st.markdown(f"**Fails when** {card.fails_when}")


if target := ss.pop("goto", None):
    st.switch_page(target)
st.title("Learn")
state.show_url_warnings()
tab_lessons, tab_cards = st.tabs(["Lessons", "Strategies"])
with tab_lessons:
    st.markdown(
        "Each lesson is a preset plus one claim. Every claim is checked over many seeds by the "
        "test suite, so it is true in this app's own numbers, not in one lucky run. Open a lesson "
        "to set it up, or check its claim here."
    )
    for lesson in LESSONS:
        lesson_card(lesson)
with tab_cards:
    cols = st.columns(2)
    for i, name in enumerate(STRATEGIES):
        with cols[i % 2]:
            strategy_card(name)
