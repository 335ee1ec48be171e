#!/usr/bin/env bash
# Authenticated GET /user/profile and the /healthz ceiling, on PostgreSQL
# (beside pgbench -S at the same client count) or SQLite, with the request
# limits ON. Every load client is its own user, but all share 127.0.0.1, so
# the per-IP limit is raised to LIMIT_IP (default 10^9) and the per-user one
# to LIMIT_USER (default 10^9): the limiter does all its work, it just never
# refuses. LIMIT_IP=0 LIMIT_USER=0 switches the limits off (the cost of the
# limits is the difference).
#   bench/authget/run.sh [postgres|sqlite] [duration-seconds] [clients]
# BIN=/path/to/comecomepay runs a prebuilt binary instead of this checkout.
set -euo pipefail
cd "$(dirname "$0")/../.."
ENGINE="${1:-postgres}"
SECS="${2:-10}"
CLIENTS="${3:-16}"
PG="postgres://postgres@127.0.0.1:5432"
ADDR="127.0.0.1:18199"
psql="psql -h 127.0.0.1 -U postgres -qtA -v ON_ERROR_STOP=1"

BIN="${BIN:-}"
if [ -z "$BIN" ]; then
  BIN=/tmp/comecomepay-authget
  go build -o "$BIN" ./cmd/comecomepay
fi
DATA=$(mktemp -d)
if [ "$ENGINE" = postgres ]; then
  $psql -d postgres -c "DROP DATABASE IF EXISTS ccp_authget WITH (FORCE)" -c "CREATE DATABASE ccp_authget"
  DBURL="$PG/ccp_authget?sslmode=disable"
else
  DBURL="sqlite://$DATA/ccp.db"
fi
echo "limits: ${LIMIT_IP:-1000000000}/min per IP, ${LIMIT_USER:-1000000000}/min per user (raised: all clients share one IP)"
COMECOMEPAY_MODE=sandbox COMECOMEPAY_DATA_DIR="$DATA" COMECOMEPAY_HTTP_ADDR="$ADDR" COMECOMEPAY_LOG_LEVEL=warn \
  COMECOMEPAY_RATE_LIMIT_PER_IP="${LIMIT_IP:-1000000000}" COMECOMEPAY_RATE_LIMIT_PER_USER="${LIMIT_USER:-1000000000}" \
  COMECOMEPAY_DATABASE_URL="$DBURL" "$BIN" serve >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do curl -fs "http://$ADDR/readyz" >/dev/null && break; sleep 0.2; done

echo "== comecomepay GET /user/profile and /healthz ($ENGINE, sandbox)"
go run ./bench/authget -base "http://$ADDR" -clients "$CLIENTS" -duration "${SECS}s"

if [ "$ENGINE" = postgres ]; then
  echo "== pgbench -S (same machine, same PostgreSQL)"
  $psql -d postgres -c "DROP DATABASE IF EXISTS ccp_pgbench_s WITH (FORCE)" -c "CREATE DATABASE ccp_pgbench_s"
  pgbench -h 127.0.0.1 -U postgres -i -q -s 10 ccp_pgbench_s >/dev/null 2>&1
  pgbench -h 127.0.0.1 -U postgres -S -c "$CLIENTS" -j 2 -T "$SECS" ccp_pgbench_s 2>/dev/null | grep -E '^tps|latency average'
fi
