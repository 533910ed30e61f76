CREATE FUNCTION {{ schema }}.create_ahead(p_count integer DEFAULT NULL, p_parent text DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_only    regclass;
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
    v_run     bigint := nullif(pg_catalog.current_setting('part.run_id', true), '')::bigint;
BEGIN
/*
 * For every managed range table (or only p_parent): make sure partitions
 * exist for the current interval and p_count more (default: the table's
 * premake), whether or not data arrived. Idempotent: returns the qualified
 * names it created, none on a second call. "Current" is now() in UTC for
 * time keys, and the interval holding the largest key (0 when empty) for
 * integer keys. Rows waiting in the default partition for a partition being
 * created move into it (see part._create_range_partition).
 *
 * Existing bounds are read in one catalog pass per table, so a call that
 * creates nothing costs almost nothing.
 *
 * An interval that a partition made by hand overlaps without covering it
 * cannot be created: it is skipped, with a WARNING and a row in
 * part.maintenance_log (action 'create', outcome 'skipped') naming the
 * partition in the way; part.verify() says what to do about it.
 */
    PERFORM {{ schema }}._check_trust();
    IF p_count IS NOT NULL THEN
        PERFORM {{ schema }}._check_count('premake', p_count);   -- the bounds of premake
    END IF;
    IF p_parent IS NOT NULL THEN
        v_only := {{ schema }}._resolve_table(p_parent);
        IF ({{ schema }}._config_row(v_only)).strategy <> 'range' THEN
            RAISE EXCEPTION 'table % is hash-partitioned: it has no partitions to create ahead', p_parent
                USING ERRCODE = '42809', HINT = 'Use part.split_hash to change the number of hash partitions.';
        END IF;
    END IF;

    FOR v_t IN
        SELECT c.parent_table, c.key_column, c.key_type, c."interval", c.premake, c.time_zone,
               {{ schema }}._managed_rel(c.parent_table) AS rel,
               coalesce(pg_catalog.array_agg({{ schema }}._bound_ordinal(b.bound_from, c.key_type::regtype))
                            FILTER (WHERE NOT b.is_default), '{}') AS froms,
               coalesce(pg_catalog.array_agg({{ schema }}._bound_ordinal(b.bound_to, c.key_type::regtype))
                            FILTER (WHERE NOT b.is_default), '{}') AS tos,
               coalesce(pg_catalog.array_agg(pg_catalog.format('%s [%s, %s)', b.partition_name, b.bound_from, b.bound_to))
                            FILTER (WHERE NOT b.is_default), '{}') AS names
          FROM {{ schema }}.config c
          LEFT JOIN LATERAL {{ schema }}._partition_bounds({{ schema }}._managed_rel(c.parent_table)) b ON true
         WHERE c.strategy = 'range'
           AND (v_only IS NULL OR c.parent_table = {{ schema }}._qualified(v_only))
           AND {{ schema }}._managed_rel(c.parent_table) IS NOT NULL
         GROUP BY c.parent_table, c.key_column, c.key_type, c."interval", c.premake, c.time_zone
         ORDER BY c.parent_table
    LOOP
        v_type := v_t.key_type::regtype;
        v_lim := {{ schema }}._key_limits(v_type, v_t."interval");
        IF v_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
            -- the largest key an aligned partition can hold (not a bigint extreme: part._key_limits)
            EXECUTE pg_catalog.format('SELECT coalesce(pg_catalog.max(%1$I), 0)::text FROM %2$s WHERE %1$I >= $1::%3$s AND %1$I < $2::%3$s',
                                      v_t.key_column, v_t.rel, v_type)
               INTO v_current USING v_lim.lo, v_lim.hi;
        ELSE
            v_current := {{ schema }}._literal((pg_catalog.now() AT TIME ZONE 'UTC')::timestamp, v_type);
        END IF;
        v_from := {{ schema }}._range_floor(v_current, v_type, v_t."interval", v_t.time_zone);
        FOR i IN 0 .. coalesce(p_count, v_t.premake) LOOP
            EXIT WHEN {{ schema }}._bound_ordinal(v_from, v_type) >= {{ schema }}._bound_ordinal(v_lim.hi, v_type);   -- the type ends
            v_to := {{ schema }}._range_next(v_from, v_type, v_t."interval", v_t.time_zone);
            v_lo := {{ schema }}._bound_ordinal(v_from, v_type);
            v_hi := {{ schema }}._bound_ordinal(v_to, v_type);
            IF NOT EXISTS (SELECT 1 FROM unnest(v_t.froms, v_t.tos) AS x(f, t)
                            WHERE x.f < v_hi AND x.t > v_lo) THEN
                v_made := {{ schema }}._create_range_partition(v_t.rel, v_from, v_to, p_known_free => true);
                IF v_made IS NOT NULL THEN
                    RETURN NEXT v_made;
                END IF;
            ELSE
                -- partitions overlap it: fine when they cover it whole (they do not overlap each other)
                SELECT pg_catalog.string_agg(x.n, ', ' ORDER BY x.f) INTO v_overlap
                  FROM unnest(v_t.froms, v_t.tos, v_t.names) AS x(f, t, n)
                 WHERE x.f < v_hi AND x.t > v_lo
                HAVING pg_catalog.sum(least(x.t, v_hi) - greatest(x.f, v_lo)) < v_hi - v_lo;
                IF v_overlap IS NOT NULL THEN
                    IF v_run IS NULL THEN
                        v_run := pg_catalog.nextval('{{ schema }}.maintenance_run_id_seq');
                    END IF;
                    INSERT INTO {{ schema }}.maintenance_log (run_id, parent_table, action, outcome, detail)
                    VALUES (v_run, v_t.parent_table, 'create', 'skipped',
                            pg_catalog.format('cannot create the partition for [%s, %s): %s overlaps it without covering it', v_from, v_to, v_overlap));
                    RAISE WARNING 'part: cannot create the partition of % for [%, %): % overlaps it without covering it', v_t.parent_table, v_from, v_to, v_overlap
                        USING HINT = 'See the partitions_ahead check of part.verify() for what to do.';
                END IF;
            END IF;
            v_from := v_to;
        END LOOP;
    END LOOP;
END
$$;
