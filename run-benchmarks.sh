#!/usr/bin/env bash
# Builds the providers, starts the real Keycloak 26.7.5 with them and prints every benchmark as one table
# (figures with their ratio to a baseline measured in the same run); the last table runs two production-mode
# nodes on PostgreSQL (installed from Debian's packages if missing). Options, e.g.:
#   ./run-benchmarks.sh -Dbench.workers=8 -Dbench.rounds=5 -Dbench.requests=2000
#   ./run-benchmarks.sh -Dbench.url=http://localhost:8080     (a server already running the demo realm)
#   ./run-benchmarks.sh -Dbench.cluster=false                  (without the two-node table)
#   ./run-benchmarks.sh -Dbench.only=cluster                   (only the two-node table)
#   ./run-benchmarks.sh -Dbench.only=preload -Dbench.preload=5000,20000   (only the preloaded drains; default sizes 5000,20000,80000)
set -euo pipefail
cd "$(dirname "$0")"
. scripts/jdk.sh
. scripts/postgres.sh
exec mvn -B -q -Pbenchmark -DskipTests -DskipITs verify "$@"
