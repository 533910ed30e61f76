CREATE FUNCTION {{ schema }}._lock(p_rel regclass, p_mode text, p_attempts integer DEFAULT NULL)
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * LOCK TABLE ONLY p_rel IN p_mode MODE with short timeouts, retries and
     * backoff, then 55P03 naming the blocker: see part._lock_all.
     */
    SELECT {{ schema }}._lock_all(ARRAY[p_rel], ARRAY[p_mode], p_attempts)
$$;
