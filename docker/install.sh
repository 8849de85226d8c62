#!/usr/bin/env bash
# Installs this project into a Keycloak distribution: the provider JAR, the themes and the demo realm
# for --import-realm. The one install recipe: the test fixture, ./run-demo.sh and docker/Dockerfile
# all call it, so what is tested is what is shipped.
#
#   docker/install.sh <keycloak-home> <providers-jar>
set -euo pipefail
kc_home=${1:?usage: install.sh <keycloak-home> <providers-jar>}
jar=${2:?usage: install.sh <keycloak-home> <providers-jar>}
here=$(cd "$(dirname "$0")/.." && pwd)

[ -f "$jar" ] || { echo "provider JAR not found: $jar" >&2; exit 1; }
mkdir -p "$kc_home/providers" "$kc_home/themes" "$kc_home/data/import"
cp "$jar" "$kc_home/providers/"
cp -R "$here/themes/." "$kc_home/themes/"
cp "$here"/realm-config/*.json "$kc_home/data/import/"
