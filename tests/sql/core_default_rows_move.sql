-- Rows waiting in the default partition move into the partition created for
-- them, in the same call: creating a partition never fails because of them.
BEGIN;
\ir _helpers.psql
SELECT plan(9);

CREATE TABLE public.expenses (id bigint NOT NULL, org_id int NOT NULL, occurred_at timestamptz NOT NULL, note text,
                              PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at);
SELECT ok((SELECT count(*) FROM part.create_partitioned('public.expenses', 'occurred_at', 'range', '1 month', p_premake => 0)) = 2,
          'default and current partitions');
-- 30 rows four months ahead, 5 rows eight months ahead: all in the default for now
INSERT INTO public.expenses
SELECT g, g % 3, date_trunc('month', now()) + interval '4 months' + g * interval '1 hour', 'ahead' FROM generate_series(1, 30) g;
INSERT INTO public.expenses
SELECT 100 + g, 1, date_trunc('month', now()) + interval '8 months 2 days' + g * interval '1 hour', 'far' FROM generate_series(1, 5) g;
SELECT is((SELECT count(*)::int FROM ONLY public.expenses_default), 35, 'rows wait in the default partition');

SELECT is((SELECT count(*)::int FROM part.create_ahead(5)), 5, 'create_ahead(5) makes five partitions despite the rows');
SELECT is((SELECT count(*)::int FROM ONLY public.expenses_default), 5, 'the 30 rows moved out of the default');
SELECT is((SELECT count(*)::int FROM public.expenses WHERE note = 'ahead'
             AND tableoid = format('public.%I', 'expenses_' || pg_temp.month_suffix(4))::regclass), 30,
          'into the partition of their month');
SELECT is((SELECT count(*)::int FROM public.expenses), 35, 'no row lost or doubled');
SELECT is((SELECT count(*)::int FROM part.create_ahead(8)), 3, 'further ahead: the far rows move too');
SELECT is((SELECT count(*)::int FROM public.expenses), 35, 'still no row lost or doubled');
SELECT is(pg_relation_size('public.expenses_default'), 0::bigint, 'the emptied default gives its space back at once');
SELECT * FROM finish();
ROLLBACK;
