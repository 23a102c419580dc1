#!/usr/bin/env python3
"""correction_cv.py - can the row's own columns still explain the prediction error?

Takes one predictions file (from `bench/accuracy.sh --out pred.csv`) and fits, for TTFT and
TPOT, a correction that uses only what a user states about a deployment: one scale factor per
cell of (backend, mode, concurrency band, ISL band, OSL band). Each cell's factor is the one
that minimises that cell's mean absolute percentage error (the metric of the engine issue);
cells with fewer than --min-rows rows keep the factor 1. The error is then measured three ways:

  in-sample     fitted and scored on all rows: what the cells could gain at best;
  harness CV    5 folds over harnesses (source file, system, backend, model), each fold scored
                with factors fitted on the other four: rows from a harness never seen;
  half to half  fitted on the Hopper rows and scored on the Blackwell ones, and the reverse.

A correction that only helps in-sample describes these rows, not the engines; shipping it
would be tuning to the file. The same is printed for one global factor, and for a log-linear
correction in the same columns (a factor exp(w . x) with x: backend x mode, log concurrency,
log ISL, log OSL, log GPUs of a worker, Blackwell), its weights fitted for mean absolute %
error by coordinate descent.

Usage (from the repository root, after a release build):
    bench/accuracy.sh --out pred.csv >/dev/null
    bench/correction_cv.py pred.csv [--measured ../shared/calibration/e2e_measured.csv]
Rows count as in `cli validate`: estimated, with measured TTFT <= 20 s.
"""
import argparse
import collections
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accuracy_floor import ratios  # noqa: E402

HOPPER = ("h100_sxm", "h200_sxm")


def band(value, edges):
    for i, e in enumerate(edges):
        if value <= e:
            return i
    return len(edges)


def concurrency(m):
    v = m["batch_size"] if m["mode"] == "agg" else m["decode_batch_size"]
    return float(v) if v else 1.0


def cell(m):
    return (m["backend"], m["mode"], band(concurrency(m), (4, 16, 64)),
            band(float(m["isl"]), (1100, 4100)), band(float(m["osl"]), (300, 1100)))


def harness(m):
    return (m["source"], m["system"], m["backend"], m["model_path"])


def best_scale(rs):
    """The s minimising sum |s*r - 1| over predicted/measured ratios r: the median of 1/r
    weighted by r."""
    pts = sorted((1.0 / r, r) for r in rs)
    half, acc = sum(w for _, w in pts) / 2, 0.0
    for x, w in pts:
        acc += w
        if acc >= half:
            return x
    return 1.0


class CellFactors:
    """One scale factor per cell of key(row); cells with fewer than min_rows rows keep 1."""

    def __init__(self, key, min_rows):
        self.key, self.min_rows = key, min_rows

    def fit(self, rows):
        cells = collections.defaultdict(list)
        for m, r in rows:
            cells[self.key(m)].append(r)
        return {k: best_scale(v) for k, v in cells.items() if len(v) >= self.min_rows}

    def error(self, rows, model):
        return sum(abs(model.get(self.key(m), 1.0) * r - 1) for m, r in rows) / len(rows)


def features(m):
    agg = m["mode"] == "agg"
    tp = float((m["tp_size"] if agg else m["decode_tp_size"]) or 1)
    dp = float((m["attention_dp_size"] if agg else m["decode_attention_dp_size"]) or 1)
    return {m["backend"] + "_" + m["mode"]: 1.0, "log_conc": math.log(concurrency(m)),
            "log_isl": math.log(float(m["isl"])), "log_osl": math.log(float(m["osl"])),
            "log_gpus": math.log(max(tp * dp, 1.0)),
            "blackwell": 0.0 if m["system"] in HOPPER else 1.0}


class LogLinear:
    """A factor exp(w . features(row)), w fitted for mean absolute % error by coordinate
    descent over a ladder of steps."""

    STEPS = (-0.2, -0.1, -0.05, -0.02, 0.02, 0.05, 0.1, 0.2)

    def fit(self, rows):
        names = sorted({k for m, _ in rows for k in features(m)})
        w = dict.fromkeys(names, 0.0)
        for _ in range(3):
            for k in names:
                best = (self.error(rows, w), w[k])
                for d in self.STEPS:
                    trial = dict(w, **{k: best[1] + d})
                    err = self.error(rows, trial)
                    if err < best[0]:
                        best = (err, trial[k])
                w[k] = best[1]
        return w

    def error(self, rows, model):
        return sum(abs(r * math.exp(sum(model.get(k, 0.0) * v for k, v in features(m).items()))
                       - 1) for m, r in rows) / len(rows)


def cv(rows, corr, folds=5):
    hs = sorted({harness(m) for m, _ in rows})
    random.Random(1).shuffle(hs)
    fold = {h: i % folds for i, h in enumerate(hs)}
    total = 0.0
    for k in range(folds):
        train = [x for x in rows if fold[harness(x[0])] != k]
        test = [x for x in rows if fold[harness(x[0])] == k]
        total += corr.error(test, corr.fit(train)) * len(test)
    return total / len(rows)


def halves(rows, corr):
    out = []
    for test_hopper in (False, True):
        train = [x for x in rows if (x[0]["system"] in HOPPER) != test_hopper]
        test = [x for x in rows if (x[0]["system"] in HOPPER) == test_hopper]
        out.append((corr.error(test, {}), corr.error(test, corr.fit(train))))
    return out


def report(name, rows, min_rows):
    print("%s (%d rows): mean absolute %% error" % (name, len(rows)))
    print("  %-22s %8s %10s %11s %19s %19s" % ("correction", "none", "in-sample", "harness CV",
                                               "H->B none/fitted", "B->H none/fitted"))
    for label, corr in (("one global factor", CellFactors(lambda m: 0, min_rows)),
                        ("per cell", CellFactors(cell, min_rows)), ("log-linear", LogLinear())):
        (hb0, hb1), (bh0, bh1) = halves(rows, corr)
        print("  %-22s %8.1f %10.1f %11.1f %10.1f / %6.1f %10.1f / %6.1f" %
              (label, 100 * corr.error(rows, {}), 100 * corr.error(rows, corr.fit(rows)),
               100 * cv(rows, corr), 100 * hb0, 100 * hb1, 100 * bh0, 100 * bh1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pred")
    ap.add_argument("--measured", default="../shared/calibration/e2e_measured.csv")
    ap.add_argument("--min-rows", type=int, default=15)
    args = ap.parse_args()
    rows = ratios(args.pred, args.measured)
    print("cells: backend x mode x concurrency (<=4, <=16, <=64, more) x ISL (<=1100, <=4100, "
          "more) x OSL (<=300, <=1100, more); min %d rows a cell" % args.min_rows)
    report("TTFT", [(m, t) for m, t, _ in rows], args.min_rows)
    report("TPOT", [(m, p) for m, _, p in rows], args.min_rows)


if __name__ == "__main__":
    main()
