CREATE FUNCTION part._qualified(p_rel regclass)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * schema.table of a relation, quoted where needed, whatever the search_path
 * (NULL for NULL or a relation that does not exist). PL/pgSQL, not SQL: a SQL
 * function with a SET clause is planned again at every call in a new
 * transaction, and maintenance calls this a few times per partition, each in
 * a transaction of its own; PL/pgSQL keeps the plan for the session.
 */
    RETURN (SELECT format('%I.%I', n.nspname, c.relname)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.oid = p_rel);
END
$$;
