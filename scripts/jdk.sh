# Sourced by the project's commands: makes JAVA_HOME a JDK 21 or newer (Keycloak 26.7 needs 21+;
# a machine's default java may be older). Keeps JAVA_HOME when it already qualifies.

jdk_major() { # prints the major version of the JDK at $1, or nothing
  [ -x "$1/bin/javac" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null
}

find_jdk21() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$candidate" ] || continue
    major=$(jdk_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

if JAVA_HOME=$(find_jdk21); then
  export JAVA_HOME
  export PATH="$JAVA_HOME/bin:$PATH"
else
  echo "No JDK 21 or newer found (looked at JAVA_HOME and /usr/lib/jvm/*). Install one, e.g. 'apt-get install openjdk-21-jdk-headless'." >&2
  return 1 2>/dev/null || exit 1
fi
