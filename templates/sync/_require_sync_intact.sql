CREATE FUNCTION part._require_sync_intact(p_table_name text, p_action text)
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_problem text := part._sync_problems(p_table_name);
BEGIN
/*
 * Refuse p_action (switch_reads, rollback, finalize) while the sync of a
 * migration is not intact (part._sync_problems): writes that were not
 * mirrored would be lost by the switch, or brought back by it.
 */
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION 'part.% of % refused: its sync is not intact (%)', p_action, p_table_name, v_problem
            USING ERRCODE = '55000',
                  HINT = format('Restore it with SELECT part.migrate_refresh(%L), compare the tables with SELECT * FROM part.check_parity(%L, p_full => true) (writes made meanwhile may be missing on one side), then try again.',
                                           p_table_name, p_table_name);
    END IF;
END
$$;
