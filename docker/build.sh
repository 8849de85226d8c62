#!/usr/bin/env bash
# Builds an optimized Keycloak for production on PostgreSQL: the one set of build-time options, used by
# docker/Dockerfile and by the cluster test fixture, so that the tested cluster is the shipped image.
#
#   docker/build.sh <keycloak-home>
#
# Keycloak 26.7's build can fail at random when a provider JAR brings JPA entities, as this one does: two
# build steps share a list (ConcurrentModificationException in contributePersistenceXmlToJpaModel,
# keycloak#47482, fixed in 26.8.0). The same build succeeds when run again, so that failure alone is retried.
set -euo pipefail
kc_home=${1:?usage: build.sh <keycloak-home>}
for attempt in 1 2 3; do
    if output=$("$kc_home/bin/kc.sh" build --db=postgres --health-enabled=true --metrics-enabled=true \
            --features=declarative-ui 2>&1); then
        printf '%s\n' "$output"
        exit 0
    fi
    printf '%s\n' "$output"
    if [[ $attempt == 3 || $output != *ConcurrentModificationException* || $output != *contributePersistenceXmlToJpaModel* ]]; then
        exit 1
    fi
    echo "build.sh: Keycloak's build hit keycloak#47482; building again" >&2
done
