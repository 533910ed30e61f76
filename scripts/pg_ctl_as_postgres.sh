#!/usr/bin/env bash
# pg_ctl for pytest-postgresql when the tests run as root (as CI does).
# PostgreSQL refuses to run as root, so as root this re-runs pg_ctl as the
# `postgres` OS user: before `initdb` it hands the data directory's parent (the
# pytest temporary directory, which also holds the server log) to postgres and
# lets postgres traverse the root-owned directories above it (o+x only).
# Any other user: plain pg_ctl.
set -euo pipefail
bin=${PG_BIN:?set PG_BIN to the bin directory of the PostgreSQL to run (make sets it)}
if [ "$(id -u)" != 0 ]; then
    exec "$bin/pg_ctl" "$@"
fi

datadir=""
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        -D | --pgdata) datadir=${args[i + 1]:-} ;;
        --pgdata=*) datadir=${args[i]#--pgdata=} ;;
    esac
done

if [ "${1:-}" = initdb ] && [ -n "$datadir" ]; then
    parent=$(dirname "$(realpath -m "$datadir")")
    mkdir -p "$parent"
    chown postgres: "$parent"
    d=$parent
    while [ "$d" != / ]; do
        d=$(dirname "$d")
        if [ "$(stat -c %u "$d")" = 0 ] && [ $((0$(stat -c %a "$d") & 1)) = 0 ]; then
            chmod o+x "$d"
        fi
    done
fi

cd /
exec runuser -u postgres -- "$bin/pg_ctl" "$@"
