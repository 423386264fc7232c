#!/usr/bin/env bash
# Regenerates docs/compatibility.md: runs every keras-zoo model through jkeras and writes, per file,
# whether it loads and its max abs error against each reference kind (see
# src/keras/src/test/java/io/jkeras/zoo/CompatibilityReport.java; same code as ZooSweepTest).
#
#   tools/compat-report.sh [OUT.md]          default OUT: docs/compatibility.md
#
# Needs a JDK 17+ and Maven, and the zoo at ../shared/keras-zoo (or JKERAS_ZOO=DIR).
# JKERAS_BUILD_DIR picks Maven's output folder (default target), as -Djkeras.buildDir in pom.xml.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-docs/compatibility.md}"
BUILD="${JKERAS_BUILD_DIR:-target}"
ZOO="${JKERAS_ZOO:-../shared/keras-zoo}"
if [[ ! -f "$ZOO/manifest.json" ]]; then
  echo "keras-zoo not found at $ZOO (set JKERAS_ZOO=DIR)" >&2
  exit 2
fi
CP_FILE="$BUILD/compat-report.classpath"
mvn -q -B -Dstyle.color=never "-Djkeras.buildDir=$BUILD" test-compile dependency:build-classpath \
    -Dmdep.includeScope=test "-Dmdep.outputFile=$CP_FILE"
exec java -cp "$BUILD/test-classes:$BUILD/classes:$(cat "$CP_FILE")" "-Djkeras.zoo=$ZOO" \
    io.jkeras.zoo.CompatibilityReport "$OUT"
