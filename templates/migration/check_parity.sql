CREATE FUNCTION part.check_parity(p_table text, p_full boolean DEFAULT false)
    RETURNS TABLE(range_from text, range_to text, legacy_rows bigint, partitioned_rows bigint,
                  legacy_hash numeric, partitioned_hash numeric, status text,
                  rehashed boolean, partition_name text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m       part.migration := part._migration_row(p_table);
    v_legacy  regclass;
    v_part    regclass;
    v_cols    text[];
    v_full    boolean;
    v_groups  text[];
    v_ranges  text[];
    v_filter  text := 'true';
    v_r       record;
    v_g       record;
    v_now     timestamptz := clock_timestamp();
    v_differ  integer;
    v_count   integer;
    v_lock    integer[];
    v_spec    text;
    v_sort    text;
    v_jit     text;
    v_rows    jsonb;
BEGIN
/*
 * Content parity of a migration, one row per range (the partition interval
 * for range tables, the hash remainder for hash tables): rows and a hash of
 * every row (sum of a 64-bit hash of the row's text) on each side, both
 * sides read by one statement, so in one snapshot. status 'ok' when rows
 * and hashes agree, else 'differs' (see part.parity_diff).
 *
 * Incremental: the sync triggers and the backfill mark the groups they
 * write (part.parity_mark); a check takes the marks no writer holds any
 * more (FOR UPDATE SKIP LOCKED: their writes have committed) and then, in a
 * later snapshot, re-hashes only the ranges of those marks (rehashed = true)
 * and keeps the stored result of the others. The first check, p_full, a
 * TRUNCATE since, or a change of the interval or hash partition count
 * re-hash every range. Updates part.migration
 * (parity_checked_at, parity_clean); a clean check after a finished
 * backfill moves the migration from dual_write to backfilled.
 */
    IF v_m.method = 'attach' THEN
        RAISE EXCEPTION 'the migration of % uses the attach method: its rows are not copied, so there is nothing to compare', v_m.table_name
            USING ERRCODE = '55000', HINT = 'The legacy table becomes the history partition itself; part.verify() reports the split''s progress.';
    END IF;
    PERFORM part._require_phase(v_m, 'check_parity');
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'part.check_parity must run at READ COMMITTED, not %', current_setting('transaction_isolation')
            USING ERRCODE = '55000', HINT = 'Run it in a READ COMMITTED transaction: it re-hashes in a snapshot taken after the marks it consumes.';
    END IF;
    v_lock := part._migration_lock(v_m.table_name, 'check');
    PERFORM pg_advisory_xact_lock(v_lock[1], v_lock[2]);
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    v_cols := part._sync_columns(v_legacy, v_part);
    SELECT coalesce(c."interval", c.partitions::text) INTO v_spec FROM part.config c WHERE c.parent_table = v_m.partitioned_table;
    v_full := coalesce(p_full, false) OR v_m.parity_full_at IS NULL OR v_m.parity_spec IS DISTINCT FROM v_spec;

    -- 1. take the marks no writer holds (their writes are committed)
    WITH taken AS (
        DELETE FROM part.parity_mark pm
         WHERE pm.id IN (SELECT x.id FROM part.parity_mark x
                          WHERE x.table_name = v_m.table_name FOR UPDATE SKIP LOCKED)
        RETURNING pm.grp)
    SELECT array_agg(DISTINCT t.grp) INTO v_groups FROM taken t;
    IF '*' = ANY (v_groups) THEN
        v_full := true;
    END IF;
    IF NOT v_full THEN
        SELECT array_agg(DISTINCT ((part._group_range(v_m, g)).range_from)) INTO v_ranges
          FROM unnest(v_groups) g;
        IF v_ranges IS NOT NULL THEN
            IF v_m.strategy = 'hash' THEN
                v_filter := format('%s = ANY (%L::bigint[])',
                                              part._group_sql(v_m, format('x.%I', v_m.key_column)), v_ranges);
            ELSE
                SELECT string_agg(format('(x.%1$I >= %2$L::%4$s AND x.%1$I < %3$L::%4$s)',
                                                               v_m.key_column, r.range_from, r.range_to, v_m.key_type), ' OR ')
                  INTO v_filter
                  FROM (SELECT (part._group_range(v_m, f)).* FROM unnest(v_ranges) f) r;
            END IF;
        END IF;
    END IF;

    -- 2. hash both sides in one statement (one snapshot, taken after step 1)
    IF v_full OR v_ranges IS NOT NULL THEN
        DELETE FROM part.parity_range pr
         WHERE pr.table_name = v_m.table_name AND (v_full OR pr.range_from = ANY (v_ranges));
        -- few groups, but the planner cannot know it: hash them instead of sorting every row, and
        -- skip JIT, which its row estimate would trigger and which costs more than it saves here
        v_sort := current_setting('enable_sort');
        v_jit := current_setting('jit');
        PERFORM set_config('enable_sort', 'off', true);
        PERFORM set_config('jit', 'off', true);
        -- one statement, executed whole (no cursor), so PostgreSQL may scan each side in parallel
        EXECUTE format(
            'WITH l AS (SELECT %1$s AS g, pg_catalog.count(*) AS n, pg_catalog.sum(%2$s) AS h FROM %3$s x WHERE %4$s GROUP BY 1), '
            '     p AS (SELECT %1$s AS g, pg_catalog.count(*) AS n, pg_catalog.sum(%2$s) AS h, pg_catalog.min(x.tableoid) AS t '
            '             FROM %5$s x WHERE %4$s GROUP BY 1) '
            'SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(''grp'', %6$s, ''ln'', coalesce(l.n, 0), ''lh'', coalesce(l.h, 0), '
            '       ''pn'', coalesce(p.n, 0), ''ph'', coalesce(p.h, 0), ''part'', p.t::regclass::text)) '
            '  FROM l FULL JOIN p ON p.g = l.g',
            part._group_sql(v_m, format('x.%I', v_m.key_column)),
            part._row_hash_sql(v_legacy, v_cols, 'x'), v_legacy, v_filter, v_part,
            part._group_text_sql(v_m, 'coalesce(l.g, p.g)'))
           INTO v_rows;
        FOR v_r IN SELECT * FROM jsonb_to_recordset(coalesce(v_rows, '[]'))
                                 AS r(grp text, ln bigint, lh numeric, pn bigint, ph numeric, part text)
        LOOP
            v_g := part._group_range(v_m, v_r.grp);
            INSERT INTO part.parity_range AS pr
                   (table_name, range_from, range_to, range_order, partition_name, legacy_rows, partitioned_rows,
                    legacy_hash, partitioned_hash, status, checked_at)
            VALUES (v_m.table_name, v_g.range_from, v_g.range_to, v_g.range_order, v_r.part, v_r.ln, v_r.pn,
                    v_r.lh, v_r.ph, 'ok', v_now)
            ON CONFLICT ON CONSTRAINT parity_range_pkey DO UPDATE
               SET legacy_rows = pr.legacy_rows + EXCLUDED.legacy_rows,
                   partitioned_rows = pr.partitioned_rows + EXCLUDED.partitioned_rows,
                   legacy_hash = pr.legacy_hash + EXCLUDED.legacy_hash,
                   partitioned_hash = pr.partitioned_hash + EXCLUDED.partitioned_hash,
                   partition_name = coalesce(pr.partition_name, EXCLUDED.partition_name);
        END LOOP;
        PERFORM set_config('enable_sort', v_sort, true);
        PERFORM set_config('jit', v_jit, true);
        UPDATE part.parity_range pr
           SET status = CASE WHEN pr.legacy_rows = pr.partitioned_rows AND pr.legacy_hash = pr.partitioned_hash
                             THEN 'ok' ELSE 'differs' END
         WHERE pr.table_name = v_m.table_name AND pr.checked_at = v_now;
    END IF;

    SELECT count(*) FILTER (WHERE pr.status <> 'ok'), count(*) INTO v_differ, v_count
      FROM part.parity_range pr WHERE pr.table_name = v_m.table_name;
    UPDATE part.migration m
       SET parity_checked_at = v_now,
           parity_full_at = CASE WHEN v_full THEN v_now ELSE m.parity_full_at END,
           parity_spec = v_spec,
           parity_clean = (v_differ = 0),
           parity_ranges = v_count,
           parity_differ = v_differ,
           phase = CASE WHEN m.phase = 'dual_write' AND m.backfill_finished_at IS NOT NULL AND v_differ = 0
                        THEN 'backfilled' ELSE m.phase END,
           backfilled_at = CASE WHEN m.phase = 'dual_write' AND m.backfill_finished_at IS NOT NULL AND v_differ = 0
                                THEN v_now ELSE m.backfilled_at END
     WHERE m.table_name = v_m.table_name;
    PERFORM part._notice(format('parity of %s: %s of %s ranges differ (%s)', v_m.table_name, v_differ, v_count,
                                                   CASE WHEN v_full THEN 'full check' ELSE format('%s ranges re-hashed', coalesce(cardinality(v_ranges), 0)) END));

    RETURN QUERY
        SELECT pr.range_from, pr.range_to, pr.legacy_rows, pr.partitioned_rows, pr.legacy_hash, pr.partitioned_hash,
               pr.status, pr.checked_at = v_now, pr.partition_name
          FROM part.parity_range pr
         WHERE pr.table_name = v_m.table_name
         ORDER BY pr.range_order;
END
$$;
COMMENT ON FUNCTION part.check_parity IS
    'part: compare a migration''s legacy table and partitioned copy by content, one row per partition range (rows and a hash of every row on each side, in one snapshot; status ok | differs). Re-hashes only the ranges the sync marked since the last check unless p_full. Clean parity after the backfill makes the migration backfilled.';
