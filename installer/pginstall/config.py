"""Read pginstall.toml and check its shape (tomllib; no database, no Click).

This module checks only the shape of the file: which keys exist (the KEYS
below, the one place a key is added), which are required, and the TOML type
of each value. Every value itself (an interval, a cron schedule, a table
name, a count and its bounds) is checked by part, in apply's transaction,
before anything changes (part.check_schedule, part.qualified_name,
part.create_partitioned, part.migrate_start); the defaults of the keys a
file leaves out are those of the SQL signatures. A problem is a ConfigError
whose message is one line naming the file, the entry and the problem:

    pginstall.toml: databases.finance.tables[2] (public.revenues): unknown key 'intervl'
"""

from __future__ import annotations

import os
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

DEFAULT_FILE = "pginstall.toml"
ENV_FILE = "PGINSTALL_CONFIG"

_TEXT_OR_INT = (str, int)
# Every key of pginstall.toml: (the TOML types it may have, what it is, for messages). Add a key here.
SCHEDULE_KEYS = {  # [schedule]; checked by part.check_schedule, defaults there
    "maintenance": (str, "a cron schedule string"),
    "retention": (str, "a cron schedule string"),
    "purge_history": (str, "a cron schedule string"),
    "history_days": (int, "a whole number of days"),
}
DATABASE_SCHEDULE_KEYS = ("maintenance", "retention")  # [databases.NAME.schedule]: these of SCHEDULE_KEYS
DATABASE_KEYS = {  # [databases.NAME]
    "dsn": (str, "a connection string"),
    "dbname": (str, "a database name"),
    "schedule": (dict, "a table ([databases.NAME.schedule])"),
    "tables": (list, "an array of tables ([[databases.NAME.tables]])"),
}
TABLE_KEYS = {  # [[databases.NAME.tables]]: table, migrate, and the arguments p_<key> of part.create_partitioned
    "table": (str, "a table name (schema.table)"),
    "strategy": (str, "\"range\" or \"hash\""),
    "key": (str, "a column name"),
    "interval": (_TEXT_OR_INT, "an interval (\"1 month\") or an integer width"),
    "partitions": (int, "a whole number"),
    "premake": (int, "a whole number"),
    "retention": (_TEXT_OR_INT, "an interval (\"24 months\") or an integer"),
    "retention_mode": (str, "drop, detach or archive"),
    "default_partition": (bool, "true or false"),
    "batch_size": (int, "a whole number"),
    "time_zone": (str, "an IANA zone name (\"Europe/Paris\")"),
    "migrate": ((bool, str), "true, false, \"copy\" or \"attach\""),
}
REQUIRED_TABLE_KEYS = ("table", "strategy", "key")
NOT_ARGUMENTS = ("table", "migrate")  # the table keys that are not arguments of part.create_partitioned


@dataclass(frozen=True)
class Schedule:
    """[schedule] keys the file sets (None: not set; the default is part.check_schedule's)."""

    maintenance: str | None = None
    retention: str | None = None
    purge_history: str | None = None
    history_days: int | None = None

    def merged(self, override: "Schedule") -> "Schedule":
        """This schedule with the keys `override` sets replaced."""
        return Schedule(**{k: getattr(override, k) if getattr(override, k) is not None else getattr(self, k)
                           for k in SCHEDULE_KEYS})


@dataclass(frozen=True)
class TableConfig:
    table: str
    entry: str  # "databases.finance.tables[1]" for messages
    settings: dict = field(default_factory=dict)  # the arguments of part.create_partitioned the file sets, without p_
    migrate: bool = False
    method: str = "copy"  # migrate = "attach": the legacy table becomes the history partition (no copy)

    @property
    def label(self) -> str:
        return f"{self.entry} ({self.table})"

    @property
    def batch_size(self) -> int | None:
        return self.settings.get("batch_size")


@dataclass(frozen=True)
class DatabaseConfig:
    name: str
    dsn: str | None = None
    dbname: str | None = None
    schedule: Schedule = field(default_factory=Schedule)
    tables: tuple[TableConfig, ...] = ()


@dataclass(frozen=True)
class Config:
    path: Path | None  # None: no file (defaults only)
    schedule: Schedule = field(default_factory=Schedule)
    databases: dict[str, DatabaseConfig] = field(default_factory=dict)
    searched: Path | None = None  # with no file: where ./pginstall.toml was looked for

    @property
    def label(self) -> str:
        return str(self.path) if self.path else f"no config file ({self.searched or DEFAULT_FILE} not found)"

    @property
    def option(self) -> str:
        """' --config FILE' for a command pginstall prints, unless the file is ./pginstall.toml ('' then)."""
        if self.path is None or self.path.absolute() == Path.cwd() / DEFAULT_FILE:
            return ""
        return f" --config {shlex.quote(str(self.path))}"

    def missing_note(self, db: str | None) -> str | None:
        """Why no table is configured for database section DB, or None when the file has that section."""
        if self.path is None:
            return (f"no config file: {self.searched or DEFAULT_FILE} not found (give --config FILE or set "
                    f"${ENV_FILE}); no tables are configured")
        if db is not None and db not in self.databases:
            names = ", ".join(self.databases) or "none"
            return f"{self.path} has no [databases.{db}] section (sections: {names}); no tables are configured for {db}"
        return None

    def schedule_for(self, db: DatabaseConfig) -> Schedule:
        return self.schedule.merged(db.schedule)


def config_path(explicit: str | None) -> tuple[Path, bool]:
    """(path, required): --config, else $PGINSTALL_CONFIG, else ./pginstall.toml (optional)."""
    if explicit:
        return Path(explicit), True
    env = os.environ.get(ENV_FILE)
    if env:
        return Path(env), True
    return Path(DEFAULT_FILE), False


def load(explicit: str | None = None) -> Config:
    path, required = config_path(explicit)
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: config file not found")
        return Config(path=None, searched=path.absolute())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start}): TOML files are UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from None
    return parse(data, path)


def parse(data: dict, path: Path | str) -> Config:
    p = _Parser(str(path))
    return p.config(data, Path(path))


class _Parser:
    """The shape of the file: keys, required keys, TOML types. Values are part's to check."""

    def __init__(self, fname: str):
        self.fname = fname

    def fail(self, entry: str, problem: str) -> None:
        where = f"{self.fname}: {entry}: " if entry else f"{self.fname}: "
        raise ConfigError(where + problem)

    def shaped(self, entry: str, data: dict, keys: dict, required: tuple[str, ...] = ()) -> dict:
        """DATA's values, after checking its keys against KEYS and the type of each value."""
        for key in data:
            if key not in keys:
                self.fail(entry, f"unknown key {key!r} (allowed: {', '.join(keys)})")
        for key in required:
            if key not in data:
                self.fail(entry, f"missing key {key!r}")
        for key, value in data.items():
            types, what = keys[key]
            types = types if isinstance(types, tuple) else (types,)
            # bool is an int in Python: keep them apart
            if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
                self.fail(entry, f"{key} must be {what}, not {value!r}")
            # whole numbers reach SQL as integer arguments, whose bounds part checks (part._check_count)
            if isinstance(value, int) and not isinstance(value, bool) and not -2**31 <= value < 2**31:
                self.fail(entry, f"{key} {value} is out of range (the settings are 32-bit integers)")
        return data

    def config(self, data: dict, path: Path) -> Config:
        self.shaped("", data, {"schedule": (dict, "a table ([schedule])"), "databases": (dict, "a table ([databases.NAME])")})
        schedule = Schedule(**self.shaped("schedule", data.get("schedule", {}), SCHEDULE_KEYS))
        databases = {name: self.database(name, section) for name, section in data.get("databases", {}).items()}
        return Config(path=path, schedule=schedule, databases=databases)

    def database(self, name: str, data) -> DatabaseConfig:
        entry = f"databases.{name}"
        if not isinstance(data, dict):
            self.fail(entry, f"must be a table ([{entry}]), not {data!r}")
        self.shaped(entry, data, DATABASE_KEYS)
        if data.get("dbname") is not None and not data["dbname"].strip():
            self.fail(entry, "dbname must not be empty")
        keys = {k: SCHEDULE_KEYS[k] for k in DATABASE_SCHEDULE_KEYS}
        schedule = Schedule(**self.shaped(f"{entry}.schedule", data.get("schedule", {}), keys))
        tables = tuple(self.table(f"{entry}.tables[{i}]", t) for i, t in enumerate(data.get("tables", []), start=1))
        return DatabaseConfig(name=name, dsn=data.get("dsn"), dbname=data.get("dbname"), schedule=schedule,
                              tables=tables)

    def table(self, entry: str, data) -> TableConfig:
        if not isinstance(data, dict):
            self.fail(entry, f"must be a table, not {data!r}")
        name = data.get("table")
        label = f"{entry} ({name})" if isinstance(name, str) else entry
        self.shaped(label, data, TABLE_KEYS, REQUIRED_TABLE_KEYS)
        # intervals and retentions are text arguments of part: an integer width goes as its digits
        settings = {k: (str(v) if isinstance(v, int) and TABLE_KEYS[k][0] is _TEXT_OR_INT else v)
                    for k, v in data.items() if k not in NOT_ARGUMENTS}
        migrate = data.get("migrate", False)   # true, or the method: "copy" or "attach" (part.migrate_start checks it)
        return TableConfig(table=data["table"].strip(), entry=entry, settings=settings,
                           migrate=migrate if isinstance(migrate, bool) else True,
                           method=migrate if isinstance(migrate, str) else "copy")
