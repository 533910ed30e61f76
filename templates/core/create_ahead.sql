CREATE FUNCTION part.create_ahead(p_count integer DEFAULT NULL, p_parent text DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_only regclass;
BEGIN
/*
 * For every managed range table (or only p_parent): make sure partitions
 * exist for the current interval and p_count more (default: the table's
 * premake), whether or not data arrived. Idempotent: returns the qualified
 * names it created, none on a second call. "Current" is now() in UTC for
 * time keys, and the interval holding the largest key (0 when empty) for
 * integer keys. Rows waiting in the default partition for a partition being
 * created move into it (see part._create_range_partition).
 *
 * On a table with a default partition, writers wait while a partition is
 * made (the rows of its range must not go to the default meanwhile), and
 * they keep waiting until this call's transaction ends: one call makes at
 * most 20 partitions of such a table (part._create_ahead's p_max_held), those nearest to now first, and a
 * WARNING says how many are left for CALL part.run_maintenance(), which
 * makes them one per transaction. Tables without a default partition get
 * all theirs: their writers never wait for a creation.
 *
 * An interval that a partition made by hand overlaps without covering it is
 * skipped, logged and reported by part.verify() (part._create_ahead).
 */
    PERFORM part._check_trust();
    IF p_count IS NOT NULL THEN
        PERFORM part._check_count('premake', p_count);   -- the bounds of premake
    END IF;
    IF p_parent IS NOT NULL THEN
        v_only := part._resolve_table(p_parent);
        IF (part._config_row(v_only)).strategy <> 'range' THEN
            RAISE EXCEPTION 'table % is hash-partitioned: it has no partitions to create ahead', p_parent
                USING ERRCODE = '42809', HINT = 'Use part.split_hash to change the number of hash partitions.';
        END IF;
    END IF;
    RETURN QUERY SELECT * FROM part._create_ahead(p_count, v_only);
END
$$;
COMMENT ON FUNCTION part.create_ahead IS
    'part: make sure every managed range table (or p_parent) has partitions for the current interval and p_count more (default: its premake), moving rows waiting in the default partition into them; returns the partitions it created (none on a second call).';
