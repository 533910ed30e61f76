CREATE FUNCTION part.setting(p_key text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key record;
BEGIN
/*
 * The value of one setting (flag), or its default when it was never set.
 * use_partitioned_tables is derived from part.migration: true when every
 * migration of the database is in partitioned or finalized (also when
 * there is none: nothing reads a legacy table then).
 */
    SELECT * INTO v_key FROM part._setting_keys() k WHERE k.key = p_key;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown setting "%"', p_key
            USING ERRCODE = '22023',
                  HINT = 'Known settings: ' || (SELECT string_agg(k.key, ', ' ORDER BY k.key)
                                                  FROM part._setting_keys() k) || '.';
    END IF;
    IF p_key = 'use_partitioned_tables' THEN
        RETURN (NOT EXISTS (SELECT 1 FROM part.migration m
                             WHERE m.phase NOT IN ('partitioned', 'finalized')))::text;
    END IF;
    RETURN coalesce((SELECT s.value FROM part.settings s WHERE s.key = p_key), v_key.default_value);
END
$$;
COMMENT ON FUNCTION part.setting IS
    'part: the value of one key of part.settings (its default when unset).';
