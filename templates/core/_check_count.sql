CREATE FUNCTION part._check_count(p_what text, p_value bigint)
    RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- the one home of these bounds: what a call can do under its locks in seconds, not minutes
    v_lo bigint := CASE p_what WHEN 'premake' THEN 0 WHEN 'partitions' THEN 1 WHEN 'batch_size' THEN 1 END;
    v_hi bigint := CASE p_what WHEN 'premake' THEN 1000 WHEN 'partitions' THEN 1024 WHEN 'batch_size' THEN 1000000 END;
BEGIN
/*
 * Check a count setting against its bounds (22023 outside them):
 *   premake (and create_ahead's p_count): 0 to 1000 intervals ahead;
 *   partitions (hash, and split_hash's new count): 1 to 1024;
 *   batch_size (backfill): 1 to 1,000,000 rows.
 * Each partition is created under a lock on the parent: ten thousand of
 * them would hold writers for minutes.
 */
    IF v_lo IS NULL THEN
        RAISE EXCEPTION 'part._check_count: unknown count "%"', p_what
            USING ERRCODE = '22023', HINT = 'Check premake, partitions or batch_size.';
    END IF;
    IF p_value IS NULL OR p_value < v_lo OR p_value > v_hi THEN
        RAISE EXCEPTION '% must be between % and %, not %', p_what, v_lo, v_hi, coalesce(p_value::text, 'NULL')
            USING ERRCODE = '22023',
                  HINT = CASE p_what
                      WHEN 'premake' THEN 'Pass how many intervals ahead to keep, e.g. 3; for more, use a longer interval.'
                      WHEN 'partitions' THEN 'Pass a hash partition count such as 16 or 64.'
                      ELSE 'Pass how many rows a backfill batch copies, e.g. 10000.' END;
    END IF;
END
$$;
