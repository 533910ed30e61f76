CREATE FUNCTION part._check_retention(p_retention text, p_key_type regtype)
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_iv interval;
BEGIN
/*
 * A retention is an interval with a unit for time keys ('24 months', at
 * most 1000 years) and a positive integer for integer keys (at most
 * 10^18); anything else is 22023.
 */
    IF p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        IF p_retention !~ '^\s*[0-9]+\s*$' OR btrim(p_retention)::numeric <= 0 OR btrim(p_retention)::numeric > 1e18 THEN
            RAISE EXCEPTION 'invalid retention "%" for an integer key', p_retention
                USING ERRCODE = '22023', HINT = 'Give how far below the largest key to keep, as a positive integer.';
        END IF;
        RETURN;
    END IF;
    BEGIN
        v_iv := p_retention::interval;
    EXCEPTION WHEN others THEN
        v_iv := NULL;
    END;
    IF v_iv IS NULL OR p_retention ~ '^\s*[0-9.]+\s*$' OR v_iv <= interval '0' OR v_iv > interval '1000 years' THEN
        RAISE EXCEPTION 'invalid retention "%"', p_retention
            USING ERRCODE = '22023', HINT = 'Write a positive interval with its unit, up to 1000 years, e.g. ''24 months'' or ''90 days''.';
    END IF;
END
$$;
