CREATE FUNCTION {{ schema }}.metrics(p_exact boolean DEFAULT false)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tables   jsonb := '[]';
    v_entry    jsonb;
    v_c        record;
    v_m        record;
    v_rel      regclass;
    v_legacy   regclass;
    v_part     regclass;
    v_type     regtype;
    v_seen     text[] := '{}';
    v_hb       record;
BEGIN
/*
 * The origin's /monitoring/partitions/metrics document:
 *   {"partitionedTablesEnabled": bool, "tables": [...], "timestamp": "...Z"}
 * one entry per migration (name, schema, partitionCount, legacyCount,
 * partitionedCount, rowCountDelta, triggers, phase, parityCheckedAt,
 * parityClean) and per managed table not under migration, with more
 * fields: strategy, defaultPartitionRows, nextBoundary (the end of the
 * partition holding now, or the largest integer key), coveredUntil,
 * lastMaintenance; plus "maintenance" (the last heartbeat and the
 * schedule). Row counts are estimates (pg_class.reltuples) unless p_exact,
 * which counts them (slow on big tables).
 */
    -- migrations first: an entry carries the partitioned copy's figures too
    FOR v_m IN SELECT pg_catalog.to_jsonb(m) AS j FROM {{ schema }}.migration m ORDER BY m.table_name LOOP
        v_legacy := pg_catalog.to_regclass(v_m.j ->> 'legacy_table');
        v_part := pg_catalog.to_regclass(v_m.j ->> 'partitioned_table');
        v_entry := pg_catalog.jsonb_build_object(
            'name', (pg_catalog.parse_ident(v_m.j ->> 'table_name'))[2],
            'schema', (pg_catalog.parse_ident(v_m.j ->> 'table_name'))[1],
            'legacyCount', {{ schema }}._row_count(v_legacy, p_exact),
            'partitionedCount', {{ schema }}._row_count(v_part, p_exact),
            'triggers', pg_catalog.to_jsonb({{ schema }}._sync_trigger_events(
                CASE WHEN v_m.j ->> 'phase' = 'partitioned' THEN v_part ELSE v_legacy END, true)),
            'phase', v_m.j ->> 'phase',
            'legacyTable', v_m.j ->> 'legacy_table',
            'partitionedTable', v_m.j ->> 'partitioned_table',
            'parityCheckedAt', v_m.j -> 'parity_checked_at',
            'parityClean', v_m.j -> 'parity_clean',
            'backfillRows', v_m.j -> 'backfill_rows');
        v_entry := v_entry || pg_catalog.jsonb_build_object('rowCountDelta',
            (v_entry ->> 'partitionedCount')::bigint - (v_entry ->> 'legacyCount')::bigint);
        IF v_m.j ->> 'phase' = 'finalized' THEN
            v_entry := v_entry || '{"triggers": []}';
        END IF;
        SELECT c.parent_table INTO v_c FROM {{ schema }}.config c
         WHERE c.parent_table IN (v_m.j ->> 'partitioned_table', v_m.j ->> 'table_name') LIMIT 1;
        IF v_c.parent_table IS NOT NULL THEN
            v_entry := v_entry || {{ schema }}._table_metrics(v_c.parent_table, p_exact) - 'name' - 'schema' - 'partitionedCount';
            v_seen := v_seen || v_c.parent_table;
        ELSE
            v_entry := v_entry || pg_catalog.jsonb_build_object('partitionCount',
                (SELECT pg_catalog.count(*) FROM pg_catalog.pg_inherits i WHERE i.inhparent = v_part));
        END IF;
        v_tables := v_tables || pg_catalog.jsonb_build_array(v_entry);
    END LOOP;

    FOR v_c IN SELECT c.parent_table FROM {{ schema }}.config c WHERE c.parent_table <> ALL (v_seen) ORDER BY c.parent_table LOOP
        v_tables := v_tables || pg_catalog.jsonb_build_array(
            pg_catalog.jsonb_build_object('legacyCount', NULL, 'rowCountDelta', NULL, 'triggers', '[]'::jsonb, 'phase', NULL)
            || {{ schema }}._table_metrics(v_c.parent_table, p_exact));
    END LOOP;

    SELECT l.logged_at, l.outcome, l.detail, l.run_id INTO v_hb
      FROM {{ schema }}.maintenance_log l WHERE l.action = 'run' ORDER BY l.logged_at DESC, l.id DESC LIMIT 1;
    RETURN pg_catalog.jsonb_build_object(
        'partitionedTablesEnabled', {{ schema }}.setting('use_partitioned_tables')::boolean,
        'tables', v_tables,
        'maintenance', pg_catalog.jsonb_build_object(
            'enabled', {{ schema }}.setting('enable_partition_maintenance')::boolean,
            'schedule', nullif({{ schema }}.setting('maintenance_schedule'), ''),
            'retentionSchedule', nullif({{ schema }}.setting('retention_schedule'), ''),
            'lastRunAt', {{ schema }}._iso(v_hb.logged_at),
            'lastRunId', v_hb.run_id,
            'lastOutcome', v_hb.outcome,
            'lastDetail', v_hb.detail),
        'exact', p_exact,
        'timestamp', {{ schema }}._iso(pg_catalog.now()));
END
$$;
