"""Lock discipline (issue 9): part.switch_reads, part.rollback and
`CALL part.run_maintenance()` (creating, draining and retiring partitions of
a daily table) while 2 sessions insert single rows into the table, (a) quiet
and (b) with a 4 s read transaction open on the table when the step starts.
Figure: the longest INSERT during the step, next to the same writers over as
long a window without the step (same run), and for (b) next to a
pgslice-style LOCK (one lock_timeout of 5 s, no retry). Goals: <= 10 ms
quiet, <= 50 ms behind the reader, and the step done within 1 s after the
reader ends.

Each run prepares the same work: 4 old days drained into partitions of their
own, then a retention that retires them (mode drop), rows 30+ days ahead in
the default partition (drained), premake one day higher (created).
"""

from __future__ import annotations

import statistics
import threading
import time

import psycopg

from common import RUNS, fresh_database, repeated

GROUP = "lock discipline (run_maintenance)"
SWITCH_GROUP = "lock discipline (switch_reads, rollback)"
TABLE = "public.events"


def _writer(dsn: str, stop: threading.Event, out: list[float]) -> None:
    with psycopg.connect(dsn, autocommit=True) as c:
        while not stop.is_set():
            t0 = time.perf_counter()
            c.execute("INSERT INTO public.events (occurred_at, amount) VALUES (now(), 1)")
            out.append(time.perf_counter() - t0)
            time.sleep(0.002)


def _during(dsn: str, action) -> float:
    stop, lat = threading.Event(), []
    threads = [threading.Thread(target=_writer, args=(dsn, stop, lat)) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    lat.clear()
    action()
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    return max(lat)


def _prepare(conn, run: int) -> None:
    """The work for one run_maintenance: create, drain and retire."""
    conn.execute("UPDATE part.config SET retention = NULL WHERE parent_table = %s", (TABLE,))
    conn.execute("INSERT INTO public.events (occurred_at, amount) SELECT now() - g * interval '1 day', 1 FROM generate_series(7, 10) g")
    conn.execute("CALL part.run_maintenance(%s)", (TABLE,))     # the old days get partitions of their own
    conn.execute("INSERT INTO public.events (occurred_at, amount) SELECT now() + (30 + %s) * interval '1 day' + g * interval '1 second', 1"
                 " FROM generate_series(1, 1000) g", (run,))
    conn.execute("UPDATE part.config SET premake = premake + 1, retention = '5 days', retention_mode = 'drop' WHERE parent_table = %s", (TABLE,))
    conn.execute("VACUUM ANALYZE public.events")


def _state(conn) -> tuple[int, int]:
    parts = conn.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass", (TABLE,)).fetchone()[0]
    default = conn.execute("SELECT count(*) FROM ONLY public.events_default").fetchone()[0]
    return parts, default


def _insert_latencies(dsn: str, stop: threading.Event, out: list[float]) -> None:
    with psycopg.connect(dsn, autocommit=True) as c:
        while not stop.is_set():
            t0 = time.perf_counter()
            c.execute("INSERT INTO public.bookings (org_id, occurred_at) VALUES (1, now())")
            out.append(time.perf_counter() - t0)
            time.sleep(0.002)


def _during_bookings(dsn: str, action) -> float:
    """The longest single-row INSERT into public.bookings (2 writer sessions) while action() runs."""
    stop, lat = threading.Event(), []
    threads = [threading.Thread(target=_insert_latencies, args=(dsn, stop, lat)) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    lat.clear()
    action()
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    return max(lat)


def _switch_stall(dsn_for) -> list:
    db = fresh_database(dsn_for, "bench_switch")
    dsn = dsn_for(db)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.bookings (id bigserial PRIMARY KEY, org_id int NOT NULL, occurred_at timestamptz NOT NULL)")
        conn.execute("INSERT INTO public.bookings (org_id, occurred_at) SELECT g % 50, now() - g * interval '1 minute'"
                     " FROM generate_series(1, 100000) g")
        conn.execute("SELECT part.migrate_start('public.bookings', 'occurred_at', 'range', '1 month', p_premake => 1)")
        conn.execute("CALL part.backfill('public.bookings')")

        def blocked(do):
            """do() while another session reads the table in a transaction open for 4 s."""
            def run():
                with psycopg.connect(dsn) as blocker:
                    blocker.execute("SELECT count(*) FROM public.bookings")
                    t = threading.Timer(4.0, blocker.rollback)
                    t.start()
                    time.sleep(0.05)
                    do()
                    t.join()
            return run

        def pgslice_style():
            with psycopg.connect(dsn) as c:  # one LOCK with a 5 s lock_timeout and no retry, as pgslice swaps
                c.execute("SET lock_timeout = '5s'")
                c.execute("LOCK TABLE public.bookings, public.bookings_partitioned IN ACCESS EXCLUSIVE MODE")
                c.rollback()

        def timed_step(sql, box):
            def do():
                t0 = time.perf_counter()
                conn.execute(sql)
                box.append(time.perf_counter() - t0)
            return do

        switch = "SELECT part.switch_reads('public.bookings')"
        back = "SELECT part.rollback('public.bookings')"
        m = {k: [] for k in ("switch", "switch_idle", "rollback", "rollback_idle", "switch_r", "rollback_r", "pgslice")}
        took = {k: [] for k in ("switch", "rollback", "switch_r", "rollback_r")}
        for _ in range(RUNS):
            m["switch"].append(_during_bookings(dsn, timed_step(switch, took["switch"])))
            # the same writers over a window as long as the step, with no step: the floor
            m["switch_idle"].append(_during_bookings(dsn, lambda: time.sleep(took["switch"][-1])))
            m["rollback"].append(_during_bookings(dsn, timed_step(back, took["rollback"])))
            m["rollback_idle"].append(_during_bookings(dsn, lambda: time.sleep(took["rollback"][-1])))
            m["switch_r"].append(_during_bookings(dsn, blocked(timed_step(switch, took["switch_r"]))))
            m["rollback_r"].append(_during_bookings(dsn, blocked(timed_step(back, took["rollback_r"]))))
            m["pgslice"].append(_during_bookings(dsn, blocked(pgslice_style)))
    ms = lambda xs: [x * 1000 for x in xs]  # noqa: E731
    after = lambda k: max(t - 3.95 for t in took[k]) * 1000  # noqa: E731  (the reader ends 4 s after it began, 50 ms before the step)
    out = []
    for step in ("switch", "rollback"):
        out.append(repeated(SWITCH_GROUP, f"{step}, no other transaction: longest single-row INSERT during it (2 writers)",
                            list(zip(ms(m[step]), ms(m[f"{step}_idle"]))), "the same writers over as long a window without it", "ms",
                            goal_max=10, note=f"the {step} took {statistics.median(took[step]) * 1000:.0f} ms (median)"))
        out.append(repeated(SWITCH_GROUP, f"{step} with a 4 s read transaction open: longest INSERT (short lock timeouts, retries)",
                            list(zip(ms(m[f"{step}_r"]), ms(m["pgslice"]))), "one LOCK with lock_timeout 5 s, no retry (pgslice)", "ms",
                            goal_max=50, note=f"done at most {after(step + '_r'):.0f} ms after the reader ended (goal: within 1 s)"))
    return out


def run(dsn_for):
    return _switch_stall(dsn_for) + _maintenance(dsn_for)


def _maintenance(dsn_for):
    db = fresh_database(dsn_for, "bench_locks")
    dsn = dsn_for(db)
    quiet, idle, behind, idle_r, took, after, work = [], [], [], [], [], [], []
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.events (id bigserial, occurred_at timestamptz NOT NULL, amount int,"
                     " PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)")
        conn.execute("SELECT part.create_partitioned(%s, 'occurred_at', 'range', '1 day', p_premake => 2)", (TABLE,))

        def step(box):
            def do():
                t0 = time.perf_counter()
                conn.execute("CALL part.run_maintenance(%s)", (TABLE,))
                box.append(time.perf_counter() - t0)
            return do

        def behind_reader(box):
            def do():
                with psycopg.connect(dsn) as reader:
                    reader.execute("SELECT count(*) FROM public.events")
                    t = threading.Timer(4.0, reader.rollback)
                    t.start()
                    time.sleep(0.05)
                    step(box)()
                    t.join()
            return do

        for i in range(RUNS):
            for reader, lat, base in ((False, quiet, idle), (True, behind, idle_r)):
                _prepare(conn, 2 * i + reader)
                before = _state(conn)
                box = []
                lat.append(_during(dsn, behind_reader(box) if reader else step(box)))
                base.append(_during(dsn, lambda: time.sleep(min(box[-1], 5.0))))
                after_ = _state(conn)
                work.append(f"{before[0]}->{after_[0]} partitions, {before[1]}->{after_[1]} default rows")
                (after if reader else took).append(box[-1] - (3.95 if reader else 0))
    ms = lambda xs: [x * 1000 for x in xs]  # noqa: E731
    return [
        repeated(GROUP, "run_maintenance creating, draining and retiring partitions, no other transaction: longest INSERT (2 writers)",
                 list(zip(ms(quiet), ms(idle))), "the same writers over as long a window without it", "ms", goal_max=10,
                 note=f"the step took {statistics.median(took) * 1000:.0f} ms (median); {work[0]}"),
        repeated(GROUP, "run_maintenance creating, draining and retiring, 4 s read transaction open: longest INSERT",
                 list(zip(ms(behind), ms(idle_r))), "the same writers over as long a window without it", "ms", goal_max=50,
                 note=f"done at most {max(after) * 1000:.0f} ms after the reader ended (goal: within 1 s); {work[1]}"),
    ]
