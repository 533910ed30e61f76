CREATE FUNCTION part._index_definition(p_index regclass, p_extra_key text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_i     record;
    v_cols  text[] := '{}'::text[];
    v_incl  text[] := '{}'::text[];
    v_col   text;
    v_att   record;
    v_opt   integer;
BEGIN
/*
 * What follows "CREATE [UNIQUE] INDEX ON <table>" for an index like
 * p_index, built from the catalog (never by editing pg_get_indexdef's
 * text, which a column named "ref)x" would fool): USING <method>, the key
 * columns or expressions with their collation, operator class and order,
 * then p_extra_key (a column name, added as the last key column, quoted
 * here), INCLUDE, NULLS NOT DISTINCT, WITH (storage parameters) and WHERE.
 */
    SELECT i.indexrelid, i.indrelid, i.indnatts, i.indnkeyatts, i.indkey, i.indclass, i.indcollation, i.indoption,
           coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false) AS nulls_not_distinct,
           pg_get_expr(i.indpred, i.indrelid) AS pred, am.amname, c.reloptions
      INTO v_i
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_am am ON am.oid = c.relam
     WHERE i.indexrelid = p_index;
    FOR k IN 0 .. v_i.indnatts - 1 LOOP
        SELECT a.attname, a.attcollation INTO v_att
          FROM pg_attribute a WHERE a.attrelid = v_i.indrelid AND a.attnum = v_i.indkey[k];
        IF v_i.indkey[k] = 0 THEN
            v_col := '(' || pg_get_indexdef(v_i.indexrelid, k + 1, false) || ')';
        ELSE
            v_col := quote_ident(v_att.attname);
        END IF;
        IF k >= v_i.indnkeyatts THEN
            v_incl := v_incl || v_col;
            CONTINUE;
        END IF;
        IF v_i.indcollation[k] <> 0 AND (v_i.indkey[k] = 0 OR v_i.indcollation[k] <> v_att.attcollation) THEN
            v_col := v_col || (SELECT format(' COLLATE %I.%I', n.nspname, co.collname)
                                 FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
                                WHERE co.oid = v_i.indcollation[k]);
        END IF;
        v_col := v_col || (SELECT format(' %I.%I', n.nspname, oc.opcname)
                             FROM pg_opclass oc JOIN pg_namespace n ON n.oid = oc.opcnamespace
                            WHERE oc.oid = v_i.indclass[k]);
        v_opt := v_i.indoption[k];
        IF v_opt & 1 = 1 THEN
            v_col := v_col || ' DESC' || CASE WHEN v_opt & 2 = 0 THEN ' NULLS LAST' ELSE '' END;
        ELSIF v_opt & 2 = 2 THEN
            v_col := v_col || ' NULLS FIRST';
        END IF;
        v_cols := v_cols || v_col;
    END LOOP;
    IF p_extra_key IS NOT NULL THEN
        v_cols := v_cols || quote_ident(p_extra_key);
    END IF;
    RETURN format('USING %I (%s)', v_i.amname, array_to_string(v_cols, ', '))
        || CASE WHEN cardinality(v_incl) > 0 THEN format(' INCLUDE (%s)', array_to_string(v_incl, ', ')) ELSE '' END
        || CASE WHEN v_i.nulls_not_distinct THEN ' NULLS NOT DISTINCT' ELSE '' END
        || CASE WHEN v_i.reloptions IS NOT NULL
                THEN format(' WITH (%s)', (SELECT string_agg(format('%I = %L', split_part(o, '=', 1),
                                                                                                   substr(o, strpos(o, '=') + 1)), ', ')
                                                        FROM unnest(v_i.reloptions) o))
                ELSE '' END
        || CASE WHEN v_i.pred IS NOT NULL THEN format(' WHERE (%s)', v_i.pred) ELSE '' END;
END
$$;
