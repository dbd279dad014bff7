"""The classroom load test (deploy/loadtest.py) must keep working: a 3-user smoke run against
the real app, plus checks that it notices presses that fail. No latency assertions here: speed
is measured by running the load test itself (see the README, "Deploying for a class")."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import in_ci

from deploy import loadtest

NGINX = "/usr/sbin/nginx"


def test_three_users_step_the_real_app(app_server):
    report = loadtest.run_load_test(app_server, users=3, steps=2, think=(0.1, 0.3), ramp=0.2)

    assert report.errors == 0, report.error_samples
    assert report.presses_ok == report.presses_planned == 6
    assert report.presses_measured == 6
    assert report.sessions_per_replica == {app_server: 3}


def test_autoplay_paced_by_the_charts_ticks_steps_the_real_app(app_server):
    """Users press Play and answer each chart as its script does (a tick naming the step)."""
    report = loadtest.run_load_test(
        app_server, users=2, steps=3, think=(0.0, 0.0), ramp=0.1, play=True
    )
    assert report.errors == 0, report.error_samples
    assert report.presses_ok == report.presses_planned == 6


def test_a_room_of_phones_votes_and_the_teacher_sees_every_vote(app_server):
    """deploy/room_load.py: a teacher opens a room, phones vote on every question, and each
    vote is found in a later poll of the teacher's tally (none lost, none counted twice)."""
    from deploy import room_load

    report = room_load.run_room_test(app_server, students=4, questions=2, think=(0.05, 0.2))
    assert report.errors == 0, report.error_samples
    assert report.votes == 8
    assert report.tally_p95_s is not None and report.press_p95_s is not None


FAULTY_APP = """
import streamlit as st

st.session_state.setdefault("n", 60)
if st.button("Step", key="step"):
    st.session_state.n += 1
    if st.session_state.n > 61:
        raise ValueError("broken on purpose")
st.metric("Labeled", st.session_state.n)
"""


@pytest.mark.slow
def test_the_class_steps_alone_then_beside_a_running_comparison():
    """The fairness measurement: a server of its own, since the comparison it starts is the
    largest the page allows and holds the server's line until its session is gone."""
    with loadtest.start_server(loadtest.DEFAULT_APP) as (url, _):
        report = loadtest.run_load_test(
            url, users=2, steps=2, think=(0.2, 0.4), ramp=0.1, comparers=1
        )
    assert report.errors == 0, report.error_samples
    assert report.presses_ok == report.presses_planned == 4
    assert report.alone_p95_s is not None and isinstance(report.targets["fair"], bool)
    # The comparison really ran: its status line is the job's, not the page's default.
    assert re.match(r"(Fitting each seed|\d+ of \d+ runs)", report.comparer_status[0])
    assert "fairness: p95" in report.to_text()


@pytest.mark.slow
def test_load_test_reports_exceptions_and_presses_without_effect(tmp_path):
    app = tmp_path / "faulty_app.py"
    app.write_text(textwrap.dedent(FAULTY_APP))
    with loadtest.start_server(app) as (url, pid):
        # Press 1 works (60 -> 61); presses 2 and 3 raise inside the app.
        crashed = loadtest.run_load_test(
            url, users=2, steps=3, think=(0.0, 0.1), ramp=0.0, server_pids=[pid]
        )
        # Labeled goes up by 1, not by the batch size the test expects.
        wrong_gain = loadtest.run_load_test(
            url, users=2, steps=1, batch_size=2, think=(0.0, 0.1), ramp=0.0
        )

    assert crashed.presses_ok == 2
    assert crashed.errors_by_kind == {"exception": 4}
    assert "broken on purpose" in " ".join(crashed.error_samples)
    assert crashed.rss_connected_mb is not None
    assert not crashed.passed
    assert wrong_gain.presses_ok == 0
    assert wrong_gain.errors_by_kind == {"no_effect": 2}


@pytest.mark.parametrize(
    "argv",
    [
        ["--url", "http://example.com:8501"],
        ["--url", "ws://127.0.0.1:8501"],
        ["--users", "0"],
        ["--think", "1,0.5"],
        ["--server-opt", "runner.postScriptGC=false"],  # needs --start
        ["--server-opt", "postScriptGC"],
    ],
)
def test_bad_options_exit_2_with_one_line(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        loadtest.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("python deploy/loadtest.py: error:")


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert loadtest.percentile(values, 50) == 50.0
    assert loadtest.percentile(values, 95) == 95.0
    assert loadtest.percentile([], 95) is None


@pytest.mark.slow
def test_replicas_behind_nginx_share_the_class(tmp_path):
    """deploy/run_replicas.sh: two replicas behind nginx, every user sticks to one replica
    (page and websocket), and both replicas get users."""
    if not Path(NGINX).exists():
        if in_ci():
            pytest.fail(f"{NGINX} is missing (apt-get install -y nginx)", pytrace=False)
        pytest.skip(f"{NGINX} is missing (apt-get install -y nginx)")
    script = Path(loadtest.REPO_ROOT, "deploy", "run_replicas.sh")
    # 16 users: the chance that nginx's random cookies put all of them on one replica is 2**-15.
    args = ["--users", "16", "--steps", "1", "--think", "0.1,0.2", "--ramp", "0.5", "--json"]
    proc = subprocess.run(
        ["bash", str(script), "--loadtest", *args],
        env={**os.environ, "PYTHON": sys.executable, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.stdout.strip(), proc.stderr[-3000:]
    report = json.loads(proc.stdout)

    assert report["errors"] == 0, report["error_samples"]
    assert report["presses_ok"] == 16
    assert len(report["sessions_per_replica"]) == 2
    assert all(n >= 1 for n in report["sessions_per_replica"].values())
    assert sorted(report["users_per_upstream"].values()) == sorted(
        report["sessions_per_replica"].values()
    )
    assert "websocket sessions per replica" in proc.stderr  # nginx's own access log agrees
    assert not list(tmp_path.iterdir()), "run_replicas.sh left files behind"
