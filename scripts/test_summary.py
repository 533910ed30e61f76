"""Summary of scripts/test_majors.sh: one line per major from pytest's JUnit XML, then the
closing line `N passed, N failed, N skipped` over all majors (failed counts errors too)."""

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

results, total_s, majors = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
totals = {"passed": 0, "failed": 0, "skipped": 0}
print("\n======== summary")
print(f"{'major':<6} {'passed':>7} {'failed':>7} {'skipped':>8} {'seconds':>8}")
missing = False
for major in majors:
    xml, secs = results / f"{major}.xml", results / f"{major}.time"
    took = secs.read_text().strip() if secs.exists() else "-"
    if not xml.exists():
        print(f"{major:<6} {'no result (' + took + ')':>32}")
        missing = True
        continue
    suite = ET.parse(xml).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    tests, fail, err, skip = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
    row = {"passed": tests - fail - err - skip, "failed": fail + err, "skipped": skip}
    for k in totals:
        totals[k] += row[k]
    print(f"{major:<6} {row['passed']:>7} {row['failed']:>7} {row['skipped']:>8} {took:>8}")
print(f"total: {total_s} s for PostgreSQL {', '.join(majors)}")
if missing:
    totals["failed"] += 1  # a major that produced no result is a failure
print(f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
sys.exit(1 if totals["failed"] else 0)
