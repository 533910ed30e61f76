CREATE FUNCTION part._require_phase(p_m part.migration, p_action text)
    RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_r record;
BEGIN
/*
 * The phase guard of the public migration routines, in one place: may
 * p_action (the routine's name: switch_reads, rollback, finalize,
 * migrate_cancel, migrate_refresh, backfill, check_parity, parity_diff,
 * attach_prepare, split_history, or 'migrate_to rollback') run on migration
 * p_m in its phase? Returns true when it may go on; false when the phase it
 * leads to is reached already (a NOTICE '... nothing to ...' was raised,
 * except for split_history, which maintenance calls: the caller returns);
 * otherwise 55000 with the message and the HINT of the rule below. The
 * rules are read in order: the first whose action, phase (NULL: any),
 * method (NULL: any) and backfill state (NULL: any) match decides; no rule
 * is a defect of part (XX000). The texts take the table name (%1$s; %1$L
 * in a HINT), the phase (%2$s) and the history partition (%3$s).
 * A migration row missing altogether: 55000, as part._migration_row.
 */
    IF p_m.table_name IS NULL THEN
        RAISE EXCEPTION 'the table has no migration'
            USING ERRCODE = '55000',
                  HINT = 'Start one with part.migrate_start(<table>, <key column>, ''range'' | ''hash'', ...); see part.migrations.';
    END IF;
    SELECT r.kind, r.msg, r.hint INTO v_r
      FROM (VALUES
        -- action, phase, method, backfill done, kind (go | done | quiet | error), message, HINT
        (1, 'switch_reads', 'backfilled', NULL, NULL, 'go', NULL, NULL),
        (2, 'switch_reads', 'preparing', 'attach', NULL, 'go', NULL, NULL),
        (3, 'switch_reads', 'prepared', 'attach', NULL, 'go', NULL, NULL),
        (4, 'switch_reads', 'partitioned', NULL, NULL, 'done', 'part: %1$s is already partitioned: nothing to do', NULL),
        (5, 'switch_reads', 'finalized', NULL, NULL, 'error', 'the migration of %1$s is finalized',
            'It reads and writes the partitioned table already; there is no legacy table to switch from.'),
        (6, 'switch_reads', 'dual_write', NULL, false, 'error', 'cannot switch %1$s: it is in dual_write, not backfilled',
            'Copy the existing rows first: CALL part.backfill(%1$L).'),
        (7, 'switch_reads', 'dual_write', NULL, true, 'error', 'cannot switch %1$s: it is in dual_write, not backfilled',
            'The backfill is done but parity is not clean: SELECT * FROM part.check_parity(%1$L), then part.parity_diff(%1$L).'),

        (10, 'rollback', 'partitioned', NULL, NULL, 'go', NULL, NULL),
        (11, 'rollback', 'preparing', NULL, NULL, 'done', 'part: %1$s is %2$s: the legacy table is read and written already, nothing to roll back', NULL),
        (12, 'rollback', 'prepared', NULL, NULL, 'done', 'part: %1$s is %2$s: the legacy table is read and written already, nothing to roll back', NULL),
        (13, 'rollback', 'backfilled', NULL, NULL, 'done', 'part: %1$s is already backfilled (reads on the legacy table): nothing to roll back', NULL),
        (14, 'rollback', 'dual_write', NULL, NULL, 'error', 'cannot roll back %1$s: it is in dual_write and was never switched',
            'Reads and writes already go to the legacy table; to abandon the migration: SELECT part.migrate_cancel(%1$L).'),
        (15, 'rollback', 'finalized', NULL, NULL, 'error', 'cannot roll back %1$s: its migration is finalized and the legacy table is no longer synced',
            'Roll back before part.finalize; after it, the partitioned table is the only one kept up to date.'),

        (20, 'migrate_to rollback', 'partitioned', NULL, NULL, 'go', NULL, NULL),
        (21, 'migrate_to rollback', 'backfilled', NULL, NULL, 'done', 'part: %1$s: already rolled back (backfilled): nothing to do', NULL),
        (22, 'migrate_to rollback', 'finalized', NULL, NULL, 'error', 'cannot roll back %1$s: it is in %2$s, and rollback goes one phase back from partitioned',
            'After part.finalize the partitioned table is the only one kept up to date: there is no way back.'),
        (23, 'migrate_to rollback', NULL, NULL, NULL, 'error', 'cannot roll back %1$s: it is in %2$s, and rollback goes one phase back from partitioned',
            'Reads and writes already go to the legacy table; to abandon the migration: CALL part.migrate_to(%1$L, ''none'').'),

        (30, 'finalize', 'partitioned', NULL, NULL, 'go', NULL, NULL),
        (31, 'finalize', 'finalized', NULL, NULL, 'done', 'part: %1$s is already finalized: nothing to do', NULL),
        (32, 'finalize', 'dual_write', NULL, false, 'error', 'cannot finalize %1$s: it is in %2$s, not partitioned',
            'Copy the rows (CALL part.backfill(%1$L)), then switch: SELECT part.switch_reads(%1$L).'),
        (33, 'finalize', NULL, NULL, NULL, 'error', 'cannot finalize %1$s: it is in %2$s, not partitioned',
            'Switch it first: SELECT part.switch_reads(%1$L).'),

        (40, 'migrate_cancel', 'partitioned', NULL, NULL, 'error', 'cannot cancel the migration of %1$s: it is switched (partitioned)',
            'Roll it back first (SELECT part.rollback(%1$L): nothing written since the switch is lost), then cancel it.'),
        (41, 'migrate_cancel', 'finalized', NULL, NULL, 'error', 'cannot cancel the migration of %1$s: it is finalized',
            'The partitioned table is the only one kept up to date: there is no migration left to cancel.'),
        (42, 'migrate_cancel', NULL, NULL, NULL, 'go', NULL, NULL),

        (50, 'migrate_refresh', 'finalized', NULL, NULL, 'error', 'the migration of %1$s is finalized: there is no sync to refresh',
            'Nothing to do: the partitioned table is the only table now.'),
        (51, 'migrate_refresh', NULL, NULL, NULL, 'go', NULL, NULL),

        (60, 'backfill', 'dual_write', NULL, NULL, 'go', NULL, NULL),
        (61, 'backfill', NULL, NULL, NULL, 'done', 'part: %1$s is already %2$s: nothing to backfill', NULL),

        (70, 'check_parity', 'finalized', NULL, NULL, 'error', 'the migration of %1$s is finalized: there is no legacy table to compare with',
            'Parity is checked between dual_write and finalize.'),
        (71, 'check_parity', NULL, NULL, NULL, 'go', NULL, NULL),
        (72, 'parity_diff', 'finalized', NULL, NULL, 'error', 'the migration of %1$s is finalized: there is no legacy table to compare with',
            'Parity is checked between dual_write and finalize.'),
        (73, 'parity_diff', NULL, NULL, NULL, 'go', NULL, NULL),

        (80, 'attach_prepare', 'partitioned', NULL, NULL, 'done', 'part: %1$s is already %2$s: nothing to prepare', NULL),
        (81, 'attach_prepare', 'finalized', NULL, NULL, 'done', 'part: %1$s is already %2$s: nothing to prepare', NULL),
        (82, 'attach_prepare', NULL, NULL, NULL, 'go', NULL, NULL),

        (90, 'split_history', 'partitioned', NULL, NULL, 'go', NULL, NULL),
        (91, 'split_history', 'finalized', NULL, NULL, 'quiet', NULL, NULL),
        (92, 'split_history', NULL, NULL, NULL, 'error', 'cannot split the history of %1$s: it is %2$s, not switched yet',
            'Switch it first: SELECT part.switch_reads(%1$L).')
      ) AS r(n, action, phase, method, backfilled, kind, msg, hint)
     WHERE r.action = p_action
       AND (r.phase IS NULL OR r.phase = p_m.phase)
       AND (r.method IS NULL OR r.method = p_m.method)
       AND (r.backfilled IS NULL OR r.backfilled = (p_m.backfill_finished_at IS NOT NULL))
     ORDER BY r.n
     LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'part._require_phase: no rule for % in phase %', coalesce(p_action, 'NULL'), p_m.phase
            USING ERRCODE = 'XX000', HINT = 'This is a defect of part: report it with the output of SELECT * FROM part.migrations.';
    END IF;
    IF v_r.kind = 'go' THEN
        RETURN true;
    ELSIF v_r.kind = 'quiet' THEN
        RETURN false;
    ELSIF v_r.kind = 'done' THEN
        RAISE NOTICE '%', format(v_r.msg, p_m.table_name, p_m.phase, p_m.history_table);
        RETURN false;
    END IF;
    RAISE EXCEPTION '%', format(v_r.msg, p_m.table_name, p_m.phase, p_m.history_table)
        USING ERRCODE = '55000', HINT = format(v_r.hint, p_m.table_name);
END
$$;
COMMENT ON FUNCTION part._require_phase IS
    'part (private): the phase guard of the migration routines: true to go on, false when there is nothing to do (a NOTICE said so), else 55000 with the message and HINT for the action in that phase.';
