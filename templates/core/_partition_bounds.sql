CREATE FUNCTION part._partition_bounds(p_parent regclass)
    RETURNS TABLE(partition_oid oid, partition_name text, is_default boolean,
                  bound_from text, bound_to text, modulus integer, remainder integer)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The direct partitions of p_parent with their bounds, read from the
     * catalog: range bounds as literals of the key type (quotes removed;
     * MINVALUE/MAXVALUE as such), hash modulus and remainder.
     */
    SELECT c.oid,
           format('%I.%I', n.nspname, c.relname),
           b.expr = 'DEFAULT',
           replace(regexp_replace(r.m[1], '^''(.*)''$', '\1'), '''''', ''''),
           replace(regexp_replace(r.m[2], '^''(.*)''$', '\1'), '''''', ''''),
           h.m[1]::int,
           h.m[2]::int
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS expr) b
      LEFT JOIN LATERAL (SELECT regexp_match(b.expr, '^FOR VALUES FROM \((.*)\) TO \((.*)\)$') AS m) r ON true
      LEFT JOIN LATERAL (SELECT regexp_match(b.expr, '^FOR VALUES WITH \(modulus (\d+), remainder (\d+)\)$') AS m) h ON true
     WHERE i.inhparent = p_parent
$$;
