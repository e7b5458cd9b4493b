#!/usr/bin/env bash
# Tests of the benchmark harness (bench/bench.sh, docs/bench/README.md): it
# parses sample BENCH outputs (good ones, one with an operation missing,
# garbage, ...) and checks that the table and the CSV have every column and
# every row, that instructions per operation and the ratios are computed
# right, that a missing KVM, pKVM or kcore (Linux host) file is a column of
# "n/a", that the boot
# cost (creation to first instruction, verify and remap per MiB) is computed
# and tabled with every column, that the virtio I/O table (instructions per
# byte, io-report) is computed from both sides' lines and refuses a missing
# operation or a FAIL line, and that bad input is refused with one clear
# error line. It checks the harness, not the
# speed, and boots nothing.
# Prints one "ok - ..." or "not ok - ..." line per check; exits 0 only if all passed.
#
# usage: tests/scripts/bench_harness.sh [BUILD_DIR]   (the build directory is not used)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
h=bench/bench.sh

pass=0
fail=0
ok() {
	echo "ok - $*"
	pass=$((pass + 1))
}
not_ok() {
	echo "not ok - $*"
	fail=$((fail + 1))
}
check() { # DESC CMD...
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- sample outputs ------------------------------------------------------------------------
# kcore, as kcore-run's console shows it: kserv's lines around, "[bench] " before the guest's
# (and the creation line bench/bench.sh run makes of kserv's).
cat >"$tmp/kcore.txt" <<'EOF'
BENCH vm_created counter=1000
KSERV: VM bench verified
kserv: running 1 VM on 2 CPUs
[bench] BENCH platform=kcore
[bench] BENCH first_insn cntvct=2000 cntvoff=0
[bench] BENCH op=hyp_call reps=1000 ticks=60000
[bench] BENCH op=psci_version reps=1000 ticks=62500
[bench] BENCH op=host_call reps=1000 ticks=250000
[bench] BENCH op=mmio_read reps=1000 ticks=250001
[bench] BENCH op=exit_entry reps=1000 ticks=240000
[bench] BENCH op=s2_fault reps=256 ticks=102400
[bench] BENCH op=ipi reps=100 ticks=62500
[bench] BENCH done
KSERV: VM bench powered off
EOF
# KVM: the guest's lines alone, with the serial console's CRs.
printf '%s\r\n' "BENCH vm_created counter=5000" "BENCH platform=kvm" \
	"BENCH first_insn cntvct=100 cntvoff=6000" "BENCH op=hyp_call reps=1000 ticks=120000" \
	"BENCH op=psci_version reps=1000 ticks=125000" "BENCH op=host_call reps=1000 ticks=125000" \
	"BENCH op=mmio_read reps=1000 ticks=330000" "BENCH op=exit_entry reps=1000 ticks=320000" \
	"BENCH op=s2_fault reps=256 ticks=160000" "BENCH op=ipi reps=100 ticks=80000" \
	"BENCH done" >"$tmp/kvm.txt"
# pKVM: the ops in another order, trailing blanks, other console lines between.
cat >"$tmp/pkvm.txt" <<'EOF'
[    6.100000] kvm [1]: Protected nVHE mode initialized successfully
BENCH platform=kvm
BENCH op=ipi reps=100 ticks=125000
BENCH op=hyp_call reps=1000 ticks=125000  
KCORE-BENCH-INIT: something the init says
BENCH op=psci_version reps=1000 ticks=125000
BENCH op=host_call reps=1000 ticks=125000
BENCH op=mmio_read reps=1000 ticks=500000
BENCH op=exit_entry reps=1000 ticks=500000
BENCH op=s2_fault reps=256 ticks=204800
BENCH done
EOF

# kcore with the Linux host, as its console shows it: the kernel's lines, kcore-vmm's creation
# line (its stderr) and the guest's lines as kcore-vmm prints them, "[bench] " before each.
cat >"$tmp/kcore-linux.txt" <<'EOF'
[    1.200000] kcore: kcore ABI 1.0
kcore-vmm: VM bench: 2 vCPUs, 64 MiB at 0x80000000; kernel 0x80000000 (40000 bytes, arm64 Image), DTB 0x83fff000 (1500 bytes), bootargs ""
BENCH vm_created counter=3000
kcore-vmm: VM bench: created, verified by kcore (vmid 1)
[bench] BENCH platform=kcore
[bench] BENCH first_insn cntvct=7000 cntvoff=0
[bench] BENCH op=hyp_call reps=1000 ticks=60000
[bench] BENCH op=psci_version reps=1000 ticks=62500
[bench] BENCH op=host_call reps=1000 ticks=300000
[bench] BENCH op=mmio_read reps=1000 ticks=297000
[bench] BENCH op=exit_entry reps=1000 ticks=300000
[bench] BENCH op=s2_fault reps=256 ticks=140800
[bench] BENCH op=ipi reps=100 ticks=96000
[bench] BENCH done
kcore-vmm: VM bench powered off
KCORE-HOST: bench: kcore-vmm exit status 0
EOF

OPS="hyp_call psci_version host_call mmio_read exit_entry s2_fault ipi"

# ---- good input ------------------------------------------------------------------------------
out=$(bash "$h" report --csv "$tmp/out/results.csv" --png "$tmp/out/results.png" \
	"$tmp/kcore.txt" "$tmp/kvm.txt" "$tmp/pkvm.txt" "$tmp/kcore-linux.txt" 2>"$tmp/err")
rc=$?
check "report: four good files: exit 0" [ "$rc" -eq 0 ]
check "table: header names every column" \
	grep -Eq '^operation +kcore +kvm +pkvm +kcore/kvm +kcore/pkvm +kcore-linux +kcore-linux/kvm$' <<<"$out"
rows=0
for op in $OPS; do
	grep -Eq "^$op( +[0-9.]+){7}\$" <<<"$out" && rows=$((rows + 1))
done
check "table: a row of seven numbers for each of the 7 operations" [ "$rows" -eq 7 ]
csv=$tmp/out/results.csv
check "CSV: written" [ -f "$csv" ]
check "CSV: header operation,kcore,kvm,pkvm,kcore/kvm,kcore/pkvm,kcore-linux,kcore-linux/kvm" \
	[ "$(head -1 "$csv" 2>/dev/null)" = "operation,kcore,kvm,pkvm,kcore/kvm,kcore/pkvm,kcore-linux,kcore-linux/kvm" ]
check "CSV: 8 lines, each with 8 fields" \
	[ "$(awk -F, 'NF == 8' "$csv" 2>/dev/null | wc -l)" -eq 8 ] && [ "$(wc -l <"$csv")" -eq 8 ]
check "CSV: the operations in order" \
	[ "$(tail -n +2 "$csv" | cut -d, -f1 | paste -sd' ')" = "$OPS" ]
# ticks x 16 / reps: 60000*16/1000 = 960; 120000*16/1000 = 1920; 125000*16/1000 = 2000.
check "CSV: hyp_call = 960 / 1920 / 2000 / 960 instructions, ratios 0.50, 0.48 and 0.50" \
	grep -qx 'hyp_call,960,1920,2000,0.50,0.48,960,0.50' "$csv"
check "CSV: s2_fault = 102400*16/256 = 6400, KVM 10000, pKVM 12800, Linux host 8800; ratios 0.64, 0.50, 0.88" \
	grep -qx 's2_fault,6400,10000,12800,0.64,0.50,8800,0.88' "$csv"
check "CSV: ipi over 100 round trips: 10000 / 12800 / 20000 / 15360" \
	grep -qx 'ipi,10000,12800,20000,0.78,0.50,15360,1.20' "$csv"
check "CSV: the Linux host's mmio_read 297000*16/1000 = 4752, 0.90 of KVM's" \
	grep -q '^mmio_read,.*,4752,0.90$' "$csv"
check "CSV: mmio_read rounds 4000.016 to 4000" grep -q '^mmio_read,4000,5280,8000,' "$csv"
check "table and CSV say the same" \
	[ "$(tail -n +2 "$csv" | tr ',' ' ')" = "$(sed -n '2,8p' <<<"$out" | tr -s ' ')" ]
if command -v gnuplot >/dev/null; then
	check "chart: a PNG file" [ "$(head -c 8 "$tmp/out/results.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
else
	ok "chart: skipped, gnuplot is not installed # SKIP"
fi
check "parse: instructions per operation, exact" \
	[ "$(bash "$h" parse "$tmp/kcore.txt" kcore | paste -sd' ')" = "hyp_call 960.000 psci_version 1000.000 host_call 4000.000 mmio_read 4000.016 exit_entry 3840.000 s2_fault 6400.000 ipi 10000.000" ]

# ---- missing KVM / pKVM results: n/a ----------------------------------------------------------------
out=$(bash "$h" report --csv "$tmp/na.csv" "$tmp/kcore.txt" "$tmp/none.txt" - 2>"$tmp/err")
rc=$?
check "report: a missing KVM file and no pKVM file: exit 0" [ "$rc" -eq 0 ]
check "report: says the KVM file is missing" grep -q "none.txt is missing: the kvm column is n/a" "$tmp/err"
check "CSV: the KVM and pKVM columns, the Linux host's (no fourth file) and all ratios are n/a" \
	grep -qx 'hyp_call,960,n/a,n/a,n/a,n/a,n/a,n/a' "$tmp/na.csv"
check "table: n/a in the missing columns" grep -Eq '^ipi +10000( +n/a){6}$' <<<"$out"
out=$(bash "$h" report --csv "$tmp/na4.csv" "$tmp/kcore.txt" "$tmp/kvm.txt" - "$tmp/none-linux.txt" 2>"$tmp/err")
rc=$?
check "report: a missing fourth (Linux host) file: exit 0" [ "$rc" -eq 0 ]
check "report: says the Linux host's file is missing" \
	grep -q "none-linux.txt is missing: the kcore-linux column is n/a" "$tmp/err"
check "CSV: the Linux host's column and its ratio are n/a, KVM's are there" \
	grep -qx 'hyp_call,960,1920,n/a,0.50,n/a,n/a,n/a' "$tmp/na4.csv"
bash "$h" report "$tmp/kcore.txt" - - - "$tmp/kcore.txt" >/dev/null 2>"$tmp/err"
rc=$?
check "report: five files refused" [ "$rc-$(grep -c 'three or four files' "$tmp/err")" = 1-1 ]

# ---- the boot cost ---------------------------------------------------------------------------------
# kserv's console as the boot-cost run prints it: three images of 1, 2 and 4 MiB; verify
# 1000 + 2000 ticks per MiB, remap 5 + 100 per MiB.
cat >"$tmp/boot.log" <<'EOF'
kserv: VM mib1: registered as vmid 1 at counter 1264373
KSERV: VM mib1 verified
kserv: VM mib1: image 1048576 bytes: remap 105 ticks, verify 3000 ticks
kserv: VM mib2: registered as vmid 2 at counter 4550323
kserv: VM mib2: image 2097152 bytes: remap 205 ticks, verify 5000 ticks
kserv: VM mib4: registered as vmid 3 at counter 26808193
kserv: VM mib4: image 4194304 bytes: remap 405 ticks, verify 9000 ticks
[mib4] Hello from mib4
EOF
bash "$h" host-lines <"$tmp/boot.log" >"$tmp/host-lines"
check "host-lines: kserv's creation and image lines as BENCH lines" \
	[ "$(grep -c '^BENCH vm_created counter=[0-9]*$' "$tmp/host-lines")-$(grep -c '^BENCH image name=mib[124] bytes=[0-9]* remap_ticks=[0-9]* verify_ticks=[0-9]*$' "$tmp/host-lines")-$(wc -l <"$tmp/host-lines")" = 3-3-6 ]
grep '^BENCH image ' "$tmp/host-lines" >"$tmp/sizes.txt"
check "boot-sizes: per MiB and fixed, verify and remap, x 16 instructions" \
	[ "$(bash "$h" boot-sizes "$tmp/sizes.txt" | paste -sd' ')" = "verify_per_mib 32000 verify_fixed 16000 remap_per_mib 1600 remap_fixed 80" ]
check "parse boot: (V + O - C) x 16 = (2000 + 0 - 1000) x 16" \
	[ "$(bash "$h" parse "$tmp/kcore.txt" kcore boot)" = "create_to_first_insn 16000" ]
out=$(bash "$h" report --csv "$tmp/boot/results.csv" --sizes "$tmp/sizes.txt" \
	--boot-csv "$tmp/boot/boot.csv" "$tmp/kcore.txt" "$tmp/kvm.txt" "$tmp/pkvm.txt" \
	"$tmp/kcore-linux.txt" 2>"$tmp/err")
rc=$?
check "report --sizes: exit 0" [ "$rc" -eq 0 ]
check "report --sizes: the operations' table as before" \
	[ "$(tail -n +2 "$tmp/boot/results.csv" | tr ',' ' ')" = "$(sed -n '2,8p' <<<"$out" | tr -s ' ')" ]
check "boot table: header names every column" grep -Eq '^boot cost +kcore +kvm +pkvm +kcore-linux$' <<<"$out"
check "boot table: KVM's guest counter offset added: (100 + 6000 - 5000) x 16 = 17600; pKVM's file has no counters: n/a; Linux host (7000 - 3000) x 16 = 64000" \
	grep -Eq '^create_to_first_insn +16000 +17600 +n/a +64000$' <<<"$out"
rows=0
for m in verify_per_mib verify_fixed remap_per_mib remap_fixed; do
	grep -Eq "^$m +[0-9]+ +n/a +n/a +n/a\$" <<<"$out" && rows=$((rows + 1))
done
check "boot table: verify and remap, per MiB and fixed, kcore only" [ "$rows" -eq 4 ]
bcsv=$tmp/boot/boot.csv
check "boot CSV: header measure,kcore,kvm,pkvm,kcore-linux and 5 rows, 5 fields each" \
	[ "$(head -1 "$bcsv" 2>/dev/null)-$(awk -F, 'NF == 5' "$bcsv" 2>/dev/null | wc -l)-$(wc -l <"$bcsv" 2>/dev/null)" = "measure,kcore,kvm,pkvm,kcore-linux-6-6" ]
check "boot CSV: the numbers" [ "$(tail -n +2 "$bcsv" 2>/dev/null | paste -sd' ')" = \
	"create_to_first_insn,16000,17600,n/a,64000 verify_per_mib,32000,n/a,n/a,n/a verify_fixed,16000,n/a,n/a,n/a remap_per_mib,1600,n/a,n/a,n/a remap_fixed,80,n/a,n/a,n/a" ]
# sizes_refused NAME REASON CONTENT: a sizes file with CONTENT is refused with one line.
sizes_refused() {
	local f=$tmp/sizes-$1.txt rc
	printf '%s\n' "$3" >"$f"
	rm -f "$tmp/bad-boot.csv"
	bash "$h" report --sizes "$f" --boot-csv "$tmp/bad-boot.csv" "$tmp/kcore.txt" - - >/dev/null 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 1 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q "^bench: $f: " "$tmp/err" ||
		! grep -Eq -- "$2" "$tmp/err" || [ -e "$tmp/bad-boot.csv" ]; then
		not_ok "sizes: refuses $1 (exit $rc: $(head -c 300 "$tmp/err"))"
	else
		ok "sizes: refuses $1: $(sed "s|^bench: $f: ||" "$tmp/err")"
	fi
}
sizes=$(cat "$tmp/sizes.txt")
sizes_refused one-size "images of one size only" "$(grep name=mib1 <<<"$sizes")"
sizes_refused none 'no "BENCH image" lines' ""
sizes_refused malformed 'not "BENCH image name=NAME' "${sizes/ remap_ticks=105/}"
sizes_refused zero-bytes "bytes=0 is not a positive number" "${sizes/bytes=1048576/bytes=0}"
sizes_refused bad-ticks "a tick count is not a number" "${sizes/verify_ticks=3000/verify_ticks=3e3}"

# ---- bad input: one error line, exit 1, nothing written ------------------------------------------------
# refused NAME REASON CONTENT [ROLE]: the file with CONTENT, as the kcore (default), kvm or
# linux (kcore with the Linux host) file, is refused with one "bench: FILE: ..." line
# matching REASON, and no CSV appears.
refused() {
	local name=$1 reason=$2 content=$3 role=${4:-kcore} f=$tmp/$1.txt rc
	printf '%s\n' "$content" >"$f"
	rm -f "$tmp/bad.csv"
	if [ "$role" = kcore ]; then
		bash "$h" report --csv "$tmp/bad.csv" "$f" "$tmp/kvm.txt" "$tmp/pkvm.txt" >"$tmp/stdout" 2>"$tmp/err"
	elif [ "$role" = linux ]; then
		bash "$h" report --csv "$tmp/bad.csv" "$tmp/kcore.txt" "$tmp/kvm.txt" "$tmp/pkvm.txt" "$f" \
			>"$tmp/stdout" 2>"$tmp/err"
	else
		bash "$h" report --csv "$tmp/bad.csv" "$tmp/kcore.txt" "$f" "$tmp/pkvm.txt" >"$tmp/stdout" 2>"$tmp/err"
	fi
	rc=$?
	if [ "$rc" -ne 1 ]; then
		not_ok "refuses $name (exit $rc, want 1: $(head -c 200 "$tmp/err"))"
	elif [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q "^bench: $f: " "$tmp/err"; then
		not_ok "refuses $name (stderr is not one 'bench: FILE: ' line: $(head -c 300 "$tmp/err"))"
	elif ! grep -Eq -- "$reason" "$tmp/err"; then
		not_ok "refuses $name (message '$(cat "$tmp/err")' lacks /$reason/)"
	elif [ -e "$tmp/bad.csv" ]; then
		not_ok "refuses $name (a CSV was written)"
	else
		ok "refuses $name: $(sed "s|^bench: $f: ||" "$tmp/err")"
	fi
}
good=$(tr -d '\r' <"$tmp/kvm.txt")
without() { grep -v "$1" <<<"$good" | sed 's/platform=kvm/platform=kcore/'; }
kc=$(without nothing) # the good output, as kcore's
refused missing-op "operation mmio_read is missing" "$(without 'op=mmio_read')"
refused missing-ipi "operation ipi is missing" "$(without 'op=ipi')"
refused garbage "no BENCH lines" "$(head -c 3000 /dev/urandom | tr -c 'a-zA-Z0-9 \n' '.')"
refused empty "no BENCH lines" ""
refused no-done 'no "BENCH done" line' "$(without 'BENCH done')"
refused no-platform 'before the platform line' "$(without platform)"
refused bad-reps "reps=abc is not a positive number" \
	"${kc/op=hyp_call reps=1000/op=hyp_call reps=abc}"
refused zero-reps "reps=0 is not a positive number" \
	"${kc/op=ipi reps=100/op=ipi reps=0}"
refused negative-ticks "ticks=-5 is not a positive number" \
	"${kc/op=ipi reps=100 ticks=80000/op=ipi reps=100 ticks=-5}"
refused malformed 'not "BENCH op=NAME reps=N ticks=T"' \
	"${kc/op=s2_fault reps=256 ticks=160000/op=s2_fault ticks=160000}"
refused extra-field 'not "BENCH op=NAME reps=N ticks=T"' \
	"${kc/op=s2_fault reps=256 ticks=160000/op=s2_fault reps=256 ticks=160000 x=1}"
refused unknown-op 'unknown operation "vm_exit"' \
	"${kc/op=exit_entry/op=vm_exit}"
refused twice "operation host_call appears twice" \
	"$(without 'BENCH done'; echo 'BENCH op=host_call reps=1000 ticks=1'; echo 'BENCH done')"
# As the guest stops on a failed check: the error line, no "BENCH done".
refused guest-error "the guest reported an error: BENCH error op=ipi" \
	"$(without 'op=ipi\|BENCH done'; echo 'BENCH error op=ipi vCPU 1 did not come up (0x0)')"
refused after-done 'after "BENCH done"' "$(without nothing; echo 'BENCH op=ipi reps=1 ticks=1')"
refused bad-platform 'unknown platform "xen"' "${good/platform=kvm/platform=xen}"
refused kvm-as-kcore "platform=kvm, expected platform=kcore" "$good"
refused kcore-as-kvm "platform=kcore, expected platform=kvm" "$kc" kvm
refused kvm-missing-op "operation s2_fault is missing" "$(grep -v op=s2_fault <<<"$good")" kvm
refused linux-as-kvm "platform=kvm, expected platform=kcore" "$good" linux
refused linux-missing-op "operation mmio_read is missing" "$(without 'op=mmio_read')" linux
refused two-created "two vm_created lines" "$(echo 'BENCH vm_created counter=1'; echo "$kc")"
refused bad-created 'not "BENCH vm_created counter=C"' "${kc/vm_created counter=5000/vm_created at=5000}"
refused two-first-insn "two first_insn lines" \
	"${kc/BENCH platform=kcore/BENCH platform=kcore
BENCH first_insn cntvct=1 cntvoff=0}"
refused bad-first-insn 'not "BENCH first_insn cntvct=V cntvoff=O"' "${kc/ cntvoff=6000/}"
refused first-insn-before-platform "before the platform line" \
	"$(echo 'BENCH first_insn cntvct=1 cntvoff=0'; grep -v first_insn <<<"$kc")"
refused created-after-first-insn "first instruction .* before the VM's creation" \
	"${kc/vm_created counter=5000/vm_created counter=9000}"

# ---- the virtio I/O benchmark (io-report) -------------------------------------------------------
# kcore's side as the Linux host's console shows it: kcore-vmm's creation line, the guest's
# lines after "[linux] " and its init's tag, the host's sink line between.
cat >"$tmp/io-kcore.txt" <<'EOF2'
BENCH vm_created counter=3000
[linux] KCORE-LINUX-INIT: BENCH op=blk_write reps=16777216 ticks=2097152
[linux] KCORE-LINUX-INIT: BENCH op=blk_read reps=16777216 ticks=1572864
KCORE-HOST: iobench: sink: 16777216 bytes
[linux] KCORE-LINUX-INIT: BENCH op=net_tx reps=16777216 ticks=31457280
[linux] KCORE-LINUX-INIT: BENCH done
EOF2
# KVM's: the ops in another order, with the serial console's CRs.
printf '%s\r\n' "KCORE-LINUX-INIT: BENCH op=blk_read reps=8388608 ticks=524288" \
	"KCORE-LINUX-INIT: BENCH op=blk_write reps=8388608 ticks=1048576" \
	"KCORE-LINUX-INIT: BENCH op=net_tx reps=8388608 ticks=10485760" \
	"KCORE-LINUX-INIT: BENCH done" >"$tmp/io-kvm.txt"
out=$(bash "$h" io-report "$tmp/io-kcore.txt" "$tmp/io-kvm.txt" 2>"$tmp/err")
rc=$?
check "io-report: two good files: exit 0, nothing on stderr" [ "$rc-$(wc -c <"$tmp/err")" = 0-0 ]
check "io table: header operation, kcore-linux, kvm, kcore/kvm" \
	grep -Eq '^operation +kcore-linux +kvm +kcore/kvm$' <<<"$out"
# ticks x 16 / bytes: 2097152*16/16777216 = 2; 1048576*16/8388608 = 2; ratio 1.
check "io table: blk_write 2.00 and 2.00 instructions per byte, ratio 1.00" \
	grep -Eq '^blk_write +2\.00 +2\.00 +1\.00$' <<<"$out"
check "io table: blk_read 1.50 and 1.00, ratio 1.50" grep -Eq '^blk_read +1\.50 +1\.00 +1\.50$' <<<"$out"
check "io table: net_tx 30.00 and 20.00, ratio 1.50" grep -Eq '^net_tx +30\.00 +20\.00 +1\.50$' <<<"$out"
check "io table: the three operations in order" \
	[ "$(grep -Eo '^(blk_write|blk_read|net_tx) ' <<<"$out" | paste -sd' ')" = "blk_write  blk_read  net_tx " ]
# io_refused NAME REASON CONTENT: kcore's file with CONTENT is refused with one line naming it.
io_refused() {
	local f=$tmp/io-$1.txt rc named
	printf '%s\n' "$3" >"$f"
	bash "$h" io-report "$f" "$tmp/io-kvm.txt" >"$tmp/stdout" 2>"$tmp/err"
	rc=$?
	grep -q "^bench: $f: .*$2" "$tmp/err" && named=yes || named=no
	check "io-report refuses $1: exit 1, one line naming the reason, no table" \
		[ "$rc-$(wc -l <"$tmp/err")-$named-$(wc -c <"$tmp/stdout")" = 1-1-yes-0 ]
}
io_kc=$(cat "$tmp/io-kcore.txt")
io_refused missing-op "operation net_tx is missing" "$(grep -v op=net_tx <<<"$io_kc")"
io_refused guest-fail "a failure: .*FAIL iobench: blk" \
	"$(sed 's/^.*op=blk_read.*$/[linux] KCORE-LINUX-INIT: FAIL iobench: blk: what was read differs from what was written/' <<<"$io_kc")"
io_refused host-fail "a failure: KCORE-HOST: iobench: FAIL sink" \
	"$(printf '%s\nKCORE-HOST: iobench: FAIL sink: still waiting when the VM ended\n' "$io_kc")"
io_refused no-done 'no "BENCH done" line' "$(grep -v 'BENCH done' <<<"$io_kc")"
io_refused twice "operation blk_write appears twice" "$(grep op=blk_write <<<"$io_kc"; echo "$io_kc")"
io_refused zero-bytes "reps=0 is not a positive number" "${io_kc/reps=16777216 ticks=2097152/reps=0 ticks=2097152}"
io_refused unknown "unknown operation \"net_rx\"" "${io_kc/op=net_tx/op=net_rx}"

# ---- the reset scrub's cost (scrub-sizes) -----------------------------------------------------
cat >"$tmp/scrub.txt" <<'EOF2'
kcore: scrub: 1073741824 bytes zeroed in 1000100 counter ticks (250 before, stopping the CPUs); other CPUs parked
noise line
kcore: scrub: 2147483648 bytes zeroed in 2000100 counter ticks (250 before, stopping the CPUs); other CPUs parked
EOF2
check "scrub-sizes: per GiB and fixed, x 16 instructions" \
	[ "$(bash "$h" scrub-sizes "$tmp/scrub.txt" | paste -sd' ')" = "scrub_per_gib 16000000 scrub_fixed 1600" ]
# scrub_refused NAME REASON CONTENT: a scrub file with CONTENT is refused with one line.
scrub_refused() {
	local f=$tmp/scrub-$1.txt rc named
	printf '%s\n' "$3" >"$f"
	bash "$h" scrub-sizes "$f" >/dev/null 2>"$tmp/err"
	rc=$?
	grep -q -- "$2" "$tmp/err" && named=yes || named=no
	check "scrub-sizes refuses $1: exit 1, one line naming the reason" \
		[ "$rc-$(wc -l <"$tmp/err")-$named" = 1-1-yes ]
}
scrub_refused one-size "one size only" "$(head -1 "$tmp/scrub.txt")"
scrub_refused none "no \"scrub:\" lines" "nothing here"
scrub_refused garbled "not \"scrub: B bytes" "kcore: scrub: lots of bytes zeroed quickly"
scrub_refused zero-bytes "not a positive number" "kcore: scrub: 0 bytes zeroed in 5 counter ticks"

echo "# bench_harness: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
