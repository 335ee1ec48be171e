#!/usr/bin/env bash
# Transfer load on PostgreSQL beside pgbench's -N (simple update) figure at the
# same client counts, so the service's overhead over raw database writes is
# visible. Everything runs on this machine: a fresh database, a sandbox
# server on loopback, the Go load tool, then pgbench.
#   bench/run-transfer-load.sh [duration-seconds]
# HASH=fast replaces the argon2id cost of the per-transfer transaction
# password check with a trivial one, to show the rest of the request path.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-10}"
PG="postgres://postgres@127.0.0.1:5432"
ADDR="127.0.0.1:18099"
psql="psql -h 127.0.0.1 -U postgres -qtA -v ON_ERROR_STOP=1"

$psql -d postgres -c "DROP DATABASE IF EXISTS ccp_bench WITH (FORCE)" -c "CREATE DATABASE ccp_bench"
$psql -d postgres -c "DROP DATABASE IF EXISTS ccp_pgbench WITH (FORCE)" -c "CREATE DATABASE ccp_pgbench"

go build -o /tmp/comecomepay-bench ./cmd/comecomepay
DATA=$(mktemp -d)
COMECOMEPAY_PASSWORD_HASH="${HASH:-default}" COMECOMEPAY_MODE=sandbox COMECOMEPAY_DATA_DIR="$DATA" COMECOMEPAY_HTTP_ADDR="$ADDR" COMECOMEPAY_LOG_LEVEL=warn \
  COMECOMEPAY_DATABASE_URL="$PG/ccp_bench?sslmode=disable" /tmp/comecomepay-bench serve >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://$ADDR/readyz" >/dev/null && break; sleep 0.2; done

echo "== comecomepay POST /wallet/transfer-by-uid (PostgreSQL, sandbox, password hash profile ${HASH:-default})"
go run ./bench/transferload -base "http://$ADDR" -clients 1,8,32 -duration "${SECS}s"

echo "== pgbench -N (same machine, same PostgreSQL)"
pgbench -h 127.0.0.1 -U postgres -i -q -s 10 ccp_pgbench >/dev/null 2>&1
for c in 1 8 32; do
  tps=$(pgbench -h 127.0.0.1 -U postgres -N -c "$c" -j 2 -T "$SECS" ccp_pgbench 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
  lat=$(pgbench -h 127.0.0.1 -U postgres -N -c "$c" -j 2 -T 2 ccp_pgbench 2>/dev/null | sed -n 's/^latency average = \(.*\)$/\1/p')
  printf "%8s clients  %10s tps  latency avg %s\n" "$c" "$tps" "$lat"
done
