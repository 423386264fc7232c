#!/usr/bin/env bash
# tools/perf.sh [WORKLOADS...]   (default: W1 W2 W3s W3g W4)
#
# One measuring run of jkeras against its peers, written up as docs/performance.md:
#  1. builds the CLI jar and the JMH module once, records the machine and the JVMs;
#  2. per workload, the shared kit's peers.sh with jkeras in the rotation (OWN_CMD = tools/perf_own.sh:
#     `./jkeras bench` on the kit's model, input and budgets; vector and scalar kernel paths), all under one
#     PEERS_RUN id, so every ratio comes from one run;
#  3. the JMH suite: W1/W3s/W3g latency (vector and scalar), W1 allocation (-prof gc), W2 throughput,
#     W4 training epoch, load time of the W2 model (.h5 and native .jkm);
#  4. tools/perf_report.py: docs/performance.md from the run's records (deterministic: the same records give the
#     same file).
#
# Settings (environment):
#   QUICK=1            the kit's quick mode (one round, short budgets, fewer peers) and short JMH iterations
#   ROUNDS="0 1 2"     rounds per workload (default: quick 0; full: 0 1 2 for W1/W3s/W3g, 0 for W2/W4). W2 and W4
#                      run one peers.sh call per round, which keeps each call under 10 minutes
#   PEERS="..."        the peers (default: the kit's per mode)
#   PEERS_RUN          run id (default perf-<date>-<time>); PEERS_OUT (default /tmp/jkeras-peers)
#   PEERS_KIT_DIR      the kit (default: ../shared/bench next to the repository)
#   JKERAS_JAVA        java for jkeras and JMH (default: Temurin 25 when installed, else java)
#   JKERAS_KERNELS     kernel paths in the rotation (default: "vector scalar" batch-1, "vector" W2/W4)
#   JKERAS_SETTINGS    JDKs and instruction sets in the rotation, e.g. "default jdk25-avx2 jdk25-avx1 jdk17 jdk17-avx2"
#                      (tools/perf_own.sh); the report gets one table per setting
#   JMH=0              skip the JMH suite;  JMH_SUITES="latency gc w2 w4 load loadcold" picks parts of it
#   PEERS_ONLY=1       same as JMH=0;  REPORT=0 skips writing docs/performance.md;  PERF_DOC=FILE writes elsewhere
#   PERF_NOTE="..."    a line put under the report's title (e.g. why the run is not the reference one)
#   SKIP_PEERS=1       only the JMH part (e.g. to add it to an existing PEERS_RUN)
#   JMH_LOCK_WAIT=600  seconds to wait while another JMH run holds /tmp/jmh.lock; JMH_IGNORE_LOCK=1 runs beside it
# Takes many minutes of both cores (full mode: ~5 min per batch-1 workload, ~4 min per W2/W4 round, plus JMH);
# nothing else should run meanwhile. Logs and JMH results: $PEERS_OUT/jkeras/<run>/.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
KIT=${PEERS_KIT_DIR:-$ROOT/../shared/bench}
[ -f "$KIT/peers.sh" ] || { echo "perf.sh: no peer kit at $KIT (set PEERS_KIT_DIR)" >&2; exit 2; }
KIT=$(cd "$KIT" && pwd)
WORKLOADS=${*:-W1 W2 W3s W3g W4}
for W in $WORKLOADS; do
  case $W in W1|W2|W3s|W3g|W4) ;; *) echo "perf.sh: unknown workload '$W' (W1 W2 W3s W3g W4)" >&2; exit 2 ;; esac
done
case ${QUICK:-0} in 0|"") QUICK=0 ;; *) QUICK=1 ;; esac
export QUICK
export PEERS_RUN=${PEERS_RUN:-perf-$(date +%Y%m%d-%H%M%S)}
export PEERS_OUT=${PEERS_OUT:-/tmp/jkeras-peers}
export PEERS_VENV=${PEERS_VENV:-/tmp/jkeras-peers-venv}
export PEERS_PY=${PEERS_PY:-$PEERS_VENV/bin/python}
export PEERS_THREADS=${PEERS_THREADS:-2}
T25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
if [ -z "${JKERAS_JAVA:-}" ]; then
  if [ -x "$T25" ]; then JKERAS_JAVA=$T25; else JKERAS_JAVA=java; fi
fi
export JKERAS_JAVA
[ "${PEERS_ONLY:-0}" = 1 ] && JMH=0
[ -x "$PEERS_PY" ] || { echo "perf.sh: no Python at $PEERS_PY: run 'bash $KIT/setup.sh' first" >&2; exit 2; }
OUT=$PEERS_OUT/jkeras/$PEERS_RUN
mkdir -p "$OUT"
log() { echo "== $(date +%T) $*" | tee -a "$OUT/perf.log"; }

log "perf.sh run=$PEERS_RUN quick=$QUICK workloads=[$WORKLOADS] java=$JKERAS_JAVA out=$OUT"
# 1. build once, before anything is timed
# (-DskipTests, not -Dmaven.test.skip: the modules' test jars are dependencies of the ones above them; install,
# so that the JMH module outside the reactor finds this build's jars)
mvn -q -B -Dstyle.color=never -DskipTests install >>"$OUT/build.log" 2>&1 \
  || { echo "perf.sh: build failed, see $OUT/build.log" >&2; exit 3; }
if [ "${JMH:-1}" = 1 ]; then
  mvn -q -B -Dstyle.color=never -f src/bench/pom.xml package >>"$OUT/build.log" 2>&1 \
    || { echo "perf.sh: JMH module build failed, see $OUT/build.log" >&2; exit 3; }
fi
[ -f "$OUT/machine.json" ] || "$PEERS_PY" - "$OUT/machine.json" "$JKERAS_JAVA" "$QUICK" "$WORKLOADS" <<'EOF'
import json, os, subprocess, sys, time
out, java, quick, workloads = sys.argv[1:5]
def run(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return (p.stdout + p.stderr).strip()
    except Exception as e:  # noqa: BLE001
        return f"({cmd[0]}: {e})"
lscpu = {}
for line in run(["lscpu"]).splitlines():
    k, _, v = line.partition(":")
    lscpu[k.strip()] = v.strip()
javas = {}
for j in dict.fromkeys([java, "java"]):
    javas[j] = [l for l in run([j, "-version"]).splitlines() if l.strip()]
m = dict(started_utc=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), quick=quick == "1", workloads=workloads.split(),
         cpu_model=lscpu.get("Model name"), cpus=os.cpu_count(), lscpu_flags_avx512=("avx512f" in lscpu.get("Flags", "")),
         threads_per_core=lscpu.get("Thread(s) per core"), l2=lscpu.get("L2 cache"), kernel=run(["uname", "-sr"]),
         jkeras_java=java, javas=javas, commit=run(["git", "rev-parse", "--short", "HEAD"]),
         dirty=bool(run(["git", "status", "--porcelain", "--untracked-files=no"])))
json.dump(m, open(out, "w"), indent=1)
EOF

# 2. peers with jkeras in the rotation
OWN="bash $ROOT/tools/perf_own.sh"
[ "${SKIP_PEERS:-0}" = 1 ] || for W in $WORKLOADS; do
  R=${ROUNDS:-}
  if [ -z "$R" ]; then
    if [ $QUICK = 1 ]; then R=0; else case $W in W2|W4) R=0 ;; *) R="0 1 2" ;; esac; fi
  fi
  case $W in
    W2|W4) calls=(); for r in $R; do calls+=("$r"); done ;;   # one round per call (each under 10 minutes)
    *) calls=("$R") ;;
  esac
  for rr in "${calls[@]}"; do
    log "peers.sh $W rounds [$rr]"
    # shellcheck disable=SC2086
    OWN_NAME=jkeras OWN_CMD="$OWN" bash "$KIT/peers.sh" "$W" $rr 2>&1 | tee -a "$OUT/peers.log"
  done
done

# 3. JMH suite (not in the rotation: steady-state figures, allocation, load time)
if [ "${JMH:-1}" = 1 ]; then
  SUITES=${JMH_SUITES:-latency gc w2 w4 load loadcold}
  JMH_OPTS=()
  [ $QUICK = 1 ] && JMH_OPTS=(-wi 1 -i 2 -w 1 -r 1)
  QUICK_JMH_OPTS=${JMH_OPTS[*]:-}
  case " $SUITES " in *" load "*|*" loadcold "*) "$ROOT/tools/bench_jkm.sh" "$KIT/artifacts" "$OUT/jkm" ;; esac   # LoadBenchmark's .jkm files, by another JVM
  JVM_APPEND="--add-modules=jdk.incubator.vector -Djkeras.threads=$PEERS_THREADS -Djkeras.bench.artifacts=$KIT/artifacts -Djkeras.bench.jkm=$OUT/jkm"
  LOCK_OPT=(); [ "${JMH_IGNORE_LOCK:-0}" = 1 ] && LOCK_OPT=(-Djmh.ignoreLock=true)
  jmh() { # name jmh-args...
    local name=$1 waited=0 rc; shift
    log "JMH $name: $*"
    while :; do
      : >"$OUT/jmh-$name.log"
      timeout 1800 "$JKERAS_JAVA" "${LOCK_OPT[@]}" -cp "src/bench/target/benchmarks.jar:src/cli/target/jkeras-cli.jar" org.openjdk.jmh.Main \
        "$@" ${QUICK_JMH_OPTS:+"${JMH_OPTS[@]}"} -jvmArgsAppend "$JVM_APPEND" -rf json -rff "$OUT/jmh-$name.json" >"$OUT/jmh-$name.log" 2>&1
      rc=$?
      # another JMH run holds /tmp/jmh.lock: wait for it (JMH_LOCK_WAIT seconds at most) rather than measure beside it
      if [ $rc != 0 ] && grep -q 'Unable to acquire the JMH lock' "$OUT/jmh-$name.log" && [ $waited -lt "${JMH_LOCK_WAIT:-600}" ]; then
        sleep 20; waited=$((waited + 20)); continue
      fi
      break
    done
    cat "$OUT/jmh-$name.log" >>"$OUT/jmh.log"
    [ $rc = 0 ] || { rm -f "$OUT/jmh-$name.json"; echo "perf.sh: JMH $name failed (see $OUT/jmh-$name.log)" | tee -a "$OUT/perf.log"; }
  }
  has() { [[ " $WORKLOADS " == *" $1 "* ]]; }
  batch1=()
  for W in W1 W3s W3g; do has $W && batch1+=("$(echo $W | tr 'A-Z' 'a-z')"); done
  for s in $SUITES; do
    case $s in
      latency) [ ${#batch1[@]} -gt 0 ] && jmh latency 'InferenceBenchmark' -p "workload=$(IFS=,; echo "${batch1[*]}")" -p kernel=best,scalar ;;
      gc)      has W1 && jmh gc 'InferenceBenchmark' -p workload=w1 -p kernel=best -prof gc ;;
      w2)      has W2 && jmh w2 'ThroughputBenchmark' -p kernel=best ;;
      w4)      has W4 && jmh w4 'TrainBenchmark' -p kernel=best ;;
      load)    jmh load 'LoadBenchmark' -p workload=w2 -p format=h5,jkm ;;
      # the first load in a fresh JVM (what a service pays at startup): one shot in each of 10 forks
      # (its own iteration counts: JMH refuses an option given twice, so the quick-mode ones are left out)
      loadcold) QUICK_JMH_OPTS= jmh loadcold 'LoadBenchmark' -p workload=w2 -p format=h5,jkm -bm ss -f 10 -wi 0 -i 1 ;;
      *) echo "perf.sh: unknown JMH suite '$s' (latency gc w2 w4 load loadcold)" >&2 ;;
    esac
  done
  # the JMH medians join the run's records (variant jmh-vector / jmh-scalar), beside the rotation's
  "$PEERS_PY" "$ROOT/tools/perf_report.py" --kit "$KIT" --run "$PEERS_RUN" --import-jmh "$OUT" | tee -a "$OUT/perf.log"
fi

# 4. the write-up
if [ "${REPORT:-1}" = 1 ]; then
  DOC=${PERF_DOC:-$ROOT/docs/performance.md}
  "$PEERS_PY" "$ROOT/tools/perf_report.py" --kit "$KIT" --run "$PEERS_RUN" --dir "$OUT" --out "$DOC" \
    && log "wrote $DOC (run $PEERS_RUN)"
fi
