CREATE FUNCTION part._attach_check_add(p_rel regclass, p_key text, p_type regtype, p_cut text, p_notnull text[])
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * The CHECK of the attach method on the legacy table p_rel, NOT VALID (a
 * catalog change: the caller holds the table, part._lock_all):
 * part_history_bound CHECK (key IS NOT NULL AND <each column of p_notnull,
 * the partitioned table's primary key> IS NOT NULL AND key < p_cut). Once
 * validated (part.attach_prepare), it lets ATTACH PARTITION ... FROM
 * (MINVALUE) TO (p_cut) skip its scan of the table, and SET NOT NULL of
 * those columns too.
 */
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT part_history_bound CHECK (%s%I < %L::%s) NOT VALID',
                              p_rel,
                              (SELECT string_agg(format('%I IS NOT NULL AND ', c), '' ORDER BY o)
                                 FROM unnest(ARRAY[p_key] || p_notnull) WITH ORDINALITY AS u(c, o) WHERE u.o = 1 OR u.c <> p_key),
                              p_key, p_cut, p_type);
END
$$;
