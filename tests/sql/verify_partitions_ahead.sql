-- part.verify() check partitions_ahead: fails when a partition for now or premake ahead is
-- missing (time keys, integer keys, hash remainders), ok once maintenance made it.
BEGIN;
\ir _helpers.psql
SELECT plan(8);

CREATE TABLE public.revenues (id int, occurred_at timestamptz NOT NULL) PARTITION BY RANGE (occurred_at);
SELECT part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 2);
CREATE TABLE public.ev (id bigint NOT NULL) PARTITION BY RANGE (id);
SELECT part.create_partitioned('public.ev', 'id', 'range', '100', p_premake => 1);
CREATE TABLE public.h (org_id int) PARTITION BY HASH (org_id);
SELECT part.create_partitioned('public.h', 'org_id', 'hash', p_partitions => 3);

CREATE FUNCTION pg_temp.check(p_table text) RETURNS text LANGUAGE sql AS $$
    SELECT status FROM part.verify() WHERE check_name = 'partitions_ahead' AND table_name = p_table
$$;
SELECT is(pg_temp.check('public.revenues'), 'ok', 'time key: ok after create_partitioned');
SELECT format('DROP TABLE public.revenues_%s', pg_temp.month_suffix(2)) \gexec
SELECT is(pg_temp.check('public.revenues'), 'fail', 'time key: the last premake partition missing is a fail');
SELECT ok((SELECT detail FROM part.verify() WHERE check_name = 'partitions_ahead' AND table_name = 'public.revenues')
          LIKE '%' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months', 'YYYY-MM-DD') || '%',
          'the detail names the missing interval');
SELECT part.create_ahead();
SELECT is(pg_temp.check('public.revenues'), 'ok', 'time key: ok again after create_ahead');

-- integer key: "now" is the largest key
INSERT INTO public.ev VALUES (150);
SELECT is(pg_temp.check('public.ev'), 'fail', 'integer key: a key beyond the partitions ahead is a fail');
SELECT part.create_ahead();
SELECT is(pg_temp.check('public.ev'), 'ok', 'integer key: ok after create_ahead');

DROP TABLE public.h_1;
SELECT is(pg_temp.check('public.h'), 'fail', 'hash: a missing remainder is a fail');
CREATE TABLE public.h_1 PARTITION OF public.h FOR VALUES WITH (MODULUS 3, REMAINDER 1);
SELECT is(pg_temp.check('public.h'), 'ok', 'hash: ok with every remainder');

SELECT * FROM finish();
ROLLBACK;
