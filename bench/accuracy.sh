#!/usr/bin/env bash
# accuracy.sh - prediction error against measured deployments: runs
#   aiconfigurator cli validate --measured <measured.csv> --systems-paths <perfdb>
# and prints its error table plus the wall time. Builds nothing.
#
# Usage: bench/accuracy.sh [extra validate flags, e.g. --by-model --out pred.csv]
# Env (paths relative to the repository root unless absolute):
#   AIC_BIN       executable          (default: build/release/aiconfigurator, else build/dev/...)
#   AIC_MEASURED  measured results    (default: ../shared/calibration/e2e_measured.csv)
#   AIC_PERFDB    perf database       (default: ../shared/perfdb)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bin=${AIC_BIN:-}
if [ -z "$bin" ]; then
    for b in build/release/aiconfigurator build/dev/aiconfigurator build/ci/aiconfigurator; do
        [ -x "$b" ] && { bin=$b; break; }
    done
fi
measured=${AIC_MEASURED:-../shared/calibration/e2e_measured.csv}
perfdb=${AIC_PERFDB:-../shared/perfdb}
[ -n "$bin" ] && [ -x "$bin" ] || { echo "accuracy.sh: no executable; run 'cmake --workflow --preset release' or set AIC_BIN" >&2; exit 1; }
[ -f "$measured" ] || { echo "accuracy.sh: no measured file at '$measured'; set AIC_MEASURED" >&2; exit 1; }
[ -d "$perfdb" ] || { echo "accuracy.sh: no perf database at '$perfdb'; set AIC_PERFDB" >&2; exit 1; }

echo "binary: $bin ($("$bin" version))"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$(date +%s.%N)
"$bin" cli validate --measured "$measured" --systems-paths "$perfdb" "$@" | tee "$out"
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "accuracy.sh wall time (process): %.2f s\n", b - a }'

# The engine issue's targets, from validate's "rows estimated" and "overall" lines (columns:
# group, estimated, TTFT MdAPE, TTFT MAPE, TPOT MdAPE, TPOT MAPE).
awk -v wall="$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" '
    / rows estimated \(/ { share = $0; sub(/.*\(/, "", share); sub(/%.*/, "", share) }
    $1 == "overall" { ttft = $4 + 0; tpot = $6 + 0 }
    function verdict(ok) { return ok ? "met" : "NOT met" }
    END {
        if (ttft == "" || share == "") exit
        print "targets (of the engine issue, for the default database mode):"
        printf "  TTFT mean abs. %% error <= 30 %%: %.1f %% (%s)\n", ttft, verdict(ttft <= 30)
        printf "  TPOT mean abs. %% error <= 15 %%: %.1f %% (%s)\n", tpot, verdict(tpot <= 15)
        printf "  rows estimated >= 85 %%: %.1f %% (%s)\n", share, verdict(share >= 85)
        printf "  validate wall time <= 10 s: %.2f s (%s)\n", wall, verdict(wall <= 10)
    }' "$out"
