#!/usr/bin/env bash
# The benchmark harness (docs/bench/README.md).
#
#   bench/bench.sh run [BUILD]
#       make bench: runs build/bench/bench.signed under kcore + kserv
#       (tools/kcore-run --icount --cpus 2, 2 vCPUs, 4 KiB pages), keeps its
#       BENCH lines in BUILD/bench/kcore.txt (the console in kcore.log), takes
#       KVM's and pKVM's from BUILD/bench/kvm.txt and pkvm.txt (running
#       `make bench-kvm` first if either is missing and that target exists;
#       "n/a" otherwise), prints the table and writes docs/bench/results.csv
#       and docs/bench/results.png. BENCH_REPEAT=N (default 1) runs kcore N
#       times and fails unless every run printed the same lines.
#       It also runs the same guest under kcore with Debian's Linux as the host
#       and kcore-vmm as its VMM (the host's init with kcore.bench=1; needs
#       make linux-assets), its lines in BUILD/bench/kcore-linux.txt (console in
#       kcore-linux.log): the column "kcore-linux", n/a if that run cannot be
#       made or fails.
#
#   bench/bench.sh linux [BUILD]
#       only the kcore-linux run of `run` (BENCH_REPEAT times).
#
#   bench/bench.sh report [--csv OUT] [--png OUT] [--sizes SIZES [--boot-csv OUT]] KCORE KVM PKVM [LINUX]
#       the table (and CSV, chart) from three or four files of BENCH output
#       (LINUX: kcore with the Linux host); a file given as "-" or missing, or
#       no fourth file, is a column of "n/a". With --sizes (a file of
#       image lines), the boot-cost table too (and its CSV). What `run` does
#       after the runs; the tests use it on sample outputs
#       (tests/scripts/bench_harness.sh).
#
#   bench/bench.sh parse FILE PLATFORM
#       checks FILE and prints "operation instructions-per-op" per operation.
#
#   bench/bench.sh boot-sizes FILE
#       checks a file of "BENCH image ..." lines and prints the boot cost's
#       least-squares lines (instructions per MiB and fixed, verify and remap).
#
#   bench/bench.sh host-lines
#       kserv's console on stdin to the BENCH lines it carries on stdout.
#
#   run also makes the boot-cost table (docs/bench/README.md, "Boot cost")
#   from a second kcore run of three signed images of 1, 8 and 32 MiB
#   (BUILD/bench/boot/; console in BUILD/bench/boot.log, lines in boot.txt)
#   and writes docs/bench/boot.csv; `bench/bench.sh boot [BUILD]` (make
#   bench-boot) does only that.
#
# A file of BENCH output: any text; the lines that matter contain "BENCH "
# (anything before it, such as kserv's "[bench] " prefix, is ignored):
#   BENCH vm_created counter=<C>               the host, at its first VM-creation
#                                              call (optional, once, anywhere)
#   BENCH platform=<kcore|kvm>                 first of the guest's, once
#   BENCH first_insn cntvct=<V> cntvoff=<O>    the guest's counter at its first
#                                              instruction (optional, once)
#   BENCH op=<name> reps=<N> ticks=<T>         each operation once, N > 0
#   BENCH done                                 last
# Instructions per operation = T * 16 / N (QEMU -icount shift=0: the 62.5 MHz
# counter advances once per 16 instructions). From VM creation to the guest's
# first instruction: (V + O - C) * 16 (O turns the guest's virtual counter
# into the host's). Anything else, a missing or repeated operation, "BENCH
# error ..." from the guest or no "BENCH done" is an error: one line "bench:
# FILE: why" on stderr, exit status 1.
#
#   bench/bench.sh scrub [BUILD]
#       make bench-scrub (and the end of `run`): the cost of the scrub before a
#       reset (docs/security.md, "Reset, power-off and panic"). Three runs of
#       kserv's reset-scan under -icount on one CPU, the secret VM writing 0,
#       128 and 384 MiB more before it (so that much more VM memory is there to
#       zero); kcore's "scrub:" line of each reset into BUILD/bench/scrub.txt
#       (consoles: scrub-<MiB>.log), then the line through them: instructions
#       per GiB zeroed and fixed. Each run must also find no secret in its
#       second boot.
#
#   bench/bench.sh scrub-sizes FILE
#       checks a file of kcore's scrub lines and prints that line.
#
#   bench/bench.sh io [BUILD]
#       make bench-io (docs/bench/README.md, "Virtio I/O"): the same Linux
#       guest's virtio-blk and virtio-net passes under kcore (the Linux host's
#       init with kcore.iobench=1, kcore-vmm, the guest with kcore-guest.ko)
#       and under KVM nVHE (BUILD/bench/vmm/io-initramfs.cpio: our VMM with
#       --disk and --net), each in QEMU -smp 1 -icount shift=0,sleep=off with a
#       fixed seed and RTC. Consoles in BUILD/bench/io-kcore.log and
#       io-kvm.log, their BENCH (and FAIL) lines in io-kcore.txt and
#       io-kvm.txt, the table in io.txt. BENCH_IO_TIMEOUT bounds each run
#       (seconds, default 2400).
#
#   bench/bench.sh io-report KCORE KVM
#       the table from two such files: operation, instructions per byte under
#       kcore and under KVM, kcore's over KVM's. What `io` does after the
#       runs; the tests use it on sample outputs.
#
# A file of I/O lines (io-report): the guest's, anything before "BENCH "
# ignored, "BENCH vm_created ..." (kcore-vmm's) too:
#   BENCH op=<blk_write|blk_read|net_tx> reps=<bytes> ticks=<T>   each once
#   BENCH done                                                     last
# Instructions per byte = T * 16 / bytes. A missing or repeated operation, no
# "BENCH done", or any line with "FAIL" (a guest's check or a host's step
# failed) is an error: one line "bench: FILE: why", exit status 1.
#
# A file of scrub lines (scrub-sizes), two sizes at least (anything before
# "scrub: " ignored; T counter ticks are T x 16 instructions):
#   kcore: scrub: <B> bytes zeroed in <T> counter ticks ...
#
# A file of image lines (boot-sizes), one per VM, two sizes at least:
#   BENCH image name=<NAME> bytes=<B> remap_ticks=<R> verify_ticks=<V>
set -u

prog=bench
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The operations, in table order (bench/bench.c prints them in this order).
OPS="hyp_call psci_version host_call mmio_read exit_entry s2_fault ipi"
# The virtio I/O benchmark's, in table order (guests/linux-init/iobench.c).
IO_OPS="blk_write blk_read net_tx"
INSNS_PER_TICK=16

die() {
	echo "$prog: $*" >&2
	exit 1
}

# parse FILE PLATFORM [ops|boot|io]: validates; ops (default) prints "op instructions" (exact,
# 3 decimals) per op, boot "create_to_first_insn N" (n/a without both counter lines); io
# validates a file of I/O lines instead (no platform line; FAIL anywhere refused) and prints
# "op instructions-per-byte" (4 decimals).
parse() {
	local file=$1 want=$2 what=${3:-ops} ops=$OPS
	[ "$what" != io ] || ops=$IO_OPS
	[ -f "$file" ] || die "$file: no such file"
	tr -d '\r' <"$file" | awk -v file="$file" -v want="$want" -v ops="$ops" -v ipt="$INSNS_PER_TICK" \
		-v what="$what" '
	function bad(why) { printf "%s: %s: %s\n", "'"$prog"'", file, why > "/dev/stderr"; failed = 1; exit 1 }
	function num(s) { return s ~ /^[0-9]+$/ && length(s) <= 15 }
	BEGIN { n = split(ops, order, " "); for (i = 1; i <= n; i++) known[order[i]] = 1 }
	what == "io" && /FAIL/ { bad("a failure: " $0) }
	{
		p = index($0, "BENCH ")
		if (p == 0) next
		rest = substr($0, p + 6)
		sub(/[ \t]+$/, "", rest)
		lines++
		if (done) bad("a BENCH line after \"BENCH done\": " rest)
		if (rest ~ /^error/) bad("the guest reported an error: BENCH " rest)
		if (rest ~ /^platform=/) {
			if (platform != "") bad("two platform lines")
			platform = substr(rest, 10)
			if (platform != "kcore" && platform != "kvm")
				bad("unknown platform \"" platform "\" (kcore or kvm)")
			if (want != "" && platform != want)
				bad("platform=" platform ", expected platform=" want)
			next
		}
		if (rest == "done") { done = 1; next }
		if (rest ~ /^vm_created /) {
			if (created != "") bad("two vm_created lines")
			if (split(rest, f, " ") != 2 || f[2] !~ /^counter=/ || !num(substr(f[2], 9)))
				bad("not \"BENCH vm_created counter=C\": BENCH " rest)
			created = substr(f[2], 9)
			next
		}
		if (platform == "" && what != "io") bad("\"BENCH " rest "\" before the platform line")
		if (rest ~ /^first_insn /) {
			if (first != "") bad("two first_insn lines")
			if (split(rest, f, " ") != 3 || f[2] !~ /^cntvct=/ || f[3] !~ /^cntvoff=/ ||
			    !num(substr(f[2], 8)) || !num(substr(f[3], 9)))
				bad("not \"BENCH first_insn cntvct=V cntvoff=O\": BENCH " rest)
			first = substr(f[2], 8) + substr(f[3], 9)
			next
		}
		if (split(rest, f, " ") != 3 || f[1] !~ /^op=/ || f[2] !~ /^reps=/ || f[3] !~ /^ticks=/)
			bad("not \"BENCH op=NAME reps=N ticks=T\": BENCH " rest)
		op = substr(f[1], 4); reps = substr(f[2], 6); t = substr(f[3], 7)
		if (!(op in known)) bad("unknown operation \"" op "\"")
		if (op in seen) bad("operation " op " appears twice")
		if (!num(reps) || reps + 0 == 0) bad("operation " op ": reps=" reps " is not a positive number")
		if (!num(t) || t + 0 == 0) bad("operation " op ": ticks=" t " is not a positive number")
		seen[op] = 1
		insn[op] = t * ipt / reps
	}
	END {
		if (failed) exit 1
		if (lines == 0) bad("no BENCH lines")
		if (platform == "" && what != "io") bad("no \"BENCH platform=...\" line")
		for (i = 1; i <= n; i++)
			if (!(order[i] in seen)) bad("operation " order[i] " is missing")
		if (!done) bad("no \"BENCH done\" line: the run did not finish")
		if (first != "" && created != "" && first + 0 < created + 0)
			bad("the guest'"'"'s first instruction (counter " first ") before the VM'"'"'s creation (" created ")")
		if (what == "ops")
			for (i = 1; i <= n; i++) printf "%s %.3f\n", order[i], insn[order[i]]
		else if (what == "io")
			for (i = 1; i <= n; i++) printf "%s %.4f\n", order[i], insn[order[i]]
		else if (first != "" && created != "")
			printf "create_to_first_insn %.0f\n", (first - created) * ipt
		else
			print "create_to_first_insn n/a"
	}'
}

# boot_sizes FILE: "measure instructions" for verify and remap, per MiB and fixed:
# the least-squares line through (bytes, ticks x 16) over the images.
boot_sizes() {
	local file=$1
	[ -f "$file" ] || die "$file: no such file"
	tr -d '\r' <"$file" | awk -v file="$file" -v ipt="$INSNS_PER_TICK" '
	function bad(why) { printf "%s: %s: %s\n", "'"$prog"'", file, why > "/dev/stderr"; failed = 1; exit 1 }
	function num(s) { return s ~ /^[0-9]+$/ && length(s) <= 15 }
	# slope and intercept of y over x (sums over the n points)
	function fit(sy, sxy) {
		slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
		fixed = (sy - slope * sx) / n
	}
	{
		p = index($0, "BENCH image ")
		if (p == 0) next
		rest = substr($0, p + 12)
		sub(/[ \t]+$/, "", rest)
		if (split(rest, f, " ") != 4 || f[1] !~ /^name=./ || f[2] !~ /^bytes=/ ||
		    f[3] !~ /^remap_ticks=/ || f[4] !~ /^verify_ticks=/)
			bad("not \"BENCH image name=NAME bytes=B remap_ticks=R verify_ticks=V\": BENCH image " rest)
		b = substr(f[2], 7); r = substr(f[3], 13); v = substr(f[4], 14)
		if (!num(b) || b + 0 == 0) bad("image " substr(f[1], 6) ": bytes=" b " is not a positive number")
		if (!num(r) || !num(v)) bad("image " substr(f[1], 6) ": a tick count is not a number")
		n++; sizes[b] = 1
		sx += b; sxx += b * b
		sr += r * ipt; sxr += b * r * ipt
		sv += v * ipt; sxv += b * v * ipt
	}
	END {
		if (failed) exit 1
		if (n == 0) bad("no \"BENCH image\" lines")
		if (length(sizes) < 2) bad("images of one size only: no cost per MiB")
		fit(sv, sxv); printf "verify_per_mib %.0f\nverify_fixed %.0f\n", slope * 1048576, fixed
		fit(sr, sxr); printf "remap_per_mib %.0f\nremap_fixed %.0f\n", slope * 1048576, fixed
	}'
}

# scrub_sizes FILE: "scrub_per_gib N" and "scrub_fixed N": the least-squares line of
# instructions (ticks x 16) over the bytes zeroed.
scrub_sizes() {
	local file=$1
	[ -f "$file" ] || die "$file: no such file"
	tr -d '\r' <"$file" | awk -v file="$file" -v ipt="$INSNS_PER_TICK" '
	function bad(why) { printf "%s: %s: %s\n", "'"$prog"'", file, why > "/dev/stderr"; failed = 1; exit 1 }
	{
		p = index($0, "scrub: ")
		if (p == 0) next
		if (split(substr($0, p + 7), f, " ") < 6 || f[2] != "bytes" || f[3] != "zeroed" ||
		    f[4] != "in" || f[6] != "counter" || f[7] != "ticks")
			bad("not \"scrub: B bytes zeroed in T counter ticks\": " substr($0, p))
		if (f[1] !~ /^[0-9]+$/ || f[1] + 0 == 0 || f[5] !~ /^[0-9]+$/ ||
		    length(f[1]) > 15 || length(f[5]) > 15)
			bad("a byte or tick count is not a positive number: " substr($0, p))
		n++; sizes[f[1]] = 1
		sx += f[1]; sxx += f[1] * f[1]; sy += f[5] * ipt; sxy += f[1] * f[5] * ipt
	}
	END {
		if (failed) exit 1
		if (n == 0) bad("no \"scrub:\" lines")
		if (length(sizes) < 2) bad("scrubs of one size only: no cost per GiB")
		slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
		printf "scrub_per_gib %.0f\nscrub_fixed %.0f\n", slope * 1073741824, (sy - slope * sx) / n
	}'
}

# scrub_runs BUILD: the reset-scan runs of `scrub` (above); their lines in BUILD/bench/scrub.txt.
scrub_runs() {
	local build=$1 dir=$1/bench extra log rc payload=$1/bench/scrub.payload
	: >"$dir/scrub.txt"
	for extra in 0 128 384; do
		log=$dir/scrub-$extra.log
		echo "$prog: scrub run: the secret VM and $extra MiB more, SYSTEM_RESET, under -icount on 1 CPU (console: $log)" >&2
		"$build/tools/kcore-mkpayload" -o "$payload" \
			--vm "image=$build/guests/secret.signed,name=secret,mem=512M,cmdline=extra=$extra" ||
			die "kcore-mkpayload failed"
		timeout 900 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,iommu=smmuv3 \
			-cpu max -smp 1 -m 1G -nographic -nic none -icount shift=0,sleep=off \
			-kernel "$build/kcore.img" -initrd "$payload" \
			-append "kserv.cmds=reset-scan;poweroff" </dev/null 2>&1 | tr -d '\r' >"$log"
		rc=${PIPESTATUS[0]}
		[ "$rc" -eq 0 ] || die "QEMU exit $rc (console: $log)"
		grep -q '^RESET-SCAN: boot 2: .*: CLEAN$' "$log" || die "no clean second boot (console: $log)"
		grep -m1 '^kcore: scrub: ' "$log" >>"$dir/scrub.txt" || die "no scrub line (console: $log)"
	done
	rm -f "$payload"
}

# scrub [BUILD]: make bench-scrub.
scrub() {
	local build=${1:-build}
	cd "$top" || die "cannot enter $top"
	scrub_runs "$build"
	echo
	printf '%-22s %14s\n' "reset scrub" kcore
	scrub_sizes "$build/bench/scrub.txt" | while read -r m v; do printf '%-22s %14s\n' "$m" "$v"; done
}

# host_lines: kserv's console on stdin; its boot-cost lines as BENCH lines on stdout.
#   kserv: VM NAME: registered as vmid N at counter C         -> BENCH vm_created counter=C
#   kserv: VM NAME: image B bytes: remap R ticks, verify V ticks
#                          -> BENCH image name=NAME bytes=B remap_ticks=R verify_ticks=V
host_lines() {
	tr -d '\r' | sed -n \
		-e 's/^.*kserv: VM [^ :]*: registered as vmid [0-9]* at counter \([0-9]*\)$/BENCH vm_created counter=\1/p' \
		-e 's/^.*kserv: VM \([^ :]*\): image \([0-9]*\) bytes: remap \([0-9]*\) ticks, verify \([0-9]*\) ticks$/BENCH image name=\1 bytes=\2 remap_ticks=\3 verify_ticks=\4/p'
}

# report [--csv OUT] [--png OUT] [--sizes SIZES [--boot-csv OUT]] KCORE KVM PKVM [LINUX]
report() {
	local csv="" png="" sizes="" boot_csv="" files=() tmp rc
	while [ $# -gt 0 ]; do
		case $1 in
		--csv) csv=$2; shift 2 ;;
		--png) png=$2; shift 2 ;;
		--sizes) sizes=$2; shift 2 ;;
		--boot-csv) boot_csv=$2; shift 2 ;;
		*) files+=("$1"); shift ;;
		esac
	done
	[ ${#files[@]} -eq 3 ] || [ ${#files[@]} -eq 4 ] ||
		die "report takes three or four files: KCORE KVM PKVM [LINUX] ('-' for none)"
	# Without a fourth file the Linux host's column is n/a, as for a file given as "-".
	[ ${#files[@]} -eq 4 ] || files+=(-)
	[ -z "$boot_csv" ] || [ -n "$sizes" ] || die "--boot-csv needs --sizes"
	tmp=$(mktemp -d) || die "cannot make a temporary directory"
	report_in "$tmp" "$csv" "$png" "${files[@]}" &&
		{ [ -z "$sizes" ] || boot_report "$tmp" "$sizes" "$boot_csv" "${files[@]}"; }
	rc=$?
	rm -rf "$tmp"
	return "$rc"
}

# parse_columns TMP WHAT KCORE KVM PKVM LINUX: parse ... WHAT (ops or boot) of each file into
# TMP/WHAT-kcore, -kvm, -pkvm and -kcore-linux; a file given as "-" or missing is a column of n/a.
parse_columns() {
	local tmp=$1 what=$2 i f col platform rows row
	shift 2
	local files=("$@")
	rows=$([ "$what" = ops ] && echo "$OPS" || echo create_to_first_insn)
	for i in 0 1 2 3; do
		f=${files[$i]}
		col=$(echo kcore kvm pkvm kcore-linux | cut -d' ' -f$((i + 1)))
		# The Linux host's guest runs on kcore too: it says platform=kcore.
		platform=$([ "$i" -eq 1 ] || [ "$i" -eq 2 ] && echo kvm || echo kcore)
		if [ "$f" = - ] || [ ! -e "$f" ]; then
			for row in $rows; do echo "$row n/a"; done >"$tmp/$what-$col"
			[ "$f" = - ] || [ "$what" != ops ] || echo "$prog: $f is missing: the $col column is n/a" >&2
		else
			parse "$f" "$platform" "$what" >"$tmp/$what-$col" || return 1
		fi
	done
}

# report_in TMP CSV PNG KCORE KVM PKVM LINUX: report's work, in the scratch directory TMP.
# The Linux host's columns come last, so the first six of the CSV are what they were.
report_in() {
	local tmp=$1 csv=$2 png=$3
	shift 3
	parse_columns "$tmp" ops "$@" || return 1
	# operation kcore kvm pkvm kcore/kvm kcore/pkvm kcore-linux kcore-linux/kvm
	paste -d' ' "$tmp/ops-kcore" "$tmp/ops-kvm" "$tmp/ops-pkvm" "$tmp/ops-kcore-linux" | awk '
	function insn(v) { return v == "n/a" ? v : sprintf("%.0f", v) }
	function ratio(a, b) { return a == "n/a" || b == "n/a" || b + 0 == 0 ? "n/a" : sprintf("%.2f", a / b) }
	{ print $1, insn($2), insn($4), insn($6), ratio($2, $4), ratio($2, $6), insn($8), ratio($8, $4) }' >"$tmp/rows"
	{
		printf '%-14s %12s %12s %12s %10s %11s %12s %16s\n' operation kcore kvm pkvm kcore/kvm \
			kcore/pkvm kcore-linux kcore-linux/kvm
		while read -r op a b c r1 r2 l r3; do
			printf '%-14s %12s %12s %12s %10s %11s %12s %16s\n' "$op" "$a" "$b" "$c" "$r1" "$r2" "$l" "$r3"
		done <"$tmp/rows"
		echo "(instructions per operation: QEMU -icount shift=0, counter ticks x 16 / repetitions;"
		echo " kcore-linux: kcore with Debian's Linux as its host and kcore-vmm in its user space)"
	}
	if [ -n "$csv" ]; then
		mkdir -p "$(dirname "$csv")"
		if ! {
			echo "operation,kcore,kvm,pkvm,kcore/kvm,kcore/pkvm,kcore-linux,kcore-linux/kvm"
			tr ' ' ',' <"$tmp/rows"
		} >"$csv.tmp" || ! mv "$csv.tmp" "$csv"; then
			die "cannot write $csv"
		fi
		echo "$prog: wrote $csv" >&2
	fi
	if [ -n "$png" ]; then
		chart "$tmp/rows" "$png" || return 1
	fi
}

# write_csv OUT: stdin to OUT, whole or not at all.
write_csv() {
	local out=$1
	mkdir -p "$(dirname "$out")"
	{ cat >"$out.tmp" && mv "$out.tmp" "$out"; } || die "cannot write $out"
	echo "$prog: wrote $out" >&2
}

# boot_report TMP SIZES BOOT_CSV KCORE KVM PKVM LINUX: the boot-cost table (and CSV).
# create_to_first_insn per platform; verify and remap (kcore only: under KVM
# the VMM copies the image into the guest's memory itself and nothing checks it).
boot_report() {
	local tmp=$1 sizes=$2 boot_csv=$3
	shift 3
	parse_columns "$tmp" boot "$@" || return 1
	boot_sizes "$sizes" >"$tmp/sizes" || return 1
	# measure kcore kvm pkvm kcore-linux (the sizes come from kserv's run alone)
	{
		paste -d' ' "$tmp/boot-kcore" "$tmp/boot-kvm" "$tmp/boot-pkvm" "$tmp/boot-kcore-linux" |
			awk '{ print $1, $2, $4, $6, $8 }'
		awk '{ print $1, $2, "n/a", "n/a", "n/a" }' "$tmp/sizes"
	} >"$tmp/boot-rows"
	echo
	printf '%-22s %14s %14s %14s %14s\n' "boot cost" kcore kvm pkvm kcore-linux
	while read -r m a b c l; do
		printf '%-22s %14s %14s %14s %14s\n' "$m" "$a" "$b" "$c" "$l"
	done <"$tmp/boot-rows"
	echo "(instructions: from the host's first VM-creation call to the guest's first instruction;"
	echo " signature verification and image hand-over per MiB and fixed, least squares over $(grep -c 'BENCH image ' "$sizes") images)"
	if [ -n "$boot_csv" ]; then
		{
			echo "measure,kcore,kvm,pkvm,kcore-linux"
			tr ' ' ',' <"$tmp/boot-rows"
		} | write_csv "$boot_csv"
	fi
}

# chart ROWS PNG: a grouped bar chart (log scale: the operations span 10^3 to 10^6).
chart() {
	local rows=$1 png=$2 term
	command -v gnuplot >/dev/null ||
		die "gnuplot is not installed (Debian's gnuplot-nox; scripts/install-deps.sh): no chart"
	if gnuplot -e 'set terminal' 2>&1 | grep -qw pngcairo; then
		term="pngcairo size 1000,560 font 'sans,10'"
	else
		term="png size 1000,560"
	fi
	mkdir -p "$(dirname "$png")"
	gnuplot 2>"$rows.gp.err" <<EOF || die "gnuplot failed: $(head -c 300 "$rows.gp.err")"
set terminal $term
set output '$png.tmp'
set title 'Instructions per operation (QEMU -icount shift=0), lower is better'
set datafile missing 'n/a'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set logscale y
set yrange [100:*]
set format y '10^{%L}'
set ylabel 'instructions per operation (log scale)'
set grid ytics
set key top left
set xtics noenhanced
plot '$rows' using 2:xtic(1) title 'kcore' lc rgb '#1b9e77', \
     '' using 7 title 'kcore (Linux host)' lc rgb '#66a61e', \
     '' using 3 title 'KVM (nVHE)' lc rgb '#7570b3', \
     '' using 4 title 'pKVM' lc rgb '#d95f02'
EOF
	mv "$png.tmp" "$png" || die "cannot write $png"
	echo "$prog: wrote $png" >&2
}

# run [BUILD]: make bench.
run() {
	local build=${1:-build} dir log txt i rc kvm pkvm f missing=()
	local repeat=${BENCH_REPEAT:-1}
	[[ $repeat =~ ^[1-9]$ ]] || die "BENCH_REPEAT must be 1 to 9, not '$repeat'"
	cd "$top" || die "cannot enter $top"
	dir=$build/bench
	[ -f "$dir/bench.signed" ] || die "$dir/bench.signed is missing: make bench-guest"
	for ((i = 1; i <= repeat; i++)); do
		log=$dir/kcore.log txt=$dir/kcore.txt
		[ "$i" -eq 1 ] || log=$dir/kcore.$i.log txt=$dir/kcore.$i.txt
		echo "$prog: kcore run $i of $repeat: tools/kcore-run --icount --cpus 2 (console: $log)" >&2
		"$top/tools/kcore-run" --build "$build" --icount --cpus 2 --timeout 900 \
			--vm "image=$dir/bench.signed,name=bench,cpus=2,small-pages" >"$log" 2>&1
		rc=$?
		[ "$rc" -eq 0 ] || die "kcore-run failed (exit $rc): $(grep '^kcore-run: ' "$log" | tail -3 | paste -sd ' ') (console: $log)"
		{
			host_lines <"$log" | grep '^BENCH vm_created '
			grep -a 'BENCH ' "$log" | tr -d '\r' | sed 's/^.*BENCH /BENCH /'
		} >"$txt"
		parse "$txt" kcore >/dev/null || die "the kcore run's output is not complete (console: $log)"
		if [ "$i" -gt 1 ]; then
			cmp -s "$dir/kcore.txt" "$txt" ||
				die "run $i differs from run 1: $(diff "$dir/kcore.txt" "$txt" | grep '^[<>]' | paste -sd ' ')"
			echo "$prog: run $i printed exactly what run 1 did" >&2
		fi
	done
	# A failed or impossible Linux-host run leaves no file: its column is n/a.
	linux_runs "$build" "$repeat" || rm -f "$dir/kcore-linux.txt"
	boot_runs "$build" "$repeat"
	kvm=$dir/kvm.txt pkvm=$dir/pkvm.txt
	if ${MAKE:-make} -C "$top" -n bench-kvm BUILD="$build" >/dev/null 2>&1; then
		# make bench-kvm's own rules: each file made again if missing or older than the guest.
		for f in "$kvm" "$pkvm"; do
			if [ ! -f "$f" ] || ! ${MAKE:-make} -C "$top" -q "$f" BUILD="$build" >/dev/null 2>&1; then
				missing+=("$f")
			fi
		done
		if [ ${#missing[@]} -gt 0 ]; then
			echo "$prog: ${missing[*]} missing or older than the guest: making them (bench-kvm's rules)" >&2
			${MAKE:-make} -C "$top" "${missing[@]}" BUILD="$build" ||
				echo "$prog: making ${missing[*]} failed: a column without its file is n/a" >&2
		fi
	else
		for f in "$kvm" "$pkvm"; do
			if [ ! -f "$f" ]; then
				missing+=("$f")
			elif [ "$f" -ot "$dir/bench.bin" ]; then
				echo "$prog: warning: $f is older than $dir/bench.bin: it may come from another guest" >&2
			fi
		done
		[ ${#missing[@]} -eq 0 ] ||
			echo "$prog: there is no 'make bench-kvm' target (yet) to make ${missing[*]}" >&2
	fi
	report --csv "$top/docs/bench/results.csv" --png "$top/docs/bench/results.png" \
		--sizes "$dir/boot.txt" --boot-csv "$top/docs/bench/boot.csv" \
		"$dir/kcore.txt" "$kvm" "$pkvm" "$dir/kcore-linux.txt" ||
		die "no table: $kvm and $pkvm come from 'make bench-kvm' (run it again if they are stale)"
	scrub "$build"
}

# linux_runs BUILD REPEAT: the bench guest under kcore with Debian's Linux as the host
# (docs/linux-host.md): kcore.img with the kernel and the host initramfs as multiboot modules,
# as `make run-linux-host` boots them, and kcore.bench=1, on which the host's init runs
# kcore-vmm --image /bench.signed --cpus 2 --small-pages and powers off. QEMU as the kserv
# run's (-icount shift=0,sleep=off, 2 CPUs, 1 GiB), and, as the KVM runs
# (scripts/bench-kvm.sh), a fixed random seed and RTC: Linux reads both (RNDR, the DTB's
# seeds, the PL031), and without them its layout and allocations, and so the counts, differ
# from run to run. Console in BUILD/bench/kcore-linux.log,
# the BENCH lines (kcore-vmm's creation line and the guest's) in kcore-linux.txt. Returns 1,
# saying why, if the Linux assets are not there (make linux-assets: it needs the network
# once) or the run fails: the column is n/a then.
linux_runs() {
	local build=$1 repeat=$2 dir=$1/bench i log txt rc
	local image=$1/linux/Image initramfs=$1/linux/host-initramfs.cpio
	if [ ! -f "$image" ] || [ ! -e "$build/linux/headers.release" ]; then
		echo "$prog: no $image or kcore.ko's headers (make linux-assets): the kcore-linux column is n/a" >&2
		return 1
	fi
	# The initramfs holds bench.signed, kcore-vmm and host-init: made again if any is newer.
	${MAKE:-make} -C "$top" -s "$initramfs" BUILD="$build" >&2 || {
		echo "$prog: making $initramfs failed: the kcore-linux column is n/a" >&2
		return 1
	}
	for ((i = 1; i <= repeat; i++)); do
		log=$dir/kcore-linux.log txt=$dir/kcore-linux.txt
		[ "$i" -eq 1 ] || log=$dir/kcore-linux.$i.log txt=$dir/kcore-linux.$i.txt
		echo "$prog: kcore (Linux host) run $i of $repeat: kcore.img, Debian's kernel, kcore-vmm, -icount, 2 CPUs (console: $log)" >&2
		# shellcheck disable=SC2054 # the commas are QEMU's, inside one argument
		timeout 1800 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,iommu=smmuv3 \
			-cpu max -smp 2 -m 1G -nographic -nic none -icount shift=0,sleep=off \
			-seed 1 -rtc base=2025-01-01T00:00:00,clock=vm -kernel "$build/kcore.img" \
			-device "guest-loader,addr=0x50000000,kernel=$image,bootargs=console=ttyAMA0 kcore.expect_cpus=2 kcore.bench=1" \
			-device "guest-loader,addr=0x58000000,initrd=$initramfs" </dev/null 2>&1 |
			tr -d '\r' >"$log"
		rc=${PIPESTATUS[0]}
		if [ "$rc" -ne 0 ] || ! grep -q '^KCORE-HOST: bench: kcore-vmm exit status 0$' "$log"; then
			echo "$prog: the kcore (Linux host) run failed (QEMU exit $rc; $(grep -a 'KCORE-HOST: bench: ' "$log" | tail -1)) (console: $log)" >&2
			return 1
		fi
		grep -a 'BENCH ' "$log" | sed 's/^.*BENCH /BENCH /' >"$txt"
		parse "$txt" kcore >/dev/null || {
			echo "$prog: the kcore (Linux host) run's output is not complete (console: $log)" >&2
			return 1
		}
		if [ "$i" -gt 1 ]; then
			if ! cmp -s "$dir/kcore-linux.txt" "$txt"; then
				echo "$prog: kcore (Linux host) run $i differs from run 1: $(diff "$dir/kcore-linux.txt" "$txt" | grep '^[<>]' | paste -sd ' ')" >&2
				return 1
			fi
			echo "$prog: kcore (Linux host) run $i printed exactly what run 1 did" >&2
		fi
	done
}

# boot_runs BUILD REPEAT: the images of BUILD/bench/boot/ under kcore, REPEAT times (one
# machine CPU: nothing else runs while kserv times its calls); their image lines in
# BUILD/bench/boot.txt (boot.N.txt after the first), which must all be the same.
boot_runs() {
	local build=$1 repeat=$2 dir=$1/bench vms=() f i log txt rc
	for f in $(ls "$dir"/boot/mib*.signed 2>/dev/null | sort -V); do
		vms+=(--vm "image=$f")
	done
	[ ${#vms[@]} -ge 2 ] || die "$dir/boot/mib*.signed: two images at least are needed: make bench-boot-images"
	for ((i = 1; i <= repeat; i++)); do
		log=$dir/boot.log txt=$dir/boot.txt
		[ "$i" -eq 1 ] || log=$dir/boot.$i.log txt=$dir/boot.$i.txt
		echo "$prog: boot-cost run $i of $repeat: tools/kcore-run --icount --cpus 1, $((${#vms[@]} / 2)) VMs (console: $log)" >&2
		"$top/tools/kcore-run" --build "$build" --icount --cpus 1 --timeout 900 "${vms[@]}" >"$log" 2>&1
		rc=$?
		[ "$rc" -eq 0 ] || die "kcore-run failed (exit $rc): $(grep '^kcore-run: ' "$log" | tail -3 | paste -sd ' ') (console: $log)"
		host_lines <"$log" | grep '^BENCH image ' >"$txt"
		[ "$(wc -l <"$txt")" -eq $((${#vms[@]} / 2)) ] || die "$log: not one image line per VM"
		boot_sizes "$txt" >/dev/null || die "the boot-cost run's output is not complete (console: $log)"
		if [ "$i" -gt 1 ]; then
			cmp -s "$dir/boot.txt" "$txt" ||
				die "boot-cost run $i differs from run 1: $(diff "$dir/boot.txt" "$txt" | grep '^[<>]' | paste -sd ' ')"
			echo "$prog: boot-cost run $i printed exactly what run 1 did" >&2
		fi
	done
}

# boot [BUILD]: make bench-boot: the boot-cost runs and table only (the kcore column of
# create_to_first_insn from BUILD/bench/kcore.txt, KVM's from kvm.txt and pkvm.txt, if there).
boot() {
	local build=${1:-build}
	local repeat=${BENCH_REPEAT:-1}
	[[ $repeat =~ ^[1-9]$ ]] || die "BENCH_REPEAT must be 1 to 9, not '$repeat'"
	cd "$top" || die "cannot enter $top"
	boot_runs "$build" "$repeat"
	report --sizes "$build/bench/boot.txt" --boot-csv "$top/docs/bench/boot.csv" \
		"$build/bench/kcore.txt" "$build/bench/kvm.txt" "$build/bench/pkvm.txt" \
		"$build/bench/kcore-linux.txt" | sed -n '/^$/,$p'
}

# io_report KCORE KVM: the table.
io_report() {
	local a b
	a=$(parse "$1" "" io) || return 1
	b=$(parse "$2" "" io) || return 1
	printf '%-12s %16s %16s %12s\n' operation kcore-linux kvm kcore/kvm
	paste -d' ' <(echo "$a") <(echo "$b") | awk '{ printf "%-12s %16.2f %16.2f %12.2f\n", $1, $2, $4, $2 / $4 }'
	echo "(instructions per byte: QEMU -icount shift=0, counter ticks x 16 / bytes; kcore-linux: a"
	echo " protected guest under kcore, kcore-vmm in Debian's Linux host; kvm: the same guest and"
	echo " devices under KVM nVHE, our VMM)"
}

# io_run NAME LOG TXT OK-PATTERN QEMU-ARGS...: one run, its console in LOG, its BENCH and FAIL
# lines in TXT; 1 (said why) unless QEMU exited 0 and the console has OK-PATTERN.
io_run() {
	local name=$1 log=$2 txt=$3 want=$4 rc
	shift 4
	echo "$prog: I/O run under $name (console: $log)" >&2
	timeout "${BENCH_IO_TIMEOUT:-2400}" qemu-system-aarch64 -cpu max -smp 1 -m 1G -nographic \
		-nic none -icount shift=0,sleep=off -seed 1 -rtc base=2025-01-01T00:00:00,clock=vm \
		"$@" </dev/null 2>&1 | tr -d '\r' >"$log"
	rc=${PIPESTATUS[0]}
	grep -a 'BENCH \|KCORE-[A-Z-]*: \(iobench: \)\?FAIL' "$log" | sed 's/^.*\(BENCH \)/\1/' >"$txt"
	if [ "$rc" -ne 0 ] || ! grep -q "$want" "$log"; then
		echo "$prog: the $name run failed (QEMU exit $rc; no '$want') (console: $log)" >&2
		return 1
	fi
}

# io BUILD: make bench-io.
io() {
	local build=${1:-build} dir f
	dir=$build/bench
	cd "$top" || die "cannot enter $top"
	local image=$build/linux/Image host=$build/linux/host-initramfs.cpio kvm=$dir/vmm/io-initramfs.cpio
	for f in "$build/kcore.img" "$image" "$host" "$kvm"; do
		[ -f "$f" ] || die "$f is missing: make bench-io builds it (make linux-assets first)"
	done
	mkdir -p "$dir"
	# shellcheck disable=SC2054 # the commas are QEMU's, inside one argument
	io_run kcore "$dir/io-kcore.log" "$dir/io-kcore.txt" '^KCORE-HOST: iobench: kcore-vmm exit status 0$' \
		-M virt,virtualization=on,gic-version=3,iommu=smmuv3 -kernel "$build/kcore.img" \
		-device "guest-loader,addr=0x50000000,kernel=$image,bootargs=console=ttyAMA0 kcore.expect_cpus=1 kcore.iobench=1" \
		-device "guest-loader,addr=0x58000000,initrd=$host" || exit 1
	# shellcheck disable=SC2054
	io_run "KVM nVHE" "$dir/io-kvm.log" "$dir/io-kvm.txt" '^KCORE-BENCH-INIT: vmm exited with status 0$' \
		-M virt,virtualization=on,gic-version=3 -kernel "$image" -initrd "$kvm" \
		-append "console=ttyAMA0 kvm-arm.mode=nvhe" || exit 1
	grep -q 'Hyp mode initialized successfully' "$dir/io-kvm.log" ||
		die "KVM did not come up in nVHE mode (console: $dir/io-kvm.log)"
	io_report "$dir/io-kcore.txt" "$dir/io-kvm.txt" >"$dir/io.txt.tmp" || die "no table (the files above)"
	mv "$dir/io.txt.tmp" "$dir/io.txt" || die "cannot write $dir/io.txt"
	cat "$dir/io.txt"
	echo "$prog: wrote $dir/io.txt" >&2
}

case ${1:-} in
io)
	shift
	io "$@"
	;;
io-report)
	[ $# -eq 3 ] || die "usage: bench/bench.sh io-report KCORE KVM"
	io_report "$2" "$3"
	;;
run)
	shift
	run "$@"
	;;
report)
	shift
	report "$@"
	;;
boot)
	shift
	boot "$@"
	;;
linux)
	# Only the kcore-linux run (BUILD/bench/kcore-linux.txt), BENCH_REPEAT times.
	shift
	[[ ${BENCH_REPEAT:-1} =~ ^[1-9]$ ]] || die "BENCH_REPEAT must be 1 to 9"
	cd "$top" || die "cannot enter $top"
	linux_runs "${1:-build}" "${BENCH_REPEAT:-1}" || exit 1
	;;
parse)
	[ $# -eq 3 ] || [ $# -eq 4 ] || die "usage: bench/bench.sh parse FILE PLATFORM [ops|boot]"
	parse "$2" "$3" "${4:-ops}"
	;;
boot-sizes)
	[ $# -eq 2 ] || die "usage: bench/bench.sh boot-sizes FILE"
	boot_sizes "$2"
	;;
scrub)
	shift
	scrub "$@"
	;;
scrub-sizes)
	[ $# -eq 2 ] || die "usage: bench/bench.sh scrub-sizes FILE"
	scrub_sizes "$2"
	;;
host-lines)
	host_lines
	;;
*)
	echo "usage: bench/bench.sh run [BUILD] | io [BUILD] | io-report KCORE KVM | boot [BUILD] | linux [BUILD] | scrub [BUILD] | scrub-sizes FILE | report [--csv OUT] [--png OUT] [--sizes SIZES [--boot-csv OUT]] KCORE KVM PKVM [LINUX] | parse FILE PLATFORM [ops|boot] | boot-sizes FILE | host-lines" >&2
	exit 2
	;;
esac
