-- Names that need quoting, a date key with weekly partitions, a generated
-- column, a composite primary key: the generated SQL quotes everything and
-- the whole lifecycle works.
BEGIN;
\ir _helpers.psql
SET client_min_messages = error;
SELECT plan(8);
CREATE SCHEMA "Fin Ops";
CREATE TABLE "Fin Ops"."Daily Balances" ("Org Id" int NOT NULL, "Day" date NOT NULL, "Balance" numeric(14,2),
                                         "Doubled" numeric GENERATED ALWAYS AS ("Balance" * 2) STORED,
                                         PRIMARY KEY ("Org Id", "Day"));
INSERT INTO "Fin Ops"."Daily Balances" ("Org Id", "Day", "Balance")
SELECT o, date '2025-03-01' + d, o * d FROM generate_series(1, 5) o, generate_series(0, 40) d;
SELECT is(part.migrate_start('"Fin Ops"."Daily Balances"', 'Day', 'range', '1 week', p_premake => 0),
          '"Fin Ops"."Daily Balances_partitioned"', 'started');
SELECT ok(to_regclass('"Fin Ops"."Daily Balances_2025_w10"') IS NOT NULL, 'weekly partitions named after the table (ISO week)');
SELECT ok(to_regprocedure('"Fin Ops"."Daily Balances_sync_to_partitioned"()') IS NOT NULL, 'the sync functions are in the table''s schema');
UPDATE "Fin Ops"."Daily Balances" SET "Day" = "Day" + 100, "Balance" = -1 WHERE "Org Id" = 2 AND "Day" < date '2025-03-05';
DELETE FROM "Fin Ops"."Daily Balances" WHERE "Org Id" = 3 AND "Day" > date '2025-04-01';
CALL part.backfill('"Fin Ops"."Daily Balances"', 50, p_commit => false);
SELECT is(part.phase('"Fin Ops"."Daily Balances"'), 'backfilled', 'backfilled, parity clean');
SELECT is((SELECT count(*)::int FROM part.check_parity('"Fin Ops"."Daily Balances"')), 8, 'one parity range per ISO week (one in the default partition)');
SELECT is((SELECT sum("Doubled") FROM "Fin Ops"."Daily Balances_partitioned"), (SELECT sum("Doubled") FROM "Fin Ops"."Daily Balances"),
          'the generated column is computed on the copy');
SELECT is(part.switch_reads('"Fin Ops"."Daily Balances"'), 'partitioned', 'switched');
INSERT INTO "Fin Ops"."Daily Balances" ("Org Id", "Day", "Balance") VALUES (9, '2025-03-20', 4);
SELECT is((SELECT "Doubled" FROM "Fin Ops"."Daily Balances_legacy" WHERE "Org Id" = 9), 8.00, 'mirrored back, generated column included');
SELECT * FROM finish();
ROLLBACK;
