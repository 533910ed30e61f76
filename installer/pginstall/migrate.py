"""`pginstall migrate`: a thin driver of CALL part.migrate_to, with progress (rows/s, ETA).

The walk through the phases is SQL (`CALL part.migrate_to(table, phase, ...)`,
which commits per backfill batch and per step); this calls it once and shows
what it says as it goes: its progress NOTICEs (rows done, total, rows/s)
become a progress bar on a terminal, or a progress line every few seconds
and one at the end elsewhere (CI, logs); its step NOTICEs become the lines
of the command's output; other NOTICEs and WARNINGs (a lock it waits for)
go to stderr as they come. Ctrl-C cancels the CALL: what committed stays,
and running the same command again goes on from there.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
import time
from datetime import timedelta

import click
import psycopg
from psycopg import sql

from .apply import describe_db_error as describe

SCHEMA = "part"
LINE_EVERY = 2.0        # seconds between progress lines when not on a terminal
NOTICE_EVERY = "200 milliseconds"   # how often part.migrate_to reports the backfill's progress to us

# part._migrate_progress's NOTICEs
PROGRESS = re.compile(r"^part: (?P<name>.+?): backfill (?P<done>\d+)/(?P<total>\d+) rows \(\d+%\), (?P<rate>\d+) rows/s")
SUMMARY = re.compile(r"^part: (?P<name>.+?): backfill done, (?P<done>\d+) rows in all; (?P<copied>\d+) copied now "
                     r"in (?P<secs>[\d.]+) s \((?P<rate>\d+) rows/s\)")


def _state(conn: psycopg.Connection, table: str):
    """The migration of TABLE (its application name, or the current name of its legacy table or
    copy) from the public view part.migrations: (table_name, backfill_rows, backfill_total,
    backfill_finished_at, phase, legacy rows estimated), or None when it has none; 42P01 etc.
    from part.qualified_name for a bad name. The row part.migrate_to would pick (a live migration
    before a finalized one)."""
    return conn.execute(
        sql.SQL("SELECT m.table_name, m.backfill_rows, m.backfill_total, m.backfill_finished_at, m.phase,"
                " (SELECT greatest(c.reltuples, 0)::bigint FROM pg_catalog.pg_class c"
                "   WHERE c.oid = pg_catalog.to_regclass(m.legacy_table))"
                " FROM {s}.migrations m, {s}.qualified_name(%s) n(name)"
                " WHERE n.name IN (m.table_name, m.legacy_table, m.partitioned_table)"
                " ORDER BY (m.table_name = n.name) DESC, (m.phase = 'finalized') LIMIT 1").format(s=sql.Identifier(SCHEMA)),
        (table,),
    ).fetchone()


class BackfillInterrupted(Exception):
    """Ctrl-C during the backfill: the batches committed so far are kept (done of total rows)."""

    def __init__(self, done: int, total: int):
        super().__init__(f"interrupted at {done} rows")
        self.done, self.total = done, total


def summary_line(name: str, copied: int, done: int, seconds: float, rate: float | None = None,
                 paused: float = 0.0) -> str:
    """The backfill's last line; time spent paused for production (part._yield_wait) is left out of the rate."""
    if rate is None or paused > 0:
        working = seconds - paused
        rate = copied / working if working > 0 else 0
    shown = f" ({rate:,.0f} rows/s)" if rate and copied else ""
    pauses = f", {paused:.1f} s of it paused for production" if paused > 0 else ""
    return f"backfill {name}: done, {done:,} rows in all; {copied:,} copied now in {seconds:.1f} s{pauses}{shown}"


def progress_line(name: str, done: int, total: int, rate: float, paused: str | None = None) -> str:
    pct = f" ({100.0 * done / total:.0f}%)" if total else ""
    if paused:  # part._yield_wait: the backfill waits for production (replay lag, lock queue)
        return f"backfill {name}: {done:,}/{total:,} rows{pct}, paused: {paused}"
    eta = ""
    if rate > 0 and total > done:
        eta = f", ETA {timedelta(seconds=round((total - done) / rate))}"
    return f"backfill {name}: {done:,}/{total:,} rows{pct}, {rate:,.0f} rows/s{eta}"


# part._yield_wait: the backfill waits for production (replay lag, lock queue), and goes on
PAUSED = re.compile(r"^part: backfill of (?P<name>.+?) paused: (?P<reason>.*)$")
RESUMED = re.compile(r"^part: backfill of (?P<name>.+?) resumed after a pause of (?P<waited>.*)$")


class Progress:
    """Draws part.migrate_to's backfill progress NOTICEs on FILE: a bar on a terminal, else lines."""

    def __init__(self, file):
        self.file = file
        self.tty = file.isatty() if hasattr(file, "isatty") else False
        self.bar = None
        self.name = None
        self.done = self.total = self.copied = 0
        self.rate = 0.0
        self.started = self.finished = False
        self.shown = None       # (done, total) of the last line printed
        self.paused = 0.0       # seconds paused for production so far, and since when (monotonic) now
        self.paused_since = None
        self.last_line = 0.0

    def notice(self, message: str) -> bool:
        """Take one NOTICE; True when it was a progress NOTICE (drawn), False for any other."""
        m = PROGRESS.match(message)
        if m:
            self._progress(m["name"], int(m["done"]), int(m["total"]), float(m["rate"]))
            return True
        m = PAUSED.match(message)
        if m:
            self.paused_since = time.monotonic()
            self.close()
            click.echo(progress_line(m["name"], self.done, max(self.total, self.done), 0.0, paused=m["reason"]),
                       file=self.file)
            return True
        m = RESUMED.match(message)
        if m:
            if self.paused_since is not None:
                self.paused += time.monotonic() - self.paused_since
                self.paused_since = None
            click.echo(f"backfill {m['name']}: resumed after a pause of {m['waited']}", file=self.file)
            return True
        m = SUMMARY.match(message)
        if m:
            self.close()
            self.finished, self.done, self.copied = True, int(m["done"]), int(m["copied"])
            click.echo(summary_line(m["name"], self.copied, self.done, float(m["secs"]), float(m["rate"]),
                                    paused=self.paused), file=self.file)
            return True
        return False

    def _progress(self, name: str, done: int, total: int, rate: float) -> None:
        self.name, self.rate = name, rate
        step, self.done, self.total = done - self.done if self.started else 0, done, max(total, done)
        if self.tty:
            if self.bar is None:
                self.bar = click.progressbar(length=max(self.total, 1), label=f"backfill {name}", show_eta=True,
                                             show_percent=True, item_show_func=lambda _: f"{self.rate:,.0f} rows/s",
                                             file=self.file)
                self.bar.__enter__()
                self.bar.update(done)
            else:
                self.bar.length = max(self.total, 1)
                self.bar.update(step)
        elif (not self.started or done >= self.total or time.monotonic() - self.last_line >= LINE_EVERY) \
                and self.shown != (done, self.total):
            click.echo(progress_line(name, done, self.total, rate), file=self.file)
            self.shown, self.last_line = (done, self.total), time.monotonic()
        self.started = True

    def close(self) -> None:
        if self.bar is not None:
            if self.done >= self.total:  # the estimate may have been off: end the bar full
                self.bar.length = self.bar.pos = max(self.done, 1)
                self.bar.render_progress()
            self.bar.__exit__(None, None, None)
            self.bar = None


def migrate_to(conn: psycopg.Connection, table: str, phase: str, *, batch_size: int | None = None, sleep: str = "0",
               keep_legacy: str = "archive", force: bool = False, copy: str = "drop", file=None, echo=None,
               warn=None) -> Progress:
    """CALL part.migrate_to(TABLE, PHASE, ...) once, showing what it says as it goes.

    conn must be in autocommit mode (the procedure commits). Progress NOTICEs
    are drawn on FILE (default stderr); step NOTICEs ("part: <table>: ...")
    go to ECHO (default: click.echo to stdout) as "<table>: ..."; other
    NOTICEs and WARNINGs to WARN (default: stderr, "<table>: ..."). A
    database error becomes a click.ClickException with one line; Ctrl-C
    (psycopg cancels the CALL; what committed stays) during the backfill
    raises BackfillInterrupted, elsewhere KeyboardInterrupt.
    """
    file = file or sys.stderr
    echo = echo or click.echo
    warn = warn or (lambda line: click.echo(line, err=True))
    progress = Progress(file)
    try:  # the migration's name, as part.migrate_to's step NOTICEs start with it
        state = _state(conn, table)
    except psycopg.Error:  # no such table: part.migrate_to says so
        state = None
    # no migration (yet): its NOTICEs name the table as part._qualified does
    prefix = f"part: {state[0]}: " if state else None

    def show(d):
        msg = d.message_primary or ""
        if d.severity_nonlocalized not in ("NOTICE", "WARNING") or not msg:
            return
        if progress.notice(msg):
            return
        progress.close()
        m = re.match(r"^part: (?P<name>[^: ]+): (?P<rest>.*)$", msg)
        if d.severity_nonlocalized == "NOTICE" and (msg.startswith(prefix) if prefix else m):
            echo(msg.removeprefix("part: "))
        else:
            warn(f"{table}: {msg.removeprefix('part: ')}")

    # Ctrl-C cancels the CALL (what committed stays). Not a KeyboardInterrupt raised wherever Python
    # happens to be: inside the notice handler psycopg would swallow it and the walk would go on.
    interrupted = []

    def on_sigint(signum, frame):
        interrupted.append(signum)
        try:
            conn.cancel()
        except psycopg.Error:
            pass

    old_handler = None
    if threading.current_thread() is threading.main_thread():
        old_handler = signal.signal(signal.SIGINT, on_sigint)
    conn.add_notice_handler(show)
    try:
        conn.execute(
            sql.SQL("CALL {s}.migrate_to(%s, %s, p_batch_size => %s, p_sleep => %s::interval, p_keep_legacy => %s,"
                    " p_force => %s, p_copy => %s, p_progress => %s::interval)").format(s=sql.Identifier(SCHEMA)),
            (table, phase, batch_size, sleep, keep_legacy, force, copy, NOTICE_EVERY))
        if interrupted:
            raise KeyboardInterrupt
    except (KeyboardInterrupt, psycopg.errors.QueryCanceled) as e:
        if isinstance(e, psycopg.errors.QueryCanceled) and not interrupted:
            progress.close()
            raise click.ClickException(f"{table}: {describe(e)}") from None
        progress.close()
        if progress.started and not progress.finished:
            done = progress.done
            try:
                done = (_state(conn, table) or (None, None))[1] or done
            except (psycopg.Error, KeyboardInterrupt):
                pass
            raise BackfillInterrupted(done, max(progress.total, done)) from None
        raise KeyboardInterrupt from None
    except psycopg.Error as e:
        progress.close()
        raise click.ClickException(f"{table}: {describe(e)}") from None
    finally:
        conn.remove_notice_handler(show)
        if old_handler is not None:
            signal.signal(signal.SIGINT, old_handler)
    progress.close()
    return progress


def backfill(conn: psycopg.Connection, table: str, batch_size: int = 10000, sleep: str = "0",
             file=None) -> int:
    """Backfill TABLE to the end (part.migrate_to(table, 'backfilled'): the backfill, then a full
    parity check), showing progress on FILE; returns the rows copied now (0 when the backfill was
    already done). See migrate_to for conn, errors and Ctrl-C."""
    try:
        state = _state(conn, table)
    except psycopg.Error as e:
        raise click.ClickException(f"{table}: {describe(e)}") from None
    # no migration: part.migrate_to refuses it (55000, "table ... has no migration", with its HINT)
    if state is not None and (state[3] is not None or state[4] != "dual_write"):
        return 0
    return migrate_to(conn, table, "backfilled", batch_size=batch_size, sleep=sleep, file=file).copied
