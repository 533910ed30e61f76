"""Smoke test of the benchmarks (`make bench`, `make bench-quick`): bench/run.py
runs a module on its own throwaway cluster at a tiny BENCH_SCALE, one run, and
writes results.json and RESULTS.md; a second run of another module keeps the
first one's figures. No figure is asserted (speed lives in bench/RESULTS.md):
only that the machinery runs and reports every goal as met or missed."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_bench_runs_at_a_tiny_scale_and_merges_results(tmp_path):
    if not os.environ.get("PG_BIN"):
        pytest.skip("PG_BIN is not set (make pytest sets it)")
    os.chmod(tmp_path, 0o755)
    out = tmp_path / "out"
    out.mkdir()
    env = dict(os.environ, BENCH_SCALE="0.002", BENCH_RUNS="1", BENCH_PGPORT=str(_free_port()),
               BENCH_DATADIR=str(tmp_path / "cluster"), BENCH_REPORT_ROWS="5000")
    try:
        subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--out", str(out), "report"],
                       env=env, check=True, capture_output=True, text=True, timeout=600)
        first = json.loads((out / "results.json").read_text())
        assert set(first["modules"]) == {"report"}
        rows = first["modules"]["report"]["results"]
        org = [r for r in rows if r["name"].startswith("org-month report")]
        # range and hash, each with the simple protocol, prepared statements, and force_custom_plan
        assert len(org) == 6 and all(r["goal"] == 1.0 and r["met"] in (True, False) for r in org)
        assert {"simple protocol", "prepared statements", "force_custom_plan"} <= {
            part for r in org for part in ("simple protocol", "prepared statements", "force_custom_plan") if part in r["name"]}
        assert all("partitions" in r["note"] for r in org)   # EXPLAIN's pruning is reported
        assert sum("Planning" in r["note"] or "planning" in r["note"] for r in org) == 2   # EXPLAIN ANALYZE's times
        scans = [r for r in rows if r["name"].startswith("one month for every organization")]
        assert len(scans) == 2 and all(r["goal"] is None for r in scans)

        # a run of another module keeps the report's figures (merged through results.json)
        first["modules"]["report"]["results"][0]["note"] = "kept from the first run"
        (out / "results.json").write_text(json.dumps(first))
        sys.path.insert(0, str(REPO / "bench"))
        import run as bench_run
        from common import Result

        r = Result("g", "a figure", 2.0, "a baseline", 1.0, "ms", goal=0.9, module="core")
        bench_run.write_results([r], "PostgreSQL test", 1.0, out, ["core"])
        merged = json.loads((out / "results.json").read_text())
        assert set(merged["modules"]) == {"report", "core"}
        md = (out / "RESULTS.md").read_text()
        assert "kept from the first run" in md and "## core" in md and "## report" in md
        assert "ratio >= 0.9: **missed**" in md and "## Goals missed" in md
    finally:
        subprocess.run([str(REPO / "scripts" / "pgcluster.sh"), "remove", str(tmp_path / "cluster")],
                       env=env, capture_output=True)
