#!/usr/bin/env python3
"""accuracy_floor.py - how much of the prediction error a per-group constant could remove.

For each grouping of the measured rows (by system/backend/mode/model, down to one source
file's ISL/OSL sweep), every group gets the single scale factor that best fits it (the
median of its predicted/measured ratios) and the mean absolute percentage error is measured
again. A grouping whose "after" error is still above a target says the target cannot be met
by any constant per group of that size: what remains is spread inside the groups. A large
gain from fine groupings but not from coarse ones says the error follows the harness (source
file, sweep), not the model.

Usage (from the repository root, after a release build):
    bench/accuracy.sh --out pred.csv >/dev/null
    bench/accuracy_floor.py pred.csv [--measured ../shared/calibration/e2e_measured.csv]
Rows count as in `cli validate`: estimated, with measured TTFT <= 20 s.
"""
import argparse
import collections
import csv
import re
import statistics

GROUPINGS = [
    ("system, backend", ("system", "backend")),
    ("system, backend, mode, model", ("system", "backend", "mode", "model_path")),
    ("... + ISL, OSL", ("system", "backend", "mode", "model_path", "isl", "osl")),
    ("... + source file", ("system", "backend", "mode", "model_path", "isl", "osl", "source")),
]


def source_file(row):
    m = re.search(r"source_file=([^;]+)", row["silicon_data_source"])
    return m.group(1) if m else ""


def ratios(pred_path, measured_path):
    with open(pred_path, newline="") as f:
        pred = {r["id"]: r for r in csv.DictReader(f)}
    out = []
    with open(measured_path, newline="") as f:
        for m in csv.DictReader(f):
            p = pred.get(m["id"])
            if not p or p["status"] != "ok" or float(m["silicon_ttft_ms"]) > 20000:
                continue
            m = dict(m, source=source_file(m))
            out.append((m, float(p["pred_ttft_ms"]) / float(m["silicon_ttft_ms"]),
                        float(p["pred_tpot_ms"]) / float(m["silicon_tpot_ms"])))
    return out


def floor(rows, keys, which):
    groups = collections.defaultdict(list)
    for m, ttft, tpot in rows:
        groups[tuple(m[k] for k in keys)].append(ttft if which == "ttft" else tpot)
    before = after = 0.0
    for v in groups.values():
        med = statistics.median(v)
        before += sum(abs(x - 1) for x in v)
        after += sum(abs(x / med - 1) for x in v)
    return len(groups), 100 * before / len(rows), 100 * after / len(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pred")
    ap.add_argument("--measured", default="../shared/calibration/e2e_measured.csv")
    args = ap.parse_args()
    rows = ratios(args.pred, args.measured)
    print("%d rows; mean absolute %% error now, and with one best scale factor per group" %
          len(rows))
    print("%-34s %7s %16s %16s" % ("grouping", "groups", "TTFT now/after", "TPOT now/after"))
    for name, keys in GROUPINGS:
        n, t0, t1 = floor(rows, keys, "ttft")
        _, p0, p1 = floor(rows, keys, "tpot")
        print("%-34s %7d %7.1f / %5.1f %7.1f / %5.1f" % (name, n, t0, t1, p0, p1))


if __name__ == "__main__":
    main()
