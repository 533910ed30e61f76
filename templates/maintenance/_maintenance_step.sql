CREATE FUNCTION part._maintenance_step(p_run bigint, p_table regclass, p_parent text, p_kind text,
                                               p_commit boolean DEFAULT true,
                                               p_missing text[] DEFAULT NULL, p_i integer DEFAULT 1,
                                               OUT created integer, OUT drained integer, OUT moved bigint,
                                               OUT retired integer, OUT made text[], OUT more boolean)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_t0    timestamptz := clock_timestamp();
    v_made  text;
    v_r     record;
    v_cfg   part.config;
    v_dflt  boolean;
BEGIN
/*
 * One step of one kind of part.run_maintenance for one table (p_table, named
 * p_parent in part.config), logging an 'ok' row in part.maintenance_log per
 * partition it makes or fills; errors propagate (run_maintenance catches,
 * logs, commits and re-pins around every step, and calls it again while
 * more is true):
 *   create: the next partition ahead (with p_commit on a table with a default
 *           partition: one per call, its writers wait while it is made),
 *           else all missing ones at once. p_missing, when given, is what
 *           part._maintenance_plan found missing (the starts of the
 *           intervals, nearest first) and p_i the call's number: the call
 *           makes p_missing[p_i] directly and says more while p_missing has
 *           more, instead of a pass of part._create_ahead over the table's
 *           partitions per call and one last call that finds nothing (what
 *           made run_maintenance 1.5x the bare DDL per partition); when that
 *           interval cannot be made as planned (made meanwhile, or a
 *           partition overlaps it), the call falls back to part._create_ahead,
 *           which knows what to do and log;
 *   drain:  one interval of rows out of the default partition;
 *   split:  one step of the split of an attach migration's history partition
 *           (part.split_history: a copy batch, a check, the swap, or one partition in);
 *   retire: part.drop_old (which logs each partition itself).
 * Returns the counts of this step, the partitions made or filled (made:
 * analyzed by the caller after the commit that released their locks), and
 * more: whether another step of this kind has work to do.
 */
    created := 0; drained := 0; moved := 0; retired := 0; made := '{}'; more := false;
    CASE p_kind
    WHEN 'create' THEN
        v_dflt := p_commit AND EXISTS (SELECT 1 FROM pg_partitioned_table pt WHERE pt.partrelid = p_table AND pt.partdefid <> 0);
        IF v_dflt AND p_missing[p_i] IS NOT NULL THEN
            v_cfg := part._config_row(p_table);
            v_made := part._create_range_partition(p_table, p_missing[p_i],
                          part._range_next(p_missing[p_i], v_cfg.key_type::regtype, v_cfg."interval", v_cfg.time_zone),
                          p_known_free => true);   -- checked again under its lock
            IF v_made IS NOT NULL THEN
                INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, duration, outcome)
                VALUES (p_run, p_parent, 'create', v_made, clock_timestamp() - v_t0, 'ok');
                made := ARRAY[v_made];
                created := 1;
                more := p_i < cardinality(p_missing);
                RETURN;
            END IF;
        END IF;
        FOR v_made IN SELECT x FROM part._create_ahead(NULL, p_table, CASE WHEN p_commit THEN 1 END, false) x LOOP
            INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, duration, outcome)
            VALUES (p_run, p_parent, 'create', v_made, clock_timestamp() - v_t0, 'ok');
            made := made || v_made;
            v_t0 := clock_timestamp();
        END LOOP;
        created := cardinality(made);
        -- a call that made nothing, or everything (no limit without a default partition)
        more := created > 0 AND v_dflt;
    WHEN 'drain' THEN
        FOR v_r IN SELECT * FROM part._drain_default(p_table, 1) LOOP
            made := made || v_r.partition_name;
            INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, rows_moved,
                                                      duration, outcome, detail)
            VALUES (p_run, p_parent, 'drain', v_r.partition_name, v_r.rows_moved,
                    clock_timestamp() - v_t0, 'ok', 'rows moved out of the default partition');
            drained := drained + 1;   -- a partition made to hold rows of the default:
            created := created + 1;   -- created too
            moved := moved + v_r.rows_moved;
        END LOOP;
        more := drained > 0;
    WHEN 'split' THEN
        FOR v_r IN SELECT * FROM part.split_history(p_parent) LOOP
            INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, rows_moved,
                                                      duration, outcome, detail)
            VALUES (p_run, p_parent, 'split', v_r.partition_name, v_r.rows_moved,
                    clock_timestamp() - v_t0, 'ok',
                    CASE v_r.step
                        WHEN 'start'    THEN 'split of the history partition (attach migration) started: its copy made, kept in step by triggers'
                        WHEN 'copy'     THEN 'rows of the history partition copied (attach migration)'
                        WHEN 'check'    THEN 'interval of the history partition''s copy checked: it matches'
                        WHEN 'recopy'   THEN 'interval of the history partition''s copy differed: copied again'
                        WHEN 'swap'     THEN 'the history partition''s copy replaced it (catalog only)'
                        WHEN 'drop'     THEN 'the history partition, replaced by its copy, dropped'
                        WHEN 'flatten'  THEN 'partition of the history''s copy moved into the table (catalog only)'
                        ELSE 'the history partition was empty: dropped' END);
            IF v_r.step = 'flatten' AND v_r.partition_name IS NOT NULL THEN
                made := made || v_r.partition_name;
                created := created + 1;
            END IF;
            moved := moved + v_r.rows_moved;
            more := true;
        END LOOP;
    WHEN 'retire' THEN
        SELECT count(*) INTO retired FROM part.drop_old(NULL, p_parent);
    ELSE
        RAISE EXCEPTION 'part._maintenance_step: unknown step kind %', quote_nullable(p_kind)
            USING ERRCODE = '22023', HINT = 'Pass one of create, drain, split, retire.';
    END CASE;
END
$$;
