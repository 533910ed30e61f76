-- The application's own triggers move with the name: copied to the
-- partitioned table (disabled there until the switch), so that each write
-- fires them once, on the table the application writes, and a mirrored
-- write never fires them a second time.
BEGIN;
\ir _helpers.psql
SET client_min_messages = error;
SELECT plan(8);
CREATE TABLE public.audit (tbl text, op text);
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := 'touched'; RETURN NEW; END $$;
CREATE FUNCTION public.audit_it() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.audit VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END $$;
CREATE TABLE public.bookings (id int PRIMARY KEY, k int NOT NULL, note text);
CREATE TRIGGER touch BEFORE UPDATE ON public.bookings FOR EACH ROW EXECUTE FUNCTION public.touch();
CREATE TRIGGER audit AFTER INSERT ON public.bookings FOR EACH ROW EXECUTE FUNCTION public.audit_it();
INSERT INTO public.bookings SELECT g, g, NULL FROM generate_series(1, 20) g;
DELETE FROM public.audit;
SELECT part.migrate_start('public.bookings', 'k', 'range', '10', p_premake => 0);
SELECT ok((SELECT bool_and(tgenabled = 'D') FROM pg_trigger WHERE tgrelid = 'public.bookings_partitioned'::regclass AND tgname IN ('touch', 'audit')),
          'the triggers are copied, disabled');
INSERT INTO public.bookings VALUES (21, 21, NULL);
SELECT is((SELECT array_agg(tbl) FROM public.audit), ARRAY['bookings'], 'dual_write: an insert is audited once');
CALL part.backfill('public.bookings', p_commit => false);
SELECT part.switch_reads('public.bookings');
DELETE FROM public.audit;
INSERT INTO public.bookings VALUES (22, 22, NULL);
SELECT is((SELECT count(*)::int FROM public.audit), 1, 'partitioned: still audited once');
SELECT is((SELECT tbl FROM public.audit), 'bookings_20', 'by the partitioned table''s trigger (on its partition)');
UPDATE public.bookings SET k = k WHERE id = 5;
SELECT is((SELECT note FROM public.bookings WHERE id = 5), 'touched', 'the BEFORE trigger works on the partitioned table');
SELECT is((SELECT note FROM public.bookings_legacy WHERE id = 5), 'touched', 'and its result is mirrored');
SELECT ok((SELECT bool_and(tgenabled = 'D') FROM pg_trigger WHERE tgrelid = 'public.bookings_legacy'::regclass AND tgname IN ('touch', 'audit')),
          'the legacy table''s are disabled');
SELECT part.rollback('public.bookings');
DELETE FROM public.audit;
INSERT INTO public.bookings VALUES (23, 23, NULL);
SELECT is((SELECT array_agg(tbl) FROM public.audit), ARRAY['bookings'], 'after a rollback: audited once, by the legacy table');
SELECT * FROM finish();
ROLLBACK;
