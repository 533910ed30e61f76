# part / pginstall: the verbs a newcomer needs.
#   make           render extension/ from templates/ (same as `make build`)
#   make deps      install what is missing: PostgreSQL 15, pg_cron, pgTAP, pg_partman (apt), the venv
#   make install   copy extension/ into the server's extension directory
#   make test      deps + build + install, then pytest (which also runs the pgTAP suites)
#   make demo      a throwaway cluster in .pg/ with the demo databases, managed by part
#   make bench     the benchmarks in bench/
SHELL       := /bin/bash
.SHELLFLAGS := -euo pipefail -c

PG_BIN    ?= /usr/lib/postgresql/15/bin
PG_CONFIG ?= $(PG_BIN)/pg_config
PYTHON    ?= python3
VENV      := .venv
PY        := $(VENV)/bin/python
APT_PACKAGES := postgresql-15 postgresql-15-cron postgresql-15-pgtap \
                libtap-parser-sourcehandler-pgtap-perl postgresql-15-partman
# Root runs apt-get itself; anyone else goes through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build deps deps-system deps-python install test pytest demo bench clean

all: build

build: deps-python
	$(PY) -m pginstall.render extension

deps: deps-system deps-python

# apt only when a package is missing: installing can upgrade postgresql-15 under running servers.
deps-system:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

deps-python:
	@if ! $(PY) -c "import pginstall.cli, pytest_postgresql, psycopg, click, jinja2" 2>/dev/null; then \
	    [ -x $(PY) ] || $(PYTHON) -m venv $(VENV); \
	    $(PY) -m pip install -q --upgrade pip; \
	    $(PY) -m pip install -q -e '.[test]'; \
	fi

install: build
	$(SUDO) install -m 0644 extension/part.control extension/part--*.sql "$$($(PG_CONFIG) --sharedir)/extension/"

test: deps build install pytest

pytest:
	$(PY) -m pytest tests/py $(PYTEST_ARGS)

demo: deps build install
	scripts/demo.sh

bench: deps build install
	@if [ ! -f bench/run.py ]; then echo "bench/run.py does not exist yet: no benchmark to run" >&2; exit 1; fi
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	scripts/pgcluster.sh remove .pg/demo || true
	rm -rf .pg .pytest_cache
