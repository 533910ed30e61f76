CREATE FUNCTION part._ordinal_literal(p_ordinal float8, p_key_type regtype)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* the inverse of part._bound_ordinal: a bound as a literal of the key type, in UTC */
    SELECT CASE
        WHEN p_ordinal IS NULL THEN NULL
        WHEN p_ordinal <= -1e30 THEN 'MINVALUE'
        WHEN p_ordinal >= 1e30 THEN 'MAXVALUE'
        -- numeric, not bigint: a float8 near the bigint extremes is out of bigint's range (display only)
        WHEN p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN round(p_ordinal::numeric)::text
        ELSE part._literal(to_timestamp(p_ordinal) AT TIME ZONE 'UTC', p_key_type) END
$$;
