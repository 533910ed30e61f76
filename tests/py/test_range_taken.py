"""part._range_taken (the overlap check of part._create_range_partition, one of them under the
parent's lock) gives the answer the check it replaced gave: part._partition_bounds with
part._bound_ordinal per bound, for every key type, MINVALUE / MAXVALUE bounds, a default
partition and a session time zone other than UTC."""

from __future__ import annotations

import pytest

OLD = """SELECT EXISTS (SELECT 1 FROM part._partition_bounds(%(t)s::regclass) b
                 WHERE NOT b.is_default
                   AND part._bound_ordinal(b.bound_from, %(k)s::regtype) < part._bound_ordinal(%(hi)s, %(k)s::regtype)
                   AND part._bound_ordinal(b.bound_to, %(k)s::regtype) > part._bound_ordinal(%(lo)s, %(k)s::regtype))"""
NEW = """SELECT part._range_taken(%(t)s::regclass, %(k)s::regtype,
                          part._bound_ordinal(%(lo)s, %(k)s::regtype), part._bound_ordinal(%(hi)s, %(k)s::regtype))"""

CASES = {
    "integer": (["MINVALUE", "0", "100", "200"],
                [("-5", "0"), ("0", "100"), ("99", "100"), ("100", "101"), ("150", "250"), ("-1000", "-999"), ("5000", "6000")]),
    "bigint": (["0", "100", "200"],
               [("-5", "0"), ("0", "1"), ("199", "200"), ("200", "300"), ("-100", "1000")]),
    "date": (["2026-01-01", "2026-02-01", "2026-03-01"],
             [("2025-12-01", "2026-01-01"), ("2026-01-31", "2026-02-01"), ("2026-03-01", "2026-04-01"), ("2026-02-15", "2026-02-16")]),
    "timestamp": (["2026-01-01 00:00", "2026-01-02 00:00", "MAXVALUE"],
                  [("2025-12-31 00:00", "2026-01-01 00:00"), ("2026-01-01 23:59", "2026-01-02 00:00"), ("2030-01-01", "2030-01-02")]),
    "timestamptz": (["2026-01-01 00:00+00", "2026-01-02 00:00+00", "2026-01-03 00:00+00"],
                    [("2025-12-31 23:00+00", "2026-01-01 00:00+00"), ("2025-12-31 23:00+00", "2026-01-01 00:00:01+00"),
                     ("2026-01-02 23:30+00", "2026-01-03 00:00+00"), ("2026-01-03 00:00+00", "2026-01-04 00:00+00"),
                     ("2026-01-01 01:00+01", "2026-01-01 02:00+01")]),
}


@pytest.mark.parametrize("key", sorted(CASES))
def test_range_taken_answers_as_the_old_check(fresh_db, connect, key):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("SET TimeZone = 'America/New_York'")
    bounds, probes = CASES[key]
    conn.execute(f"CREATE TABLE public.t (k {key} NOT NULL) PARTITION BY RANGE (k)")
    conn.execute("CREATE TABLE public.t_default PARTITION OF public.t DEFAULT")
    for i, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
        lit = lambda v: v if v in ("MINVALUE", "MAXVALUE") else f"'{v}'"  # noqa: E731
        conn.execute(f"CREATE TABLE public.t_{i} PARTITION OF public.t FOR VALUES FROM ({lit(lo)}) TO ({lit(hi)})")
    answers = []
    for lo, hi in probes:
        args = {"t": "public.t", "k": key, "lo": lo, "hi": hi}
        old, new = conn.execute(OLD, args).fetchone()[0], conn.execute(NEW, args).fetchone()[0]
        assert new == old, (lo, hi, old, new)
        answers.append(new)
    assert True in answers and False in answers, answers   # the probes test both answers
