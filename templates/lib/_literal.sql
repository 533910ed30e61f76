CREATE FUNCTION part._literal(p_utc timestamp, p_key_type regtype)
    RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* a UTC wall-clock time written as a literal of the key type, independent of TimeZone */
    SELECT CASE p_key_type
        WHEN 'timestamp with time zone'::regtype THEN to_char(p_utc, 'YYYY-MM-DD HH24:MI:SS') || '+00'
        WHEN 'timestamp without time zone'::regtype THEN to_char(p_utc, 'YYYY-MM-DD HH24:MI:SS')
        WHEN 'date'::regtype THEN to_char(p_utc, 'YYYY-MM-DD')
    END
$$;
