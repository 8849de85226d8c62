#!/usr/bin/env bash
# Builds the providers and starts Keycloak 26.7.5 with them and the demo realm 'integrations' on the
# embedded dev database at http://localhost:8080 (admin/admin). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/jdk.sh
mvn -B -q -DskipTests -Dhygiene.skip package
version=$(sed -n 's:.*<keycloak.version>\(.*\)</keycloak.version>.*:\1:p' pom.xml | head -1)
kc_home=providers/target/demo/keycloak-$version
rm -rf providers/target/demo
mkdir -p providers/target/demo
cp -R "providers/target/keycloak-dist/keycloak-$version" "$kc_home"
docker/install.sh "$kc_home" providers/target/kc-integrations-providers.jar
# HTTPS on 8443 too, with a self-signed certificate made here once: the plugin host demo embeds a plugin from
# another origin (https://localhost:8443 hosts, https://127.0.0.1:8443 serves the plugin), as deployed.
tls=providers/target/demo-tls.p12
if [[ ! -f $tls ]]; then
  "$JAVA_HOME/bin/keytool" -genkeypair -alias localhost -keyalg RSA -keysize 2048 -validity 365 -dname CN=localhost \
    -ext SAN=dns:localhost,ip:127.0.0.1 -storetype PKCS12 -keystore "$tls" -storepass demo-only-keystore >/dev/null
fi
# Keycloak trusts that certificate too, so webhooks reach the demo's HTTPS receivers that serve it
# (docs/webhook-receiver/mtls-receiver.js: a receiver that demands the realm's client certificate).
"$JAVA_HOME/bin/keytool" -exportcert -rfc -alias localhost -keystore "$tls" -storepass demo-only-keystore \
  -file providers/target/demo-tls.pem >/dev/null
# The Field Service stand-in on https://localhost:8444 (needs node and npm): it hosts the demo plugin built on
# Oracle's @ofs-users/plugin and answers its REST calls for tokens that verify against the realm's JWKS.
if command -v npm >/dev/null; then
  (cd docs/field-service-standin && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  node docs/field-service-standin/server.mjs --port 8444 --pfx "$PWD/$tls" --passphrase demo-only-keystore \
    --issuer https://localhost:8443/realms/integrations --issuer http://localhost:8080/realms/integrations \
    --jwks http://localhost:8080/realms/integrations/protocol/openid-connect/certs \
    --audience urn:opc:resource:fusion:demo01:field-service-common > providers/target/demo/field-service-standin.log 2>&1 &
  standin=$!
  trap 'kill "$standin" 2>/dev/null || true' EXIT
else
  echo "run-demo.sh: no npm here, so the Field Service stand-in (the @ofs-users/plugin demo) is not started" >&2
fi
export KC_BOOTSTRAP_ADMIN_USERNAME=${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}
export KC_BOOTSTRAP_ADMIN_PASSWORD=${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}
# declarative-ui (experimental) shows the Realm settings -> Environment tab of this project. The demo's webhook
# receivers run on this machine: the server lets realms allow-list loopback (realm attribute webhookAllowedHosts).
# Keycloak 26.7's build step can fail at random with a ConcurrentModificationException when a provider brings
# JPA entities (keycloak#47482, fixed in 26.8.0); that failure alone is tried again (docker/build.sh does too).
for attempt in 1 2 3; do
  set +e
  "$kc_home/bin/kc.sh" start-dev --http-port=8080 --https-port=8443 --https-key-store-file="$PWD/$tls" \
    --https-key-store-password=demo-only-keystore --truststore-paths="$PWD/providers/target/demo-tls.pem" --http-management-scheme=http --import-realm --health-enabled=true --metrics-enabled=true \
    --features=declarative-ui --spi-events-listener--webhook-events--allowed-hosts=127.0.0.1,localhost "$@" \
    2>&1 | tee providers/target/demo/server.log
  status=${PIPESTATUS[0]}
  set -e
  if [[ $attempt == 3 ]] || ! grep -q contributePersistenceXmlToJpaModel providers/target/demo/server.log; then
    exit "$status"
  fi
  echo "run-demo.sh: Keycloak's build hit keycloak#47482; starting again" >&2
done
