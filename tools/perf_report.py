"""docs/performance.md from one measuring run of tools/perf.sh (results.jsonl records and JMH JSON files).

  python tools/perf_report.py --kit ../shared/bench --run ID --dir $PEERS_OUT/jkeras/ID --out docs/performance.md
  python tools/perf_report.py --kit ../shared/bench --run ID --import-jmh $PEERS_OUT/jkeras/ID

--import-jmh appends the JMH medians of the run (W1/W3s/W3g/W2/W4) to results.jsonl as peer jkeras, variant
jmh-vector / jmh-scalar (once: records already there are not appended again). The report itself only reads: the
same records give the same file. Python 3.11 with the kit on the path (the kit's venv is fine; numpy not needed).
"""
import argparse
import glob
import io
import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from contextlib import redirect_stdout

sys.dont_write_bytecode = True

# Targets of the performance work, per workload: (kind, bound). Ratios are jkeras / best peer within one run.
LAT_TARGET = 0.7          # W1, W3s, W3g: latency <= 0.7 x the best peer
LOAD_NATIVE_MS = 20.0     # W2-sized model from .jkm
LOAD_H5_MS = 200.0        # ... from .h5
ALLOC_BYTES = 64.0        # W1 steady state: "about 0 B/op", i.e. nothing but JMH's own noise


def kit_modules(kit):
    sys.path.insert(0, kit)
    import common  # noqa: E402
    import summarize  # noqa: E402
    return common, summarize


# ------------------------------------------------------------------------------------------------ JMH
UNIT_S = {"s/op": 1.0, "ms/op": 1e-3, "us/op": 1e-6, "ns/op": 1e-9}


def jmh_entries(d):
    out = []
    for fn in sorted(glob.glob(os.path.join(d, "jmh-*.json"))):
        suite = os.path.basename(fn)[4:-5]
        try:
            entries = json.load(open(fn))
        except ValueError:
            continue
        for e in entries:
            out.append((suite, e))
    return out


def jmh_stats(e):
    """median, min, max, p90 (seconds) and n of one JMH entry."""
    pm = e["primaryMetric"]
    f = UNIT_S.get(pm["scoreUnit"], 1.0)
    if e["mode"] == "sample":
        p = pm["scorePercentiles"]
        n = sum(c for fork in pm.get("rawDataHistogram", []) for it in fork for _, c in it)
        return dict(median=p["50.0"] * f, min=p["0.0"] * f, max=p["100.0"] * f, p90=p["90.0"] * f, n=n)
    raw = sorted(v * f for fork in pm.get("rawData", []) for v in fork)
    if not raw:
        raw = [pm["score"] * f]
    p90 = raw[max(0, -(-9 * len(raw) // 10) - 1)]
    return dict(median=statistics.median(raw), min=raw[0], max=raw[-1], p90=p90, n=len(raw))


def jmh_workload(e):
    b = e["benchmark"].rsplit(".", 2)[-2]
    w = e["params"].get("workload", "")
    if b in ("InferenceBenchmark", "ThroughputBenchmark", "TrainBenchmark"):
        return {"w1": "W1", "w2": "W2", "w3s": "W3s", "w3g": "W3g", "w4": "W4"}.get(w)
    return None


def import_jmh(common, run, d):
    res = os.path.join(common.RES, "results.jsonl")
    have = set()
    if os.path.exists(res):
        for line in open(res):
            if line.strip():
                r = json.loads(line)
                if r.get("run") == run and str(r.get("variant", "")).startswith("jmh-"):
                    have.add((r["workload"], r["variant"]))
    for suite, e in jmh_entries(d):
        w = jmh_workload(e)
        if w is None or suite == "gc":  # the gc run repeats W1 with the profiler on: kept for B/op only
            continue
        variant = "jmh-" + ("scalar" if e["params"].get("kernel") == "scalar" else "vector")
        if (w, variant) in have:
            continue
        s = jmh_stats(e)
        rec = dict(workload=w, peer="jkeras", variant=variant, round=0, median_s=s["median"], min_s=s["min"],
                   max_s=s["max"], p90_s=s["p90"], n=s["n"], run=run, batch=common.WORKLOADS[w]["batch"],
                   flops_per_call=common.workload_flops(w), jmh_benchmark=e["benchmark"], jdk=e.get("jdkVersion"),
                   jvm_args=e.get("jvmArgs"))
        common.write_result(rec)
        have.add((w, variant))


# ------------------------------------------------------------------------------------------------ report
def fmt_t(s):
    if s is None:
        return "-"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.0f} µs"


def group_key(r):
    if r["peer"] == "dl4j":
        return ("dl4j", f"{r.get('dl4j_version', '?')}|{os.path.basename(r.get('h5', ''))}")
    return (r["peer"], r.get("variant", "?"))


def load_records(common, run):
    res = os.path.join(common.RES, "results.jsonl")
    recs = []
    if os.path.exists(res):
        for line in open(res):
            if line.strip():
                r = json.loads(line)
                if r.get("run") == run and r.get("round", 0) >= 0:
                    recs.append(r)
    return recs


def medians(recs, w):
    """(peer, variant) -> (median over rounds of the round medians, rounds, records) of workload w."""
    g = defaultdict(list)
    for r in recs:
        if r.get("workload") == w and "median_s" in r and "error" not in r:
            g[group_key(r)].append(r)
    return {k: (statistics.median(x["median_s"] for x in v), len(v), v) for k, v in g.items()}


def best_peer(meds, only=None):
    cands = [(m, k) for k, (m, _, _) in meds.items() if k[0] != "jkeras" and (only is None or k[0] == only)]
    return min(cands) if cands else None


def label(summarize, k):
    if k[0] == "dl4j":
        ver, h5 = k[1].split("|")
        return f"DL4J {ver} on `{h5}`"
    return summarize.LABEL.get(k, f"{k[0]} `{k[1]}`")


def settings_section(recs, p, summarize):
    """One table per (JDK, instruction set) setting of tools/perf_own.sh's JKERAS_SETTINGS (variants cli-vector@S)."""
    settings = sorted({r["variant"].split("@", 1)[1] for r in recs if r.get("peer") == "jkeras"
                       and "@" in str(r.get("variant", "")) and "error" not in r})
    if not settings:
        return
    p("## By JDK and instruction set\n")
    p("jkeras' vector path under each setting of `JKERAS_SETTINGS` (`tools/perf_own.sh`: `jdk17`/`jdk25`, `-avx2` ="
      " `-XX:UseAVX=2`, AVX2 and its 16 registers, `-avx1` = `-XX:UseAVX=1`, 128-bit vectors), against the peers of"
      " the same run (which run at the CPU's own instruction set) and against jkeras' own `cli-vector` entry (the"
      " launcher's JDK at the CPU's instruction set).\n")
    for st in settings:
        p(f"### `{st}`\n")
        p("| workload | jkeras | best peer | jkeras / best peer | jkeras / its own `cli-vector` |")
        p("|---|---|---|---|---|")
        for w in ("W1", "W3s", "W3g", "W2", "W4"):
            meds = medians(recs, w)
            kind = "cli-train-vector" if w == "W4" else "cli-vector"
            jk = meds.get(("jkeras", f"{kind}@{st}"))
            if not jk:
                continue
            base = meds.get(("jkeras", kind))
            bp = best_peer(meds, only="torch" if w == "W4" else None)
            pcell = f"{fmt_t(bp[0])} ({label(summarize, bp[1])})" if bp else "no peer"
            rcell = f"{jk[0] / bp[0]:.2f}x" if bp else "-"
            bcell = f"{jk[0] / base[0]:.2f}x" if base else "-"
            p(f"| {w} | {fmt_t(jk[0])} | {pcell} | {rcell} | {bcell} |")
        p("")


def report(common, summarize, run, d, kit):
    recs = load_records(common, run)
    machine = {}
    if os.path.exists(os.path.join(d, "machine.json")):
        machine = json.load(open(os.path.join(d, "machine.json")))
    pk = summarize.peak(common.RES)
    jmh = jmh_entries(d)
    o = []
    p = o.append
    quick = machine.get("quick", any(r.get("quick") for r in recs))
    p("# Performance\n")
    p(f"Generated by `tools/perf.sh` (writer: `tools/perf_report.py`) from the records of run `{run}`"
      f"{' in the kit quick mode (short budgets, fewer peers; rounds as counted in the tables)' if quick else ''}"
      f"{', started ' + machine['started_utc'] if machine.get('started_utc') else ''}"
      f"{', commit ' + machine['commit'] + (' with local changes' if machine.get('dirty') else '') if machine.get('commit') else ''}."
      " jkeras and the peers ran in the same run, in rotation (the peer kit's `peers.sh` with jkeras as its own"
      " command), so the ratios below compare like with like; absolute times on this shared machine move by 10-30 %"
      " between runs. Regenerate with `tools/perf.sh` (see its header).\n")
    p("## Machine and JVM\n")
    p(f"* CPU: {machine.get('cpu_model', '?')}, {machine.get('cpus', '?')} logical CPUs"
      f"{', AVX-512' if machine.get('lscpu_flags_avx512') else ''}{', L2 ' + machine['l2'] if machine.get('l2') else ''};"
      f" {machine.get('kernel', '')}")
    p(f"* Peak: {pk['theoretical_gflops']:.0f} GFLOP/s fp32 ({pk['cores']} cores x 32 FLOP/cycle x {pk['clock_ghz']:.2f} GHz,"
      f" {pk['source']})")
    for j, lines in machine.get("javas", {}).items():
        first = "; ".join(lines[:2])
        p(f"* `{j}`: {first}{' (jkeras and JMH ran on this one)' if j == machine.get('jkeras_java') else ''}")
    kernels = sorted({r.get("kernel") for r in recs if r.get("peer") == "jkeras" and r.get("kernel")})
    p(f"* jkeras kernel paths measured: {', '.join(f'`{k}`' for k in kernels) if kernels else '(none recorded)'}"
      " (variant `cli-vector` / `jmh-vector`: the Vector API kernel, `--add-modules jdk.incubator.vector`;"
      " `cli-split`: the Vector API kernel with each batch-1 step's tiles split over two threads,"
      " `-Djkeras.splitSteps=true`; `cli-scalar` / `jmh-scalar`: the portable fallback, `-Djkeras.scalar=true`)")
    threads = sorted({str(r.get("threads")) for r in recs if r.get("peer") == "jkeras"})
    p(f"* Threads: {', '.join(threads) if threads else '?'} per runtime (`PEERS_THREADS`; jkeras: `--threads`, i.e."
      " `-Djkeras.threads`)\n")

    p("## Targets\n")
    p("jkeras = the `cli-vector` rotation entry (`./jkeras bench`, median over rounds of each process's median);"
      " best peer = the fastest other runtime/variant of the same run.\n")
    p("| workload | metric | jkeras | best peer | jkeras / peer | target | met |")
    p("|---|---|---|---|---|---|---|")
    rows = [("W1", "cli-vector"), ("W1", "cli-split"), ("W3s", "cli-vector"), ("W3s", "cli-split"),
            ("W3g", "cli-vector"), ("W3g", "cli-split"), ("W2", "cli-vector"), ("W4", "cli-train-vector")]
    for w, variant in rows:
        meds = medians(recs, w)
        if not meds or (variant == "cli-split" and ("jkeras", variant) not in meds):
            continue
        jk = meds.get(("jkeras", variant))
        if w == "W4":
            bp = best_peer(meds, only="torch")
            metric, target = "s/epoch", "<= PyTorch's epoch (1.0x)"
            bound = 1.0
        elif w == "W2":
            bp = best_peer(meds)
            metric, target = "seq/s (batch 256)", "throughput >= best peer (time <= 1.0x)"
            bound = 1.0
        else:
            bp = best_peer(meds)
            metric, target = "latency/call", f"<= {LAT_TARGET}x best peer"
            bound = LAT_TARGET
        if w == "W2":
            fmt = lambda s: f"{common.WORKLOADS['W2']['batch'] / s:,.0f} seq/s ({fmt_t(s)})"  # noqa: E731
        else:
            fmt = fmt_t
        jcell = fmt(jk[0]) if jk else "not measured"
        pcell = f"{fmt(bp[0])} ({label(summarize, bp[1])})" if bp else "no peer"
        if jk and bp:
            ratio = jk[0] / bp[0]
            rcell, met = f"{ratio:.2f}x", ("met" if ratio <= bound else "not met")
        else:
            rcell, met = "-", "-"
        wname = w + (" (`-Djkeras.splitSteps=true`)" if variant == "cli-split" else "")
        p(f"| {wname} | {metric} | {jcell} | {pcell} | {rcell} | {target} | {met} |")
    load = {}
    alloc = None
    for suite, e in jmh:
        b = e["benchmark"].rsplit(".", 1)[-1]
        if e["benchmark"].split(".")[-2] == "LoadBenchmark":
            load[(e["params"].get("workload"), e["params"].get("format"), suite)] = jmh_stats(e)["median"]
        if suite == "gc" and e["params"].get("workload") == "w1":
            sm = e.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
            if sm:
                alloc = sm["score"]
    for suite, mode in (("load", "warm: steady state"), ("loadcold", "cold: first load in a fresh JVM")):
        for fmt, name, bound in (("jkm", "native `.jkm`", LOAD_NATIVE_MS), ("h5", "`.h5`", LOAD_H5_MS)):
            v = load.get(("w2", fmt, suite))
            cell = f"{v * 1e3:.2f} ms" if v is not None else "not measured"
            met = "-" if v is None else ("met" if v * 1e3 <= bound else "not met")
            p(f"| W2 model | load from {name}, {mode} (JMH) | {cell} | - | - | <= {bound:.0f} ms | {met} |")
        h5, jkm = load.get(("w2", "h5", suite)), load.get(("w2", "jkm", suite))
        if h5 and jkm:
            r = h5 / jkm
            p(f"| W2 model | `.h5` load time / `.jkm` load time, {mode} (JMH) | {r:.1f}x | - | - | >= 10x |"
              f" {'met' if r >= 10 else 'not met'} |")
    acell = f"{alloc:,.0f} B/op" if alloc is not None else "not measured"
    amet = "-" if alloc is None else ("met" if alloc <= ALLOC_BYTES else "not met")
    p(f"| W1 | steady-state allocation per call (JMH `-prof gc`, `gc.alloc.rate.norm`) | {acell} | - | - |"
      f" about 0 (< {ALLOC_BYTES:.0f} B/op) | {amet} |")
    p("")

    settings_section(recs, p, summarize)

    p("## Kernel paths\n")
    p("| workload | variant | median | p90 (median over rounds) / max | GFLOP/s | max abs diff vs Keras | rounds x calls |")
    p("|---|---|---|---|---|---|---|")
    for w in ("W1", "W3s", "W3g", "W2", "W4"):
        meds = medians(recs, w)
        for k in sorted(k for k in meds if k[0] == "jkeras"):
            m, nr, v = meds[k]
            p90s = [x["p90_s"] for x in v if x.get("p90_s") is not None]
            p90 = statistics.median(p90s) if p90s else None
            mx = max(x.get("max_s", m) for x in v)
            diffs = [x["max_abs_diff"] for x in v if x.get("max_abs_diff") is not None]
            gfl = common.workload_flops(w) / m / 1e9
            dcell = f"{max(diffs):.1e}" if diffs else ("n/a (training)" if w == "W4" else "-")
            p(f"| {w} | `{k[1]}` | {fmt_t(m)} | {fmt_t(p90) if p90 else '-'} / {fmt_t(mx)} | {gfl:.2f} | {dcell} |"
              f" {nr} x {v[0].get('n', '?')} |")
    p("")
    if jmh:
        p("## JMH (all entries of the run)\n")
        p("| suite | benchmark | params | mode | median | p90 | B/op | JDK |")
        p("|---|---|---|---|---|---|---|---|")
        for suite, e in jmh:
            s = jmh_stats(e)
            sm = e.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
            params = ", ".join(f"{k}={v}" for k, v in sorted(e.get("params", {}).items()))
            p(f"| {suite} | `{e['benchmark'].split('.', 3)[-1]}` | {params} | {e['mode']} | {fmt_t(s['median'])} |"
              f" {fmt_t(s['p90'])} | {format(sm['score'], ',.0f') if sm else '-'} | {e.get('jdkVersion', '?')} |")
        p("")
    fails = [r for r in recs if "error" in r]
    if fails:
        p("## Failures\n")
        for r in sorted(fails, key=lambda r: (r["workload"], r["peer"], str(r.get("variant")), r.get("round", 0))):
            p(f"* {r['workload']} {r['peer']} `{r.get('variant', '?')}` round {r.get('round')}: {str(r['error'])[:200]}")
        p("")
    p(f"## All records of the run (`summarize.py --run {run}`)\n")
    buf = io.StringIO()
    argv = sys.argv
    try:
        sys.argv = ["summarize.py", "--run", run, "--results", os.path.join(common.RES, "results.jsonl")]
        with redirect_stdout(buf):
            summarize.main()
    finally:
        sys.argv = argv
    p(buf.getvalue().rstrip() + "\n")
    return "\n".join(o)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kit", required=True, help="the peer benchmark kit (../shared/bench)")
    ap.add_argument("--run", required=True)
    ap.add_argument("--dir", help="the run's folder ($PEERS_OUT/jkeras/RUN): machine.json, jmh-*.json")
    ap.add_argument("--out", help="markdown file to write (default: stdout)")
    ap.add_argument("--note", default=os.environ.get("PERF_NOTE"), help="a line put under the title (env PERF_NOTE)")
    ap.add_argument("--import-jmh", metavar="DIR", help="append the run's JMH medians to results.jsonl and stop")
    ap.add_argument("--analysis", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs",
                                                       "performance-analysis.md"),
                    help="hand-written markdown (what stands in the way of each target) put after the targets table;"
                         " default docs/performance-analysis.md, skipped when absent")
    a = ap.parse_args()
    common, summarize = kit_modules(os.path.abspath(a.kit))
    if a.import_jmh:
        import_jmh(common, a.run, a.import_jmh)
        return
    d = a.dir or os.path.join(common.OUT, "jkeras", a.run)
    text = report(common, summarize, a.run, d, a.kit)
    if a.note:
        head, _, rest = text.partition("\n\n")
        text = f"{head}\n\n**{a.note}**\n\n{rest}"
    if a.analysis and os.path.isfile(a.analysis):
        with open(a.analysis) as f:
            analysis = f.read().strip()
        head, sep, rest = text.partition("## Kernel paths\n")
        text = f"{head}{analysis}\n\n{sep}{rest}" if sep else f"{text}\n{analysis}\n"
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
