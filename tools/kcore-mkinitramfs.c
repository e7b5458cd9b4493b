// SPDX-License-Identifier: MIT
/*
 * kcore-mkinitramfs: writes the Linux guest's initramfs (docs/guests.md,
 * "Linux"), a "newc" cpio archive (magic 070701) as the kernel unpacks it:
 *
 *   dev/            0755 directory
 *   dev/console     0600 character device 5:1 (no mknod needed: only the archive has it)
 *   proc/ sys/ tmp/ 0755 directories
 *   init            0755 regular file, the contents of --init
 *   NAME            a regular file for each --file NAME=PATH, in the order given:
 *                   0755 if PATH has an execute bit, else 0644
 *
 *   kcore-mkinitramfs -o OUT --init PATH [--file NAME=PATH]...
 *
 * Every entry belongs to root (0:0) with mtime 0, so the same files give the
 * same archive, byte for byte. OUT appears only complete (written to a
 * temporary file, then renamed).
 *
 * Exit status: 0 success, 1 bad input or I/O error, 2 wrong usage. Every
 * error is one line on stderr starting with "kcore-mkinitramfs: ".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/lib/toolmsg.h"

#define PROG "kcore-mkinitramfs"

#define EXIT_OK	   0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

#define USAGE "kcore-mkinitramfs -o OUT --init PATH [--file NAME=PATH]..."

#define CPIO_MAGIC    "070701"
#define CPIO_HDR_SIZE 110u /* the magic and 13 fields of 8 hex digits */
#define CPIO_ALIGN    4u
#define CPIO_TRAILER  "TRAILER!!!"
#define MAX_FILE      (256u << 20) /* far more than any init or guest; catches a wrong path */
#define MAX_EXTRA     64u	   /* --file entries (the host initramfs has some 30) */
#define MAX_NAME      64u	   /* bytes of a --file NAME */

/* File types and permissions as cpio (and Linux) encode them. */
#define M_DIR  0040000u
#define M_CHR  0020000u
#define M_REG  0100000u
#define M_PERM 07777u

struct entry {
	const char *name; /* in the archive: no leading '/' */
	uint32_t mode;	  /* type and permissions */
	uint32_t rdev_major, rdev_minor;
};

/* The fixed part of every archive; init and the --file entries follow. */
static const struct entry entries[] = {
    {.name = "dev", .mode = M_DIR | 0755u},
    {.name = "dev/console", .mode = M_CHR | 0600u, .rdev_major = 5, .rdev_minor = 1},
    {.name = "proc", .mode = M_DIR | 0755u},
    {.name = "sys", .mode = M_DIR | 0755u},
    {.name = "tmp", .mode = M_DIR | 0755u},
};

/* A regular file of the archive: init or a --file. */
struct file {
	const char *opt;  /* for messages: "--init" or "--file" */
	const char *name; /* in the archive */
	const char *path; /* on this machine */
	bool exec_only;	  /* must be an ELF executable or a script (init) */
	int fd;
	uint32_t size, perm;
};

struct out {
	const char *path; /* for messages: the temporary file */
	int fd;
	uint64_t pos;
};

#define errmsg(...) tool_errmsg(PROG, __VA_ARGS__)

static int usage_error(const char *why)
{
	errmsg("%s (see kcore-mkinitramfs --help)", why);
	return EXIT_USAGE;
}

static void print_help(void)
{
	printf("usage: " USAGE "\n"
	       "\n"
	       "Writes a newc cpio initramfs for the Linux guest (docs/guests.md): the\n"
	       "directories dev, proc, sys and tmp, the character device dev/console (5:1,\n"
	       "0600) and init (0755), a copy of PATH.\n"
	       "  -o OUT             the archive to write\n"
	       "  --init PATH        the program the kernel runs as /init (a static executable)\n"
	       "  --file NAME=PATH   also /NAME, a copy of PATH (0755 if PATH is executable,\n"
	       "                     else 0644); NAME is a plain file name (no '/'); at most %u\n"
	       "                     of them\n"
	       "Exit status: 0 success, 1 bad input or I/O error, 2 wrong usage.\n",
	       MAX_EXTRA);
}

static int put(struct out *o, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(o->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errmsg("%s: %s", o->path, n < 0 ? strerror(errno) : "short write");
			return -1;
		}
		p += n;
		len -= (size_t)n;
		o->pos += (uint64_t)n;
	}
	return 0;
}

/* Zeros up to the next multiple of CPIO_ALIGN. */
static int pad(struct out *o)
{
	static const uint8_t zeros[CPIO_ALIGN];
	size_t len = (size_t)((CPIO_ALIGN - o->pos % CPIO_ALIGN) % CPIO_ALIGN);

	return put(o, zeros, len);
}

/* One header and name, padded: the file's data (if any) follows. */
static int put_header(struct out *o, uint32_t ino, const char *name, uint32_t mode, uint32_t nlink,
		      uint32_t size, uint32_t rmajor, uint32_t rminor)
{
	char hdr[CPIO_HDR_SIZE + 1];
	size_t namesize = strlen(name) + 1;
	int n;

	/* ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize
	 * check */
	n = snprintf(hdr, sizeof(hdr),
		     CPIO_MAGIC "%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode,
		     0u, 0u, nlink, 0u, size, 0u, 0u, rmajor, rminor, (unsigned)namesize, 0u);
	if (n != (int)CPIO_HDR_SIZE) {
		errmsg("internal error: a cpio header of %d bytes", n);
		return -1;
	}
	if (put(o, hdr, CPIO_HDR_SIZE) != 0 || put(o, name, namesize) != 0)
		return -1;
	return pad(o);
}

/* A file of the archive: opened and checked before anything is written. */
static int open_file(struct file *f)
{
	struct stat st;
	uint8_t magic[4];

	f->fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		errmsg("%s %s: %s", f->opt, f->path, strerror(errno));
		return -1;
	}
	if (fstat(f->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		errmsg("%s %s: not a regular file", f->opt, f->path);
		return -1;
	}
	if (st.st_size == 0 || (uint64_t)st.st_size > MAX_FILE) {
		errmsg("%s %s: %lld bytes: it must be 1 byte to %u MiB", f->opt, f->path,
		       (long long)st.st_size, MAX_FILE >> 20);
		return -1;
	}
	if (f->exec_only && (pread(f->fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
			     (memcmp(magic, "\177ELF", 4) != 0 && memcmp(magic, "#!", 2) != 0))) {
		errmsg("%s %s: neither an ELF executable nor a script: the kernel cannot run it",
		       f->opt, f->path);
		return -1;
	}
	f->size = (uint32_t)st.st_size;
	if (f->perm == 0)
		f->perm = (st.st_mode & 0111u) != 0 ? 0755u : 0644u;
	return 0;
}

/* Copies exactly f->size bytes of the file; fails if it changed size. */
static int copy_file(struct out *o, const struct file *f)
{
	static uint8_t chunk[1 << 16];
	uint32_t done = 0;

	while (done < f->size) {
		size_t want = f->size - done < sizeof(chunk) ? f->size - done : sizeof(chunk);
		ssize_t n = pread(f->fd, chunk, want, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errmsg("%s %s: %s", f->opt, f->path,
			       n < 0 ? strerror(errno) : "changed while being read");
			return -1;
		}
		if (put(o, chunk, (size_t)n) != 0)
			return -1;
		done += (uint32_t)n;
	}
	return 0;
}

/* files[0] is init, then the --file entries. */
static int write_archive(const char *out_path, struct file *files, size_t nfiles)
{
	size_t tmp_len = strlen(out_path) + 24;
	char *tmp = malloc(tmp_len);
	struct out o = {.fd = -1};
	uint32_t ino = 0;
	int ret = EXIT_FAIL;

	if (tmp == NULL) {
		errmsg("out of memory");
		goto out;
	}
	for (size_t i = 0; i < nfiles; i++)
		if (open_file(&files[i]) != 0)
			goto out;
	snprintf(tmp, tmp_len, "%s.tmp%ld", out_path, (long)getpid());
	o.path = tmp;
	o.fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (o.fd < 0) {
		errmsg("%s: %s", tmp, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		const struct entry *e = &entries[i];

		if (put_header(&o, ++ino, e->name, e->mode, (e->mode & M_DIR) != 0 ? 2u : 1u, 0,
			       e->rdev_major, e->rdev_minor) != 0)
			goto out;
	}
	for (size_t i = 0; i < nfiles; i++) {
		const struct file *f = &files[i];

		if (put_header(&o, ++ino, f->name, M_REG | f->perm, 1, f->size, 0, 0) != 0 ||
		    copy_file(&o, f) != 0 || pad(&o) != 0)
			goto out;
	}
	/* The trailer: an empty entry named TRAILER!!!, nlink 1. */
	if (put_header(&o, 0, CPIO_TRAILER, 0, 1, 0, 0, 0) != 0)
		goto out;
	if (fsync(o.fd) != 0 || close(o.fd) != 0) {
		o.fd = -1;
		errmsg("%s: %s", tmp, strerror(errno));
		goto out;
	}
	o.fd = -1;
	if (rename(tmp, out_path) != 0) {
		errmsg("%s: %s", out_path, strerror(errno));
		goto out;
	}
	ret = EXIT_OK;
out:
	if (o.fd >= 0)
		close(o.fd);
	for (size_t i = 0; i < nfiles; i++)
		if (files[i].fd >= 0)
			close(files[i].fd);
	if (ret != EXIT_OK && o.path != NULL)
		unlink(tmp);
	free(tmp);
	return ret;
}

/* NAME=PATH of --file into f; an error message and -1 if it is not one. */
static int parse_file_arg(const char *arg, struct file *f, const struct file *files, size_t nfiles)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq != NULL ? (size_t)(eq - arg) : 0;
	static char names[MAX_EXTRA][MAX_NAME + 1];
	char *name = names[nfiles - 1];

	if (eq == NULL || len == 0 || eq[1] == '\0') {
		errmsg("--file '%s': expected NAME=PATH (see kcore-mkinitramfs --help)", arg);
		return -1;
	}
	if (len > MAX_NAME || memchr(arg, '/', len) != NULL ||
	    (len <= 2 && strncmp(arg, "..", len) == 0)) {
		errmsg("--file '%s': NAME must be a plain file name of at most %u bytes (no '/')",
		       arg, MAX_NAME);
		return -1;
	}
	memcpy(name, arg, len);
	name[len] = '\0';
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		if (strcmp(entries[i].name, name) == 0) {
			errmsg("--file '%s': the archive has /%s already", arg, name);
			return -1;
		}
	if (strcmp(name, "init") == 0) {
		errmsg("--file '%s': /init is --init's", arg);
		return -1;
	}
	for (size_t i = 1; i < nfiles; i++)
		if (strcmp(files[i].name, name) == 0) {
			errmsg("--file '%s': /%s given twice", arg, name);
			return -1;
		}
	*f = (struct file){.opt = "--file", .name = name, .path = eq + 1, .fd = -1};
	return 0;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *init = NULL;
	/* files[0]: init, once the arguments are read; then the --file entries. */
	struct file files[1 + MAX_EXTRA];
	size_t nfiles = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_help();
			return EXIT_OK;
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--init") == 0) {
			const char **slot = a[1] == 'o' ? &out : &init;

			if (i + 1 >= argc || argv[i + 1][0] == '\0') {
				errmsg("%s needs a file name (see kcore-mkinitramfs --help)", a);
				return EXIT_USAGE;
			}
			if (*slot != NULL) {
				errmsg("%s given twice (see kcore-mkinitramfs --help)", a);
				return EXIT_USAGE;
			}
			*slot = argv[++i];
		} else if (strcmp(a, "--file") == 0) {
			if (i + 1 >= argc) {
				errmsg("--file needs NAME=PATH (see kcore-mkinitramfs --help)");
				return EXIT_USAGE;
			}
			if (nfiles == 1 + MAX_EXTRA) {
				errmsg("more than %u --file entries", MAX_EXTRA);
				return EXIT_USAGE;
			}
			if (parse_file_arg(argv[++i], &files[nfiles], files, nfiles) != 0)
				return EXIT_USAGE;
			nfiles++;
		} else {
			errmsg("unknown argument '%s' (see kcore-mkinitramfs --help)", a);
			return EXIT_USAGE;
		}
	}
	if (out == NULL)
		return usage_error("no output file (-o OUT)");
	if (init == NULL)
		return usage_error("no init (--init PATH)");
	files[0] = (struct file){.opt = "--init",
				 .name = "init",
				 .path = init,
				 .exec_only = true,
				 .fd = -1,
				 .perm = 0755u};
	return write_archive(out, files, nfiles);
}
