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

/* Waits for sys_dev ("MAJOR:MINOR") and makes the node (virtio.c). False after a FAIL line. */
bool virtio_make_node(const char *sys_dev, const char *node, bool block);

/* net.c's pieces the I/O benchmark uses: eth0 up with ip/24; a TCP connection to
 * peer's NET_PORT (retried while it is not up; -1 after a FAIL line); a whole transfer. */
bool net_bring_up(const char *ip);
int net_connect(const char *peer);
/* All size bytes sent on s, our side shut, and the peer's close seen (so every byte
 * arrived): false after a FAIL line. */
bool net_send_all(int s, const unsigned char *buf, size_t size);

/*
 * kcore.iobench=LIST (iobench.c, docs/bench/README.md "Virtio I/O"): the
 * timed virtio-blk and virtio-net passes, mib MiB each; "BENCH ..." lines,
 * then "BENCH done" if all passed. False after a FAIL line.
 */
bool iobench_run(const char *list, unsigned int mib);

#endif /* LINUX_INIT_H */
