#!/usr/bin/env bash
# Starts the local PostgreSQL the postgres/ module's tests use, and creates their role and database.
#
# Idempotent: installs Debian's postgresql package only when missing, starts the cluster only when it
# is down, creates the role and database only when absent. Works when a server already runs.
#
# The tests find the server through REWIND_PG_URL / REWIND_PG_USER / REWIND_PG_PASSWORD
# (defaults: jdbc:postgresql://localhost:5432/rewind_test, rewind, rewind). Override the role,
# password and database here with the same variables' parts: REWIND_PG_USER, REWIND_PG_PASSWORD,
# REWIND_PG_DB.
set -euo pipefail

PG_USER="${REWIND_PG_USER:-rewind}"
PG_PASSWORD="${REWIND_PG_PASSWORD:-rewind}"
PG_DB="${REWIND_PG_DB:-rewind_test}"

log() { echo "start-postgres: $*"; }

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  log "PostgreSQL not installed: installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q postgresql
fi

# The newest installed major version (e.g. 15).
PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
log "PostgreSQL version ${PG_VERSION}"

if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "${PG_VERSION} main"; then
  log "creating cluster ${PG_VERSION}/main"
  pg_createcluster "${PG_VERSION}" main
fi

if pg_lsclusters -h | awk -v v="${PG_VERSION}" '$1==v && $2=="main" {print $4}' | grep -q online; then
  log "cluster ${PG_VERSION}/main already running"
else
  log "starting cluster ${PG_VERSION}/main"
  pg_ctlcluster --skip-systemctl-redirect "${PG_VERSION}" main start
fi

# Wait (bounded) until the server accepts connections.
for _ in $(seq 1 60); do
  if pg_isready -q -h localhost -p 5432; then
    break
  fi
  sleep 0.5
done
pg_isready -h localhost -p 5432

psql_admin() { (cd /tmp && su postgres -c "psql -v ON_ERROR_STOP=1 -qtA -p 5432 $*"); }

if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = '${PG_USER}'\"")" != "1" ]; then
  log "creating role ${PG_USER}"
  psql_admin "-c \"CREATE ROLE ${PG_USER} LOGIN PASSWORD '${PG_PASSWORD}'\""
fi

if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = '${PG_DB}'\"")" != "1" ]; then
  log "creating database ${PG_DB}"
  psql_admin "-c \"CREATE DATABASE ${PG_DB} OWNER ${PG_USER}\""
fi
log "ready: jdbc:postgresql://localhost:5432/${PG_DB} (user ${PG_USER})"
