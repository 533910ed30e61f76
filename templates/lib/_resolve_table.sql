CREATE FUNCTION part._resolve_table(p_table text)
    RETURNS regclass
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_parts  text[];
    v_oid    oid;
    v_found  text[];
    v_other  text;
    v_kind   text;
BEGIN
/*
 * Resolve a table name written as in SQL ('public.revenues', 'revenues',
 * 'public."Daily Balances"') to its oid. An unqualified name must name
 * exactly one table among the user's schemas. Missing: 42P01 with a HINT.
 */
    IF p_table IS NULL OR btrim(p_table) = '' THEN
        RAISE EXCEPTION 'a table name is required'
            USING ERRCODE = '22023', HINT = 'Pass the table as schema.table, e.g. ''public.revenues''.';
    END IF;
    BEGIN
        v_parts := parse_ident(p_table);
    EXCEPTION WHEN invalid_parameter_value OR syntax_error THEN
        RAISE EXCEPTION 'invalid table name: %', p_table
            USING ERRCODE = '22023',
                  HINT = 'Write the name as in SQL: schema.table, with double quotes around names that need them.';
    END;
    IF cardinality(v_parts) = 2 THEN
        SELECT c.oid INTO v_oid
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = v_parts[1] AND c.relname = v_parts[2] AND c.relkind IN ('r', 'p');
    ELSIF cardinality(v_parts) = 1 THEN
        SELECT array_agg(format('%I.%I', n.nspname, c.relname) ORDER BY n.nspname),
               min(c.oid::bigint)::oid
          INTO v_found, v_oid
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relname = v_parts[1] AND c.relkind IN ('r', 'p')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'part', 'part_archive')
           AND n.nspname !~ '^pg_(toast|temp)';
        IF cardinality(v_found) > 1 THEN
            RAISE EXCEPTION 'table name "%" is ambiguous', p_table
                USING ERRCODE = '22023',
                      DETAIL = format('Tables with that name: %s.', array_to_string(v_found, ', ')),
                      HINT = 'Qualify the name with its schema.';
        END IF;
    ELSE
        RAISE EXCEPTION 'invalid table name: %', p_table
            USING ERRCODE = '22023', HINT = 'Write the name as schema.table (no database part).';
    END IF;
    IF v_oid IS NULL THEN
        -- a view, sequence, index... of that name: say so rather than "does not exist"
        SELECT format('%I.%I', n.nspname, c.relname),
               CASE c.relkind WHEN 'v' THEN 'a view' WHEN 'm' THEN 'a materialized view' WHEN 'S' THEN 'a sequence'
                              WHEN 'f' THEN 'a foreign table' WHEN 'i' THEN 'an index' WHEN 'I' THEN 'an index'
                              WHEN 'c' THEN 'a composite type' ELSE 'not a table' END
          INTO v_other, v_kind
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE CASE WHEN cardinality(v_parts) = 2 THEN n.nspname = v_parts[1] AND c.relname = v_parts[2]
                    ELSE c.relname = v_parts[1] AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'part', 'part_archive')
                         AND n.nspname !~ '^pg_(toast|temp)' END
         ORDER BY n.nspname LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION '% is %, not a table', v_other, v_kind
                USING ERRCODE = '42809',
                      HINT = 'Name a table (plain or partitioned): part manages and migrates tables, not views, sequences or indexes.';
        END IF;
        RAISE EXCEPTION 'table % does not exist', p_table
            USING ERRCODE = '42P01',
                  HINT = 'Check the spelling and the schema (names are case-sensitive when quoted), or create the table first.';
    END IF;
    RETURN v_oid::regclass;
END
$$;
