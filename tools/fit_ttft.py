#!/usr/bin/env python3
"""fit_ttft.py - fit the three TTFT-under-load coefficients of each backend.

The aggregated-serving TTFT model (src/engine/agg.c) is

    TTFT = overhead_ms + step_iters * decode_iteration + queue_share * queued_prefill
           + own_step (+ the attention-DP balancing wait, which has no fitted constant)

where decode_iteration, queued_prefill and own_step come from the engine. This tool runs
`aiconfigurator cli validate` three times with the coefficients forced through the
environment (all zero; then AIC_TTFT_QUEUE_SHARE=1; then AIC_TTFT_STEP_ITERS=1) to read the
terms for every aggregated row of a measured file, and grid-searches, per backend, the
triple that minimises the mean absolute percentage error of TTFT (rows with measured TTFT
<= 20 s). It prints the table to paste into ttft_model[] in src/engine/overhead.c.

Usage (from the repository root, after a release build):
    tools/fit_ttft.py [--bin build/release/aiconfigurator] \
        [--measured ../shared/calibration/e2e_measured.csv] [--perfdb ../shared/perfdb]
"""
import argparse
import csv
import os
import statistics
import subprocess
import tempfile

OVERHEADS = [0, 10, 20, 25, 30, 40, 50, 60, 75, 90, 100, 125, 150, 175, 200, 250, 300]
SHARES = [0, 0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.4]
STEPS = [0, 1, 2, 3, 4, 5, 6, 8, 10]


def run_validate(args, share, steps, out):
    env = dict(os.environ, AIC_TTFT_OVERHEAD_MS="0", AIC_TTFT_QUEUE_SHARE=str(share),
               AIC_TTFT_STEP_ITERS=str(steps))
    subprocess.run([args.bin, "cli", "validate", "--measured", args.measured,
                    "--systems-paths", args.perfdb, "--out", out],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    with open(out, newline="") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="build/release/aiconfigurator")
    ap.add_argument("--measured", default="../shared/calibration/e2e_measured.csv")
    ap.add_argument("--perfdb", default="../shared/perfdb")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = run_validate(args, 0, 0, os.path.join(tmp, "a.csv"))
        full = run_validate(args, 1, 0, os.path.join(tmp, "b.csv"))
        step = run_validate(args, 0, 1, os.path.join(tmp, "c.csv"))
    rows = {}
    with open(args.measured, newline="") as f:
        for m in csv.DictReader(f):
            p, q = base.get(m["id"]), full.get(m["id"])
            if m["mode"] != "agg" or not p or p["status"] != "ok" or q["status"] != "ok":
                continue
            ttft = float(m["silicon_ttft_ms"])
            if ttft > 20000:
                continue
            own = float(p["pred_ttft_ms"])
            queued = float(q["pred_ttft_ms"]) - own
            it = float(step[m["id"]]["pred_ttft_ms"]) - own
            rows.setdefault(m["backend"], []).append((ttft, own, queued, it))
    print("backend   rows  overhead_ms  step_iters  queue_share  TTFT MAPE")
    for backend in sorted(rows):
        best = None
        for o in OVERHEADS:
            for k in STEPS:
                for s in SHARES:
                    e = statistics.mean(abs((o + k * it + own + s * q) / t - 1)
                                        for t, own, q, it in rows[backend])
                    if best is None or e < best[0]:
                        best = (e, o, k, s)
        print("%-8s %5d %12.1f %11d %12.2f %9.1f%%" % (backend, len(rows[backend]), best[1],
                                                        best[2], best[3], 100 * best[0]))


if __name__ == "__main__":
    main()
