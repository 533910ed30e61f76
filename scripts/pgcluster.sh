#!/usr/bin/env bash
# Start, stop or inspect a throwaway local PostgreSQL cluster ($PG_BIN) with pg_cron preloaded.
#   scripts/pgcluster.sh start DIR PORT    initdb if DIR is empty, then start (idempotent)
#   scripts/pgcluster.sh stop DIR          stop it (no error when it is not running)
#   scripts/pgcluster.sh env DIR PORT      print the libpq variables to reach it
# PostgreSQL refuses to run as root: when run as root, the server runs as the
# `postgres` OS user, which must own DIR.
set -euo pipefail
cmd=${1:?usage: pgcluster.sh start|stop|env DIR [PORT]}
dir=$(realpath -m "${2:?data directory}")
port=${3:-5433}
bin=${PG_BIN:?set PG_BIN to the bin directory of the PostgreSQL to run (make sets it)}

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
    cron_conf=""  # pg_cron where this major has it
    if [ -f "$("$bin/pg_config" --pkglibdir)/pg_cron.so" ]; then
        cron_conf="shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.timezone = 'UTC'"
    fi
    if [ ! -s "$dir/PG_VERSION" ]; then
        mkdir -p "$dir"
        [ "$(id -u)" = 0 ] && chown postgres: "$dir" && chmod 700 "$dir"
        as_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
$cron_conf
max_connections = 200
fsync = on
wal_level = replica
max_wal_senders = 5
log_min_messages = warning
CONF
        echo "host replication all 127.0.0.1/32 trust" >>"$dir/pg_hba.conf"
    fi
    if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        # the port given now wins over the one written at initdb
        if ! as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null; then
            echo "PostgreSQL did not start (port $port busy? packages upgraded under it?); end of $dir/server.log:" >&2
            tail -n 15 "$dir/server.log" >&2 || true
            exit 1
        fi
    else
        running=$(as_pg head -n 4 "$dir/postmaster.pid" | tail -n 1)
        if [ "$running" != "$port" ]; then
            echo "the cluster in $dir is already running on port $running, not $port: stop it first" >&2
            exit 1
        fi
    fi
    echo "PostgreSQL running: PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres (data: $dir)"
    ;;
stop)
    if [ -s "$dir/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    fi
    ;;
env)
    echo "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres"
    ;;
*)
    echo "unknown command: $cmd" >&2; exit 2 ;;
esac
