#!/usr/bin/env python3
"""Runs every case of fixtures/bad/cli/*.json through the real launcher (./jkeras, a fresh JVM each)
and reports, per case, the exit code, the wall time, the peak resident memory (GNU time's %M) and
whether every file of the case's directory is as it was. The in-process test
(BadCliCasesTest) checks the behaviour on every build; this measures what issue 12's acceptance
asks of each case: exit 2 with one line, within 20 s, under 600 MB resident, files untouched.

    tools/bad_cli_cases.py [NAME_FRAGMENT ...]      # python3 only; JKERAS_JAVA picks the JVM

Exit status 1 when a case misses its expected exit code, takes 20 s or more, or peaks at 600 MB
or more.
"""
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMIT_S, LIMIT_MB = 20.0, 600.0


def setup(case, tmp):
    for step in case.get("setup", []):
        to = os.path.join(tmp, step["to"]) if "to" in step else None
        if "copy" in step:
            src = os.path.join(ROOT, step["copy"])
            if os.path.isdir(src):
                shutil.copytree(src, to, dirs_exist_ok=True)
            else:
                os.makedirs(os.path.dirname(to), exist_ok=True)
                shutil.copyfile(src, to)
        elif "write" in step:
            os.makedirs(os.path.dirname(to), exist_ok=True)
            with open(to, "w", encoding="utf-8") as f:
                f.write(step["write"])
        elif "mkdir" in step:
            os.makedirs(os.path.join(tmp, step["mkdir"]), exist_ok=True)
        elif "mkfifo" in step:
            os.mkfifo(os.path.join(tmp, step["mkfifo"]))
        elif "symlink" in step:
            os.symlink(step["symlink"], to)
        else:
            raise SystemExit("unknown setup step %r in %s" % (step, case["name"]))


def snapshot(tmp):
    """Every entry under tmp: path -> ('link', target) | ('dir',) | ('file', sha256) | ('other',)."""
    out = {}
    for d, dirs, files in os.walk(tmp):
        for n in dirs + files:
            p = os.path.join(d, n)
            rel = os.path.relpath(p, tmp)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            elif os.path.isdir(p):
                out[rel] = ("dir",)
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    out[rel] = ("file", hashlib.sha256(f.read()).hexdigest())
            else:
                out[rel] = ("other",)
    return out


def main(argv):
    cases = []
    for path in sorted(glob.glob(os.path.join(ROOT, "fixtures/bad/cli/*.json"))):
        for c in json.load(open(path, encoding="utf-8")):
            if not argv or any(a in c["name"] for a in argv):
                cases.append((os.path.basename(path), c))
    # build the launcher's jar once, outside the measured runs
    subprocess.run([os.path.join(ROOT, "jkeras"), "--version"], stdout=subprocess.DEVNULL, check=True)
    bad = 0
    print("%-48s %4s %4s %7s %8s  %s" % ("case", "want", "exit", "seconds", "max RSS", "files"))
    for src, c in cases:
        tmp = tempfile.mkdtemp(prefix="jkeras-bad-cli-")
        try:
            setup(c, tmp)
            before = snapshot(tmp)
            args = [a.replace("{tmp}", tmp).replace("{fixtures}", os.path.join(ROOT, "fixtures")) for a in c["args"]]
            if any("\0" in a for a in args):
                print("%-48s  skipped: an argument holds NUL, which no process can be given (in-process only)" % c["name"][:48])
                continue
            fd, rss = tempfile.mkstemp(prefix="jkeras-rss-")
            os.close(fd)
            t0 = time.monotonic()
            p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss, os.path.join(ROOT, "jkeras")] + args,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=120)
            secs = time.monotonic() - t0
            with open(rss) as f:
                mb = int(f.read().split()[-1]) / 1024.0
            os.unlink(rss)
            after = snapshot(tmp)
            created = set(c.get("created", []))
            changed = sorted(k for k in set(before) | set(after)
                             if before.get(k) != after.get(k) and k not in created)
            ok = p.returncode == c["exit"] and secs < LIMIT_S and mb < LIMIT_MB and not changed
            bad += not ok
            print("%-48s %4d %4d %7.2f %6.0f MB  %s%s" % (c["name"][:48], c["exit"], p.returncode, secs, mb,
                                                        "changed: " + ", ".join(changed) if changed else "as before",
                                                        "" if ok else "   <-- FAILS"))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d case(s), %d outside the acceptance" % (len(cases), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
