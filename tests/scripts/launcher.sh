#!/usr/bin/env bash
# Tests of the launcher (docs/launcher.md) that need no kernel able to run VMs:
#   - kcore-mkpayload: every refusal (exit status, one "kcore-mkpayload: " line
#     on stderr naming the reason, no output file), the accepted edge cases,
#     and the payload's layout read back byte by byte with od;
#   - tools/kcore-run: argument errors, signing of unsigned files (and only
#     those), the payload and QEMU command it builds (--dry-run);
#   - how kcore-run judges a run, from kserv's markers: QEMU boots a stand-in
#     for kcore.img (BUILD/tests/fake-kcore.img, tests/launcher/fake_kcore.c)
#     that prints whatever the payload's cmdlines script.
# Prints one "ok - ..." or "not ok - ..." line per check; exits 0 only if all passed.
#
# usage: tests/scripts/launcher.sh [BUILD_DIR]   (default: build)
# KEEP_TMP=1 keeps the scratch directory.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
build=${1:-build}
mk="$build/tools/kcore-mkpayload"
ks="$build/tools/kcore-sign"
run=tools/kcore-run
guests="$build/guests"
fake="$build/tests/fake-kcore.img"

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
check() { # DESC CMD...: passes if CMD succeeds
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
result() { # DESC: passes if the command just before (an && chain) succeeded
	if [ "$?" -eq 0 ]; then ok "$1"; else not_ok "$1"; fi
}

missing=0
for f in "$mk" "$ks" "$guests/hello.img" "$guests/hello.signed" "$guests/memstress.signed" \
	"$guests/smp.signed" "$fake" "$build/keys/dev.priv" "$build/keys/dev.pub"; do
	if [ ! -e "$f" ]; then
		not_ok "$f is built (make; the top Makefile includes guests/guests.mk and tools/launcher.mk)"
		missing=1
	fi
done
if [ "$missing" -eq 1 ]; then
	echo "# launcher: $pass passed, $fail failed"
	exit 1
fi

tmp=$(mktemp -d)
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT

size_of() { stat -c %s "$1"; }

# ---- helpers for reading a payload back -----------------------------------------------
# le FILE OFF N: the N-byte little-endian unsigned integer at OFF, in decimal.
le() {
	local v=0 i
	local -a b
	read -r -a b <<<"$(od -An -v -tu1 -j "$2" -N "$3" "$1")"
	for ((i = $3 - 1; i >= 0; i--)); do v=$((v * 256 + b[i])); done
	echo "$v"
}
# str FILE OFF N: the NUL-terminated string in the N-byte field at OFF.
str() { dd if="$1" bs=1 skip="$2" count="$3" status=none | tr -d '\n' | cut -d '' -f1 | tr -d '\0'; }
# zero FILE OFF N: the N bytes at OFF are all zero.
zero() { [ -z "$(dd if="$1" bs=1 skip="$2" count="$3" status=none | tr -d '\0' | head -c1)" ]; }
# same FILE OFF OTHER: FILE holds OTHER's bytes at OFF.
same() { cmp -s -n "$(size_of "$3")" <(tail -c +"$(($2 + 1))" "$1") "$3"; }

# ---- kcore-mkpayload: refusals ------------------------------------------------------------
# mk_fail WANT_RC REASON DESC ARGS...: exits WANT_RC with one "kcore-mkpayload: "
# line matching REASON, and leaves no output file.
mk_fail() {
	local want=$1 reason=$2 desc=$3 rc
	shift 3
	rm -f "$tmp/out.pl"
	"$mk" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		not_ok "kcore-mkpayload: $desc (exit $rc, want $want: $(head -c 200 "$tmp/stderr"))"
	elif [ "$(wc -l <"$tmp/stderr")" -ne 1 ] || ! grep -q '^kcore-mkpayload: ' "$tmp/stderr"; then
		not_ok "kcore-mkpayload: $desc (stderr is not one 'kcore-mkpayload: ' line: $(head -c 200 "$tmp/stderr"))"
	elif ! grep -Eq -- "$reason" "$tmp/stderr"; then
		not_ok "kcore-mkpayload: $desc (message '$(cat "$tmp/stderr")' lacks /$reason/)"
	elif [ -e "$tmp/out.pl" ] || compgen -G "$tmp/out.pl.tmp*" >/dev/null; then
		not_ok "kcore-mkpayload: $desc (an output file was left behind)"
	else
		ok "kcore-mkpayload: $desc"
	fi
}

hello=$guests/hello.signed
o=(-o "$tmp/out.pl")

mk_fail 2 'no output file' "no arguments at all: usage error"
mk_fail 2 'no output file' "no -o: usage error" --vm "image=$hello"
mk_fail 2 'no VM' "no --vm: usage error" "${o[@]}"
mk_fail 2 '-o needs' "-o without a file name" -o
mk_fail 2 '--vm needs' "--vm without a SPEC" "${o[@]}" --vm
mk_fail 2 "unknown argument '--fast'" "an unknown option" "${o[@]}" --fast --vm "image=$hello"
mk_fail 2 '-o given twice' "-o twice" "${o[@]}" "${o[@]}" --vm "image=$hello"
mk_fail 2 'empty SPEC' "an empty SPEC" "${o[@]}" --vm ""
mk_fail 2 "unknown item 'colour'" "an unknown SPEC item" "${o[@]}" --vm "image=$hello,colour=red"
mk_fail 2 'empty item' "two commas in a row" "${o[@]}" --vm "image=$hello,,cpus=2"
mk_fail 1 "--snapshot-to needs exactly one VM marked 'snapshot' \\(0 are\\)" "--snapshot-to without a VM marked snapshot" "${o[@]}" --snapshot-to /tmp/s --vm "image=$hello"
mk_fail 1 "a VM is marked 'restore' but there is no --restore-from FILE" "a VM marked restore without --restore-from" "${o[@]}" --vm "image=$hello,restore"
mk_fail 1 "--restore-from needs exactly one VM marked 'restore' \\(2 are\\)" "two VMs marked restore" "${o[@]}" --restore-from /tmp/s --vm "image=$hello,restore" --vm "image=$hello,name=h2,restore"
mk_fail 1 'exclude each other' "snapshot and snapshot-restore on one VM" "${o[@]}" --snapshot-to /tmp/s --vm "image=$hello,snapshot,snapshot-restore"
mk_fail 2 "'snapshot-scan' takes no value" "a snapshot flag with a value" "${o[@]}" --vm "image=$hello,snapshot-scan=1"
mk_fail 2 'need a file name' "--snapshot-to without a file name" "${o[@]}" --vm "image=$hello" --snapshot-to
mk_fail 2 'empty item' "a trailing comma" "${o[@]}" --vm "image=$hello,"
mk_fail 2 "'cpus' needs a value" "an item without its value" "${o[@]}" --vm "image=$hello,cpus"
mk_fail 2 "'mem' needs a value" "an item with an empty value" "${o[@]}" --vm "image=$hello,mem="
mk_fail 2 "'cpus' given twice" "an item given twice" "${o[@]}" --vm "image=$hello,cpus=1,cpus=2"
mk_fail 2 'no image=PATH' "a SPEC without image=" "${o[@]}" --vm "name=x,cpus=1"
mk_fail 2 'takes no value' "expect-refused=1" "${o[@]}" --vm "image=$hello,expect-refused=1"
mk_fail 2 "'small-pages' takes no value" "small-pages=1" "${o[@]}" --vm "image=$hello,small-pages=1"
mk_fail 2 'no -o' "--check with -o" --check "${o[@]}" --vm "image=$hello"

mk_fail 1 "bad cpus '0'" "cpus=0" "${o[@]}" --vm "image=$hello,cpus=0"
mk_fail 1 "bad cpus '9'.*1 to 8" "cpus=9" "${o[@]}" --vm "image=$hello,cpus=9"
mk_fail 1 "bad cpus 'two'" "cpus=two" "${o[@]}" --vm "image=$hello,cpus=two"
mk_fail 1 "bad cpus '-1'" "cpus=-1" "${o[@]}" --vm "image=$hello,cpus=-1"
mk_fail 1 "bad mem '3M'.*multiple of 2 MiB" "mem=3M (not a 2 MiB multiple)" "${o[@]}" --vm "image=$hello,mem=3M"
mk_fail 1 "bad mem '2M'.*from 4 MiB" "mem=2M (below 4 MiB)" "${o[@]}" --vm "image=$hello,mem=2M"
mk_fail 1 "bad mem '6G'.*to 4 GiB" "mem=6G (above 4 GiB)" "${o[@]}" --vm "image=$hello,mem=6G"
mk_fail 1 "bad mem '0'" "mem=0" "${o[@]}" --vm "image=$hello,mem=0"
mk_fail 1 "bad mem '64Q'" "mem=64Q (unknown unit)" "${o[@]}" --vm "image=$hello,mem=64Q"
mk_fail 1 "bad mem '99999999999999999999M'" "mem that overflows" "${o[@]}" \
	--vm "image=$hello,mem=99999999999999999999M"
mk_fail 1 "bad name 'a b'" "a name with a space" "${o[@]}" --vm "image=$hello,name=a b"
mk_fail 1 "bad name '-vm'" "a name starting with '-'" "${o[@]}" --vm "image=$hello,name=-vm"
mk_fail 1 "bad name 'vm/1'" "a name with a slash" "${o[@]}" --vm "image=$hello,name=vm/1"
name32=$(printf 'n%.0s' {1..32})
mk_fail 1 "bad name '$name32'.*1 to 31" "a 32-character name" "${o[@]}" --vm "image=$hello,name=$name32"
mk_fail 1 "two VMs are named 'hello'" "two VMs with the same (default) name" "${o[@]}" \
	--vm "image=$hello" --vm "image=$guests/hello.signed"
mk_fail 1 "two VMs are named 'x'" "two VMs with the same name=" "${o[@]}" \
	--vm "image=$hello,name=x" --vm "image=$guests/smp.signed,name=x"
cmd256=$(printf 'c%.0s' {1..256})
mk_fail 1 'cmdline is 256 characters; at most 255' "a 256-character cmdline" "${o[@]}" \
	--vm "image=$hello,cmdline=$cmd256"
mk_fail 1 'non-printable character \(0x09\)' "a cmdline with a tab" "${o[@]}" \
	--vm "image=$hello,cmdline=a$(printf '\t')b"
mk_fail 1 'non-printable character \(0x0a\)' "a cmdline with a newline" "${o[@]}" \
	--vm "image=$hello,cmdline=a
b"
mk_fail 1 "VM nope: image $tmp/nope.img: No such file" "a missing image" "${o[@]}" --vm "image=$tmp/nope.img"
mk_fail 1 'not a regular file' "an image that is a directory" "${o[@]}" --vm "image=$tmp,name=d"
: >"$tmp/empty.img"
mk_fail 1 'is 0 bytes' "an empty image" "${o[@]}" --vm "image=$tmp/empty.img"
mk_fail 1 'hello.img is not signed.*kcore-sign sign' "an unsigned image" "${o[@]}" \
	--vm "image=$guests/hello.img"
head -c 5000 /dev/urandom >"$tmp/random.bin"
"$ks" sign --key "$build/keys/dev.priv" "$tmp/random.bin" "$tmp/random.signed" >/dev/null
mk_fail 1 'not an arm64 Image' "a signed file that is not an arm64 Image" "${o[@]}" \
	--vm "image=$tmp/random.signed"
# hello.img with text_offset 0x100 (bytes 8..15), signed again.
cp "$guests/hello.img" "$tmp/odd.img"
printf '\x00\x01' | dd of="$tmp/odd.img" bs=1 seek=8 conv=notrunc status=none
"$ks" sign --key "$build/keys/dev.priv" "$tmp/odd.img" "$tmp/odd.signed" >/dev/null
mk_fail 1 'text_offset 0x100.*4 KiB' "an Image whose text_offset is not page aligned" \
	"${o[@]}" --vm "image=$tmp/odd.signed"
# hello.img claiming image_size 3 MiB (bytes 16..23): with the DTB it needs more than 4 MiB.
cp "$guests/hello.img" "$tmp/big.img"
printf '\x00\x00\x30' | dd of="$tmp/big.img" bs=1 seek=16 conv=notrunc status=none
"$ks" sign --key "$build/keys/dev.priv" "$tmp/big.img" "$tmp/big.signed" >/dev/null
mk_fail 1 'do not fit in mem=4 MiB' "an image (image_size 3 MiB) that does not fit in mem=4M" \
	"${o[@]}" --vm "image=$tmp/big.signed,mem=4M"
mk_fail 1 "VM hello: initrd $tmp/nope: No such file" "a missing initrd" "${o[@]}" \
	--vm "image=$hello,initrd=$tmp/nope"
mk_fail 1 'initrd .*random.bin is not signed' "an unsigned initrd" "${o[@]}" \
	--vm "image=$hello,initrd=$tmp/random.bin"
nine=()
for i in 1 2 3 4 5 6 7 8 9; do nine+=(--vm "image=$hello,name=vm$i"); done
mk_fail 1 'too many VMs: at most 8' "nine VMs" "${o[@]}" "${nine[@]}"

# ---- kcore-mkpayload: accepted edge cases --------------------------------------------------
mk_ok() { # DESC ARGS...
	local desc=$1
	shift
	rm -f "$tmp/out.pl"
	if "$mk" "$@" >"$tmp/stdout" 2>"$tmp/stderr" && [ ! -s "$tmp/stderr" ]; then
		ok "kcore-mkpayload: $desc"
	else
		not_ok "kcore-mkpayload: $desc ($(head -c 200 "$tmp/stderr"))"
	fi
}
cmd255=$(printf 'c%.0s' {1..255})
mk_ok "accepts a 255-character cmdline" "${o[@]}" --vm "image=$hello,cmdline=$cmd255"
mk_ok "accepts a 31-character name, mem=4M, cpus=8" "${o[@]}" \
	--vm "image=$hello,name=$(printf 'n%.0s' {1..31}),mem=4M,cpus=8"
mk_ok "accepts mem as bytes, K, MiB and G" "${o[@]}" --vm "image=$hello,name=a,mem=8388608" \
	--vm "image=$hello,name=b,mem=8192K" --vm "image=$hello,name=c,mem=8MiB" \
	--vm "image=$hello,name=d,mem=1G"
eight=()
for i in 1 2 3 4 5 6 7 8; do eight+=(--vm "image=$hello,name=vm$i"); done
mk_ok "accepts eight VMs" "${o[@]}" "${eight[@]}"
mk_ok "--allow-unsigned accepts an unsigned image" --allow-unsigned "${o[@]}" \
	--vm "image=$guests/hello.img"
rm -f "$tmp/out.pl"
"$mk" --check --vm "image=$hello" >"$tmp/stdout" 2>"$tmp/stderr" && [ ! -s "$tmp/stderr" ] && [ -z "$(ls "$tmp"/out.pl* 2>/dev/null)" ]
result "kcore-mkpayload: --check accepts a good SPEC and writes nothing"
"$mk" --help >"$tmp/stdout" 2>&1 &&
	[ "$(grep -cE '^  (image|name|initrd|cpus|mem|expect-refused|small-pages|cmdline)=?' "$tmp/stdout")" -eq 8 ]
result "kcore-mkpayload: --help exits 0 and describes every SPEC item"

# ---- kcore-mkpayload: the layout, read back ------------------------------------------------
head -c 10000 /dev/urandom >"$tmp/initrd.bin"
"$ks" sign --key "$build/keys/dev.priv" "$tmp/initrd.bin" "$tmp/initrd.signed" >/dev/null
pl=$tmp/layout.pl
ms=$guests/memstress.signed
if "$mk" --attacks -o "$pl" --vm "image=$hello" \
	--vm "image=$ms,name=ms-2,initrd=$tmp/initrd.signed,cpus=3,mem=128M,expect-refused,cmdline=mib=8,console=x y"; then
	ok "kcore-mkpayload: builds a two-VM payload"
else
	not_ok "kcore-mkpayload: builds a two-VM payload"
fi
total=$(size_of "$pl")
check "layout: header magic KCPAYLD1" [ "$(head -c 8 "$pl")" = KCPAYLD1 ]
check "layout: nr_vms = 2" [ "$(le "$pl" 8 4)" -eq 2 ]
check "layout: flags = KCORE_PAYLOAD_F_ATTACKS with --attacks" [ "$(le "$pl" 12 4)" -eq 1 ]
[ "$(le "$pl" 16 8)" -eq "$total" ] && [ $((total % 4096)) -eq 0 ]
result "layout: total_size = the file's size, a multiple of 4 KiB"
check "layout: header snapshot paths (none) and reserved bytes are zero" zero "$pl" 24 40
# VM 0 at 64, VM 1 at 64 + 368; files from 4096 on.
r0=64
r1=$((64 + 368))
size0=$(size_of "$hello")
size1=$(size_of "$ms")
sizei=$(size_of "$tmp/initrd.signed")
off0=4096
off1=$(((off0 + size0 + 4095) / 4096 * 4096))
offi=$(((off1 + size1 + 4095) / 4096 * 4096))
[ "$(str "$pl" $r0 32)" = hello ] && zero "$pl" $((r0 + 5)) 27
result "layout: VM 0 name 'hello' (from the image's file name), NUL-padded"
[ "$(le "$pl" $((r0 + 32)) 4)" -eq 1 ] && [ "$(le "$pl" $((r0 + 36)) 4)" -eq 0 ] &&
	[ "$(le "$pl" $((r0 + 40)) 8)" -eq $((64 << 20)) ]
result "layout: VM 0 nr_vcpus 1, flags 0, mem 64 MiB (the defaults)"
[ "$(le "$pl" $((r0 + 48)) 8)" -eq "$off0" ] && [ "$(le "$pl" $((r0 + 56)) 8)" -eq "$size0" ] &&
	zero "$pl" $((r0 + 64)) 16
result "layout: VM 0 image at 4096, its size; no initrd (offset and size 0)"
check "layout: VM 0 cmdline empty, reserved zero" zero "$pl" $((r0 + 80)) 288
[ "$(str "$pl" $r1 32)" = ms-2 ] && [ "$(le "$pl" $((r1 + 32)) 4)" -eq 3 ] &&
	[ "$(le "$pl" $((r1 + 36)) 4)" -eq 1 ] && [ "$(le "$pl" $((r1 + 40)) 8)" -eq $((128 << 20)) ]
result "layout: VM 1 name 'ms-2', nr_vcpus 3, flags EXPECT_REFUSED, mem 128 MiB"
[ "$(le "$pl" $((r1 + 48)) 8)" -eq "$off1" ] && [ "$(le "$pl" $((r1 + 56)) 8)" -eq "$size1" ] &&
	[ "$(le "$pl" $((r1 + 64)) 8)" -eq "$offi" ] && [ "$(le "$pl" $((r1 + 72)) 8)" -eq "$sizei" ]
result "layout: VM 1 image and initrd at the next 4 KiB boundaries, with their sizes"
[ "$(str "$pl" $((r1 + 80)) 256)" = "mib=8,console=x y" ] && zero "$pl" $((r1 + 80 + 17)) 239
result "layout: VM 1 cmdline kept whole, commas and spaces included, NUL-padded"
check "layout: VM 1 reserved zero" zero "$pl" $((r1 + 336)) 32
check "layout: the tables are padded with zeros up to 4096" zero "$pl" $((r1 + 368)) $((4096 - r1 - 368))
same "$pl" "$off0" "$hello" && same "$pl" "$off1" "$ms" && same "$pl" "$offi" "$tmp/initrd.signed"
result "layout: each file's bytes, unchanged, at its offset"
zero "$pl" $((off0 + size0)) $((off1 - off0 - size0)) &&
	zero "$pl" $((off1 + size1)) $((offi - off1 - size1)) &&
	zero "$pl" $((offi + sizei)) $((total - offi - sizei))
result "layout: the gaps between files are zero"
check "layout: the payload ends at the last file's 4 KiB boundary" \
	[ "$total" -eq $(((offi + sizei + 4095) / 4096 * 4096)) ]
"$mk" -o "$pl" --vm "image=$hello"
[ "$(le "$pl" 12 4)" -eq 0 ] && [ "$(le "$pl" 8 4)" -eq 1 ] && [ "$(size_of "$pl")" -eq $(((4096 + size0 + 4095) / 4096 * 4096)) ]
result "layout: flags = 0 without --attacks; a payload is replaced whole"
"$mk" -o "$pl" --vm "image=$hello,small-pages" --vm "image=$hello,name=b,small-pages,expect-refused"
[ "$(le "$pl" $((r0 + 36)) 4)" -eq 2 ] && [ "$(le "$pl" $((r1 + 36)) 4)" -eq 3 ]
result "layout: VM flags SMALL_PAGES (2) with small-pages, 3 with expect-refused too"

# ---- kcore-run: argument errors --------------------------------------------------------
# run_fail REASON DESC ARGS...: exit 2, a one-line message, nothing signed or booted.
run_fail() {
	local reason=$1 desc=$2 rc
	shift 2
	"$run" --build "$build" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	if [ "$rc" -ne 2 ]; then
		not_ok "kcore-run: $desc (exit $rc, want 2: $(head -c 200 "$tmp/stderr"))"
	elif [ "$(wc -l <"$tmp/stderr")" -ne 1 ] || ! grep -Eq '^kcore-(run|mkpayload): ' "$tmp/stderr"; then
		not_ok "kcore-run: $desc (stderr is not one line: $(head -c 300 "$tmp/stderr"))"
	elif ! grep -Eq -- "$reason" "$tmp/stderr"; then
		not_ok "kcore-run: $desc (message '$(cat "$tmp/stderr")' lacks /$reason/)"
	elif [ -s "$tmp/stdout" ]; then
		not_ok "kcore-run: $desc (it printed on stdout: $(head -c 200 "$tmp/stdout"))"
	else
		ok "kcore-run: $desc"
	fi
}
himg=$guests/hello.img
run_fail 'no VM to run' "no --vm"
run_fail "unknown argument '--fast'" "an unknown option" --fast --vm "image=$himg"
run_fail '--vm needs an argument' "--vm without a SPEC" --vm
run_fail '--cpus takes a number from 1 to 8' "--cpus 0" --cpus 0 --vm "image=$himg"
run_fail "--cpus takes a number from 1 to 8, not '9'" "--cpus 9" --cpus 9 --vm "image=$himg"
run_fail "--cpus takes .* not 'x'" "--cpus x" --cpus x --vm "image=$himg"
run_fail '--mem must be 512M to 4G' "--mem 256M" --mem 256M --vm "image=$himg"
run_fail '--mem must be 512M to 4G' "--mem 8G" --mem 8G --vm "image=$himg"
run_fail '--mem takes a size' "--mem lots" --mem lots --vm "image=$himg"
run_fail '--timeout takes a number of seconds' "--timeout 0" --timeout 0 --vm "image=$himg"
run_fail '--timeout takes a number of seconds' "--timeout 1.5" --timeout 1.5 --vm "image=$himg"
run_fail '--cpu takes a QEMU CPU model' "--cpu with a space" --cpu "a b" --vm "image=$himg"
run_fail '--cpus takes .* not '"'"'9'"'" "--cpus=9 (the = form)" --cpus=9 --vm "image=$himg"
run_fail 'No such file' "a missing image" --vm "image=$tmp/nope.img"
run_fail "bad cpus '9'" "a bad SPEC value (checked before any signing)" --vm "image=$himg,cpus=9"
run_fail "unknown item 'colour'" "an unknown SPEC item" --vm "image=$himg,colour=red"
run_fail 'is missing: run make' "a build directory without kcore" --build "$tmp/nobuild" --vm "image=$himg"
run_fail 'runs one VM' "--host linux with two --vm" --host linux --vm "image=$himg" --vm "image=$himg"
run_fail "'colour=red' is not a --vm item it takes" "--host linux: a --vm item kcore-vmm has no use for" \
	--host linux --vm "image=$himg,colour=red"
run_fail "'$tmp/none.img' is not a readable file" "--host linux: a --vm disk that is not there" \
	--host linux --vm "image=$himg,disk=$tmp/none.img"
run_fail 'needs image=PATH' "--host linux: a --vm without an image" --host linux --vm "cpus=2"
head -c 65536 /dev/zero >"$tmp/vmdisk.img"
"$run" --build "$build" --host linux --cpus 2 --dry-run \
	--vm "image=$himg,name=u,cpus=2,mem=128M,disk=$tmp/vmdisk.img,rng,net,cmdline=console=ttyAMA0 a,b" \
	>"$tmp/stdout" 2>"$tmp/stderr" &&
	grep -q 'kcore.expect_cpus=2.*kcore.run=/vm.args' "$tmp/stdout" &&
	grep -q "vmdisk.img,if=none,format=raw,id=vmdisk -device virtio-blk-pci,drive=vmdisk" "$tmp/stdout" &&
	grep -q "guest-loader,addr=0x58000000,initrd=.*kcore-run.initrd" "$tmp/stdout" &&
	grep -qa -- '--image' "$build/kcore-run.initrd" &&
	[ "$(grep -ac -e '^/dev/vda$' -e '^--rng$' -e '^bridge=br0$' -e '^console=ttyAMA0 a,b$' -e '^/vm.signed$' "$build/kcore-run.initrd")" -eq 5 ] &&
	grep -q "signing $himg" "$tmp/stderr"
result "kcore-run --host linux --vm ... --dry-run: kcore.run=/vm.args, the disk as the host's virtio-blk-pci, kcore-vmm's arguments (disk, rng, net, the command line with its commas) in the appended archive, the image signed"
rm -f "$build/kcore-run.initrd"
run_fail "--host takes kserv or linux, not 'bsd'" "an unknown --host" --host bsd --vm "image=$himg"
run_fail 'takes none of --attacks' "--host linux with --attacks" --host linux --attacks
"$run" --build "$build" --host linux --cpus 2 --dry-run >"$tmp/stdout" 2>/dev/null &&
	grep -q 'guest-loader.*addr=0x50000000.*kernel=.*linux/Image.*bootargs=console=ttyAMA0.*kcore.expect_cpus=2' "$tmp/stdout" &&
	grep -q 'guest-loader,addr=0x58000000,initrd=.*linux/host-initramfs.cpio' "$tmp/stdout" &&
	! grep -q -- '-initrd' "$tmp/stdout"
result "kcore-run --host linux --dry-run: Debian's kernel and the host initramfs as guest-loader modules, no kserv payload"
"$run" --help >"$tmp/stdout" 2>&1 &&
	[ "$(grep -cE '^  --(cpus|mem|timeout|icount|cpu|attacks|key|build|payload|dry-run) ' "$tmp/stdout")" -eq 10 ]
result "kcore-run: --help exits 0 and lists every option"

# ---- kcore-run: signing and the payload (--dry-run) ---------------------------------------
# file_at PAYLOAD VM: extracts VM's image (index 0..) from a payload to $tmp/x.img.
file_at() {
	local r=$((64 + 368 * $2))
	tail -c +"$(($(le "$1" $((r + 48)) 8) + 1))" "$1" | head -c "$(le "$1" $((r + 56)) 8)" >"$tmp/x.img"
}
dp=$tmp/dry.pl
"$run" --build "$build" --dry-run --payload "$dp" --vm "image=$himg" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
check "kcore-run --dry-run: exits 0" [ "$rc" -eq 0 ]
check "kcore-run: says it signs an unsigned image with the development key (exact line)" \
	grep -qxF "kcore-run: signing $himg with the development key $build/keys/dev.priv" "$tmp/stderr"
file_at "$dp" 0
"$ks" verify --pub "$build/keys/dev.pub" "$tmp/x.img" >/dev/null
result "kcore-run: the payload holds the image signed with the development key"
check "kcore-run: ... and the signed payload is the unsigned image, unchanged" \
	cmp -s -n "$(size_of "$himg")" "$tmp/x.img" "$himg"
check "kcore-run: the VM is named after the user's file, not the signed copy" [ "$(str "$dp" 64 32)" = hello ]
check "kcore-run: the QEMU command boots kcore.img with the payload as the initrd" \
	grep -qE "^qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,iommu=smmuv3 -cpu max -smp 4 -m 1G -nographic -nic none -kernel [^ ]*/kcore.img -initrd $dp $" "$tmp/stdout"
"$run" --build "$build" --kcore "$build/release/kcore.img" --dry-run --payload "$dp" --vm "image=$hello" \
	>"$tmp/stdout" 2>"$tmp/stderr"
check "kcore-run --kcore: QEMU boots that image instead of BUILD/kcore.img" \
	grep -qE -- "-kernel $build/release/kcore.img -initrd $dp \$" "$tmp/stdout"
"$run" --build "$build" --kcore "$tmp/no-such.img" --dry-run --vm "image=$hello" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
check "kcore-run --kcore: a missing image is refused before anything is booted (exit 2, names it)" \
	eval '[ "$rc" -eq 2 ] && grep -qF "$tmp/no-such.img is missing" "$tmp/stderr"'
"$run" --build "$build" --dry-run --payload "$dp" --icount --cpus 2 --mem 2G --cpu cortex-a72 --attacks \
	--vm "image=$hello,cpus=2" --vm "image=$ms,name=m,mem=128M,cmdline=mib=8" >"$tmp/stdout" 2>"$tmp/stderr" &&
	! grep -q signing "$tmp/stderr" && { file_at "$dp" 0 && cmp -s "$tmp/x.img" "$hello"; }
result "kcore-run: an image that is already signed is not signed again"
check "kcore-run: --cpus, --mem, --cpu and --icount reach QEMU" \
	grep -q -- "-cpu cortex-a72 -smp 2 -m 2G .* -icount shift=0" "$tmp/stdout"
[ "$(le "$dp" 12 4)" -eq 1 ] && [ "$(le "$dp" $((64 + 32)) 4)" -eq 2 ] &&
	[ "$(str "$dp" $((64 + 368)) 32)" = m ] && [ "$(str "$dp" $((64 + 368 + 80)) 256)" = mib=8 ]
result "kcore-run: --attacks sets the payload flag; SPEC items reach the payload"
"$run" --build "$build" --dry-run --payload "$dp" --edu --vm "image=$hello" >"$tmp/stdout" 2>"$tmp/stderr"
check "kcore-run: --edu adds the edu device, its DMA mask widened to 40 bits" \
	grep -q -- "-initrd $dp -device edu,dma_mask=0xffffffffff \$" "$tmp/stdout"
"$ks" keygen "$tmp/other" >/dev/null 2>&1
"$run" --build "$build" --dry-run --payload "$dp" --key "$tmp/other.priv" \
	--vm "image=$himg,initrd=$tmp/initrd.bin" >"$tmp/stdout" 2>"$tmp/stderr" &&
	grep -qxF "kcore-run: signing $himg with the key $tmp/other.priv" "$tmp/stderr" &&
	grep -qxF "kcore-run: signing $tmp/initrd.bin with the key $tmp/other.priv" "$tmp/stderr" &&
	{ file_at "$dp" 0 && "$ks" verify --pub "$tmp/other.pub" "$tmp/x.img" >/dev/null; }
result "kcore-run --key: signs the image and the initrd with that key, and says so"

# ---- kcore-run: the verdict, from kserv's markers (a stand-in kcore) ----------------------------
fb=$tmp/fakebuild
mkdir -p "$fb/tools" "$fb/keys"
abs() { case $1 in /*) echo "$1" ;; *) echo "$top/$1" ;; esac }
ln -s "$(abs "$fake")" "$fb/kcore.img"
ln -s "$(abs "$mk")" "$(abs "$ks")" "$fb/tools/"
ln -s "$(abs "$build/keys/dev.priv")" "$fb/keys/"
# verdict DESC WANT_RC MSG_REGEX [kcore-run args...]: the script lines go in cmdlines.
verdict() {
	local desc=$1 want=$2 msg=$3 rc start elapsed
	shift 3
	start=$(date +%s)
	"$run" --build "$fb" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	elapsed=$(($(date +%s) - start))
	if [ "$rc" -ne "$want" ]; then
		not_ok "kcore-run verdict: $desc (exit $rc, want $want: $(tr '\n' ' ' <"$tmp/stderr" | head -c 300))"
	elif ! grep -Eq -- "$msg" "$tmp/stderr"; then
		not_ok "kcore-run verdict: $desc (stderr lacks /$msg/: $(tr '\n' ' ' <"$tmp/stderr" | head -c 300))"
	elif [ "$elapsed" -gt 20 ]; then
		not_ok "kcore-run verdict: $desc (took ${elapsed}s)"
	else
		ok "kcore-run verdict: $desc"
	fi
}
good="KSERV: VM hello verified;[hello] GUEST hello: PASS;KSERV: VM hello powered off"
verdict "every VM powered off and kserv is done: exit 0" 0 \
	'^kcore-run: every VM ended as expected: hello powered off$' \
	--vm "image=$hello,cmdline=$good;KSERV: VMS DONE ok=1 failed=0"
check "kcore-run streams the console to stdout (kserv's CRLF line ends kept)" \
	grep -qx $'\\[hello\\] GUEST hello: PASS\r' "$tmp/stdout"
verdict "a VM refused by verification: exit 1, named" 1 \
	'^kcore-run: VM hello failed signature verification$' \
	--vm "image=$hello,cmdline=KSERV: VM hello refused: verification failed;KSERV: VMS DONE ok=0 failed=1"
verdict "one VM refused, the other fine: exit 1" 1 '^kcore-run: VM bad failed signature verification$' \
	--vm "image=$hello,name=bad,cmdline=KSERV: VM bad refused: verification failed" \
	--vm "image=$hello,cmdline=$good;KSERV: VMS DONE ok=1 failed=1"
verdict "a VM expected to be refused and refused: exit 0" 0 'bad refused, as expected; hello powered off' \
	--vm "image=$hello,name=bad,expect-refused,cmdline=KSERV: VM bad refused: verification failed" \
	--vm "image=$hello,cmdline=$good;KSERV: VMS DONE ok=2 failed=0"
verdict "a VM expected to be refused but verified: exit 1" 1 'VM bad passed signature verification, but was expected to be refused' \
	--vm "image=$hello,name=bad,expect-refused,cmdline=KSERV: VM bad verified;KSERV: VM bad powered off;KSERV: VMS DONE ok=1 failed=0"
verdict "a VM kserv reports failed: exit 1 with kserv's reason" 1 '^kcore-run: VM hello failed: vCPU 0 stuck$' \
	--vm "image=$hello,cmdline=KSERV: VM hello verified;KSERV: VM hello failed: vCPU 0 stuck;KSERV: VMS DONE ok=0 failed=1"
verdict "a VM that never powers off: exit 1" 1 '^kcore-run: VM hello did not power off$' \
	--vm "image=$hello,cmdline=KSERV: VM hello verified;KSERV: VMS DONE ok=0 failed=1"
verdict "kserv's counts disagree with the VMs: exit 1" 1 'kserv reports ok=1 failed=1 for 1 VMs' \
	--vm "image=$hello,cmdline=$good;KSERV: VMS DONE ok=1 failed=1"
verdict "every VM ended well but kserv's end-of-run checks failed: exit 1" 1 \
	"^kcore-run: kserv's end-of-run checks failed \\(RUN CHECKS FAILED \\(invariants\\)\\)$" \
	--vm "image=$hello,cmdline=$good;KSERV: RUN CHECKS FAILED (invariants);KSERV: VMS DONE ok=1 failed=0"
verdict "kcore panics: exit 4 at once, not at the timeout" 4 '^kcore-run: kcore panicked \(kcore: PANIC: broken invariant\)$' \
	--timeout 30 --vm "image=$hello,cmdline=kcore: PANIC: broken invariant;hang"
verdict "kserv fails: exit 5" 5 '^kcore-run: kserv failed \(KSERV: FAILED: unexpected exception\)$' \
	--vm "image=$hello,cmdline=KSERV: VM hello verified;KSERV: FAILED: unexpected exception"
verdict "nothing ends the run: exit 3 after --timeout" 3 '^kcore-run: timed out after 3s \(VM hello did not power off\)$' \
	--timeout 3 --vm "image=$hello,cmdline=KSERV: VM hello verified;hang"
verdict "QEMU ends without kserv's last marker: exit 5" 5 "no 'KSERV: VMS DONE' line" \
	--vm "image=$hello,cmdline=$good"
verdict "a malformed last marker: exit 5" 5 'malformed' \
	--vm "image=$hello,cmdline=$good;KSERV: VMS DONE all good"
verdict "markers a guest prints (prefixed [name]) do not count" 1 'VM hello did not power off' \
	--vm "image=$hello,cmdline=KSERV: VM hello verified;[hello] KSERV: VM hello powered off;KSERV: VMS DONE ok=0 failed=1"
verdict "a marker inside a guest line does not end the run either" 3 'timed out' \
	--timeout 3 --vm "image=$hello,cmdline=[hello] KSERV: VMS DONE ok=1 failed=0;[hello] kcore: PANIC: fake;hang"
# The marker check: a kcore.img whose kserv does not know payloads is refused at once.
fb2=$tmp/oldbuild
mkdir -p "$fb2"
cp -r "$fb/tools" "$fb/keys" "$fb2/"
head -c 4096 /dev/zero >"$fb2/kcore.img"
"$run" --build "$fb2" --vm "image=$hello" >"$tmp/stdout" 2>"$tmp/stderr"
[ $? -eq 5 ] && grep -q 'cannot run VMs yet' "$tmp/stderr"
result "kcore-run: a kcore.img without payload support is refused at once (exit 5, says so)"

echo "# launcher: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
