#!/usr/bin/env bash
# The cost of the Spark path: W1 (LSTM(128) -> Dense(10), sequences of 50 x 32) scored by JKerasModel over N
# sequences generated inside Spark in local[2] (one model thread per task), beside `./jkeras bench` on the same
# model and batch size in the same run: 2 callers x 1 thread (what Spark's two task slots do) and 1 caller x 2
# threads; and the same model called without Spark inside the Spark JVM, interleaved with the Spark rounds (the
# fairest comparison on a shared machine). Prints the three JSON lines and a Markdown table for docs/performance.md.
#   tools/spark-bench.sh [MODEL] [N] [BATCH]     defaults: ../shared/bench/artifacts/w1.keras 200000 256
# JAVA picks the JVM (default: java); JKERAS_SPARK_JAVA_OPTS adds options to the Spark JVM (default -Xmx4g).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MODEL=${1:-../shared/bench/artifacts/w1.keras}
N=${2:-200000}
BATCH=${3:-256}
mvn -q -B -o -Dstyle.color=never -DskipTests -pl src/spark -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt >&2
CP="src/spark/target/test-classes:src/spark/target/classes:$(cat src/spark/target/test-classpath.txt)"
single() {
  JKERAS_JAVA="${JAVA:-java}" ./jkeras bench "$MODEL" --batch "$BATCH" --seconds 10 --json "$@" 2>/dev/null | tail -1
}
callers2=$(single --callers 2 --threads 1)
threads2=$(single --threads 2)
spark=$("${JAVA:-java}" @src/spark/jvm.options ${JKERAS_SPARK_JAVA_OPTS:--Xmx4g} -cp "$CP" io.jkeras.spark.SparkBench \
    "$MODEL" "$N" 50 32 "$BATCH" "local[2]" 2>/dev/null | tail -1)
echo "jkeras bench, 2 callers x 1 thread: $callers2"
echo "jkeras bench, 1 caller x 2 threads: $threads2"
echo "spark local[2]:                     $spark"
python3 - "$callers2" "$threads2" "$spark" <<'PY'
import json, sys
c, t, s = (json.loads(a) for a in sys.argv[1:])
def tp(r): return r["throughput_seq_per_s"]
print()
print("| path | seq/s | Spark / this |")
print("|---|---|---|")
for name, r in (("`./jkeras bench --callers 2 --threads 1`", c), ("`./jkeras bench --threads 2`", t)):
    print(f"| {name} | {tp(r):,.0f} | end to end {s['end_to_end_seq_per_s'] / tp(r):.2f}x, "
          f"scoring {s['scoring_seq_per_s'] / tp(r):.2f}x |")
print(f"| same model in the Spark JVM without Spark, interleaved ({s['partitions']} callers x 1 thread) | "
      f"{s['in_process_seq_per_s']:,.0f} | end to end {s['end_to_end_seq_per_s'] / s['in_process_seq_per_s']:.2f}x, "
      f"scoring {s['scoring_seq_per_s'] / s['in_process_seq_per_s']:.2f}x |")
print(f"| Spark local[2], generation + scoring ({s['generate_and_score_s']:.2f} s) | "
      f"{s['end_to_end_seq_per_s']:,.0f} | |")
print(f"| Spark local[2], scoring (less generation alone, {s['generate_s']:.2f} s) | "
      f"{s['scoring_seq_per_s']:,.0f} | |")
PY
