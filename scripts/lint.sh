#!/usr/bin/env bash
# make lint: formatting, cppcheck, clang-tidy and gcc -fanalyzer over kcore's C.
# Exits non-zero on the first tool that finds anything.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t srcs < <(git ls-files '*.c' '*.h' 2>/dev/null; git ls-files --others --exclude-standard '*.c' '*.h' 2>/dev/null)
mapfile -t csrcs < <(printf '%s\n' "${srcs[@]}" | grep '\.c$' | sort -u)
defs=(-DKCORE_DEBUG -D_DEFAULT_SOURCE)
incs=(-Iinclude -I.)

echo "lint: clang-format"
clang-format --dry-run -Werror "${srcs[@]}"

echo "lint: cppcheck"
cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	--std=c11 --inline-suppr --suppress=missingIncludeSystem \
	"${defs[@]}" "${incs[@]}" "${csrcs[@]}"

echo "lint: clang-tidy"
clang-tidy --quiet "${csrcs[@]}" -- -std=c11 "${defs[@]}" "${incs[@]}" 2>/dev/null

echo "lint: gcc -fanalyzer"
for f in "${csrcs[@]}"; do
	gcc -std=c11 -fanalyzer -Werror -Wall -Wextra -fsyntax-only "${defs[@]}" "${incs[@]}" "$f"
done
echo "lint: clean"
