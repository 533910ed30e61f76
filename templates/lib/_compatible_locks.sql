CREATE FUNCTION part._compatible_locks(p_mode text)
    RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* the pg_locks modes that do not conflict with a table lock in p_mode (to name real blockers) */
    SELECT CASE p_mode
        WHEN 'ACCESS SHARE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock',
                                       'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock']
        WHEN 'ROW SHARE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock',
                                    'ShareLock', 'ShareRowExclusiveLock']
        WHEN 'ROW EXCLUSIVE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock']
        WHEN 'SHARE UPDATE EXCLUSIVE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock']
        WHEN 'SHARE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'ShareLock']
        WHEN 'SHARE ROW EXCLUSIVE' THEN ARRAY['AccessShareLock', 'RowShareLock']
        WHEN 'EXCLUSIVE' THEN ARRAY['AccessShareLock']
        ELSE ARRAY[]::text[]
    END
$$;
