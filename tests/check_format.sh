#!/usr/bin/env bash
# Fails when a tracked C source or header differs from what .clang-format asks for.
# Skipped (exit 77) when clang-format or git is not installed.
set -u
cd "$(dirname "$0")/.." || exit 1
command -v clang-format >/dev/null 2>&1 || exit 77
command -v git >/dev/null 2>&1 && git rev-parse --git-dir >/dev/null 2>&1 || exit 77
bad=0
while IFS= read -r f; do
	if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f (run: clang-format -i $f)"
		bad=1
	fi
done < <(git ls-files '*.c' '*.h')
exit $bad
