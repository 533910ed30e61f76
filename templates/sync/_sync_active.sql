CREATE FUNCTION part._sync_active()
    RETURNS boolean
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The WHEN condition of every generated sync trigger (always true). It
     * makes the triggers depend on part: DROP EXTENSION part (or DROP SCHEMA
     * part) refuses while a migration syncs, and with CASCADE it drops the
     * triggers too, instead of leaving triggers that call functions which no
     * longer exist and so fail every write to the application's table.
     */
    SELECT true
$$;
