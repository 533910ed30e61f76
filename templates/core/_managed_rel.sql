CREATE FUNCTION part._managed_rel(p_name text)
    RETURNS regclass
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The partitioned table a name of part.config stands for, or NULL when
     * that name is now something else: part.config keeps names, and the
     * table's owner may have renamed the table and put a view (whose
     * functions would run with the reader's rights) or any other relation
     * under its name. Nothing of part reads a managed table through a name
     * without this check.
     */
    SELECT c.oid::regclass FROM pg_class c
     WHERE c.oid = to_regclass(p_name) AND c.relkind = 'p'
$$;
