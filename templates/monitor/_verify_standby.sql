CREATE FUNCTION part._verify_standby()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* part.verify()'s check standby, one row: this server is not a standby (warn on one: maintenance runs on the primary) */
    SELECT 'standby', NULL::text,
           CASE WHEN pg_is_in_recovery() THEN 'warn' ELSE 'ok' END,
           CASE WHEN pg_is_in_recovery()
                THEN 'this server is a standby: maintenance does nothing here (it runs on the primary); these checks read replicated state'
                ELSE 'primary: maintenance runs here' END
$$;
