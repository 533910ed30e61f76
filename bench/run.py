"""`make bench`: run the benchmarks on a throwaway PostgreSQL cluster (fsync
on, as in production) and write bench/RESULTS.md as ratios against the
baselines measured in the same run.

    .venv/bin/python bench/run.py [module ...]      (default: every module)

Modules: core (partition core), maintenance (run_maintenance vs pg_partman), attach (zero-copy migration),
migration (sync triggers, backfill, parity). Each has run(dsn_for) -> [Result].
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import platform
import subprocess
import sys
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

MODULES = ["core", "maintenance", "migration", "attach"]
PORT = int(os.environ.get("BENCH_PGPORT", "5444"))
DATADIR = REPO / ".pg" / "bench"


def dsn_for(dbname: str) -> str:
    return psycopg.conninfo.make_conninfo(host="127.0.0.1", port=str(PORT), user="postgres", dbname=dbname)


def start_cluster() -> None:
    subprocess.run([str(REPO / "scripts" / "pgcluster.sh"), "start", str(DATADIR), str(PORT)], check=True)
    with psycopg.connect(dsn_for("postgres"), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_cron")


def write_results(results, versions: str, took: float) -> Path:
    lines = [
        "# Benchmark results",
        "",
        f"Measured by `make bench` (bench/run.py) on {datetime.date.today()}: {versions}, "
        f"{os.cpu_count()} cores, {platform.machine()}, fsync on, in {took:.0f} s. "
        "Every baseline was measured in the same run on the same data.",
        "",
        "Ratio: how many times better ours is than the baseline (above 1: ours is faster or cheaper; "
        "for rates, ours divided by the baseline).",
        "",
    ]
    group = None
    for r in results:
        if r.group != group:
            group = r.group
            lines += ["", f"## {group}", "", "| measured | ours | baseline | baseline figure | ratio | note |",
                      "| --- | --- | --- | --- | --- | --- |"]
        failed = r.baseline != r.baseline  # NaN: the baseline tool failed (its error is in the note)
        baseline = "failed" if failed else f"{r.baseline:,.3g} {r.unit}"
        ratio = "-" if failed else f"{r.ratio:.2f}"
        lines.append(f"| {r.name} | {r.ours:,.3g} {r.unit} | {r.baseline_name} | {baseline} | {ratio} | {r.note} |")
    out = HERE / "RESULTS.md"
    out.write_text("\n".join(lines) + "\n")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=None, help=f"any of {', '.join(MODULES)}")
    args = parser.parse_args(argv)
    wanted = args.modules or [m for m in MODULES if (HERE / f"{m}.py").exists()]
    start_cluster()
    with psycopg.connect(dsn_for("postgres")) as conn:
        versions = conn.execute("SELECT split_part(version(), ' on ', 1)").fetchone()[0]
    results = []
    started = datetime.datetime.now()
    for name in wanted:
        print(f"== {name}", flush=True)
        module = importlib.import_module(name)
        for r in module.run(dsn_for):
            print(f"  {r.name}: ours {r.ours:.4g} {r.unit}, {r.baseline_name} {r.baseline:.4g} {r.unit}, ratio {r.ratio:.2f}", flush=True)
            results.append(r)
    out = write_results(results, versions, (datetime.datetime.now() - started).total_seconds())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
