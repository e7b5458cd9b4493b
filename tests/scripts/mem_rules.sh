#!/usr/bin/env bash
# scripts/check_mem_rules.sh: passes on the tree as it is, and fails, naming
# the rule, on a copy of core/ and arch/ with one violation planted in a file
# outside core/mem/ at a time: a write through the table's write side, a
# writable page_info pointer, a cast of pgowner_get, a forged mem_lock token
# (a compound literal, an uninitialised variable), a VM's lock taken or
# released other than through the struct vm_locked token.
set -u
cd "$(dirname "$0")/../.."
check=scripts/check_mem_rules.sh
n=0
fails=0

result() { # ok?, description
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}

out=$(bash "$check" 2>&1)
rc=$?
[ "$rc" -ne 0 ] && echo "$out" | head -20
result "$rc" "the tree keeps page_info writes, mem_lock tokens and VM locks inside their rules"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

plant() { # description, rule text expected, file, C text appended to it
	local what=$1 rule=$2 file=$3 text=$4 out rc
	rm -rf "$tmp/tree"
	mkdir -p "$tmp/tree"
	cp -r core arch "$tmp/tree/"
	printf '%s\n' "$text" >>"$tmp/tree/$file"
	out=$(bash "$check" "$tmp/tree" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && grep -q "$file:.*$rule" <<<"$out"; then
		result 0 "fires on $what"
	else
		echo "$out" | head -5
		result 1 "fires on $what"
	fi
}

# what | rule text expected | file | C text appended to it
while IFS='|' read -r what rule file text; do
	plant "$what" "$rule" "$file" "$text"
done <<'EOF'
the write side included outside core/mem|page_info write side|core/vm/vm.c|#include "core/mm/pgowner_write.h"
a write through pgowner_get_mut in a service|page_info write side|core/smmu/iommu.c|static void bad(paddr_t pa) { pgowner_get_mut(pa)->dma_count = 0; }
a writable page_info pointer in the arch|writable struct page_info pointer|arch/aarch64/main.c|static struct page_info *bad_page;
a cast dropping const from pgowner_get|cast of pgowner_get|core/check/invariants.c|static void bad(paddr_t pa) { ((void *)(uintptr_t)pgowner_get(pa)); }
a token made as a compound literal|mem_locked made other than by mem_lock|core/memops/vm_mem.c|static void bad(paddr_t pa) { host_unmap_page((struct mem_locked){}, pa); }
a token in an uninitialised variable|mem_locked variable not from mem_lock|core/vm/boot.c|static void bad(paddr_t pa) { struct mem_locked forged; host_unmap_page(forged, pa); }
a token from something else than mem_lock()|mem_locked variable not from mem_lock|core/snapshot/record.c|static struct mem_locked bad_token(void);
a VM lock taken without the token|VM lock taken other than by vm_lock|core/boot/boot.c|static void bad(struct vm *vm) { spin_lock(&vm->lock); }
a VM lock released without the token|VM lock taken other than by vm_lock|core/check/invariants.c|static void bad(void) { spin_unlock(&vm_from_id(1)->lock); }
a VM slot's lock taken by index|VM lock taken other than by vm_lock|core/vm/vm.c|static void bad(u32 i) { spin_lock(&vms[i].lock); }
EOF

[ "$fails" -eq 0 ]
