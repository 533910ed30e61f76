#!/usr/bin/env bash
# scripts/test_majors.sh MAJOR...: the whole suite (pytest, which runs the pgTAP files too)
# on each PostgreSQL major in turn: install the major when missing (scripts/pg_major.sh),
# install part's extension files into it, run pytest with PG_BIN and PATH pointing at it.
# A failing major does not stop the others; the exit status is non-zero if any failed.
# Ends with a table per major and one closing line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-$PWD/.venv/bin/python}
results=.pg/results
mkdir -p "$results"
status=0
start_all=$SECONDS
for major in "$@"; do
    echo
    echo "======== PostgreSQL $major"
    t0=$SECONDS
    rm -f "$results/$major.xml" "$results/$major.time"
    if ! bin=$(scripts/pg_major.sh "$major"); then
        echo "PostgreSQL $major could not be installed" >&2
        echo "install-failed" >"$results/$major.time"
        status=1
        continue
    fi
    if ! make --no-print-directory install PG_BIN="$bin" >/dev/null; then
        echo "make install into PostgreSQL $major failed" >&2
        status=1
        continue
    fi
    # a base temp of its own: pytest prunes /tmp/pytest-of-USER/ of all but the last 3 sessions,
    # also under the servers of another session running at the same time
    basetemp=$(mktemp -d /tmp/part-pytest-"$major".XXXXXX)
    PG_BIN="$bin" PATH="$bin:$PATH" "$PY" -m pytest -p no:cacheprovider --basetemp="$basetemp" \
        --junitxml="$results/$major.xml" ${PYTEST_ARGS:-} || status=1
    rm -rf "$basetemp"
    echo $((SECONDS - t0)) >"$results/$major.time"
done
"$PY" scripts/test_summary.py "$results" $((SECONDS - start_all)) "$@" || status=1
exit $status
