CREATE FUNCTION part._iso(p_at timestamptz)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* a time as the origin's JSON wrote it: ISO 8601 in UTC with milliseconds, e.g. 2025-11-08T13:00:00.000Z */
    SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
