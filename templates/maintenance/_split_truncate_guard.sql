CREATE FUNCTION part._split_truncate_guard()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * part_split_truncate (BEFORE TRUNCATE, statement-level, ENABLE ALWAYS) on
 * the history partition of an attach migration while part.split_history
 * keeps its copy in step by row triggers, which a TRUNCATE does not fire:
 * the copy would keep the rows and bring them back at the swap. Refused,
 * with the way out. SECURITY INVOKER; no EXECUTE for anyone (firing a
 * trigger needs none).
 */
    RAISE EXCEPTION 'TRUNCATE of %.% is refused while maintenance splits it (its rows are being copied into partitions of their own)',
                    TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = '55000',
              HINT = 'Delete the rows instead (DELETE is kept in step), or wait until part.migrations shows the migration finalized.';
END
$$;
