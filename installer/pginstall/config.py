"""Read and check pginstall.toml (tomllib; no database, no Click).

Every key of the file is listed here (SPEC.md, "Config file"); an unknown key,
a value of the wrong type or a bad value is a ConfigError whose message is one
line naming the file, the entry and the problem:

    pginstall.toml: databases.finance.tables[2] (public.revenues): unknown key 'intervl'

Checks that need the database (the table exists, the key column and its type,
the interval for that type) are made by part.create_partitioned and
part.migrate_start themselves, inside apply's transaction (apply.py).
"""

from __future__ import annotations

import os
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_FILE = "pginstall.toml"
ENV_FILE = "PGINSTALL_CONFIG"

STRATEGIES = ("range", "hash")
RETENTION_MODES = ("drop", "detach", "archive")

# A time interval as part accepts it: "<n> <unit>" (several terms allowed,
# the server decides the rest), or a positive integer width for integer keys.
_UNITS = r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|mons?|quarters?|years?|y)"
_TIME_INTERVAL = re.compile(rf"^\s*\d+\s*{_UNITS}(?:\s+\d+\s*{_UNITS})*\s*$", re.IGNORECASE)
_INTEGER = re.compile(r"^\s*\d+\s*$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*,/\-]+$")
_CRON_MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@reboot")


class ConfigError(Exception):
    """A problem with the config file, as one line."""


@dataclass(frozen=True)
class Schedule:
    maintenance: str | None = None
    retention: str | None = None
    purge_history: str | None = None
    history_days: int | None = None

    def merged(self, override: "Schedule") -> "Schedule":
        """This schedule with the keys `override` sets replaced."""
        return Schedule(
            maintenance=override.maintenance if override.maintenance is not None else self.maintenance,
            retention=override.retention if override.retention is not None else self.retention,
            purge_history=override.purge_history if override.purge_history is not None else self.purge_history,
            history_days=override.history_days if override.history_days is not None else self.history_days,
        )


DEFAULT_SCHEDULE = Schedule(maintenance="0 2 * * *", retention="", purge_history="30 3 * * *", history_days=7)


@dataclass(frozen=True)
class TableConfig:
    table: str
    strategy: str
    key: str
    entry: str  # "databases.finance.tables[1]" for messages
    interval: str | None = None
    partitions: int | None = None
    premake: int = 3
    retention: str | None = None
    retention_mode: str = "detach"
    default_partition: bool | None = None  # None: range -> true, hash -> none
    migrate: bool = False
    batch_size: int = 10000
    method: str = "copy"  # migrate = "attach": the legacy table becomes the history partition (no copy)

    @property
    def label(self) -> str:
        return f"{self.entry} ({self.table})"

    @property
    def effective_default_partition(self) -> bool | None:
        if self.strategy == "hash":
            return None
        return True if self.default_partition is None else self.default_partition


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
    schedule: Schedule = DEFAULT_SCHEDULE
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
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from None
    return parse(data, path)


def parse(data: dict, path: Path | str) -> Config:
    p = _Parser(str(path))
    return p.config(data, Path(path))


class _Parser:
    def __init__(self, fname: str):
        self.fname = fname

    def fail(self, entry: str, problem: str) -> None:
        where = f"{self.fname}: {entry}: " if entry else f"{self.fname}: "
        raise ConfigError(where + problem)

    def keys(self, entry: str, data: dict, allowed: tuple[str, ...]) -> None:
        for key in data:
            if key not in allowed:
                self.fail(entry, f"unknown key {key!r} (allowed: {', '.join(allowed)})")

    def typed(self, entry: str, data: dict, key: str, types, what: str):
        if key not in data:
            return None
        value = data[key]
        # bool is an int in Python: keep them apart
        if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            self.fail(entry, f"{key} must be {what}, not {value!r}")
        if not isinstance(value, types):
            self.fail(entry, f"{key} must be {what}, not {value!r}")
        # whole numbers reach SQL as integer parameters: their bounds are checked there (part._check_count)
        if isinstance(value, int) and not isinstance(value, bool) and not -2**31 <= value < 2**31:
            self.fail(entry, f"{key} {value} is out of range (the settings are 32-bit integers)")
        return value

    def config(self, data: dict, path: Path) -> Config:
        self.keys("", data, ("schedule", "databases"))
        schedule = DEFAULT_SCHEDULE
        if "schedule" in data:
            schedule = DEFAULT_SCHEDULE.merged(
                self.schedule("schedule", self.table_of("schedule", data["schedule"]), top=True)
            )
        databases: dict[str, DatabaseConfig] = {}
        raw = self.table_of("databases", data.get("databases", {}))
        for name, section in raw.items():
            databases[name] = self.database(name, self.table_of(f"databases.{name}", section))
        return Config(path=path, schedule=schedule, databases=databases)

    def table_of(self, entry: str, value) -> dict:
        if not isinstance(value, dict):
            self.fail(entry, f"must be a table ([{entry}]), not {value!r}")
        return value

    def cron(self, entry: str, key: str, value: str) -> str:
        text = value.strip()
        if text == "":
            return ""
        if text.startswith("@"):
            if text.lower() not in _CRON_MACROS:
                self.fail(entry, f"{key} {value!r} is not a cron schedule (use e.g. \"0 2 * * *\" or @daily)")
            return text
        fields = text.split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
            self.fail(
                entry,
                f"{key} {value!r} is not a cron schedule: five fields, minute hour day month weekday "
                f"(UTC, e.g. \"0 2 * * *\"), or \"\" for none",
            )
        return " ".join(fields)

    def schedule(self, entry: str, data: dict, top: bool) -> Schedule:
        allowed = ("maintenance", "retention", "purge_history", "history_days") if top else ("maintenance", "retention")
        self.keys(entry, data, allowed)
        values = {}
        for key in ("maintenance", "retention", "purge_history"):
            v = self.typed(entry, data, key, str, "a cron schedule string")
            if v is not None:
                values[key] = self.cron(entry, key, v)
        days = self.typed(entry, data, "history_days", int, "a whole number of days")
        if days is not None:
            if days < 1:
                self.fail(entry, f"history_days must be 1 or more, not {days}")
            values["history_days"] = days
        return Schedule(**values)

    def database(self, name: str, data: dict) -> DatabaseConfig:
        entry = f"databases.{name}"
        self.keys(entry, data, ("dsn", "dbname", "schedule", "tables"))
        dsn = self.typed(entry, data, "dsn", str, "a connection string")
        dbname = self.typed(entry, data, "dbname", str, "a database name")
        if dbname is not None and not dbname.strip():
            self.fail(entry, "dbname must not be empty")
        schedule = Schedule()
        if "schedule" in data:
            schedule = self.schedule(f"{entry}.schedule", self.table_of(f"{entry}.schedule", data["schedule"]), top=False)
        raw_tables = data.get("tables", [])
        if not isinstance(raw_tables, list):
            self.fail(entry, "tables must be an array of tables ([[databases.NAME.tables]])")
        tables: list[TableConfig] = []
        seen: dict[str, str] = {}
        for i, t in enumerate(raw_tables, start=1):
            tcfg = self.table(f"{entry}.tables[{i}]", t)
            norm = normalize_table_name(tcfg.table)
            if norm in seen:
                self.fail(tcfg.label, f"table is configured twice (also {seen[norm]})")
            seen[norm] = tcfg.entry
            tables.append(tcfg)
        return DatabaseConfig(name=name, dsn=dsn, dbname=dbname, schedule=schedule, tables=tuple(tables))

    def table(self, entry: str, data) -> TableConfig:
        if not isinstance(data, dict):
            self.fail(entry, f"must be a table, not {data!r}")
        name = data.get("table")
        label = f"{entry} ({name})" if isinstance(name, str) else entry
        self.keys(
            label,
            data,
            ("table", "strategy", "key", "interval", "partitions", "premake", "retention",
             "retention_mode", "default_partition", "migrate", "batch_size"),
        )
        for required in ("table", "strategy", "key"):
            if required not in data:
                self.fail(label, f"missing key {required!r}")
        table = self.typed(label, data, "table", str, "a table name (schema.table)")
        try:
            split_table_name(table)
        except ValueError as e:
            self.fail(label, str(e))
        strategy = self.typed(label, data, "strategy", str, "\"range\" or \"hash\"")
        if strategy not in STRATEGIES:
            self.fail(label, f"strategy must be \"range\" or \"hash\", not {strategy!r}")
        key = self.typed(label, data, "key", str, "a column name")
        if not key.strip():
            self.fail(label, "key must name a column")
        interval = self.typed(label, data, "interval", (str, int), "an interval (\"1 month\") or an integer width")
        partitions = self.typed(label, data, "partitions", int, "a whole number")
        premake = self.typed(label, data, "premake", int, "a whole number")
        retention = self.typed(label, data, "retention", (str, int), "an interval (\"24 months\") or an integer")
        retention_mode = self.typed(label, data, "retention_mode", str, "drop, detach or archive")
        default_partition = self.typed(label, data, "default_partition", bool, "true or false")
        migrate = self.typed(label, data, "migrate", (bool, str), "true, false, \"copy\" or \"attach\"")
        method = "copy"
        if isinstance(migrate, str):
            if migrate not in ("copy", "attach"):
                self.fail(label, f"migrate must be true, false, \"copy\" or \"attach\", not {migrate!r}")
            method, migrate = migrate, True
            if method == "attach" and strategy != "range":
                self.fail(label, "migrate = \"attach\" converts range tables only (a hash partition holds rows of every key): "
                                 "use migrate = true (the copy method)")
        batch_size = self.typed(label, data, "batch_size", int, "a whole number")

        if strategy == "range":
            if interval is None:
                self.fail(label, "a range table needs interval (e.g. \"1 month\", or an integer width)")
            interval = self.interval(label, "interval", interval)
            if partitions is not None:
                self.fail(label, "partitions is for hash tables; a range table has an interval")
            if retention is not None:
                retention = self.interval(label, "retention", retention)
        else:
            if partitions is None:
                self.fail(label, "a hash table needs partitions (e.g. 16)")
            if partitions < 1:
                self.fail(label, f"partitions must be 1 or more, not {partitions}")
            if interval is not None:
                self.fail(label, "interval is for range tables; a hash table has partitions")
            if retention is not None:
                self.fail(label, "retention is for range tables; hash partitions are never retired")
            if default_partition:
                self.fail(label, "a hash table cannot have a default partition (PostgreSQL does not allow it)")
        if premake is not None and premake < 0:
            self.fail(label, f"premake must be 0 or more, not {premake}")
        if retention_mode is not None and retention_mode not in RETENTION_MODES:
            self.fail(label, f"retention_mode must be drop, detach or archive, not {retention_mode!r}")
        if batch_size is not None and batch_size < 1:
            self.fail(label, f"batch_size must be 1 or more, not {batch_size}")
        return TableConfig(
            table=table.strip(),
            strategy=strategy,
            key=key,
            entry=entry,
            interval=interval,
            partitions=partitions,
            premake=3 if premake is None else premake,
            retention=retention,
            retention_mode=retention_mode or "detach",
            default_partition=default_partition,
            migrate=bool(migrate),
            method=method,
            batch_size=10000 if batch_size is None else batch_size,
        )

    def interval(self, label: str, key: str, value) -> str:
        if isinstance(value, int):
            if value < 1:
                self.fail(label, f"{key} must be positive, not {value}")
            return str(value)
        text = value.strip()
        if _INTEGER.match(text):
            if int(text) < 1:
                self.fail(label, f"{key} must be positive, not {value!r}")
            return text
        if not _TIME_INTERVAL.match(text):
            self.fail(
                label,
                f"{key} {value!r} is not an interval: write e.g. \"1 month\", \"3 months\", \"1 week\", "
                f"\"1 day\", \"6 hours\", or an integer width for integer keys",
            )
        if re.match(r"^\s*0+\s", text):
            self.fail(label, f"{key} must be positive, not {value!r}")
        return text


def split_table_name(name: str) -> tuple[str | None, str]:
    """'public."Daily Balances"' -> ('public', 'Daily Balances'); unquoted parts fold to lower case."""
    parts: list[str] = []
    i, n = 0, len(name)
    text = name.strip()
    n = len(text)
    if not text:
        raise ValueError("table must name a table (schema.table)")
    while i < n:
        if text[i] == '"':
            j, buf = i + 1, []
            while True:
                if j >= n:
                    raise ValueError(f"table {name!r}: unterminated quoted name")
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(text[j])
                j += 1
            part = "".join(buf)
            if not part:
                raise ValueError(f"table {name!r}: empty quoted name")
            parts.append(part)
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in '."':
                j += 1
            part = text[i:j].strip()
            if not part or not re.match(r"^[A-Za-z_][A-Za-z0-9_$]*$", part):
                raise ValueError(
                    f"table {name!r} is not a valid name: write schema.table, with double quotes "
                    f"around names that need them ('public.\"Daily Balances\"')"
                )
            parts.append(part.lower())
            i = j
        while i < n and text[i] == " ":
            i += 1
        if i < n:
            if text[i] != ".":
                raise ValueError(f"table {name!r} is not a valid name: write schema.table")
            i += 1
            while i < n and text[i] == " ":
                i += 1
            if i >= n:
                raise ValueError(f"table {name!r}: nothing after the dot")
    if len(parts) > 2:
        raise ValueError(f"table {name!r}: write schema.table (no database part)")
    for p in parts:
        if len(p.encode()) > 63:
            raise ValueError(f"table {name!r}: {p!r} is longer than 63 bytes")
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def normalize_table_name(name: str) -> str:
    schema, rel = split_table_name(name)
    return f"{schema}.{rel}" if schema else rel
