#!/usr/bin/env bash
# The two rules of core/mem (docs/design.md, "Page ownership") and the VM
# lock's, checked over the C of core/ and arch/ below ROOT (default: this
# repository):
#
#   page_info   nothing outside core/mem/ writes a page's ownership state.
#               The read side (pgowner_get) gives const pointers, so the
#               compiler refuses a write through one; this check refuses the
#               ways around that: including the write side
#               (core/mm/pgowner_write.h) or calling it (pgowner_get_mut,
#               pgowner_entry_at), a non-const struct page_info pointer, and
#               a cast of pgowner_get's result.
#   mem_locked  a mem_lock token comes only from mem_lock() (or, on the
#               reset path, mem_locked_sole_cpu()): no compound literal of
#               one, and every variable of the type is a parameter or is
#               declared with one of those two calls as its initialiser.
#   vm_locked   a VM's lock is taken and released only by vm_lock() and
#               vm_unlock() (core/vm/vm.h), which hand out and spend the
#               struct vm_locked token: no spin_lock or spin_unlock of a
#               ->lock or .lock anywhere else (the VM's is the only lock
#               kcore keeps in a struct), so every function that takes the
#               token is called with the lock held.
#
# Tests are not checked: they corrupt the table and forge tokens on purpose.
# Prints each violation as file:line: rule: text, and exits 1 if any.
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

mapfile -t files < <(find core arch -name '*.[ch]' 2>/dev/null | sort)
status=0

report() { # rule, then grep -n output lines
	local rule=$1 line
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		local file=${line%%:*} rest=${line#*:}
		echo "$file:${rest%%:*}: $rule: ${rest#*:}"
		status=1
	done
}

# Where page_info may be written: core/mem/ and the table's own files.
page_exempt() {
	case "$1" in
	core/mem/* | core/mm/pgowner.c | core/mm/pgowner.h | core/mm/pgowner_write.h) return 0 ;;
	esac
	return 1
}

for f in "${files[@]}"; do
	if ! page_exempt "$f"; then
		report "page_info write side outside core/mem" < <(grep -nHE \
			'pgowner_write\.h|pgowner_get_mut|pgowner_entry_at|pgowner_fill' "$f" || true)
		report "writable struct page_info pointer outside core/mem" < <(grep -nHE \
			'struct[[:space:]]+page_info[[:space:]]*\*' "$f" |
			grep -vE 'const[[:space:]]+struct[[:space:]]+page_info' || true)
		report "cast of pgowner_get outside core/mem" < <(grep -nHE \
			'\)[[:space:]]*pgowner_get[[:space:]]*\(' "$f" || true)
	fi
	if [ "$f" != core/mm/mem_lock.h ]; then
		report "mem_locked made other than by mem_lock()" < <(grep -nHE \
			'\([[:space:]]*struct[[:space:]]+mem_locked[[:space:]]*\)' "$f" || true)
		# Every other mention: a parameter (name then , or )), or a
		# declaration initialised by mem_lock() / mem_locked_sole_cpu().
		report "mem_locked variable not from mem_lock()" < <(grep -nHE \
			'struct[[:space:]]+mem_locked[[:space:]]*[^[:space:]]' "$f" |
			grep -vE 'struct[[:space:]]+mem_locked[[:space:]]+[A-Za-z_][A-Za-z_0-9]*[[:space:]]*[,)]' |
			grep -vE 'struct[[:space:]]+mem_locked[[:space:]]+[A-Za-z_][A-Za-z_0-9]*[[:space:]]*=[[:space:]]*(mem_lock|mem_locked_sole_cpu)[[:space:]]*\([[:space:]]*\)[[:space:]]*;' |
			grep -vE 'struct[[:space:]]+mem_locked[[:space:]]*\*' || true)
	fi
	if [ "$f" != core/vm/vm.h ]; then
		report "VM lock taken other than by vm_lock()" < <(grep -nHE \
			'spin_(try)?(un)?lock[[:space:]]*\([^;]*(->|\.)[[:space:]]*lock[[:space:]]*\)' "$f" || true)
	fi
done

if [ "$status" -ne 0 ]; then
	echo "check_mem_rules: violations above (docs/design.md, Page ownership; core/vm/vm.h, vm_lock)"
fi
exit "$status"
