CREATE FUNCTION part._render(p_template text, p_values jsonb)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_parts text[] := string_to_array(p_template, '@');
    v_keys  text[];
    v_bad   text;
    v_out   text;
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
 * A template holds no other @: split at every @, the even pieces are the
 * placeholders. A placeholder without a value, of an unknown kind or
 * malformed, a value no placeholder uses, or a value of the wrong JSON type
 * is an error: nothing a caller forgot, misspelled or added can pass
 * silently. Set-based and without regular expressions over the whole
 * template: it runs under the switch's locks.
 */
    IF p_template IS NULL OR cardinality(v_parts) % 2 = 0 THEN
        RAISE EXCEPTION 'template has an unpaired @ (or is NULL)'
            USING ERRCODE = 'XX000', HINT = 'A template holds @ only around placeholders (@kind:name@): fix the template.';
    END IF;
    SELECT array_agg(DISTINCT split_part(u.seg, ':', 2)),
           string_agg(DISTINCT CASE
               WHEN u.seg !~ '^(ident|lit|rel|sql):[a-z][a-z0-9_]*$' THEN format('@%s@ is not a placeholder', u.seg)
               WHEN NOT p_values ? split_part(u.seg, ':', 2) THEN format('@%s@ has no value', u.seg)
               WHEN jsonb_typeof(p_values -> split_part(u.seg, ':', 2))
                    <> ALL (CASE split_part(u.seg, ':', 1) WHEN 'rel' THEN ARRAY['number', 'string']
                                                                      WHEN 'lit' THEN ARRAY['string', 'number', 'boolean', 'null']
                                                                      ELSE ARRAY['string'] END)
                   THEN format('@%s@ got a JSON %s', u.seg, jsonb_typeof(p_values -> split_part(u.seg, ':', 2)))
               WHEN split_part(u.seg, ':', 1) = 'rel'
                    AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = (p_values ->> split_part(u.seg, ':', 2))::oid)
                   THEN format('@%s@: relation %s does not exist', u.seg, p_values ->> split_part(u.seg, ':', 2))
           END, '; ')
      INTO v_keys, v_bad
      FROM unnest(v_parts) WITH ORDINALITY AS u(seg, i)
     WHERE u.i % 2 = 0;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'template placeholders: %', v_bad
            USING ERRCODE = 'XX000', HINT = 'An internal caller of part._render passed a wrong template or values (or a table was dropped meanwhile): report it as a bug, or run the step again.';
    END IF;
    SELECT string_agg(k, ', ') INTO v_bad
      FROM jsonb_object_keys(p_values) k WHERE NOT k = ANY (coalesce(v_keys, '{}'));
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'template values not used: %', v_bad
            USING ERRCODE = 'XX000', HINT = 'An internal caller of part._render passed a value its template has no placeholder for: report it as a bug.';
    END IF;

    SELECT string_agg(
               CASE WHEN u.i % 2 = 1 THEN u.seg
                    ELSE CASE split_part(u.seg, ':', 1)
                             WHEN 'ident' THEN quote_ident(p_values ->> split_part(u.seg, ':', 2))
                             WHEN 'lit'   THEN quote_nullable(p_values ->> split_part(u.seg, ':', 2))
                             WHEN 'rel'   THEN (SELECT format('%I.%I', n.nspname, c.relname)
                                                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                                 WHERE c.oid = (p_values ->> split_part(u.seg, ':', 2))::oid)
                             ELSE p_values ->> split_part(u.seg, ':', 2)
                         END
               END, '' ORDER BY u.i)
      INTO v_out
      FROM unnest(v_parts) WITH ORDINALITY AS u(seg, i);
    IF v_out IS NULL THEN
        RAISE EXCEPTION 'template rendered to NULL'
            USING ERRCODE = 'XX000', HINT = 'An internal caller of part._render passed a NULL SQL value: report it as a bug.';
    END IF;
    RETURN v_out;
END
$$;
