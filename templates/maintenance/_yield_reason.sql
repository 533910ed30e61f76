CREATE FUNCTION part._yield_reason(p_rels regclass[])
    RETURNS text
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_lag   text;
    v_queue boolean;
    v_r     record;
BEGIN
/*
 * Why work on the tables p_rels (and their partitions) should pause now for
 * production, or NULL to go on. Read between batches by part._yield_wait:
 *   replay lag   (setting yield_max_replay_lag, a size; '' = off): a standby
 *                streaming from this server (pg_stat_replication) has not
 *                replayed that many bytes of the WAL written here. Bytes, not
 *                replay_lag: replay_lag is measured only when replay passes
 *                a sampled position, so it stays at its last value while a
 *                standby's replay is stuck (and goes NULL when idle); the
 *                distance in WAL grows with every batch the standby has not
 *                replayed, which is what the work adds.
 *   lock queue   (setting yield_on_lock_queue): another session waits for a
 *                lock on one of the tables (a DDL, a LOCK TABLE, writers queued
 *                behind them): the next batch would queue behind it and make
 *                everyone behind wait longer.
 * Reads only pg_stat_replication, pg_locks and pg_inherits: it takes no lock
 * on any table (so it never queues itself).
 */
    -- both settings in one read (as part.setting gives them: the stored value, else the default)
    SELECT max(coalesce(s.value, k.default_value)) FILTER (WHERE k.key = 'yield_max_replay_lag'),
           bool_or(coalesce(s.value, k.default_value)::boolean) FILTER (WHERE k.key = 'yield_on_lock_queue')
      INTO v_lag, v_queue
      FROM part._setting_keys() k LEFT JOIN part.settings s ON s.key = k.key
     WHERE k.key IN ('yield_max_replay_lag', 'yield_on_lock_queue');
    IF v_lag <> '' AND NOT pg_is_in_recovery() THEN
        SELECT coalesce(nullif(r.application_name, ''), 'pid ' || r.pid) AS name,
               pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn) AS behind
          INTO v_r
          FROM pg_stat_replication r
         WHERE r.state IN ('streaming', 'catchup') AND r.replay_lsn IS NOT NULL
         ORDER BY 2 DESC LIMIT 1;
        IF v_r.behind > pg_size_bytes(v_lag) THEN
            RETURN format('replay lag: standby %s has %s of WAL not replayed (yield_max_replay_lag %s)',
                                     v_r.name, pg_size_pretty(v_r.behind), v_lag);
        END IF;
    END IF;
    IF v_queue THEN
        -- waiting sessions first (usually none), then whether each waits on one of p_rels or a partition
        -- of one: up pg_inherits, which takes no lock (pg_partition_tree would lock every partition)
        WITH RECURSIVE w AS (
            SELECT l.pid, l.mode, l.relation, l.waitstart
              FROM pg_locks l
             WHERE NOT l.granted AND l.locktype = 'relation' AND l.pid <> pg_backend_pid()
               AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
        ), up(rel, waited) AS (
            SELECT DISTINCT w.relation, w.relation FROM w
            UNION
            SELECT i.inhparent, up.waited FROM up JOIN pg_inherits i ON i.inhrelid = up.rel
        )
        SELECT count(*) AS n, (array_agg(w.pid ORDER BY w.waitstart NULLS LAST, w.pid))[1] AS pid,
               (array_agg(w.mode ORDER BY w.waitstart NULLS LAST, w.pid))[1] AS mode,
               (array_agg(w.relation::regclass::text ORDER BY w.waitstart NULLS LAST, w.pid))[1] AS rel
          INTO v_r
          FROM w
         WHERE EXISTS (SELECT 1 FROM up WHERE up.waited = w.relation AND up.rel = ANY(p_rels::oid[]));
        IF v_r.n > 0 THEN
            RETURN format('lock queue: %s waiting for a lock on %s (pid %s waits for %s; yield_on_lock_queue)',
                                     CASE WHEN v_r.n = 1 THEN '1 session' ELSE v_r.n || ' sessions' END, v_r.rel, v_r.pid, v_r.mode);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
