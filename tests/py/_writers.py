"""The one writers helper of the concurrency tests: threads that write to a table through
their own connections until stopped, as an application does while part works.

    with Writers(dsn, work, count=4, seed=1) as writers:
        ...  # part's operation, in the test's own session
    assert not writers.errors and writers.statements > 50

work(conn, rng, index) runs one statement (or transaction) of writer `index`, with its own
random.Random (seeded from seed, so that a failing seed replays). retry(exc) -> True for an
error the application would retry (counted in .retried, the writer goes on); every other
exception stops that writer and is kept in .errors for the test to assert on. No timing is
asserted here (speed lives in bench/): statements counts what was written.
"""

from __future__ import annotations

import random
import threading
import time

import psycopg


class Writers:
    def __init__(self, dsn: str, work, count: int, seed: int, retry=None, seed_stride: int = 100):
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.statements = 0
        self.retried = 0
        self.max_latency = 0.0
        self._retry = retry or (lambda exc: False)
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(dsn, work, random.Random(seed * seed_stride + i), i), daemon=True)
            for i in range(count)
        ]

    def _run(self, dsn, work, rng, index):
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                while not self.stop.is_set():
                    started = time.monotonic()
                    try:
                        work(conn, rng, index)
                    except psycopg.Error as exc:
                        if not self._retry(exc):
                            raise
                        with self._lock:
                            self.retried += 1
                        continue
                    took = time.monotonic() - started
                    with self._lock:
                        self.statements += 1
                        self.max_latency = max(self.max_latency, took)
        except BaseException as exc:  # recorded, asserted by the test
            self.errors.append(exc)

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self._threads:
            t.join(timeout=60)
