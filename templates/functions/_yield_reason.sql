CREATE FUNCTION {{ schema }}._yield_reason(p_rels regclass[])
    RETURNS text
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_lag   text := {{ schema }}.setting('yield_max_replay_lag');
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
 * Reads only pg_stat_replication and pg_locks: no lock on any table.
 */
    IF v_lag <> '' AND NOT pg_catalog.pg_is_in_recovery() THEN
        SELECT coalesce(nullif(r.application_name, ''), 'pid ' || r.pid) AS name,
               pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.replay_lsn) AS behind
          INTO v_r
          FROM pg_catalog.pg_stat_replication r
         WHERE r.state IN ('streaming', 'catchup') AND r.replay_lsn IS NOT NULL
         ORDER BY 2 DESC LIMIT 1;
        IF v_r.behind > pg_catalog.pg_size_bytes(v_lag) THEN
            RETURN pg_catalog.format('replay lag: standby %s has %s of WAL not replayed (yield_max_replay_lag %s)',
                                     v_r.name, pg_catalog.pg_size_pretty(v_r.behind), v_lag);
        END IF;
    END IF;
    IF {{ schema }}.setting('yield_on_lock_queue')::boolean THEN
        SELECT pg_catalog.count(*) AS n, (pg_catalog.array_agg(l.pid ORDER BY l.waitstart NULLS LAST, l.pid))[1] AS pid,
               (pg_catalog.array_agg(l.mode ORDER BY l.waitstart NULLS LAST, l.pid))[1] AS mode,
               (pg_catalog.array_agg(l.relation::regclass::text ORDER BY l.waitstart NULLS LAST, l.pid))[1] AS rel
          INTO v_r
          FROM pg_catalog.pg_locks l
         WHERE NOT l.granted AND l.locktype = 'relation' AND l.pid <> pg_catalog.pg_backend_pid()
           AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
           AND l.relation IN (SELECT t.relid FROM pg_catalog.unnest(p_rels) r(rel), pg_catalog.pg_partition_tree(r.rel) t);
        IF v_r.n > 0 THEN
            RETURN pg_catalog.format('lock queue: %s waiting for a lock on %s (pid %s waits for %s; yield_on_lock_queue)',
                                     CASE WHEN v_r.n = 1 THEN '1 session' ELSE v_r.n || ' sessions' END, v_r.rel, v_r.pid, v_r.mode);
        END IF;
    END IF;
    RETURN NULL;
END
$$;
