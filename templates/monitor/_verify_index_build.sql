CREATE FUNCTION part._verify_index_build()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_b     record;
    v_index regclass;
    v_rel   regclass;
    v_valid boolean;
    v_done  bigint;
    v_total bigint;
    v_pid   integer;
BEGIN
/*
 * verify()'s index_build check: one row per index part.create_index built or
 * is building (part.index_build) whose index still exists: ok when the
 * parent's index is valid (every partition has it); otherwise warn while a
 * session holds the table's build lock (it is building: name it), fail when
 * none does (the build was interrupted: say how to resume it).
 */
    FOR v_b IN SELECT b.parent_index, b.parent_table, min(b.definition) AS definition
                 FROM part.index_build b GROUP BY 1, 2 ORDER BY 2, 1 LOOP
        v_index := to_regclass(v_b.parent_index);
        CONTINUE WHEN v_index IS NULL;   -- dropped since
        SELECT i.indrelid::regclass, i.indisvalid INTO v_rel, v_valid FROM pg_index i WHERE i.indexrelid = v_index;
        SELECT count(*), count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM pg_inherits h JOIN pg_index ci ON ci.indexrelid = h.inhrelid
                    WHERE h.inhparent = v_index AND ci.indrelid = i.inhrelid))
          INTO v_total, v_done
          FROM pg_inherits i WHERE i.inhparent = v_rel;
        SELECT l.pid INTO v_pid FROM pg_locks l
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 1885434486 AND l.objid = v_rel::oid AND l.objsubid = 2
           AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
         LIMIT 1;
        check_name := 'index_build';
        table_name := v_b.parent_table;
        status := CASE WHEN v_valid THEN 'ok' WHEN v_pid IS NOT NULL THEN 'warn' ELSE 'fail' END;
        detail := CASE
            WHEN v_valid THEN format('%s (%s) is valid on all %s partitions', v_b.parent_index, v_b.definition, v_total)
            WHEN v_pid IS NOT NULL THEN format('%s (%s) is being built by pid %s: %s of %s partitions so far',
                                                         v_b.parent_index, v_b.definition, v_pid, v_done, v_total)
            ELSE format('the build of %s (%s) is unfinished: %s of %s partitions have it, and no session is building it; '
                                   'resume it: pginstall index %s %s --db %s, or in psql: SELECT * FROM part.create_index(%L, %L) \gexec',
                                   v_b.parent_index, v_b.definition, v_done, v_total,
                                   v_b.parent_table, '''' || replace(v_b.definition, '''', '''\''''') || '''',
                                   current_database(), v_b.parent_table, v_b.definition) END;
        RETURN NEXT;
    END LOOP;
END
$$;
