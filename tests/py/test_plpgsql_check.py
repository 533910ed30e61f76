"""plpgsql_check over every PL/pgSQL routine of part and every sync function it generates:
no error and no warning (extra and security warnings included).

The regex lint of test_template_rules.py reads the templates; plpgsql_check reads the
compiled routines: types of every expression, unused and never-read variables, and SQL
injection (an EXECUTE of text that did not come from format() with %I / %L, quote_ident
or quote_literal). A routine whose EXECUTEs take fragments composed elsewhere (format's %s
of a column list part built with %I) opts out of the security check alone, with
`@plpgsql_check_options: security_warnings = false` and a comment saying why; the regex
lint still covers those. Debian's postgresql-MAJOR-plpgsql-check provides the extension
(scripts/pg_major.sh installs it where apt has it); where it is missing the test skips
naming the major.
"""

import pytest

from conftest import PG_MAJOR

SETUP = """
CREATE TABLE public.revenues (id bigserial PRIMARY KEY, org_id int NOT NULL, occurred_at timestamptz NOT NULL,
                              amount numeric(12,2), note text);
INSERT INTO public.revenues (org_id, occurred_at, amount)
     SELECT g % 7, timestamptz '2025-01-01' + g * interval '1 day', g FROM generate_series(1, 60) g;
CREATE TABLE public."Odd Name" (id bigint PRIMARY KEY, org_id int NOT NULL, body text);
INSERT INTO public."Odd Name" SELECT g, g % 5, 'x' FROM generate_series(1, 40) g;
CREATE TABLE public.balances (org_id int NOT NULL, day date NOT NULL, PRIMARY KEY (org_id, day))
    PARTITION BY HASH (org_id);
"""

# every PL/pgSQL routine of part and every function a part_sync_* trigger calls, with the table and the
# transition tables of one trigger that calls it (an UPDATE trigger has both), for NEW, OLD, new_rows, old_rows
ROUTINES = """
SELECT p.oid::regprocedure::text AS routine,
       coalesce(t.tgrelid, CASE WHEN p.prorettype = 'trigger'::regtype THEN 'public.balances'::regclass END, 0) AS relid,
       t.tgnewtable, t.tgoldtable
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang AND l.lanname = 'plpgsql'
  LEFT JOIN LATERAL (SELECT t.tgrelid, t.tgnewtable::text, t.tgoldtable::text FROM pg_catalog.pg_trigger t
                      WHERE t.tgfoid = p.oid
                      ORDER BY (t.tgnewtable IS NOT NULL) AND (t.tgoldtable IS NOT NULL) DESC, t.tgrelid LIMIT 1) t ON true
 WHERE p.pronamespace = 'part'::regnamespace
    OR p.oid IN (SELECT t.tgfoid FROM pg_catalog.pg_trigger t WHERE t.tgname LIKE 'part\\_sync\\_%')
 ORDER BY 1
"""


def test_every_routine_and_generated_sync_function_passes_plpgsql_check(fresh_db, connect):
    with connect(fresh_db, autocommit=True) as conn:
        if not conn.execute("SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'plpgsql_check')"
                            ).fetchone()[0]:
            pytest.skip(f"plpgsql_check is not installed for PostgreSQL {PG_MAJOR} "
                        f"(Debian's postgresql-{PG_MAJOR}-plpgsql-check; scripts/pg_major.sh installs it where apt has it)")
        conn.execute("CREATE EXTENSION plpgsql_check")
        conn.execute(SETUP)
        # generated sync functions of both directions, for a plain name and one that needs quoting
        conn.execute("SELECT part.create_partitioned('public.balances', 'org_id', 'hash', p_partitions => 4)")
        conn.execute("SELECT part.migrate_start('public.revenues', 'occurred_at', 'range', p_interval => '1 month')")
        conn.execute("CALL part.backfill('public.revenues')")
        conn.execute("SELECT part.switch_reads('public.revenues')")
        conn.execute("SELECT part.migrate_start('public.\"Odd Name\"', 'org_id', 'hash', p_partitions => 2)")
        routines = conn.execute(ROUTINES).fetchall()
        generated = [r[0] for r in routines if not r[0].startswith("part.")]
        assert len(generated) >= 4, routines  # two migrations, a function each way
        problems = []
        for routine, relid, newtable, oldtable in routines:
            for level, message, lineno, statement, detail, query in conn.execute(
                    "SELECT level, message, lineno, statement, detail, query FROM plpgsql_check_function_tb("
                    "%s::regprocedure, relid => %s::oid, newtable => %s, oldtable => %s, fatal_errors => false, "
                    "other_warnings => true, extra_warnings => true, security_warnings => true)",
                    (routine, relid, newtable, oldtable)):
                problems.append(f"{routine} line {lineno} ({statement}): {level}: {message}"
                                + (f" [{detail}]" if detail else "") + (f" in {query}" if query else ""))
    assert len(routines) > 50
    assert problems == [], "\n".join(problems)
