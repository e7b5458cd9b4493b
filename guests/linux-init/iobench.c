// SPDX-License-Identifier: MIT
/*
 * The guest's side of the virtio I/O benchmark (docs/bench/README.md,
 * "Virtio I/O"): kcore.iobench=LIST, LIST one or both of, comma-separated,
 *
 *   blk            on the raw /dev/vda (no filesystem): N MiB written with
 *                  O_DIRECT in 256 KiB requests, then read back the same way,
 *                  each whole pass timed; the read must equal the write
 *   net:IP:PEER    eth0 up with IP/24, a TCP connection to PEER's port 5201
 *                  (the host's sink), N MiB sent, our side shut, and the
 *                  sink's close awaited (so every byte arrived), timed from
 *                  the first send to the close
 *
 * with N = kcore.iobench_mib (default 16). The time is the virtual counter
 * (isb; mrs cntvct_el0): under QEMU -icount shift=0 one tick is 16
 * instructions, of the whole machine. Lines, reps being the bytes moved (so
 * ticks x 16 / reps is instructions per byte):
 *
 *   BENCH op=blk_write reps=<bytes> ticks=<T>
 *   BENCH op=blk_read reps=<bytes> ticks=<T>
 *   BENCH op=net_tx reps=<bytes> ticks=<T>
 *   BENCH done                       (after all of LIST passed)
 *
 * A failure prints a FAIL line and no BENCH line for that pass.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "disk_pattern.h"
#include "init.h"

#define IOB_DEV	    "/tmp/vda"
#define IOB_REQ	    ((size_t)256 << 10) /* bytes per request */
#define IOB_ALIGN   4096u		/* O_DIRECT: buffers aligned to a page */
#define IOB_SEED    0x696f6231ull	/* "iob1" */
#define IOB_MIB_MAX 64u
#define VALUE_MAX   64

static unsigned long long cntvct(void)
{
	unsigned long long v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/* size bytes, page-aligned, every page touched (no first-touch fault in a timed pass). */
static unsigned char *buffer(size_t size)
{
	void *p = NULL;

	if (posix_memalign(&p, IOB_ALIGN, size) != 0) {
		say("FAIL iobench: no memory for %zu bytes", size);
		return NULL;
	}
	memset(p, 0, size);
	return p;
}

/* One pass over the disk: every request whole, or false after a FAIL line. */
static bool pass(int fd, unsigned char *buf, size_t size, bool write)
{
	for (size_t off = 0; off < size; off += IOB_REQ) {
		ssize_t n = write ? pwrite(fd, buf + off, IOB_REQ, (off_t)off)
				  : pread(fd, buf + off, IOB_REQ, (off_t)off);

		if (n != (ssize_t)IOB_REQ) {
			say("FAIL iobench: blk: %s at %zu: %s", write ? "write" : "read", off,
			    n < 0 ? strerror(errno) : "short");
			return false;
		}
	}
	return true;
}

/*
 * What the device saw, for the docs' account of where the instructions go:
 * the file's text as the kernel keeps it (the block device's stat: reads,
 * merged, sectors, ms, writes, ...; a count of packets).
 */
static void say_counts(const char *what, const char *path)
{
	char text[256];

	if (read_text(path, text, sizeof(text)))
		say("iobench: %s: %s (%s)", what, text, path);
}

static bool bench_blk(size_t size)
{
	unsigned long long t0, t1, t2, t3, disk = 0;
	unsigned char *want = NULL, *got = NULL;
	bool ok = false;
	int fd;

	if (!virtio_make_node("/sys/block/vda/dev", IOB_DEV, true))
		return false;
	fd = open(IOB_DEV, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &disk) != 0) {
		say("FAIL iobench: blk: " IOB_DEV ": %s", strerror(errno));
		goto out;
	}
	if (disk < size) {
		say("FAIL iobench: blk: the disk has %llu bytes, fewer than %zu", disk, size);
		goto out;
	}
	want = buffer(size);
	got = buffer(size);
	if (want == NULL || got == NULL)
		goto out;
	disk_pattern(want, size, IOB_SEED);
	t0 = cntvct();
	if (!pass(fd, want, size, true))
		goto out;
	t1 = cntvct();
	t2 = cntvct();
	if (!pass(fd, got, size, false))
		goto out;
	t3 = cntvct();
	if (memcmp(want, got, size) != 0) {
		say("FAIL iobench: blk: what was read differs from what was written");
		goto out;
	}
	say("BENCH op=blk_write reps=%zu ticks=%llu", size, t1 - t0);
	say("BENCH op=blk_read reps=%zu ticks=%llu", size, t3 - t2);
	say_counts("blk", "/sys/block/vda/stat");
	ok = true;
out:
	free(want);
	free(got);
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Sends size bytes on s and waits for the sink's close: the ticks it took, 0 on a failure. */
static unsigned long long send_timed(int s, const unsigned char *buf, size_t size)
{
	unsigned long long t0 = cntvct();

	return net_send_all(s, buf, size) ? cntvct() - t0 : 0;
}

/* spec: "IP:PEER". */
static bool bench_net(const char *spec, size_t size)
{
	char ip[VALUE_MAX], *peer;
	unsigned long long ticks;
	unsigned char *buf;
	int s;

	snprintf(ip, sizeof(ip), "%s", spec);
	peer = strchr(ip, ':');
	if (peer == NULL) {
		say("FAIL iobench: net:%s: net:IP:PEER", spec);
		return false;
	}
	*peer++ = '\0';
	buf = buffer(size);
	if (buf == NULL)
		return false;
	disk_pattern(buf, size, IOB_SEED);
	s = net_bring_up(ip) ? net_connect(peer) : -1;
	ticks = s >= 0 ? send_timed(s, buf, size) : 0;
	if (s >= 0)
		close(s);
	free(buf);
	if (ticks == 0)
		return false;
	say("BENCH op=net_tx reps=%zu ticks=%llu", size, ticks);
	say_counts("net tx packets", "/sys/class/net/eth0/statistics/tx_packets");
	say_counts("net rx packets", "/sys/class/net/eth0/statistics/rx_packets");
	return true;
}

bool iobench_run(const char *list, unsigned int mib)
{
	char items[VALUE_MAX], *save = NULL;
	size_t size = (size_t)mib << 20;

	if (mib == 0 || mib > IOB_MIB_MAX) {
		say("FAIL iobench: kcore.iobench_mib=%u: 1..%u", mib, IOB_MIB_MAX);
		return false;
	}
	snprintf(items, sizeof(items), "%s", list);
	for (char *it = strtok_r(items, ",", &save); it != NULL; it = strtok_r(NULL, ",", &save)) {
		bool ok;

		if (strcmp(it, "blk") == 0)
			ok = bench_blk(size);
		else if (strncmp(it, "net:", 4) == 0)
			ok = bench_net(it + 4, size);
		else {
			say("FAIL iobench: '%s' in kcore.iobench=%s: blk or net:IP:PEER", it, list);
			ok = false;
		}
		if (!ok)
			return false;
	}
	say("BENCH done");
	return true;
}
