#!/usr/bin/env python3
"""error_budget.py - where the prediction error of `cli validate` comes from.

Three views of one predictions file (from `bench/accuracy.sh --out pred.csv`):

1. Groups by share: the (system, backend, mode, model) groups that carry the most of the
   summed absolute percentage error, with their geometric-mean bias (predicted / measured).
   A group with a bias far from 1 has a systematic miss; one near 1 with a large share has
   spread that no constant removes.
2. Same configuration, different results: rows identical in every column that describes the
   deployment (system, backend, model, precision, mode, lengths, batch, layout, workers) but
   measured at different times or images. Their spread is the part of the error no
   prediction from those columns can remove; the "floor" is the error of the best single
   prediction per group, over all rows.
3. Faster than speed of light (with --sol SOL.csv from `accuracy.sh --database-mode SOL
   --out SOL.csv`): rows whose measured TPOT is below the SOL estimate of the same
   deployment: its decode steps, and the other requests' prefills our scheduler model
   interleaves with them, all at the GPUs' peak FLOPS and bandwidth. Such a row ran
   something the columns do not record (speculative decoding, a shorter output than stated),
   scheduled its prefills outside the decode phase (requests arriving in synchronized waves),
   or is mislabelled.

Usage (from the repository root, after a release build):
    bench/accuracy.sh --out pred.csv >/dev/null
    bench/accuracy.sh --database-mode SOL --out sol.csv >/dev/null
    bench/error_budget.py pred.csv [--sol sol.csv] [--top 12]
        [--measured ../shared/calibration/e2e_measured.csv]
Rows count as in `cli validate`: estimated, with measured TTFT <= 20 s.
"""
import argparse
import collections
import csv
import math

DEPLOYMENT = ("system", "backend", "model_path", "precision", "mode", "isl", "osl",
              "gemm_quant_mode", "moe_quant_mode", "batch_size", "tp_size", "pp_size",
              "attention_dp_size", "moe_tp_size", "moe_ep_size", "prefill_batch_size",
              "prefill_num_workers", "prefill_tp_size", "prefill_attention_dp_size",
              "prefill_moe_ep_size", "decode_batch_size", "decode_num_workers", "decode_tp_size",
              "decode_attention_dp_size", "decode_moe_ep_size")
METRICS = ("ttft", "tpot")


def read_csv(path):
    with open(path, newline="") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


def scored_rows(pred, measured):
    out = []
    for m in measured.values():
        p = pred.get(m["id"])
        if not p or p["status"] != "ok" or float(m["silicon_ttft_ms"]) > 20000:
            continue
        r = {k: float(p["pred_%s_ms" % k]) / float(m["silicon_%s_ms" % k]) for k in METRICS}
        out.append((m, r))
    return out


def by_share(rows, top):
    total = {k: sum(abs(r[k] - 1) for _, r in rows) for k in METRICS}
    for k in METRICS:
        groups = collections.defaultdict(list)
        for m, r in rows:
            groups[(m["system"], m["backend"], m["mode"], m["model_path"])].append(r[k])
        ranked = sorted(groups.items(), key=lambda kv: -sum(abs(x - 1) for x in kv[1]))
        print("\n%s: %.1f %% mean error over %d rows; groups carrying the most of it" %
              (k.upper(), 100 * total[k] / len(rows), len(rows)))
        print("  %-58s %5s %7s %7s %6s" % ("system backend mode model", "rows", "share", "MAPE",
                                          "bias"))
        for key, v in ranked[:top]:
            err = sum(abs(x - 1) for x in v)
            bias = math.exp(sum(math.log(x) for x in v) / len(v))
            print("  %-58s %5d %6.1f%% %6.1f%% %6.2f" % (" ".join(key)[:58], len(v),
                                                       100 * err / total[k], 100 * err / len(v),
                                                       bias))


def same_config(rows, measured):
    groups = collections.defaultdict(list)
    for m, _ in rows:
        groups[tuple(m[c] for c in DEPLOYMENT if c in m)].append(m)
    multi = [v for v in groups.values() if len(v) > 1]
    n = sum(len(v) for v in multi)
    print("\nSame deployment columns, measured more than once: %d groups, %d rows" %
          (len(multi), n))
    for k in METRICS:
        floor = 0.0
        spread = []
        for v in multi:
            vals = [float(m["silicon_%s_ms" % k]) for m in v]
            floor += min(sum(abs(c / x - 1) for x in vals) for c in vals)
            spread.append((max(vals) / min(vals), v[0]))
        spread.sort(key=lambda s: -s[0])
        print("  %s: the best single prediction per group still leaves %.2f points of the "
              "overall mean error; widest spreads:" % (k.upper(), 100 * floor / len(rows)))
        for s, m in spread[:4]:
            print("    %.2fx  %s %s %s %s isl %s osl %s batch %s tp %s" %
                  (s, m["system"], m["backend"], m["model_path"], m["precision"], m["isl"],
                   m["osl"], m["batch_size"] or m["decode_batch_size"],
                   m["tp_size"] or m["decode_tp_size"]))


def below_sol(rows, sol):
    hits = collections.Counter()
    share = total = 0.0
    for m, r in rows:
        total += abs(r["tpot"] - 1)
        s = sol.get(m["id"])
        if not s or s["status"] != "ok":
            continue
        if float(m["silicon_tpot_ms"]) < float(s["pred_tpot_ms"]):
            hits[(m["system"], m["backend"], m["model_path"], m["backend_version"])] += 1
            share += abs(r["tpot"] - 1)
    print("\nMeasured TPOT below the speed-of-light estimate: %d rows, %.1f %% of the TPOT "
          "error" % (sum(hits.values()), 100 * share / total if total else 0))
    for key, n in hits.most_common(8):
        print("  %3d  %s" % (n, " ".join(x or "-" for x in key)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pred")
    ap.add_argument("--sol", help="predictions of `validate --database-mode SOL`")
    ap.add_argument("--measured", default="../shared/calibration/e2e_measured.csv")
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    measured = read_csv(args.measured)
    rows = scored_rows(read_csv(args.pred), measured)
    if not rows:
        raise SystemExit("error_budget.py: no estimated rows in %s" % args.pred)
    by_share(rows, args.top)
    same_config(rows, measured)
    if args.sol:
        below_sol(rows, read_csv(args.sol))


if __name__ == "__main__":
    main()
