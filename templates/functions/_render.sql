CREATE FUNCTION {{ schema }}._render(p_template text, p_values jsonb)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_pattern constant text := '@(ident|lit|rel|sql):([a-z][a-z0-9_]*)@';
    v_parts   text[] := pg_catalog.regexp_split_to_array(p_template, v_pattern);
    v_out     text := v_parts[1];
    v_used    text[] := '{}';
    v_m       text[];
    v_val     jsonb;
    v_i       integer := 1;
    v_extra   text;
BEGIN
/*
 * The one renderer of the code part generates at run time (the sync
 * functions and triggers): fills each placeholder of p_template from
 * p_values, quoted by the placeholder's kind, in a single pass (a value is
 * never scanned for placeholders again):
 *   @ident:k@  an identifier, through quote_ident;
 *   @rel:k@    a relation given by its oid, as schema.name, both quoted;
 *   @lit:k@    a literal, through quote_nullable (a JSON null is NULL);
 *   @sql:k@    SQL that part composed itself from quoted identifiers and
 *              literals (column lists, key comparisons): never a user's text.
 * A placeholder without a value, a value no placeholder uses, or text that
 * looks like a placeholder of an unknown kind is an error: nothing a caller
 * forgot, misspelled or added can pass silently.
 */
    FOR v_m IN SELECT pg_catalog.regexp_matches(p_template, v_pattern, 'g') LOOP
        IF NOT p_values ? v_m[2] THEN
            RAISE EXCEPTION 'template placeholder @%:%@ has no value', v_m[1], v_m[2]
                USING ERRCODE = 'XX000', HINT = 'An internal caller of part._render forgot a value: report it as a bug.';
        END IF;
        v_val := p_values -> v_m[2];
        IF v_m[1] <> 'lit' AND pg_catalog.jsonb_typeof(v_val) IS DISTINCT FROM 'string'
           AND NOT (v_m[1] = 'rel' AND pg_catalog.jsonb_typeof(v_val) = 'number') THEN
            RAISE EXCEPTION 'template placeholder @%:%@ got %, not a string', v_m[1], v_m[2], pg_catalog.jsonb_typeof(v_val)
                USING ERRCODE = 'XX000', HINT = 'An internal caller of part._render passed a wrong value: report it as a bug.';
        END IF;
        v_used := v_used || v_m[2];
        v_out := v_out
              || CASE v_m[1]
                     WHEN 'ident' THEN pg_catalog.quote_ident(v_val #>> '{}')
                     WHEN 'lit'   THEN pg_catalog.quote_nullable(v_val #>> '{}')
                     WHEN 'rel'   THEN (SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)
                                          FROM pg_catalog.pg_class c
                                          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                                         WHERE c.oid = (v_val #>> '{}')::oid)
                     ELSE v_val #>> '{}'
                 END
              || v_parts[v_i + 1];
        IF v_m[1] = 'rel' AND v_out IS NULL THEN
            RAISE EXCEPTION 'template placeholder @rel:%@: relation % does not exist', v_m[2], v_val #>> '{}'
                USING ERRCODE = '42P01', HINT = 'The table was dropped meanwhile: run the step again.';
        END IF;
        v_i := v_i + 1;
    END LOOP;
    IF v_out IS NULL THEN
        RAISE EXCEPTION 'template rendered to NULL'
            USING ERRCODE = 'XX000', HINT = 'An internal caller of part._render passed a NULL template or SQL value: report it as a bug.';
    END IF;

    SELECT pg_catalog.string_agg(k, ', ') INTO v_extra
      FROM pg_catalog.jsonb_object_keys(p_values) k WHERE NOT k = ANY (v_used);
    IF v_extra IS NOT NULL THEN
        RAISE EXCEPTION 'template values not used: %', v_extra
            USING ERRCODE = 'XX000', HINT = 'An internal caller of part._render passed a value its template has no placeholder for: report it as a bug.';
    END IF;
    IF pg_catalog.array_to_string(v_parts, '') ~ '@[a-z]+:[a-zA-Z0-9_]*@' THEN
        RAISE EXCEPTION 'template has a malformed placeholder: %',
                        (pg_catalog.regexp_match(pg_catalog.array_to_string(v_parts, ''), '@[a-z]+:[a-zA-Z0-9_]*@'))[1]
            USING ERRCODE = 'XX000', HINT = 'Placeholders are @ident:, @rel:, @lit: or @sql: and a lower-case name: fix the template.';
    END IF;
    RETURN v_out;
END
$$;
