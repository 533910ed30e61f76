"""pginstall: install and manage part, partitioning that lives inside PostgreSQL.

Click only: the work is done by apply.py (connections, transactions) and
render.py (Jinja). Every command takes --db, --config and --dsn after its own
name; errors are one line each and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
import json
import sys

import click
import psycopg
from psycopg import sql

from . import __version__, apply as ap, config as cf, render as rd

PHASES = ("dual_write", "backfilled", "partitioned", "finalized")


class _Group(click.Group):
    """Turns the installer's own errors into one-line ClickExceptions."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (cf.ConfigError, ap.ApplyError) as e:
            raise click.ClickException(str(e)) from None
        except psycopg.Error as e:
            raise click.ClickException(ap.describe_db_error(e)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pginstall")
def main():
    """Install and manage part, partitioning that lives inside PostgreSQL.

    \b
    pginstall apply --db finance      install or upgrade part, manage the configured tables
    pginstall plan --db finance       what apply would change (nothing printed: nothing to do)
    pginstall status --db finance     partitions, migrations, maintenance runs

    The config file is --config FILE, else $PGINSTALL_CONFIG, else ./pginstall.toml.
    Connections follow libpq (PGHOST, PGPORT, PGUSER, PGPASSWORD, service files).
    """


def target_options(all_option: bool = False):
    """--db, --config, --dsn (and --all): the shared options of every command."""

    def decorate(f):
        @click.option("--db", "db", metavar="NAME",
                      help="The [databases.NAME] section of the config file (default dbname: NAME).")
        @click.option("--config", "config_file", metavar="FILE", type=click.Path(dir_okay=False),
                      help="Config file (default: $PGINSTALL_CONFIG, else ./pginstall.toml).")
        @click.option("--dsn", metavar="DSN", help="Connection string; overrides the section's dsn.")
        @functools.wraps(f)
        def wrapper(*args, db, config_file, dsn, all_dbs=False, **kwargs):
            cfg = cf.load(config_file)
            targets = ap.resolve_targets(cfg, db, dsn, all_dbs)
            return f(*args, cfg=cfg, targets=targets, **kwargs)

        if all_option:
            wrapper = click.option("--all", "all_dbs", is_flag=True,
                                   help="Every database of the config file, one after another.")(wrapper)
        return wrapper

    return decorate


def _one(targets):
    if len(targets) != 1:
        raise click.ClickException("this command acts on one database: use --db NAME or --dsn")
    return targets[0]


@main.command("render")
@click.option("--version", "version", default=rd.VERSION, show_default=True, help="Version to render.")
@click.option("--mode", type=click.Choice(rd.MODES), default=None,
              help="extension (body of part--X.sql) or plain (default: plain, or what --db would get).")
@click.option("--db", "db", metavar="NAME", help="Render in the mode apply would choose for this database.")
@click.option("--config", "config_file", metavar="FILE", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--dsn", metavar="DSN", help="Connection string (with --db or alone).")
def render_cmd(version, mode, db, config_file, dsn):
    """Print the install script of part (no database needed).

    Example: pginstall render > part.sql && psql -1 -v ON_ERROR_STOP=1 -f part.sql
    """
    if db is not None or dsn is not None:
        target = ap.resolve_targets(cf.load(config_file), db, dsn)[0]
        with ap.connect(target) as conn:
            mode = ap.choose_mode(ap.read_state(conn), mode, target.label)
    try:
        click.echo(rd.render_install(mode or "plain", version), nl=False)
    except ValueError as e:
        raise click.ClickException(str(e)) from None


@main.command()
@target_options(all_option=True)
@click.option("--mode", type=click.Choice(rd.MODES), default=None,
              help="Force an install mode for a database without part.")
def plan(cfg, targets, mode):
    """Show what `apply` would change; print nothing when there is nothing to do.

    Example: pginstall plan --db finance
    """
    for target in targets:
        for line in ap.plan(target, mode):
            click.echo(line)


@main.command(name="apply")
@target_options(all_option=True)
@click.option("--mode", type=click.Choice(rd.MODES), default=None,
              help="Install mode for a database without part (default: extension when the server "
                   "has part's files, else plain). Mixing modes is refused.")
@click.option("--dry-run", is_flag=True, help="Run everything, then roll back.")
def apply_cmd(cfg, targets, mode, dry_run):
    """Install or upgrade part and manage the configured tables.

    One transaction per database: an error leaves that database as it was.
    Cron jobs are registered after the commit.

    Example: pginstall apply --db finance
    """
    if len(targets) > 1:  # every config problem of every database first (apply reports one database's)
        for target in targets:
            ap.plan(target, mode)
    failed = []
    for target in targets:
        try:
            result = ap.apply(target, mode, dry_run=dry_run, echo=click.echo)
        except ap.ApplyError as e:
            if len(targets) == 1:
                raise
            click.echo(f"Error: {e}", err=True)
            failed.append(target.label)
            continue
        if result.failed:
            failed.append(target.label)
    if failed:
        raise click.ClickException(f"apply failed for: {', '.join(failed)}")


def _fmt_bytes(n) -> str:
    if n is None:
        return ""
    n = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _table(rows: list[list], headers: list[str]) -> list[str]:
    cells = [[("" if v is None else str(v)) for v in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    return out


@main.command()
@target_options()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(cfg, targets, as_json):
    """Partitions of each managed table, migrations, schedule and last maintenance runs.

    Example: pginstall status --db finance --json
    """
    s = ap.status(_one(targets))
    if as_json:
        click.echo(json.dumps(s, indent=2, default=str))
        return
    if not s["installed"]:
        click.echo(f"{s['label']}: part is not installed in database {s['database']}")
        return
    click.echo(f"{s['label']}: part {s['version']} ({s['mode']} mode) in database {s['database']}")
    if not s["tables"]:
        click.echo("no managed tables")
    for t in s["tables"]:
        parts = t["partitions"]
        rows = sum(p.get("estimated_rows") or 0 for p in parts)
        size = sum(p.get("total_bytes") or 0 for p in parts)
        shape = (f"hash on {t['key']}, {t['partitions_configured']} partitions" if t["strategy"] == "hash"
                 else f"range on {t['key']} every {t['interval']}, premake {t['premake']}"
                 + (f", retention {t['retention']} ({t['retention_mode']})" if t["retention"] else ""))
        click.echo("")
        click.echo(f"{t['table']}: {shape}: {len(parts)} partitions, ~{rows} rows, {_fmt_bytes(size)}")
        for line in _table(
            [[p["partition_name"], "(default)" if p["is_default"] else p["bound_from"],
              "" if p["is_default"] else p["bound_to"], p["estimated_rows"], _fmt_bytes(p["total_bytes"])]
             for p in parts],
            ["partition", "from", "to", "rows", "size"],
        ):
            click.echo("  " + line)
    click.echo("")
    if s["migrations"]:
        click.echo("migrations:")
        for m in s["migrations"]:
            click.echo("  " + ", ".join(f"{k}={v}" for k, v in m.items() if v is not None))
    else:
        click.echo("migrations: none")
    if s["maintenance_runs"]:
        click.echo("last maintenance runs:")
        for r in s["maintenance_runs"]:
            click.echo(f"  {r['logged_at']}  {r['outcome']}  {r.get('duration') or ''}  {r.get('detail') or ''}".rstrip())
    else:
        click.echo("last maintenance runs: none yet")
    if s["cron_jobs"] is None:
        click.echo("schedule: not known (no pg_cron registration in this pginstall)")
    else:
        click.echo("schedule:")
        for j in s["cron_jobs"]:
            click.echo("  " + ", ".join(f"{k}={v}" for k, v in j.items()))


@main.command()
@target_options()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def verify(cfg, targets, as_json):
    """Run part.verify() and show the cron state; exit 1 on any fail.

    Example: pginstall verify --db finance
    """
    rows, cron_state = ap.verify(_one(targets))
    failed = any(r.get("status") == "fail" for r in rows)
    if as_json:
        click.echo(json.dumps({"checks": rows, "cron_jobs": cron_state, "ok": not failed}, indent=2, default=str))
    else:
        for line in _table([[r.get("status"), r.get("check_name"), r.get("table_name"), r.get("detail")] for r in rows],
                           ["status", "check", "table", "detail"]):
            click.echo(line)
        if cron_state is not None:
            click.echo("cron jobs:")
            for j in cron_state:
                click.echo("  " + ", ".join(f"{k}={v}" for k, v in j.items()))
    if failed:
        raise SystemExit(1)


@main.command()
@target_options()
@click.argument("assignments", nargs=-1, metavar="[KEY=VALUE]...")
def flags(cfg, targets, assignments):
    """Show the flags of part.settings, or set them (part.set_setting).

    Example: pginstall flags --db finance enable_partition_maintenance=false
    """
    pairs = []
    for a in assignments:
        if "=" not in a:
            raise click.ClickException(f"{a!r}: write KEY=VALUE, e.g. log_partition_routing=true")
        k, v = a.split("=", 1)
        pairs.append((k.strip(), v.strip()))
    for line in _table([list(r) for r in ap.flags(_one(targets), pairs)], ["flag", "value", "description"]):
        click.echo(line)


@main.command()
@target_options()
@click.option("--force", is_flag=True, help="Uninstall even while a migration is between dual_write and partitioned.")
def uninstall(cfg, targets, force):
    """Remove part (DROP EXTENSION part, or DROP SCHEMA part in plain mode).

    Partitioned tables, their partitions and schema part_archive are kept.
    Refused while a migration is in progress unless --force.

    Example: pginstall uninstall --db finance
    """
    ap.uninstall(_one(targets), force=force, echo=click.echo)


# --------------------------------------------------------------------------
# migrate: walk a table through the phases


def _phase(conn, table) -> str | None:
    return conn.execute(sql.SQL("SELECT {}.phase(%s)").format(sql.Identifier(ap.SCHEMA)), (table,)).fetchone()[0]


def _sqlcall(conn, what: str, table: str, *args):
    holders = sql.SQL(", ").join([sql.Placeholder()] * (1 + len(args)))
    q = sql.SQL("SELECT {}.{}({})").format(sql.Identifier(ap.SCHEMA), sql.Identifier(what), holders)
    try:
        return conn.execute(q, (table, *args)).fetchall()
    except psycopg.Error as e:
        raise click.ClickException(f"{table}: {what} failed: {ap.describe_db_error(e)}") from None


def _migration(conn, table: str) -> dict | None:
    s = sql.Identifier(ap.SCHEMA)
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    return cur.execute(
        sql.SQL("SELECT * FROM {}.migration WHERE table_name = (SELECT {}._qualified({}._resolve_table(%s)))").format(s, s, s),
        (table,),
    ).fetchone()


def _backfill(conn, table: str, batch_size: int, sleep: str) -> None:
    """CALL part.backfill in slices of batches, with progress (rows/s, ETA): see migrate.py."""
    from .migrate import backfill

    backfill(conn, table, batch_size, sleep)


@main.command()
@target_options()
@click.argument("table")
@click.option("--to", "to", required=True, type=click.Choice(PHASES + ("rollback", "none")),
              help="The phase to reach; earlier phases are walked through.")
@click.option("--batch-size", type=int, default=None, help="Backfill batch (default: the config's batch_size, else 10000).")
@click.option("--sleep", default="0", show_default=True, help="Pause between backfill batches (an interval).")
@click.option("--keep-legacy", type=click.Choice(("archive", "keep", "drop")), default="archive", show_default=True,
              help="What finalize does with the legacy table.")
@click.option("--keep-copy", is_flag=True, default=False,
              help="--to none: keep the partitioned copy (unmanaged) instead of dropping it.")
@click.option("--force", is_flag=True, default=False,
              help="Finalize even though the last parity check found differences (part.finalize p_force).")
def migrate(cfg, targets, table, to, batch_size, sleep, keep_legacy, keep_copy, force):
    """Move TABLE online to a phase: dual_write, backfilled, partitioned, finalized.

    Walks the phases in between (--to partitioned from dual_write backfills,
    checks parity, then switches) and stops with a clear error where a step
    fails. --to rollback (or --to backfilled from partitioned) swaps back.
    --to none abandons the migration (part.migrate_cancel): the sync goes,
    the copy is dropped (or kept with --keep-copy), the legacy table is
    untouched; a switched table is rolled back first.

    Example: pginstall migrate public.revenues --db finance --to partitioned
    """
    target = _one(targets)
    entry = None
    wanted = cf.normalize_table_name(table)
    for t in target.tables:
        n = cf.normalize_table_name(t.table)
        if n == wanted or n.split(".")[-1] == wanted:
            entry = t
    with ap.connect(target, autocommit=True) as conn:
        ap._require_installed(conn, target)
        try:
            phase = _phase(conn, table)
        except psycopg.Error as e:
            raise click.ClickException(f"{table}: {ap.describe_db_error(e)}") from None
        if to == "none":
            if phase is None:
                click.echo(f"{table}: already none (no migration)")
                return
            if phase == "partitioned":
                _sqlcall(conn, "rollback", table)
                click.echo(f"{table}: rolled back: reads and writes on the legacy table again (backfilled)")
            copy = _sqlcall(conn, "migrate_cancel", table, "keep" if keep_copy else "drop")[0][0]
            click.echo(f"{table}: migration cancelled: sync removed, partitioned copy {copy}; the legacy table is untouched")
            return
        if to == "rollback":
            if phase == "backfilled":  # where a rollback leads: nothing to do
                click.echo(f"{table}: already backfilled (reads and writes on the legacy table)")
                return
            if phase != "partitioned":
                raise click.ClickException(f"{table}: rollback goes one phase back from partitioned; it is in {phase}")
            to = "backfilled"
        order = {None: 0, **{p: i + 1 for i, p in enumerate(PHASES)}}
        if order[to] < order[phase]:
            if phase == "partitioned" and to == "backfilled":
                _sqlcall(conn, "rollback", table)
                click.echo(f"{table}: rolled back: reads and writes on the legacy table again (backfilled)")
                return
            raise click.ClickException(
                f"{table}: is in {phase}; going back to {to} is not supported (only partitioned -> backfilled)")
        if order[to] == order[phase]:
            click.echo(f"{table}: already {to}")
            return
        bs = batch_size or (entry.batch_size if entry else 10000)
        while order[phase] < order[to]:
            if phase is None:
                if entry is None:
                    raise click.ClickException(
                        f"{table}: not in [databases.{target.label}] tables of {cfg.label}: "
                        f"add it (strategy, key, interval or partitions) to start its migration")
                try:
                    ap.start_migration(conn, table, entry)
                except psycopg.Error as e:
                    raise click.ClickException(f"{table}: migrate_start failed: {ap.describe_db_error(e)}") from None
                click.echo(f"{table}: dual_write: partitioned copy created, sync triggers installed")
            elif phase == "dual_write":
                _backfill(conn, table, bs, sleep)
                click.echo(f"{table}: checking parity")
                rows = conn.execute(
                    sql.SQL("SELECT count(*) FILTER (WHERE status <> 'ok'), count(*) FROM {}.check_parity(%s)").format(
                        sql.Identifier(ap.SCHEMA)), (table,)).fetchone()
                if rows[0]:
                    raise click.ClickException(
                        f"{table}: parity differs in {rows[0]} of {rows[1]} ranges: see part.parity_diff('{table}')")
                click.echo(f"{table}: parity clean over {rows[1]} ranges")
            elif phase == "backfilled":
                _sqlcall(conn, "switch_reads", table)
                click.echo(f"{table}: partitioned: reads and writes go to the partitioned table")
            elif phase == "partitioned":
                _sqlcall(conn, "finalize", table, keep_legacy, force)
                click.echo(f"{table}: finalized (legacy table: {keep_legacy})")
            new = _phase(conn, table)
            if new == phase:
                raise click.ClickException(f"{table}: still in {phase} after the step; see part.migrations")
            phase = new


if __name__ == "__main__":
    main()
