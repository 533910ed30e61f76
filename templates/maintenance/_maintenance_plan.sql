CREATE FUNCTION part._maintenance_plan(p_parent regclass DEFAULT NULL)
    RETURNS TABLE(parent_table text, rel regclass, strategy text, key_type text,
                  needs_ahead boolean, missing text[], default_partition regclass,
                  default_nonempty boolean, retention text, retire_due boolean,
                  migration_phase text, partition_count bigint, covered_until text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * What maintenance has to do, for every managed table (or p_parent), read
     * in ONE pass over the catalog (hash joins, no query per table), so that a
     * run with nothing to do costs one query whatever the number of tables
     * (bounds: part._bounds_all):
     *   needs_ahead: a partition is missing for now or one of the premake
     *     intervals ahead (time keys); NULL for integer keys, whose "now" is
     *     the largest key, which only a query on the table itself can tell;
     *   missing: the starts of the missing intervals;
     *   default_nonempty: the default partition has pages (it may hold rows);
     *   retire_due: a partition lies wholly before now - retention (time keys;
     *     NULL for integer keys);
     *   migration_phase: the phase of a migration this table takes part in;
     *   partition_count (without the default), covered_until (the highest bound).
     * rel is NULL when the table no longer exists.
     */
    WITH cfg AS MATERIALIZED (
        SELECT c.parent_table, c.strategy, c.key_type, c."interval", c.premake, c.retention, c.time_zone,
               part._managed_rel(c.parent_table) AS rel,
               c.key_type IN ('smallint', 'integer', 'bigint') AS int_key,
               (now() AT TIME ZONE 'UTC') AS now_utc
          FROM part.config c
         WHERE p_parent IS NULL OR c.parent_table = part._qualified(p_parent)
    ), ords AS MATERIALIZED (
        SELECT b.rel, b.partition_oid AS oid, b.is_default, b.lo, b.hi
          FROM part._bounds_all(p_parent) b
    ), points AS (
        -- now and the premake intervals ahead: one point in each (counted on the table zone's
        -- calendar: a UTC day from 23:30 in Paris can land two local days later across a change of clocks)
        SELECT c.rel, c.key_type, c."interval", c.time_zone, a.at, date_part('epoch', a.at) AS ep
          FROM cfg c
         CROSS JOIN LATERAL generate_series(0, c.premake) k
         CROSS JOIN LATERAL (SELECT CASE WHEN c.time_zone = 'UTC' THEN c.now_utc + k * c."interval"::interval
                                         ELSE ((now() AT TIME ZONE c.time_zone) + k * c."interval"::interval)
                                              AT TIME ZONE c.time_zone AT TIME ZONE 'UTC' END AS at) a
         WHERE c.strategy = 'range' AND NOT c.int_key AND c.rel IS NOT NULL
    ), uncovered AS (
        SELECT x.rel,
               array_agg(part._range_floor(part._literal(x.at, x.key_type::regtype),
                                                              x.key_type::regtype, x."interval", x.time_zone) ORDER BY x.at) AS missing
          FROM (SELECT pt.rel, pt.at, pt.key_type, pt."interval", pt.time_zone, count(o.oid) AS n
                  FROM points pt
                  LEFT JOIN ords o ON o.rel = pt.rel AND NOT o.is_default AND o.lo <= pt.ep AND pt.ep < o.hi
                 GROUP BY pt.rel, pt.at, pt.key_type, pt."interval", pt.time_zone) x
         WHERE x.n = 0
         GROUP BY x.rel
    ), per_table AS (
        SELECT o.rel,
               max(o.oid::bigint) FILTER (WHERE o.is_default)::oid AS default_oid,
               min(o.hi) FILTER (WHERE NOT o.is_default) AS min_hi,
               max(o.hi) FILTER (WHERE NOT o.is_default) AS max_hi,
               count(*) FILTER (WHERE NOT o.is_default) AS n
          FROM ords o GROUP BY o.rel
    ), phases AS (
        SELECT DISTINCT ON (t.name) t.name, m.phase
          FROM part.migration m
         CROSS JOIN LATERAL (VALUES (m.table_name), (m.partitioned_table), (m.legacy_table)) t(name)
         ORDER BY t.name, m.phase = 'finalized'
    )
    SELECT c.parent_table, c.rel, c.strategy, c.key_type,
           CASE WHEN c.rel IS NULL OR c.strategy <> 'range' THEN false
                WHEN c.int_key THEN NULL
                ELSE u.missing IS NOT NULL END,
           u.missing,
           t.default_oid::regclass,
           coalesce(pg_relation_size(t.default_oid) > 0, false),
           c.retention,
           CASE WHEN c.rel IS NULL OR c.retention IS NULL OR c.strategy <> 'range' THEN false
                WHEN c.int_key THEN NULL
                ELSE coalesce(t.min_hi <= date_part('epoch', part._zone_minus(c.retention, c.time_zone)), false) END,
           ph.phase,
           coalesce(t.n, 0),
           part._ordinal_literal(t.max_hi, c.key_type::regtype)
      FROM cfg c
      LEFT JOIN uncovered u ON u.rel = c.rel
      LEFT JOIN per_table t ON t.rel = c.rel
      LEFT JOIN phases ph ON ph.name = c.parent_table
     ORDER BY c.parent_table
$$;
