#!/usr/bin/env bash
# exp_speed.sh - wall time of `cli exp` on every example under examples/exp/ (release build).
# Usage: bench/exp_speed.sh [PERFDB]   (default ../shared/perfdb; build with
#        cmake --preset release && cmake --build --preset release). Prints one line per file.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${AIC_BIN:-$here/build/release/aiconfigurator}
db=${1:-$here/../shared/perfdb}
[ -x "$bin" ] || { echo "exp_speed: build the release preset first ($bin missing)" >&2; exit 1; }
total=0
for f in "$here"/examples/exp/*.yaml; do
    t0=$(date +%s.%N)
    "$bin" cli exp --systems-paths "$db" --yaml_path "$f" >/dev/null 2>&1
    rc=$?
    t1=$(date +%s.%N)
    dt=$(echo "$t1 - $t0" | bc)
    total=$(echo "$total + $dt" | bc)
    printf '%-28s %6.2f s  (exit %d)\n' "$(basename "$f")" "$dt" "$rc"
done
printf '%-28s %6.2f s\n' total "$total"
