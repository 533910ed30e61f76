CREATE FUNCTION part._sync_columns(p_a regclass, p_b regclass, p_writable boolean DEFAULT false)
    RETURNS text[]
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The columns p_a and p_b both have, in p_a's order; p_writable: only
     * those an INSERT may set in both (no generated columns).
     */
    SELECT coalesce(array_agg(a.attname::text ORDER BY a.attnum), '{}')
      FROM pg_attribute a
      JOIN pg_attribute b ON b.attrelid = p_b AND b.attname = a.attname AND b.attnum > 0 AND NOT b.attisdropped
     WHERE a.attrelid = p_a AND a.attnum > 0 AND NOT a.attisdropped
       AND (NOT p_writable OR (a.attgenerated = '' AND b.attgenerated = ''))
$$;
