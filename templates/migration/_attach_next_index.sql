CREATE FUNCTION part._attach_next_index(p_legacy regclass, p_part regclass)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_i      record;
    v_prefix text;
    v_name   text;
    v_pk     record;
BEGIN
/*
 * The next statement that must run (outside a transaction block, so part
 * cannot run it) before the legacy table p_legacy can be attached to
 * p_part without ATTACH building an index under its lock: for an index of
 * the parent with no valid index of the same shape on the legacy table,
 * DROP INDEX CONCURRENTLY of an invalid one of that shape (a build that was
 * interrupted) or CREATE [UNIQUE] INDEX CONCURRENTLY of it. Then, when the
 * legacy table's primary key is not the parent's, a stand-in for it: a
 * unique index of its shape backing no constraint (the switch gives the
 * legacy table's primary key to the prepared index, as PostgreSQL wants,
 * and the stand-in keeps its columns unique; a rollback makes the stand-in
 * the primary key again). NULL when nothing is missing.
 */
    FOR v_i IN
        SELECT i.indexrelid, i.indisunique, ic.relname,
               part._attach_index_shape(i.indexrelid) AS shape, pg_get_indexdef(i.indexrelid) AS def
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = p_part
         ORDER BY i.indisprimary DESC, ic.relname
    LOOP
        CONTINUE WHEN EXISTS (SELECT 1 FROM pg_index l
                               WHERE l.indrelid = p_legacy AND l.indisvalid AND l.indisready
                                 AND part._attach_index_shape(l.indexrelid) = v_i.shape);
        SELECT format('DROP INDEX CONCURRENTLY %s', l.indexrelid::regclass) INTO v_name
          FROM pg_index l
         WHERE l.indrelid = p_legacy AND NOT (l.indisvalid AND l.indisready)
           AND part._attach_index_shape(l.indexrelid) = v_i.shape
         LIMIT 1;
        IF v_name IS NOT NULL THEN
            RETURN v_name;
        END IF;
        v_prefix := format('CREATE %sINDEX %I ON ONLY %s ', CASE WHEN v_i.indisunique THEN 'UNIQUE ' ELSE '' END,
                                      v_i.relname, p_part);
        IF pg_catalog.left(v_i.def, length(v_prefix)) <> v_prefix THEN
            RAISE EXCEPTION 'cannot read the definition of index % of %: %', v_i.relname, p_part, v_i.def
                USING ERRCODE = 'XX000', HINT = 'Create an index of the same definition on the legacy table yourself (CONCURRENTLY), then run part.attach_prepare again.';
        END IF;
        v_name := part._partition_name((SELECT c.relname FROM pg_class c WHERE c.oid = p_legacy),
                                               'attach_' || pg_catalog.left(md5(v_i.shape), 8));
        RETURN format('CREATE %sINDEX CONCURRENTLY %I ON %s %s', CASE WHEN v_i.indisunique THEN 'UNIQUE ' ELSE '' END,
                                 v_name, p_legacy, substr(v_i.def, length(v_prefix) + 1));
    END LOOP;

    SELECT l.indexrelid, ic.relname, part._attach_index_shape(l.indexrelid) AS shape,
           pg_get_indexdef(l.indexrelid) AS def
      INTO v_pk
      FROM pg_index l JOIN pg_class ic ON ic.oid = l.indexrelid
     WHERE l.indrelid = p_legacy AND l.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_index p
                        WHERE p.indrelid = p_part AND p.indisprimary
                          AND part._attach_index_shape(p.indexrelid) = part._attach_index_shape(l.indexrelid));
    IF v_pk.indexrelid IS NULL OR EXISTS (
            SELECT 1 FROM pg_index l
             WHERE l.indrelid = p_legacy AND l.indisvalid AND l.indisready AND l.indexrelid <> v_pk.indexrelid
               AND NOT EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = l.indexrelid AND x.conrelid = p_legacy)
               AND part._attach_index_shape(l.indexrelid) = v_pk.shape) THEN
        RETURN NULL;
    END IF;
    SELECT format('DROP INDEX CONCURRENTLY %s', l.indexrelid::regclass) INTO v_name
      FROM pg_index l
     WHERE l.indrelid = p_legacy AND NOT (l.indisvalid AND l.indisready)
       AND part._attach_index_shape(l.indexrelid) = v_pk.shape
     LIMIT 1;
    IF v_name IS NOT NULL THEN
        RETURN v_name;
    END IF;
    v_prefix := format('CREATE UNIQUE INDEX %I ON %s ', v_pk.relname, p_legacy);
    IF pg_catalog.left(v_pk.def, length(v_prefix)) <> v_prefix THEN
        RAISE EXCEPTION 'cannot read the definition of the primary key % of %: %', v_pk.relname, p_legacy, v_pk.def
            USING ERRCODE = 'XX000', HINT = 'Create a unique index of the same definition on the legacy table yourself (CONCURRENTLY), then run part.attach_prepare again.';
    END IF;
    RETURN format('CREATE UNIQUE INDEX CONCURRENTLY %I ON %s %s',
                             part._partition_name((SELECT c.relname FROM pg_class c WHERE c.oid = p_legacy),
                                                          'attach_pk_' || pg_catalog.left(md5(v_pk.shape), 8)),
                             p_legacy, substr(v_pk.def, length(v_prefix) + 1));
END
$$;
