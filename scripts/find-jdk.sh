# Sourced by ./wganc, ./run-tests and .ci/run: sets JAVA_HOME to a JDK >= 21 (JAVA_HOME itself if it is
# new enough, else the newest under the usual JVM folders) or fails with a message saying what to install.
java_major() { # the feature version of the JDK at $1, or nothing
  [ -f "$1/release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1
}

find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    local v; v="$(java_major "$JAVA_HOME")"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$JAVA_HOME"; return; fi
  fi
  local best="" bestv=0 d v
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -x "$d/bin/javac" ] || continue
    v="$(java_major "$d")"
    [ -n "$v" ] || continue
    if [ "$v" -ge 21 ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  echo "$best"
}

wganc_jdk="$(find_jdk)"
if [ -z "$wganc_jdk" ]; then
  echo "wganc: no JDK 21 or newer found (looked at JAVA_HOME and /usr/lib/jvm); install one, e.g. 'apt-get install openjdk-21-jdk' or Temurin 25" >&2
  exit 2
fi
export JAVA_HOME="$wganc_jdk"
