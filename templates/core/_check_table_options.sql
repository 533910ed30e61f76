CREATE FUNCTION part._check_table_options(
    p_strategy          text,
    p_key_type          regtype,
    p_interval          text,
    p_partitions        integer,
    p_premake           integer,
    p_retention         text,
    p_retention_mode    text,
    p_default_partition boolean,
    p_batch_size        integer
)
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * Check the settings part.config records for a table (p_strategy already
 * checked to be 'range' or 'hash', p_key_type the key column's type), so
 * that part.create_partitioned and part.migrate_start refuse a bad one
 * before they change anything (migrate_start: before it locks the table,
 * creates the copy or warns). Bad values: 22023; a key type the strategy
 * cannot use: 42804 (part._interval_spec). The partition name prefix is
 * create_partitioned's own and checked there.
 */
    IF p_strategy = 'hash' THEN
        IF p_partitions IS NULL THEN
            RAISE EXCEPTION 'a hash-partitioned table needs a partition count'
                USING ERRCODE = '22023', HINT = 'Pass p_partitions => 16, for example.';
        END IF;
        PERFORM part._check_count('partitions', p_partitions);
        IF p_interval IS NOT NULL OR p_retention IS NOT NULL THEN
            RAISE EXCEPTION 'hash partitions have no interval and no retention'
                USING ERRCODE = '22023', HINT = 'Leave p_interval and p_retention NULL for a hash table.';
        END IF;
        IF p_default_partition THEN
            RAISE EXCEPTION 'a hash-partitioned table cannot have a default partition'
                USING ERRCODE = '22023', HINT = 'PostgreSQL does not allow it: leave p_default_partition unset for a hash table.';
        END IF;
    ELSE
        IF p_partitions IS NOT NULL THEN
            RAISE EXCEPTION 'a range-partitioned table has no partition count'
                USING ERRCODE = '22023', HINT = 'Leave p_partitions NULL and give p_interval, e.g. ''1 month''.';
        END IF;
        PERFORM part._interval_spec(p_interval, p_key_type);   -- raises 22023 / 42804
        IF p_retention IS NOT NULL THEN
            PERFORM part._check_retention(p_retention, p_key_type);
        END IF;
    END IF;
    PERFORM part._check_count('premake', p_premake);
    PERFORM part._check_count('batch_size', p_batch_size);
    IF p_retention_mode IS NULL OR p_retention_mode NOT IN ('drop', 'detach', 'archive') THEN
        RAISE EXCEPTION 'invalid retention mode "%"', p_retention_mode
            USING ERRCODE = '22023', HINT = 'Use ''drop'', ''detach'' or ''archive''.';
    END IF;
END
$$;
