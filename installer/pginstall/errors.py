"""The one error base of pginstall: every problem it reports is a PginstallError.

Its message is one line per problem (several problems: one line each); cli.py
prints it as ``Error: ...`` and exits 1, never with a traceback. The
subclasses only say where the problem was found.
"""

from __future__ import annotations


class PginstallError(Exception):
    """A problem pginstall reports as one line (several problems: one line each)."""

    exit_code = 1


class ConfigError(PginstallError):
    """The config file: not found, unreadable, not TOML, or of the wrong shape."""


class RenderError(PginstallError, ValueError):
    """The templates could not be rendered: a missing or broken template, an unknown version or mode."""


class ApplyError(PginstallError):
    """A refusal by part or a problem in the database."""


class ConnectError(ApplyError):
    """The server could not be reached: exit status 2, as psql's."""

    exit_code = 2


class CronError(PginstallError):
    """Registering, removing or reading the pg_cron jobs failed."""
