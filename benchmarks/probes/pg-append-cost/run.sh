#!/usr/bin/env bash
# Server time of one 10-event append, one client, Rewind's rewind_append_group (schema V1 + V4) against an
# Axon-like multi-row INSERT (bigserial, three unique indexes), with and without waiting for the WAL flush.
# Needs the local PostgreSQL of .ci/start-postgres.sh and pgbench. Creates and drops schemas pgcost_*.
# Usage: benchmarks/probes/pg-append-cost/run.sh [seconds per figure, default 5] [rounds, default 3]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
schema=$here/../../../postgres/src/main/resources/dev/rewind/storage/postgres/schema
secs=${1:-5}
rounds=${2:-3}
export PGPASSWORD=${REWIND_PG_PASSWORD:-rewind}
sql() { psql -q -h localhost -U "${REWIND_PG_USER:-rewind}" rewind_test -v ON_ERROR_STOP=1 "$@" 2>&1 | grep -v -e NOTICE -e DETAIL -e "drop cascades" || true; }
for s in pgcost_group pgcost_group_3idx; do
  sql -c "DROP SCHEMA IF EXISTS $s CASCADE; CREATE SCHEMA $s;"
  (echo "SET search_path=$s;"; cat "$schema/V1__events.sql" "$schema/V4__append_groups.sql") | sql
done
sql -c "DROP INDEX pgcost_group_3idx.rewind_events_type_idx; DROP INDEX pgcost_group_3idx.rewind_events_time_idx;"
sql -c "DROP SCHEMA IF EXISTS pgcost_axon CASCADE; CREATE SCHEMA pgcost_axon; CREATE TABLE pgcost_axon.domain_event_entry (global_index bigserial primary key, aggregate_identifier text not null, sequence_number bigint not null, type text, event_identifier text not null unique, meta_data bytea, payload bytea not null, payload_revision text, payload_type text not null, time_stamp text not null, unique (aggregate_identifier, sequence_number));"
run() { # schema script commit
  local ms
  ms=$( (PGOPTIONS="-c search_path=$1 -c synchronous_commit=$3" pgbench -n -h localhost -U "${REWIND_PG_USER:-rewind}" \
        -c 1 -T "$secs" -f "$here/$2" rewind_test 2>&1 || true) | sed -n 's/latency average = \([0-9.]*\) ms/\1/p')
  echo "$1 synchronous_commit=$3: $ms ms per append"
}
for r in $(seq "$rounds"); do
  for commit in off on; do
    run pgcost_group group-append.sql $commit
    run pgcost_group_3idx group-append.sql $commit
    run pgcost_axon axon-like-insert.sql $commit
  done
done
for s in pgcost_group pgcost_group_3idx pgcost_axon; do sql -c "DROP SCHEMA $s CASCADE;"; done
