CREATE FUNCTION part._migration_lock(p_table_name text, p_what text)
    RETURNS integer[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The two int4 keys {class, key} of an advisory lock of a migration (for
     * pg_advisory_xact_lock(k[1], k[2]) and the like; the generated sync
     * function gets them as two literals, see part._sync_function_sql): 'gate' is held exclusively by a backfill batch while it
     * copies and shared by a sync trigger that removes rows the backfill may
     * still copy; 'check' serialises parity checks; 'phase' serialises the
     * calls that change the phase (part._phase_lock).
     */
    SELECT ARRAY[CASE p_what WHEN 'gate' THEN 1885434486 WHEN 'check' THEN 1885434487 WHEN 'phase' THEN 1885434488 END,
                 hashtext(p_table_name)]
$$;
