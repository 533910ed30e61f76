CREATE FUNCTION part.prepare_uninstall(p_force boolean DEFAULT false)
    RETURNS TABLE(table_name text, phase text, left_table text, left_what text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m      record;
    v_active text;
BEGIN
/*
 * The step before DROP EXTENSION part (or DROP SCHEMA part in plain mode):
 * the generated sync triggers of unfinished migrations call part's
 * functions, so every write to those tables would fail once part is gone.
 * Refused (55006, nothing changed) while a migration is in dual_write,
 * backfilled or partitioned, unless p_force: then the sync of each is
 * removed and one row per migration says which of its two tables the
 * application no longer uses (left in place, with its rows and no sync).
 * pginstall uninstall calls it in its transaction.
 */
    SELECT string_agg(format('%s (%s)', m.table_name, m.phase), ', ' ORDER BY m.table_name)
      INTO v_active
      FROM part.migration m
     WHERE m.phase IN ('dual_write', 'backfilled', 'partitioned');
    IF v_active IS NOT NULL AND NOT coalesce(p_force, false) THEN
        RAISE EXCEPTION 'migrations in progress: %', v_active
            USING ERRCODE = '55006',
                  HINT = 'Finish them (pginstall migrate --to finalized) or cancel them (part.migrate_cancel) first, '
                         'or force the uninstall to remove their sync anyway.';
    END IF;
    FOR v_m IN
        SELECT m.table_name, m.phase, m.legacy_table, m.partitioned_table
          FROM part.migration m
         WHERE m.phase IN ('dual_write', 'backfilled', 'partitioned')
         ORDER BY m.table_name
    LOOP
        PERFORM part._sync_remove(v_m.table_name);
        table_name := v_m.table_name;
        phase := v_m.phase;
        IF v_m.phase = 'partitioned' THEN
            left_table := v_m.legacy_table;
            left_what := 'the legacy table';
        ELSE
            left_table := v_m.partitioned_table;
            left_what := 'the partitioned copy';
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION part.prepare_uninstall(boolean) IS
    'part: before removing part, refuses while migrations are unfinished, or (p_force) removes their sync and lists the tables left behind';
