CREATE FUNCTION part._notice(p_message text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * A NOTICE about a routing or maintenance decision, when the flag
 * log_partition_routing is on.
 */
    IF coalesce((SELECT s.value FROM part.settings s WHERE s.key = 'log_partition_routing'), 'false')::boolean THEN
        RAISE NOTICE 'part: %', p_message;
    END IF;
END
$$;
