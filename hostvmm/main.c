/* SPDX-License-Identifier: MIT */
/*
 * kcore-vmm: runs one protected VM through /dev/kcore on the Linux host
 * (docs/linux-host.md, "The VMM: kcore-vmm").
 *
 *   kcore-vmm --image FILE [--initrd FILE] [--cmdline S] [--cpus N] [--mem SIZE]
 *             [--name S] [--small-pages] [--disk FILE[,ro]]... [--rng]
 *             [--console pl011|virtio] [--net tap=NAME|bridge=BR] [--dry-run]
 *             [--dump-dtb FILE]
 *             [--snapshot-to FILE] [--restore-from FILE]
 *
 * This file is the program's front: arguments, the signed files, where they
 * go in the guest's RAM (vmm/guest_layout.h, exactly as kserv places them),
 * the guest's DTB (vmm/guest_dtb.h, the same bytes kserv would write),
 * KCORE_IOC_CREATE_VM, and the exit status. Running the vCPUs is vcpu.c's,
 * the backend vmm/ calls is backend_linux.c's, the virtio devices
 * devices.c's (over the guest's RAM, guest_ram.c).
 *
 * Every error is one "kcore-vmm: ..." line on stderr and a status of its
 * own (hostvmm.h, --help): a script tells a usage error from an unreadable
 * file, a missing or refusing /dev/kcore, and a guest that failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libfdt.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kcore/image.h>
#include <kcore/kcore_ioctl.h>

#include "hostvmm/hostvmm.h"
#include "vmm/backend.h"
#include "vmm/exit.h"
#include "vmm/guest_dtb.h"
#include "vmm/guest_layout.h"

#define KCORE_DEV	  "/dev/kcore"
#define DEFAULT_MEM	  (64ull << 20)
#define DEFAULT_NAME	  "vm"
#define CMDLINE_MAX	  1024u /* the DTB's page has to hold it (guest_dtb_write says if not) */
#define SIGNED_FILE_LIMIT KCORE_VM_IMAGE_MAX

struct options {
	const char *image;
	const char *initrd;
	const char *cmdline;
	const char *dump_dtb;
	const char *snapshot_to;
	const char *restore_from;
	char name[GUEST_NAME_MAX];
	u32 cpus;
	u64 mem;
	u32 flags; /* KCORE_VM_* of kcore_ioctl.h */
	bool dry_run;
	struct hostvmm_disk_arg disks[HOSTVMM_MAX_DISKS];
	u32 nr_disks;
	bool rng;
	bool virtio_console;
	struct hostvmm_net_arg net;
	long pin; /* --pin: the host CPU of every thread, or -1 (none) */
};

/* A signed file read whole. */
struct file {
	const char *path;
	u8 *data;
	u64 size;
};

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: kcore-vmm --image FILE [--initrd FILE] [--cmdline S] [--cpus N] [--mem SIZE]\n"
	    "                 [--name S] [--small-pages] [--disk FILE[,ro]]... [--rng]\n"
	    "                 [--console pl011|virtio] [--net tap=NAME|bridge=BR] [--pin "
	    "CPU|none]\n"
	    "                 [--dry-run]\n"
	    "                 [--dump-dtb FILE]\n"
	    "                 [--snapshot-to FILE] [--restore-from FILE]\n"
	    "Runs a protected VM through /dev/kcore (kcore.ko): the kernel FILE, and the initrd,\n"
	    "each signed by kcore-sign (payload and 256-byte trailer), verified by kcore.\n"
	    "  --image FILE    the guest's kernel (an arm64 Image, or any image kcore-sign "
	    "signed)\n"
	    "  --initrd FILE   a signed initrd, placed below the DTB in the last pages of RAM\n"
	    "  --cmdline S     the guest's /chosen/bootargs (default: empty)\n"
	    "  --cpus N        vCPUs, 1..%u (default 1)\n"
	    "  --mem SIZE      guest RAM, a multiple of 4K, with a K, M or G suffix (default 64M)\n"
	    "  --name S        the VM's name, 1..%u of [A-Za-z0-9._-]: its console lines are\n"
	    "                  \"[S] ...\" on stdout (default: the image's file name up to its "
	    "first dot)\n"
	    "  --small-pages   the guest's RAM in 4 KiB pages only, one fault per page, never a "
	    "2 MiB\n"
	    "                  block (the benchmark's s2_fault, docs/bench/README.md)\n"
	    "  --disk FILE[,ro] a virtio-blk disk over FILE (a file or a block device; ,ro:\n"
	    "                  read-only), up to %u; the guest reads and writes it through the\n"
	    "                  pages it shares (docs/virtio.md)\n"
	    "  --rng           a virtio-rng device (the host's getrandom)\n"
	    "  --console virtio  a virtio-console too (the guest's hvc0): its lines go to stdout\n"
	    "                  as the PL011's (default pl011: the PL011 only)\n"
	    "  --net tap=NAME  a virtio-net over the host's tap device NAME (it must exist)\n"
	    "  --net bridge=BR a virtio-net over a tap of its own, added to bridge BR and\n"
	    "                  deleted when kcore-vmm ends (its MAC comes from --name)\n"
	    "  --pin CPU|none  run every thread (the vCPUs', the devices') on host CPU CPU only\n"
	    "                  (default none: where Linux's scheduler puts them)\n"
	    "  --dry-run       check the files and print where they go; no /dev/kcore\n"
	    "  --dump-dtb FILE write the guest's device tree to FILE\n"
	    "  --snapshot-to FILE  when the guest asks for a snapshot (KC_TEST_SNAPSHOT), stop\n"
	    "                  its vCPUs, save kcore's encrypted snapshot and the VMM's state to\n"
	    "                  FILE, answer it \"saved, stop\" and run on (without: not "
	    "supported)\n"
	    "  --restore-from FILE  build the VM from the same images, --mem and --cpus, restore\n"
	    "                  FILE (a --snapshot-to file) before it runs, and go on from there\n"
	    "Exit status:\n"
	    "  %d  the guest powered the VM off (PSCI SYSTEM_OFF); --dry-run: all fits\n"
	    "  %d  the guest failed: kcore refused a run, kcore.ko returned an error, an exit\n"
	    "     went wrong, SIGINT/SIGTERM stopped it, or --snapshot-to failed\n"
	    "  %d  usage: a bad argument, or the files do not fit in --mem\n"
	    "  %d  a file cannot be read or is not a signed image, a disk is in use, or\n"
	    "     --net's interface does not exist or cannot be opened\n"
	    "  %d  no /dev/kcore (kcore.ko not loaded), or kcore.ko or kcore refused the VM\n"
	    "     (the errno's name and what it means are printed), or --restore-from's file:\n"
	    "     not a snapshot file for this VM, or changed (kcore: EBADMSG)\n"
	    "  %d  the guest asked for a reset (PSCI SYSTEM_RESET): kcore-vmm does not restart "
	    "VMs\n",
	    GUEST_MAX_VCPUS, GUEST_NAME_MAX - 1, HOSTVMM_MAX_DISKS, HOSTVMM_OK,
	    HOSTVMM_GUEST_FAILED, HOSTVMM_USAGE, HOSTVMM_FILE, HOSTVMM_KCORE, HOSTVMM_RESET);
}

__attribute__((format(printf, 1, 2), noreturn)) static void usage_error(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "kcore-vmm: %s (kcore-vmm --help)\n", line);
	exit(HOSTVMM_USAGE);
}

/* "64M", "1G", "4096": bytes; false if malformed or overflowing. */
static bool parse_size(const char *s, u64 *out)
{
	char *end;
	unsigned long long v;
	u32 shift = 0;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return false;
	switch (*end) {
	case 'K':
	case 'k':
		shift = 10;
		end++;
		break;
	case 'M':
	case 'm':
		shift = 20;
		end++;
		break;
	case 'G':
	case 'g':
		shift = 30;
		end++;
		break;
	default:
		break;
	}
	if (*end != '\0' || v > (~0ull >> shift))
		return false;
	*out = (u64)v << shift;
	return true;
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= GUEST_NAME_MAX)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* The image's file name up to its first dot ("hello" for /hello.signed), if it makes a name. */
static void default_name(const char *image, char name[GUEST_NAME_MAX])
{
	const char *base = strrchr(image, '/');
	size_t n;

	base = base != NULL ? base + 1 : image;
	n = strcspn(base, ".");
	if (n == 0 || n >= GUEST_NAME_MAX) {
		snprintf(name, GUEST_NAME_MAX, "%s", DEFAULT_NAME);
		return;
	}
	memcpy(name, base, n);
	name[n] = '\0';
	if (!name_ok(name))
		snprintf(name, GUEST_NAME_MAX, "%s", DEFAULT_NAME);
}

/* --disk FILE[,ro]: the flags after the last comma. */
static void parse_disk(char *arg, struct options *o)
{
	struct hostvmm_disk_arg *d = &o->disks[o->nr_disks];
	char *comma = strrchr(arg, ',');

	if (o->nr_disks == HOSTVMM_MAX_DISKS)
		usage_error("--disk %s: at most %u disks", arg, HOSTVMM_MAX_DISKS);
	*d = (struct hostvmm_disk_arg){.path = arg};
	if (comma != NULL) {
		if (strcmp(comma + 1, "ro") != 0)
			usage_error("--disk %s: unknown flag \"%s\" (FILE or FILE,ro)", arg,
				    comma + 1);
		*comma = '\0';
		d->ro = true;
	}
	if (*arg == '\0')
		usage_error("--disk needs a file name");
	o->nr_disks++;
}

/* --pin CPU|none: a CPU number below CPU_SETSIZE, or none (-1). */
static long parse_pin(const char *arg)
{
	char *end;
	unsigned long v;

	if (strcmp(arg, "none") == 0)
		return -1;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 || v >= CPU_SETSIZE)
		usage_error("--pin %s: a host CPU number, 0..%d, or none", arg, CPU_SETSIZE - 1);
	return (long)v;
}

/*
 * --pin: this thread, and so every thread it creates later (the vCPUs',
 * the network's receive thread), runs on that CPU only. A CPU that is not
 * there or not allowed is the user's mistake: said, exit HOSTVMM_USAGE.
 */
static void pin_threads(long cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET((size_t)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		fprintf(stderr, "kcore-vmm: --pin %ld: %s (a CPU this host has and allows?)\n", cpu,
			strerror(errno));
		exit(HOSTVMM_USAGE);
	}
}

/* --net tap=NAME or bridge=BR: one only, NAME a Linux interface name. */
static void parse_net(char *arg, struct options *o)
{
	char *eq = strchr(arg, '=');
	const char *name = eq != NULL ? eq + 1 : "";

	if (o->net.tap != NULL || o->net.bridge != NULL)
		usage_error("--net %s: one --net only", arg);
	if (eq == NULL || (strncmp(arg, "tap=", 4) != 0 && strncmp(arg, "bridge=", 7) != 0))
		usage_error("--net %s: tap=NAME or bridge=BR", arg);
	if (*name == '\0' || strlen(name) >= IFNAMSIZ || strpbrk(name, "/ ") != NULL)
		usage_error("--net %s: an interface name of 1..%d characters", arg, IFNAMSIZ - 1);
	if (arg[0] == 't')
		o->net.tap = name;
	else
		o->net.bridge = name;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	    {"image", required_argument, NULL, 'i'},
	    {"initrd", required_argument, NULL, 'r'},
	    {"cmdline", required_argument, NULL, 'c'},
	    {"cpus", required_argument, NULL, 'n'},
	    {"mem", required_argument, NULL, 'm'},
	    {"name", required_argument, NULL, 'N'},
	    {"dry-run", no_argument, NULL, 'd'},
	    {"dump-dtb", required_argument, NULL, 'D'},
	    {"small-pages", no_argument, NULL, 'S'},
	    {"disk", required_argument, NULL, 'k'},
	    {"rng", no_argument, NULL, 'R'},
	    {"console", required_argument, NULL, 'C'},
	    {"net", required_argument, NULL, 'W'},
	    {"pin", required_argument, NULL, 'P'},
	    {"snapshot-to", required_argument, NULL, 'T'},
	    {"restore-from", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *name = NULL;
	int c;

	*o = (struct options){.cmdline = "", .cpus = 1, .mem = DEFAULT_MEM, .pin = -1};
	opterr = 0; /* our own one-line errors */
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->image = optarg;
			break;
		case 'r':
			o->initrd = optarg;
			break;
		case 'c':
			o->cmdline = optarg;
			break;
		case 'n': {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' || errno != 0 || v < 1 ||
			    v > GUEST_MAX_VCPUS)
				usage_error("--cpus %s: 1..%u vCPUs", optarg, GUEST_MAX_VCPUS);
			o->cpus = (u32)v;
			break;
		}
		case 'm':
			if (!parse_size(optarg, &o->mem) || o->mem == 0 ||
			    (o->mem & (VMM_PAGE_SIZE - 1)) != 0 || o->mem > KCORE_VM_MAX_RAM)
				usage_error(
				    "--mem %s: a non-zero multiple of 4K up to 16G (K, M or "
				    "G suffix)",
				    optarg);
			break;
		case 'N':
			name = optarg;
			break;
		case 'd':
			o->dry_run = true;
			break;
		case 'S':
			o->flags |= KCORE_VM_SMALL_PAGES;
			break;
		case 'D':
			o->dump_dtb = optarg;
			break;
		case 'k':
			parse_disk(optarg, o);
			break;
		case 'R':
			o->rng = true;
			break;
		case 'C':
			if (strcmp(optarg, "virtio") != 0 && strcmp(optarg, "pl011") != 0)
				usage_error("--console %s: pl011 or virtio", optarg);
			o->virtio_console = strcmp(optarg, "virtio") == 0;
			break;
		case 'P':
			o->pin = parse_pin(optarg);
			break;
		case 'W':
			parse_net(optarg, o);
			break;
		case 'T':
			if (*optarg == '\0')
				usage_error("--snapshot-to: a file name");
			o->snapshot_to = optarg;
			break;
		case 'F':
			if (*optarg == '\0')
				usage_error("--restore-from: a file name");
			o->restore_from = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(HOSTVMM_OK);
		case ':':
			usage_error("%s needs an argument", argv[optind - 1]);
		default:
			usage_error("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument \"%s\"", argv[optind]);
	if (o->image == NULL)
		usage_error("--image FILE is required");
	if (name != NULL && !name_ok(name))
		usage_error("--name %s: 1..%u characters of [A-Za-z0-9._-]", name,
			    GUEST_NAME_MAX - 1);
	if (name != NULL)
		snprintf(o->name, sizeof(o->name), "%s", name);
	else
		default_name(o->image, o->name);
	if (strlen(o->cmdline) > CMDLINE_MAX)
		usage_error("--cmdline: at most %u characters", CMDLINE_MAX);
	for (const char *p = o->cmdline; *p != '\0'; p++)
		if (*p < ' ' || *p > '~')
			usage_error("--cmdline: printable characters only");
}

__attribute__((noreturn)) static void file_error(const char *path, const char *why)
{
	fprintf(stderr, "kcore-vmm: %s: %s\n", path, why);
	exit(HOSTVMM_FILE);
}

/*
 * The whole signed file at path; exits with HOSTVMM_FILE unless it can be
 * read and ends in a kcore-sign trailer that covers the rest of it (kcore
 * checks the signature itself: this only turns a wrong file into a clear
 * line before the module sees it).
 */
static struct file read_signed(const char *path)
{
	struct file f = {.path = path};
	struct kcore_img_trailer t;
	struct stat st;
	u64 done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0)
		file_error(path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		file_error(path, "not a regular file");
	f.size = (u64)st.st_size;
	if (f.size < KCORE_VM_IMAGE_MIN)
		file_error(path,
			   "not a signed image (smaller than a kcore-sign trailer and a byte)");
	if (f.size > SIGNED_FILE_LIMIT)
		file_error(path, "larger than kcore's 512 MiB per image");
	f.data = malloc(f.size);
	if (f.data == NULL)
		file_error(path, "no memory to read it");
	while (done < f.size) {
		ssize_t n = read(fd, f.data + done, f.size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			file_error(path, n < 0 ? strerror(errno) : "shorter than its size");
		done += (u64)n;
	}
	close(fd);
	memcpy(&t, f.data + f.size - KCORE_IMG_TRAILER_SIZE, sizeof(t));
	if (memcmp(t.magic, KCORE_IMG_MAGIC, sizeof(t.magic)) != 0 ||
	    t.payload_size != f.size - KCORE_IMG_TRAILER_SIZE)
		file_error(path, "not a signed image (no kcore-sign trailer at its end: sign it "
				 "with kcore-sign)");
	return f;
}

/* The guest's DTB into dtb (a page); exits with HOSTVMM_USAGE if it does not fit. */
static u32 write_dtb(const struct guest *g, const char *cmdline, u8 *dtb)
{
	const struct guest_dtb_desc d = {.name = g->name,
					 .ram_base = g->lay.ram_base,
					 .ram_size = g->lay.ram_size,
					 .nr_vcpus = g->nr_vcpus,
					 .bootargs = cmdline,
					 .initrd_start = g->lay.initrd_ipa,
					 .initrd_end = g->lay.initrd_ipa + g->lay.initrd_payload,
					 .nr_virtio = g->nr_virtio};
	enum guest_dtb_err err = guest_dtb_write(dtb, (u32)GUEST_DTB_SIZE, &d);

	if (err == GUEST_DTB_E_NOSPACE) {
		fprintf(stderr, "kcore-vmm: the device tree does not fit in its 4 KiB page: a "
				"shorter --cmdline\n");
		exit(HOSTVMM_USAGE);
	}
	if (err != GUEST_DTB_OK) {
		fprintf(stderr, "kcore-vmm: the device tree could not be written (error %d)\n",
			err);
		exit(HOSTVMM_GUEST_FAILED);
	}
	return fdt_totalsize(dtb);
}

static void dump_dtb(const char *path, const u8 *dtb, u32 size)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(dtb, 1, size, f) != size || fclose(f) != 0)
		file_error(path, strerror(errno));
}

/* Where everything goes, one line (stderr; stdout with --dry-run, which has nothing else). */
static void print_layout(FILE *out, const struct guest *g, u32 dtb_size, const char *cmdline)
{
	const struct guest_layout *l = &g->lay;
	char initrd[128] = "";

	if (l->initrd_ipa != 0)
		snprintf(initrd, sizeof(initrd), ", initrd 0x%llx (%llu bytes)",
			 (unsigned long long)l->initrd_ipa, (unsigned long long)l->initrd_file);
	fprintf(out,
		"kcore-vmm: VM %s: %u vCPU%s, %llu MiB at 0x%llx; kernel 0x%llx (%llu bytes, "
		"%s)%s, DTB 0x%llx (%u bytes), bootargs \"%s\"\n",
		g->name, g->nr_vcpus, g->nr_vcpus == 1 ? "" : "s",
		(unsigned long long)(l->ram_size >> 20), (unsigned long long)l->ram_base,
		(unsigned long long)l->load_ipa, (unsigned long long)l->image_file,
		l->has_header ? "arm64 Image" : "no Image header", initrd,
		(unsigned long long)l->dtb_ipa, dtb_size, cmdline);
}

__attribute__((noreturn)) static void kcore_error(const char *what, int err, const char *meaning)
{
	const char *name = strerrorname_np(err);

	fprintf(stderr, "kcore-vmm: %s: %s: %s\n", what, name != NULL ? name : "?",
		meaning != NULL ? meaning : strerror(err));
	exit(HOSTVMM_KCORE);
}

/* /dev/kcore, checked to speak the ABI this program was built for. */
static int open_kcore(void)
{
	struct kcore_version v;
	int dev = open(KCORE_DEV, O_RDWR | O_CLOEXEC);

	if (dev < 0) {
		int err = errno;

		kcore_error("open " KCORE_DEV, err,
			    err == ENOENT ? "no such device node: kcore.ko is not loaded "
					    "(or devtmpfs is not mounted on /dev)"
			    : err == ENXIO || err == ENODEV ? "kcore.ko is not loaded"
			    : err == EACCES || err == EPERM ? "/dev/kcore is root's (mode 0600)"
							    : NULL);
	}
	memset(&v, 0, sizeof(v));
	if (ioctl(dev, KCORE_IOC_VERSION, &v) != 0)
		kcore_error("KCORE_IOC_VERSION", errno,
			    errno == EIO ? "kcore does not answer the module any more" : NULL);
	if (v.abi_major != KCORE_ABI_MAJOR) {
		fprintf(stderr,
			"kcore-vmm: kcore speaks ABI %u.%u, this kcore-vmm was built for %u.%u\n",
			v.abi_major, v.abi_minor, (unsigned)KCORE_ABI_MAJOR,
			(unsigned)KCORE_ABI_MINOR);
		exit(HOSTVMM_KCORE);
	}
	return dev;
}

/* KCORE_IOC_CREATE_VM's errors, as include/kcore/kcore_ioctl.h lists them. */
static const char *create_vm_meaning(int err)
{
	switch (err) {
	case EFAULT:
		return "the module could not read a file from this process";
	case EINVAL:
		return "an argument refused by kcore.ko or kcore (more vCPUs than kcore allows, "
		       "RAM outside its IPA space, an address or size)";
	case E2BIG:
		return "a file above its maximum, the kernel larger than the RAM above its load "
		       "address, or more RAM than 16 GiB";
	case EKEYREJECTED:
		return "kcore refused a signature: the image or initrd is not signed by a key "
		       "kcore trusts, or was changed";
	case ENOMEM:
		return "Linux has no memory for the VM's files";
	case ENOSPC:
		return "kcore has no free VM slot (or image window)";
	case EMFILE:
		return "no file descriptor left";
	case EINTR:
		return "a fatal signal came while the files were copied";
	default:
		return NULL;
	}
}

/*
 * "BENCH vm_created counter=C" on stderr: the counter just before the VM is
 * asked for, as kserv logs it, so that bench/bench.sh can count from here to
 * the guest's first instruction (its boot cost). The host's virtual counter
 * is its physical one (kcore gives the host a CNTVOFF_EL2 of 0), readable at
 * EL0 (Linux sets CNTKCTL_EL1.EL0VCTEN); the ISB keeps the read from being
 * taken early. Only aarch64 has it: the build machine's kcore-vmm (tests)
 * prints nothing.
 */
static void print_created_counter(void)
{
#ifdef __aarch64__
	unsigned long long v;

	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
	fprintf(stderr, "BENCH vm_created counter=%llu\n", v);
#endif
}

static int create_vm(int dev, const struct guest *g, const struct file *image,
		     const struct file *initrd, const u8 *dtb, u32 dtb_size, u32 flags)
{
	struct kcore_create_vm req = {
	    .image = (__u64)(uintptr_t)image->data,
	    .image_size = image->size,
	    .ram_size = g->lay.ram_size,
	    .nr_vcpus = g->nr_vcpus,
	    .flags = flags,
	    .initrd = initrd != NULL ? (__u64)(uintptr_t)initrd->data : 0,
	    .initrd_size = initrd != NULL ? initrd->size : 0,
	    .initrd_ipa = initrd != NULL ? g->lay.initrd_ipa : 0,
	    .dtb = (__u64)(uintptr_t)dtb,
	    .dtb_size = dtb_size,
	    .dtb_ipa = g->lay.dtb_ipa,
	};
	int fd;

	print_created_counter();
	fd = ioctl(dev, KCORE_IOC_CREATE_VM, &req);
	if (fd < 0)
		kcore_error("KCORE_IOC_CREATE_VM", errno, create_vm_meaning(errno));
	return fd;
}

/* Waits on it time out by CLOCK_MONOTONIC (vcpu.c): a clock change cannot stretch them. */
static void init_cond(pthread_cond_t *cond)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
}

/* What happened to the VM, as one line and the exit status. */
static int outcome(const struct guest *g)
{
	const struct guest_host *h = g->host;

	if (g->failed) {
		fprintf(stderr, "kcore-vmm: VM %s failed: %s\n", g->name, g->why);
		return HOSTVMM_GUEST_FAILED;
	}
	if (h->powered_off && g->reset) {
		fprintf(stderr,
			"kcore-vmm: VM %s asked for a reset: kcore-vmm does not restart VMs\n",
			g->name);
		return HOSTVMM_RESET;
	}
	if (h->powered_off) {
		fprintf(stderr, "kcore-vmm: VM %s powered off\n", g->name);
		return HOSTVMM_OK;
	}
	fprintf(stderr, "kcore-vmm: VM %s failed: %s\n", g->name,
		h->shutdown ? "kcore.ko said it powered off (ESHUTDOWN), no vCPU saw it"
			    : "its vCPUs stopped with no power-off");
	return HOSTVMM_GUEST_FAILED;
}

int main(int argc, char **argv)
{
	static struct guest g;
	static struct guest_host host = {.lock = PTHREAD_MUTEX_INITIALIZER, .vm_fd = -1};
	static u8 dtb[GUEST_DTB_SIZE] __attribute__((aligned(4096)));
	struct options o;
	struct hostvmm_snapfile snap = {0};
	struct file image, initrd = {0};
	struct kcore_vm_info info;
	u32 dtb_size;
	int dev, status;
	bool ran;

	/* Line by line even into a pipe: whoever reads the guest's console sees it as it comes. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv, &o);
	pin_threads(o.pin);
	image = read_signed(o.image);
	if (o.initrd != NULL)
		initrd = read_signed(o.initrd);

	vm_record_init(&g, 0, &host);
	snprintf(g.name, sizeof(g.name), "%s", o.name);
	g.nr_vcpus = o.cpus;
	if (!guest_layout_compute(g.name, o.mem, image.data, image.size, initrd.size, &g.lay)) {
		fprintf(stderr,
			"kcore-vmm: the files do not fit in the guest's RAM: a larger --mem\n");
		free(image.data);
		free(initrd.data);
		return HOSTVMM_USAGE;
	}
	/* Empty, so a guest's KC_TEST_READ_SHARED finds no page (the host reads none here). */
	gfn_map_init(&g.map, g.lay.ram_base, g.lay.ram_size);
	o.net.dry_run = o.dry_run;
	hostvmm_devices_open(&g, o.disks, o.nr_disks, o.rng, o.virtio_console, &o.net);
	dtb_size = write_dtb(&g, o.cmdline, dtb);
	if (o.dump_dtb != NULL)
		dump_dtb(o.dump_dtb, dtb, dtb_size);
	print_layout(o.dry_run ? stdout : stderr, &g, dtb_size, o.cmdline);
	hostvmm_devices_print(o.dry_run ? stdout : stderr, &g);
	/* Checked before /dev/kcore: a wrong file is said without a VM made for nothing. */
	if (o.restore_from != NULL) {
		status = hostvmm_snapfile_load(&g, o.restore_from, &snap);
		if (status != HOSTVMM_OK) {
			free(image.data);
			free(initrd.data);
			return status;
		}
	}
	if (o.dry_run) {
		free(image.data);
		free(initrd.data);
		return HOSTVMM_OK;
	}

	dev = open_kcore();
	host.vm_fd =
	    create_vm(dev, &g, &image, o.initrd != NULL ? &initrd : NULL, dtb, dtb_size, o.flags);
	close(dev);
	/* The module has its own copies: nothing of ours is read again. */
	free(image.data);
	free(initrd.data);
	g.state = GUEST_VERIFIED;
	memset(&info, 0, sizeof(info));
	if (ioctl(host.vm_fd, KCORE_VM_IOC_INFO, &info) == 0)
		fprintf(stderr, "kcore-vmm: VM %s: created, verified by kcore (vmid %llu)\n",
			g.name, (unsigned long long)info.vmid);
	if (o.restore_from != NULL) {
		status = hostvmm_restore(&g, &snap);
		if (status != HOSTVMM_OK) {
			close(host.vm_fd);
			return status;
		}
	}
	if (!hostvmm_devices_start(&g)) {
		close(host.vm_fd);
		return HOSTVMM_KCORE;
	}
	host.snapshot_to = o.snapshot_to;
	init_cond(&host.cond);

	ran = hostvmm_run_vcpus(&g);
	vmm_uart_flush(&g); /* a last line without its newline */
	status = outcome(&g);
	if (!ran) {
		/* A vCPU thread is stuck in the module: exit without waiting for it. */
		fflush(stdout);
		_exit(status == HOSTVMM_OK ? HOSTVMM_GUEST_FAILED : status);
	}
	/* The RAM's mapping holds the VM's file: gone first, so the close below is the last. */
	hostvmm_devices_stop(&g);
	/* The last reference: the module powers the VM off (if needed) and frees it in kcore. */
	close(host.vm_fd);
	return status;
}
