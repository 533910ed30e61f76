-- part.verify() check column_drift: the legacy table and its partitioned copy must have the same
-- columns with the same types while a migration runs.
BEGIN;
\ir _helpers.psql
SELECT plan(5);
CREATE TABLE public.revenues (id int PRIMARY KEY, occurred_at timestamptz NOT NULL, amount numeric(12,2));
CREATE TABLE public.revenues_part (id int, occurred_at timestamptz NOT NULL, amount numeric(12,2), PRIMARY KEY (id, occurred_at))
    PARTITION BY RANGE (occurred_at);
INSERT INTO part.migration (table_name, legacy_table, partitioned_table, strategy, key_column, phase)
VALUES ('public.revenues', 'public.revenues', 'public.revenues_part', 'range', 'occurred_at', 'dual_write');
CREATE FUNCTION pg_temp.check() RETURNS text LANGUAGE sql AS $$
    SELECT status FROM part.verify() WHERE check_name = 'column_drift' AND table_name = 'public.revenues'
$$;
SELECT is(pg_temp.check(), 'ok', 'same columns: ok');
ALTER TABLE public.revenues ADD COLUMN note text;
SELECT is(pg_temp.check(), 'fail', 'a column added to the legacy table only: fail');
SELECT ok((SELECT detail FROM part.verify() WHERE check_name = 'column_drift') LIKE 'note only in public.revenues%', 'the detail names it');
ALTER TABLE public.revenues_part ADD COLUMN note varchar(20);
SELECT is(pg_temp.check(), 'fail', 'the same column with another type: fail');
ALTER TABLE public.revenues_part ALTER COLUMN note TYPE text;
SELECT is(pg_temp.check(), 'ok', 'both tables changed alike: ok');
SELECT * FROM finish();
ROLLBACK;
