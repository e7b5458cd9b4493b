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
#
#   bench/bench.sh report [--csv OUT] [--png OUT] KCORE KVM PKVM
#       the table (and CSV, chart) from three files of BENCH output; a file
#       given as "-" or missing is a column of "n/a". What `run` does after
#       the runs; the tests use it on sample outputs (tests/scripts/bench_harness.sh).
#
#   bench/bench.sh parse FILE PLATFORM
#       checks FILE and prints "operation instructions-per-op" per operation.
#
# A file of BENCH output: any text; the lines that matter contain "BENCH "
# (anything before it, such as kserv's "[bench] " prefix, is ignored):
#   BENCH platform=<kcore|kvm>                 first, once
#   BENCH op=<name> reps=<N> ticks=<T>         each operation once, N > 0
#   BENCH done                                 last
# Instructions per operation = T * 16 / N (QEMU -icount shift=0: the 62.5 MHz
# counter advances once per 16 instructions). Anything else, a missing or
# repeated operation, "BENCH error ..." from the guest or no "BENCH done" is
# an error: one line "bench: FILE: why" on stderr, exit status 1.
set -u

prog=bench
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The operations, in table order (bench/bench.c prints them in this order).
OPS="hyp_call psci_version host_call mmio_read exit_entry s2_fault ipi"
INSNS_PER_TICK=16

die() {
	echo "$prog: $*" >&2
	exit 1
}

# parse FILE PLATFORM: validates, prints "op instructions" (exact, 3 decimals) per op.
parse() {
	local file=$1 want=$2
	[ -f "$file" ] || die "$file: no such file"
	tr -d '\r' <"$file" | awk -v file="$file" -v want="$want" -v ops="$OPS" -v ipt="$INSNS_PER_TICK" '
	function bad(why) { printf "%s: %s: %s\n", "'"$prog"'", file, why > "/dev/stderr"; failed = 1; exit 1 }
	function num(s) { return s ~ /^[0-9]+$/ && length(s) <= 15 }
	BEGIN { n = split(ops, order, " "); for (i = 1; i <= n; i++) known[order[i]] = 1 }
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
		if (platform == "") bad("\"BENCH " rest "\" before the platform line")
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
		if (platform == "") bad("no \"BENCH platform=...\" line")
		for (i = 1; i <= n; i++)
			if (!(order[i] in seen)) bad("operation " order[i] " is missing")
		if (!done) bad("no \"BENCH done\" line: the run did not finish")
		for (i = 1; i <= n; i++) printf "%s %.3f\n", order[i], insn[order[i]]
	}'
}

# report [--csv OUT] [--png OUT] KCORE KVM PKVM
report() {
	local csv="" png="" files=() tmp rc
	while [ $# -gt 0 ]; do
		case $1 in
		--csv) csv=$2; shift 2 ;;
		--png) png=$2; shift 2 ;;
		*) files+=("$1"); shift ;;
		esac
	done
	[ ${#files[@]} -eq 3 ] || die "report takes three files: KCORE KVM PKVM ('-' for none)"
	tmp=$(mktemp -d) || die "cannot make a temporary directory"
	report_in "$tmp" "$csv" "$png" "${files[@]}"
	rc=$?
	rm -rf "$tmp"
	return "$rc"
}

# report_in TMP CSV PNG KCORE KVM PKVM: report's work, in the scratch directory TMP.
report_in() {
	local tmp=$1 csv=$2 png=$3 i f col platform
	shift 3
	local files=("$@")
	for i in 0 1 2; do
		f=${files[$i]}
		col=$(echo kcore kvm pkvm | cut -d' ' -f$((i + 1)))
		platform=$([ "$i" -eq 0 ] && echo kcore || echo kvm)
		if [ "$f" = - ] || [ ! -e "$f" ]; then
			for op in $OPS; do echo "$op n/a"; done >"$tmp/$col"
			[ "$f" = - ] || echo "$prog: $f is missing: the $col column is n/a" >&2
		else
			parse "$f" "$platform" >"$tmp/$col" || return 1
		fi
	done
	# operation kcore kvm pkvm kcore/kvm kcore/pkvm
	paste -d' ' "$tmp/kcore" "$tmp/kvm" "$tmp/pkvm" | awk '
	function insn(v) { return v == "n/a" ? v : sprintf("%.0f", v) }
	function ratio(a, b) { return a == "n/a" || b == "n/a" || b + 0 == 0 ? "n/a" : sprintf("%.2f", a / b) }
	{ print $1, insn($2), insn($4), insn($6), ratio($2, $4), ratio($2, $6) }' >"$tmp/rows"
	{
		printf '%-14s %12s %12s %12s %10s %11s\n' operation kcore kvm pkvm kcore/kvm kcore/pkvm
		while read -r op a b c r1 r2; do
			printf '%-14s %12s %12s %12s %10s %11s\n' "$op" "$a" "$b" "$c" "$r1" "$r2"
		done <"$tmp/rows"
		echo "(instructions per operation: QEMU -icount shift=0, counter ticks x 16 / repetitions)"
	}
	if [ -n "$csv" ]; then
		mkdir -p "$(dirname "$csv")"
		if ! {
			echo "operation,kcore,kvm,pkvm,kcore/kvm,kcore/pkvm"
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
		grep -a 'BENCH ' "$log" | tr -d '\r' | sed 's/^.*BENCH /BENCH /' >"$txt"
		parse "$txt" kcore >/dev/null || die "the kcore run's output is not complete (console: $log)"
		if [ "$i" -gt 1 ]; then
			cmp -s "$dir/kcore.txt" "$txt" ||
				die "run $i differs from run 1: $(diff "$dir/kcore.txt" "$txt" | grep '^[<>]' | paste -sd ' ')"
			echo "$prog: run $i printed exactly what run 1 did" >&2
		fi
	done
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
		"$dir/kcore.txt" "$kvm" "$pkvm" ||
		die "no table: $kvm and $pkvm come from 'make bench-kvm' (run it again if they are stale)"
}

case ${1:-} in
run)
	shift
	run "$@"
	;;
report)
	shift
	report "$@"
	;;
parse)
	[ $# -eq 3 ] || die "usage: bench/bench.sh parse FILE PLATFORM"
	parse "$2" "$3"
	;;
*)
	echo "usage: bench/bench.sh run [BUILD] | report [--csv OUT] [--png OUT] KCORE KVM PKVM | parse FILE PLATFORM" >&2
	exit 2
	;;
esac
