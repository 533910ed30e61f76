"""Shared pieces of the benchmarks: results, timing, installing part, the
origin's table shape.

Every benchmark module (bench/<name>.py) has ``run(dsn_for) -> list[Result]``
where ``dsn_for(dbname)`` gives a conninfo on the benchmark server; each
Result compares what part does with a baseline measured in the same run.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql

from pginstall import render


@dataclass
class Result:
    group: str          # which benchmark, e.g. "partition core"
    name: str           # what was measured
    ours: float         # our figure
    baseline_name: str  # what it is compared with
    baseline: float     # the baseline's figure, measured in the same run
    unit: str           # "s", "ms", "rows/s", ...
    higher_is_better: bool = False
    note: str = ""

    @property
    def ratio(self) -> float:
        """Ours against the baseline, > 1 means we are better."""
        if self.higher_is_better:
            return self.ours / self.baseline if self.baseline else float("inf")
        return self.baseline / self.ours if self.ours else float("inf")


@contextmanager
def timed():
    box = {}
    started = time.perf_counter()
    yield box
    box["s"] = time.perf_counter() - started


def fresh_database(dsn_for, name: str, with_part: bool = True) -> str:
    with psycopg.connect(dsn_for("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    if with_part:
        with psycopg.connect(dsn_for(name)) as conn:
            conn.execute(render.render_install("plain"))
    return name


# The origin's `revenues`: 12 columns, a primary key, an (org_id, occurred_at) index.
REVENUES_COLUMNS = """
    id           bigint NOT NULL,
    org_id       integer NOT NULL,
    property_id  integer NOT NULL,
    booking_id   bigint,
    occurred_at  timestamptz NOT NULL,
    amount       numeric(12, 2) NOT NULL,
    currency     char(3) NOT NULL DEFAULT 'EUR',
    category     text NOT NULL,
    source       text,
    description  text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
"""

REVENUES_ROWS = """
SELECT g, g % 997, g % 89, g * 7, {start} + (g % {span}) * interval '1 minute' * {step},
       (g % 10000) / 100.0, 'EUR', 'room', 'pms', 'night ' || g, now(), now()
  FROM generate_series({first}, {last}) g
"""
