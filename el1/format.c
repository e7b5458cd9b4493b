/* SPDX-License-Identifier: MIT */
#include "format.h"

struct spec {
	bool left; /* '-': pad on the right */
	bool zero; /* '0': pad numbers with zeros */
	u32 width;
	char length; /* 0, 'H' (hh), 'h', 'l', 'L' (ll), 'z' */
};

struct sink {
	format_out_fn out;
	void *ctx;
};

static void pad(const struct sink *s, char c, u32 n)
{
	while (n-- > 0)
		s->out(s->ctx, c);
}

static void put_str(const struct sink *s, const struct spec *sp, const char *str)
{
	u32 len = 0;

	if (str == NULL)
		str = "(null)";
	while (str[len] != '\0')
		len++;
	if (!sp->left && sp->width > len)
		pad(s, ' ', sp->width - len);
	for (u32 i = 0; i < len; i++)
		s->out(s->ctx, str[i]);
	if (sp->left && sp->width > len)
		pad(s, ' ', sp->width - len);
}

static void put_num(const struct sink *s, const struct spec *sp, u64 v, bool neg, u32 base,
		    bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	u32 n = 0, plen = 0, len;

	do {
		buf[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	if (neg)
		prefix = "-";
	while (prefix[plen] != '\0')
		plen++;
	len = n + plen;
	if (!sp->left && !sp->zero && sp->width > len)
		pad(s, ' ', sp->width - len);
	for (u32 i = 0; i < plen; i++)
		s->out(s->ctx, prefix[i]);
	if (!sp->left && sp->zero && sp->width > len)
		pad(s, '0', sp->width - len);
	while (n > 0)
		s->out(s->ctx, buf[--n]);
	if (sp->left && sp->width > len)
		pad(s, ' ', sp->width - len);
}

static u64 arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'H':
		return (u8)va_arg(*ap, unsigned int);
	case 'h':
		return (u16)va_arg(*ap, unsigned int);
	case 'l':
		return va_arg(*ap, unsigned long);
	case 'L':
		return va_arg(*ap, unsigned long long);
	case 'z':
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static s64 arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'H':
		return (signed char)va_arg(*ap, int);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'l':
		return va_arg(*ap, long);
	case 'L':
		return va_arg(*ap, long long);
	case 'z':
		return (s64)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, int);
	}
}

/* Parses flags, width and length at *fmt; leaves *fmt at the conversion character. */
static void parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *f = *fmt;

	*sp = (struct spec){0};
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		int w = va_arg(*ap, int);

		sp->width = w > 0 ? (u32)w : 0;
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (u32)(*f++ - '0');
	if (f[0] == 'h' && f[1] == 'h') {
		sp->length = 'H';
		f += 2;
	} else if (f[0] == 'l' && f[1] == 'l') {
		sp->length = 'L';
		f += 2;
	} else if (*f == 'h' || *f == 'l' || *f == 'z') {
		sp->length = *f++;
	}
	*fmt = f;
}

void format_v(format_out_fn out, void *ctx, const char *fmt, va_list ap_in)
{
	const struct sink s = {out, ctx};
	struct spec sp;
	va_list ap;

	va_copy(ap, ap_in);
	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			out(ctx, *fmt);
			continue;
		}
		fmt++;
		parse_spec(&fmt, &sp, &ap);
		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = arg_signed(&sp, &ap);

			put_num(&s, &sp, v < 0 ? 0 - (u64)v : (u64)v, v < 0, 10, false, "");
			break;
		}
		case 'u':
			put_num(&s, &sp, arg_unsigned(&sp, &ap), false, 10, false, "");
			break;
		case 'x':
		case 'X':
			put_num(&s, &sp, arg_unsigned(&sp, &ap), false, 16, *fmt == 'X', "");
			break;
		case 'p':
			put_num(&s, &sp, (u64)(uintptr_t)va_arg(ap, void *), false, 16, false,
				"0x");
			break;
		case 's':
			put_str(&s, &sp, va_arg(ap, const char *));
			break;
		case 'c':
			out(ctx, (char)va_arg(ap, int));
			break;
		case '%':
			out(ctx, '%');
			break;
		case '\0':
			fmt--; /* a lone '%' at the end: stop there */
			break;
		default:
			out(ctx, '%');
			out(ctx, *fmt);
			break;
		}
	}
	va_end(ap);
}
