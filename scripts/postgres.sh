# Sourced by run-tests.sh: makes sure PostgreSQL from Debian's packages is installed, for the cluster
# tests (two Keycloak nodes on one database). The tests start their own server on loopback with its own
# data directory and port; the Debian default cluster is not used.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing PostgreSQL (apt-get install postgresql) for the cluster tests" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y --no-install-recommends postgresql >/dev/null
fi
