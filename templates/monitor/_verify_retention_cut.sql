CREATE FUNCTION part._verify_retention_cut(p_rel regclass, p_key text, p_type regtype, p_interval text, p_retention text,
                                                   p_time_zone text DEFAULT 'UTC')
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cut text;
BEGIN
/*
 * For part.verify()'s checks of a default partition: the start of the
 * interval holding now - retention (integer keys: the largest key, see
 * part._verify_largest_key, minus the retention), as a literal of the key
 * type; rows below it are older than the retention (rows in the interval
 * holding the cutoff are drained too: that partition is not retired yet).
 * NULL when the table keeps everything.
 */
    IF p_retention IS NULL THEN
        RETURN NULL;
    END IF;
    IF p_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        v_cut := (part._verify_largest_key(p_rel, p_key, p_type, p_interval)::numeric
                  - btrim(p_retention)::numeric)::bigint::text;
    ELSE
        v_cut := part._literal(part._zone_minus(p_retention, p_time_zone), p_type);
    END IF;
    RETURN part._range_floor(v_cut, p_type, p_interval, p_time_zone);
END
$$;
