-- Keys at the ends of their type (the bigint extremes, infinity): part.verify() still works for
-- the whole database and reports them; drains move every other row and never fail on them.
BEGIN;
\ir _helpers.psql
SET client_min_messages = error;
SELECT plan(12);
CREATE TABLE public.ids (id bigint NOT NULL) PARTITION BY RANGE (id);
SELECT part.create_partitioned('public.ids', 'id', 'range', '10', p_premake => 1);
CREATE TABLE public.events (id int, at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT part.create_partitioned('public.events', 'at', 'range', '1 month', p_premake => 1);
INSERT INTO public.ids VALUES (9223372036854775807), (-9223372036854775808), (55), (1234);
INSERT INTO public.events VALUES (1, 'infinity'), (2, '-infinity'), (3, '2020-01-05'), (4, '2021-06-30');

SELECT lives_ok($$SELECT * FROM part.verify()$$, 'verify works with a row at 9223372036854775807');
SELECT is((SELECT status FROM part.verify() WHERE check_name = 'default_empty' AND table_name = 'public.ids'), 'fail', 'and reports the rows');
CALL part.run_maintenance(p_commit => false);
SELECT is((SELECT outcome FROM part.maintenance_log WHERE action = 'run'), 'ok', 'the maintenance run does not fail');
SELECT is((SELECT count(*)::int FROM part.maintenance_log WHERE outcome = 'failed'), 0, 'no step failed');
SELECT set_eq($$SELECT id FROM ONLY public.ids_default$$, $$VALUES (9223372036854775807::bigint), (-9223372036854775808)$$,
              'the other rows of ids were drained, the extremes stay in the default');
SELECT set_eq($$SELECT id FROM ONLY public.events_default$$, $$VALUES (1), (2)$$,
              'the other rows of events were drained, infinity and -infinity stay in the default');
SELECT is((SELECT count(*)::int FROM public.ids), 4, 'no row of ids lost');
SELECT ok((SELECT detail FROM part.verify() WHERE check_name = 'default_empty' AND table_name = 'public.ids')
          LIKE '2 rows in public.ids_default have keys no partition of part can hold (-9223372036854775808, 9223372036854775807;%',
          'verify names the keys no partition of part can hold');
SELECT ok((SELECT detail FROM part.verify() WHERE check_name = 'default_empty' AND table_name = 'public.events')
          LIKE '2 rows in public.events_default have keys no partition of part can hold (-infinity, infinity;%MAXVALUE%',
          'and says what to do');
SELECT is((SELECT status FROM part.verify() WHERE check_name = 'partitions_ahead' AND table_name = 'public.ids'), 'ok',
          'partitions ahead are judged from the largest key a partition can hold');

-- a key next to the extreme: its interval is exact (numeric division would round it into the next one)
INSERT INTO public.ids VALUES (9223372036854775795);
SELECT is((SELECT part.create_ahead(0, 'public.ids')), 'public.ids_9223372036854775790', 'the interval of 9223372036854775795 starts at ...790');
CALL part.run_maintenance(p_commit => false);
SELECT is((SELECT count(*)::int FROM part.maintenance_log WHERE outcome = 'failed'), 0, 'and a second run fails nowhere either');
SELECT * FROM finish();
ROLLBACK;
