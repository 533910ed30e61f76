-- part.partitions: every partition of every managed table, with its bounds and size.
CREATE VIEW part.partitions AS
SELECT c.parent_table,
       b.partition_name,
       c.strategy,
       v.bound_from,
       v.bound_to,
       b.is_default,
       -- NULL: not known yet (never analyzed; autovacuum or ANALYZE fills it in), not 0;
       -- an empty heap file holds no row at all
       CASE WHEN r.reltuples >= 0 THEN r.reltuples::bigint
            WHEN pg_catalog.pg_relation_size(b.partition_oid) = 0 THEN 0 END AS estimated_rows,
       pg_catalog.pg_total_relation_size(b.partition_oid) AS total_bytes,
       -- the bounds typed, to compare and sort (WHERE to_time <= now()): time keys (in UTC for
       -- timestamp and date keys), integer keys, hash modulus and remainder
       CASE WHEN t.is_time AND v.bound_from !~* '^(min|max)value$'
            THEN part._to_utc(v.bound_from, c.key_type::regtype) AT TIME ZONE 'UTC' END AS from_time,
       CASE WHEN t.is_time AND v.bound_to !~* '^(min|max)value$'
            THEN part._to_utc(v.bound_to, c.key_type::regtype) AT TIME ZONE 'UTC' END AS to_time,
       CASE WHEN t.is_int AND v.bound_from ~ '^-?\d+$' THEN v.bound_from::bigint END AS from_int,
       CASE WHEN t.is_int AND v.bound_to ~ '^-?\d+$' THEN v.bound_to::bigint END AS to_int,
       b.modulus,
       b.remainder,
       -- the table's zone (timestamptz keys; 'UTC' else) and the bounds on its clocks: a Paris
       -- day partition runs from local_from 2025-03-30 00:00 to local_to 2025-03-31 00:00
       c.time_zone,
       CASE WHEN c.key_type::regtype = 'timestamp with time zone'::regtype AND v.bound_from !~* '^(min|max)value$'
            THEN v.bound_from::timestamptz AT TIME ZONE c.time_zone END AS local_from,
       CASE WHEN c.key_type::regtype = 'timestamp with time zone'::regtype AND v.bound_to !~* '^(min|max)value$'
            THEN v.bound_to::timestamptz AT TIME ZONE c.time_zone END AS local_to
  FROM part.config c
 CROSS JOIN LATERAL part._partition_bounds(part._managed_rel(c.parent_table)) b
  JOIN pg_catalog.pg_class r ON r.oid = b.partition_oid
 CROSS JOIN LATERAL (SELECT part._normalize_bound(b.bound_from, c.key_type::regtype) AS bound_from,
                            part._normalize_bound(b.bound_to, c.key_type::regtype) AS bound_to) v
 CROSS JOIN LATERAL (SELECT c.key_type::regtype IN ('timestamp with time zone'::regtype,
                                'timestamp without time zone'::regtype, 'date'::regtype) AS is_time,
                            c.key_type::regtype IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) AS is_int) t
 ORDER BY c.parent_table, b.is_default, part._bound_ordinal(b.bound_from, c.key_type::regtype), b.remainder;
COMMENT ON VIEW part.partitions IS
    'part: partitions of the managed tables: bounds as text literals of the key type (range), and typed: from_time/to_time (time keys, timestamptz), from_int/to_int (integer keys), modulus/remainder (hash); time_zone and local_from/local_to (timestamptz keys: the bounds on the clocks of the table zone); estimated_rows NULL when not known yet';
