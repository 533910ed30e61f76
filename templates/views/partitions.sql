-- part.partitions: every partition of every managed table, with its bounds and size.
CREATE VIEW {{ schema }}.partitions AS
SELECT c.parent_table,
       b.partition_name,
       c.strategy,
       CASE WHEN b.modulus IS NOT NULL THEN pg_catalog.format('modulus %s, remainder %s', b.modulus, b.remainder)
            ELSE {{ schema }}._normalize_bound(b.bound_from, c.key_type::regtype) END AS bound_from,
       {{ schema }}._normalize_bound(b.bound_to, c.key_type::regtype) AS bound_to,
       b.is_default,
       greatest(r.reltuples, 0)::bigint AS estimated_rows,
       pg_catalog.pg_total_relation_size(b.partition_oid) AS total_bytes
  FROM {{ schema }}.config c
 CROSS JOIN LATERAL {{ schema }}._partition_bounds(pg_catalog.to_regclass(c.parent_table)) b
  JOIN pg_catalog.pg_class r ON r.oid = b.partition_oid
 ORDER BY c.parent_table, b.is_default, {{ schema }}._bound_ordinal(b.bound_from, c.key_type::regtype), b.remainder;
COMMENT ON VIEW {{ schema }}.partitions IS
    'part: partitions of the managed tables (bounds as literals of the key type; hash: modulus and remainder)';
