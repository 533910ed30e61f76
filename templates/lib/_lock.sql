CREATE FUNCTION part._lock(p_rel regclass, p_mode text, p_wait interval DEFAULT NULL)
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * LOCK TABLE ONLY p_rel IN p_mode MODE without queueing behind a long
     * transaction, within a waiting budget, then 55P03 naming the blocker:
     * see part._lock_all.
     */
    SELECT part._lock_all(ARRAY[p_rel], ARRAY[p_mode], p_wait)
$$;
