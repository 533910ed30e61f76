CREATE FUNCTION part._key_type(p_rel regclass, p_key text)
    RETURNS regtype
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_type regtype;
BEGIN
/*
 * The type of column p_key of p_rel; 42703 with a HINT when there is none
 * (22023 when p_key is NULL or empty).
 */
    IF p_key IS NULL OR p_key = '' THEN
        RAISE EXCEPTION 'a key column is required'
            USING ERRCODE = '22023',
                  HINT = format('Name the partition key, one of the columns of %s: %s.', part._qualified(p_rel),
                      (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                         FROM pg_attribute a
                        WHERE a.attrelid = p_rel AND a.attnum > 0 AND NOT a.attisdropped));
    END IF;
    SELECT a.atttypid::regtype INTO v_type
      FROM pg_attribute a
     WHERE a.attrelid = p_rel AND a.attname = p_key AND a.attnum > 0 AND NOT a.attisdropped;
    IF v_type IS NULL THEN
        RAISE EXCEPTION 'column "%" of table % does not exist', p_key, part._qualified(p_rel)
            USING ERRCODE = '42703',
                  HINT = format('Use one of its columns: %s.',
                      (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                         FROM pg_attribute a
                        WHERE a.attrelid = p_rel AND a.attnum > 0 AND NOT a.attisdropped));
    END IF;
    RETURN v_type;
END
$$;
