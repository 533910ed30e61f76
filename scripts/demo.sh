#!/usr/bin/env bash
# make demo: a throwaway PostgreSQL cluster ($PG_BIN, make passes it) in .pg/demo (port $PGPORT, default
# 5433; as root, when the postgres user cannot reach the clone, .pg/demo links
# to a directory under /var/tmp: see scripts/pgcluster.sh) with pg_cron preloaded, the databases hospitality, finance and
# event_store filled with generated data for many organizations, part applied
# to each from demo/pginstall.toml, then part.create_ahead(3) and maintenance.
# Running it again reuses the cluster and the data, and changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
port=${PGPORT:-5433}
datadir=$repo/.pg/demo
orgs=${DEMO_ORGS:-200}
months=${DEMO_MONTHS:-24}
weeks=${DEMO_WEEKS:-26}
pginstall=$repo/.venv/bin/pginstall

export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
unset PGDATABASE PGSERVICE PGPASSWORD PGINSTALL_CONFIG
psql_() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$@"; }
step() { printf '\n== %s\n' "$*"; }

step "cluster: $datadir, port $port"
scripts/pgcluster.sh start "$datadir" "$port"

load() {  # load DB SCHEMA_FILE
    local db=$1 schema=$2
    if [ -z "$(psql_ -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
        psql_ -d postgres -c "CREATE DATABASE $db"
    fi
    psql_ -d "$db" -f "demo/$schema"
    echo "$db: schema ready (demo/$schema)"
}

fill() {  # fill DB TABLE DATA_FILE: generated rows, once
    local db=$1 table=$2 data=$3 start
    if [ "$(psql_ -d "$db" -tAc "SELECT EXISTS (SELECT 1 FROM $table)")" = t ]; then
        echo "$db: data already loaded"
        return
    fi
    start=$EPOCHREALTIME
    psql_ -d "$db" -v orgs="$orgs" -v months="$months" -v weeks="$weeks" -f "demo/$data" >/dev/null
    awk -v db="$db" -v orgs="$orgs" -v a="$start" -v b="$EPOCHREALTIME" \
        'BEGIN { printf "%s: generated data for %s organizations in %.1f s\n", db, orgs, b - a }'
}

step "schemas"
load hospitality schema_managed.sql
load finance schema_legacy.sql
load event_store schema_event_store.sql

config=demo/pginstall.toml

step "data of the legacy tables (before their migration starts)"
fill finance public.revenues data_ledger.sql

step "pginstall apply --all --config $config"
"$pginstall" apply --all --config "$config"

step "data of the managed tables (history lands in the default partitions)"
fill hospitality public.revenues data_ledger.sql
fill event_store public.events data_events.sql

for db in hospitality event_store; do
    step "$db: SELECT part.create_ahead(3)  (partitions for this interval and 3 more, for every managed range table; none on a second call)"
    psql_ -d "$db" -c "SELECT part.create_ahead(3) AS created"

    step "$db: CALL part.run_maintenance()  (moves rows out of the default partition into partitions made for them)"
    psql_ -d "$db" -c "CALL part.run_maintenance()"
    psql_ -d "$db" -c "
        SELECT l.action, l.outcome, count(*) AS actions, sum(l.rows_moved) AS rows_moved
          FROM part.maintenance_log l
         WHERE l.run_id = (SELECT max(run_id) FROM part.maintenance_log)
         GROUP BY 1, 2 ORDER BY 1, 2"

    step "$db: part.partitions"
    psql_ -d "$db" -c "ANALYZE"
    psql_ -d "$db" -c "
        SELECT parent_table,
               count(*) FILTER (WHERE NOT is_default) AS partitions,
               min(bound_from) FILTER (WHERE NOT is_default AND strategy = 'range') AS first_from,
               max(bound_to) FILTER (WHERE NOT is_default) AS last_to,
               sum(estimated_rows) AS est_rows,
               sum(estimated_rows) FILTER (WHERE is_default) AS in_default,
               pg_size_pretty(sum(total_bytes)) AS size
          FROM part.partitions GROUP BY parent_table ORDER BY parent_table"
    psql_ -d "$db" -c "
        SELECT partition_name, bound_from, bound_to, estimated_rows
          FROM part.partitions
         WHERE NOT is_default AND strategy = 'range'
         ORDER BY parent_table, bound_from DESC LIMIT 6"
done

step "finance: the legacy tables, moved online (migrate = true made apply start their dual write)"
psql_ -d finance -c "
    SELECT c.relname AS table_name, c.relkind = 'p' AS partitioned, c.reltuples::bigint AS est_rows,
           pg_size_pretty(pg_total_relation_size(c.oid)) AS size
      FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
       AND c.relname IN ('revenues', 'expenses', 'daily_cash_balances') ORDER BY 1"
for t in revenues expenses daily_cash_balances; do
    if [ "$(psql_ -d finance -tAc "SELECT part.phase('public.$t')")" = finalized ]; then
        echo "public.$t: finalized by an earlier run: nothing more to show for it"
        continue
    fi
    "$pginstall" migrate "public.$t" --db finance --config "$config" --to backfilled
done

step "finance: the application keeps writing to the legacy tables (the sync mirrors it)"
psql_ -d finance -c "
    INSERT INTO public.revenues (org_id, occurred_at, amount, category) VALUES (7, now(), 120.00, 'rooms');
    UPDATE public.revenues SET occurred_at = occurred_at - interval '40 days' WHERE id = 10;
    DELETE FROM public.expenses WHERE id = 20;
    UPDATE public.daily_cash_balances SET closing_balance = closing_balance + 1 WHERE org_id = 3 AND balance_date = current_date;"

parity() {  # content parity of the three tables: a hash of every row per range, both sides in one snapshot
    psql_ -d finance -c "
        SELECT t AS table_name, part.phase(t) AS phase, count(*) AS ranges, sum(legacy_rows) AS legacy_rows,
               sum(partitioned_rows) AS partitioned_rows, count(*) FILTER (WHERE status <> 'ok') AS ranges_differ
          FROM (SELECT t FROM unnest(ARRAY['public.revenues', 'public.expenses', 'public.daily_cash_balances']) t
                 WHERE part.phase(t) IS DISTINCT FROM 'finalized' OFFSET 0) t,
               LATERAL part.check_parity(t) GROUP BY t ORDER BY t"
}

step "finance: parity before the switch (part.check_parity)"
parity

step "finance: switch (pginstall migrate --to partitioned re-checks what the sync marked, then swaps the names)"
for t in revenues expenses daily_cash_balances; do
    [ "$(psql_ -d finance -tAc "SELECT part.phase('public.$t')")" = finalized ] && continue
    "$pginstall" migrate "public.$t" --db finance --config "$config" --to partitioned
done
psql_ -d finance -c "
    INSERT INTO public.revenues (org_id, occurred_at, amount, category) VALUES (8, now(), 80.00, 'spa');
    UPDATE public.expenses SET amount = amount + 1 WHERE id = 30;"

step "finance: parity after the switch (writes now go to the partitioned tables, mirrored back to the legacy ones)"
parity
psql_ -d finance -c "SELECT table_name, phase, legacy_table, partitioned_table, backfill_rows, parity_clean FROM part.migrations"

step "pginstall plan --all (applying again would change nothing: no output)"
"$pginstall" plan --all --config "$config"

# The closing commands work as printed in a fresh shell, from any directory:
# absolute paths, the connection spelled out (pginstall follows libpq: without
# PGHOST it would try the default socket directory, not this cluster).
q() { printf '%q' "$1"; }
conn="PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres"
pgi="$conn $(q "$pginstall")"
cfg=$(q "$repo/$config")
cat <<MSG

Demo cluster running (data: $(scripts/pgcluster.sh dir "$datadir"), port $port). These commands work as printed, in any shell:
    psql -h 127.0.0.1 -p $port -U postgres hospitality
    $pgi status --db hospitality --config $cfg
    $pgi verify --db event_store --config $cfg
    $pgi migrate public.revenues --db finance --config $cfg --to rollback
    $pgi migrate public.revenues --db finance --config $cfg --to finalized
    PG_BIN=$(q "$PG_BIN") $(q "$repo/scripts/pgcluster.sh") stop $(q "$datadir")
    make -C $(q "$repo") clean PG_BIN=$(q "$PG_BIN")
(the last two stop the cluster and remove it)
MSG
