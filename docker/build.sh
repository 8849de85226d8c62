#!/usr/bin/env bash
# Builds an optimized Keycloak for production on PostgreSQL: the one set of build-time options, used by
# docker/Dockerfile and by the cluster test fixture, so that the tested cluster is the shipped image.
#
#   docker/build.sh <keycloak-home>
set -euo pipefail
kc_home=${1:?usage: build.sh <keycloak-home>}
exec "$kc_home/bin/kc.sh" build --db=postgres --health-enabled=true --metrics-enabled=true \
    --features=declarative-ui
