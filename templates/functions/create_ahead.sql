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
 */
    PERFORM {{ schema }}._check_trust();
    IF p_count IS NOT NULL AND p_count < 0 THEN
        RAISE EXCEPTION 'count must be zero or more, not %', p_count
            USING ERRCODE = '22023', HINT = 'Pass how many intervals ahead of the current one to create, e.g. 3.';
    END IF;
    IF p_parent IS NOT NULL THEN
        v_only := {{ schema }}._resolve_table(p_parent);
        IF ({{ schema }}._config_row(v_only)).strategy <> 'range' THEN
            RAISE EXCEPTION 'table % is hash-partitioned: it has no partitions to create ahead', p_parent
                USING ERRCODE = '42809', HINT = 'Use part.split_hash to change the number of hash partitions.';
        END IF;
    END IF;

    FOR v_t IN
        SELECT c.parent_table, c.key_column, c.key_type, c."interval", c.premake,
               pg_catalog.to_regclass(c.parent_table) AS rel,
               coalesce(pg_catalog.array_agg({{ schema }}._bound_ordinal(b.bound_from, c.key_type::regtype))
                            FILTER (WHERE NOT b.is_default), '{}') AS froms,
               coalesce(pg_catalog.array_agg({{ schema }}._bound_ordinal(b.bound_to, c.key_type::regtype))
                            FILTER (WHERE NOT b.is_default), '{}') AS tos
          FROM {{ schema }}.config c
          LEFT JOIN LATERAL {{ schema }}._partition_bounds(pg_catalog.to_regclass(c.parent_table)) b ON true
         WHERE c.strategy = 'range'
           AND (v_only IS NULL OR c.parent_table = {{ schema }}._qualified(v_only))
           AND pg_catalog.to_regclass(c.parent_table) IS NOT NULL
         GROUP BY c.parent_table, c.key_column, c.key_type, c."interval", c.premake
         ORDER BY c.parent_table
    LOOP
        v_type := v_t.key_type::regtype;
        IF v_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
            EXECUTE pg_catalog.format('SELECT coalesce(pg_catalog.max(%I), 0)::text FROM %s', v_t.key_column, v_t.rel)
               INTO v_current;
        ELSE
            v_current := {{ schema }}._literal((pg_catalog.now() AT TIME ZONE 'UTC')::timestamp, v_type);
        END IF;
        v_from := {{ schema }}._range_floor(v_current, v_type, v_t."interval");
        FOR i IN 0 .. coalesce(p_count, v_t.premake) LOOP
            v_to := {{ schema }}._range_next(v_from, v_type, v_t."interval");
            v_lo := {{ schema }}._bound_ordinal(v_from, v_type);
            v_hi := {{ schema }}._bound_ordinal(v_to, v_type);
            IF NOT EXISTS (SELECT 1 FROM unnest(v_t.froms, v_t.tos) AS x(f, t)
                            WHERE x.f < v_hi AND x.t > v_lo) THEN
                v_made := {{ schema }}._create_range_partition(v_t.rel, v_from, v_to, p_known_free => true);
                IF v_made IS NOT NULL THEN
                    RETURN NEXT v_made;
                END IF;
            END IF;
            v_from := v_to;
        END LOOP;
    END LOOP;
END
$$;
