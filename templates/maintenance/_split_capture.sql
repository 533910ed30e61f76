CREATE FUNCTION part._split_capture()
    RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * Trigger on a hash partition being split: records the partition key of
 * every row written (TG_ARGV[0] names the key column), or NULL for a
 * TRUNCATE, so that part.split_hash re-copies those keys under its lock.
 */
    -- SECURITY DEFINER (writers need no privilege on part.split_log), not executable by PUBLIC, and
    -- only as part's own trigger on a partition of a table part manages
    IF TG_NAME NOT IN ('part_split_capture', 'part_split_capture_truncate')
       OR NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN part.config c
                                 ON c.parent_table = part._qualified(i.inhparent)
                       WHERE i.inhrelid = TG_RELID AND c.strategy = 'hash') THEN
        RAISE EXCEPTION 'part._split_capture fired as trigger % on %.%, which part did not create', TG_NAME, TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = '42501', HINT = 'Drop that trigger: part._split_capture serves only part.split_hash.';
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO part.split_log VALUES (TG_RELID, NULL);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO part.split_log VALUES (TG_RELID, to_jsonb(OLD) ->> TG_ARGV[0]);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO part.split_log VALUES (TG_RELID, to_jsonb(NEW) ->> TG_ARGV[0]);
    END IF;
    RETURN NULL;
END
$$;
