"""`make bench`: run the benchmarks on a throwaway PostgreSQL cluster (fsync
on, as in production) and write bench/RESULTS.md as ratios against the
baselines measured in the same run.

    .venv/bin/python bench/run.py [module ...]      (default: every module)

BENCH_SCALE (default 1) scales every size, BENCH_RUNS (default 3) the runs
per figure; `make bench-quick` is BENCH_SCALE=0.01 on migration and report.
A run of some modules replaces only their figures in bench/results.json;
RESULTS.md is made from all of it (bench/NOTES.md appended).

Modules: core (partition core), maintenance (run_maintenance vs pg_partman),
migration (sync triggers, backfill, parity), locks (switch_reads, rollback
and run_maintenance under writers, quiet and behind a long reader), report (an org-month report
on the legacy table vs range and hash partitions), time_zone (a table zone vs
UTC), yielding (the cost of the yield check per batch), index_build (online
index builds), attach (the zero-copy migration). Each has run(dsn_for) ->
[Result].
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from common import RUNS, SCALE  # noqa: E402

MODULES = ["core", "maintenance", "migration", "locks", "report", "time_zone", "yielding", "index_build", "attach"]
PORT = int(os.environ.get("BENCH_PGPORT", "5444"))
DATADIR = Path(os.environ.get("BENCH_DATADIR", str(REPO / ".pg" / "bench")))


def dsn_for(dbname: str) -> str:
    return psycopg.conninfo.make_conninfo(host="127.0.0.1", port=str(PORT), user="postgres", dbname=dbname)


def start_cluster() -> None:
    subprocess.run([str(REPO / "scripts" / "pgcluster.sh"), "start", str(DATADIR), str(PORT)], check=True)
    with psycopg.connect(dsn_for("postgres"), autocommit=True) as conn:
        # pg_cron where this major has it (pgcluster.sh preloads it then); no benchmark needs it
        if conn.execute("SELECT current_setting('shared_preload_libraries') LIKE '%pg_cron%'").fetchone()[0]:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_cron")


def _fmt(v: float) -> str:
    return "failed" if v != v else f"{v:,.3g}"


def write_results(results, versions: str, took: float, out_dir: Path, modules: list[str]) -> Path:
    """bench/results.json (this run's modules replace theirs; the others keep the figures of
    their last run, with its date) and bench/RESULTS.md made from it."""
    json_path = out_dir / "results.json"
    old = json.loads(json_path.read_text()) if json_path.exists() else {"modules": {}}
    stamp = {"date": str(datetime.date.today()), "server": versions, "cores": os.cpu_count(),
             "machine": platform.machine(), "seconds": round(took), "scale": SCALE, "runs": RUNS}
    for name in modules:
        old["modules"][name] = {"run": stamp, "results": [r.as_dict() for r in results if r.module == name]}
    json_path.write_text(json.dumps(old, indent=1, default=str) + "\n")

    lines = [
        "# Benchmark results",
        "",
        "Made by `make bench` (bench/run.py) from bench/results.json. Every baseline was measured in the "
        "same run on the same data; each figure is the median of the runs (BENCH_RUNS, 3), the ratio "
        "column the median of the runs' ratios with their min and max.",
        "",
        "Ratio: how many times better ours is than the baseline (above 1: ours is faster or cheaper; "
        "for rates, ours divided by the baseline). Goal: the ratio issue 9 asks for; **missed** where "
        "the median is below it.",
    ]
    missed = []
    for name in [m for m in MODULES if m in old["modules"]] + [m for m in old["modules"] if m not in MODULES]:
        entry = old["modules"][name]
        run = entry["run"]
        lines += ["", f"## {name}", "",
                  f"Run on {run['date']}: {run['server']}, {run['cores']} cores, {run['machine']}, fsync on, "
                  f"BENCH_SCALE={run['scale']:g}, {run['runs']} runs, {run['seconds']} s."]
        group = None
        for r in entry["results"]:
            if r["group"] != group:
                group = r["group"]
                lines += ["", f"### {group}", "",
                          "| measured | ours | baseline | baseline figure | ratio (min-max) | goal | note |",
                          "| --- | --- | --- | --- | --- | --- | --- |"]
            failed = r["baseline"] != r["baseline"]
            ratio = "-" if failed else (f"{r['ratio']:.2f} ({r['ratio_min']:.2f}-{r['ratio_max']:.2f})"
                                       if len(r["ratios"]) > 1 else f"{r['ratio']:.2f}")
            want = (f"ours <= {r['goal_max']:g} {r['unit']}" if r.get("goal_max") is not None
                    else None if r["goal"] is None else f"ratio >= {r['goal']:g}")
            goal = "" if want is None else f"{want}: {'met' if r['met'] else '**missed**'}"
            if want is not None and not r["met"]:
                missed.append(f"{name}: {r['name']}: ours {_fmt(r['ours'])} {r['unit']}, ratio {r['ratio']:.2f}; goal {want}")
            lines.append(f"| {r['name']} | {_fmt(r['ours'])} {r['unit']} | {r['baseline_name']} | "
                         f"{_fmt(r['baseline'])} {'' if failed else r['unit']} | {ratio} | {goal} | {r['note']} |")
    lines += ["", "## Goals missed", ""] + ([f"- {m}" for m in missed] or ["none"])
    notes = out_dir / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    out = out_dir / "RESULTS.md"
    out.write_text("\n".join(lines) + "\n")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=None, help=f"any of {', '.join(MODULES)}")
    parser.add_argument("--out", default=str(HERE), help="where results.json and RESULTS.md go (default bench/)")
    args = parser.parse_args(argv)
    wanted = args.modules or [m for m in MODULES if (HERE / f"{m}.py").exists()]
    start_cluster()
    with psycopg.connect(dsn_for("postgres")) as conn:
        versions = conn.execute("SELECT split_part(version(), ' on ', 1)").fetchone()[0]
    results = []
    started = datetime.datetime.now()
    print(f"BENCH_SCALE={SCALE:g}, BENCH_RUNS={RUNS}", flush=True)
    for name in wanted:
        print(f"== {name}", flush=True)
        module = importlib.import_module(name)
        for r in module.run(dsn_for):
            r.module = name
            goal = "" if r.met is None else f" (goal {'met' if r.met else 'MISSED'})"
            print(f"  {r.name}: ours {r.ours:.4g} {r.unit}, {r.baseline_name} {r.baseline:.4g} {r.unit}, "
                  f"ratio {r.ratio:.2f}{goal}", flush=True)
            results.append(r)
    out = write_results(results, versions, (datetime.datetime.now() - started).total_seconds(), Path(args.out), wanted)
    print(f"wrote {out} and {Path(args.out) / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
