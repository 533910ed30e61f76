CREATE FUNCTION part._backfill_batch(p_table_name text, p_batch_size integer)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m       part.migration;
    v_legacy  regclass;
    v_part    regclass;
    v_cols    text;
    v_key     text;
    v_after   text;
    v_after_c text;
    v_hi      text;
    v_rows    bigint;
    v_groups  text[];
    v_done    jsonb;
    v_tries   integer := 0;
    v_gate    integer[] := part._migration_lock(p_table_name, 'gate');
    v_lock_timeout text;
    v_total   bigint;
    v_sql     text;
    v_groups_sql text;
    v_spec    record;
    v_step    text;
    v_synced  boolean;
BEGIN
/*
 * Copy the next batch of the backfill (at most p_batch_size rows, in the
 * legacy table's primary-key order) into the partitioned copy; returns the
 * rows copied, or NULL when there is nothing left to copy (the backfill is
 * then marked finished). The caller commits (part.backfill).
 *
 * Race-free without locking the source rows: the batch holds the
 * migration's "gate" advisory lock exclusively, and takes its snapshot only
 * after it has it. A sync trigger that removes rows the backfill may still
 * copy (between the last batch and the last key) takes the gate shared
 * until its transaction ends. So either the batch waits for that
 * transaction and then no longer sees the removed rows, or the trigger
 * waits for the batch and then deletes what it copied. Rows already copied
 * or written by the sync are left alone (skipped, or ON CONFLICT DO
 * NOTHING): an older version never overwrites a newer one. Rows go in in key order, as the
 * sync's upserts do, so the two never deadlock. The gate is taken with try-locks
 * (no queue, so writers never wait behind a waiting batch), then, after
 * about 2 s of trying, by waiting.
 *
 * The copy waits for a row a writer holds at most 200 ms (lock_timeout, then
 * 55P03): the writer may wait for the gate (it takes it by try-locks, so
 * it is never the one a deadlock fails); part.backfill does the batch again.
 *
 * The backfill copies up to the largest key present when it started: every
 * row written since then goes through the sync.
 */
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'the backfill must run at READ COMMITTED, not %', current_setting('transaction_isolation')
            USING ERRCODE = '55000', HINT = 'Call it in a session with default_transaction_isolation = ''read committed''.';
    END IF;
    LOOP
        EXIT WHEN pg_try_advisory_xact_lock(
            v_gate[1], v_gate[2]);
        v_tries := v_tries + 1;
        IF v_tries >= 200 THEN
            PERFORM pg_advisory_xact_lock(
                v_gate[1], v_gate[2]);
            EXIT;
        END IF;
        PERFORM pg_sleep(0.01);
    END LOOP;

    -- read the position after the gate: another backfill may have moved it
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = p_table_name FOR NO KEY UPDATE;
    IF v_m.phase <> 'dual_write' OR v_m.backfill_finished_at IS NOT NULL THEN
        RETURN NULL;
    END IF;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    v_key := part._sql_columns(v_m.legacy_key, 'l', 'row');

    IF v_m.backfill_started_at IS NULL THEN
        EXECUTE format('SELECT %s FROM %s l ORDER BY %s LIMIT 1',
                                  part._sql_columns(v_m.legacy_key, 'l', 'text'), v_legacy,
                                  part._sql_columns(v_m.legacy_key, 'l', 'desc'))
           INTO v_m.backfill_high_key;
        -- rows to copy, for progress and ETA: the planner's estimate, or a count if it has none
        SELECT CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint END INTO v_total
          FROM pg_class c WHERE c.oid = v_legacy;
        IF v_total IS NULL THEN
            EXECUTE format('SELECT pg_catalog.count(*) FROM %s', v_legacy) INTO v_total;
        END IF;
        UPDATE part.migration m
           SET backfill_started_at = clock_timestamp(), backfill_high_key = v_m.backfill_high_key,
               backfill_total = v_total
         WHERE m.table_name = p_table_name;
        IF v_m.backfill_high_key IS NULL THEN     -- an empty table
            UPDATE part.migration m SET backfill_finished_at = clock_timestamp(), backfill_total = 0
             WHERE m.table_name = p_table_name;
            RETURN NULL;
        END IF;
    END IF;

    v_after := CASE WHEN v_m.backfill_last_key IS NULL THEN 'true'
                    ELSE format('%s > %s', v_key, part._key_from_text_sql(v_legacy, v_m.legacy_key, '$1')) END;
    v_after_c := CASE WHEN v_m.backfill_last_key IS NULL THEN 'true'
                      ELSE format('%s > %s', part._sql_columns(v_m.legacy_key, 'c', 'row'),
                                             part._key_from_text_sql(v_legacy, v_m.legacy_key, '$1')) END;
    -- the batch's last key: the p_batch_size-th key after the last batch (OFFSET on the key's
    -- index: no sort, one key turned into text), or the last key there when fewer are left
    EXECUTE format(
        'SELECT %1$s FROM (SELECT %2$s FROM %3$s l WHERE %4$s AND %5$s <= %6$s ORDER BY %2$s OFFSET %7$s LIMIT 1) l',
        part._sql_columns(v_m.legacy_key, 'l', 'text'), part._sql_columns(v_m.legacy_key, 'l'), v_legacy,
        v_after, v_key, part._key_from_text_sql(v_legacy, v_m.legacy_key, '$2'), p_batch_size - 1)
       INTO v_hi USING v_m.backfill_last_key, v_m.backfill_high_key;
    IF v_hi IS NULL THEN
        EXECUTE format(
            'SELECT %1$s FROM %2$s l WHERE %3$s AND %4$s <= %5$s ORDER BY %6$s LIMIT 1',
            part._sql_columns(v_m.legacy_key, 'l', 'text'), v_legacy, v_after, v_key,
            part._key_from_text_sql(v_legacy, v_m.legacy_key, '$2'), part._sql_columns(v_m.legacy_key, 'l', 'desc'))
           INTO v_hi USING v_m.backfill_last_key, v_m.backfill_high_key;
    END IF;
    IF v_hi IS NULL THEN
        UPDATE part.migration m SET backfill_finished_at = clock_timestamp()
         WHERE m.table_name = p_table_name;
        RETURN NULL;
    END IF;

    -- copy; the copy's own sync must not mirror it back
    v_cols := part._sql_columns(part._sync_columns(v_legacy, v_part, true));
    PERFORM set_config('part.syncing', 'on', true);
    -- Rows the sync already wrote are skipped. Fast path: a plain INSERT of the rows the copy
    -- does not have yet (an anti-join over the batch's key range: about 30% cheaper than ON
    -- CONFLICT's speculative insertion); if a sync upsert slips in meanwhile (unique
    -- violation), the batch is done again with ON CONFLICT DO NOTHING.
    -- The parity groups the batch wrote, for part._parity_mark. A range table's batch usually
    -- spans a few groups (keys in the order rows were written): then the groups from its
    -- smallest to its largest key are marked (a group without a row of the batch is only
    -- re-hashed once more), which needs min and max instead of a group per row (a time zone
    -- conversion and a date_trunc per row: about half of what a batch adds to the INSERT);
    -- over 64 groups, or a hash table, it is a group per row.
    v_groups_sql := format('(SELECT pg_catalog.array_agg(%s) FROM (SELECT DISTINCT %s AS g FROM ins) d)',
                                      part._group_text_sql(v_m, 'd.g'), part._group_sql(v_m, 'ins.k'));
    IF v_m.strategy = 'range' THEN
        v_spec := part._interval_spec((SELECT c."interval" FROM part.config c WHERE c.parent_table = v_m.partitioned_table),
                                                 v_m.key_type::regtype);
        v_step := CASE WHEN v_spec.kind = 'integer' THEN v_spec.width::text
                       ELSE format('%L::interval', '1 ' || CASE WHEN v_spec.kind = 'months' THEN 'month'
                                                                        WHEN v_spec.kind IN ('weeks', 'days') THEN 'day'
                                                                        WHEN v_spec.seconds % 3600 = 0 THEN 'hour'
                                                                        WHEN v_spec.seconds % 60 = 0 THEN 'minute'
                                                                        ELSE 'second' END) END;
        v_groups_sql := format(
            'CASE WHEN %1$s THEN (SELECT pg_catalog.array_agg(%2$s) FROM pg_catalog.generate_series(%3$s, %4$s, %5$s) d(g)) ELSE %6$s END',
            CASE WHEN v_spec.kind = 'integer'
                 THEN format('(%s)::numeric - (%s)::numeric <= 63::numeric * %s',
                                        part._group_sql(v_m, 'b.hi'), part._group_sql(v_m, 'b.lo'), v_step)
                 ELSE format('pg_catalog.isfinite(b.lo) AND pg_catalog.isfinite(b.hi) AND %s <= %s + 63 * %s',
                                        part._group_sql(v_m, 'b.hi'), part._group_sql(v_m, 'b.lo'), v_step) END,
            part._group_text_sql(v_m, 'd.g'), part._group_sql(v_m, 'b.lo'), part._group_sql(v_m, 'b.hi'), v_step,
            v_groups_sql);
    END IF;
    v_sql := format(
        'WITH ins AS (INSERT INTO %1$s (%2$s) OVERRIDING SYSTEM VALUE SELECT %2$s FROM %3$s l WHERE %4$s AND %5$s <= %6$s '
        '%10$s ORDER BY %9$s %11$s RETURNING %7$I AS k), '
        'b AS (SELECT pg_catalog.count(*) AS n, pg_catalog.min(ins.k) AS lo, pg_catalog.max(ins.k) AS hi FROM ins) '
        'SELECT pg_catalog.jsonb_build_array(b.n, %8$s)::text FROM b',
        v_part, v_cols, v_legacy, v_after, v_key, part._key_from_text_sql(v_legacy, v_m.legacy_key, '$2'),
        v_m.key_column, v_groups_sql,
        part._sql_columns(v_m.legacy_key, 'l'), '@anti_join@', '@on_conflict@');
    -- The copy is written with the rights of the tables' owner (part._as_owner): the owner's
    -- triggers, defaults and expressions on the copy never run with the caller's rights.
    -- It waits for a writer's row (a sync upsert not committed yet) at most briefly: that
    -- writer may be waiting for the gate this batch holds; part.backfill then does the batch again.
    v_lock_timeout := current_setting('lock_timeout');
    PERFORM set_config('lock_timeout', '200ms', true);
    -- The anti-join is needed only when the sync has written keys of this batch already (the
    -- application changed rows not copied yet): one look at the copy's key range (cheap to plan
    -- and run) tells, and saves planning the anti-join over every partition of the copy (about
    -- a tenth of a batch) when there are none. A sync write after the look ends in the unique
    -- violation below, as one after the anti-join's snapshot does.
    v_synced := part._as_owner(v_part, format('SELECT EXISTS (SELECT 1 FROM %s c WHERE %s AND %s <= %s)::text',
                                                         v_part, v_after_c, part._sql_columns(v_m.legacy_key, 'c', 'row'),
                                                         part._key_from_text_sql(v_legacy, v_m.legacy_key, '$2')),
                               v_m.backfill_last_key, v_hi)::boolean;
    BEGIN
        v_done := part._as_owner(v_part, replace(replace(v_sql, '@on_conflict@', ''), '@anti_join@',
            CASE WHEN v_synced THEN
            format('AND NOT EXISTS (SELECT 1 FROM %s c WHERE %s AND %s AND %s <= %s)',
                              v_part, part._sql_columns(v_m.partitioned_key, 'c', 'match:l'),
                              v_after_c, part._sql_columns(v_m.legacy_key, 'c', 'row'),
                              part._key_from_text_sql(v_legacy, v_m.legacy_key, '$2')) ELSE '' END),
            v_m.backfill_last_key, v_hi)::jsonb;
    EXCEPTION WHEN unique_violation THEN
        v_done := part._as_owner(v_part, replace(replace(v_sql, '@anti_join@', ''), '@on_conflict@', 'ON CONFLICT DO NOTHING'),
                                         v_m.backfill_last_key, v_hi)::jsonb;
    END;
    PERFORM set_config('lock_timeout', v_lock_timeout, true);
    v_rows := (v_done ->> 0)::bigint;
    v_groups := CASE WHEN jsonb_typeof(v_done -> 1) = 'array'
                     THEN ARRAY(SELECT jsonb_array_elements_text(v_done -> 1)) END;
    -- off for the session too (not only this transaction): nothing the owner's code set survives the batch
    PERFORM set_config('part.syncing', 'off', false);
    PERFORM part._parity_mark(p_table_name, v_groups);

    UPDATE part.migration m
       SET backfill_last_key = v_hi, backfill_rows = m.backfill_rows + v_rows, backfill_batches = m.backfill_batches + 1,
           backfill_batch_at = clock_timestamp()
     WHERE m.table_name = p_table_name;
    RETURN v_rows;
END
$$;
