CREATE FUNCTION part._row_count(p_rel regclass, p_exact boolean)
    RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_n bigint;
BEGIN
/*
 * Rows of a table (a partitioned one: of all its partitions): counted when
 * p_exact, else the planner's estimate (pg_class.reltuples; a table never
 * analyzed counts as empty). NULL when p_rel is NULL.
 */
    IF p_rel IS NULL THEN
        RETURN NULL;
    END IF;
    IF p_exact THEN
        EXECUTE format('SELECT pg_catalog.count(*) FROM %s', p_rel) INTO v_n;
        RETURN v_n;
    END IF;
    SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint INTO v_n
      FROM pg_partition_tree(p_rel) t
      JOIN pg_class c ON c.oid = t.relid
     WHERE t.isleaf;
    RETURN v_n;
END
$$;
