// SPDX-License-Identifier: MIT
/*
 * The Linux guest's virtio checks (docs/virtio.md, "The guest's test"), each
 * asked for on the kernel command line, none by default (kserv's Linux guest
 * has no virtio device):
 *
 *   kcore.virtio=1       load kcore-guest.ko (the shared bounce pool) and
 *                        then Debian's virtio modules from the initramfs
 *   kcore.virtio=plain   Debian's virtio modules only: a guest that is not
 *                        protected (the KVM side of the I/O benchmark), whose
 *                        devices reach all its RAM, so no bounce pool
 *   kcore.disk=write:S   mount /dev/vda (ext4), write kcore/data (1 MiB
 *                        derived from seed S) and kcore/note, unmount
 *   kcore.disk=read:S    mount it and check both read back as written
 *   kcore.rng=1          read /dev/hwrng: virtio-rng must be the source
 *   kcore.secret=S       fill 4 MiB of private memory with a secret derived
 *                        from S, say "secret: ready", and keep it for
 *                        kcore.secret_wait seconds (default 3) while the host
 *                        scans what it can read; the secret is never written
 *                        anywhere else (not the disk, not the console)
 *   kcore.attacked=1     with kcore.secret and kcore.disk: the disk read runs
 *                        while the host rewrites the bounce pool (see
 *                        attacked_checks); kcore.attack_wait (default 60 s)
 *                        bounds the wait for it
 *   kcore.net=...        a TCP transfer over virtio-net to or from another
 *                        guest (net.c)
 *   kcore.iobench=LIST   the timed I/O passes (iobench.c), last;
 *                        kcore.iobench_mib=N their size (default 16)
 *
 * Lines: "virtio: ...", "disk: ...", "rng: ...", "secret: ...", or FAIL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "disk_pattern.h"
#include "init.h"

#define DISK_DEV    "/tmp/vda"
#define DISK_DIR    "/mnt"
#define DATA_FILE   DISK_DIR "/" DISK_DATA_PATH
#define NOTE_FILE   DISK_DIR "/" DISK_NOTE_PATH
#define DATA_SIZE   DISK_DATA_SIZE
#define SECRET_SIZE ((size_t)4 << 20)
#define WAIT_DEVICE 30 /* seconds for /dev/vda to appear after the modules load */
#define VALUE_MAX   64

/* In load order: ours first, so every virtio-mmio device gets the bounce pool. */
static const char *const modules[] = {
    "kcore-guest", "virtio_ring",    "virtio",	 "virtio_mmio",	 "virtio_blk",
    "virtio-rng",  "virtio_console", "failover", "net_failover", "virtio_net"};

/* The value of NAME=VALUE on the command line (a whole word), or false. */
static bool param(const char *cmdline, const char *name, char *value, size_t size)
{
	size_t len = strlen(name);
	const char *p = cmdline;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == cmdline || p[-1] == ' ') && p[len] == '=') {
			size_t n = strcspn(p + len + 1, " ");

			if (n >= size)
				return false;
			memcpy(value, p + len + 1, n);
			value[n] = '\0';
			return true;
		}
		p += len;
	}
	return false;
}

/* Ours first unless plain (no bounce pool: a guest whose RAM its host may read). */
static bool load_modules(bool plain)
{
	for (size_t i = plain ? 1 : 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/%s.ko", modules[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			say("FAIL virtio: %s: %s", path, strerror(errno));
			return false;
		}
		if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) {
			say("FAIL virtio: loading %s: %s (the kernel says why above)", path,
			    strerror(errno));
			close(fd);
			return false;
		}
		close(fd);
	}
	say("virtio: %s%zu Debian modules loaded", plain ? "" : "kcore-guest and ",
	    sizeof(modules) / sizeof(modules[0]) - 1);
	return true;
}

/* Waits for /sys/block/NAME and makes its device node at node. */
bool virtio_make_node(const char *sys_dev, const char *node, bool block)
{
	char text[32], *end;
	unsigned long maj, min;

	for (int tries = 0; !read_text(sys_dev, text, sizeof(text)); tries++) {
		if (tries >= WAIT_DEVICE * 10) {
			say("FAIL virtio: %s never appeared", sys_dev);
			return false;
		}
		usleep(100 * 1000);
	}
	/* "MAJOR:MINOR", both decimal. */
	maj = strtoul(text, &end, 10);
	min = *end == ':' ? strtoul(end + 1, &end, 10) : 0;
	if (end == text || *end != '\0' || strchr(text, ':') == NULL) {
		say("FAIL virtio: %s says '%s'", sys_dev, text);
		return false;
	}
	unlink(node);
	if (mknod(node, (block ? S_IFBLK : S_IFCHR) | 0600,
		  makedev((unsigned int)maj, (unsigned int)min)) != 0) {
		say("FAIL virtio: mknod %s: %s", node, strerror(errno));
		return false;
	}
	return true;
}

static bool write_file(const char *path, const void *buf, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	bool ok = fd >= 0 && write(fd, buf, size) == (ssize_t)size && fsync(fd) == 0;

	if (!ok)
		say("FAIL disk: writing %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool read_file(const char *path, void *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, size) : -1;

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)size) {
		say("FAIL disk: reading %s: %s", path, n < 0 ? strerror(errno) : "short");
		return false;
	}
	return true;
}

static bool check_disk(const char *mode)
{
	char note[64], got[64];
	unsigned char *want, *data;
	unsigned long long seed;
	bool writing, ok;
	char *end;

	writing = strncmp(mode, "write:", 6) == 0;
	if (!writing && strncmp(mode, "read:", 5) != 0) {
		say("FAIL disk: kcore.disk=%s: write:SEED or read:SEED", mode);
		return false;
	}
	seed = strtoull(strchr(mode, ':') + 1, &end, 0);
	if (*end != '\0') {
		say("FAIL disk: bad seed in kcore.disk=%s", mode);
		return false;
	}
	if (!virtio_make_node("/sys/block/vda/dev", DISK_DEV, true))
		return false;
	mkdir(DISK_DIR, 0755);
	if (mount(DISK_DEV, DISK_DIR, "ext4", writing ? 0 : MS_RDONLY, NULL) != 0) {
		say("FAIL disk: mount ext4 from vda: %s", strerror(errno));
		return false;
	}
	want = malloc(DATA_SIZE);
	data = malloc(DATA_SIZE);
	ok = want != NULL && data != NULL;
	if (ok)
		disk_pattern(want, DATA_SIZE, seed);
	disk_note(note, sizeof(note), seed);
	if (ok && writing) {
		mkdir(DISK_DIR "/kcore", 0755);
		ok = write_file(DATA_FILE, want, DATA_SIZE) &&
		     write_file(NOTE_FILE, note, strlen(note));
	} else if (ok) {
		ok = read_file(DATA_FILE, data, DATA_SIZE) &&
		     read_file(NOTE_FILE, got, strlen(note));
		if (ok &&
		    (memcmp(data, want, DATA_SIZE) != 0 || memcmp(got, note, strlen(note)) != 0)) {
			say("FAIL disk: what was read differs from what seed %llu wrote", seed);
			ok = false;
		}
	}
	free(want);
	free(data);
	if (umount(DISK_DIR) != 0) {
		say("FAIL disk: umount: %s", strerror(errno));
		ok = false;
	}
	if (ok)
		say("disk: %s %zu bytes and the note, seed %llu", writing ? "wrote" : "read back",
		    DATA_SIZE, seed);
	return ok;
}

static bool check_rng(void)
{
	char current[64];
	unsigned char buf[256];
	int fd;
	ssize_t n;
	size_t zeros = 0;

	if (!virtio_make_node("/sys/class/misc/hw_random/dev", "/tmp/hwrng", false))
		return false;
	if (!read_text("/sys/class/misc/hw_random/rng_current", current, sizeof(current)) ||
	    strncmp(current, "virtio_rng", 10) != 0) {
		say("FAIL rng: the current hwrng is '%s', not virtio_rng", current);
		return false;
	}
	fd = open("/tmp/hwrng", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(buf)) {
		say("FAIL rng: read /dev/hwrng: %s", n < 0 ? strerror(errno) : "short");
		return false;
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		zeros += buf[i] == 0;
	/* 256 random bytes hold a handful of zeros; all (or most) zero is a device that wrote
	 * nothing. */
	if (zeros > 32) {
		say("FAIL rng: %zu of 256 bytes zero", zeros);
		return false;
	}
	say("rng: 256 bytes from %s", current);
	return true;
}

/* The secret in private, locked memory (kcore.secret): filled, then checked. */
struct secret {
	char text[40];
	size_t len;
	char *mem;
};

static bool secret_fill(struct secret *sc, const char *seed_text)
{
	unsigned long long seed;
	char *end;

	seed = strtoull(seed_text, &end, 0);
	if (*end != '\0') {
		say("FAIL secret: bad seed '%s'", seed_text);
		return false;
	}
	secret_text(sc->text, sizeof(sc->text), seed);
	sc->len = strlen(sc->text);
	sc->mem = mmap(NULL, SECRET_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (sc->mem == MAP_FAILED || mlock(sc->mem, SECRET_SIZE) != 0) {
		say("FAIL secret: no locked memory: %s", strerror(errno));
		return false;
	}
	for (size_t off = 0; off + sc->len <= SECRET_SIZE; off += sc->len)
		memcpy(sc->mem + off, sc->text, sc->len);
	say("secret: %zu MiB private, ready", SECRET_SIZE >> 20);
	return true;
}

/* Still there, unchanged: nothing the host did reached it. Then let go. */
static bool secret_check(struct secret *sc)
{
	bool ok = true;

	for (size_t off = 0; ok && off + sc->len <= SECRET_SIZE; off += sc->len)
		if (memcmp(sc->mem + off, sc->text, sc->len) != 0) {
			say("FAIL secret: changed at offset %zu", off);
			ok = false;
		}
	memset(sc->mem, 0, SECRET_SIZE);
	munmap(sc->mem, SECRET_SIZE);
	return ok;
}

static unsigned int param_uint(const char *cmdline, const char *name, unsigned int dflt)
{
	char text[VALUE_MAX];

	return param(cmdline, name, text, sizeof(text)) ? (unsigned int)strtoul(text, NULL, 0)
							: dflt;
}

static bool hold_secret(const char *seed_text, const char *cmdline)
{
	unsigned int wait = param_uint(cmdline, "kcore.secret_wait", 3);
	struct secret sc;

	if (!secret_fill(&sc, seed_text))
		return false;
	sleep(wait);
	if (!secret_check(&sc))
		return false;
	say("secret: held %u s, unchanged", wait);
	return true;
}

/*
 * kcore.attacked=1 (docs/virtio.md, "The tests"): the host rewrites the
 * bounce pool and the rings at random while this guest reads its disk. The
 * guest must detect bad data or carry on, never be corrupted: the disk test
 * runs in a child (it may fail, or block for good on a device the host
 * broke), and the secret, filled before and checked after, must be intact.
 * Its lines: "under attack: disk ..." (what the read came to) and "secret:
 * unchanged after the attack"; false only if the secret changed.
 */
static bool attacked_checks(const char *cmdline, const char *disk, const char *seed_text)
{
	unsigned int limit = param_uint(cmdline, "kcore.attack_wait", 60), waited = 0;
	unsigned int lead = param_uint(cmdline, "kcore.secret_wait", 3);
	struct secret sc;
	int status = 0;
	pid_t child;

	if (!secret_fill(&sc, seed_text))
		return false;
	sleep(lead); /* the host's attacker starts at "ready" */
	child = fork();
	if (child == 0)
		_exit(check_disk(disk) ? 0 : 1);
	while (child > 0 && waitpid(child, &status, WNOHANG) == 0 && waited < limit * 10) {
		usleep(100 * 1000);
		waited++;
	}
	if (child < 0)
		say("under attack: disk: no child: %s", strerror(errno));
	else if (waited >= limit * 10)
		say("under attack: disk: the read still blocked after %u s (the device is broken)",
		    limit);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		say("under attack: disk: read back as written");
	else
		say("under attack: disk: bad data or an I/O error detected (the FAIL line above)");
	if (!secret_check(&sc))
		return false;
	say("secret: unchanged after the attack");
	return true;
}

/* kcore.net=MODE [kcore.net_bytes=N] (net.c), if asked for. */
static bool check_net(const char *cmdline)
{
	char mode[VALUE_MAX], bytes[VALUE_MAX];
	bool has_bytes = param(cmdline, "kcore.net_bytes", bytes, sizeof(bytes));

	if (!param(cmdline, "kcore.net", mode, sizeof(mode)))
		return true;
	return net_check(mode, has_bytes ? bytes : NULL);
}

bool virtio_checks(const char *cmdline)
{
	char value[VALUE_MAX], disk[VALUE_MAX];

	if (param(cmdline, "kcore.virtio", value, sizeof(value)) &&
	    (strcmp(value, "1") == 0 || strcmp(value, "plain") == 0) &&
	    !load_modules(strcmp(value, "plain") == 0))
		return false;
	if (param_uint(cmdline, "kcore.attacked", 0) == 1) {
		if (!param(cmdline, "kcore.secret", value, sizeof(value)) ||
		    !param(cmdline, "kcore.disk", disk, sizeof(disk))) {
			say("FAIL under attack: kcore.attacked=1 needs kcore.secret and "
			    "kcore.disk");
			return false;
		}
		return attacked_checks(cmdline, disk, value);
	}
	if (param(cmdline, "kcore.secret", value, sizeof(value)) && !hold_secret(value, cmdline))
		return false;
	if (param(cmdline, "kcore.disk", value, sizeof(value)) && !check_disk(value))
		return false;
	if (param(cmdline, "kcore.rng", value, sizeof(value)) && strcmp(value, "1") == 0 &&
	    !check_rng())
		return false;
	if (!check_net(cmdline))
		return false;
	if (param(cmdline, "kcore.iobench", value, sizeof(value)))
		return iobench_run(value, param_uint(cmdline, "kcore.iobench_mib", 16));
	return true;
}
