CREATE FUNCTION part._sync_problems(p_table_name text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m       part.migration;
    v_legacy  regclass;
    v_part    regclass;
    v_writer  regclass;
    v_mirror  regclass;
    v_f_w     oid;
    v_f_m     oid;
    v_out     text[] := '{}'::text[];
    v_list    text;
BEGIN
/*
 * Whether the sync of a migration is intact, checked by identity (part's own
 * trigger names calling part's own generated functions), not by a name that
 * merely looks like it: NULL when it is, else what is wrong. Intact means:
 *   - on the table the application writes (the legacy one until the switch):
 *     part_sync_insert, _update, _delete and _truncate enabled ALWAYS (they
 *     fire in every session_replication_role), calling its sync function;
 *   - on the other table: part_sync_guard enabled ALWAYS (refusing writes
 *     and TRUNCATE), its DML and TRUNCATE sync disabled;
 *   - on every partition of the partitioned table: the partition triggers,
 *     enabled ALWAYS (a write straight into a partition is mirrored too).
 * part.verify reports it; switch_reads, rollback and finalize refuse while
 * it is not intact; part.migrate_refresh restores it.
 */
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = p_table_name;
    IF NOT FOUND OR v_m.phase = 'finalized' THEN
        RETURN NULL;
    END IF;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    IF v_legacy IS NULL OR v_part IS NULL THEN
        RETURN format('a table is missing (legacy %s, partitioned %s)', v_m.legacy_table, v_m.partitioned_table);
    END IF;
    v_writer := CASE WHEN v_m.phase = 'partitioned' THEN v_part ELSE v_legacy END;
    v_mirror := CASE WHEN v_m.phase = 'partitioned' THEN v_legacy ELSE v_part END;
    v_f_w := to_regprocedure(part._sync_function_name(p_table_name,
                 CASE WHEN v_m.phase = 'partitioned' THEN 'legacy' ELSE 'partitioned' END) || '()');
    v_f_m := to_regprocedure(part._sync_function_name(p_table_name,
                 CASE WHEN v_m.phase = 'partitioned' THEN 'partitioned' ELSE 'legacy' END) || '()');
    IF v_f_w IS NULL OR v_f_m IS NULL THEN
        RETURN 'a sync function is missing';
    END IF;

    SELECT string_agg(e.tgname, ', ' ORDER BY e.tgname) INTO v_list
      FROM (VALUES ('part_sync_insert'), ('part_sync_update'), ('part_sync_delete'), ('part_sync_truncate')) e(tgname)
     WHERE NOT EXISTS (SELECT 1 FROM pg_trigger t
                        WHERE t.tgrelid = v_writer AND t.tgname = e.tgname AND t.tgfoid = v_f_w AND t.tgenabled = 'A');
    IF v_list IS NOT NULL THEN
        v_out := v_out || format('on %s (written by the application) %s missing or not enabled ALWAYS: those writes are not mirrored',
                                            v_writer, v_list);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger t
                    WHERE t.tgrelid = v_mirror AND t.tgname = 'part_sync_guard'
                      AND t.tgfoid = 'part._sync_guard()'::regprocedure AND t.tgenabled = 'A') THEN
        v_out := v_out || format('the guard of %s is missing or not enabled ALWAYS: direct writes there are not refused', v_mirror);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE t.tgrelid IN (v_writer, v_mirror) AND t.tgname = 'part_sync_guard' AND t.tgnargs = 1
                  AND t.tgargs <> convert_to(c.relowner::text, 'UTF8') || '\x00'::bytea) THEN
        v_out := v_out || format('the guard of %s or %s names another owner than the table''s (ALTER ... OWNER since the migration started): run part.migrate_refresh(%L)',
                                            v_writer, v_mirror, v_m.table_name);
    END IF;
    SELECT string_agg(t.tgname, ', ' ORDER BY t.tgname) INTO v_list
      FROM pg_trigger t
     WHERE t.tgrelid = v_mirror AND t.tgname IN ('part_sync_insert', 'part_sync_update', 'part_sync_delete', 'part_sync_truncate')
       AND t.tgenabled <> 'D';
    IF v_list IS NOT NULL THEN
        v_out := v_out || format('on %s (the mirror) %s enabled: what the sync writes there would be mirrored back', v_mirror, v_list);
    END IF;
    SELECT string_agg(part._qualified(i.inhrelid), ', ' ORDER BY i.inhrelid::regclass::text) INTO v_list
      FROM pg_inherits i
     WHERE i.inhparent = v_part
       AND (SELECT count(*) FROM pg_trigger t
             WHERE t.tgrelid = i.inhrelid AND t.tgenabled = 'A'
               AND t.tgfoid = CASE WHEN v_m.phase = 'partitioned' THEN v_f_w ELSE v_f_m END
               AND t.tgname IN ('part_sync_insert', 'part_sync_update', 'part_sync_delete', 'part_sync_truncate_guard')) < 4;
    IF v_list IS NOT NULL THEN
        v_out := v_out || format('partitions without their sync triggers (attached by hand?): %s', v_list);
    END IF;
    IF cardinality(v_out) = 0 THEN
        RETURN NULL;
    END IF;
    RETURN array_to_string(v_out, '; ');
END
$$;
