/* SPDX-License-Identifier: MIT */
/* Error messages of the host tools: "PROG: message" on stderr, one line each. */
#ifndef KCORE_TOOLS_TOOLMSG_H
#define KCORE_TOOLS_TOOLMSG_H

__attribute__((format(printf, 2, 3))) void tool_errmsg(const char *prog, const char *fmt, ...);

#endif /* KCORE_TOOLS_TOOLMSG_H */
