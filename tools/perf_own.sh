#!/usr/bin/env bash
# jkeras as a peer of the shared benchmark kit: the OWN_CMD that tools/perf.sh gives to peers.sh.
#
#   OWN_CMD='bash tools/perf_own.sh' bash ../shared/bench/peers.sh W1
#
# Runs `./jkeras bench` on the workload peers.sh describes (PEERS_* variables: model, fixed input,
# Keras' expected output, batch, threads, budgets; W4: --train with PEERS_N_SAMPLES and PEERS_EPOCHS)
# once per kernel path in JKERAS_KERNELS (default "vector nosplit scalar" for W1/W3s/W3g, "vector" for W2/W4;
# vector = the defaults, which split each batch-1 step's tiles over two threads; nosplit = the vector path on
# one thread per step, -Djkeras.splitSteps=false; split = -Djkeras.splitSteps=true, the same as vector),
# and appends each JSON line to $PEERS_RESULTS with the kit's add_result.py as peer "jkeras", variant
# cli-vector / cli-scalar (cli-train-... for W4). A failed run appends a record with "error".
# JKERAS_EPOCHS overrides the timed W4 epochs (one warm-up epoch comes first; peers.sh stops OWN_CMD after
# OWN_TIMEOUT, 560 s by default).
# JKERAS_SETTINGS (default "default": the launcher's JDK, the CPU's own instruction set) repeats every kernel path
# under each listed setting, JDK[-avxN]: jdk17 or jdk25 (JKERAS_JAVA_17 / JKERAS_JAVA_25, else the first
# /usr/lib/jvm/*-17*/bin/java or *-25*), and -avx2 / -avx1 for -XX:UseAVX=2 (AVX2 and its 16 registers on an
# AVX-512 CPU) or =1 (128-bit vectors), x86 only. The variant then ends in @SETTING, e.g. cli-vector@jdk17-avx2;
# tools/perf_report.py makes one table per setting.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${PEERS_WORKLOAD:?run me from peers.sh (OWN_CMD)}" "${PEERS_KIT:?}" "${PEERS_PY:?}"
W=$PEERS_WORKLOAD
if [ -z "${JKERAS_KERNELS:-}" ]; then
  case $W in W2|W4) JKERAS_KERNELS="vector" ;; *) JKERAS_KERNELS="vector nosplit scalar" ;; esac
fi
SETTINGS=${JKERAS_SETTINGS:-default}

# the java of a setting's JDK part (jdk17, jdk25), or nothing when it has none here
java_of() {
  local v=$1 var="JKERAS_JAVA_$1" j
  j=${!var:-}
  if [ -z "$j" ]; then
    for j in /usr/lib/jvm/*-"$v"*/bin/java; do [ -x "$j" ] && break; done
  fi
  [ -x "$j" ] && echo "$j"
}

rc=0
for setting in $SETTINGS; do
sjava=${JKERAS_JAVA:-}; sopts=""; suffix=""
if [ "$setting" != default ]; then
  suffix="@$setting"
  jdk=${setting%%-*}; isa=""
  [ "$jdk" != "$setting" ] && isa=${setting#*-}
  case $jdk in
    jdk17|jdk25) sjava=$(java_of "${jdk#jdk}") || sjava="" ;;
    *) echo "perf_own.sh: unknown setting '$setting' (jdk17 or jdk25, optionally -avx2 or -avx1)" >&2; exit 2 ;;
  esac
  case $isa in
    "") ;;
    avx2|avx1) case $(uname -m) in x86_64|amd64) sopts="-XX:UseAVX=${isa#avx}" ;; *) sjava="" ;; esac ;;
    *) echo "perf_own.sh: unknown instruction set '$isa' in '$setting' (avx2, avx1)" >&2; exit 2 ;;
  esac
  if [ -z "$sjava" ]; then
    echo "perf_own.sh: setting $setting is not available on this machine (no such JDK, or not x86)" >&2
    continue
  fi
fi
for k in $JKERAS_KERNELS; do
  case $k in
    vector) kopt=best; jopts="" ;;
    split) kopt=best; jopts="-Djkeras.splitSteps=true" ;;
    nosplit) kopt=best; jopts="-Djkeras.splitSteps=false" ;;
    scalar) kopt=scalar; jopts="" ;;
    *) echo "perf_own.sh: unknown kernel '$k' (vector, nosplit, split, scalar)" >&2; exit 2 ;;
  esac
  if [ "${PEERS_MODE:-}" = train ] || [ "$W" = W4 ]; then
    variant=cli-train-$k$suffix
    cmd=("$ROOT/jkeras" bench "$PEERS_KERAS" --train --batch "$PEERS_BATCH" --samples "$PEERS_N_SAMPLES"
         --epochs "${JKERAS_EPOCHS:-${PEERS_EPOCHS:-5}}" --threads "$PEERS_THREADS" --kernel "$kopt" --json)
  else
    variant=cli-$k$suffix
    cmd=("$ROOT/jkeras" bench "$PEERS_H5" --batch "$PEERS_BATCH" --threads "$PEERS_THREADS" --kernel "$kopt"
         --warmup "${PEERS_WARM_S:-2}" --seconds "${PEERS_MEAS_S:-5}" --max-calls "${PEERS_MAX_N:-5000}"
         --input "$PEERS_INPUT_NPY" --expected "$PEERS_EXPECTED_NPY" --json)
  fi
  echo "+ ${cmd[*]}"
  out=$(JKERAS_JAVA="$sjava" JKERAS_JAVA_OPTS="${JKERAS_JAVA_OPTS:-} $sopts $jopts" "${cmd[@]}" \
        2>"${TMPDIR:-/tmp}/jkeras-own-$$.err")
  status=$?
  line=$(printf '%s\n' "$out" | grep '^ *{' | tail -n 1)
  if [ $status = 0 ] && [ -n "$line" ]; then
    echo "$line"
    printf '%s\n' "$line" | "$PEERS_PY" "$PEERS_KIT/add_result.py" --workload "$W" --peer jkeras --variant "$variant" --from-stdin \
      || rc=1
  else
    msg="jkeras bench exited with $status: $(grep -v '^WARNING: Using incubator' "${TMPDIR:-/tmp}/jkeras-own-$$.err" | tail -n 3 | tr '\n' ' ')"
    echo "$msg" >&2
    ERR="$msg" VARIANT="$variant" "$PEERS_PY" - "$PEERS_KIT" <<'EOF'
import os, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
import common
common.write_result(dict(workload=os.environ["PEERS_WORKLOAD"], peer="jkeras", variant=os.environ["VARIANT"],
                         round=int(os.environ.get("PEERS_ROUND", "0")), error=os.environ["ERR"][:500]))
EOF
    rc=1
  fi
  rm -f "${TMPDIR:-/tmp}/jkeras-own-$$.err"
done
done
exit $rc
