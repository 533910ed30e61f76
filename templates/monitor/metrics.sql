CREATE FUNCTION part.metrics(p_exact boolean DEFAULT false)
    RETURNS jsonb
    LANGUAGE plpgsql
    SECURITY DEFINER STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tables   jsonb;
    v_hb       record;
BEGIN
/*
 * The origin's /monitoring/partitions/metrics document:
 *   {"partitionedTablesEnabled": bool, "tables": [...], "timestamp": "...Z"}
 * one entry per migration (name, schema, partitionCount, legacyCount,
 * partitionedCount, rowCountDelta, triggers, phase, parityCheckedAt,
 * parityClean, ...) and per managed table not under migration, with more
 * fields: strategy, defaultPartitionRows, nextBoundary (the end of the
 * partition holding now, or the largest integer key), coveredUntil,
 * lastMaintenance; plus "maintenance" (the last heartbeat and the
 * schedule). Row counts are estimates (pg_class.reltuples) unless p_exact,
 * which counts them (slow on big tables). Read from the catalog in one pass
 * (part._bounds_all), not a query per table (except integer keys'
 * nextBoundary, which needs the largest key, and p_exact counts).
 */
    WITH b AS MATERIALIZED (
        SELECT * FROM part._bounds_all()
    ), per AS (
        SELECT c.parent_table, c.strategy, c.key_type, c.key_column,
               part._managed_rel(c.parent_table) AS rel,
               count(b.partition_oid) FILTER (WHERE NOT b.is_default) AS partition_count,
               max(b.partition_oid::bigint) FILTER (WHERE b.is_default)::oid AS default_oid,
               max(b.hi) FILTER (WHERE NOT b.is_default) AS max_hi,
               array_agg(b.hi) FILTER (WHERE NOT b.is_default) AS his,
               coalesce(sum(greatest(k.reltuples, 0)), 0)::bigint AS rows_est
          FROM part.config c
          LEFT JOIN b ON b.parent_table = c.parent_table
          LEFT JOIN pg_class k ON k.oid = b.partition_oid
         GROUP BY c.parent_table, c.strategy, c.key_type, c.key_column
    ), entries AS (
        SELECT p.parent_table, p.rel, jsonb_build_object(
                   'name', (parse_ident(p.parent_table))[2],
                   'schema', (parse_ident(p.parent_table))[1],
                   'strategy', p.strategy,
                   'partitionCount', p.partition_count,
                   'partitionedCount', CASE WHEN p.rel IS NULL THEN NULL
                                            WHEN p_exact THEN part._row_count(p.rel, true)
                                            ELSE p.rows_est END,
                   'defaultPartitionRows', CASE
                        WHEN p.default_oid IS NULL THEN NULL
                        WHEN pg_relation_size(p.default_oid) = 0 THEN 0
                        WHEN p_exact OR d.reltuples < 0 THEN part._row_count(p.default_oid::regclass, true)
                        ELSE d.reltuples::bigint END,
                   'nextBoundary', part._ordinal_literal(
                        (SELECT min(h) FROM unnest(p.his) h
                          WHERE h > CASE WHEN p.key_type IN ('smallint', 'integer', 'bigint')
                                         THEN part._max_key(p.rel, p.key_column)
                                         ELSE date_part('epoch', now()) END),
                        p.key_type::regtype),
                   'coveredUntil', part._ordinal_literal(p.max_hi, p.key_type::regtype),
                   'lastMaintenance', (SELECT jsonb_build_object(
                                                'at', part._iso(l.logged_at), 'action', l.action,
                                                'partition', l.partition_name, 'outcome', l.outcome, 'detail', l.detail)
                                         FROM part.maintenance_log l
                                        WHERE l.parent_table = p.parent_table
                                        ORDER BY l.logged_at DESC, l.id DESC LIMIT 1))
                   || CASE WHEN p.rel IS NULL THEN '{"missing": true}'::jsonb ELSE '{}'::jsonb END AS e
          FROM per p
          LEFT JOIN pg_class d ON d.oid = p.default_oid
    ), migrations AS (
        SELECT to_jsonb(m) AS j FROM part.migration m
    ), migration_entries AS (
        SELECT mg.j ->> 'table_name' AS table_name, x.copy, jsonb_build_object(
                   'name', (parse_ident(mg.j ->> 'table_name'))[2],
                   'schema', (parse_ident(mg.j ->> 'table_name'))[1],
                   'legacyCount', part._row_count(x.legacy, p_exact),
                   'partitionedCount', part._row_count(x.part, p_exact),
                   'rowCountDelta', part._row_count(x.part, p_exact) - part._row_count(x.legacy, p_exact),
                   'triggers', CASE WHEN mg.j ->> 'phase' = 'finalized' THEN '[]'::jsonb
                                    ELSE to_jsonb(part._sync_trigger_events(
                                        CASE WHEN mg.j ->> 'phase' = 'partitioned' THEN x.part ELSE x.legacy END, true)) END,
                   'phase', mg.j ->> 'phase',
                   'legacyTable', mg.j ->> 'legacy_table',
                   'partitionedTable', mg.j ->> 'partitioned_table',
                   'parityCheckedAt', mg.j -> 'parity_checked_at',
                   'parityClean', mg.j -> 'parity_clean',
                   'backfillRows', mg.j -> 'backfill_rows',
                   'method', mg.j -> 'method',
                   'historyTable', mg.j -> 'history_table',
                   'splitIntervals', mg.j -> 'split_intervals',
                   'splitRows', mg.j -> 'split_rows',
                   'partitionCount', (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = x.part)) AS e
          FROM migrations mg
         CROSS JOIN LATERAL (SELECT to_regclass(mg.j ->> 'legacy_table') AS legacy,
                                    to_regclass(mg.j ->> 'partitioned_table') AS part,
                                    (SELECT c.parent_table FROM part.config c
                                      WHERE c.parent_table IN (mg.j ->> 'partitioned_table', mg.j ->> 'table_name')
                                      LIMIT 1) AS copy) x
    )
    SELECT coalesce(jsonb_agg(t.e ORDER BY t.first, t.name), '[]') INTO v_tables
      FROM (SELECT 0 AS first, me.table_name AS name,
                   -- a migration's entry carries its partitioned copy's figures too
                   me.e || coalesce((SELECT en.e - 'name' - 'schema' - 'partitionedCount'
                                       FROM entries en WHERE en.parent_table = me.copy), '{}') AS e
              FROM migration_entries me
            UNION ALL
            SELECT 1, en.parent_table,
                   jsonb_build_object('legacyCount', NULL, 'rowCountDelta', NULL, 'triggers', '[]'::jsonb,
                                                 'phase', NULL) || en.e
              FROM entries en
             WHERE en.parent_table NOT IN (SELECT me.copy FROM migration_entries me WHERE me.copy IS NOT NULL)) t;

    SELECT l.logged_at, l.outcome, l.detail, l.run_id INTO v_hb
      FROM part.maintenance_log l WHERE l.action = 'run' ORDER BY l.logged_at DESC, l.id DESC LIMIT 1;
    RETURN jsonb_build_object(
        'partitionedTablesEnabled', part.setting('use_partitioned_tables')::boolean,
        'tables', v_tables,
        'maintenance', jsonb_build_object(
            'enabled', part.setting('enable_partition_maintenance')::boolean,
            'schedule', nullif(part.setting('maintenance_schedule'), ''),
            'retentionSchedule', nullif(part.setting('retention_schedule'), ''),
            'lastRunAt', part._iso(v_hb.logged_at),
            'lastRunId', v_hb.run_id,
            'lastOutcome', v_hb.outcome,
            'lastDetail', v_hb.detail),
        'exact', p_exact,
        'timestamp', part._iso(now()));
END
$$;
COMMENT ON FUNCTION part.metrics IS
    'part: the health of every managed table and migration as JSON (partition counts, rows on each side, triggers, phase, default-partition rows, next boundary, last maintenance); row counts are estimates unless p_exact. pg_monitor may run it.';
