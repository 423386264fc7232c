#!/usr/bin/env bash
# tools/serve-bench.sh [ARTIFACTS_DIR]   (default: ../shared/bench/artifacts)
#
# W1 over loopback HTTP (`io.jkeras.serve.ServeBenchmark`, a main in the serve module's test sources): one
# client's requests paired with in-process predicts (the HTTP overhead), then 1, 8 and 64 clients. Prints the load
# average before and after; run it when `uptime` shows a low load, nothing else running.
# Settings (environment): JAVA (default: java), CLIENTS (default 1,8,64), REQUESTS per client (default 2000).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -o -Dstyle.color=never test-compile dependency:build-classpath -Dmdep.outputFile=target/serve-bench.cp \
    -Dmdep.includeScope=test -pl src/serve -am
CP="src/serve/target/test-classes:src/serve/target/classes:$(cat src/serve/target/serve-bench.cp)"
JAVA="${JAVA:-java}"
"$JAVA" -version 2>&1 | head -n 1
exec "$JAVA" --add-modules jdk.incubator.vector -Dclients="${CLIENTS:-1,8,64}" -Drequests="${REQUESTS:-2000}" \
    -cp "$CP" io.jkeras.serve.ServeBenchmark "${1:-../shared/bench/artifacts}"
