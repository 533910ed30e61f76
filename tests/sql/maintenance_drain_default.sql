-- Rows in the default partition get partitions made for them by maintenance (part._drain_default),
-- one interval at a time; rows older than the retention stay; nothing is lost.
BEGIN;
\ir _helpers.psql
SELECT plan(10);

CREATE TABLE public.revenues (id int, occurred_at timestamptz NOT NULL, amount int, PRIMARY KEY (id, occurred_at))
    PARTITION BY RANGE (occurred_at);
SELECT part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month', p_retention => '6 months');
INSERT INTO public.revenues
SELECT g, now() + interval '1 year' + g * interval '1 minute', g FROM generate_series(1, 50) g   -- far future
UNION ALL SELECT 100 + g, now() - interval '3 months' + g * interval '1 minute', g FROM generate_series(1, 30) g  -- past, kept
UNION ALL SELECT 200 + g, now() - interval '2 years' + g * interval '1 minute', g FROM generate_series(1, 7) g;  -- older than retention
SELECT is((SELECT count(*)::int FROM ONLY public.revenues_default), 87, 'all 87 rows sit in the default partition');
SELECT sum(amount) AS total, count(*) AS n FROM public.revenues \gset

SELECT results_eq($$SELECT partition_name, rows_moved FROM part._drain_default('public.revenues'::regclass, 1)$$,
                  $$VALUES ('public.revenues_' || pg_temp.month_suffix(-3), 30::bigint)$$,
                  'one interval per call when asked: the oldest kept interval first, with its rows');
SELECT results_eq($$SELECT partition_name, rows_moved FROM part._drain_default('public.revenues'::regclass)$$,
                  $$VALUES ('public.revenues_' || pg_temp.month_suffix(12), 50::bigint)$$,
                  'then the far-future interval');
SELECT is_empty($$SELECT * FROM part._drain_default('public.revenues'::regclass)$$, 'a second drain finds nothing to move');
SELECT is((SELECT count(*)::int FROM ONLY public.revenues_default), 7, 'only the rows older than the retention stay in the default');
SELECT is((SELECT count(*)::int FROM ONLY public.revenues_default WHERE occurred_at >= now() - interval '6 months'), 0,
          'no row newer than the retention is left behind');
SELECT results_eq($$SELECT count(*), sum(amount) FROM public.revenues$$, format($$VALUES (%s::bigint, %s::bigint)$$, :'n', :'total'),
                  'no row lost or changed');
SELECT is(pg_get_expr(c.relpartbound, c.oid),
          format('FOR VALUES FROM (%L) TO (%L)', (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '12 months') AT TIME ZONE 'UTC',
                 (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '13 months') AT TIME ZONE 'UTC'),
          'the drained rows got an aligned monthly partition')
  FROM pg_class c WHERE c.oid = ('public.revenues_' || pg_temp.month_suffix(12))::regclass;

-- an integer key, no retention: every interval holding rows gets its partition
CREATE TABLE public.ev (id bigint NOT NULL, v int) PARTITION BY RANGE (id);
SELECT part.create_partitioned('public.ev', 'id', 'range', '1000', p_premake => 0);
INSERT INTO public.ev VALUES (5, 1), (1000000, 2), (-20, 3);
SELECT set_eq($$SELECT partition_name FROM part._drain_default('public.ev'::regclass)$$,
              $$VALUES ('public.ev_m1000'), ('public.ev_1000000')$$, 'integer keys: one partition per interval holding rows');
SELECT is((SELECT count(*)::int FROM ONLY public.ev_default), 0, 'the default is empty');

SELECT * FROM finish();
ROLLBACK;
