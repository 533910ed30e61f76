CREATE FUNCTION {{ schema }}._table_metrics(p_parent_table text, p_exact boolean)
    RETURNS jsonb
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg      {{ schema }}.config;
    v_rel      regclass;
    v_type     regtype;
    v_default  regclass;
    v_drows    bigint;
    v_now      numeric;
    v_next     text;
    v_until    text;
    v_last     jsonb;
BEGIN
/*
 * The metrics entry of one managed table (see part.metrics): name, schema,
 * strategy, partitionCount (without the default), partitionedCount,
 * defaultPartitionRows, nextBoundary, coveredUntil, lastMaintenance.
 */
    SELECT * INTO v_cfg FROM {{ schema }}.config c WHERE c.parent_table = p_parent_table;
    v_rel := pg_catalog.to_regclass(p_parent_table);
    SELECT pg_catalog.to_jsonb(x) INTO v_last
      FROM (SELECT {{ schema }}._iso(l.logged_at) AS at, l.action, l.partition_name AS partition, l.outcome, l.detail
              FROM {{ schema }}.maintenance_log l
             WHERE l.parent_table = p_parent_table AND l.action <> 'run'
             ORDER BY l.logged_at DESC, l.id DESC LIMIT 1) x;
    IF v_rel IS NULL THEN
        RETURN pg_catalog.jsonb_build_object(
            'name', (pg_catalog.parse_ident(p_parent_table))[2], 'schema', (pg_catalog.parse_ident(p_parent_table))[1],
            'strategy', v_cfg.strategy, 'missing', true, 'lastMaintenance', v_last);
    END IF;
    v_type := v_cfg.key_type::regtype;

    SELECT b.partition_oid::regclass INTO v_default FROM {{ schema }}._partition_bounds(v_rel) b WHERE b.is_default;
    IF v_default IS NOT NULL THEN
        IF pg_catalog.pg_relation_size(v_default) = 0 THEN
            v_drows := 0;
        ELSIF p_exact OR (SELECT c.reltuples < 0 FROM pg_catalog.pg_class c WHERE c.oid = v_default) THEN
            EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', v_default) INTO v_drows;
        ELSE
            SELECT greatest(c.reltuples, 0)::bigint INTO v_drows FROM pg_catalog.pg_class c WHERE c.oid = v_default;
        END IF;
    END IF;

    IF v_cfg.strategy = 'range' THEN
        IF v_cfg.key_type IN ('smallint', 'integer', 'bigint') THEN
            EXECUTE pg_catalog.format('SELECT coalesce(pg_catalog.max(%I), 0)::numeric FROM %s', v_cfg.key_column, v_rel) INTO v_now;
        ELSE
            v_now := extract(epoch FROM pg_catalog.now());
        END IF;
        SELECT {{ schema }}._normalize_bound(b.bound_to, v_type) INTO v_next
          FROM {{ schema }}._partition_bounds(v_rel) b
         WHERE NOT b.is_default AND {{ schema }}._bound_ordinal(b.bound_to, v_type) > v_now
         ORDER BY {{ schema }}._bound_ordinal(b.bound_to, v_type) LIMIT 1;
        SELECT {{ schema }}._normalize_bound(b.bound_to, v_type) INTO v_until
          FROM {{ schema }}._partition_bounds(v_rel) b
         WHERE NOT b.is_default
         ORDER BY {{ schema }}._bound_ordinal(b.bound_to, v_type) DESC LIMIT 1;
    END IF;

    RETURN pg_catalog.jsonb_build_object(
        'name', (pg_catalog.parse_ident(p_parent_table))[2],
        'schema', (pg_catalog.parse_ident(p_parent_table))[1],
        'strategy', v_cfg.strategy,
        'partitionCount', (SELECT pg_catalog.count(*) FROM {{ schema }}._partition_bounds(v_rel) b WHERE NOT b.is_default),
        'partitionedCount', {{ schema }}._row_count(v_rel, p_exact),
        'defaultPartitionRows', v_drows,
        'nextBoundary', v_next,
        'coveredUntil', v_until,
        'lastMaintenance', v_last);
END
$$;
