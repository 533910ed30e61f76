"""A table's own time zone (p_time_zone / time_zone in pginstall.toml) against a real server:
run_maintenance makes the same local-midnight bounds in any session TimeZone, drains the
default partition into local weeks, a migration backfills into local days with clean parity,
pginstall passes the key, and an update from 0.1.0 leaves existing tables in UTC."""

from __future__ import annotations

import textwrap

from click.testing import CliRunner

from pginstall import render
from pginstall.cli import main

SESSION_ZONES = ["UTC", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati"]


def bounds(conn, table: str) -> list[tuple]:
    """(suffix, bound_from, bound_to) of a table's partitions, from the catalog (part.partitions)."""
    rows = conn.execute("SELECT partition_name, bound_from, bound_to FROM part.partitions "
                        "WHERE parent_table = %s AND NOT is_default ORDER BY from_time", (table,)).fetchall()
    prefix = table + "_"
    return [(n[len(prefix):], f, t) for n, f, t in rows]


def test_maintenance_in_any_session_time_zone_makes_the_same_local_bounds(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    for i, zone in enumerate(SESSION_ZONES):
        conn.execute(f"CREATE TABLE public.w{i} (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)")
        conn.execute("SET TimeZone = 'UTC'")
        conn.execute(f"SELECT part.create_partitioned('public.w{i}', 'at', 'range', '1 week', p_premake => 0, "
                     "p_time_zone => 'America/New_York')")
        # Sunday 2 November 2025 in New York, around the change of clocks: all in the local week 2025_w44
        # (Monday 27 October to Monday 3 November, local midnight); the last is Monday 3 November in UTC
        conn.execute(f"INSERT INTO public.w{i} VALUES (1, '2025-11-02 00:30-04'), (2, '2025-11-02 01:30-05'), "
                     "(3, '2025-11-02 21:00-05'), (4, '2025-11-03 00:10-05')")
        conn.execute("UPDATE part.config SET premake = 20 WHERE parent_table = %s", (f"public.w{i}",))
        conn.execute(f"SET TimeZone = '{zone}'")
        conn.execute("CALL part.run_maintenance(%s)", (f"public.w{i}",))

    made = [bounds(conn, f"public.w{i}") for i in range(len(SESSION_ZONES))]
    assert len(made[0]) >= 22 and all(m == made[0] for m in made), "the same names and bounds in every session zone"
    starts = conn.execute(
        "SELECT DISTINCT to_char(from_time AT TIME ZONE 'America/New_York', 'Dy HH24:MI'), "
        "       to_char(to_time AT TIME ZONE 'America/New_York', 'Dy HH24:MI') "
        "FROM part.partitions WHERE parent_table = 'public.w0' AND NOT is_default").fetchall()
    assert starts == [("Mon 00:00", "Mon 00:00")], "every week from Monday 00:00 to Monday 00:00 in New York"
    hours = {h for (h,) in conn.execute(
        "SELECT extract(epoch FROM to_time - from_time)::int / 3600 FROM part.partitions "
        "WHERE parent_table = 'public.w0' AND NOT is_default")}
    assert hours == {167, 168, 169}, "weeks of 168 hours; 169 (November 2025) and 167 (March 2027) across the changes"
    gaps = conn.execute(
        "SELECT count(*) FROM (SELECT to_time, lead(from_time) OVER (ORDER BY from_time) AS nxt FROM part.partitions "
        " WHERE parent_table = 'public.w0' AND NOT is_default AND from_time > now() - interval '8 days') x "
        "WHERE nxt IS NOT NULL AND nxt <> to_time").fetchone()[0]
    assert gaps == 0, "from this week on, each partition ends where the next begins"
    for i in range(len(SESSION_ZONES)):
        placed = conn.execute(f"SELECT id, tableoid::regclass::text FROM public.w{i} ORDER BY id").fetchall()
        assert placed == [(n, f"w{i}_2025_w44") for n in (1, 2, 3)] + [(4, f"w{i}_2025_w45")], placed


def test_migration_backfills_into_local_days_with_clean_parity(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("SET TimeZone = 'America/Sao_Paulo'")
    conn.execute("CREATE TABLE public.nights (id bigserial PRIMARY KEY, hotel int NOT NULL, at timestamptz NOT NULL)")
    # every half hour from Friday 24 to Wednesday 29 October 2025, Paris time (the clocks go back on the 26th)
    conn.execute("INSERT INTO public.nights (hotel, at) SELECT g % 7, timestamptz '2025-10-24 00:00+02' + g * interval '30 minutes' "
                 "FROM generate_series(0, 2 * 24 * 5 + 1) g")
    copy = conn.execute("SELECT part.migrate_start('public.nights', 'at', 'range', '1 day', p_premake => 0, "
                        "p_time_zone => 'Europe/Paris')").fetchone()[0]
    assert conn.execute("SELECT time_zone FROM part.config WHERE parent_table = %s", (copy,)).fetchone()[0] == "Europe/Paris"
    conn.execute("CALL part.backfill('public.nights', 37)")
    # a write during the migration, mirrored: 00:15 on the 27th in Paris is the 26th in UTC
    conn.execute("INSERT INTO public.nights (hotel, at) VALUES (1, '2025-10-27 00:15+01')")
    per_day = dict(conn.execute(
        f"SELECT tableoid::regclass::text, count(*) FROM {copy} GROUP BY 1").fetchall())
    assert per_day == {"nights_2025_10_24": 48, "nights_2025_10_25": 48, "nights_2025_10_26": 50,
                       "nights_2025_10_27": 49, "nights_2025_10_28": 48}, per_day
    wrong = conn.execute(f"SELECT count(*) FROM {copy} WHERE tableoid::regclass::text "
                         "<> 'nights_' || to_char(at AT TIME ZONE 'Europe/Paris', 'YYYY_MM_DD')").fetchone()[0]
    assert wrong == 0, "every row in the partition of its Paris date"
    ranges = conn.execute("SELECT range_from, range_to, status FROM part.check_parity('public.nights') "
                          "ORDER BY range_from").fetchall()
    assert {s for _, _, s in ranges} == {"ok"}, ranges
    assert ("2025-10-25 22:00:00+00", "2025-10-26 23:00:00+00", "ok") in ranges, \
        "parity ranges are the local days (the 25-hour one included)"
    assert conn.execute("SELECT status FROM part.verify() WHERE check_name = 'parity_stale' AND table_name = 'public.nights'"
                        ).fetchone()[0] == "ok"


def test_pginstall_passes_time_zone_and_refuses_a_bad_one(empty_db, connect, dsn_factory, tmp_path):
    with connect(empty_db) as conn:
        conn.execute("CREATE TABLE public.stays (id bigint NOT NULL, night timestamptz NOT NULL) PARTITION BY RANGE (night)")
    cfg = tmp_path / "pginstall.toml"

    def run(cmd: str, zone: str):
        cfg.write_text(textwrap.dedent(f"""
            [databases.app]
            [[databases.app.tables]]
            table = "public.stays"
            strategy = "range"
            key = "night"
            interval = "1 day"
            premake = 1
            time_zone = "{zone}"
        """))
        return CliRunner().invoke(main, [cmd, "--config", str(cfg), "--dsn", dsn_factory(empty_db), "--db", "app"])

    bad = run("apply", "CET")
    assert bad.exit_code != 0
    assert 'invalid time zone "CET" (22023); hint: Use an IANA zone name' in bad.output, bad.output
    assert "databases.app.tables[1] (public.stays)" in bad.output
    plan = run("plan", "Europe/Paris")
    assert plan.exit_code == 0 and "range on night every 1 day (Europe/Paris days)" in plan.output, plan.output
    assert run("apply", "Europe/Paris").exit_code == 0
    with connect(empty_db) as conn:
        assert conn.execute("SELECT time_zone FROM part.config").fetchone()[0] == "Europe/Paris"
        lows = conn.execute("SELECT DISTINCT local_from::time FROM part.partitions WHERE NOT is_default").fetchall()
        assert [str(t) for (t,) in lows] == ["00:00:00"]
    changed = run("apply", "Asia/Tokyo")
    assert changed.exit_code != 0 and "cannot change the time zone of public.stays from Europe/Paris to Asia/Tokyo" in changed.output
    again = run("plan", "Europe/Paris")
    assert again.exit_code == 0 and "stays" not in again.output, again.output


def test_an_update_from_0_1_0_keeps_existing_tables_in_utc(make_db, connect):
    db = make_db("empty")
    conn = connect(db, autocommit=True)
    old = render.released_versions()[0]
    conn.execute(f"CREATE EXTENSION part VERSION '{old}'")
    conn.execute("CREATE TABLE public.d (at timestamptz NOT NULL) PARTITION BY RANGE (at)")
    conn.execute("SELECT part.create_partitioned('public.d', 'at', 'range', '1 day', p_premake => 2)")
    before = conn.execute("SELECT partition_name, bound_from, bound_to FROM part.partitions ORDER BY 2").fetchall()
    conn.execute("ALTER EXTENSION part UPDATE")
    assert conn.execute("SELECT time_zone FROM part.config").fetchone()[0] == "UTC"
    conn.execute("SET TimeZone = 'Europe/Paris'")
    assert conn.execute("SELECT count(*) FROM part.create_ahead()").fetchone()[0] == 0, "nothing new to make"
    assert conn.execute("SELECT partition_name, bound_from, bound_to FROM part.partitions ORDER BY 2").fetchall() == before
