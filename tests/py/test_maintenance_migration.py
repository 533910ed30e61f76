"""Maintenance, verify() and metrics() beside a real migration (part.migrate_start
... part.finalize): the migration checks follow the phases, retention leaves a
table under migration alone, and use_partitioned_tables follows the switch."""

from __future__ import annotations


def checks(conn, table: str) -> dict[str, str]:
    return {r[0]: r[1] for r in conn.execute("SELECT check_name, status FROM part.verify() WHERE table_name = %s", (table,))}


def test_verify_and_metrics_follow_a_real_migration(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.revenues (id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL, amount int)")
    conn.execute("INSERT INTO public.revenues (occurred_at, amount) SELECT now() - g * interval '1 day', g "
                 "FROM generate_series(1, 400) g")
    conn.execute("SELECT part.migrate_start('public.revenues', 'occurred_at', 'range', '1 month')")
    copy = conn.execute("SELECT partitioned_table FROM part.migration").fetchone()[0]
    conn.execute("UPDATE part.config SET retention = '3 months', retention_mode = 'drop' WHERE parent_table = %s", (copy,))

    assert checks(conn, "public.revenues") == {"sync_triggers": "ok", "column_drift": "ok", "parity_stale": "warn"}
    assert conn.execute("SELECT part.setting('use_partitioned_tables')").fetchone()[0] == "false"

    # maintenance during the migration: creates ahead but retires nothing (the legacy table still has those rows)
    before = conn.execute("SELECT count(*) FROM part.partitions WHERE parent_table = %s", (copy,)).fetchone()[0]
    conn.execute("CALL part.run_maintenance()")
    assert conn.execute("SELECT count(*) FROM part.partitions WHERE parent_table = %s", (copy,)).fetchone()[0] == before
    assert conn.execute("SELECT count(*) FROM part.maintenance_log WHERE action = 'drop'").fetchone()[0] == 0
    assert conn.execute("SELECT detail FROM part.maintenance_log WHERE parent_table = %s AND action = 'retire'",
                        (copy,)).fetchone()[0] == "migration in phase dual_write: retention waits for part.finalize"

    # a schema change on one side only is drift
    conn.execute("ALTER TABLE public.revenues ADD COLUMN note text")
    assert checks(conn, "public.revenues")["column_drift"] == "fail"
    conn.execute(f"ALTER TABLE {copy} ADD COLUMN note text")
    conn.execute("SELECT part.migrate_refresh('public.revenues')")
    assert checks(conn, "public.revenues")["column_drift"] == "ok"

    # a disabled sync trigger fails the check
    conn.execute("ALTER TABLE public.revenues DISABLE TRIGGER part_sync_update")
    assert checks(conn, "public.revenues")["sync_triggers"] == "fail"
    conn.execute("ALTER TABLE public.revenues ENABLE TRIGGER part_sync_update")
    assert checks(conn, "public.revenues")["sync_triggers"] == "fail", "enabled, but not in replica role: still not intact"
    conn.execute("ALTER TABLE public.revenues ENABLE ALWAYS TRIGGER part_sync_update")

    conn.execute("CALL part.backfill('public.revenues')")
    conn.execute("SELECT * FROM part.check_parity('public.revenues')")
    assert checks(conn, "public.revenues")["parity_stale"] == "ok"
    m = conn.execute("SELECT part.metrics(true)").fetchone()[0]
    [entry] = [t for t in m["tables"] if t["name"] == "revenues"]
    assert entry["phase"] == "backfilled" and entry["legacyCount"] == entry["partitionedCount"] == 400
    assert entry["rowCountDelta"] == 0 and entry["triggers"] == ["INSERT", "UPDATE", "DELETE", "TRUNCATE"]
    assert entry["parityClean"] is True and entry["partitionCount"] >= 14
    assert len(m["tables"]) == 1, "the partitioned copy is reported inside its migration's entry"

    # after the switch, the sync runs from the partitioned table (now public.revenues) back to the legacy one
    conn.execute("SELECT part.switch_reads('public.revenues')")
    assert checks(conn, "public.revenues")["sync_triggers"] == "ok"
    assert conn.execute("SELECT part.setting('use_partitioned_tables')").fetchone()[0] == "true"
    assert conn.execute("SELECT part.metrics()").fetchone()[0]["partitionedTablesEnabled"] is True

    conn.execute("SELECT part.finalize('public.revenues', 'drop')")
    assert "sync_triggers" not in checks(conn, "public.revenues"), "a finalized migration is not checked"
    # retention applies again once finalized, and never to a row newer than the retention
    cut = conn.execute("SELECT now() - interval '3 months'").fetchone()[0]
    newer = conn.execute("SELECT count(*) FROM public.revenues WHERE occurred_at >= %s", (cut,)).fetchone()[0]
    conn.execute("CALL part.run_maintenance()")
    assert conn.execute("SELECT count(*) FROM part.maintenance_log WHERE action = 'drop' AND outcome = 'ok'").fetchone()[0] > 0
    assert conn.execute("SELECT count(*) FROM public.revenues WHERE occurred_at >= %s", (cut,)).fetchone()[0] == newer
    assert conn.execute("SELECT min(occurred_at) >= date_trunc('month', %s AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' "
                        "FROM public.revenues", (cut,)).fetchone()[0], "older months are retired"
