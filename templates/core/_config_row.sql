CREATE FUNCTION part._config_row(p_parent regclass)
    RETURNS part.config
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_row part.config;
BEGIN
/*
 * The part.config row of a table; 55000 with a HINT when part does not manage it.
 */
    SELECT * INTO v_row FROM part.config c WHERE c.parent_table = part._qualified(p_parent);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % is not managed by part', part._qualified(p_parent)
            USING ERRCODE = '55000',
                  HINT = 'Register it first with part.create_partitioned(table, key, strategy, ...) or in pginstall.toml.';
    END IF;
    RETURN v_row;
END
$$;
