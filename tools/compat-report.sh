#!/usr/bin/env bash
# Regenerates docs/zoo-report.md: runs every keras-zoo model through jkeras and writes, per file,
# whether it loads and its max abs error against each reference kind (see
# src/keras/src/test/java/io/jkeras/zoo/CompatibilityReport.java; same code as ZooSweepTest).
#
#   tools/compat-report.sh [OUT.md]          default OUT: docs/zoo-report.md
#
# docs/compatibility.md (the layers, their options and the Keras versions tested) is written by hand.
#
# Needs a JDK 17+ and Maven, and the zoo at ../shared/keras-zoo (or JKERAS_ZOO=DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-docs/zoo-report.md}"
ZOO="${JKERAS_ZOO:-../shared/keras-zoo}"
if [[ ! -f "$ZOO/manifest.json" ]]; then
  echo "keras-zoo not found at $ZOO (set JKERAS_ZOO=DIR)" >&2
  exit 2
fi
KERAS=src/keras/target
CP_FILE="$PWD/$KERAS/compat-report.classpath"
# the keras module and what it needs; its classpath (upstream modules as their target/classes) is written last
mvn -q -B -Dstyle.color=never -pl src/keras -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test "-Dmdep.outputFile=$CP_FILE"
exec java --add-modules jdk.incubator.vector -cp "$KERAS/test-classes:$KERAS/classes:$(cat "$CP_FILE")" \
    "-Djkeras.zoo=$ZOO" io.jkeras.zoo.CompatibilityReport "$OUT"
