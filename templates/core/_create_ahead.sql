CREATE FUNCTION part._create_ahead(p_count integer, p_only regclass,
                                           p_max_held integer DEFAULT 20, p_warn boolean DEFAULT true)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_only    regclass := p_only;
    v_default boolean;
    v_held    integer;
    v_left    integer;
    v_t       record;
    v_type    regtype;
    v_current text;
    v_from    text;
    v_to      text;
    v_made    text;
    v_lo      numeric;
    v_hi      numeric;
    v_overlap text;
    v_lim     record;
    v_run     bigint := nullif(current_setting('part.run_id', true), '')::bigint;
BEGIN
/*
 * The work of part.create_ahead (see there) for every managed range table,
 * or only p_only: partitions for the current interval and p_count more
 * (NULL: each table's premake). Returns the qualified names it created.
 *
 * On a table with a default partition, each creation holds the table's
 * writers (EXCLUSIVE on the parent, part._create_range_partition) until the
 * transaction ends: p_max_held (NULL: no limit; the default, 20, is the one
 * home of create_ahead's limit) is the most partitions made for such a
 * table in this call, so writers wait for at most that many. The
 * intervals nearest to now come first; with p_warn, a WARNING says how many
 * were left for a later call (run_maintenance makes one per transaction).
 *
 * Existing bounds are read in one catalog pass per table, so a call that
 * creates nothing costs almost nothing.
 *
 * An interval that a partition made by hand overlaps without covering it
 * cannot be created: it is skipped, with a WARNING and a row in
 * part.maintenance_log (action 'create', outcome 'skipped') naming the
 * partition in the way; part.verify() says what to do about it.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    FOR v_t IN
        SELECT c.parent_table, c.key_column, c.key_type, c."interval", c.premake, c.time_zone,
               part._managed_rel(c.parent_table) AS rel,
               coalesce(array_agg(part._bound_ordinal(b.bound_from, c.key_type::regtype))
                            FILTER (WHERE NOT b.is_default), '{}') AS froms,
               coalesce(array_agg(part._bound_ordinal(b.bound_to, c.key_type::regtype))
                            FILTER (WHERE NOT b.is_default), '{}') AS tos,
               coalesce(array_agg(format('%s [%s, %s)', b.partition_name, b.bound_from, b.bound_to))
                            FILTER (WHERE NOT b.is_default), '{}') AS names
          FROM part.config c
          LEFT JOIN LATERAL part._partition_bounds(part._managed_rel(c.parent_table)) b ON true
         WHERE c.strategy = 'range'
           AND (v_only IS NULL OR c.parent_table = part._qualified(v_only))
           AND part._managed_rel(c.parent_table) IS NOT NULL
         GROUP BY c.parent_table, c.key_column, c.key_type, c."interval", c.premake, c.time_zone
         ORDER BY c.parent_table
    LOOP
        v_type := v_t.key_type::regtype;
        v_lim := part._key_limits(v_type, v_t."interval");
        IF v_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
            -- the largest key an aligned partition can hold (not a bigint extreme: part._key_limits)
            EXECUTE format('SELECT coalesce(pg_catalog.max(%1$I), 0)::text FROM %2$s WHERE %1$I >= $1::%3$s AND %1$I < $2::%3$s',
                                      v_t.key_column, v_t.rel, v_type)
               INTO v_current USING v_lim.lo, v_lim.hi;
        ELSE
            v_current := part._literal((now() AT TIME ZONE 'UTC')::timestamp, v_type);
        END IF;
        v_from := part._range_floor(v_current, v_type, v_t."interval", v_t.time_zone);
        v_default := EXISTS (SELECT 1 FROM pg_partitioned_table pt
                              WHERE pt.partrelid = v_t.rel AND pt.partdefid <> 0);
        v_held := 0;
        v_left := 0;
        FOR i IN 0 .. coalesce(p_count, v_t.premake) LOOP
            EXIT WHEN part._bound_ordinal(v_from, v_type) >= part._bound_ordinal(v_lim.hi, v_type);   -- the type ends
            v_to := part._range_next(v_from, v_type, v_t."interval", v_t.time_zone);
            v_lo := part._bound_ordinal(v_from, v_type);
            v_hi := part._bound_ordinal(v_to, v_type);
            IF NOT EXISTS (SELECT 1 FROM unnest(v_t.froms, v_t.tos) AS x(f, t)
                            WHERE x.f < v_hi AND x.t > v_lo)
               AND v_default AND v_held >= p_max_held THEN
                v_left := v_left + 1;   -- writers have waited for enough creations in this transaction
            ELSIF NOT EXISTS (SELECT 1 FROM unnest(v_t.froms, v_t.tos) AS x(f, t)
                            WHERE x.f < v_hi AND x.t > v_lo) THEN
                v_made := part._create_range_partition(v_t.rel, v_from, v_to, p_known_free => true);
                IF v_made IS NOT NULL THEN
                    v_held := v_held + 1;
                    RETURN NEXT v_made;
                END IF;
            ELSE
                -- partitions overlap it: fine when they cover it whole (they do not overlap each other)
                SELECT string_agg(x.n, ', ' ORDER BY x.f) INTO v_overlap
                  FROM unnest(v_t.froms, v_t.tos, v_t.names) AS x(f, t, n)
                 WHERE x.f < v_hi AND x.t > v_lo
                HAVING sum(least(x.t, v_hi) - greatest(x.f, v_lo)) < v_hi - v_lo;
                IF v_overlap IS NOT NULL THEN
                    IF v_run IS NULL THEN
                        v_run := nextval('part.maintenance_run_id_seq');
                    END IF;
                    INSERT INTO part.maintenance_log (run_id, parent_table, action, outcome, detail)
                    VALUES (v_run, v_t.parent_table, 'create', 'skipped',
                            format('cannot create the partition for [%s, %s): %s overlaps it without covering it', v_from, v_to, v_overlap));
                    RAISE WARNING 'part: cannot create the partition of % for [%, %): % overlaps it without covering it', v_t.parent_table, v_from, v_to, v_overlap
                        USING HINT = 'See the partitions_ahead check of part.verify() for what to do.';
                END IF;
            END IF;
            v_from := v_to;
        END LOOP;
        IF v_left > 0 AND p_warn THEN
            RAISE WARNING 'part: created % partitions of % in this transaction; % more are due and were left for later', v_held, v_t.parent_table, v_left
                USING DETAIL = format('%s has a default partition: each partition made holds its writers until the transaction ends, so one call makes at most %s.', v_t.parent_table, p_max_held),
                      HINT = format('CALL part.run_maintenance(%L) makes the rest, one per transaction (or call part.create_ahead again).', v_t.parent_table);
        END IF;
    END LOOP;
END
$$;
