#!/usr/bin/env python3
"""python_speed.py - what one estimate costs through the Python module.

Times aiconfigurator.estimate() on one aggregated deployment (Qwen/Qwen3-32B, tp2, batch 16,
ISL 4000 / OSL 500) against a perf database: the first call (context created, tables
loaded), the median of later calls sharing that context, and the median of calls with
cache=False (a fresh context each time, as every call was before contexts were kept).

Usage (from the repository root, after a release build):
    PYTHONPATH=python bench/python_speed.py [PERFDB] [--system h200_sxm] [--backend trtllm]
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import aiconfigurator as aic  # noqa: E402


def timed(fn):
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("perfdb", nargs="?", default="../shared/perfdb")
    ap.add_argument("--system", default="h200_sxm")
    ap.add_argument("--backend", default="trtllm")
    ap.add_argument("--calls", type=int, default=50)
    args = ap.parse_args()
    kw = dict(model_path="Qwen/Qwen3-32B", system=args.system, backend=args.backend,
              tp_size=2, batch_size=16, isl=4000, osl=500, systems_paths=args.perfdb)
    aic.clear_cache()
    first = timed(lambda: aic.estimate(**kw))
    cached = [timed(lambda: aic.estimate(**kw)) for _ in range(args.calls)]
    fresh = [timed(lambda: aic.estimate(cache=False, **kw)) for _ in range(max(args.calls // 5, 3))]
    print("library %s, %s/%s, perf database %s" % (aic.version(), args.system, args.backend,
                                                   args.perfdb))
    print("first call (loads the tables):   %8.2f ms" % first)
    print("later calls, shared context:     %8.2f ms median of %d" % (statistics.median(cached),
                                                                       len(cached)))
    print("calls with cache=False:          %8.2f ms median of %d" % (statistics.median(fresh),
                                                                       len(fresh)))


if __name__ == "__main__":
    main()
