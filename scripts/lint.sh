#!/usr/bin/env bash
# make lint: formatting, cppcheck, clang-tidy and gcc -fanalyzer over kcore's C.
# Exits non-zero on the first tool that finds anything.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t srcs < <(git ls-files '*.c' '*.h' 2>/dev/null; git ls-files --others --exclude-standard '*.c' '*.h' 2>/dev/null)
mapfile -t csrcs < <(printf '%s\n' "${srcs[@]}" | grep '\.c$' | sort -u)
defs=(-DKCORE_DEBUG -D_DEFAULT_SOURCE)
cppdefs=(-D__CPPCHECK__)
incs=(-Iinclude -I.)

echo "lint: clang-format"
clang-format --dry-run -Werror "${srcs[@]}"

echo "lint: cppcheck"
cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	--std=c11 --inline-suppr --suppress=missingIncludeSystem --library=scripts/cppcheck-kcore.cfg \
	"${defs[@]}" "${cppdefs[@]}" "${incs[@]}" "${csrcs[@]}"

echo "lint: clang-tidy"
# One file per run: clang-tidy 14 reports false "uninitialized va_list" errors
# when it analyses several translation units in one process.
printf '%s\n' "${csrcs[@]}" | xargs -P 2 -I{} sh -c \
	'clang-tidy --quiet "$1" -- -std=c11 "$@" 2>/dev/null | grep -E "(warning|error):" && exit 1 || exit 0' \
	sh {} "${defs[@]}" "${incs[@]}" || { echo "lint: clang-tidy found problems"; exit 1; }

echo "lint: gcc -fanalyzer"
for f in "${csrcs[@]}"; do
	gcc -std=c11 -fanalyzer -Werror -Wall -Wextra -fsyntax-only "${defs[@]}" "${incs[@]}" "$f"
done
echo "lint: clean"
