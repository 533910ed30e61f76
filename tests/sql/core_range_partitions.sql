-- create_partitioned and create_ahead on a monthly timestamptz table: names,
-- default partition, premake, idempotence, indexes, config row.
BEGIN;
\ir _helpers.psql
SELECT plan(17);

CREATE TABLE public.revenues (
    id          bigserial,
    org_id      integer NOT NULL,
    occurred_at timestamptz NOT NULL,
    amount      numeric(12, 2),
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX revenues_org_idx ON public.revenues (org_id, occurred_at);

SELECT is(
    (SELECT array_agg(x ORDER BY x) FROM part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 2) x),
    ARRAY['public.revenues_' || pg_temp.month_suffix(0), 'public.revenues_' || pg_temp.month_suffix(1),
          'public.revenues_' || pg_temp.month_suffix(2), 'public.revenues_default'],
    'create_partitioned makes the default partition, the current month and premake months ahead');
SELECT is_partitioned('public', 'revenues', 'the table is partitioned');
SELECT partitions_are('public', 'revenues',
    ARRAY['revenues_' || pg_temp.month_suffix(0), 'revenues_' || pg_temp.month_suffix(1),
          'revenues_' || pg_temp.month_suffix(2), 'revenues_default'], 'exactly those partitions');
SELECT results_eq(
    $$SELECT strategy, key_column, key_type, "interval", premake, default_partition, retention_mode FROM part.config$$,
    $$VALUES ('range', 'occurred_at', 'timestamp with time zone', '1 month', 2, true, 'detach')$$,
    'part.config records the table');
SELECT is_empty($$SELECT * FROM part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 2)$$,
    'create_partitioned again creates nothing');
SELECT is((SELECT count(*)::int FROM part.config), 1, 'and keeps one config row');

SELECT is((SELECT array_agg(x ORDER BY x) FROM part.create_ahead(4) x),
    ARRAY['public.revenues_' || pg_temp.month_suffix(3), 'public.revenues_' || pg_temp.month_suffix(4)],
    'create_ahead(4) adds the missing months only');
SELECT is_empty($$SELECT * FROM part.create_ahead(4)$$, 'create_ahead(4) again creates nothing');
SELECT is_empty($$SELECT * FROM part.create_ahead(3, 'revenues')$$, 'create_ahead for one table (unqualified) creates nothing either');
SELECT is_empty($$SELECT * FROM part.create_ahead(0)$$, 'create_ahead(0) creates nothing');

SELECT has_index('public', 'revenues_' || pg_temp.month_suffix(4), 'revenues_' || pg_temp.month_suffix(4) || '_org_id_occurred_at_idx',
                 'a new partition gets the parent''s index');
SELECT has_pk('public', 'revenues_' || pg_temp.month_suffix(4), 'a new partition gets the primary key');

SELECT results_eq(
    $$SELECT bound_from, bound_to FROM part.partitions WHERE partition_name = 'public.revenues_' || pg_temp.month_suffix(1)$$,
    $$SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month', 'YYYY-MM-DD HH24:MI:SS') || '+00',
             to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months', 'YYYY-MM-DD HH24:MI:SS') || '+00'$$,
    'part.partitions shows the bounds in UTC');
SELECT is((SELECT count(*)::int FROM part.partitions WHERE is_default), 1, 'part.partitions shows the default partition');

INSERT INTO public.revenues (org_id, occurred_at, amount) VALUES (1, now(), 10), (2, now() + interval '1 month', 20);
SELECT is((SELECT count(*)::int FROM ONLY public.revenues_default), 0, 'current rows land in their partition');

-- A hole (partition dropped by hand) is filled again, with nothing else touched.
SELECT lives_ok(format('DROP TABLE public.%I', 'revenues_' || pg_temp.month_suffix(3)), 'drop one partition by hand');
SELECT is((SELECT array_agg(x) FROM part.create_ahead(4) x), ARRAY['public.revenues_' || pg_temp.month_suffix(3)],
          'create_ahead fills the hole and nothing else');
SELECT * FROM finish();
ROLLBACK;
