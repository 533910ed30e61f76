CREATE FUNCTION part._partition_name(p_table_name text, p_suffix text)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name   text := p_table_name || '_' || p_suffix;
    v_hash   text;
    v_room   integer;
    v_prefix text := p_table_name;
BEGIN
/*
 * `<table>_<suffix>`; when that passes PostgreSQL's 63-byte limit, the table
 * part is cut (on a character boundary) and a short hash of the full name is
 * added, so that names stay unique and the suffix stays readable.
 */
    IF octet_length(v_name) <= 63 THEN
        RETURN v_name;
    END IF;
    v_hash := pg_catalog.left(md5(v_name), 6);
    v_room := 63 - octet_length('_' || v_hash || '_' || p_suffix);
    WHILE octet_length(v_prefix) > v_room LOOP
        v_prefix := pg_catalog.left(v_prefix, -1);
    END LOOP;
    RETURN v_prefix || '_' || v_hash || '_' || p_suffix;
END
$$;
