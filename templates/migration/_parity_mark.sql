CREATE FUNCTION part._parity_mark(p_table_name text, p_groups text[])
    RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_held text[];
BEGIN
/*
 * Mark the parity groups a write touched (called by the sync triggers and
 * the backfill, in the writing transaction). An existing mark is locked FOR
 * KEY SHARE until this transaction ends, so part.check_parity (which takes
 * only marks no writer holds) cannot consume it before this write is
 * visible; where none can be locked a new one is inserted. Concurrent
 * writers share marks (like foreign-key checks share a parent row) instead
 * of adding a row each. SECURITY DEFINER: the application's roles need no
 * privilege on part's catalog.
 */
    IF p_groups IS NULL OR cardinality(p_groups) = 0 THEN
        RETURN;
    END IF;
    -- Lock the marks there are (every writer pays for this statement, so it builds no insert);
    -- insert the others, in a second statement only when some are missing.
    v_held := ARRAY(SELECT m.grp FROM part.parity_mark m
                     WHERE m.table_name = p_table_name AND m.grp = ANY (p_groups)
                       FOR KEY SHARE SKIP LOCKED);
    IF NOT p_groups <@ v_held THEN
        INSERT INTO part.parity_mark (table_name, grp)
        SELECT DISTINCT p_table_name, g FROM unnest(p_groups) g
         WHERE g IS NOT NULL AND NOT g = ANY (v_held);
    END IF;
END
$$;
