CREATE FUNCTION {{ schema }}._maintenance_plan(p_parent regclass DEFAULT NULL)
    RETURNS TABLE(parent_table text, rel regclass, strategy text, key_type text,
                  needs_ahead boolean, missing text[], default_partition regclass,
                  default_nonempty boolean, retention text, retire_due boolean,
                  migration_phase text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * What maintenance has to do, for every managed table (or p_parent), read
     * in ONE pass over the catalog, so that a run with nothing to do costs
     * one query whatever the number of tables:
     *   needs_ahead: a partition is missing for now or one of the premake
     *     intervals ahead (time keys); NULL for integer keys, whose "now" is
     *     the largest key, which only a query on the table itself can tell;
     *   missing: the starts of the missing intervals;
     *   default_nonempty: the default partition has pages (it may hold rows);
     *   retire_due: a partition lies wholly before now - retention (time keys;
     *     NULL for integer keys);
     *   migration_phase: the phase of a migration this table takes part in.
     * rel is NULL when the table no longer exists.
     */
    WITH cfg AS (
        SELECT c.parent_table, c.strategy, c.key_type, c."interval", c.premake, c.retention,
               pg_catalog.to_regclass(c.parent_table) AS rel,
               c.key_type IN ('smallint', 'integer', 'bigint') AS int_key,
               (pg_catalog.now() AT TIME ZONE 'UTC') AS now_utc
          FROM {{ schema }}.config c
         WHERE p_parent IS NULL OR c.parent_table = {{ schema }}._qualified(p_parent)
    ), parts AS (
        SELECT i.inhparent AS rel, k.oid,
               pg_catalog.pg_get_expr(k.relpartbound, k.oid) = 'DEFAULT' AS is_default,
               pg_catalog.regexp_match(pg_catalog.pg_get_expr(k.relpartbound, k.oid),
                                       '^FOR VALUES FROM \((.*)\) TO \((.*)\)$') AS m
          FROM pg_catalog.pg_inherits i
          JOIN pg_catalog.pg_class k ON k.oid = i.inhrelid
         WHERE i.inhparent IN (SELECT cfg.rel FROM cfg WHERE cfg.rel IS NOT NULL)
    ), bounds AS (
        SELECT p.rel, p.oid, p.is_default, v.side, v.lit
          FROM parts p
         CROSS JOIN LATERAL (VALUES ('from', pg_catalog.replace(pg_catalog.regexp_replace(p.m[1], '^''(.*)''$', '\1'), '''''', '''')),
                                    ('to', pg_catalog.replace(pg_catalog.regexp_replace(p.m[2], '^''(.*)''$', '\1'), '''''', '''')))
                    AS v(side, lit)
    ), ords AS (
        SELECT b.rel, b.oid, b.is_default,
               pg_catalog.max(CASE WHEN b.side = 'from' THEN o.ord END) AS lo,
               pg_catalog.max(CASE WHEN b.side = 'to' THEN o.ord END) AS hi
          FROM bounds b
          JOIN cfg c ON c.rel = b.rel
         CROSS JOIN LATERAL (SELECT CASE
                    WHEN b.lit IS NULL THEN NULL
                    WHEN pg_catalog.upper(b.lit) IN ('MINVALUE', '-INFINITY') THEN -1e30
                    WHEN pg_catalog.upper(b.lit) IN ('MAXVALUE', 'INFINITY') THEN 1e30
                    WHEN c.int_key THEN b.lit::numeric
                    WHEN c.key_type = 'timestamp with time zone' THEN extract(epoch FROM b.lit::timestamptz)
                    WHEN c.key_type = 'timestamp without time zone' THEN extract(epoch FROM b.lit::timestamp)
                    ELSE extract(epoch FROM b.lit::date) END AS ord) o
         GROUP BY b.rel, b.oid, b.is_default
    ), points AS (
        SELECT c.rel, c.key_type, c."interval", c.now_utc + k * c."interval"::interval AS at
          FROM cfg c
         CROSS JOIN LATERAL pg_catalog.generate_series(0, c.premake) k
         WHERE c.strategy = 'range' AND NOT c.int_key AND c.rel IS NOT NULL
    ), ahead AS (
        SELECT pt.rel,
               pg_catalog.array_agg({{ schema }}._range_floor({{ schema }}._literal(pt.at, pt.key_type::regtype),
                                                              pt.key_type::regtype, pt."interval") ORDER BY pt.at)
                   FILTER (WHERE NOT pt.covered) AS missing
          FROM (SELECT p.*, EXISTS (SELECT 1 FROM ords o
                                     WHERE o.rel = p.rel AND NOT o.is_default
                                       AND o.lo <= extract(epoch FROM p.at) AND extract(epoch FROM p.at) < o.hi) AS covered
                  FROM points p) pt
         GROUP BY pt.rel
    )
    SELECT c.parent_table, c.rel, c.strategy, c.key_type,
           CASE WHEN c.rel IS NULL OR c.strategy <> 'range' THEN false
                WHEN c.int_key THEN NULL
                ELSE a.missing IS NOT NULL END,
           a.missing,
           d.oid::regclass,
           coalesce(pg_catalog.pg_relation_size(d.oid) > 0, false),
           c.retention,
           CASE WHEN c.rel IS NULL OR c.retention IS NULL OR c.strategy <> 'range' THEN false
                WHEN c.int_key THEN NULL
                ELSE EXISTS (SELECT 1 FROM ords o
                              WHERE o.rel = c.rel AND NOT o.is_default
                                AND o.hi <= extract(epoch FROM c.now_utc - c.retention::interval)) END,
           (SELECT m.phase FROM {{ schema }}.migration m
             WHERE c.parent_table IN (m.table_name, m.partitioned_table, m.legacy_table)
             ORDER BY m.phase = 'finalized' LIMIT 1)
      FROM cfg c
      LEFT JOIN ahead a ON a.rel = c.rel
      LEFT JOIN ords d ON d.rel = c.rel AND d.is_default
     ORDER BY c.parent_table
$$;
