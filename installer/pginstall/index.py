"""`pginstall index TABLE DEFINITION`: an index on every partition, built online.

The plan is SQL: part.create_index(TABLE, DEFINITION) makes the parent's
index (on ONLY the parent), records the steps in part.index_build and returns
the statements that build the rest, which cannot run inside a transaction
block or a function (CREATE INDEX CONCURRENTLY). This runs them one by one in
autocommit, in the session that planned them (it holds the table's build
lock), and says how far it got. Interrupted or killed, the same command
resumes: part.create_index drops what a killed build left invalid and
returns only what is left.
"""

from __future__ import annotations

import re
import time

import click
import psycopg
from psycopg import sql

from . import apply as ap

_CREATE = re.compile(r"^CREATE INDEX CONCURRENTLY (.+?) ON (.+?) USING ")
_DROP = re.compile(r"^DROP INDEX CONCURRENTLY IF EXISTS (.+)$")


def _say(table: str, text: str, err: bool = False) -> None:
    click.echo(f"{table}: {text}", err=err)


def build(target, table: str, definition: str) -> None:
    """Plan with part.create_index, then run its statements with progress (one line per step)."""
    started = time.monotonic()
    with ap.connect(target, autocommit=True) as conn:
        ap._require_installed(conn, target)

        def show(d):
            if d.severity_nonlocalized in ("NOTICE", "WARNING") and d.message_primary:
                _say(table, d.message_primary.removeprefix("part: "), err=True)

        conn.add_notice_handler(show)
        try:
            steps = [r[0] for r in conn.execute(
                sql.SQL("SELECT * FROM {}.create_index(%s, %s)").format(sql.Identifier(ap.SCHEMA)),
                (table, definition)).fetchall()]
        except psycopg.Error as e:
            raise click.ClickException(f"{table}: {ap.describe_db_error(e)}") from None
        if not steps:
            return
        builds = sum(1 for s in steps if _CREATE.match(s))
        done = 0
        built = ""
        for step in steps:
            t0 = time.monotonic()
            m_create, m_drop = _CREATE.match(step), _DROP.match(step)
            if m_create:
                done += 1
                _say(table, f"[{done}/{builds}] building {m_create[1]} on {m_create[2]} (CREATE INDEX CONCURRENTLY)")
            elif m_drop:
                _say(table, f"dropping {m_drop[1]}, left invalid by a build that was interrupted")
            try:
                cur = conn.execute(step)
                result = cur.fetchone()[0] if cur.description else None
            except psycopg.Error as e:
                raise click.ClickException(
                    f"{table}: {ap.describe_db_error(e)}; run the same command again to resume the build") from None
            if m_create:
                built = f"[{done}/{builds}] built in {time.monotonic() - t0:.1f} s"
            elif result:
                _say(table, f"{built}; attached: {result}" if built else f"attached: {result}")
                built = ""
    _say(table, f"done in {time.monotonic() - started:.1f} s")
