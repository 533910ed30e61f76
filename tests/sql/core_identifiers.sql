-- Names with quotes, spaces, capitals or SQL in them work when valid and are
-- never executed; generated names over 63 bytes are shortened uniquely.
BEGIN;
\ir _helpers.psql
SELECT plan(9);

CREATE SCHEMA "Sales Data";
CREATE TABLE "Sales Data"."Daily Balances" ("Org Id" int NOT NULL, "When" timestamptz NOT NULL) PARTITION BY RANGE ("When");
SELECT lives_ok($$SELECT part.create_partitioned('"Sales Data"."Daily Balances"', 'When', 'range', '1 month', p_premake => 1)$$,
                'a schema and table with spaces and capitals');
SELECT is((SELECT parent_table FROM part.config), '"Sales Data"."Daily Balances"', 'recorded quoted, as SQL writes it');
SELECT ok(to_regclass(format('"Sales Data".%I', 'Daily Balances_' || pg_temp.month_suffix(1))) IS NOT NULL, 'partitions keep the exact name');

CREATE TABLE public."x'); DROP TABLE public.victim; --" (k int NOT NULL) PARTITION BY RANGE (k);
CREATE TABLE public.victim (k int);
SELECT lives_ok($$SELECT part.create_partitioned('public."x''); DROP TABLE public.victim; --"', 'k', 'range', '10', p_premake => 1)$$,
                'a table whose name holds SQL');
SELECT has_table('public', 'victim', 'and the SQL in the name never ran');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.victim; DROP TABLE public.victim', 'k', 'range', '10')$$),
          '22023 with hint', 'an injection attempt as a name is just an invalid name');

CREATE TABLE public.a_table_with_a_really_long_name_that_goes_on_and_on_and_on_abc (t timestamptz NOT NULL) PARTITION BY RANGE (t);
CREATE TABLE public.a_table_with_a_really_long_name_that_goes_on_and_on_and_on_abd (t timestamptz NOT NULL) PARTITION BY RANGE (t);
SELECT part.create_partitioned('public.a_table_with_a_really_long_name_that_goes_on_and_on_and_on_abc', 't', 'range', '1 day', p_premake => 0);
SELECT part.create_partitioned('public.a_table_with_a_really_long_name_that_goes_on_and_on_and_on_abd', 't', 'range', '1 day', p_premake => 0);
SELECT ok((SELECT bool_and(octet_length(split_part(partition_name, '.', 2)) <= 63) FROM part.partitions), 'generated names fit in 63 bytes');
SELECT is((SELECT count(DISTINCT partition_name)::int FROM part.partitions WHERE parent_table LIKE 'public.a_table_with%'), 4,
          'and stay unique');
SELECT ok((SELECT bool_and(partition_name LIKE '%\_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM_DD') OR is_default)
             FROM part.partitions WHERE parent_table LIKE 'public.a_table_with%'), 'keeping the readable suffix');
SELECT * FROM finish();
ROLLBACK;
