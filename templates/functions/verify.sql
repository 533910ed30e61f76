CREATE FUNCTION {{ schema }}.verify()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql
    SECURITY DEFINER STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_p        record;
    v_m        record;
    v_type     regtype;
    v_int      boolean;
    v_max      text;
    v_cur      text;
    v_to       text;
    v_missing  text[];
    v_lo       numeric;
    v_hi       numeric;
    v_cut      text;
    v_n        bigint;
    v_range    text;
    v_writer   regclass;
    v_legacy   regclass;
    v_part     regclass;
    v_drift    text;
    v_age      interval := {{ schema }}.setting('parity_max_age')::interval;
    v_sched    text := {{ schema }}.setting('maintenance_schedule');
    v_enabled  boolean := {{ schema }}.setting('enable_partition_maintenance')::boolean;
    v_period   interval;
    v_hb       record;
    v_last     record;
    v_why      text;
    v_note     text;
    v_skips    record;
    v_holder   record;
    v_since    timestamptz;
    v_overlap  text;
    v_lim      record;
    v_stuck    bigint;
    v_srange   text;
    v_moduli   integer[];
    v_split    integer;
    v_cnt      bigint;
BEGIN
/*
 * The health of part in this database, one row per check (and per table
 * where a check is about tables); status 'ok', 'warn' or 'fail':
 *   partitions_ahead     partitions exist for now and premake intervals ahead
 *                        (hash: every remainder, and no split_hash left half done);
 *   default_empty        no row waits in a default partition (maintenance
 *                        moves them: a row there means it has not run since);
 *   default_retention    no row older than the retention sits in a default
 *                        (maintenance leaves those: someone must decide);
 *   sync_triggers        migrations: sync triggers present and enabled for
 *                        INSERT, UPDATE, DELETE and TRUNCATE;
 *   column_drift         migrations: legacy and partitioned copy have the
 *                        same columns and types (part.migrate_refresh after a
 *                        schema change);
 *   parity_stale         migrations: the last parity check is clean and
 *                        younger than the setting parity_max_age;
 *   maintenance_heartbeat a run that did its work within twice the scheduled
 *                        period (no run yet, not scheduled or disabled: warn);
 *                        skipped runs are no heartbeat: runs skipped because
 *                        a session holds the maintenance lock (a run cancelled
 *                        in a session that stays open) warn, then fail, naming
 *                        that session;
 *   maintenance_last_run the last run that did its work succeeded for every
 *                        table, within twice the scheduled period;
 *   retention_last_run   the last part.drop_old() of the separate retention
 *                        job succeeded (when one is scheduled or has run);
 *   standby              this server is not a standby (warn on a standby:
 *                        maintenance runs on the primary).
 * Read-only: works on a standby.
 */
    -- per managed table
    FOR v_p IN SELECT pl.*, c.premake, c."interval", c.key_column, c.partitions
                 FROM {{ schema }}._maintenance_plan() pl
                 JOIN {{ schema }}.config c ON c.parent_table = pl.parent_table LOOP
        table_name := v_p.parent_table;
        IF v_p.rel IS NULL THEN
            RETURN QUERY SELECT 'partitions_ahead', v_p.parent_table, 'fail',
                'the table does not exist (remove it from part.config, or recreate it)';
            CONTINUE;
        END IF;
        v_type := v_p.key_type::regtype;
        v_int := v_p.key_type IN ('smallint', 'integer', 'bigint');

        IF v_p.strategy = 'hash' THEN
            -- two moduli: a part.split_hash that was interrupted (its capture trigger still logs writes)
            SELECT pg_catalog.array_agg(DISTINCT b.modulus ORDER BY b.modulus) INTO v_moduli
              FROM {{ schema }}._partition_bounds(v_p.rel) b;
            -- one modulus, but split tables or capture triggers of an interrupted split_hash (killed, or
            -- stopped by an error, before it split its first old partition): the trigger logs every write
            SELECT pg_catalog.max((pg_catalog.regexp_match(pg_catalog.pg_get_constraintdef(co.oid),
                                                           'satisfies_hash_partition\(\(?''?(\d+)''?\)?::oid, (\d+),'))[2]::integer),
                   pg_catalog.count(*)
              INTO v_split, v_n
              FROM pg_catalog.pg_constraint co
             WHERE co.conname = 'part_split_check' AND co.contype = 'c'
               AND (pg_catalog.regexp_match(pg_catalog.pg_get_constraintdef(co.oid), 'satisfies_hash_partition\(\(?''?(\d+)''?\)?::oid'))[1] = v_p.rel::oid::text
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = co.conrelid);
            SELECT pg_catalog.count(DISTINCT t.tgrelid) INTO v_cnt
              FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_inherits i ON i.inhrelid = t.tgrelid
             WHERE i.inhparent = v_p.rel AND t.tgname IN ('part_split_capture', 'part_split_capture_truncate');
            IF cardinality(v_moduli) = 1 AND (v_n > 0 OR v_cnt > 0) THEN
                RETURN QUERY SELECT 'partitions_ahead', v_p.parent_table, 'fail',
                    pg_catalog.format('a split of the hash partitions from %s%s was interrupted: %s split table(s) and the capture trigger on %s partition(s) (it logs every write) are left: '
                                      'CALL part.split_hash(%L, %s) to finish it, or CALL part.split_hash(%L, %s) to abandon it',
                                      v_moduli[1], coalesce(' to ' || v_split, ''), v_n, v_cnt,
                                      v_p.parent_table, coalesce(v_split, v_moduli[1] * 2), v_p.parent_table, v_moduli[1]);
                CONTINUE;
            END IF;
            RETURN QUERY SELECT 'partitions_ahead', v_p.parent_table,
                CASE WHEN v_p.partition_count = v_p.partitions AND cardinality(v_moduli) = 1 THEN 'ok' ELSE 'fail' END,
                CASE WHEN cardinality(v_moduli) > 1
                     THEN pg_catalog.format('a split of the hash partitions from %s to %s is unfinished (%s partitions now): CALL part.split_hash(%L, %s) to finish it',
                                            v_moduli[1], v_moduli[cardinality(v_moduli)], v_p.partition_count,
                                            v_p.parent_table, v_moduli[cardinality(v_moduli)])
                     ELSE pg_catalog.format('%s of %s hash partitions', v_p.partition_count, v_p.partitions) END;
            CONTINUE;
        END IF;

        v_lim := {{ schema }}._key_limits(v_type, v_p."interval");
        -- partitions for now and premake ahead (integer keys: from the largest key, read here)
        IF v_int THEN
            -- the largest key an aligned partition can hold (not a bigint extreme: part._key_limits)
            EXECUTE pg_catalog.format('SELECT coalesce(pg_catalog.max(%1$I), 0)::text FROM %2$s WHERE %1$I >= $1::%3$s AND %1$I < $2::%3$s',
                                      v_p.key_column, v_p.rel, v_type)
               INTO v_max USING v_lim.lo, v_lim.hi;
            v_missing := '{}';
            v_cur := {{ schema }}._range_floor(v_max, v_type, v_p."interval");
            FOR i IN 0 .. v_p.premake LOOP
                EXIT WHEN v_cur::numeric >= v_lim.hi::numeric;   -- the type ends
                v_to := {{ schema }}._range_next(v_cur, v_type, v_p."interval");
                IF NOT EXISTS (SELECT 1 FROM {{ schema }}._bounds_all(v_p.rel) b
                                WHERE NOT b.is_default AND b.lo <= v_cur::float8 AND b.hi >= v_to::float8) THEN
                    v_missing := v_missing || v_cur;
                END IF;
                v_cur := v_to;
            END LOOP;
            IF v_missing = '{}' THEN
                v_missing := NULL;
            END IF;
        ELSE
            v_missing := v_p.missing;
        END IF;
        -- partitions made by hand that overlap a missing interval: maintenance cannot create it
        v_overlap := NULL;
        IF v_missing IS NOT NULL THEN
            SELECT pg_catalog.string_agg(DISTINCT pg_catalog.format('%s [%s, %s)', b.partition_name, b.bound_from, b.bound_to), ', ')
              INTO v_overlap
              FROM pg_catalog.unnest(v_missing) s(f)
              JOIN {{ schema }}._partition_bounds(v_p.rel) b ON NOT b.is_default
             WHERE {{ schema }}._bound_ordinal(b.bound_from, v_type)
                       < {{ schema }}._bound_ordinal({{ schema }}._range_next(s.f, v_type, v_p."interval"), v_type)
               AND {{ schema }}._bound_ordinal(b.bound_to, v_type) > {{ schema }}._bound_ordinal(s.f, v_type);
        END IF;
        RETURN QUERY SELECT 'partitions_ahead', v_p.parent_table,
            CASE WHEN v_missing IS NULL THEN 'ok' ELSE 'fail' END,
            CASE WHEN v_missing IS NULL
                 THEN pg_catalog.format('partitions cover now and %s intervals ahead (up to %s)', v_p.premake, v_p.covered_until)
                 WHEN v_overlap IS NOT NULL
                 THEN pg_catalog.format('no partition for the interval(s) starting %s, and maintenance cannot create them: %s overlaps them without covering them '
                                        '(made by hand, not aligned to the %s interval): detach it (ALTER TABLE %s DETACH PARTITION ...), insert its rows back through %s '
                                        '(the default partition keeps them), drop it, then SELECT part.create_ahead(); or attach partitions covering the rest of those intervals yourself',
                                        pg_catalog.array_to_string(v_missing, ', '), v_overlap, v_p."interval", v_p.parent_table, v_p.parent_table)
                 ELSE pg_catalog.format('no partition for the interval(s) starting %s: run part.create_ahead() or CALL part.run_maintenance()',
                                        pg_catalog.array_to_string(v_missing, ', ')) END;

        -- rows waiting in the default partition
        CONTINUE WHEN v_p.default_partition IS NULL;
        v_cut := NULL;
        IF v_p.retention IS NOT NULL THEN
            IF v_int THEN
                v_cut := (v_max::numeric - pg_catalog.btrim(v_p.retention)::numeric)::bigint::text;
            ELSE
                v_cut := {{ schema }}._literal((pg_catalog.now() AT TIME ZONE 'UTC') - v_p.retention::interval, v_type);
            END IF;
            -- rows in the interval holding the cutoff are drained too (that partition is not retired yet)
            v_cut := {{ schema }}._range_floor(v_cut, v_type, v_p."interval");
        END IF;
        v_n := 0;
        v_range := NULL;
        v_stuck := 0;
        v_srange := NULL;
        IF v_p.default_nonempty THEN
            -- rows maintenance moves, and rows no aligned partition can hold (NULL, infinity, the type's extremes)
            EXECUTE pg_catalog.format(
                'SELECT pg_catalog.count(*) FILTER (WHERE k >= $2::%3$s AND k < $3::%3$s), '
                '       pg_catalog.min(k) FILTER (WHERE k >= $2::%3$s AND k < $3::%3$s)::text || '' to '' '
                '       || pg_catalog.max(k) FILTER (WHERE k >= $2::%3$s AND k < $3::%3$s)::text, '
                '       pg_catalog.count(*) FILTER (WHERE k IS NULL OR k < $2::%3$s OR k >= $3::%3$s), '
                '       pg_catalog.concat_ws('', '', CASE WHEN pg_catalog.bool_or(k IS NULL) THEN ''NULL'' END, '
                '                            pg_catalog.min(k) FILTER (WHERE k < $2::%3$s OR k >= $3::%3$s)::text, '
                '                            pg_catalog.max(k) FILTER (WHERE k < $2::%3$s OR k >= $3::%3$s)::text) '
                'FROM (SELECT %1$I AS k FROM ONLY %2$s WHERE $1::%3$s IS NULL OR %1$I >= $1::%3$s OR %1$I IS NULL LIMIT 1000000) x',
                v_p.key_column, v_p.default_partition, v_type)
               INTO v_n, v_range, v_stuck, v_srange USING v_cut, v_lim.lo, v_lim.hi;
        END IF;
        RETURN QUERY SELECT 'default_empty', v_p.parent_table,
            CASE WHEN v_n = 0 AND v_stuck = 0 THEN 'ok' ELSE 'fail' END,
            CASE WHEN v_n = 0 AND v_stuck = 0 THEN pg_catalog.format('%s holds no row to move', v_p.default_partition)
                 ELSE pg_catalog.concat_ws('; ',
                     CASE WHEN v_n > 0 THEN pg_catalog.format('%s rows wait in %s (keys %s): CALL part.run_maintenance() moves them into partitions',
                                                              v_n, v_p.default_partition, v_range) END,
                     CASE WHEN v_stuck > 0 THEN pg_catalog.format(
                         '%s rows in %s have keys no partition of part can hold (%s; part makes partitions for keys from %s to before %s): '
                         'maintenance leaves them there; correct or delete them, or attach a partition for them yourself (FOR VALUES FROM (...) TO (MAXVALUE), say)',
                         v_stuck, v_p.default_partition, v_srange, v_lim.lo, v_lim.hi) END) END;

        CONTINUE WHEN v_cut IS NULL;
        v_n := 0;
        v_range := NULL;
        IF v_p.default_nonempty THEN
            EXECUTE pg_catalog.format(
                'SELECT pg_catalog.count(*), pg_catalog.min(k)::text || '' to '' || pg_catalog.max(k)::text '
                'FROM (SELECT %1$I AS k FROM ONLY %2$s WHERE %1$I < $1::%3$s LIMIT 1000000) x',
                v_p.key_column, v_p.default_partition, v_type)
               INTO v_n, v_range USING v_cut;
        END IF;
        RETURN QUERY SELECT 'default_retention', v_p.parent_table,
            CASE WHEN v_n = 0 THEN 'ok' ELSE 'fail' END,
            CASE WHEN v_n = 0 THEN pg_catalog.format('no row older than the retention (%s) in %s', v_p.retention, v_p.default_partition)
                 ELSE pg_catalog.format('%s rows older than the retention (%s; keys %s) sit in %s: maintenance never deletes them; move or delete them yourself',
                                        v_n, v_p.retention, v_range, v_p.default_partition) END;
    END LOOP;

    -- per migration (columns read through to_jsonb: only those this needs)
    FOR v_m IN SELECT pg_catalog.to_jsonb(m) AS j FROM {{ schema }}.migration m ORDER BY m.table_name LOOP
        table_name := v_m.j ->> 'table_name';
        CONTINUE WHEN v_m.j ->> 'phase' = 'finalized';
        v_legacy := pg_catalog.to_regclass(v_m.j ->> 'legacy_table');
        v_part := pg_catalog.to_regclass(v_m.j ->> 'partitioned_table');
        v_writer := CASE WHEN v_m.j ->> 'phase' = 'partitioned' THEN v_part ELSE v_legacy END;
        IF v_m.j ->> 'method' = 'attach' THEN
            RETURN QUERY SELECT * FROM {{ schema }}._attach_verify(table_name);
            CONTINUE;
        END IF;

        -- part's own triggers, by identity, on both tables and every partition (part._sync_problems)
        v_drift := {{ schema }}._sync_problems(table_name);
        RETURN QUERY SELECT 'sync_triggers', table_name,
            CASE WHEN v_drift IS NULL THEN 'ok' ELSE 'fail' END,
            CASE WHEN v_drift IS NULL
                 THEN pg_catalog.format('writes to %s are mirrored (INSERT, UPDATE, DELETE, TRUNCATE, in every replication role); direct writes to the other table are refused',
                                        v_writer)
                 ELSE v_drift || pg_catalog.format('; run SELECT part.migrate_refresh(%L)', table_name) END;

        -- the columns of both tables (part._sync_drift)
        v_drift := {{ schema }}._sync_drift(table_name);
        RETURN QUERY SELECT 'column_drift', table_name,
            CASE WHEN v_drift IS NULL THEN 'ok' ELSE 'fail' END,
            coalesce(v_drift, pg_catalog.format('%s and %s have the same columns', v_legacy, v_part));

        RETURN QUERY SELECT 'parity_stale', table_name,
            CASE WHEN (v_m.j ->> 'parity_clean')::boolean IS FALSE THEN 'fail'
                 WHEN v_m.j ->> 'parity_checked_at' IS NULL
                     THEN CASE WHEN v_m.j ->> 'phase' = 'dual_write' THEN 'warn' ELSE 'fail' END
                 WHEN (v_m.j ->> 'parity_checked_at')::timestamptz < pg_catalog.now() - v_age
                     THEN CASE WHEN v_m.j ->> 'phase' = 'dual_write' THEN 'warn' ELSE 'fail' END
                 ELSE 'ok' END,
            CASE WHEN (v_m.j ->> 'parity_clean')::boolean IS FALSE
                     THEN pg_catalog.format('the parity check of %s found differences: see part.parity_diff(%L)',
                                            (v_m.j ->> 'parity_checked_at')::timestamptz, table_name)
                 WHEN v_m.j ->> 'parity_checked_at' IS NULL
                     THEN pg_catalog.format('parity never checked: SELECT * FROM part.check_parity(%L)', table_name)
                 WHEN (v_m.j ->> 'parity_checked_at')::timestamptz < pg_catalog.now() - v_age
                     THEN pg_catalog.format('last checked %s, more than %s ago (parity_max_age): SELECT * FROM part.check_parity(%L)',
                                            (v_m.j ->> 'parity_checked_at')::timestamptz, v_age, table_name)
                 ELSE pg_catalog.format('clean, checked %s', (v_m.j ->> 'parity_checked_at')::timestamptz) END;
    END LOOP;

    -- maintenance: heartbeat and last run
    table_name := NULL;
    -- skipped runs did nothing: the heartbeat is the last run that did its work
    SELECT l.logged_at, l.outcome, l.detail, l.run_id INTO v_hb
      FROM {{ schema }}.maintenance_log l
     WHERE l.action = 'run' AND l.outcome <> 'skipped'
     ORDER BY l.logged_at DESC, l.id DESC LIMIT 1;
    v_last := v_hb;
    SELECT pg_catalog.count(*) AS n, pg_catalog.min(l.logged_at) AS first, pg_catalog.max(l.logged_at) AS last INTO v_skips
      FROM {{ schema }}.maintenance_log l
     WHERE l.action = 'run' AND l.outcome = 'skipped' AND l.logged_at > coalesce(v_hb.logged_at, '-infinity');
    -- the session holding the maintenance lock (part.run_maintenance's advisory lock 1885434484, 1)
    SELECT a.pid, a.state, a.state_change INTO v_holder
      FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 1885434484 AND l.objid = 1 AND l.objsubid = 2
       AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
     LIMIT 1;
    IF v_sched <> '' THEN
        v_period := {{ schema }}._cron_period(v_sched);
    END IF;
    v_since := coalesce(v_hb.logged_at, CASE WHEN v_skips.n > 0 THEN v_skips.first END);
    v_note := CASE WHEN v_skips.n > 0 AND v_holder.pid IS NOT NULL
                   THEN pg_catalog.format('; the %s runs since were skipped: pid %s holds the maintenance lock (%s since %s); a run cancelled in a session that stays open keeps it until that session ends: if that session is not running maintenance, SELECT pg_catalog.pg_terminate_backend(%s)',
                                          v_skips.n, v_holder.pid, v_holder.state, v_holder.state_change, v_holder.pid)
                   WHEN v_skips.n > 0
                   THEN pg_catalog.format('; the %s runs since were skipped (the last at %s; see part.maintenance_log)', v_skips.n, v_skips.last)
                   ELSE '' END;
    RETURN QUERY SELECT 'maintenance_heartbeat', NULL::text,
        CASE WHEN NOT v_enabled THEN 'warn'
             WHEN v_since IS NULL THEN 'warn'
             WHEN v_period IS NULL THEN 'warn'
             WHEN v_since < pg_catalog.now() - 2 * v_period THEN 'fail'
             WHEN v_skips.n > 0 AND v_holder.pid IS NOT NULL AND v_holder.state IS DISTINCT FROM 'active' THEN 'warn'
             WHEN v_hb.logged_at IS NULL THEN 'warn'
             ELSE 'ok' END,
        CASE WHEN NOT v_enabled THEN 'maintenance is disabled (enable_partition_maintenance = false)'
             WHEN v_since IS NULL AND v_period IS NULL
                 THEN 'no maintenance run yet, and none scheduled: run pginstall apply (with pg_cron) or CALL part.run_maintenance()'
             WHEN v_since IS NULL THEN pg_catalog.format('no maintenance run yet (scheduled %L)', v_sched)
             WHEN v_period IS NULL
                 THEN pg_catalog.format('last run %s; maintenance is not scheduled (no pg_cron job registered by pginstall apply)%s',
                                        coalesce(v_hb.logged_at::text, 'none that did its work'), v_note)
             WHEN v_since < pg_catalog.now() - 2 * v_period
                 THEN pg_catalog.format('last run that did its work: %s; none for more than twice the schedule''s period (%L, every %s)%s',
                                        coalesce(v_hb.logged_at::text, 'none'), v_sched, v_period,
                                        CASE WHEN v_note = '' THEN ': is the pg_cron job running?' ELSE v_note END)
             ELSE pg_catalog.format('last run %s (scheduled %L)%s', coalesce(v_hb.logged_at::text, 'none that did its work'), v_sched, v_note) END;

    IF v_last.outcome = 'failed' THEN
        SELECT pg_catalog.string_agg(pg_catalog.format('%s %s: %s', l.parent_table, l.action, l.detail), '; ' ORDER BY l.id)
          INTO v_why FROM {{ schema }}.maintenance_log l WHERE l.run_id = v_last.run_id AND l.outcome = 'failed' AND l.action <> 'run';
    END IF;
    RETURN QUERY SELECT 'maintenance_last_run', NULL::text,
        CASE WHEN v_last.logged_at IS NULL THEN 'warn'
             WHEN v_last.outcome = 'failed' THEN 'fail'
             WHEN v_enabled AND v_period IS NOT NULL AND v_last.logged_at < pg_catalog.now() - 2 * v_period THEN 'fail'
             WHEN v_last.detail LIKE '%given up%' THEN 'warn'
             ELSE 'ok' END,
        CASE WHEN v_last.logged_at IS NULL THEN 'no maintenance run yet'
             WHEN v_last.outcome = 'failed' THEN pg_catalog.format('run %s at %s failed: %s', v_last.run_id, v_last.logged_at, coalesce(v_why, v_last.detail))
             WHEN v_enabled AND v_period IS NOT NULL AND v_last.logged_at < pg_catalog.now() - 2 * v_period
                 THEN pg_catalog.format('run %s at %s is older than twice the schedule''s period (%L, every %s): see maintenance_heartbeat; it said: %s',
                                        v_last.run_id, v_last.logged_at, v_sched, v_period, v_last.detail)
             ELSE pg_catalog.format('run %s at %s: %s', v_last.run_id, v_last.logged_at, v_last.detail) END;

    -- the separate retention job (part.drop_old() on its own schedule)
    IF {{ schema }}.setting('retention_schedule') <> ''
       OR EXISTS (SELECT 1 FROM {{ schema }}.maintenance_log l WHERE l.action = 'retention') THEN
        SELECT l.logged_at, l.outcome, l.detail, l.run_id INTO v_last
          FROM {{ schema }}.maintenance_log l WHERE l.action = 'retention'
         ORDER BY l.logged_at DESC, l.id DESC LIMIT 1;
        IF v_last.outcome = 'failed' THEN
            SELECT pg_catalog.string_agg(pg_catalog.format('%s: %s', l.parent_table, l.detail), '; ' ORDER BY l.id)
              INTO v_why FROM {{ schema }}.maintenance_log l
             WHERE l.run_id = v_last.run_id AND l.outcome = 'failed' AND l.action <> 'retention';
        END IF;
        RETURN QUERY SELECT 'retention_last_run', NULL::text,
            CASE WHEN v_last.logged_at IS NULL THEN 'warn'
                 WHEN v_last.outcome = 'failed' THEN 'fail'
                 WHEN v_last.detail LIKE '%given up%' THEN 'warn'
                 ELSE 'ok' END,
            CASE WHEN v_last.logged_at IS NULL
                     THEN pg_catalog.format('no run of part.drop_old() yet (scheduled %L)', {{ schema }}.setting('retention_schedule'))
                 WHEN v_last.outcome = 'failed'
                     THEN pg_catalog.format('part.drop_old() at %s failed: %s', v_last.logged_at, coalesce(v_why, v_last.detail))
                 ELSE pg_catalog.format('part.drop_old() at %s: %s', v_last.logged_at, v_last.detail) END;
    END IF;

    RETURN QUERY SELECT 'standby', NULL::text,
        CASE WHEN pg_catalog.pg_is_in_recovery() THEN 'warn' ELSE 'ok' END,
        CASE WHEN pg_catalog.pg_is_in_recovery()
             THEN 'this server is a standby: maintenance does nothing here (it runs on the primary); these checks read replicated state'
             ELSE 'primary: maintenance runs here' END;
END
$$;
