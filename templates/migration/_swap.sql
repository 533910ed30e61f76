CREATE FUNCTION part._swap(p_m part.migration, p_to text, p_functions text[] DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_legacy   regclass := to_regclass(p_m.legacy_table);
    v_part     regclass := to_regclass(p_m.partitioned_table);
    v_schema   text := (parse_ident(p_m.table_name))[1];
    v_app      text := (parse_ident(p_m.table_name))[2];
    v_first    regclass;    -- the table that gives up the application's name
    v_second   regclass;    -- the table that takes it
    v_first_to text;
    v_second_was text;      -- the name v_second had before the swap
    v_was      text;
    v_new      text;
    v_c        record;
    v_seq      text;
    v_value    numeric;
BEGIN
/*
 * The name swap of part.switch_reads (p_to = 'partitioned') and
 * part.rollback (p_to = 'backfilled'), for a caller that holds ACCESS
 * EXCLUSIVE locks on both tables: renames (the legacy table becomes
 * <table>_legacy and the copy takes <table>, or back), primary-key
 * constraints and the other indexes named after a table renamed after
 * their tables (<table>_partitioned_org_id_idx becomes <table>_org_id_idx,
 * the legacy one <table>_legacy_org_id_idx), serial sequences owned by the
 * table that now has the name, identity sequences of that table advanced
 * past every value the other one used, the application's own triggers
 * enabled on the table with the name only, part.config and part.migration
 * following the names, and the sync regenerated for the new names.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF p_to = 'partitioned' THEN
        v_first := v_legacy;   v_second := v_part;   v_first_to := part._partition_name(v_app, 'legacy');
    ELSE
        v_first := v_part;     v_second := v_legacy; v_first_to := part._partition_name(v_app, 'partitioned');
    END IF;
    IF to_regclass(format('%I.%I', v_schema, v_first_to)) IS NOT NULL THEN
        RAISE EXCEPTION 'cannot rename % to %.%: a relation with that name exists', v_first, v_schema, v_first_to
            USING ERRCODE = '55000', HINT = 'Rename or drop that relation, then try again.';
    END IF;

    SELECT c.relname INTO v_second_was FROM pg_class c WHERE c.oid = v_second;
    EXECUTE format('ALTER TABLE %s RENAME TO %I', v_first, v_first_to);
    EXECUTE format('ALTER TABLE %s RENAME TO %I', v_second, v_app);
    -- primary-key constraints follow the table names (the one giving up the name first)
    FOR v_c IN
        SELECT x.conrelid::regclass AS rel, x.conname,
               part._partition_name(CASE WHEN x.conrelid = v_first THEN v_first_to ELSE v_app END, 'pkey') AS new_name
          FROM pg_constraint x
         WHERE x.conrelid IN (v_first, v_second) AND x.contype = 'p'
         ORDER BY x.conrelid = v_second
    LOOP
        CONTINUE WHEN v_c.conname = v_c.new_name;
        IF to_regclass(format('%I.%I', v_schema, v_c.new_name)) IS NULL THEN
            EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', v_c.rel, v_c.conname, v_c.new_name);
        ELSE
            RAISE WARNING 'part: primary key % of % keeps its name: % is taken', v_c.conname, v_c.rel, v_c.new_name;
        END IF;
    END LOOP;

    -- the other indexes named after their table follow it too (the one giving up the name first);
    -- one whose new name is taken keeps its name
    FOR v_c IN
        SELECT i.indexrelid::regclass AS idx, ic.relname AS name, i.indrelid = v_first AS of_first
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid IN (v_first, v_second) AND NOT i.indisprimary
         ORDER BY i.indrelid = v_second, ic.relname
    LOOP
        v_was := CASE WHEN v_c.of_first THEN v_app ELSE v_second_was END;
        CONTINUE WHEN pg_catalog.left(v_c.name, length(v_was) + 1) <> v_was || '_';
        v_new := part._partition_name(CASE WHEN v_c.of_first THEN v_first_to ELSE v_app END,
                                              substr(v_c.name, length(v_was) + 2));
        CONTINUE WHEN v_new = v_c.name OR to_regclass(format('%I.%I', v_schema, v_new)) IS NOT NULL;
        EXECUTE format('ALTER INDEX %s RENAME TO %I', v_c.idx, v_new);
    END LOOP;

    -- sequences: a serial's sequence belongs to the table with the name; an
    -- identity sequence (PostgreSQL will not re-own it) is advanced instead
    FOR v_c IN
        SELECT a.attname, a.attidentity AS second_identity,
               pg_get_serial_sequence(v_first::text, a.attname) AS first_seq,
               pg_get_serial_sequence(v_second::text, a.attname) AS second_seq,
               (SELECT f.attidentity FROM pg_attribute f WHERE f.attrelid = v_first AND f.attname = a.attname) AS first_identity
          FROM pg_attribute a
         WHERE a.attrelid = v_second AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        IF v_c.first_seq IS NOT NULL AND v_c.first_identity = '' AND v_c.second_identity = '' THEN
            EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', v_c.first_seq, v_second, v_c.attname);
        END IF;
        IF v_c.second_identity <> '' THEN
            v_seq := v_c.second_seq;
            EXECUTE format(
                'SELECT pg_catalog.max(v) FROM (VALUES (pg_catalog.pg_sequence_last_value(%1$L::regclass)::numeric), '
                '(pg_catalog.pg_sequence_last_value(%2$L::regclass)::numeric), '
                '((SELECT pg_catalog.max(%3$I) FROM %4$s)::numeric), ((SELECT pg_catalog.max(%3$I) FROM %5$s)::numeric)) s(v)',
                v_seq, coalesce(v_c.first_seq, v_seq), v_c.attname, v_first, v_second)
               INTO v_value;
            IF v_value IS NOT NULL THEN
                PERFORM setval(v_seq::regclass, v_value::bigint, true);
            END IF;
        END IF;
    END LOOP;

    -- the application's own triggers follow the name: enabled on the table that has it, as they
    -- were on the other one, and disabled there (mirrored writes must not fire them a second time)
    FOR v_c IN
        SELECT f.tgname, f.tgenabled
          FROM pg_trigger f
          JOIN pg_trigger s ON s.tgrelid = v_second AND s.tgname = f.tgname AND NOT s.tgisinternal
         WHERE f.tgrelid = v_first AND NOT f.tgisinternal AND f.tgname NOT LIKE 'part\_sync\_%'
    LOOP
        EXECUTE format('ALTER TABLE %s %s TRIGGER %I', v_second,
                                  CASE v_c.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'A' THEN 'ENABLE ALWAYS'
                                                     WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'ENABLE' END, v_c.tgname);
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', v_first, v_c.tgname);
    END LOOP;

    UPDATE part.config c SET parent_table = part._qualified(v_part), updated_at = now()
     WHERE c.parent_table = p_m.partitioned_table;
    UPDATE part.migration m
       SET legacy_table = part._qualified(v_legacy),
           partitioned_table = part._qualified(v_part),
           phase = p_to,
           partitioned_at = CASE WHEN p_to = 'partitioned' THEN now() ELSE m.partitioned_at END,
           rolled_back_at = CASE WHEN p_to = 'backfilled' THEN now() ELSE m.rolled_back_at END
     WHERE m.table_name = p_m.table_name;
    -- the triggers were checked in place; the functions prepared before the locks (or made now)
    PERFORM part._sync_install(p_m.table_name, p_triggers => false, p_functions => p_functions);
END
$$;
