CREATE FUNCTION part._verify_parity_stale()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * part.verify()'s check parity_stale, one row per migration not
     * finalized: the last parity check is clean and younger than the setting
     * parity_max_age (never checked, or too old: warn in dual_write, fail
     * after the backfill).
     */
    SELECT 'parity_stale', m.table_name,
           CASE WHEN m.parity_clean IS FALSE THEN 'fail'
                WHEN m.parity_checked_at IS NULL
                    THEN CASE WHEN m.phase = 'dual_write' THEN 'warn' ELSE 'fail' END
                WHEN m.parity_checked_at < now() - s.age
                    THEN CASE WHEN m.phase = 'dual_write' THEN 'warn' ELSE 'fail' END
                ELSE 'ok' END,
           CASE WHEN m.parity_clean IS FALSE
                    THEN format('the parity check of %s found differences: see part.parity_diff(%L)',
                                           m.parity_checked_at, m.table_name)
                WHEN m.parity_checked_at IS NULL
                    THEN format('parity never checked: SELECT * FROM part.check_parity(%L)', m.table_name)
                WHEN m.parity_checked_at < now() - s.age
                    THEN format('last checked %s, more than %s ago (parity_max_age): SELECT * FROM part.check_parity(%L)',
                                           m.parity_checked_at, s.age, m.table_name)
                ELSE format('clean, checked %s', m.parity_checked_at) END
      FROM part.migration m
     CROSS JOIN (SELECT part.setting('parity_max_age')::interval AS age) s
     WHERE m.phase <> 'finalized' AND m.method IS DISTINCT FROM 'attach'   -- attach: part._verify_attach_prepare / _history
     ORDER BY m.table_name
$$;
