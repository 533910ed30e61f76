-- Ids continue across the switch and the rollback without collision: a
-- serial's sequence is re-owned by the table holding the name; an identity
-- column's sequence is advanced past the other table's values (and mirrored
-- inserts use OVERRIDING SYSTEM VALUE).
BEGIN;
\ir _helpers.psql
SET client_min_messages = error;
SELECT plan(9);
CREATE TABLE public.ser (id serial PRIMARY KEY, k int NOT NULL);
CREATE TABLE public.ide (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, k int NOT NULL);
INSERT INTO public.ser (k) SELECT g FROM generate_series(1, 50) g;
INSERT INTO public.ide (k) SELECT g FROM generate_series(1, 50) g;
SELECT part.migrate_start('public.ser', 'k', 'range', '10', p_premake => 0);
SELECT part.migrate_start('public.ide', 'k', 'range', '10', p_premake => 0);
CALL part.backfill('public.ser', p_commit => false);
CALL part.backfill('public.ide', p_commit => false);
INSERT INTO public.ide (k) VALUES (51);   -- mirrored with OVERRIDING SYSTEM VALUE
SELECT is((SELECT id FROM public.ide_partitioned WHERE k = 51), 51::bigint, 'identity values are mirrored as they are');
SELECT part.switch_reads('public.ser');
SELECT part.switch_reads('public.ide');

SELECT is(pg_get_serial_sequence('public.ser', 'id'), 'public.ser_id_seq', 'the serial sequence belongs to the partitioned table now');
INSERT INTO public.ser (k) VALUES (51);
SELECT is((SELECT id FROM public.ser WHERE k = 51), 51, 'serial ids continue');
INSERT INTO public.ide (k) VALUES (52);
SELECT is((SELECT id FROM public.ide WHERE k = 52), 52::bigint, 'identity ids continue after the legacy table''s');
SELECT is((SELECT id FROM public.ide_legacy WHERE k = 52), 52::bigint, 'and are mirrored');

INSERT INTO public.ide (k) SELECT g FROM generate_series(53, 60) g;
SELECT part.rollback('public.ide');
INSERT INTO public.ide (k) VALUES (61);
SELECT is((SELECT id FROM public.ide WHERE k = 61), 61::bigint, 'after a rollback the legacy identity continues after the partitioned one''s');
SELECT part.rollback('public.ser');
SELECT is(pg_get_serial_sequence('public.ser', 'id'), 'public.ser_id_seq', 'the serial sequence is the legacy table''s again');
INSERT INTO public.ser (k) VALUES (52);
SELECT is((SELECT id FROM public.ser WHERE k = 52), 52, 'serial ids continue');
SELECT is((SELECT count(*)::int FROM public.ser_partitioned WHERE k = 52), 1, 'mirrored');
SELECT * FROM finish();
ROLLBACK;
