CREATE FUNCTION {{ schema }}._split_capture()
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
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO {{ schema }}.split_log VALUES (TG_RELID, NULL);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO {{ schema }}.split_log VALUES (TG_RELID, pg_catalog.to_jsonb(OLD) ->> TG_ARGV[0]);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO {{ schema }}.split_log VALUES (TG_RELID, pg_catalog.to_jsonb(NEW) ->> TG_ARGV[0]);
    END IF;
    RETURN NULL;
END
$$;
