#!/usr/bin/env bash
# Scores a Parquet file with a jkeras model on Apache Spark (io.jkeras.spark.ScoreJob):
#   tools/spark-score.sh --model M --input IN.parquet --output OUT.parquet [--input-col x] [--output-col y]
#                        [--master local[2]] [--batch-size 256] [--threads-per-task 1] [--bad-rows fail|null]
#                        [--pad-masked]
# IN's column x is array<array<float>> (one sequence per row, timesteps x features); its other columns are carried
# through; OUT adds y, array<float>, the model's output flattened in C order (y0, y1, ... for several outputs).
# The master defaults to local[2]. It runs on the module's classpath (jkeras-spark, its jkeras dependencies and
# Spark, which the pom has as provided), built with Maven (offline) when missing or older than the sources; for a
# real cluster, see the README's "Apache Spark" section (spark-submit). Exit codes: 0 done, 2 a usage or input
# error (one line on stderr), 3 a bug. JKERAS_SPARK_JAVA_OPTS adds JVM options (e.g. -Xmx4g).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOD="$ROOT/src/spark"
JAR="$MOD/target/jkeras-spark-0.2.0.jar"
CP="$MOD/target/spark-classpath.txt"
stale=0
if [ ! -f "$JAR" ] || [ ! -f "$CP" ]; then
  stale=1
elif [ -n "$(find "$ROOT"/src/{core,train,keras,spark}/src/main "$MOD/pom.xml" -newer "$JAR" -print -quit)" ]; then
  stale=1
fi
if [ "$stale" = 1 ]; then
  # compile + provided: jkeras' jars and Spark's; the jars of the jkeras modules come from their target/ folders
  (cd "$ROOT" && mvn -q -B -o -Dstyle.color=never -DskipTests -pl src/spark -am package dependency:build-classpath \
      -Dmdep.includeScope=compile -Dmdep.outputFile=target/spark-classpath.txt) >&2
fi
master=()
case " $* " in *" --master "*) ;; *) master=(--master "local[2]") ;; esac
exec "${JAVA:-java}" @"$MOD/jvm.options" ${JKERAS_SPARK_JAVA_OPTS:-} -cp "$JAR:$(cat "$CP")" \
    io.jkeras.spark.ScoreJob "${master[@]}" "$@"
