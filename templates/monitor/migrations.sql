-- part.migrations: every migration with its backfill progress (rows/s, ETA, pause) and parity.
CREATE VIEW part.migrations AS
SELECT m.table_name,
       m.phase,
       m.strategy,
       m.key_column,
       m.legacy_table,
       m.partitioned_table,
       m.backfill_rows,
       m.backfill_total,
       CASE WHEN m.backfill_finished_at IS NOT NULL THEN 100.0
            WHEN m.backfill_total > 0 THEN pg_catalog.round(least(100.0, 100.0 * m.backfill_rows / m.backfill_total), 1)
       END AS backfill_percent,
       s.rows_per_second AS backfill_rows_per_second,
       -- only while the backfill runs: its last batch is recent (within a minute, or three times
       -- the mean batch time); an interrupted one shows no ETA until it is resumed
       CASE WHEN m.backfill_finished_at IS NULL AND s.rows_per_second > 0 AND m.backfill_total IS NOT NULL
             AND m.backfill_batch_at >= pg_catalog.now() - greatest(interval '1 minute',
                     3 * (m.backfill_batch_at - m.backfill_started_at) / greatest(m.backfill_batches, 1))
            THEN pg_catalog.make_interval(secs => greatest(m.backfill_total - m.backfill_rows, 0) / s.rows_per_second)
       END AS backfill_eta,
       m.backfill_batches,
       m.backfill_last_key,
       m.backfill_started_at,
       m.backfill_finished_at,
       m.parity_clean,
       m.parity_ranges,
       m.parity_differ,
       m.parity_checked_at,
       m.parity_full_at,
       m.started_at,
       m.backfilled_at,
       m.partitioned_at,
       m.rolled_back_at,
       m.finalized_at,
       m.backfill_batch_at,
       y.since AS paused_since,     -- the backfill (or other work on the table) pauses for production
       y.reason AS pause_reason,    -- (part._yield_wait: replay lag, lock queue); NULL while it runs
       -- the attach method: the history partition and its split by maintenance
       m.method,
       m.history_table,
       m.history_from,
       m.history_to,
       m.history_rows,
       m.split_intervals,
       m.split_rows,
       CASE WHEN m.method = 'attach' AND m.phase = 'finalized' THEN 100.0
            WHEN m.method = 'attach' AND m.history_rows > 0
            THEN pg_catalog.round(least(100.0, 100.0 * m.split_rows / m.history_rows), 1) END AS split_percent,
       m.split_started_at,
       m.prepared_at,
       m.split_phase,               -- the online split: copying, checking (per interval), flattening (after the swap)
       m.split_table                -- its copy of the history, one partition per interval
  FROM part.migration m
 CROSS JOIN LATERAL (
       SELECT pg_catalog.round(m.backfill_rows / nullif(extract(epoch FROM
                  coalesce(m.backfill_finished_at, pg_catalog.now()) - m.backfill_started_at), 0))::bigint AS rows_per_second) s
  LEFT JOIN LATERAL (
       -- a pause of a session that still runs (a killed one leaves its row behind)
       SELECT p.since, p.work || ' paused: ' || p.reason AS reason
         FROM part.pause p
        WHERE p.table_name = m.table_name
          AND EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                       WHERE a.pid = p.pid AND (a.backend_start = p.backend_start OR a.backend_start IS NULL OR p.backend_start IS NULL))
        ORDER BY p.since LIMIT 1) y ON true
 ORDER BY m.table_name;
COMMENT ON VIEW part.migrations IS
    'part: migrations with backfill progress (percent, rows/s, ETA) and parity state';
