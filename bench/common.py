"""Shared pieces of the benchmarks: results, timing, installing part, the
origin's table shape.

Every benchmark module (bench/<name>.py) has ``run(dsn_for) -> list[Result]``
where ``dsn_for(dbname)`` gives a conninfo on the benchmark server; each
Result compares what part does with a baseline measured in the same run.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from pginstall import render


import os
import statistics

# BENCH_SCALE scales every size (rows, seconds of pgbench) of the benchmarks: 1 is the full
# run of `make bench`, `make bench-quick` uses 0.01. BENCH_RUNS: how many times each figure
# is measured (the median is reported, with min and max).
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
RUNS = max(1, int(os.environ.get("BENCH_RUNS", "3")))


def scaled(n: float, least: int = 1) -> int:
    """n at BENCH_SCALE, at least `least`."""
    return max(least, int(n * SCALE))


@dataclass
class Result:
    group: str          # which benchmark, e.g. "partition core"
    name: str           # what was measured
    ours: float         # our figure (the median of the runs)
    baseline_name: str  # what it is compared with
    baseline: float     # the baseline's figure, measured in the same run (median)
    unit: str           # "s", "ms", "rows/s", ...
    higher_is_better: bool = False
    note: str = ""
    goal: float | None = None       # the ratio the issue asks for (ratio >= goal), if any
    ratios: list = field(default_factory=list)   # the ratio of each run (same run, same data)
    goal_max: float | None = None   # an absolute goal on ours instead (ours <= goal_max, e.g. ms)
    module: str = ""

    @property
    def ratio(self) -> float:
        """Ours against the baseline, > 1 means we are better (the median of the runs' ratios when there are several)."""
        if self.ratios:
            return statistics.median(self.ratios)
        return self._ratio(self.ours, self.baseline)

    def _ratio(self, ours: float, baseline: float) -> float:
        if self.higher_is_better:
            return ours / baseline if baseline else float("inf")
        return baseline / ours if ours else float("inf")

    @property
    def met(self) -> bool | None:
        if self.goal_max is not None:
            return self.ours <= self.goal_max
        return None if self.goal is None else self.ratio >= self.goal

    def as_dict(self) -> dict:
        return {"group": self.group, "name": self.name, "ours": self.ours, "baseline_name": self.baseline_name,
                "baseline": self.baseline, "unit": self.unit, "higher_is_better": self.higher_is_better,
                "note": self.note, "goal": self.goal, "goal_max": self.goal_max, "ratio": self.ratio, "ratios": self.ratios,
                "ratio_min": min(self.ratios) if self.ratios else self.ratio,
                "ratio_max": max(self.ratios) if self.ratios else self.ratio, "met": self.met}


def repeated(group: str, name: str, runs: list[tuple[float, float]], baseline_name: str, unit: str, **kw) -> Result:
    """A Result from several (ours, baseline) pairs, each measured in the same run: medians, and each run's ratio."""
    r = Result(group, name, statistics.median(o for o, _ in runs), baseline_name,
               statistics.median(b for _, b in runs), unit, **kw)
    r.ratios = [r._ratio(o, b) for o, b in runs]
    return r


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
