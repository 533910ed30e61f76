-- Yielding to production (part._yield_reason / part._yield_wait): the settings and their bounds,
-- no reason to pause on a quiet server, the pause columns of part.migrations, verify()'s check
-- "yield", and no pause inside a caller's transaction (p_commit => false). Pauses under real load
-- (a standby's replay paused, sessions queued for a lock) are in tests/py/test_yield.py.
BEGIN;
\ir _helpers.psql
SELECT plan(22);

SELECT is(part.setting('yield_max_replay_lag'), '', 'replay lag: off by default');
SELECT is(part.setting('yield_on_lock_queue'), 'true', 'lock queue: on by default');
SELECT is(part.setting('yield_max_wait'), '5 minutes', 'a pause is long after 5 minutes by default');
SELECT is(part.set_setting('yield_max_replay_lag', ' 64MB '), '64MB', 'a size is accepted');
SELECT is(part.set_setting('yield_max_wait', '30 seconds'), '30 seconds', 'an interval is accepted');
SELECT is(part.set_setting('yield_on_lock_queue', 'off'), 'false', 'a boolean is accepted');
SELECT pg_temp.catalog_state() AS before \gset
SELECT is(pg_temp.error_of($$SELECT part.set_setting('yield_max_replay_lag', 'a lot')$$), '22023 with hint', 'not a size: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('yield_max_replay_lag', '100')$$), '22023 with hint', 'under 1kB: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('yield_max_replay_lag', '2TB')$$), '22023 with hint', 'over 1TB: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('yield_max_replay_lag', '-1MB')$$), '22023 with hint', 'negative: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('yield_max_wait', '0')$$), '22023 with hint', 'a zero wait: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('yield_max_wait', '100 milliseconds')$$), '22023 with hint', 'under a second: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('yield_max_wait', '2 days')$$), '22023 with hint', 'over a day: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('yield_on_lock_queue', 'sometimes')$$), '22023 with hint', 'not a boolean: 22023');
SELECT is(pg_temp.catalog_state(), :'before', 'the refused values changed nothing');
SELECT is(part.set_setting('yield_max_replay_lag', ''), '', ''''' turns the replay lag check off');

-- a quiet server: no standby, nobody queued
CREATE TABLE public.orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL);
INSERT INTO public.orders SELECT g, timestamptz '2025-01-01 00:00+00' + g * interval '1 hour' FROM generate_series(1, 500) g;
SELECT part.set_setting('yield_on_lock_queue', 'on');
SELECT part.set_setting('yield_max_replay_lag', '1kB');
SELECT is(part._yield_reason(ARRAY['public.orders'::regclass]), NULL, 'no reason to pause on a quiet server');
SELECT part.migrate_start('public.orders', 'placed_at', 'range', '1 month');
CALL part.backfill('public.orders', 100, p_commit => false);
SELECT results_eq($$SELECT backfill_rows, backfill_finished_at IS NOT NULL, paused_since, pause_reason FROM part.migrations$$,
                  $$VALUES (500::bigint, true, NULL::timestamptz, NULL::text)$$,
                  'the backfill ran through; part.migrations shows no pause');
SELECT is_empty($$SELECT * FROM part.pause$$, 'no pause recorded');
SELECT results_eq($$SELECT table_name, status, detail FROM part.verify() WHERE check_name = 'yield'$$,
                  $$VALUES (NULL::text, 'ok'::text, 'nothing paused for production (yield_on_lock_queue true, yield_max_replay_lag 1kB)'::text)$$,
                  'verify(): nothing paused');

-- a pause another session is in (recorded as part._yield_wait does): shown, and warned about past yield_max_wait
INSERT INTO part.pause (table_name, work, since, reason, pid, backend_start, checked_at)
SELECT 'public.orders', 'backfill', now() - interval '1 hour', 'lock queue: 1 session waiting for a lock on public.orders', a.pid, a.backend_start, now()
  FROM pg_stat_activity a WHERE a.pid = pg_backend_pid();
SELECT results_eq($$SELECT status, detail LIKE 'backfill paused since % (01:00:00; pid %): lock queue: 1 session waiting for a lock on public.orders; longer than yield_max_wait (00:00:30)%'
                    FROM part.verify() WHERE check_name = 'yield'$$,
                  $$VALUES ('warn'::text, true)$$, 'verify(): a pause longer than yield_max_wait warns, with its reason');
UPDATE part.pause SET pid = 0;
SELECT results_eq($$SELECT pause_reason FROM part.migrations UNION ALL SELECT status FROM part.verify() WHERE check_name = 'yield'$$,
                  $$VALUES (NULL::text), ('ok')$$, 'the pause of a session that has ended is not shown');
SELECT * FROM finish();
ROLLBACK;
