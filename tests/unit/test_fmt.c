/* SPDX-License-Identifier: MIT */
/*
 * kcore's small printf (core/lib/fmt.c): every conversion, width and padding,
 * truncation and the returned length, and the odd format strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "core/lib/log.h"

/* Through kc_vsnprintf, so the compiler lets odd formats through. */
static size_t fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = kc_vsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}

static void expect(const char *want, size_t n, const char *got)
{
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
}

static void test_signed(void **state)
{
	char b[64];

	(void)state;
	expect("42", fmt(b, sizeof(b), "%d", 42), b);
	expect("-42", fmt(b, sizeof(b), "%d", -42), b);
	expect("0", fmt(b, sizeof(b), "%d", 0), b);
	expect("-2147483648", fmt(b, sizeof(b), "%d", INT32_MIN), b);
	expect("-9223372036854775808", fmt(b, sizeof(b), "%ld", (int64_t)INT64_MIN), b);
	expect("9223372036854775807", fmt(b, sizeof(b), "%lld", (int64_t)INT64_MAX), b);
	expect("   -5", fmt(b, sizeof(b), "%5d", -5), b);
	expect("-0005", fmt(b, sizeof(b), "%05d", -5), b);
	expect("00007", fmt(b, sizeof(b), "%05d", 7), b);
	expect("    7", fmt(b, sizeof(b), "%5d", 7), b);
	expect("-123", fmt(b, sizeof(b), "%2d", -123), b);
}

static void test_unsigned_and_hex(void **state)
{
	char b[64];

	(void)state;
	expect("4294967295", fmt(b, sizeof(b), "%u", 0xffffffffu), b);
	expect("18446744073709551615", fmt(b, sizeof(b), "%lu", UINT64_MAX), b);
	expect("deadbeef", fmt(b, sizeof(b), "%x", 0xdeadbeefu), b);
	expect("0", fmt(b, sizeof(b), "%x", 0u), b);
	expect("123456789abcdef0", fmt(b, sizeof(b), "%lx", (uint64_t)0x123456789abcdef0ull), b);
	expect("ffffffffffffffff", fmt(b, sizeof(b), "%llx", UINT64_MAX), b);
	expect("000000ff", fmt(b, sizeof(b), "%08x", 0xffu), b);
	expect("  ab", fmt(b, sizeof(b), "%4x", 0xabu), b);
	expect("0012", fmt(b, sizeof(b), "%04u", 12u), b);
}

static void test_pointer(void **state)
{
	char b[64];

	(void)state;
	expect("0x1000", fmt(b, sizeof(b), "%p", (void *)(uintptr_t)0x1000), b);
	expect("0x0", fmt(b, sizeof(b), "%p", (void *)NULL), b);
	expect("0x00001000", fmt(b, sizeof(b), "%08p", (void *)(uintptr_t)0x1000), b);
}

static void test_strings_and_chars(void **state)
{
	char b[64];

	(void)state;
	expect("abc", fmt(b, sizeof(b), "%s", "abc"), b);
	expect("(null)", fmt(b, sizeof(b), "%s", (const char *)NULL), b);
	expect("   ab", fmt(b, sizeof(b), "%5s", "ab"), b);
	expect("abcdef", fmt(b, sizeof(b), "%3s", "abcdef"), b);
	expect("", fmt(b, sizeof(b), "%s", ""), b);
	expect("x=A;", fmt(b, sizeof(b), "x=%c;", 'A'), b);
	expect("100%", fmt(b, sizeof(b), "%d%%", 100), b);
	expect("a 1 b -2 c ff", fmt(b, sizeof(b), "a %u b %d c %x", 1u, -2, 0xffu), b);
}

static void test_odd_formats(void **state)
{
	char b[64];

	(void)state;
	/* An unknown conversion is printed as is and consumes no argument. */
	expect("%q", fmt(b, sizeof(b), "%q"), b);
	expect("a%yb7", fmt(b, sizeof(b), "a%yb%d", 7), b);
	/* A lone '%' at the end stops the output there. */
	expect("abc", fmt(b, sizeof(b), "abc%"), b);
	expect("", fmt(b, sizeof(b), "%"), b);
	expect("5", fmt(b, sizeof(b), "%d%", 5), b);
	expect("", fmt(b, sizeof(b), ""), b);
}

static void test_truncation(void **state)
{
	char b[16];

	(void)state;
	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt(b, 4, "hello"), 3);
	assert_string_equal(b, "hel");
	assert_int_equal(b[4], 'Z'); /* nothing written past size */

	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt(b, 5, "%d", -123456), 4);
	assert_string_equal(b, "-123");
	assert_int_equal(b[5], 'Z');

	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt(b, 6, "%s", "abcdef"), 5);
	assert_string_equal(b, "abcde");

	/* Exactly fitting: size = length + 1. */
	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt(b, 6, "%x", 0xabcdeu), 5);
	assert_string_equal(b, "abcde");

	/* size 1: only the terminator. */
	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt(b, 1, "%s", "abc"), 0);
	assert_int_equal(b[0], '\0');
	assert_int_equal(b[1], 'Z');

	/* size 0: nothing written at all. */
	memset(b, 'Z', sizeof(b));
	assert_int_equal(fmt(b, 0, "%s", "abc"), 0);
	assert_int_equal(b[0], 'Z');
	assert_int_equal(fmt(NULL, 0, "%d", 5), 0);
}

static void test_snprintf_wrapper(void **state)
{
	char b[32];

	(void)state;
	expect("vm 3 at 0x40000000",
	       kc_snprintf(b, sizeof(b), "vm %u at %p", 3u, (void *)0x40000000ul), b);
	assert_int_equal(kc_snprintf(b, 3, "%s", "xyz"), 2);
	assert_string_equal(b, "xy");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signed),	     cmocka_unit_test(test_unsigned_and_hex),
	    cmocka_unit_test(test_pointer),	     cmocka_unit_test(test_strings_and_chars),
	    cmocka_unit_test(test_odd_formats),	     cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_snprintf_wrapper),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
