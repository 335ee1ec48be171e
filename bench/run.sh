#!/usr/bin/env bash
# Every benchmark of issue 15, one table at the end (docs/benchmarks.md).
#   bench/run.sh [-secs 10] [-scale 1] [-only transfer,get,replicas,sqlite,seeded]
# Needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres) and pgbench.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./bench/suite "$@"
