#!/usr/bin/env bash
# End-to-end test of kcore-sign (docs/image-format.md): key files, signing,
# every way a signed image can be damaged, key selection, the generated key
# table, error reporting and exit codes. Prints one "ok - ..." or
# "not ok - ..." line per check; exits 0 only if every check passed.
#
# usage: tests/scripts/kcore_sign.sh [BUILD_DIR]   (default: build)
# Uses BUILD_DIR/tools/kcore-sign (make builds it). KEEP_TMP=1 keeps the scratch
# directory for inspection.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
build=${1:-build}
ks="$build/tools/kcore-sign"

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
verdict() { # DESC: passes if the command just before succeeded (for && chains)
	if [ "$?" -eq 0 ]; then ok "$1"; else not_ok "$1"; fi
}

if [ ! -x "$ks" ]; then
	not_ok "$ks is built (run make first)"
	echo "# kcore_sign: $pass passed, $fail failed"
	exit 1
fi

tmp=$(mktemp -d)
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"' EXIT

# run ARGS...: runs the tool; sets rc, leaves stdout/stderr in $tmp/out, $tmp/err.
run() {
	"$ks" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# The error contract: exactly one line on stderr, starting with "kcore-sign: ".
one_error_line() {
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^kcore-sign: ' "$tmp/err"
}

# expect_fail WANT_RC REASON DESC ARGS...: the tool exits WANT_RC with one
# error line containing REASON (a grep -E pattern; "" for any).
expect_fail() {
	local want=$1 reason=$2 desc=$3
	shift 3
	run "$@"
	if [ "$rc" -ne "$want" ]; then
		not_ok "$desc (exit $rc, want $want)"
	elif ! one_error_line; then
		not_ok "$desc (stderr is not one 'kcore-sign: ' line: $(head -c 200 "$tmp/err"))"
	elif [ -n "$reason" ] && ! grep -Eq "$reason" "$tmp/err"; then
		not_ok "$desc (reason '$(cat "$tmp/err")' lacks /$reason/)"
	else
		ok "$desc"
	fi
}

size_of() { stat -c %s "$1"; }

# flip_byte FILE OFFSET: xors the byte at OFFSET with 0x01, in place.
flip_byte() {
	local v
	v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the escaped byte on purpose
	printf "\\$(printf '%03o' $((v ^ 1)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# hex_to_bin HEX: writes the bytes to stdout.
hex_to_bin() {
	# shellcheck disable=SC2001,SC2059 # sed builds the printf format on purpose
	printf "$(sed 's/../\\x&/g' <<<"$1")"
}

key_hex() { sed -n 2p "$1"; } # the first key of a key file

# ---- keygen -------------------------------------------------------------------
run keygen "$tmp/a"
check "keygen exits 0" [ "$rc" -eq 0 ]
[ -f "$tmp/a.priv" ] && [ "$(stat -c %a "$tmp/a.priv")" = 600 ]
verdict "keygen writes PREFIX.priv with mode 0600"
[ "$(sed -n 1p "$tmp/a.priv")" = "kcore-p256-private v1" ] &&
	sed -n 2p "$tmp/a.priv" | grep -Eqx "[0-9a-f]{64}" && [ "$(wc -l <"$tmp/a.priv")" -eq 2 ]
verdict "private key file: header line and 64 lowercase hex digits"
[ "$(sed -n 1p "$tmp/a.pub")" = "kcore-p256-public v1" ] &&
	sed -n 2p "$tmp/a.pub" | grep -Eqx "04[0-9a-f]{128}" && [ "$(wc -l <"$tmp/a.pub")" -eq 2 ]
verdict "public key file: header line and 130 lowercase hex digits starting 04"

cp "$tmp/a.priv" "$tmp/a.priv.orig"
expect_fail 1 "exists" "keygen refuses to overwrite an existing key" keygen "$tmp/a"
check "the refused keygen left the existing key untouched" cmp -s "$tmp/a.priv" "$tmp/a.priv.orig"

run keygen "$tmp/b"
[ "$rc" -eq 0 ] && [ "$(key_hex "$tmp/a.pub")" != "$(key_hex "$tmp/b.pub")" ]
verdict "second keygen gives a different key"

# ---- fingerprint ----------------------------------------------------------------
run fingerprint "$tmp/a.pub"
fp_a=$(cat "$tmp/out")
want_fp=$(hex_to_bin "$(key_hex "$tmp/a.pub")" | sha256sum | cut -d' ' -f1)
[ "$rc" -eq 0 ] && [ "$fp_a" = "$want_fp" ]
verdict "fingerprint is SHA-256 of the 65-byte public key"
fp_b=$("$ks" fingerprint "$tmp/b.pub")

# ---- sign ---------------------------------------------------------------------
head -c 10000 /dev/urandom >"$tmp/payload"
run sign --key "$tmp/a.priv" "$tmp/payload" "$tmp/img"
check "sign exits 0" [ "$rc" -eq 0 ]
check "signed image is payload + 256 bytes" \
	[ "$(size_of "$tmp/img")" -eq $(($(size_of "$tmp/payload") + 256)) ]
check "signed image starts with the unchanged payload" \
	cmp -s -n "$(size_of "$tmp/payload")" "$tmp/img" "$tmp/payload"

t=$(($(size_of "$tmp/img") - 256)) # trailer offset
trailer_hex=$(od -An -v -tx1 -j "$t" -N 256 "$tmp/img" | tr -d ' \n')
check "trailer: magic KCORESIG, version 1, alg 1 (LE)" \
	[ "${trailer_hex:0:32}" = "4b434f5245534947""01000000""01000000" ]
check "trailer: payload_size as LE u64" \
	[ "${trailer_hex:32:16}" = "$(printf '%016x' "$t" | sed 's/../& /g' | tr ' ' '\n' | tac | tr -d '\n')" ]
check "trailer: key_id is the key's fingerprint" [ "${trailer_hex:48:64}" = "$fp_a" ]
check "trailer: 136 reserved bytes are zero" [ "${trailer_hex:112:272}" = "$(printf '0%.0s' {1..272})" ]

run sign --key "$tmp/a.priv" "$tmp/payload" "$tmp/img2"
check "signing is deterministic (same payload, same key, same file)" cmp -s "$tmp/img" "$tmp/img2"

# ---- verify -----------------------------------------------------------------------
run verify --pub "$tmp/a.pub" "$tmp/img"
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "OK key $fp_a" ]
verdict "verify accepts the signed image and names the key"

run is-signed "$tmp/img"
check "is-signed: signed image exits 0" [ "$rc" -eq 0 ]
expect_fail 1 "magic" "is-signed: unsigned file exits 1" is-signed "$tmp/payload"

# An independent check of what is signed: OpenSSL verifies the raw r||s over
# payload || trailer[0,192) with the public key.
if command -v openssl >/dev/null 2>&1; then
	der_int() { # 32-byte big-endian hex -> DER INTEGER hex
		local v=$1
		while [ "${#v}" -gt 2 ] && [ "${v:0:2}" = 00 ]; do v=${v:2}; done
		[ $((16#${v:0:1})) -ge 8 ] && v="00$v"
		printf '02%02x%s' $((${#v} / 2)) "$v"
	}
	sig=${trailer_hex:384:128}
	body="$(der_int "${sig:0:64}")$(der_int "${sig:64:64}")"
	hex_to_bin "30$(printf '%02x' $((${#body} / 2)))$body" >"$tmp/sig.der"
	hex_to_bin "3059301306072a8648ce3d020106082a8648ce3d030107034200$(key_hex "$tmp/a.pub")" |
		openssl pkey -pubin -inform DER -out "$tmp/a.pem" 2>/dev/null
	head -c $((t + 192)) "$tmp/img" >"$tmp/signed-bytes"
	openssl dgst -sha256 -verify "$tmp/a.pem" -signature "$tmp/sig.der" "$tmp/signed-bytes" \
		>/dev/null 2>&1
	verdict "openssl agrees: ECDSA P-256/SHA-256 over payload || trailer[0,192)"
else
	ok "openssl cross-check # SKIP openssl not installed"
fi

# ---- every kind of damage is refused with exit 1 and its own reason ----------------
tamper() { # DESC REASON OFFSET
	cp "$tmp/img" "$tmp/bad"
	flip_byte "$tmp/bad" "$3"
	expect_fail 1 "$2" "verify refuses: $1" verify --pub "$tmp/a.pub" "$tmp/bad"
}
tamper "flipped first payload byte" "bad signature" 0
tamper "flipped middle payload byte" "bad signature" $((t / 2))
tamper "flipped last payload byte" "bad signature" $((t - 1))
tamper "trailer magic changed" "magic" $((t + 0))
tamper "trailer magic last byte changed" "magic" $((t + 7))
tamper "trailer version changed" "version" $((t + 8))
tamper "trailer sig_alg changed" "algorithm" $((t + 12))
tamper "trailer payload_size changed (low byte)" "size" $((t + 16))
tamper "trailer payload_size changed (high byte)" "size" $((t + 23))
tamper "trailer key_id changed" "not trusted" $((t + 24))
tamper "trailer first reserved byte nonzero" "reserved" $((t + 56))
tamper "trailer last reserved byte nonzero" "reserved" $((t + 191))
tamper "signature r changed" "bad signature" $((t + 192))
tamper "signature s changed" "bad signature" $((t + 255))

head -c $(($(size_of "$tmp/img") - 1)) "$tmp/img" >"$tmp/bad"
expect_fail 1 "" "verify refuses: truncated by one byte" verify --pub "$tmp/a.pub" "$tmp/bad"
head -c 255 "$tmp/img" >"$tmp/bad"
expect_fail 1 "too short" "verify refuses: shorter than a trailer" verify --pub "$tmp/a.pub" "$tmp/bad"
head -c "$t" "$tmp/img" >"$tmp/bad"
expect_fail 1 "magic" "verify refuses: trailer cut off" verify --pub "$tmp/a.pub" "$tmp/bad"
{ cat "$tmp/img"; printf 'x'; } >"$tmp/bad"
expect_fail 1 "" "verify refuses: one byte appended" verify --pub "$tmp/a.pub" "$tmp/bad"
: >"$tmp/empty"
expect_fail 1 "too short" "verify refuses: empty file" verify --pub "$tmp/a.pub" "$tmp/empty"

# A payload_size that matches a shorter file is still refused: the signature binds it.
{ head -c $((t - 1)) "$tmp/img"; tail -c 256 "$tmp/img"; } >"$tmp/bad"
printf '%016x' $((t - 1)) | sed 's/../& /g' | tr ' ' '\n' | tac | tr -d '\n' >"$tmp/size.hex"
hex_to_bin "$(cat "$tmp/size.hex")" | dd of="$tmp/bad" bs=1 seek=$((t - 1 + 16)) conv=notrunc status=none
expect_fail 1 "bad signature" "verify refuses: payload shortened and payload_size fixed up" \
	verify --pub "$tmp/a.pub" "$tmp/bad"

# ---- keys -------------------------------------------------------------------------
expect_fail 1 "not trusted" "verify with the wrong key fails" verify --pub "$tmp/b.pub" "$tmp/img"

{ cat "$tmp/b.pub"; key_hex "$tmp/a.pub"; } >"$tmp/ba.pub"
run verify --pub "$tmp/ba.pub" "$tmp/img"
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "OK key $fp_a" ]
verdict "verify finds the signing key in a multi-key file"
run verify --pub "$tmp/b.pub" --pub "$tmp/a.pub" "$tmp/img"
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "OK key $fp_a" ]
verdict "verify finds the signing key among several --pub files"

# Pointing key_id at another trusted key must not help: the signature is checked with it.
cp "$tmp/img" "$tmp/bad"
hex_to_bin "$fp_b" | dd of="$tmp/bad" bs=1 seek=$((t + 24)) conv=notrunc status=none
expect_fail 1 "bad signature" "verify refuses: key_id switched to another trusted key" \
	verify --pub "$tmp/ba.pub" "$tmp/bad"

run sign --key "$tmp/b.priv" "$tmp/payload" "$tmp/img-b"
run verify --pub "$tmp/ba.pub" "$tmp/img-b"
[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "OK key $fp_b" ]
verdict "an image signed with the other key verifies with that key"

# ---- sign refusals ------------------------------------------------------------------
expect_fail 1 "already" "sign refuses an already signed input" \
	sign --key "$tmp/a.priv" "$tmp/img" "$tmp/img-twice"
check "the refused sign wrote no output" [ ! -e "$tmp/img-twice" ]
run sign --force --key "$tmp/a.priv" "$tmp/img" "$tmp/img-twice"
[ "$rc" -eq 0 ] && "$ks" verify --pub "$tmp/a.pub" "$tmp/img-twice" >/dev/null
verdict "sign --force signs a signed input again"
expect_fail 1 "empty" "sign refuses an empty input" sign --key "$tmp/a.priv" "$tmp/empty" "$tmp/x"

# ---- embed-keys -------------------------------------------------------------------
run embed-keys "$tmp/a.pub" "$tmp/b.pub"
cp "$tmp/out" "$tmp/keys.c"
check "embed-keys exits 0" [ "$rc" -eq 0 ]
check "embed-keys output compiles (gcc -Iinclude -c, strict warnings)" \
	gcc -std=c11 -Wall -Wextra -Werror -Iinclude \
	-c "$tmp/keys.c" -o "$tmp/keys.o"
cat >"$tmp/keys_main.c" <<'EOF'
#include <stdio.h>
#include <kcore/image.h>
extern const struct kcore_trusted_key kcore_builtin_keys[];
extern const uint32_t kcore_builtin_nr_keys;
int main(void)
{
	for (uint32_t i = 0; i < kcore_builtin_nr_keys; i++) {
		for (unsigned int j = 0; j < KCORE_IMG_KEYID_SIZE; j++)
			printf("%02x", kcore_builtin_keys[i].key_id[j]);
		printf(" ");
		for (unsigned int j = 0; j < KCORE_P256_PUB_SIZE; j++)
			printf("%02x", kcore_builtin_keys[i].pub[j]);
		printf("\n");
	}
	return 0;
}
EOF
if gcc -std=c11 -Iinclude -o "$tmp/keys_main" "$tmp/keys_main.c" "$tmp/keys.o" 2>"$tmp/gcc.err"; then
	printf '%s %s\n%s %s\n' "$fp_a" "$(key_hex "$tmp/a.pub")" "$fp_b" "$(key_hex "$tmp/b.pub")" \
		>"$tmp/keys.want"
	"$tmp/keys_main" | cmp -s - "$tmp/keys.want"
	verdict "embedded table holds both keys, in order, with their key ids"
else
	not_ok "embedded table links into a program ($(head -1 "$tmp/gcc.err"))"
fi
cp "$tmp/a.pub" "$tmp/a2.pub"
expect_fail 1 "duplicate" "embed-keys refuses the same key twice" embed-keys "$tmp/a.pub" "$tmp/a2.pub"

# ---- bad inputs: one line on stderr, exit 1 ---------------------------------------------
expect_fail 1 "No such file" "missing image file" verify --pub "$tmp/a.pub" "$tmp/nonexistent"
expect_fail 1 "No such file" "missing public key file" verify --pub "$tmp/nonexistent" "$tmp/img"
expect_fail 1 "No such file" "missing private key file" sign --key "$tmp/nonexistent" "$tmp/payload" "$tmp/x"
expect_fail 1 "No such file" "missing input to sign" sign --key "$tmp/a.priv" "$tmp/nonexistent" "$tmp/x"

printf 'kcore-p256-public v1\n04zz%s\n' "$(key_hex "$tmp/a.pub" | cut -c5-)" >"$tmp/badhex.pub"
expect_fail 1 "hex" "public key with non-hex digits" fingerprint "$tmp/badhex.pub"
printf 'kcore-p256-public v1\n%s0\n' "$(key_hex "$tmp/a.pub")" >"$tmp/badlen.pub"
expect_fail 1 "hex" "public key with the wrong length" fingerprint "$tmp/badlen.pub"
printf 'kcore-p256-public v2\n%s\n' "$(key_hex "$tmp/a.pub")" >"$tmp/badhdr.pub"
expect_fail 1 "first line" "public key file with the wrong header" fingerprint "$tmp/badhdr.pub"
printf 'kcore-p256-public v1\n' >"$tmp/nokey.pub"
expect_fail 1 "no public key" "public key file with no key" fingerprint "$tmp/nokey.pub"
# Y nudged: a point off the curve must never become a trusted key.
pub_a=$(key_hex "$tmp/a.pub")
[ "${pub_a: -1}" = 0 ] && last=1 || last=0
printf 'kcore-p256-public v1\n%s\n' "${pub_a:0:129}$last" >"$tmp/offcurve.pub"
expect_fail 1 "P-256" "public key not on the curve" fingerprint "$tmp/offcurve.pub"
printf 'kcore-p256-private v1\n%s\n' "$(printf 'f%.0s' {1..64})" >"$tmp/big.priv"
expect_fail 1 "range" "private key >= group order" sign --key "$tmp/big.priv" "$tmp/payload" "$tmp/x"
printf 'kcore-p256-private v1\n%s\n' "$(printf '0%.0s' {1..64})" >"$tmp/zero.priv"
expect_fail 1 "range" "private key zero" sign --key "$tmp/zero.priv" "$tmp/payload" "$tmp/x"
printf 'kcore-p256-private v1\n' >"$tmp/nokey.priv"
expect_fail 1 "no private key" "private key file with no key" sign --key "$tmp/nokey.priv" "$tmp/payload" "$tmp/x"
expect_fail 1 "first line" "private key file with the wrong header" \
	sign --key "$tmp/a.pub" "$tmp/payload" "$tmp/x"
check "failed signs wrote no output" [ ! -e "$tmp/x" ]

# ---- bad usage: one line on stderr, exit 2 ------------------------------------------
expect_fail 2 "missing command" "no command"
expect_fail 2 "unknown command" "unknown command" frobnicate
expect_fail 2 "usage" "keygen without PREFIX" keygen
expect_fail 2 "usage" "keygen with two PREFIXes" keygen "$tmp/c" "$tmp/d"
expect_fail 2 "usage" "sign without --key" sign "$tmp/payload" "$tmp/x"
expect_fail 2 "usage" "sign without OUT" sign --key "$tmp/a.priv" "$tmp/payload"
expect_fail 2 "usage" "sign with an unknown option" sign --key "$tmp/a.priv" --fast "$tmp/payload" "$tmp/x"
expect_fail 2 "usage" "sign with --key lacking its argument" sign --key
expect_fail 2 "usage" "verify without --pub" verify "$tmp/img"
expect_fail 2 "usage" "verify without IN" verify --pub "$tmp/a.pub"
expect_fail 2 "usage" "verify with two INs" verify --pub "$tmp/a.pub" "$tmp/img" "$tmp/img"
expect_fail 2 "usage" "fingerprint without FILE" fingerprint
expect_fail 2 "usage" "is-signed without IN" is-signed
expect_fail 2 "usage" "embed-keys without FILE" embed-keys
run help
[ "$rc" -eq 0 ] &&
	[ "$(grep -cE 'kcore-sign (keygen|sign|verify|fingerprint|is-signed|embed-keys) ' "$tmp/out")" -eq 6 ]
verdict "help exits 0 and lists every command"

# ---- memory: no leaks or invalid accesses on success and failure paths --------------
if command -v valgrind >/dev/null 2>&1; then
	vg() { # DESC WANT_RC ARGS...
		local desc=$1 want=$2
		shift 2
		valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
			--error-exitcode=99 "$ks" "$@" >/dev/null 2>"$tmp/vg.err"
		local got=$?
		if [ "$got" -eq "$want" ]; then
			ok "valgrind clean: $desc"
		else
			not_ok "valgrind clean: $desc (exit $got, want $want; $(grep -m1 '==' "$tmp/vg.err"))"
		fi
	}
	vg "keygen" 0 keygen "$tmp/vg"
	vg "sign" 0 sign --key "$tmp/vg.priv" "$tmp/payload" "$tmp/vg.img"
	vg "verify ok" 0 verify --pub "$tmp/b.pub" --pub "$tmp/vg.pub" "$tmp/vg.img"
	vg "verify bad signature" 1 verify --pub "$tmp/a.pub" "$tmp/bad"
	vg "verify missing key file" 1 verify --pub "$tmp/nonexistent" "$tmp/img"
	vg "sign refused" 1 sign --key "$tmp/a.priv" "$tmp/img" "$tmp/x"
	vg "embed-keys" 0 embed-keys "$tmp/a.pub" "$tmp/b.pub"
	vg "embed-keys duplicate" 1 embed-keys "$tmp/a.pub" "$tmp/a2.pub"
	vg "fingerprint bad hex" 1 fingerprint "$tmp/badhex.pub"
	vg "is-signed" 0 is-signed "$tmp/img"
else
	ok "valgrind checks # SKIP valgrind not installed"
fi

echo "# kcore_sign: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
