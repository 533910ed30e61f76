CREATE FUNCTION part.drop_old(p_retention text DEFAULT NULL, p_parent text DEFAULT NULL,
                                     p_dry_run boolean DEFAULT false)
    RETURNS TABLE(partition_name text, parent_table text, action text, kept_as text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_only    regclass;
    v_t       record;
    v_type    regtype;
    v_ret     text;
    v_cut     numeric;
    v_cutlit  text;
    v_parts   regclass[];
    v_names   text[];
    v_default regclass;
    v_schema  text;
    v_name    text;
    v_target  text;
    v_phase   text;
    v_newer   boolean;
    v_run     bigint := nullif(current_setting('part.run_id', true), '')::bigint;
    v_alone   boolean := v_run IS NULL;   -- not called by part.run_maintenance
    v_begun   timestamptz := clock_timestamp();
    v_count   integer := 0;
    v_hard    text[] := '{}'::text[];             -- failures other than a lock not obtained
    v_started timestamptz;
    v_failed  text[] := '{}'::text[];
    v_done    text[];
    v_act     text[];
    v_kept    text[];
BEGIN
/*
 * Retire the range partitions wholly older than the retention, for every
 * managed range table (each by its own retention; a table without one keeps
 * everything) or only p_parent. A p_retention given in the call applies to
 * the table named by p_parent only, and is refused (22023) without one, so
 * a call never retires partitions of a table that keeps more. By the
 * table's retention mode:
 *   drop:    detach, then drop the table;
 *   detach:  detach and leave the table where it is;
 *   archive: detach and move it into schema part_archive (created on
 *            demand; never an extension member, so uninstalling part never
 *            drops archived data).
 * A partition is retired only when its upper bound is at or below
 * now() - retention (time keys, UTC) or max(key) - retention (integer
 * keys), and it is checked to hold no newer row; the default partition never
 * is. Tables taking part in an unfinished migration are left alone (the
 * other copy still holds those rows). Inside a function PostgreSQL allows
 * only a plain DETACH, which needs ACCESS EXCLUSIVE on the parent: the locks
 * are taken with short timeouts and retries (part._lock), and held only until
 * the caller commits. Each action is logged in part.maintenance_log; a table
 * that fails is logged and the others still run (a warning names them).
 * Called on its own for every table (the retention job of pginstall), it
 * also writes a summary row (action 'retention') that part.verify() reads.
 * Returns one row per partition retired: its name, its table, what was done
 * (dropped, detached, archived) and the name it is kept under (NULL when
 * dropped). p_dry_run => true changes nothing, takes no lock and logs
 * nothing: it returns the same rows with action 'would drop', 'would
 * detach' or 'would archive' (kept_as: the name it would have).
 */
    PERFORM part._check_trust();   -- nothing a less privileged role changed steers what is dropped
    IF p_dry_run IS NULL THEN
        RAISE EXCEPTION 'p_dry_run must not be NULL'
            USING ERRCODE = '22023', HINT = 'Pass true to list what would be retired, or false (the default) to retire it.';
    END IF;
    IF p_retention IS NOT NULL AND p_parent IS NULL THEN
        RAISE EXCEPTION 'a retention given to part.drop_old applies to one table: name it in p_parent'
            USING ERRCODE = '22023',
                  HINT = format('Call part.drop_old(%L, ''<schema.table>''), or part.drop_old() to retire by each table''s own retention (part.config).',
                                           p_retention);
    END IF;
    IF v_alone AND NOT p_dry_run THEN
        v_run := nextval('part.maintenance_run_id_seq');
    END IF;
    IF p_parent IS NOT NULL THEN
        v_only := part._resolve_table(p_parent);
        IF (part._config_row(v_only)).strategy <> 'range' THEN
            RAISE EXCEPTION 'table % is hash-partitioned: it has no old partitions to retire', p_parent
                USING ERRCODE = '42809', HINT = 'Retention applies to range-partitioned tables only.';
        END IF;
    END IF;
    IF p_retention IS NOT NULL THEN   -- checked against the table it applies to, before touching it
        PERFORM part._check_retention(p_retention, (part._config_row(v_only)).key_type::regtype);
    END IF;

    FOR v_t IN
        SELECT c.parent_table AS parent, c.key_column, c.key_type, c.retention_mode, c.time_zone,
               coalesce(p_retention, c.retention) AS retention, part._managed_rel(c.parent_table) AS rel
          FROM part.config c
         WHERE c.strategy = 'range' AND coalesce(p_retention, c.retention) IS NOT NULL
           AND (v_only IS NULL OR c.parent_table = part._qualified(v_only))
         ORDER BY c.parent_table
    LOOP
        v_started := clock_timestamp();
        v_done := '{}';
        v_act := '{}';
        v_kept := '{}';
        BEGIN
            IF v_t.rel IS NULL THEN
                RAISE EXCEPTION 'table % does not exist', v_t.parent
                    USING ERRCODE = '42P01', HINT = 'Remove it from part.config (pginstall apply does) or recreate it.';
            END IF;
            SELECT m.phase INTO v_phase FROM part.migration m
             WHERE v_t.parent IN (m.table_name, m.partitioned_table, m.legacy_table)
               AND m.phase <> 'finalized' LIMIT 1;
            CONTINUE WHEN v_phase IS NOT NULL AND p_dry_run;
            IF v_phase IS NOT NULL THEN
                INSERT INTO part.maintenance_log (run_id, parent_table, action, outcome, detail)
                VALUES (v_run, v_t.parent, 'retire', 'skipped',
                        format('migration in phase %s: retention waits for part.finalize', v_phase));
                CONTINUE;
            END IF;

            v_type := v_t.key_type::regtype;
            v_ret := v_t.retention;
            IF v_t.key_type IN ('smallint', 'integer', 'bigint') THEN
                EXECUTE format('SELECT pg_catalog.max(%I) - %s FROM %s', v_t.key_column,
                                          btrim(v_ret)::bigint, v_t.rel) INTO v_cut;
                v_cutlit := v_cut::text;
            ELSE
                v_cutlit := part._literal(part._zone_minus(v_ret, v_t.time_zone), v_type);
                v_cut := part._bound_ordinal(v_cutlit, v_type);
            END IF;
            CONTINUE WHEN v_cut IS NULL;

            SELECT array_agg(b.partition_oid::regclass ORDER BY part._bound_ordinal(b.bound_from, v_type)),
                   array_agg(b.partition_name ORDER BY part._bound_ordinal(b.bound_from, v_type))
              INTO v_parts, v_names
              FROM part._partition_bounds(v_t.rel) b
             WHERE NOT b.is_default AND part._bound_ordinal(b.bound_to, v_type) <= v_cut;
            CONTINUE WHEN v_parts IS NULL;

            -- never a partition holding a row newer than the retention (the bounds say so; check anyway)
            FOR i IN 1 .. cardinality(v_parts) LOOP
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= $1::%s)',
                                          v_parts[i], v_t.key_column, v_type)
                   INTO v_newer USING v_cutlit;
                IF v_newer THEN
                    RAISE EXCEPTION 'partition % holds rows newer than the retention cutoff %', v_names[i], v_cutlit
                        USING ERRCODE = '55000', HINT = 'Its bounds and contents disagree: check the partition by hand.';
                END IF;
            END LOOP;

            IF p_dry_run THEN
                FOR i IN 1 .. cardinality(v_parts) LOOP
                    v_done := v_done || v_names[i];
                    v_act := v_act || ('would ' || v_t.retention_mode);
                    v_kept := v_kept || CASE v_t.retention_mode
                                        WHEN 'drop' THEN NULL
                                        WHEN 'detach' THEN v_names[i]
                                        ELSE format('part_archive.%I',
                                                 (SELECT c.relname FROM pg_class c WHERE c.oid = v_parts[i])) END;
                END LOOP;
                v_count := v_count + cardinality(v_done);
                RETURN QUERY SELECT d.n, v_t.parent, d.a, d.k FROM ROWS FROM (unnest(v_done), unnest(v_act), unnest(v_kept)) AS d(n, a, k);
                CONTINUE;
            END IF;

            -- lock order as PostgreSQL's own: parent, partitions, default; all or none per
            -- attempt, so writers never wait behind a parent lock held while we wait for another
            SELECT b.partition_oid::regclass INTO v_default
              FROM part._partition_bounds(v_t.rel) b WHERE b.is_default;
            PERFORM part._lock_all(
                ARRAY[v_t.rel] || v_parts || CASE WHEN v_default IS NULL THEN '{}'::regclass[] ELSE ARRAY[v_default] END,
                array_fill('ACCESS EXCLUSIVE'::text, ARRAY[cardinality(v_parts) + 1 + (v_default IS NOT NULL)::int]));

            FOR i IN 1 .. cardinality(v_parts) LOOP
                EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_t.rel, v_parts[i]);
                v_target := NULL;
                IF v_t.retention_mode = 'drop' THEN
                    EXECUTE format('DROP TABLE %s', v_parts[i]);
                ELSIF v_t.retention_mode = 'archive' THEN
                    PERFORM part._archive_schema();   -- created by part, or refused when someone else made it
                    SELECT n.nspname, c.relname INTO v_schema, v_name
                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.oid = v_parts[i];
                    IF to_regclass(format('part_archive.%I', v_name)) IS NOT NULL THEN
                        v_name := part._partition_name(v_name, v_schema);
                        IF to_regclass(format('part_archive.%I', v_name)) IS NOT NULL THEN
                            RAISE EXCEPTION 'cannot archive %: part_archive already holds % and %', v_names[i],
                                    format('part_archive.%I', split_part(v_names[i], '.', 2)),
                                    format('part_archive.%I', v_name)
                                USING ERRCODE = '42P07', HINT = 'Rename or drop the archived copies first.';
                        END IF;
                        EXECUTE format('ALTER TABLE %s RENAME TO %I', v_parts[i], v_name);
                    END IF;
                    EXECUTE format('ALTER TABLE %s SET SCHEMA part_archive', v_parts[i]);
                    v_target := part._qualified(v_parts[i]);
                    EXECUTE format('COMMENT ON TABLE %s IS %L', v_parts[i],
                        format('part: partition %s of %s, archived by part.drop_old on %s (retention %s)',
                                          v_names[i], v_t.parent,
                                          to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'), v_ret));
                END IF;
                INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, duration, outcome, detail)
                VALUES (v_run, v_t.parent, v_t.retention_mode, v_names[i],
                        clock_timestamp() - v_started, 'ok',
                        format('older than %s (retention %s)%s', v_cutlit, v_ret,
                                          CASE WHEN v_target IS NOT NULL THEN ', now ' || v_target ELSE '' END));
                PERFORM part._notice(format('retired %s of %s (%s, older than %s)',
                                                               v_names[i], v_t.parent, v_t.retention_mode, v_cutlit));
                v_done := v_done || v_names[i];
                v_act := v_act || CASE v_t.retention_mode WHEN 'drop' THEN 'dropped' WHEN 'detach' THEN 'detached' ELSE 'archived' END;
                v_kept := v_kept || CASE WHEN v_t.retention_mode = 'drop' THEN NULL ELSE coalesce(v_target, v_names[i]) END;
            END LOOP;
        EXCEPTION WHEN others THEN
            v_done := '{}';
            IF v_only IS NOT NULL OR p_dry_run THEN
                RAISE;
            END IF;
            v_failed := v_failed || v_t.parent;
            IF SQLSTATE <> '55P03' THEN
                v_hard := v_hard || v_t.parent;
            END IF;
            INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail, error_code)
            VALUES (v_run, v_t.parent, 'retire', clock_timestamp() - v_started,
                    CASE WHEN SQLSTATE = '55P03' THEN 'skipped' ELSE 'failed' END,
                    SQLSTATE || ': ' || SQLERRM, SQLSTATE);
        END;
        v_count := v_count + cardinality(v_done);
        RETURN QUERY SELECT d.n, v_t.parent, d.a, d.k FROM ROWS FROM (unnest(v_done), unnest(v_act), unnest(v_kept)) AS d(n, a, k);
    END LOOP;
    IF v_alone AND v_only IS NULL AND NOT p_dry_run THEN   -- the retention job's own heartbeat (part.verify: retention_last_run)
        INSERT INTO part.maintenance_log (run_id, action, duration, outcome, detail)
        VALUES (v_run, 'retention', clock_timestamp() - v_begun,
                CASE WHEN cardinality(v_hard) > 0 THEN 'failed' ELSE 'ok' END,
                format('%s partitions retired%s%s', v_count,
                    CASE WHEN cardinality(v_hard) > 0
                         THEN '; failed: ' || array_to_string(v_hard, ', ') ELSE '' END,
                    CASE WHEN cardinality(v_failed) > cardinality(v_hard)
                         THEN '; given up (lock not obtained): ' || array_to_string(
                              ARRAY(SELECT x FROM unnest(v_failed) x WHERE x <> ALL (v_hard)), ', ')
                         ELSE '' END));
    END IF;
    IF cardinality(v_failed) > 0 THEN
        RAISE WARNING 'part.drop_old could not retire old partitions of %', array_to_string(v_failed, ', ')
            USING HINT = 'See part.maintenance_log for the errors; the other tables were handled.';
    END IF;
END
$$;
COMMENT ON FUNCTION part.drop_old IS
    'part: retire range partitions wholly older than the retention (p_retention for the table p_parent, else each table''s own), by its retention mode (drop, detach, archive into part_archive); p_dry_run lists what it would do. One row per partition.';
