-- After the switch the legacy table is mirrored for a rollback, but its
-- primary key (id) lacks the partition key: a row with an existing id and
-- another date would overwrite the other row there. Such a write is refused
-- (23505 with a HINT) instead; moving a row to another date still works, and
-- a rollback loses nothing.
BEGIN;
\ir _helpers.psql
SELECT plan(9);
CREATE TABLE public.rev (id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL, amount int);
INSERT INTO public.rev (occurred_at, amount) SELECT now() - g * interval '1 day', g FROM generate_series(1, 60) g;
SELECT part.migrate_start('public.rev', 'occurred_at', 'range', '1 month');
CALL part.backfill('public.rev', p_commit => false);
SELECT is(part.switch_reads('public.rev'), 'partitioned', 'switched');

SELECT lives_ok($$INSERT INTO public.rev (id, occurred_at, amount) VALUES (5000, now(), 1)$$, 'a new id');
SELECT is(pg_temp.error_of($$INSERT INTO public.rev (id, occurred_at, amount) VALUES (5000, now() - interval '40 days', 2)$$),
          '23505 with hint', 'the same id with another date is refused');
SELECT is((SELECT count(*)::int FROM public.rev WHERE id = 5000), 1, 'in neither table');
SELECT is((SELECT amount FROM public.rev_legacy WHERE id = 5000), 1, 'the legacy row was not overwritten');
SELECT lives_ok($$UPDATE public.rev SET occurred_at = occurred_at - interval '45 days', amount = 3 WHERE id = 5000$$,
                'moving a row to another month still works');
SELECT is((SELECT (occurred_at, amount)::text FROM public.rev_legacy WHERE id = 5000),
          (SELECT (occurred_at, amount)::text FROM public.rev WHERE id = 5000), 'and is mirrored');
SELECT is(part.rollback('public.rev'), 'backfilled', 'rollback');
SELECT is((SELECT count(*)::int FROM public.rev), 61, 'nothing lost');
SELECT * FROM finish();
ROLLBACK;
