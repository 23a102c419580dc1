#!/usr/bin/env bash
# run_cases.sh - runs the data-driven command-line cases under tests/cases/ (format in
# tests/cases/README.md). Usage: tests/run_cases.sh [NAME...]   (default: every case)
# Env: AIC_BIN (the executable; default build/dev/aiconfigurator), AIC_TEST_PERFDB (perf
# database folder; cases marked needs_perfdb are skipped when it is missing).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${AIC_BIN:-$here/../build/dev/aiconfigurator}
perfdb=${AIC_TEST_PERFDB:-}
if [ ! -x "$bin" ]; then
    echo "run_cases: no executable at '$bin'; build first or set AIC_BIN" >&2
    exit 1
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
[ -n "$perfdb" ] && [ -d "$perfdb" ] && perfdb=$(cd "$perfdb" && pwd) || perfdb=""

pass=0 fail=0 skip=0
failed=()
if [ $# -gt 0 ]; then
    dirs=(); for n in "$@"; do dirs+=("$here/cases/$n"); done
else
    dirs=("$here"/cases/*/)
fi

# Each line of $1 must occur (as a fixed string) in file $2.
check_contains() {
    local want=$1 got=$2 line
    [ -f "$want" ] || return 0
    while IFS= read -r line || [ -n "$line" ]; do
        [ -z "$line" ] && continue
        if ! grep -qF -- "$line" "$got"; then
            echo "    missing in $(basename "$got"): $line"
            return 1
        fi
    done <"$want"
}

for dir in "${dirs[@]}"; do
    dir=${dir%/}
    name=$(basename "$dir")
    [ -f "$dir/cmd" ] || continue
    if [ -f "$dir/needs_perfdb" ] && [ -z "$perfdb" ]; then
        echo "SKIP $name (no perf database; set AIC_TEST_PERFDB)"
        skip=$((skip + 1))
        continue
    fi
    work=$(mktemp -d)
    (
        cd "$work" || exit 99
        export AIC="$bin" CASE_DIR="$dir" PERFDB="$perfdb" NO_COLOR=1
        if [ -n "$perfdb" ]; then export AIC_SYSTEMS_PATHS="$perfdb"; else unset AIC_SYSTEMS_PATHS; fi
        timeout 300 bash "$dir/cmd"
    ) >"$work/.stdout" 2>"$work/.stderr"
    rc=$?
    want=0
    [ -f "$dir/expected_exit" ] && want=$(tr -d ' \n' <"$dir/expected_exit")
    ok=1
    msgs=""
    if [ "$rc" != "$want" ]; then
        ok=0
        msgs="    exit status $rc, expected $want"$'\n'
    fi
    m=$(check_contains "$dir/expected_stdout_contains" "$work/.stdout") || ok=0
    msgs+="$m"
    m=$(check_contains "$dir/expected_stderr_contains" "$work/.stderr") || ok=0
    msgs+="$m"
    if [ $ok = 1 ]; then
        echo "PASS $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name"
        printf '%s\n' "$msgs" | sed '/^$/d'
        echo "    --- stdout (head) ---"; head -n 15 "$work/.stdout" | sed 's/^/    /'
        echo "    --- stderr (head) ---"; head -n 15 "$work/.stderr" | sed 's/^/    /'
        fail=$((fail + 1))
        failed+=("$name")
    fi
    rm -rf "$work"
done
echo "cases: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
exit 0
