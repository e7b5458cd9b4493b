/* SPDX-License-Identifier: MIT */
/* What the Linux guest's init files share (init.c, virtio.c, net.c). */
#ifndef LINUX_INIT_H
#define LINUX_INIT_H

#include <stdbool.h>
#include <stddef.h>

#define TAG "KCORE-LINUX-INIT: "

/* One whole line on the console, in one write, after TAG. */
__attribute__((format(printf, 1, 2))) void say(const char *fmt, ...);

/* Reads a small file into buf (NUL-terminated, trailing newline dropped). */
bool read_text(const char *path, char *buf, size_t size);

/*
 * The virtio checks the command line asks for (docs/virtio.md, "The guest's
 * test"): true if none is asked or all passed; false after a FAIL line.
 */
bool virtio_checks(const char *cmdline);

/*
 * kcore.net=MODE (net.c): eth0 up, then a TCP transfer to or from the other
 * guest; bytes_text is kcore.net_bytes's value or NULL. False after a FAIL line.
 */
bool net_check(const char *mode, const char *bytes_text);

#endif /* LINUX_INIT_H */
