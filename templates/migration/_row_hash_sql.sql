CREATE FUNCTION part._row_hash_sql(p_rel regclass, p_cols text[], p_alias text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * SQL of a 64-bit hash of one row's content, made of p_cols (the columns
 * both tables have, in the legacy table's order, so that both hash alike
 * whatever their physical column order): hash_record_extended of those
 * columns when every one has a type with an extended hash function (3 times
 * faster than going through text), else a hash of the row's text.
 */
    IF NOT EXISTS (
        SELECT 1
          FROM unnest(p_cols) c
          JOIN pg_attribute a ON a.attrelid = p_rel AND a.attname = c AND NOT a.attisdropped
          JOIN pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
         WHERE b.typtype NOT IN ('b', 'e')      -- composites, ranges, ...: through text
            OR b.typcategory = 'A'             -- arrays: through text
            OR NOT EXISTS (SELECT 1
                             FROM pg_opclass oc
                             JOIN pg_am am ON am.oid = oc.opcmethod AND am.amname = 'hash'
                             JOIN pg_amproc ap ON ap.amprocfamily = oc.opcfamily AND ap.amprocnum = 2
                                                         AND ap.amproclefttype = oc.opcintype
                            WHERE oc.opcdefault
                              AND (oc.opcintype = b.oid OR (b.typtype = 'e' AND oc.opcintype = 'anyenum'::regtype))))
    THEN
        RETURN format('pg_catalog.hash_record_extended(ROW(%s), 0)', part._sql_columns(p_cols, p_alias));
    END IF;
    RETURN format('pg_catalog.hashtextextended(ROW(%s)::text, 0)', part._sql_columns(p_cols, p_alias));
END
$$;
