#!/usr/bin/env python3
"""holdout.py - do the fitted serving constants transfer to systems they were not fitted on?

The per-backend TTFT constants and host times in src/engine/overhead.c are fitted on the
measured file (`cli validate --fit-ttft --fit-step`). This benchmark splits the file by system
into Hopper (h100_sxm, h200_sxm) and Blackwell (b200_sxm, gb200) rows, fits the constants on
one half, and scores the other half twice: with the shipped constants (chosen on the whole
file, so in-sample there) and with the ones fitted on the first half alone. A constant that helps in-sample but not on the held-out
half is fitted noise; one that moves the held-out error the same way as in-sample describes
the engines, not the harnesses.

Usage (from the repository root, after a release build):
    bench/holdout.py [--bin build/release/aiconfigurator] [--perfdb ../shared/perfdb]
        [--measured ../shared/calibration/e2e_measured.csv]
Rows count as in `cli validate`: estimated, with measured TTFT <= 20 s.
"""
import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile

HALVES = {
    "hopper": ("h100_sxm", "h200_sxm"),
    "blackwell": ("b200_sxm", "gb200"),
}
BACKENDS = ("trtllm", "vllm", "sglang")


def write_rows(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)


def validate(args, measured, extra, out=None):
    cmd = [args.bin, "cli", "validate", "--measured", measured, "--systems-paths", args.perfdb]
    cmd += extra + (["--out", out] if out else [])
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("holdout: %s failed: %s" % (" ".join(cmd), res.stderr.strip()))
    return res.stdout


def fitted_flags(fit_output):
    """Per backend, the flags of both 'Apply a backend's line' blocks of a fit run."""
    flags = {b: [] for b in BACKENDS}
    for line in fit_output.splitlines():
        m = re.match(r"^\s+(trtllm|vllm|sglang)\s+(--\S.*)$", line)
        if m:
            flags[m.group(1)] += m.group(2).split()
    return flags


def score(pred_path, measured_rows):
    with open(pred_path, newline="") as f:
        pred = {r["id"]: r for r in csv.DictReader(f)}
    ttft = tpot = 0.0
    n = 0
    for m in measured_rows:
        p = pred.get(m["id"])
        mt = float(m["silicon_ttft_ms"])
        if not p or p["status"] != "ok" or mt > 20000:
            continue
        mp = float(m["silicon_tpot_ms"])
        ttft += abs(float(p["pred_ttft_ms"]) - mt) / mt
        tpot += abs(float(p["pred_tpot_ms"]) - mp) / mp
        n += 1
    return n, ttft, tpot


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="build/release/aiconfigurator")
    ap.add_argument("--perfdb", default="../shared/perfdb")
    ap.add_argument("--measured", default="../shared/calibration/e2e_measured.csv")
    args = ap.parse_args()
    with open(args.measured, newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)

    print("%-22s %-7s %5s %22s %22s" % ("fitted on -> scored on", "backend", "rows",
                                         "TTFT shipped/fitted", "TPOT shipped/fitted"))
    with tempfile.TemporaryDirectory() as tmp:
        for train, test in (("hopper", "blackwell"), ("blackwell", "hopper")):
            train_csv = os.path.join(tmp, train + ".csv")
            write_rows(train_csv, header, [r for r in rows if r["system"] in HALVES[train]])
            flags = fitted_flags(validate(args, train_csv, ["--fit-ttft", "--fit-step"]))
            tot = [0, 0.0, 0.0, 0.0, 0.0]
            for b in BACKENDS:
                part = [r for r in rows if r["system"] in HALVES[test] and r["backend"] == b]
                if not part:
                    continue
                test_csv = os.path.join(tmp, "%s_%s.csv" % (test, b))
                write_rows(test_csv, header, part)
                shipped, fitted = os.path.join(tmp, "s.csv"), os.path.join(tmp, "f.csv")
                validate(args, test_csv, [], shipped)
                validate(args, test_csv, flags[b], fitted)
                n, t0, p0 = score(shipped, part)
                _, t1, p1 = score(fitted, part)
                if n:
                    print("%-22s %-7s %5d %10.1f / %5.1f %%  %10.1f / %5.1f %%" %
                          (train + " -> " + test, b, n, 100 * t0 / n, 100 * t1 / n,
                           100 * p0 / n, 100 * p1 / n))
                for i, v in enumerate((n, t0, t1, p0, p1)):
                    tot[i] += v
            if tot[0]:
                n = tot[0]
                print("%-22s %-7s %5d %10.1f / %5.1f %%  %10.1f / %5.1f %%" %
                      (train + " -> " + test, "all", n, 100 * tot[1] / n, 100 * tot[2] / n,
                       100 * tot[3] / n, 100 * tot[4] / n))
            print("  fitted on %s: %s" % (train, "; ".join(
                "%s %s" % (b, " ".join(flags[b])) for b in BACKENDS if flags[b])))


if __name__ == "__main__":
    main()
