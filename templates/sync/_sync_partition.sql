CREATE FUNCTION part._sync_partition(p_partition regclass)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m part.migration;
BEGIN
/*
 * Give a new partition the sync triggers of its parent's migration, if the
 * parent is the partitioned table of a migration that still syncs (called
 * by part._create_range_partition and part.split_hash after they attach a
 * partition): a write straight into that partition is then mirrored too.
 * The sync functions are regenerated as well (same names, no table lock).
 */
    SELECT m.* INTO v_m
      FROM pg_inherits i
      JOIN part.migration m ON m.partitioned_table = part._qualified(i.inhparent)
     WHERE i.inhrelid = p_partition AND m.phase <> 'finalized' AND m.method = 'copy';
    IF FOUND THEN
        -- the functions too: a hash split changes the partition count they group by
        PERFORM part._sync_function_create(v_m, 'partitioned');
        PERFORM part._sync_function_create(v_m, 'legacy');
        PERFORM part._sync_triggers(p_partition, part._sync_function_name(v_m.table_name, 'legacy'),
                                            'partition', false, true);
    END IF;
END
$$;
