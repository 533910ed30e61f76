CREATE FUNCTION part._migrate_warnings(p_rel regclass, p_key text)
    RETURNS TABLE(message text, hint text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name  text := part._qualified(p_rel);
    v_pkey  text[];
BEGIN
/*
 * What moving p_rel into a table partitioned by p_key changes for the
 * application, as warnings (part.migrate_start raises them; pginstall plan
 * shows them before anything is done): the primary key and unique indexes
 * gain the partition key (so ON CONFLICT on the old columns fails after the
 * switch), a nullable key column, exclusion constraints that cannot follow.
 */
    SELECT array_agg(a.attname::text ORDER BY k.o) INTO v_pkey
      FROM pg_index i
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, o)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = p_rel AND i.indisprimary;
    IF v_pkey IS NOT NULL AND NOT p_key = ANY (v_pkey) THEN
        message := format('part: the primary key of %s becomes (%s) in the partitioned table: INSERT ... ON CONFLICT (%s) will fail after the switch',
                                     v_name, part._sql_columns(v_pkey || p_key), part._sql_columns(v_pkey));
        hint := format('Change such statements to ON CONFLICT (%s) before part.switch_reads.', part._sql_columns(v_pkey || p_key));
        RETURN NEXT;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = p_rel AND a.attname = p_key AND NOT a.attnotnull) THEN
        message := format('part: column "%s" of %s allows NULL, which the partitioned copy''s primary key does not: a row inserted with a NULL %s will fail',
                                     p_key, v_name, p_key);
        hint := format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL.', v_name, p_key);
        RETURN NEXT;
    END IF;
    RETURN QUERY
        SELECT CASE WHEN x.contype = 'x'
                    THEN format('part: exclusion constraint %I of %s is not copied: PostgreSQL enforces it only within one partition', c.relname, v_name)
                    WHEN i.indexprs IS NOT NULL
                    THEN format('part: unique index %I of %s is copied as a plain index: a unique index of a partitioned table must include the partition key', c.relname, v_name)
                    ELSE format('part: unique index %I of %s becomes unique with %I added in the partitioned table', c.relname, v_name, p_key) END,
               CASE WHEN x.contype = 'x' THEN 'Re-create it on the partitioned table if a per-partition constraint is enough.'
                    WHEN i.indexprs IS NOT NULL THEN 'Uniqueness of that expression is not enforced across partitions after the switch.'
                    ELSE 'Its columns alone are no longer unique across partitions; ON CONFLICT on them must name the partition key too.' END
          FROM pg_index i
          JOIN pg_class c ON c.oid = i.indexrelid
          LEFT JOIN pg_constraint x ON x.conindid = i.indexrelid AND x.conrelid = p_rel
         WHERE i.indrelid = p_rel AND NOT i.indisprimary
           AND (x.contype = 'x'
                OR (i.indisunique AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey[0:i.indnkeyatts - 1]) k(n)
                                                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
                                                   WHERE a.attname = p_key)))
         ORDER BY c.relname;
END
$$;
