"""Install state and mode: what part a database has (extension or plain mode,
which version), the mode to install in, installing, upgrading and uninstalling.

SPEC.md, "Two install modes": a database has part in one mode or none;
mixing them is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

from . import cron, render
from .errors import ApplyError
from .targets import Target, connect, describe_db_error, first_line, rows

VERSION = render.VERSION
SCHEMA = render.SCHEMA


@dataclass
class InstallState:
    ext_version: str | None  # pg_extension row
    plain_version: str | None  # part.settings version without an extension
    schema_exists: bool
    available_versions: list[str]  # of the extension files on the server
    current_database: str = ""

    @property
    def mode(self) -> str | None:
        if self.ext_version is not None:
            return "extension"
        if self.plain_version is not None:
            return "plain"
        return None

    @property
    def version(self) -> str | None:
        return self.ext_version or self.plain_version

    @property
    def installed(self) -> bool:
        return self.mode is not None


def read_state(conn: psycopg.Connection) -> InstallState:
    ext = conn.execute("SELECT extversion FROM pg_catalog.pg_extension WHERE extname = %s", (SCHEMA,)).fetchone()
    schema = conn.execute("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s", (SCHEMA,)).fetchone()
    plain = None
    if ext is None and schema is not None and conn.execute(
            "SELECT pg_catalog.to_regclass(%s) IS NOT NULL", (f"{SCHEMA}.settings",)).fetchone()[0]:
        row = conn.execute(
            sql.SQL("SELECT value FROM {}.settings WHERE key = 'version'").format(sql.Identifier(SCHEMA))
        ).fetchone()
        plain = row[0] if row else None
    avail = [
        r[0]
        for r in conn.execute(
            "SELECT version FROM pg_catalog.pg_available_extension_versions WHERE name = %s", (SCHEMA,)
        )
    ]
    db = conn.execute("SELECT current_database()").fetchone()[0]
    return InstallState(
        ext_version=ext[0] if ext else None,
        plain_version=plain,
        schema_exists=schema is not None,
        available_versions=avail,
        current_database=db,
    )


def choose_mode(state: InstallState, forced: str | None, label: str) -> str:
    """The install mode for this database (SPEC.md, "Two install modes"); mixing is refused."""
    if state.mode is not None:
        if forced is not None and forced != state.mode:
            raise ApplyError(
                f"{label}: part is installed in {state.mode} mode (version {state.version}); "
                f"--mode {forced} would mix modes, which PostgreSQL cannot do: "
                f"run `pginstall uninstall` first, then apply with --mode {forced}"
            )
        return state.mode
    if state.schema_exists:
        raise ApplyError(
            f"{label}: a schema \"{SCHEMA}\" exists but holds no part installation (no extension, "
            f"no version in {SCHEMA}.settings): rename or drop that schema, then apply again"
        )
    if forced == "extension" and VERSION not in state.available_versions:
        raise ApplyError(
            f"{label}: --mode extension, but the server has no extension files for part {VERSION}: "
            f"run `make install` on the server, or use --mode plain"
        )
    if forced is not None:
        return forced
    return "extension" if VERSION in state.available_versions else "plain"


def _vkey(v: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in v.split("."))
    except ValueError:
        return (0,)


@dataclass
class VersionAction:
    kind: str  # install | upgrade
    mode: str
    from_version: str | None

    def describe(self, done: bool = False) -> str:
        verb = self.kind + ("ed" if done and self.kind == "install" else "d" if done else "")
        if self.kind == "install":
            return f"{verb} part {VERSION} ({self.mode} mode)"
        return f"{verb} part {self.from_version} -> {VERSION} ({self.mode} mode)"


def version_action(state: InstallState, mode: str, label: str) -> VersionAction | None:
    if state.version is None:
        return VersionAction("install", mode, None)
    if state.version == VERSION:
        return None
    if _vkey(state.version) > _vkey(VERSION):
        raise ApplyError(
            f"{label}: part {state.version} is installed, newer than this pginstall's {VERSION}: "
            f"use a pginstall of version {state.version} or later"
        )
    if mode == "extension":
        if VERSION not in state.available_versions:
            raise ApplyError(
                f"{label}: the server has no extension files for part {VERSION}: run `make install` on the server"
            )
    else:
        try:
            render.update_chain(state.version)
        except ValueError as e:
            raise ApplyError(f"{label}: {e}") from None
    return VersionAction("upgrade", mode, state.version)


def run_version_action(conn: psycopg.Connection, action: VersionAction) -> None:
    if action.mode == "extension":
        if action.kind == "install":
            conn.execute(
                sql.SQL("CREATE EXTENSION {} VERSION {}").format(sql.Identifier(SCHEMA), sql.Literal(VERSION))
            )
        else:
            conn.execute(
                sql.SQL("ALTER EXTENSION {} UPDATE TO {}").format(sql.Identifier(SCHEMA), sql.Literal(VERSION))
            )
        return
    if action.kind == "install":
        conn.execute(render.render_install("plain"))
        return
    for _old, _new, name in render.update_chain(action.from_version):
        conn.execute(render.render_update(name, "plain"))
    conn.execute(
        sql.SQL("UPDATE {}.settings SET value = %s WHERE key = 'version'").format(sql.Identifier(SCHEMA)),
        (VERSION,),
    )


def require_installed(conn: psycopg.Connection, target: Target) -> InstallState:
    state = read_state(conn)
    if not state.installed:
        raise ApplyError(f"{target.label}: part is not installed in database {state.current_database}: run `pginstall apply`")
    return state



def uninstall(target: Target, force: bool = False, echo=print) -> list[str]:
    """part.prepare_uninstall (refuses unfinished migrations unless --force), DROP EXTENSION part
    (or DROP SCHEMA part in plain mode), then the pg_cron jobs of the database."""
    out: list[str] = []

    def say(line: str) -> None:
        out.append(f"{target.label}: {line}")
        echo(f"{target.label}: {line}")

    with connect(target) as conn:
        state = read_state(conn)
        if not state.installed:
            say(f"part is not installed in database {state.current_database}: nothing to uninstall")
            return out
        try:
            with conn.transaction():
                left = rows(conn, "SELECT * FROM {s}.prepare_uninstall(p_force => %s)", force)
                for r in left:
                    say(f"warning: removing the sync of {r['table_name']} in phase {r['phase']}: "
                        f"its two tables stop being kept in step")
                if state.mode == "extension":
                    try:
                        with conn.transaction():
                            conn.execute(sql.SQL("DROP EXTENSION {}").format(sql.Identifier(SCHEMA)))
                    except psycopg.errors.DependentObjectsStillExist as e:
                        if not force:
                            raise ApplyError(
                                f"{target.label}: other objects depend on part ({first_line(e.diag.message_detail or str(e))}); "
                                f"pass --force to drop them with it"
                            ) from None
                        conn.execute(sql.SQL("DROP EXTENSION {} CASCADE").format(sql.Identifier(SCHEMA)))
                    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SCHEMA)))
                else:
                    conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))
        except psycopg.Error as e:
            if e.diag.sqlstate == "55006":  # unfinished migrations, without --force
                raise ApplyError(f"{target.label}: {e.diag.message_primary}; finish them (pginstall migrate "
                                 f"--to finalized) or roll them back first, or pass --force to remove their "
                                 f"sync anyway") from None
            raise ApplyError(f"{target.label}: uninstall failed: {describe_db_error(e)}") from None
        conn.commit()
        say(f"removed part {state.version} ({state.mode} mode); partitioned tables, their data and schema "
            f"part_archive are kept")
        for r in left:
            say(f"left in place: {r['left_table']}, {r['left_what']} of {r['table_name']}'s unfinished migration, "
                f"with its rows and no sync: DROP TABLE {r['left_table']} when you no longer need it")
        with cron.site(conn, target.conninfo) as site:
            for line in cron.unregister(site):
                say(line)
    return out
