-- part.verify() check column_drift (part._sync_drift): the legacy table and its partitioned copy
-- must have the same columns with the same types while a migration runs, and the sync must have
-- been generated for those columns (else a new column's values are not mirrored).
BEGIN;
\ir _helpers.psql
SELECT plan(7);
CREATE TABLE public.revenues (id int PRIMARY KEY, occurred_at timestamptz NOT NULL, amount numeric(12,2));
CREATE TABLE public.revenues_part (id int, occurred_at timestamptz NOT NULL, amount numeric(12,2), PRIMARY KEY (id, occurred_at))
    PARTITION BY RANGE (occurred_at);
INSERT INTO part.migration (table_name, legacy_table, partitioned_table, strategy, key_column, phase, sync_columns)
VALUES ('public.revenues', 'public.revenues', 'public.revenues_part', 'range', 'occurred_at', 'dual_write',
        part._sync_columns('public.revenues', 'public.revenues_part'));
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
SELECT is(pg_temp.check(), 'fail', 'both tables changed alike, but the sync does not write the new column yet: fail');
SELECT ok((SELECT detail FROM part.verify() WHERE check_name = 'column_drift') LIKE '%generated for other columns%migrate_refresh%',
          'the detail says to regenerate it');
UPDATE part.migration SET sync_columns = part._sync_columns('public.revenues', 'public.revenues_part');  -- as migrate_refresh does
SELECT is(pg_temp.check(), 'ok', 'regenerated: ok');
SELECT * FROM finish();
ROLLBACK;
