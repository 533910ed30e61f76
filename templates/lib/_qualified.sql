CREATE FUNCTION part._qualified(p_rel regclass)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* schema.table of a relation, quoted where needed, whatever the search_path */
    SELECT format('%I.%I', n.nspname, c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = p_rel
$$;
