"""pginstall: install and manage part, partitioning that lives inside PostgreSQL.

Click only: the work is done by targets.py (which databases, connections),
state.py (install state and mode, uninstall), apply.py (the apply/plan
transaction), reports.py (status, verify, flags), cron.py (pg_cron) and
render.py (Jinja). Every command takes --db, --config and --dsn after its own
name; errors are one line each and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

import click
import psycopg
from psycopg import sql

from . import __version__, apply as ap, config as cf, render as rd, reports, state, targets as tg
from .errors import PginstallError

PHASES = ("dual_write", "backfilled", "partitioned", "finalized")


EXIT_CONNECT = 2  # as psql: the server could not be reached
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as a shell reports it


class _ConnectFailed(click.ClickException):
    exit_code = EXIT_CONNECT


def _click_error(e: PginstallError) -> click.ClickException:
    """An error of pginstall (errors.py) as Click shows it: one line per problem, the exit status it carries."""
    out = click.ClickException(str(e))
    out.exit_code = e.exit_code
    return out


class _Group(click.Group):
    """Turns the installer's own errors into one-line ClickExceptions.

    Exit status: 0 done; 1 an error (bad command line, config, a refusal by
    part, verify found a fail); 2 the server could not be reached (as psql);
    130 interrupted (Ctrl-C).
    """

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as e:
            e.exit_code = 1  # 2 is a connection failure, as in psql
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, click.Abort):
            # what was committed stays (apply: nothing; migrate: the phases reached, the batches copied)
            click.echo("pginstall: interrupted; what had committed stays, the rest did not happen: "
                       "run the command again to go on", err=True)
            raise SystemExit(EXIT_INTERRUPTED) from None
        except click.UsageError as e:
            e.exit_code = 1
            raise
        except PginstallError as e:
            raise _click_error(e) from None
        except psycopg.OperationalError as e:
            if getattr(e, "sqlstate", None) is None:  # the connection went away
                raise _ConnectFailed(tg.describe_db_error(e)) from None
            raise click.ClickException(tg.describe_db_error(e)) from None
        except psycopg.Error as e:
            raise click.ClickException(tg.describe_db_error(e)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pginstall")
def main():
    """Install and manage part, partitioning that lives inside PostgreSQL.

    \b
    pginstall apply --db finance      install or upgrade part, manage the configured tables
    pginstall plan --db finance       what apply would change (nothing printed: nothing to do)
    pginstall status --db finance     partitions, migrations, maintenance runs

    The config file is --config FILE, else $PGINSTALL_CONFIG, else ./pginstall.toml.
    Connections follow libpq, as psql: PGHOST, PGPORT, PGUSER, PGPASSWORD,
    PGDATABASE and PGSERVICE (service files) when --db and --dsn are not given.

    \b
    Exit status: 0 done; 1 an error (command line, config file, a refusal by
    part, a failed check); 2 the server could not be reached (as psql);
    130 interrupted.
    """


def target_options(all_option: bool = False, uses_tables: bool = False, env_note: bool = False):
    """--db, --config, --dsn (and --all): the shared options of every command.

    uses_tables: the command acts on the configured tables (plan, apply,
    migrate): with no config file, or no section for --db, it says so on
    stderr (it would otherwise act on no table and print nothing).
    env_note: say on stderr which of apply's environment variables are set.
    """

    def decorate(f):
        @click.option("--db", "db", metavar="NAME",
                      help="The [databases.NAME] section of the config file (default dbname: NAME).")
        @click.option("--config", "config_file", metavar="FILE", type=click.Path(dir_okay=False),
                      help="Config file (default: $PGINSTALL_CONFIG, else ./pginstall.toml).")
        @click.option("--dsn", metavar="DSN", help="Connection string; overrides the section's dsn.")
        @functools.wraps(f)
        def wrapper(*args, db, config_file, dsn, all_dbs=False, **kwargs):
            cfg = cf.load(config_file)
            targets = tg.resolve_targets(cfg, db, dsn, all_dbs)
            result = f(*args, cfg=cfg, targets=targets, **kwargs)
            # after the command's own output, and only when it went through (an error stays one line)
            if uses_tables:
                for t in targets:
                    note = cfg.missing_note(t.section.name if t.section else t.label)
                    if note:
                        click.echo(f"pginstall: {note}", err=True)
                        break
            if env_note:
                _env_note()
            return result

        if all_option:
            wrapper = click.option("--all", "all_dbs", is_flag=True,
                                   help="Every database of the config file, one after another.")(wrapper)
        return wrapper

    return decorate


def _env_note() -> None:
    """Say on stderr which of apply's environment variables are set: they change what it does."""
    set_ = [f"{v}={os.environ[v]}" for v in (*ap.FLAG_ENV.values(), "USE_PARTITIONED_TABLES")
            if os.environ.get(v, "").strip()]
    if set_:
        click.echo(f"pginstall: from the environment: {', '.join(set_)} (for every table and migration of the "
                   f"database, in the config file or not; see pginstall apply --help)", err=True)


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
        target = tg.resolve_targets(cf.load(config_file), db, dsn)[0]
        with tg.connect(target) as conn:
            mode = state.choose_mode(state.read_state(conn), mode, target.label)
    click.echo(rd.render_install(mode or "plain", version), nl=False)


@main.command()
@target_options(all_option=True, uses_tables=True, env_note=True)
@click.option("--mode", type=click.Choice(rd.MODES), default=None,
              help="Force an install mode for a database without part.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: the changes of each database.")
def plan(cfg, targets, mode, as_json):
    """Show what `apply` would change; print nothing when there is nothing to do.

    The environment variables of `pginstall apply --help` count here too.

    Example: pginstall plan --db finance
    """
    if as_json:
        out = []
        for target in targets:
            lines = ap.plan(target, mode)
            out.append({"database": target.label, "changes": [l.removeprefix(f"{target.label}: ") for l in lines]})
        click.echo(json.dumps({"databases": out}, indent=2))
        return
    for target in targets:
        for line in ap.plan(target, mode):
            click.echo(line)


@main.command(name="apply")
@target_options(all_option=True, uses_tables=True, env_note=True)
@click.option("--mode", type=click.Choice(rd.MODES), default=None,
              help="Install mode for a database without part (default: extension when the server "
                   "has part's files, else plain). Mixing modes is refused.")
@click.option("--dry-run", is_flag=True, help="Run everything, then roll back.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON at the end: what was done in each database (errors stay one line on stderr).")
def apply_cmd(cfg, targets, mode, dry_run, as_json):
    """Install or upgrade part and manage the configured tables.

    One transaction per database: an error leaves that database as it was.
    Cron jobs are registered after the commit.

    \b
    Environment (applies to the whole database, tables not in the config
    file included; plan shows what they would do):
      ENABLE_PARTITION_MAINTENANCE=true|false   sets that flag of part.settings
      LOG_PARTITION_ROUTING=true|false          sets that flag of part.settings
      USE_PARTITIONED_TABLES=true               switches every migration that is
                                                backfilled with clean parity

    Example: pginstall apply --db finance
    """
    if len(targets) > 1:  # every config problem of every database first (apply reports one database's)
        for target in targets:
            ap.plan(target, mode)
    failed = []
    report = []
    for target in targets:
        try:
            result = ap.apply(target, mode, dry_run=dry_run, echo=(lambda _l: None) if as_json else click.echo)
        except PginstallError as e:
            if len(targets) == 1:
                raise
            click.echo(f"Error: {e}", err=True)
            failed.append(target.label)
            report.append({"database": target.label, "done": [], "error": str(e), "failed": True})
            continue
        if result.failed:
            failed.append(target.label)
        report.append({"database": target.label, "dry_run": dry_run, "failed": result.failed,
                       "done": [l.removeprefix(f"{target.label}: ") for l in result.lines]})
    if as_json:
        click.echo(json.dumps({"databases": report}, indent=2))
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


def _when(v) -> str:
    """A timestamp (ISO text or datetime) as 2026-11-22 01:31:05 UTC; '' for none."""
    if v is None or v == "":
        return ""
    try:
        t = v if isinstance(v, datetime) else datetime.fromisoformat(str(v))
    except ValueError:
        return str(v)
    if t.tzinfo is not None:
        t = t.astimezone(timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if t.tzinfo is not None else "")


def _dur(seconds) -> str:
    """A duration in seconds as 9 ms, 2.7 s, 3 min 12 s, 2 h 5 min; '' for none."""
    if seconds is None:
        return ""
    x = float(seconds)
    if x < 1:
        return f"{x * 1000:.0f} ms"
    if x < 60:
        return f"{x:.1f} s"
    if x < 3600:
        return f"{int(x // 60)} min {int(x % 60)} s"
    return f"{int(x // 3600)} h {int(x % 3600 // 60)} min"


def _rows_text(n) -> str:
    return "unknown" if n is None else f"{n:,}"


def _migration_text(m: dict) -> str:
    since = {"dual_write": m.get("started_at"), "partitioned": m.get("partitioned_at"),
             "finalized": m.get("finalized_at")}.get(m["phase"])
    if m["phase"] == "backfilled":
        since = max((t for t in (m.get("backfilled_at"), m.get("rolled_back_at")) if t), default=None)
    out = [f"{m['phase']}" + (f" since {_when(since)}" if since else "")]
    if m["phase"] in ("partitioned", "finalized"):
        out.append(f"legacy table {m['legacy_table']}")
    if m.get("backfill_finished_at"):
        out.append(f"backfill done: {_rows_text(m['backfill_rows'])} rows ({_when(m['backfill_finished_at'])})")
    elif m.get("backfill_started_at"):
        b = f"backfill {_rows_text(m['backfill_rows'])} of ~{_rows_text(m.get('backfill_total'))} rows"
        if m.get("backfill_percent") is not None:
            b += f" ({float(m['backfill_percent']):.0f}%)"
        if m.get("pause_reason"):  # part._yield_wait: waiting for production (replay lag, lock queue)
            b += f", paused since {_when(m.get('paused_since'))}: {m['pause_reason'].removeprefix('backfill paused: ')}"
        elif m.get("backfill_eta") is not None:
            b += f", {m.get('backfill_rows_per_second') or 0:,} rows/s, ETA {_dur(m['backfill_eta'])}"
        else:
            b += ", not running"
        out.append(b)
    elif m.get("pause_reason"):
        out.append(f"backfill not started, paused since {_when(m.get('paused_since'))}: "
                   f"{m['pause_reason'].removeprefix('backfill paused: ')}")
    else:
        out.append("backfill not started")
    if m.get("parity_clean") is None:
        out.append("parity not checked")
    elif m["parity_clean"]:
        out.append(f"parity clean over {m.get('parity_ranges')} ranges ({_when(m.get('parity_checked_at'))})")
    else:
        out.append(f"parity differs in {m.get('parity_differ')} of {m.get('parity_ranges')} ranges "
                   f"({_when(m.get('parity_checked_at'))})")
    return f"{m['table_name']}: " + "; ".join(out)


def _job_text(j: dict) -> str:
    if "error" in j:
        return f"cannot read the jobs: {j['error']}"
    last = "never run"
    if j.get("last_status"):
        last = f"last run {_when(j.get('last_start'))}: {j['last_status']}"
        if j["last_status"] == "failed" and j.get("last_message"):
            last += f" ({' '.join(str(j['last_message']).split())})"
    return (f"{j['jobname']} (job {j['jobid']}{'' if j.get('active') else ', INACTIVE'}): {j['schedule']!r} "
            f"in database {j['database']}: {j['command']}; {last}")


@main.command()
@target_options()
@click.option("--json", "as_json", is_flag=True, help="Print JSON (times in ISO 8601, durations in seconds).")
def status(cfg, targets, as_json):
    """Partitions of each managed table, migrations, schedule and last maintenance runs.

    Row counts are PostgreSQL's estimates; a partition never analyzed shows
    "unknown" (null in JSON). Example: pginstall status --db finance --json
    """
    s = reports.status(_one(targets))
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
        known = [p["estimated_rows"] for p in parts if p.get("estimated_rows") is not None]
        unknown = len(parts) - len(known)
        size = sum(p.get("total_bytes") or 0 for p in parts)
        shape = (f"hash on {t['key']}, {t['partitions_configured']} partitions" if t["strategy"] == "hash"
                 else f"range on {t['key']} every {t['interval']}, premake {t['premake']}"
                 + (f", retention {t['retention']} ({t['retention_mode']})" if t["retention"] else ""))
        rows = f"~{sum(known):,} rows" + (f" ({unknown} partition(s) not analyzed yet: unknown)" if unknown else "")
        click.echo("")
        click.echo(f"{t['table']}: {shape}: {len(parts)} partitions, {rows}, {_fmt_bytes(size)}")
        if t["strategy"] == "hash":
            cells = [[p["partition_name"], p.get("modulus"), p.get("remainder"), _rows_text(p["estimated_rows"]),
                      _fmt_bytes(p["total_bytes"])] for p in parts]
            headers = ["partition", "modulus", "remainder", "rows", "size"]
        else:
            cells = [[p["partition_name"], "(default)" if p["is_default"] else p["bound_from"],
                      "" if p["is_default"] else p["bound_to"], _rows_text(p["estimated_rows"]),
                      _fmt_bytes(p["total_bytes"])] for p in parts]
            headers = ["partition", "from", "to", "rows", "size"]
        for line in _table(cells, headers):
            click.echo("  " + line)
    click.echo("")
    if s["migrations"]:
        click.echo("migrations:")
        for m in s["migrations"]:
            click.echo("  " + _migration_text(m))
    else:
        click.echo("migrations: none")
    if s["maintenance_runs"]:
        click.echo("last maintenance runs:")
        for line in _table([[_when(r["logged_at"]), r["outcome"], _dur(r.get("duration")), r.get("detail")]
                            for r in s["maintenance_runs"]], ["at", "outcome", "took", "detail"]):
            click.echo("  " + line)
    else:
        click.echo("last maintenance runs: none yet")
    if s["cron_jobs"] is None:
        click.echo("schedule: none (pg_cron is not available: nothing is scheduled)")
    else:
        click.echo("schedule:" if s["cron_jobs"] else "schedule: no part jobs in pg_cron (pginstall apply registers them)")
        for j in s["cron_jobs"]:
            click.echo("  " + _job_text(j))


@main.command()
@target_options()
@click.option("--json", "as_json", is_flag=True, help="Print JSON (times in ISO 8601).")
def verify(cfg, targets, as_json):
    """Run part.verify() and show the cron state; exit 1 on any fail.

    Example: pginstall verify --db finance
    """
    rows, cron_state = reports.verify(_one(targets))
    failed = any(r.get("status") == "fail" for r in rows)
    if as_json:
        click.echo(json.dumps({"checks": rows, "cron_jobs": cron_state, "ok": not failed}, indent=2, default=str))
    else:
        for line in _table([[r.get("status"), r.get("check_name"), r.get("table_name"), r.get("detail")] for r in rows],
                           ["status", "check", "table", "detail"]):
            click.echo(line)
        if cron_state:
            click.echo("cron jobs:")
            for j in cron_state:
                click.echo("  " + _job_text(j))
    if failed:
        raise SystemExit(1)


@main.command()
@target_options()
@click.argument("assignments", nargs=-1, metavar="[KEY=VALUE]...")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def flags(cfg, targets, assignments, as_json):
    """Show the flags of part.settings, or set them (part.set_setting).

    Example: pginstall flags --db finance enable_partition_maintenance=false
    """
    pairs = []
    for a in assignments:
        if "=" not in a:
            raise click.ClickException(f"{a!r}: write KEY=VALUE, e.g. log_partition_routing=true")
        k, v = a.split("=", 1)
        pairs.append((k.strip(), v.strip()))
    rows = reports.flags(_one(targets), pairs)
    if as_json:
        click.echo(json.dumps({k: {"value": v, "description": d} for k, v, d in rows}, indent=2))
        return
    for line in _table([list(r) for r in rows], ["flag", "value", "description"]):
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
    state.uninstall(_one(targets), force=force, echo=click.echo)


@main.command(name="index")
@target_options()
@click.argument("table")
@click.argument("definition")
def index_cmd(cfg, targets, table, definition):
    """Build an index on every partition of TABLE online, resumably.

    DEFINITION is what follows ON <table> in CREATE INDEX. part.create_index
    makes the index on ONLY the parent and plans the rest; each partition then
    gets CREATE INDEX CONCURRENTLY (writers go on) and is attached. Run it
    again after an interruption: it resumes (an invalid index left behind is
    dropped and built again). Runs as the connecting role: the table's owner
    (or a member of its role) or a superuser.

    Example: pginstall index public.events '(org_id, occurred_at)' --db finance
    """
    from .index import build

    build(_one(targets), table, definition)


# --------------------------------------------------------------------------
# migrate: walk a table through the phases


# what each step of part.split_history did, as the CLI says it
_SPLIT_STEP = {
    "start": "{name} made (one partition per interval), kept in step with the history partition by triggers",
    "copy": "{rows:,} rows copied into {name}",
    "check": "{name} matches the history partition's rows of its interval",
    "recopy": "{name} differed from the history partition: its interval copied again",
    "swap": "{name} replaced the history partition (catalog only)",
    "drop": "{name}, replaced by its copy, dropped",
    "flatten": "{name} moved into the table (catalog only)",
    "finalize": "the history partition was empty: dropped",
}


def _phase(conn, table) -> str | None:
    return conn.execute(sql.SQL("SELECT {}.phase(%s)").format(sql.Identifier(ap.SCHEMA)), (table,)).fetchone()[0]


def _next_steps(phase: str | None, cmd: str) -> str:
    """Where a migration is and the commands that go on from there (one line)."""
    if phase == "dual_write":
        return (f"now: dual_write (the application's writes are mirrored into the copy); next: `{cmd} --to partitioned` "
                f"(backfill, parity, switch) or `{cmd} --to backfilled` (backfill and parity only)")
    if phase == "backfilled":
        return (f"now: backfilled (reads and writes on the legacy table, mirrored); next: `{cmd} --to partitioned` "
                f"(switch)")
    if phase == "partitioned":
        return (f"now: partitioned (the partitioned table serves the application, mirrored back into the legacy one); "
                f"next: `{cmd} --to finalized` once satisfied (ends the sync, archives the legacy table), "
                f"or `{cmd} --to rollback` (back to the legacy table, nothing lost)")
    if phase == "finalized":
        return "now: finalized: the migration is done (the sync is removed)"
    return f"now: no migration; next: `{cmd} --to dual_write` (or --to partitioned for all of it)"


def _sqlcall(conn, what: str, table: str, *args):
    """SELECT part.what(table, ...); part's NOTICEs meanwhile (a lock it waits for) go to stderr as they come."""
    holders = sql.SQL(", ").join([sql.Placeholder()] * (1 + len(args)))
    q = sql.SQL("SELECT {}.{}({})").format(sql.Identifier(ap.SCHEMA), sql.Identifier(what), holders)

    def show(d):
        if d.severity_nonlocalized in ("NOTICE", "WARNING") and d.message_primary:
            click.echo(f"{table}: {d.message_primary.removeprefix('part: ')}", err=True)

    conn.add_notice_handler(show)
    try:
        return conn.execute(q, (table, *args)).fetchall()
    except psycopg.Error as e:
        raise click.ClickException(f"{table}: {what} failed: {ap.describe_db_error(e)}") from None
    finally:
        conn.remove_notice_handler(show)


def _migration(conn, table: str) -> dict | None:
    s = sql.Identifier(ap.SCHEMA)
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    return cur.execute(
        sql.SQL("SELECT * FROM {}.migration WHERE table_name = {}.qualified_name(%s)").format(s, s),
        (table,),
    ).fetchone()


def _migrate_attach(conn, table: str, entry, phase: str | None, to: str, cmd: str) -> None:
    """`pginstall migrate` for an attach migration (migrate = "attach"): start (preparing), attach_prepare
    with the statements it hands out run here, outside a transaction (CREATE INDEX CONCURRENTLY), switch,
    then the online split of the history partition (copy, check, swap, one partition per step) until finalized.
    --to dual_write / backfilled mean preparing / prepared; --to rollback / backfilled from partitioned
    roll back (before the split begins); --to none cancels."""
    order = {None: 0, "preparing": 1, "prepared": 2, "partitioned": 3, "finalized": 4}
    target = {"dual_write": "preparing", "backfilled": "prepared", "rollback": "prepared"}.get(to, to)
    if to == "none":
        if phase is None:
            click.echo(f"{table}: already none (no migration)")
            return
        if phase == "partitioned":
            phase = _sqlcall(conn, "rollback", table)[0][0]
            click.echo(f"{table}: rolled back: reads and writes on the legacy table again ({phase})")
        _sqlcall(conn, "migrate_cancel", table)
        click.echo(f"{table}: migration cancelled: its CHECK and the empty partitioned table are gone; "
                   f"the legacy table is as it was")
        return
    if order[target] < order[phase]:
        if phase != "partitioned":
            raise click.ClickException(
                f"{table}: is in {phase}; going back to {to} is not supported (only partitioned -> prepared)")
        phase = _sqlcall(conn, "rollback", table)[0][0]
        click.echo(f"{table}: rolled back: the legacy table is read and written again ({phase})")
        return
    if order[target] == order[phase]:
        click.echo(f"{table}: already {phase}")
        return
    while order[phase] < order[target]:
        if phase is None:
            if entry is None:
                raise click.ClickException(f"{table}: not in the config's tables: add it (migrate = \"attach\") to start")
            try:
                ap.start_migration(conn, table, entry)
            except psycopg.Error as e:
                raise click.ClickException(f"{table}: migrate_start failed: {ap.describe_db_error(e)}") from None
            click.echo(f"{table}: preparing (attach): CHECK added NOT VALID, empty partitioned table created")
        elif phase == "preparing":
            while (stmt := _sqlcall(conn, "attach_prepare", table)[0][0]) is not None:
                click.echo(f"{table}: running {stmt}")
                try:
                    conn.execute(stmt)
                except psycopg.Error as e:
                    raise click.ClickException(f"{table}: {stmt} failed: {ap.describe_db_error(e)}; run `{cmd} --to "
                                               f"{to}` again (an interrupted build is dropped first)") from None
            click.echo(f"{table}: prepared: CHECK validated, indexes built")
        elif phase == "prepared":
            _sqlcall(conn, "switch_reads", table)
            click.echo(f"{table}: partitioned: the legacy table is the history partition; no row was copied")
        elif phase == "partitioned":
            q = sql.SQL("SELECT * FROM {}.split_history(%s)").format(sql.Identifier(ap.SCHEMA))
            while True:
                try:
                    rows = conn.execute(q, (table,)).fetchall()
                except psycopg.Error as e:
                    raise click.ClickException(f"{table}: split_history failed: {ap.describe_db_error(e)}") from None
                if not rows:
                    break
                for step, name, rows_copied in rows:
                    click.echo(f"{table}: split: {_SPLIT_STEP.get(step, step).format(name=name, rows=rows_copied)}")
            click.echo(f"{table}: finalized: the history partition is split and gone")
        new = _phase(conn, table)
        if new == phase:
            raise click.ClickException(f"{table}: still in {phase} after the step; see part.migrations")
        phase = new
    click.echo(f"{table}: now {phase}")


@main.command()
@target_options(uses_tables=True)
@click.argument("table")
@click.option("--to", "to", required=True, type=click.Choice(PHASES + ("rollback", "none")),
              help="The phase to reach; earlier phases are walked through.")
@click.option("--batch-size", type=int, default=None, help="Backfill batch (default: the config's batch_size, else 10000).")
@click.option("--sleep", default="0", show_default=True, help="Pause between backfill batches (an interval).")
@click.option("--keep-legacy", type=click.Choice(("archive", "keep", "drop")), default="archive", show_default=True,
              help="What finalize does with the legacy table; drop asks first (or --yes).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before --keep-legacy drop.")
@click.option("--keep-copy", is_flag=True, default=False,
              help="--to none: keep the partitioned copy (unmanaged) instead of dropping it.")
@click.option("--force", is_flag=True, default=False,
              help="Finalize even though the last parity check found differences (part.finalize p_force).")
def migrate(cfg, targets, table, to, batch_size, sleep, keep_legacy, yes, keep_copy, force):
    """Move TABLE online to a phase: dual_write, backfilled, partitioned, finalized.

    Walks the phases in between (--to partitioned from dual_write backfills,
    checks parity, then switches) and stops with a clear error where a step
    fails; after each step it says the phase and what comes next. --to
    rollback (or --to backfilled from partitioned) swaps back; in backfilled
    already, it does nothing (as --to a phase already reached). --to none
    abandons the migration (part.migrate_cancel): the sync goes, the copy is
    dropped (or kept with --keep-copy), the legacy table is untouched; a
    switched table is rolled back first. Ctrl-C during the backfill stops it;
    running the same command again resumes it. --keep-legacy drop drops the
    legacy table for good: it asks first, or needs --yes when there is no
    terminal.

    Example: pginstall migrate public.revenues --db finance --to partitioned
    """
    target = _one(targets)
    cmd = f"pginstall migrate {shlex.quote(table)} --db {shlex.quote(target.label)}{cfg.option}"
    again = f"{cmd} --to {to}"
    from .migrate import BackfillInterrupted, migrate_to

    with ap.connect(target, autocommit=True) as conn:
        ap._require_installed(conn, target)
        entry = ap.config_entry(conn, target, table)
        try:
            phase = _phase(conn, table)
        except psycopg.Error as e:
            raise click.ClickException(f"{table}: {ap.describe_db_error(e)}") from None
        mig = _migration(conn, table) if phase is not None else None
        if (mig["method"] if mig else (entry.method if entry else "copy")) == "attach":
            return _migrate_attach(conn, table, entry, phase, to, cmd)
        order = {None: 0, **{p: i + 1 for i, p in enumerate(PHASES)}}
        if to == "finalized" and keep_legacy == "drop" and not yes and order[phase] < order["finalized"]:
            steps = " -> ".join(p for p in PHASES if order[phase] < order[p])
            question = (f"{table}: this runs {steps}, and finalize then DROPS the legacy table (the "
                        f"unpartitioned {table} as it was, with every row): there is no way back. Go on?")
            if not sys.stdin.isatty():
                raise click.ClickException(
                    f"{table}: --keep-legacy drop drops the legacy table for good: pass --yes to confirm, "
                    f"or use --keep-legacy archive (the default) or keep")
            if not click.confirm(question, default=False):
                raise click.ClickException(f"{table}: nothing done")
        started = False
        if phase is None and to in PHASES:
            # the one step that needs the config (strategy, key, interval or partitions)
            if entry is None:
                raise click.ClickException(
                    f"{table}: not in [databases.{target.label}] tables of {cfg.label}: "
                    f"add it (strategy, key, interval or partitions) to start its migration")
            try:
                ap.start_migration(conn, table, entry)
            except psycopg.Error as e:
                raise click.ClickException(f"{table}: migrate_start failed: {ap.describe_db_error(e)}") from None
            click.echo(f"{table}: dual_write: partitioned copy created, sync triggers installed")
            started = True
        # the rest of the walk is SQL: part.migrate_to, whose NOTICEs say what it does as it goes
        try:
            if not (started and to == "dual_write"):  # (just started: nothing more to do)
                migrate_to(conn, table, to, batch_size=batch_size or (entry.batch_size if entry else None), sleep=sleep,
                           keep_legacy=keep_legacy, force=force, copy="keep" if keep_copy else "drop")
        except BackfillInterrupted as e:
            click.echo(f"{table}: backfill stopped at {e.done:,} of ~{e.total:,} rows (interrupted); the rows copied "
                       f"are kept: run `{again}` again to resume from there", err=True)
            raise SystemExit(EXIT_INTERRUPTED) from None
        if to != "none":
            click.echo(f"{table}: {_next_steps(_phase(conn, table), cmd)}")


if __name__ == "__main__":
    main()
