/* SPDX-License-Identifier: MIT */
#include "toolmsg.h"

#include <stdarg.h>
#include <stdio.h>

void tool_errmsg(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
