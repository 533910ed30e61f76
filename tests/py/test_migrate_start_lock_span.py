"""migrate_start holds the live table's writers for the sync triggers only (issue 8, item 13).

On main, migrate_start of a table with 1,000 days of rows made the copy's 1,000
partitions in minutes (each creation read every bound again) and created the
sync triggers of all of them with the live table locked SHARE ROW EXCLUSIVE
(a writer waited 23 s). An event trigger records, for every CREATE TABLE and
CREATE TRIGGER, whether the session then held a lock on the live table that
writers wait for: only the legacy table's own triggers may be made so.
"""

from __future__ import annotations


def test_migrate_start_locks_the_live_table_only_for_its_own_triggers(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.ev (id bigserial PRIMARY KEY, day timestamptz NOT NULL, note text)")
    conn.execute("INSERT INTO public.ev (day) SELECT now() - g * interval '1 day' FROM generate_series(0, 199) g")
    conn.execute("CREATE TABLE public.ddl_log (tag text, object text, live_locked boolean)")
    conn.execute(
        """CREATE FUNCTION public.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
                INSERT INTO public.ddl_log VALUES (r.command_tag, r.object_identity,
                    EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() AND l.granted
                              AND l.relation = 'public.ev'::regclass
                              AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')));
            END LOOP;
        END $$"""
    )
    conn.execute(
        "CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'CREATE TRIGGER')"
        " EXECUTE FUNCTION public.log_ddl()"
    )
    conn.execute("SELECT part.migrate_start('public.ev', 'day', 'range', '1 day')")
    rows = conn.execute("SELECT tag, object, live_locked FROM public.ddl_log").fetchall()
    tables = [r for r in rows if r[0] == "CREATE TABLE"]
    triggers = [r for r in rows if r[0] == "CREATE TRIGGER"]
    assert len(tables) >= 200  # the copy, its default and a partition per day
    assert not [r for r in tables if r[2]], "partitions made while the live table's writers waited"
    assert len(triggers) > 3 * 200  # the sync's triggers on the copy and each of its partitions
    locked = [r[1] for r in triggers if r[2]]
    assert locked and all(o.endswith(" on public.ev") for o in locked), locked
    # and the migration works: a write to the live table is mirrored
    conn.execute("INSERT INTO public.ev (day, note) VALUES (now(), 'mirrored')")
    copy = conn.execute("SELECT partitioned_table FROM part.migration WHERE table_name = 'public.ev'").fetchone()[0]
    assert conn.execute(f"SELECT count(*) FROM {copy} WHERE note = 'mirrored'").fetchone()[0] == 1
