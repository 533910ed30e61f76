-- part.parity: one row per migration: the last parity check, summed over its ranges.
CREATE VIEW part.parity AS
SELECT m.table_name,
       m.phase,
       coalesce(r.legacy_rows, 0) AS legacy_rows,
       coalesce(r.partitioned_rows, 0) AS partitioned_rows,
       coalesce(r.ranges, 0) AS ranges,
       coalesce(r.ranges_differ, 0) AS ranges_differ,
       coalesce(k.groups_marked, 0) AS groups_marked,
       m.parity_clean AS clean,
       m.parity_checked_at AS checked_at,
       m.parity_full_at AS full_check_at
  FROM part.migration m
  LEFT JOIN LATERAL (
       SELECT pg_catalog.sum(pr.legacy_rows)::bigint AS legacy_rows, pg_catalog.sum(pr.partitioned_rows)::bigint AS partitioned_rows,
              pg_catalog.count(*)::integer AS ranges, (pg_catalog.count(*) FILTER (WHERE pr.status <> 'ok'))::integer AS ranges_differ
         FROM part.parity_range pr WHERE pr.table_name = m.table_name) r ON true
  LEFT JOIN LATERAL (
       SELECT pg_catalog.count(DISTINCT pm.grp)::integer AS groups_marked
         FROM part.parity_mark pm WHERE pm.table_name = m.table_name) k ON true
 WHERE m.phase <> 'finalized'
 ORDER BY m.table_name;
COMMENT ON VIEW part.parity IS
    'part: parity of each migration as of its last check (groups_marked: written since, not yet re-checked)';
