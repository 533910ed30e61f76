-- part._require_phase, the one phase guard of the migration routines: for every routine and
-- every phase a migration can be in (copy: dual_write before and after the backfill,
-- backfilled, partitioned, finalized; attach: preparing, prepared, partitioned, finalized) it
-- says go on, stop (nothing to do, a NOTICE), or refuses with 55000 and a HINT: never no rule.
-- The texts are the routines' own (see the messages below), built in one place.
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SELECT plan(7);

-- go / stop / SQLSTATE with(out) hint / SQLSTATE: message | hint, for the migration of the setup in another phase
CREATE FUNCTION pg_temp.guard(p_action text, p_phase text, p_method text, p_backfilled boolean, p_texts boolean DEFAULT false)
    RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_m part.migration;
    v_state text; v_msg text; v_hint text;
BEGIN
    SELECT * INTO v_m FROM part.migration;
    v_m.phase := p_phase; v_m.method := p_method;
    v_m.backfill_finished_at := CASE WHEN p_backfilled THEN now() END;
    RETURN CASE WHEN part._require_phase(v_m, p_action) THEN 'go' ELSE 'stop' END;
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_hint = PG_EXCEPTION_HINT;
    IF p_texts THEN
        RETURN v_state || ': ' || v_msg || ' | ' || coalesce(v_hint, '');
    END IF;
    RETURN v_state || CASE WHEN coalesce(v_hint, '') <> '' THEN ' with hint' ELSE ' without hint' END;
END
$$;

SELECT results_eq(
    $$SELECT a, string_agg(replace(pg_temp.guard(a, p, mth, bf), '55000 with hint', 'E'), ' ' ORDER BY o)
        FROM unnest(ARRAY['switch_reads', 'rollback', 'migrate_to rollback', 'finalize', 'migrate_cancel', 'migrate_refresh',
                          'backfill', 'check_parity', 'parity_diff', 'attach_prepare', 'split_history']) a,
             (VALUES (1, 'dual_write', 'copy', false), (2, 'dual_write', 'copy', true), (3, 'backfilled', 'copy', true),
                     (4, 'partitioned', 'copy', true), (5, 'finalized', 'copy', true),
                     (6, 'preparing', 'attach', false), (7, 'prepared', 'attach', false),
                     (8, 'partitioned', 'attach', false), (9, 'finalized', 'attach', false)) v(o, p, mth, bf)
       GROUP BY a ORDER BY a$$,
    $$VALUES ('attach_prepare',      'go go go stop stop go go stop stop'),
             ('backfill',            'go go stop stop stop stop stop stop stop'),
             ('check_parity',        'go go go go E go go go E'),
             ('finalize',            'E E E go stop E E go stop'),
             ('migrate_cancel',      'go go go E E go go E E'),
             ('migrate_refresh',     'go go go go E go go go E'),
             ('migrate_to rollback', 'E E stop go E E E go E'),
             ('parity_diff',         'go go go go E go go go E'),
             ('rollback',            'E E stop go E stop stop go E'),
             ('split_history',       'E E E go stop E E go stop'),
             ('switch_reads',        'E E go stop E go go stop E')$$,
    'every routine in every phase: go on, nothing to do, or 55000 with a HINT');

SELECT is(pg_temp.guard('switch_reads', 'dual_write', 'copy', false, true),
          '55000: cannot switch public.revenues: it is in dual_write, not backfilled | Copy the existing rows first: CALL part.backfill(''public.revenues'').',
          'switch_reads before the backfill: the HINT says to backfill');
SELECT is(pg_temp.guard('switch_reads', 'dual_write', 'copy', true, true),
          '55000: cannot switch public.revenues: it is in dual_write, not backfilled | The backfill is done but parity is not clean: SELECT * FROM part.check_parity(''public.revenues''), then part.parity_diff(''public.revenues'').',
          'after it: the HINT says to check parity');
SELECT is(pg_temp.guard('finalize', 'prepared', 'attach', false, true),
          '55000: cannot finalize public.revenues: it is in prepared, not partitioned | Switch it first: SELECT part.switch_reads(''public.revenues'').',
          'finalize of an attach migration not switched yet: switch it first');
SELECT is(pg_temp.guard('split_history', 'finalized', 'attach', false), 'stop', 'split_history of a finalized migration: nothing left, quietly');
SELECT is(pg_temp.guard('no_such_routine', 'dual_write', 'copy', false), 'XX000 with hint', 'an action without rules is a defect of part');

-- through the routines: the texts are theirs
SELECT throws_ok($$SELECT part.rollback('public.revenues')$$, '55000',
                 'cannot roll back public.revenues: it is in dual_write and was never switched', 'part.rollback in dual_write');

SELECT * FROM finish();
ROLLBACK;
