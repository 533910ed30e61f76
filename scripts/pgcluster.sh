#!/usr/bin/env bash
# Start, stop or inspect a throwaway local PostgreSQL cluster ($PG_BIN) with pg_cron preloaded.
#   scripts/pgcluster.sh start DIR PORT    initdb if DIR is empty, then start (idempotent)
#   scripts/pgcluster.sh stop DIR          stop it (no error when it is not running)
#   scripts/pgcluster.sh remove DIR        stop it and delete its data (and DIR's link, see below)
#   scripts/pgcluster.sh dir DIR           print where the data of DIR lives (see below)
#   scripts/pgcluster.sh env DIR PORT      print the libpq variables to reach it
# PostgreSQL refuses to run as root: when run as root, the server runs as the
# `postgres` OS user, which must own the data directory and reach it. When it
# cannot reach DIR's parent (a clone under /root or another 0700 directory),
# the data goes to /var/tmp/part-cluster-<hash of DIR> and DIR becomes a
# symbolic link to it, so every command given DIR still finds it.
set -euo pipefail
cmd=${1:?usage: pgcluster.sh start|stop|remove|dir|env DIR [PORT]}
given=$(realpath -m -s "${2:?data directory}")
port=${3:-5433}
bin=${PG_BIN:?set PG_BIN to the bin directory of the PostgreSQL to run (make sets it)}

root() { [ "$(id -u)" = 0 ]; }
as_pg() {
    # from / : the caller's working directory may be one postgres cannot enter
    if root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# The data directory for DIR: DIR itself, what DIR links to, or (as root, when
# the postgres user cannot reach DIR's parent) a directory under /var/tmp that
# DIR is made a link to. With "create", the link is made.
data_dir() {
    local want=$1 create=${2:-}
    if [ -L "$want" ]; then
        realpath -m "$want"
        return
    fi
    if ! root || [ -s "$want/PG_VERSION" ]; then
        echo "$want"
        return
    fi
    local parent probe
    parent=$(dirname "$want")
    probe=$parent  # the nearest directory that exists (mkdir -p makes the rest, 0755)
    while [ ! -d "$probe" ]; do probe=$(dirname "$probe"); done
    if (cd / && runuser -u postgres -- test -x "$probe"); then
        echo "$want"
        return
    fi
    local alt
    alt=/var/tmp/part-cluster-$(printf '%s' "$want" | md5sum | cut -c1-12)
    if [ -n "$create" ]; then
        mkdir -p "$parent"
        if [ -d "$want" ] && ! rmdir "$want" 2>/dev/null; then
            echo "$want is not empty and holds no cluster, and the postgres user cannot reach $parent: move it away" >&2
            exit 1
        fi
        ln -sfn "$alt" "$want"
    fi
    echo "$alt"
}

case "$cmd" in
start)
    dir=$(data_dir "$given" create)
    cron_conf=""  # pg_cron where this major has it
    if [ -f "$("$bin/pg_config" --pkglibdir)/pg_cron.so" ]; then
        cron_conf="shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.timezone = 'UTC'"
    fi
    if [ ! -s "$dir/PG_VERSION" ]; then
        mkdir -p "$dir"
        if root; then chown postgres: "$dir" && chmod 700 "$dir"; fi
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
    where=$dir
    [ "$dir" != "$given" ] && where="$dir, linked from $given: the postgres user cannot reach $(dirname "$given")"
    echo "PostgreSQL running: PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres (data: $where)"
    ;;
stop | remove)
    dir=$(data_dir "$given")
    if [ -s "$dir/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        as_pg "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
    fi
    if [ "$cmd" = remove ]; then
        rm -rf "$dir"
        if [ -L "$given" ]; then rm -f "$given"; fi
    fi
    ;;
dir)
    data_dir "$given"
    ;;
env)
    echo "export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres"
    ;;
*)
    echo "unknown command: $cmd" >&2; exit 2 ;;
esac
