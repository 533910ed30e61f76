-- part.migrate_start refuses, with an SQLSTATE and a HINT and without
-- changing anything: a missing table or column, a table without primary
-- key, a table referenced by foreign keys, a key that cannot partition, NULL
-- keys, a table already partitioned, a bad strategy.
BEGIN;
\ir _helpers.psql
SET client_min_messages = error;
SELECT plan(11);

CREATE TABLE public.no_pk (id int, occurred_at timestamptz NOT NULL);
CREATE TABLE public.parent_t (id int PRIMARY KEY, occurred_at timestamptz NOT NULL);
CREATE TABLE public.child_t (id int PRIMARY KEY, parent_id int REFERENCES public.parent_t (id));
CREATE TABLE public.texty (id int PRIMARY KEY, label text NOT NULL, pos point);
CREATE TABLE public.nullable_key (id int PRIMARY KEY, occurred_at timestamptz);
INSERT INTO public.nullable_key VALUES (1, NULL), (2, now());
CREATE TABLE public.already (id int, k int, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TEMP TABLE before AS SELECT pg_temp.catalog_state() AS s;

SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.nope', 'occurred_at', 'range', '1 month')$$), '42P01 with hint', 'missing table');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.parent_t', 'nope', 'range', '1 month')$$), '42703 with hint', 'missing column');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.no_pk', 'occurred_at', 'range', '1 month')$$), '55000 with hint', 'no primary key');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.parent_t', 'occurred_at', 'range', '1 month')$$), '55000 with hint',
          'referenced by a foreign key');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.texty', 'label', 'range', '1 month')$$), '42804 with hint',
          'a text key cannot be range-partitioned by interval');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.texty', 'pos', 'hash', p_partitions => 4)$$), '42804 with hint',
          'a point key cannot be hash-partitioned');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.nullable_key', 'occurred_at', 'range', '1 month')$$), '55000 with hint',
          'a key column holding NULLs');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.already', 'k', 'range', '10')$$), '42809 with hint', 'already partitioned');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.texty', 'id', 'list')$$), '22023 with hint', 'unknown strategy');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.texty', 'id', 'range', '1 month')$$), '22023 with hint',
          'a time interval for an integer key');
SELECT is(pg_temp.catalog_state(), (SELECT s FROM before), 'nothing changed by any refusal');
SELECT * FROM finish();
ROLLBACK;
