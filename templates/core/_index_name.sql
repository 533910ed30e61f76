CREATE FUNCTION part._index_name(p_table regclass, p_index regclass, p_definition text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_suffix text;
    v_name   text;
    v_nsp    oid;
    v_rel    text;
BEGIN
/*
 * The name part.create_index gives its index on p_table (the parent, or a
 * partition), for an index shaped like p_index: `<table>_<key columns>_idx`
 * (an expression counts as `expr`, as PostgreSQL names them), within 63
 * bytes (part._partition_name cuts the table part and adds a short hash).
 * Deterministic: the same table and definition give the same name. When a
 * relation of that name exists already and is not an index of p_table with
 * this definition, a short hash of the definition goes in the name.
 */
    SELECT string_agg(coalesce(a.attname::text, 'expr'), '_' ORDER BY k.n)
      INTO v_suffix
      FROM pg_index i
     CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
      LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
     WHERE i.indexrelid = p_index AND k.n <= i.indnkeyatts;
    v_suffix := coalesce(v_suffix, 'expr');
    WHILE octet_length(v_suffix) > 40 LOOP
        v_suffix := pg_catalog.left(v_suffix, -1);
    END LOOP;
    v_suffix := v_suffix || '_idx';
    SELECT c.relnamespace, c.relname INTO v_nsp, v_rel FROM pg_class c WHERE c.oid = p_table;
    v_name := part._partition_name(v_rel, v_suffix);
    IF EXISTS (SELECT 1 FROM pg_class c
                WHERE c.relnamespace = v_nsp AND c.relname = v_name
                  AND NOT EXISTS (SELECT 1 FROM pg_index i
                                   WHERE i.indexrelid = c.oid AND i.indrelid = p_table
                                     AND part._index_definition(c.oid) = p_definition)) THEN
        v_name := part._partition_name(v_rel, pg_catalog.left(md5(p_definition), 6) || '_' || v_suffix);
    END IF;
    RETURN v_name;
END
$$;
