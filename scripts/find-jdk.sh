# Sourced by ./wganc and ./run-tests (which .ci/run calls): sets JAVA_HOME to a JDK >= 25 (JAVA_HOME
# itself if it is new enough, else the newest under the usual JVM folders) or fails with a message
# saying what to install. 25 is pom.xml's maven.compiler.release; TornadoVM 5.2 needs it too.
wganc_java=25

java_major() { # the feature version of the JDK at $1, or nothing
  [ -f "$1/release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1
}

find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    local v; v="$(java_major "$JAVA_HOME")"
    if [ -n "$v" ] && [ "$v" -ge "$wganc_java" ]; then echo "$JAVA_HOME"; return; fi
  fi
  local best="" bestv=0 d v
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -x "$d/bin/javac" ] || continue
    v="$(java_major "$d")"
    [ -n "$v" ] || continue
    if [ "$v" -ge "$wganc_java" ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  echo "$best"
}

wganc_jdk="$(find_jdk)"
if [ -z "$wganc_jdk" ]; then
  echo "wganc: no JDK $wganc_java or newer found (looked at JAVA_HOME${JAVA_HOME:+ = $JAVA_HOME}, /usr/lib/jvm, /opt and" \
    "~/.sdkman); install one, e.g. Temurin $wganc_java from https://adoptium.net/temurin/releases/?version=$wganc_java" \
    "(Debian 12 has no openjdk-$wganc_java-jdk package), or set JAVA_HOME to one" >&2
  exit 2
fi
export JAVA_HOME="$wganc_jdk"
