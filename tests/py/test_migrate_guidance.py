"""`pginstall migrate` says where a migration is and what comes next (issue 13, item 5):
the phase and the next commands after each run, Ctrl-C during the backfill,
a switch waiting behind a long transaction, rollback twice, the backfill's
closing summary, and --keep-legacy drop asking first."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pginstall.migrate import backfill

REPO = Path(__file__).resolve().parents[2]

CONFIG = """
[databases.app]
[[databases.app.tables]]
table = "public.revenues"
strategy = "range"
key = "occurred_at"
interval = "1 month"
premake = 1
migrate = true
batch_size = 500
"""


@pytest.fixture
def app(fresh_db, connect, pginstall_cli):
    with connect(fresh_db) as conn:
        conn.execute(
            "CREATE TABLE public.revenues (id bigserial PRIMARY KEY, org_id int NOT NULL,"
            " occurred_at timestamptz NOT NULL, amount numeric(12,2))")
        conn.execute(
            "INSERT INTO public.revenues (org_id, occurred_at, amount)"
            " SELECT g % 9, timestamptz '2025-01-01' + g * interval '2 hours', g FROM generate_series(1, 3000) g")
    return pginstall_cli(CONFIG, db=fresh_db)


def phase(connect, db):
    with connect(db) as conn:
        return conn.execute("SELECT part.phase('public.revenues')").fetchone()[0]


def test_each_run_ends_with_the_phase_and_the_next_commands(app, connect):
    # apply, starting the migration, prints the next command with the config file it was given
    out = app("apply").stdout
    assert f"run `pginstall migrate public.revenues --db app --config {app.cfg} --to partitioned`" in out
    out = app("migrate", "public.revenues", "--to", "dual_write").stdout
    last = out.strip().splitlines()[-1]
    assert last.startswith("public.revenues: now: dual_write")
    assert f"pginstall migrate public.revenues --db app --config {app.cfg} --to partitioned" in last

    out = app("migrate", "public.revenues", "--to", "partitioned").stdout
    last = out.strip().splitlines()[-1]
    assert last.startswith("public.revenues: now: partitioned")
    assert "--to finalized" in last and "--to rollback" in last

    out = app("migrate", "public.revenues", "--to", "rollback").stdout
    assert out.strip().splitlines()[-1].startswith("public.revenues: now: backfilled")


def test_backfill_ends_with_a_summary_line(app):
    result = app("migrate", "public.revenues", "--to", "backfilled")
    assert result.exit_code == 0, result.output
    assert "backfill public.revenues: done, 3,000 rows in all; 3,000 copied now in " in result.stderr
    assert "rows/s)" in result.stderr


def test_rollback_twice_does_nothing_the_second_time_as_switching_twice(app, connect):
    assert app("migrate", "public.revenues", "--to", "partitioned").exit_code == 0
    assert app("migrate", "public.revenues", "--to", "rollback").exit_code == 0
    again = app("migrate", "public.revenues", "--to", "rollback")
    assert again.exit_code == 0, again.output
    assert "already rolled back (backfilled): nothing to do" in again.stdout
    assert phase(connect, app.db) == "backfilled"


def test_keep_legacy_drop_asks_or_needs_yes(app, connect):
    assert app("migrate", "public.revenues", "--to", "backfilled").exit_code == 0
    refused = app("migrate", "public.revenues", "--to", "finalized", "--keep-legacy", "drop")
    assert refused.exit_code == 1
    assert "pass --yes to confirm" in refused.output
    assert phase(connect, app.db) == "backfilled"  # nothing done: not even the switch
    done = app("migrate", "public.revenues", "--to", "finalized", "--keep-legacy", "drop", "--yes")
    assert done.exit_code == 0, done.output
    assert "legacy table dropped" in done.stdout
    assert phase(connect, app.db) == "finalized"


def test_switch_says_what_it_waits_for(app, connect):
    assert app("migrate", "public.revenues", "--to", "backfilled").exit_code == 0
    blocker = connect(app.db)
    blocker.execute("SELECT count(*) FROM public.revenues")  # an open transaction holding ACCESS SHARE
    pid = blocker.info.backend_pid
    result = app("migrate", "public.revenues", "--to", "partitioned", env={"PGOPTIONS": "-c part.lock_wait=1s"})
    blocker.rollback()
    assert result.exit_code == 1
    waiting = [l for l in result.stderr.splitlines() if "waiting for a lock" in l]
    assert waiting, result.output
    assert waiting[0].startswith(f"public.revenues: waiting for a lock held by pid {pid} "), waiting
    assert " on public.revenues; waiting up to 00:00:01" in waiting[0], waiting
    assert "55P03" in result.stderr.strip().splitlines()[-1]
    assert phase(connect, app.db) == "backfilled"


def test_ctrl_c_during_the_backfill_says_where_it_stopped_and_rerunning_resumes(app, connect):
    with connect(app.db) as conn:  # more rows, so the backfill runs a while
        conn.execute("INSERT INTO public.revenues (org_id, occurred_at, amount)"
                     " SELECT g % 9, timestamptz '2025-01-01' + g * interval '1 hour', g FROM generate_series(1, 20000) g")
    assert app("migrate", "public.revenues", "--to", "dual_write").exit_code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    cmd = [sys.executable, "-m", "pginstall", "migrate", "public.revenues", "--config", str(app.cfg), "--dsn", app.dsn,
           "--db", "app", "--to", "backfilled", "--batch-size", "50", "--sleep", "20 milliseconds"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    first = proc.stderr.readline()  # the first progress line: the backfill has begun
    assert first.startswith("backfill public.revenues: "), first
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, out + first + err
    stopped = [l for l in err.splitlines() if "backfill stopped at" in l]
    assert stopped, err
    assert "the rows copied are kept: run `pginstall migrate public.revenues --db app" in stopped[0]
    assert "--to backfilled` again to resume from there" in stopped[0]
    assert "Aborted!" not in err and "Traceback" not in err
    with connect(app.db) as conn:
        rows, ph = conn.execute("SELECT backfill_rows, phase FROM part.migration").fetchone()
    assert ph == "dual_write" and rows < 23000
    assert f"stopped at {rows:,} of" in stopped[0]
    resumed = app("migrate", "public.revenues", "--to", "backfilled")
    assert resumed.exit_code == 0, resumed.output
    assert f"{23000 - rows:,} copied now" in resumed.stderr
    assert phase(connect, app.db) == "backfilled"


class _Terminal(io.StringIO):
    """A text stream that says it is a terminal, so that backfill() draws its progress bar."""

    def isatty(self):
        return True


def test_progress_bar_ends_full_with_a_summary_when_the_estimate_was_off(app, connect):
    with connect(app.db) as conn:
        conn.execute("ANALYZE public.revenues")  # the estimate: 3,000 rows; then 1,000 are deleted
        conn.execute("DELETE FROM public.revenues WHERE id > 2000")
    assert app("migrate", "public.revenues", "--to", "dual_write").exit_code == 0
    term = _Terminal()
    conn = connect(app.db, autocommit=True)
    copied = backfill(conn, "public.revenues", batch_size=500, file=term)
    assert copied == 2000
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", term.getvalue())  # the bar's cursor codes
    frames = [f for f in text.replace("\r", "\n").splitlines() if f.strip()]
    bar = [f for f in frames if f.startswith("backfill public.revenues") and "%" in f and "done," not in f]
    assert bar and "100%" in bar[-1], frames[-3:]
    assert frames[-1].startswith("backfill public.revenues: done, 2,000 rows in all; 2,000 copied now in ")
