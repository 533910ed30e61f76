#!/usr/bin/env bash
# scripts/test_majors.sh MAJOR...: the whole suite (pytest, which runs the pgTAP files too)
# on each PostgreSQL major: first install every major when missing (scripts/pg_major.sh) and
# part's extension files into it, one after the other (apt takes one lock); then run pytest
# for each, with PG_BIN and PATH pointing at that major, $PG_JOBS at a time (default 2: a
# major's run waits on locks, timeouts and pg_cron's minute much of the time). Each major's
# output goes to .pg/results/MAJOR.log and is printed whole when it ends.
# A failing major does not stop the others; the exit status is non-zero if any failed.
# Ends with a table per major and one closing line "N passed, N failed, N skipped".
# The slow tests (the reliability suite) run on $PG_SLOW_MAJOR only (default 15) when more
# than one major is tested.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-$PWD/.venv/bin/python}
export PY
jobs=${PG_JOBS:-2}
results=.pg/results
mkdir -p "$results"
status=0
start_all=$SECONDS

declare -A BIN
for major in "$@"; do
    rm -f "$results/$major".{xml,time,log}
    if ! bin=$(scripts/pg_major.sh "$major"); then
        echo "PostgreSQL $major could not be installed" >&2
        status=1
        continue
    fi
    if ! make --no-print-directory install PG_BIN="$bin" >/dev/null; then
        echo "make install into PostgreSQL $major failed" >&2
        status=1
        continue
    fi
    BIN[$major]=$bin
done

run_major() {  # run_major MAJOR BIN: pytest against that major, in a base temp of its own
    local major=$1 bin=$2 t0=$SECONDS rc=0 basetemp
    # (pytest prunes /tmp/pytest-of-USER/ of all but the last 3 sessions, also under the
    # servers of another session running at the same time)
    basetemp=$(mktemp -d /tmp/part-pytest-"$major".XXXXXX)
    echo "======== PostgreSQL $major"
    local args=()
    eval "args=(${PYTEST_ARGS:-})"  # as a shell would split it: -k 'a or b' stays one argument
    # the reliability suite (marked slow: crashes, random writers, pgbench) runs on one major,
    # $PG_SLOW_MAJOR (default 15), so that the whole run stays within its time
    if [ "$major" != "${PG_SLOW_MAJOR:-15}" ] && [ "${3:-1}" -gt 1 ] && [[ " ${PYTEST_ARGS:-} " != *" -m "* ]]; then
        args+=(-m "not slow")
    fi
    PG_BIN="$bin" PATH="$bin:$PATH" "$PY" -m pytest -p no:cacheprovider --basetemp="$basetemp" \
        --junitxml="$results/$major.xml" "${args[@]}" || rc=$?
    rm -rf "$basetemp"
    echo $((SECONDS - t0)) >"$results/$major.time"
    return $rc
}

declare -A PID
running=0
finish_one() {  # wait for one run to end, print its log
    local pid major rc=0
    wait -n -p pid || rc=$?
    for major in "${!PID[@]}"; do
        if [ "${PID[$major]}" = "$pid" ]; then
            echo
            cat "$results/$major.log"
            unset "PID[$major]"
        fi
    done
    [ $rc = 0 ] || status=1
    running=$((running - 1))
}
for major in "$@"; do
    [ -n "${BIN[$major]:-}" ] || continue
    while [ "$running" -ge "$jobs" ]; do finish_one; done
    run_major "$major" "${BIN[$major]}" "$#" >"$results/$major.log" 2>&1 &
    PID[$major]=$!
    running=$((running + 1))
done
while [ "$running" -gt 0 ]; do finish_one; done

"$PY" scripts/test_summary.py "$results" $((SECONDS - start_all)) "$@" || status=1
exit $status
