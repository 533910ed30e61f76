-- part.verify() check sync_triggers: during a migration the table the application writes to has
-- enabled sync triggers for INSERT, UPDATE, DELETE and TRUNCATE; a disabled or missing one fails.
-- (The migration is set up by hand here, with triggers named as part.migrate_start names them.)
BEGIN;
\ir _helpers.psql
SELECT plan(6);
CREATE TABLE public.revenues (id int PRIMARY KEY, occurred_at timestamptz NOT NULL);
CREATE TABLE public.revenues_part (id int, occurred_at timestamptz NOT NULL, PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at);
INSERT INTO part.migration (table_name, legacy_table, partitioned_table, strategy, key_column, phase)
VALUES ('public.revenues', 'public.revenues', 'public.revenues_part', 'range', 'occurred_at', 'dual_write');
CREATE FUNCTION public.revenues_sync_to_partitioned() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE FUNCTION pg_temp.check() RETURNS text LANGUAGE sql AS $$
    SELECT status FROM part.verify() WHERE check_name = 'sync_triggers' AND table_name = 'public.revenues'
$$;

SELECT is(pg_temp.check(), 'fail', 'no sync trigger at all: fail');
CREATE TRIGGER part_sync_insert AFTER INSERT ON public.revenues REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.revenues_sync_to_partitioned();
CREATE TRIGGER part_sync_update AFTER UPDATE ON public.revenues REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.revenues_sync_to_partitioned();
CREATE TRIGGER part_sync_delete AFTER DELETE ON public.revenues REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION public.revenues_sync_to_partitioned();
SELECT is(pg_temp.check(), 'fail', 'TRUNCATE not mirrored: fail');
CREATE TRIGGER part_sync_truncate AFTER TRUNCATE ON public.revenues
    FOR EACH STATEMENT EXECUTE FUNCTION public.revenues_sync_to_partitioned();
SELECT is(pg_temp.check(), 'ok', 'all four events mirrored: ok');
ALTER TABLE public.revenues DISABLE TRIGGER part_sync_delete;
SELECT is(pg_temp.check(), 'fail', 'a disabled sync trigger: fail');
SELECT ok((SELECT detail FROM part.verify() WHERE check_name = 'sync_triggers') LIKE '%DELETE%disabled: DELETE%',
          'the detail names the event and says it is disabled');
ALTER TABLE public.revenues ENABLE TRIGGER part_sync_delete;
SELECT is(pg_temp.check(), 'ok', 'enabled again: ok');
SELECT * FROM finish();
ROLLBACK;
