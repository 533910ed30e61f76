"""The backfill step of `pginstall migrate`, with progress (rows/s, ETA).

The backfill itself is SQL (`CALL part.backfill`, committing per batch); this
drives it in slices of a few batches, so that the progress shown is read
from part.migration between slices, exactly as another session sees it. On a
terminal it draws a progress bar; elsewhere (CI, logs) it prints a progress
line every few seconds and one at the end.
"""

from __future__ import annotations

import re
import sys
import time
from datetime import timedelta

import click
import psycopg
from psycopg import sql

from .apply import describe_db_error as describe

SCHEMA = "part"
SLICE_SECONDS = 0.5     # aim for slices of this length, so progress moves smoothly
LINE_EVERY = 2.0        # seconds between progress lines when not on a terminal


def _state(conn: psycopg.Connection, table: str):
    return conn.execute(
        sql.SQL("SELECT m.table_name, m.backfill_rows, m.backfill_total, m.backfill_finished_at, m.phase,"
                " (SELECT greatest(c.reltuples, 0)::bigint FROM pg_catalog.pg_class c"
                "   WHERE c.oid = pg_catalog.to_regclass(m.legacy_table))"
                " FROM {s}._migration_row(%s) m").format(s=sql.Identifier(SCHEMA)),
        (table,),
    ).fetchone()


class BackfillInterrupted(Exception):
    """Ctrl-C during the backfill: the batches committed so far are kept (done of total rows)."""

    def __init__(self, done: int, total: int):
        super().__init__(f"interrupted at {done} rows")
        self.done, self.total = done, total


def summary_line(name: str, copied: int, done: int, seconds: float, paused: float = 0.0) -> str:
    working = seconds - paused
    rate = f" ({copied / working:,.0f} rows/s)" if working > 0 and copied else ""
    pauses = f", {paused:.1f} s of it paused for production" if paused > 0 else ""
    return f"backfill {name}: done, {done:,} rows in all; {copied:,} copied now in {seconds:.1f} s{pauses}{rate}"


def progress_line(name: str, done: int, total: int, rate: float, paused: str | None = None) -> str:
    pct = f" ({100.0 * done / total:.0f}%)" if total else ""
    if paused:  # part._yield_wait: the backfill waits for production (replay lag, lock queue)
        return f"backfill {name}: {done:,}/{total:,} rows{pct}, paused: {paused}"
    eta = ""
    if rate > 0 and total > done:
        eta = f", ETA {timedelta(seconds=round((total - done) / rate))}"
    return f"backfill {name}: {done:,}/{total:,} rows{pct}, {rate:,.0f} rows/s{eta}"


PAUSED = re.compile(r"^part: backfill of .+? paused: (?P<reason>.*)$")
RESUMED = re.compile(r"^part: backfill of .+? resumed after a pause of (?P<waited>.*)$")


def backfill(conn: psycopg.Connection, table: str, batch_size: int = 10000, sleep: str = "0",
             file=None) -> int:
    """Run CALL part.backfill for TABLE to the end, showing progress; returns the rows copied now.

    conn must be in autocommit mode (the procedure commits). A database error
    becomes a click.ClickException with one line; Ctrl-C (psycopg cancels the
    running CALL; the batches committed stay) raises BackfillInterrupted. At
    the end, one summary line (rows, time, rows/s).
    """
    file = file or sys.stderr
    try:
        name, start_rows, total, finished, phase, estimate = _state(conn, table)
    except psycopg.Error as e:
        raise click.ClickException(f"{table}: {describe(e)}") from None
    if finished is not None or phase != "dual_write":
        return 0
    total = total or estimate or 0
    started = time.monotonic()
    done = start_rows or 0
    batches = 1
    tty = file.isatty() if hasattr(file, "isatty") else False
    last_line = started

    paused = {"total": 0.0, "since": None}   # time spent in pauses does not count in the rate

    def rate() -> float:
        now = time.monotonic()
        pausing = now - paused["since"] if paused["since"] is not None else 0.0
        return (done - (start_rows or 0)) / max(now - started - paused["total"] - pausing, 1e-6)

    bar = None
    interrupted = False

    def on_notice(diag) -> None:
        """The backfill pauses (or resumes) inside a CALL: say so at once, from its NOTICE."""
        msg = diag.message_primary or ""
        if m := PAUSED.match(msg):
            paused["since"] = time.monotonic()
            line = progress_line(name, done, max(total, done), 0.0, paused=m["reason"])
        elif m := RESUMED.match(msg):
            if paused["since"] is not None:
                paused["total"] += time.monotonic() - paused["since"]
                paused["since"] = None
            line = f"backfill {name}: resumed after a pause of {m['waited']}"
        else:
            return
        if bar is not None:
            click.echo("", file=file)
        click.echo(line, file=file)

    conn.add_notice_handler(on_notice)
    try:
        if tty:
            bar = click.progressbar(length=max(total, 1), label=f"backfill {name}", show_eta=True, show_percent=True,
                                    item_show_func=lambda _: f"{rate():,.0f} rows/s", file=file)
            bar.__enter__()
            bar.update(min(done, total))
        else:
            click.echo(progress_line(name, done, total, 0.0), file=file)
        while True:
            t0 = time.monotonic()
            try:
                conn.execute(sql.SQL("CALL {s}.backfill(%s, %s, %s::interval, %s)").format(s=sql.Identifier(SCHEMA)),
                             (table, batch_size, sleep, batches))
                _, now_rows, now_total, finished, phase, _ = _state(conn, table)
            except KeyboardInterrupt:
                interrupted = True
                break
            except psycopg.Error as e:
                raise click.ClickException(f"{table}: backfill failed: {describe(e)}") from None
            step, done = (now_rows or 0) - done, now_rows or 0
            total = now_total or total
            took = time.monotonic() - t0
            # next slice: about SLICE_SECONDS of batches
            batches = max(1, min(1000, round(batches * SLICE_SECONDS / max(took, 1e-3))))
            if bar is not None:
                bar.length = max(total, done, 1)
                bar.update(step)
            elif finished is not None or time.monotonic() - last_line >= LINE_EVERY:
                click.echo(progress_line(name, done, max(total, done), rate()), file=file)
                last_line = time.monotonic()
            if finished is not None or phase != "dual_write":
                if bar is not None:  # the estimate may have been off: end the bar full
                    bar.length = bar.pos = max(done, 1)
                    bar.render_progress()
                break
    except KeyboardInterrupt:
        interrupted = True
    finally:
        conn.remove_notice_handler(on_notice)
        if bar is not None:
            bar.__exit__(None, None, None)
    if interrupted:
        try:
            done = _state(conn, table)[1] or done
        except (psycopg.Error, KeyboardInterrupt):
            pass
        raise BackfillInterrupted(done, max(total, done))
    click.echo(summary_line(name, done - (start_rows or 0), done, time.monotonic() - started, paused["total"]), file=file)
    return done - (start_rows or 0)
