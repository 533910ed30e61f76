CREATE FUNCTION part._attach_index_shape(p_index oid)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * What ATTACH PARTITION compares to match an index of the partition to
     * one of the parent (access method, uniqueness, key columns by name,
     * operator classes, collations, options, expressions, predicate), as
     * one text: two indexes with the same shape on the parent and on the
     * legacy table match, and ATTACH builds nothing.
     */
    SELECT concat_ws('|', am.amname, i.indisunique, i.indnkeyatts,
               (SELECT string_agg(coalesce(quote_ident(a.attname), '#expr'), ',' ORDER BY k.o)
                  FROM unnest(i.indkey) WITH ORDINALITY AS k(n, o)
                  LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n AND k.n > 0),
               i.indclass::text, i.indcollation::text, i.indoption::text,
               pg_get_expr(i.indexprs, i.indrelid), pg_get_expr(i.indpred, i.indrelid))
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_am am ON am.oid = c.relam
     WHERE i.indexrelid = p_index
$$;
