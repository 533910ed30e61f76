CREATE FUNCTION part._key_limits(p_key_type regtype, p_interval text, OUT lo text, OUT hi text)
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec record := part._interval_spec(p_interval, p_key_type);
    v_min  numeric;
    v_max  numeric;
BEGIN
/*
 * The keys part can give an aligned partition of its own: lo <= key < hi
 * (literals of the key type). Outside: integer keys whose interval would
 * have a bound beyond the type (the bigint extremes, say), and time keys
 * that are infinite or beyond the aligned intervals holding the years 1000
 * and 9999 (whose partition names and bounds stay ordinary). Maintenance
 * leaves such rows in the default partition, without letting them hold up
 * the others, and part.verify() reports them: only the user can decide
 * where they go (a partition FROM (...) TO (MAXVALUE) made by hand, say).
 */
    IF v_spec.kind = 'integer' THEN
        v_min := CASE p_key_type WHEN 'smallint'::regtype THEN -32768 WHEN 'integer'::regtype THEN -2147483648
                                 ELSE -9223372036854775808 END;
        v_max := CASE p_key_type WHEN 'smallint'::regtype THEN 32767 WHEN 'integer'::regtype THEN 2147483647
                                 ELSE 9223372036854775807 END;
        -- the first aligned start at or above the minimum, and the end of the last interval whose
        -- end fits (div/mod: numeric division would round these 19-digit values)
        lo := (-(div(-v_min, v_spec.width) * v_spec.width))::text;
        hi := ((div(v_max - v_spec.width, v_spec.width)
                - CASE WHEN mod(v_max - v_spec.width, v_spec.width) < 0 THEN 1 ELSE 0 END) * v_spec.width
               + v_spec.width)::text;
        RETURN;
    END IF;
    lo := part._range_floor(part._literal(timestamp '1000-01-01 00:00:00', p_key_type), p_key_type, p_interval);
    hi := part._range_floor(part._literal(timestamp '9999-01-01 00:00:00', p_key_type), p_key_type, p_interval);
END
$$;
