#!/usr/bin/env bash
# Boots kcore + kserv in QEMU once, lets kserv run a command list
# (kserv.cmds=...), and decides pass or fail from the serial output.
#
# usage: tests/qemu/run-scenario.sh [options] NAME
#   -b BUILD   build directory (default build); boots BUILD/kcore.img
#   -s N       number of CPUs (default 1)
#   -c CPU     QEMU -cpu model (default: $CPU, else max)
#   -m SIZE    RAM (default 1G)
#   -a CMDS    the kserv command list, e.g. "info;cpus" (default "info")
#   -e REGEX   some line of the serial output must match REGEX (grep -E); repeatable
#   -f REGEX   no line may match REGEX; repeatable. Always checked: "PANIC",
#              "kserv: abort: unexpected", "KSERV: FAILED"
#   -t SECS    time limit (default $QEMU_TIMEOUT, else 60)
#   -d         add QEMU's edu device (a DMA engine behind the SMMU: kserv's "dma")
#   -p         poison check: after kserv is done, read through QEMU's monitor
#              every address the attack-kcore command names in its
#              "attack: cpu N: write ADDR" lines; none may hold the value the
#              attack wrote (so no write went through). The command list
#              gets ";pause": after "KSERV: DONE" kserv stops with "KSERV:
#              PAUSED" instead of powering off (kcore zeroes its carve-out
#              before a power-off, which would hide a write that landed there)
#
# The serial output goes to BUILD/qemu-logs/NAME.log. Prints one line,
# "PASS NAME" or "FAIL NAME: why (log: ...)", and exits 0 only on a pass.
# QEMU must end by itself (kserv powers off with PSCI SYSTEM_OFF after its
# list); running into the time limit is a failure.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2

build=build
smp=1
cpu=${CPU:-max}
mem=1G
cmds=info
limit=${QEMU_TIMEOUT:-60}
poison_check=0
edu=0
expect=()
forbid=("PANIC" "kserv: abort: unexpected" "KSERV: FAILED")

usage() {
	sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

while getopts "b:s:c:m:a:e:f:t:pdh" opt; do
	case $opt in
	b) build=$OPTARG ;;
	s) smp=$OPTARG ;;
	c) cpu=$OPTARG ;;
	m) mem=$OPTARG ;;
	a) cmds=$OPTARG ;;
	e) expect+=("$OPTARG") ;;
	f) forbid+=("$OPTARG") ;;
	t) limit=$OPTARG ;;
	p) poison_check=1 ;;
	d) edu=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
name=$1

# kserv's attack-kcore writes this word (tests/kserv/cmd_attack.c, ATTACK_POISON).
poison=0x6b73657276212121

img="$build/kcore.img"
logdir="$build/qemu-logs"
log="$logdir/$name.log"
mkdir -p "$logdir"

fail() {
	echo "FAIL $name: $* (log: $log)"
	exit 1
}

[ -f "$img" ] || fail "$img missing (run make)"
command -v qemu-system-aarch64 >/dev/null || fail "qemu-system-aarch64 not installed"

# Always behind an SMMUv3, which kcore takes at boot (docs/abi.md, DMA isolation).
[ "$poison_check" -eq 1 ] && cmds="$cmds;pause"
qemu=(qemu-system-aarch64 -M "virt,virtualization=on,gic-version=3,iommu=smmuv3" -cpu "$cpu"
	-smp "$smp" -m "$mem" -nographic -nic none -kernel "$img" -append "kserv.cmds=$cmds")
# edu masks DMA addresses to 28 bits unless told otherwise; 40 reach every IOVA kserv uses.
# shellcheck disable=SC2054 # the comma is QEMU's, inside one argument
[ "$edu" -eq 1 ] && qemu+=(-device edu,dma_mask=0xffffffffff)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$poison_check" -eq 0 ]; then
	timeout "$limit" "${qemu[@]}" </dev/null >"$log" 2>&1
	rc=$?
else
	# A second monitor on a pipe chardev: commands go in through the FIFO
	# mon.in, answers land in the plain file mon.out. kserv ends with
	# "pause" (above): kcore's memory is read while the machine still runs,
	# before any power-off's scrub.
	mkfifo "$tmp/mon.in"
	: >"$tmp/mon.out"
	: >"$log"
	timeout "$limit" "${qemu[@]}" -chardev "pipe,id=kmon,path=$tmp/mon" \
		-mon chardev=kmon,mode=readline -action shutdown=pause </dev/null >"$log" 2>&1 &
	pid=$!
	exec 3<>"$tmp/mon.in"
	while kill -0 "$pid" 2>/dev/null &&
		! tr -d '\r' <"$log" | grep -qE '^KSERV: (PAUSED|FAILED)|PANIC'; do
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		# Give kserv time to reach its WFI, so nothing runs while we read.
		sleep 0.5
		for addr in $(tr -d '\r' <"$log" |
			sed -n 's/^attack: cpu [0-9]*: write \(0x[0-9a-f]*\) .*/\1/p' | sort -u); do
			echo "xp /1gx $addr" >&3
		done
		echo "quit" >&3
	fi
	wait "$pid" # timeout's status: 124 if the time limit ran out
	rc=$?
	exec 3>&-
fi

clean=$(tr -d '\r' <"$log")
[ "$rc" -eq 124 ] && fail "timed out after ${limit}s"
for re in "${forbid[@]}"; do
	line=$(grep -m1 -E -- "$re" <<<"$clean") && fail "forbidden output: $line"
done
[ "$rc" -eq 0 ] || fail "QEMU exited with status $rc"
for re in "${expect[@]}"; do
	grep -qE -- "$re" <<<"$clean" || fail "no line matches /$re/"
done

if [ "$poison_check" -eq 1 ]; then
	addrs=$(sed -n 's/^attack: cpu [0-9]*: write \(0x[0-9a-f]*\) .*/\1/p' <<<"$clean" | sort -u)
	[ -n "$addrs" ] || fail "poison check: the attack wrote to no address"
	# xp answers "0000000040200000: 0x14000010d503477f"; keep those lines only.
	words=$(tr -d '\r' <"$tmp/mon.out" | grep -oE '^[0-9a-f]{16}: 0x[0-9a-f]{16}')
	for addr in $addrs; do
		key=$(printf '%016x' "$addr")
		word=$(grep -m1 "^$key: " <<<"$words" | sed 's/.*: //')
		[ -n "$word" ] || fail "poison check: the monitor did not show $addr"
		[ "$((word))" -ne "$((poison))" ] ||
			fail "kcore's memory at $addr holds the attack's value $poison"
	done
	{
		echo "# poison check (QEMU monitor, kserv paused after its list):"
		while read -r w; do echo "#   $w"; done <<<"$words"
	} >>"$log"
fi

echo "PASS $name"
