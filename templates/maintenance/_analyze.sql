CREATE FUNCTION part._analyze(p_tables text[])
    RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_done integer := 0;
BEGIN
/*
 * ANALYZE each of p_tables (qualified names, as part returns them), so the
 * planner knows partitions maintenance just filled. Run after the commit
 * that released the locks of their creation, so that writers never wait for
 * statistics. Empty tables (no page yet: partitions made ahead of the data)
 * are skipped, as autovacuum analyzes them once rows arrive. A table that
 * cannot be analyzed (dropped since, say) gets a WARNING and the others are
 * still analyzed. Returns how many were.
 */
    FOR i IN 1 .. coalesce(cardinality(p_tables), 0) LOOP
        CONTINUE WHEN coalesce(pg_relation_size(to_regclass(p_tables[i])), 0) = 0;
        BEGIN
            EXECUTE format('ANALYZE %s', to_regclass(p_tables[i]));
            v_done := v_done + 1;
        EXCEPTION WHEN others THEN
            RAISE WARNING 'part: could not analyze %: %', p_tables[i], SQLERRM;
        END;
    END LOOP;
    RETURN v_done;
END
$$;
