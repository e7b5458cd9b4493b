#!/usr/bin/env bash
# Where the instructions of each benchmark operation go (docs/bench/README.md,
# "Profile"): boots kcore + kserv with the benchmark guest as `make bench`
# does, but with QEMU's translation-block trace (-d exec,nochain,in_asm) sent
# through a pipe into an awk script that counts, for each timed loop of the
# guest, the instructions executed at every address (on both CPUs), and maps
# the addresses to functions of bench.elf, kcore.elf and kserv.elf. Stops when
# the ipi loop begins (its cost is kserv's idle time: see the README).
#
#   bench/profile.sh [BUILD] [TOP]      (make bench-profile; TOP functions per operation, default 12)
#
# BENCH_PROFILE_IPI=1 also traces the ipi warm-up (3 round trips, about 2.5 million
# instructions) and stops at the timed ipi loop.
#
# The counts are per repetition of the timed loop; they come from whole
# translation blocks (a block cut short by an exception or an I/O access is
# counted whole), so they run a few percent above the counter's figure,
# which is printed beside them. Slow: the trace of the boot alone is some
# 80 million instructions (a few minutes).
set -u

prog=bench-profile
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build}
ntop=${2:-12}
die() {
	echo "$prog: $*" >&2
	exit 1
}
case $build in /*) ;; *) build=$top/$build ;; esac
for f in "$build/kcore.elf" "$build/kserv/kserv.elf" "$build/bench/bench.elf" "$build/bench/bench.signed"; do
	[ -f "$f" ] || die "$f is missing: make bench-guest $build/kcore.img"
done
nm=${CROSS:-aarch64-linux-gnu-}nm
tmp=$(mktemp -d) || die "no temporary directory"
qpid=""
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# The symbol table of the three programs: "address name" for every function, sorted.
for elf in kcore.elf kserv/kserv.elf bench/bench.elf; do
	tag=$(basename "$elf" .elf)
	"$nm" -n "$build/$elf" | awk -v tag="$tag" '$2 ~ /^[tTW]$/ { print $1, tag ":" $3 }'
done | sort >"$tmp/syms"
[ -s "$tmp/syms" ] || die "no symbols from $nm"
# The guest's timed loops (bench/bench.c): address ranges that name the phases.
"$nm" -n -S "$build/bench/bench.elf" | awk '$4 ~ /_loop/ { n = $4; sub(/\..*/, "", n); print $1, $2, n }' \
	>"$tmp/loops"
grep -q call_loop "$tmp/loops" || die "bench.elf has no call_loop: built without noinline loops?"
# Guest code that runs on either vCPU at any time (vectors, vCPU 1's interrupt handler and
# loop): it does not end a phase.
"$nm" -n -S "$build/bench/bench.elf" |
	awk 'function hex(s,   i, v) { v = 0; for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return v }
	     { a = $1; n = $NF }
	     prev != "" { printf "%s %x\n", prev, hex(a) - hex(prev); prev = "" }
	     n ~ /^(el1_vectors|exception_common|el1_exception|ipi_handler|guest_secondary_main|el1_secondary_main|el1_secondary_entry|el1_park)$/ { prev = a }' \
	>"$tmp/neutral"

"$top/tools/kcore-run" --build "$build" --icount --cpus 2 --dry-run --payload "$tmp/payload" \
	--vm "image=$build/bench/bench.signed,name=bench,cpus=2,small-pages" >/dev/null 2>&1 ||
	die "kcore-run --dry-run failed"
mkfifo "$tmp/trace"
qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 1G -nographic \
	-nic none -kernel "$build/kcore.img" -initrd "$tmp/payload" -icount shift=0,sleep=off \
	-d exec,nochain,in_asm -D "$tmp/trace" </dev/null >"$tmp/console" 2>&1 &
qpid=$!
echo "$prog: tracing kcore + kserv + bench (console: the guest's BENCH lines below)..." >&2

# The trace: "IN: ..." then one line per instruction of a new block, a blank line; then
# "Trace CPU: HOSTPTR [CSBASE/PC/FLAGS/CFLAGS] ..." for every execution of a block.
awk -v loops="$tmp/loops" -v neutral="$tmp/neutral" -v ipi="${BENCH_PROFILE_IPI:-0}" '
function hex(s,   i, c, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
	return v }
BEGIN {
	while ((getline l < loops) > 0) { split(l, f, " "); nl++; lo[nl] = hex(f[1]); hi[nl] = lo[nl] + hex(f[2]); lname[nl] = f[3] }
	while ((getline l < neutral) > 0) { split(l, f, " "); nn++; nlo[nn] = hex(f[1]); nhi[nn] = nlo[nn] + hex(f[2]) }
	GUEST_LO = hex("80000000"); GUEST_HI = hex("80100000")
	phase = ""
}
/^IN:/ { inblk = 1; ninsn = 0; firstpc = ""; next }
inblk && /^0x[0-9a-f]+:/ { if (ninsn == 0) { firstpc = substr($1, 1, length($1) - 1) } ninsn++; next }
inblk && /^$/ { inblk = 0; pending = 1; next }
/^Trace / {
	cpu = $2; sub(/:/, "", cpu); ptr = $3
	split(substr($4, 2), b, "/"); pc = "0x" b[2]; sub(/^0x0+/, "0x", pc)
	if (pending) { pending = 0; if (hex(pc) == hex(firstpc)) size[ptr] = ninsn }
	n = (ptr in size) ? size[ptr] : 1
	v = hex(pc)
	neu = 0
	for (i = 1; i <= nn; i++) if (v >= nlo[i] && v < nhi[i]) { neu = 1; break }
	if (v >= GUEST_LO && v < GUEST_HI && !neu) {
		p = "guest"
		for (i = 1; i <= nl; i++) if (v >= lo[i] && v < hi[i]) { p = lname[i]; break }
		if (p != cur) {
			if (p == "ipi_loop" && (!ipi || occ[p] == 1)) { done = 1; exit }
			cur = p
			if (p != "guest") { occ[p]++; phase = p "#" occ[p]; order[++nph] = phase }
			else phase = ""
		}
	}
	if (phase != "") { cnt[phase SUBSEP pc SUBSEP cpu] += n; tot[phase] += n }
}
END {
	for (k in cnt) { split(k, f, SUBSEP); print f[1], f[2], f[3], cnt[k] }
	if (!done) print "INCOMPLETE" > "/dev/stderr"
}' <"$tmp/trace" >"$tmp/counts"
kill "$qpid" 2>/dev/null
wait "$qpid" 2>/dev/null
qpid=""
grep -a 'BENCH op=' "$tmp/console" | sed 's/^.*BENCH /  BENCH /' | grep -v 'op=ipi' >&2
[ -s "$tmp/counts" ] || die "no counts: the trace never reached the guest's loops"

# Phases in order: call_loop#1 (warm-up) #2 (hyp_call) #3 #4 (psci_version) #5 #6 (host_call),
# mmio_read_loop#1 #2, mmio_write_loop#1 #2 (exit_entry), s2_fault_loop#1.
cat >"$tmp/ops" <<'EOF'
call_loop#2 hyp_call 1000
call_loop#4 psci_version 1000
call_loop#6 host_call 1000
mmio_read_loop#2 mmio_read 1000
mmio_write_loop#2 exit_entry 1000
s2_fault_loop#1 s2_fault 256
EOF
[ "${BENCH_PROFILE_IPI:-0}" = 0 ] || echo "ipi_loop#1 ipi(warm-up) 3" >>"$tmp/ops"
declare -A measured=()
while read -r op reps ticks; do
	measured[$op]=$((ticks * 16 / reps))
done < <(grep -a 'BENCH op=' "$tmp/console" | tr -d '\r' |
	sed -n 's/^.*BENCH op=\([a-z0-9_]*\) reps=\([0-9]*\) ticks=\([0-9]*\)$/\1 \2 \3/p')

while read -r phase op reps; do
	echo
	echo "== $op: $(awk -v p="$phase" -v r="$reps" '$1 == p { s += $4 } END { printf "%.0f", s / r }' "$tmp/counts") instructions per repetition traced (counter: ${measured[$op]:-?})"
	# Symbolize: the function whose start is the greatest at or below the address.
	awk -v p="$phase" '$1 == p { print $2, $3, $4 }' "$tmp/counts" | while read -r pc cpu n; do
		printf 'x%016x %s %s\n' "$pc" "$cpu" "$n"
	done | sort | awk -v syms="$tmp/syms" -v reps="$reps" -v ntop="$ntop" '
		BEGIN { while ((getline l < syms) > 0) { ns++; split(l, f, " "); sa[ns] = "x" f[1]; sn[ns] = f[2] } j = 1 }
		{ a = $1 ""
		  while (j < ns && sa[j + 1] <= a) j++
		  name = (sa[j] <= a) ? sn[j] : "?"
		  split(name, t, ":"); region = t[1]
		  by[name] += $3; reg[region] += $3; cpus[$2] += $3 }
		END {
			printf "  by program:"; for (r in reg) printf "  %s %.0f", r, reg[r] / reps; printf "\n"
			printf "  by QEMU CPU:"; for (c in cpus) printf "  cpu%s %.0f", c, cpus[c] / reps; printf "\n"
			n = 0; for (k in by) { n++; kk[n] = k }
			for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++) if (by[kk[b]] > by[kk[a]]) { t2 = kk[a]; kk[a] = kk[b]; kk[b] = t2 }
			for (a = 1; a <= n && a <= ntop; a++) printf "  %8.1f  %s\n", by[kk[a]] / reps, kk[a]
		}'
done <"$tmp/ops"
