CREATE FUNCTION part.migrate_refresh(p_table text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m       part.migration := part._migration_row(p_table);
    v_legacy  regclass;
    v_part    regclass;
    v_source  regclass;    -- the table the application writes: its columns are the truth
    v_mirror  regclass;
    v_c       record;
    v_done    text[] := '{}'::text[];
    v_bad     text;
BEGIN
/*
 * After a schema change of a table under migration, bring the other table
 * in line and regenerate the sync. The table the application writes (the
 * legacy one until the switch, the partitioned one after) is the truth: a
 * column it gained is added to the other table (same type, default, NOT
 * NULL), a column it lost is dropped from the other table; a column whose
 * type differs is refused (55000), change it on both tables yourself.
 * Parity results are reset (the row hash covers the columns), so the next
 * part.check_parity is a full one. Returns what it changed.
 * Apply a DDL change and this call in one transaction: until then the sync
 * mirrors the old column list (or fails on a dropped column).
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    PERFORM part._require_phase(v_m, 'migrate_refresh');
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    IF v_m.phase = 'partitioned' THEN
        v_source := v_part;   v_mirror := v_legacy;
    ELSE
        v_source := v_legacy; v_mirror := v_part;
    END IF;
    SELECT string_agg(quote_ident(a.attname::text), ', ') INTO v_bad
      FROM pg_attribute a JOIN pg_attribute b ON b.attrelid = v_mirror AND b.attname = a.attname AND NOT b.attisdropped
     WHERE a.attrelid = v_source AND a.attnum > 0 AND NOT a.attisdropped
       AND (a.atttypid, a.atttypmod) IS DISTINCT FROM (b.atttypid, b.atttypmod);
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'columns % of % have another type in %', v_bad, v_source, v_mirror
            USING ERRCODE = '55000', HINT = 'Change the type on both tables (ALTER TABLE ... ALTER COLUMN ... TYPE), then call part.migrate_refresh again.';
    END IF;
    PERFORM part._lock_all(ARRAY[v_source, v_mirror], ARRAY['SHARE ROW EXCLUSIVE', 'ACCESS EXCLUSIVE']);

    FOR v_c IN
        SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS typ, a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid) AS def, a.attgenerated
          FROM pg_attribute a
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = v_source AND a.attnum > 0 AND NOT a.attisdropped
           AND NOT EXISTS (SELECT 1 FROM pg_attribute b WHERE b.attrelid = v_mirror AND b.attname = a.attname AND NOT b.attisdropped)
         ORDER BY a.attnum
    LOOP
        EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s%s%s', v_mirror, v_c.attname, v_c.typ,
            CASE WHEN v_c.def IS NULL THEN ''
                 WHEN v_c.attgenerated = 's' THEN format(' GENERATED ALWAYS AS (%s) STORED', v_c.def)
                 ELSE ' DEFAULT ' || v_c.def END,
            CASE WHEN v_c.attnotnull THEN ' NOT NULL' ELSE '' END);
        v_done := v_done || format('added column %I to %s', v_c.attname, v_mirror);
    END LOOP;
    FOR v_c IN
        SELECT b.attname FROM pg_attribute b
         WHERE b.attrelid = v_mirror AND b.attnum > 0 AND NOT b.attisdropped
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = v_source AND a.attname = b.attname AND NOT a.attisdropped)
           AND NOT b.attname = ANY (v_m.partitioned_key || v_m.legacy_key)
    LOOP
        EXECUTE format('ALTER TABLE %s DROP COLUMN %I', v_mirror, v_c.attname);
        v_done := v_done || format('dropped column %I from %s', v_c.attname, v_mirror);
    END LOOP;

    PERFORM part._sync_install(v_m.table_name);
    DELETE FROM part.parity_range pr WHERE pr.table_name = v_m.table_name;
    UPDATE part.migration m SET parity_full_at = NULL, parity_clean = NULL, parity_ranges = NULL, parity_differ = NULL
     WHERE m.table_name = v_m.table_name;
    v_done := v_done || 'regenerated the sync'::text;
    RETURN array_to_string(v_done, '; ');
END
$$;
COMMENT ON FUNCTION part.migrate_refresh IS
    'part: regenerate a migration''s sync functions and triggers from the live catalog, after a schema change to its tables (what part.verify() reports as column_drift or sync_triggers).';
