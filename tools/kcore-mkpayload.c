// SPDX-License-Identifier: MIT
/*
 * kcore-mkpayload: builds the payload tools/kcore-run hands kserv as QEMU's
 * -initrd (include/kcore/payload.h, docs/launcher.md): a header, one record
 * per VM, then each VM's signed image and initrd, each 4 KiB aligned.
 *
 *   kcore-mkpayload [--attacks] [--allow-unsigned] [--snapshot-to FILE]
 *                   [--restore-from FILE] -o OUT --vm SPEC [--vm SPEC...]
 *   kcore-mkpayload --check [--allow-unsigned] --vm SPEC [--vm SPEC...]
 *   SPEC = image=PATH[,name=NAME][,initrd=PATH][,cpus=N][,mem=SIZE][,expect-refused]
 *          [,small-pages][,snapshot][,snapshot-restore][,snapshot-attacks][,snapshot-scan]
 *          [,restore][,cmdline=STR]   (cmdline= takes the rest of SPEC, commas included)
 *
 * Everything is checked before anything is written, and OUT appears only
 * complete (written to a temporary file, then renamed).
 *
 * Exit status: 0 success, 1 bad input (a value out of range, a file missing
 * or not what it should be), 2 wrong usage. Every error is one line on
 * stderr starting with "kcore-mkpayload: ".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kcore/payload.h>

#include "lib/imgsign.h"
#include "lib/toolmsg.h"

#define PROG "kcore-mkpayload"

#define EXIT_OK	   0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

#define USAGE                                                                                  \
	"kcore-mkpayload [--attacks] [--allow-unsigned] [--snapshot-to FILE] [--restore-from " \
	"FILE] "                                                                               \
	"(-o OUT | --check) --vm SPEC [--vm "                                                  \
	"SPEC...]\n"                                                                           \
	"  SPEC = image=PATH[,name=NAME][,initrd=PATH][,cpus=N][,mem=SIZE][,expect-refused]"   \
	"[,small-pages][,snapshot][,snapshot-restore][,snapshot-attacks][,snapshot-scan]"      \
	"[,restore][,cmdline=STR]"

#define KIB (1ull << 10)
#define MIB (1ull << 20)
#define GIB (1ull << 30)

#define HDR_SIZE	 64u
#define VM_SIZE		 368u
#define NAME_SIZE	 32u
#define CMDLINE_SIZE	 256u
#define FILE_ALIGN	 4096u
#define MAX_CPUS	 8u
#define MIN_MEM		 (4 * MIB)
#define MAX_MEM		 (4 * GIB)
#define DEFAULT_MEM	 (64 * MIB)
#define MAX_FILE	 (512 * MIB) /* kcore's KC_HC_SET_BOOT_INFO limit */
#define DTB_ROOM	 (2 * MIB)   /* kserv puts the DTB in the top 2 MiB block */
#define ARM64_HDR_SIZE	 64u
#define ARM64_MAGIC_OFF	 56u
#define ARM64_TEXT_OFF	 8u
#define ARM64_SIZE_OFF	 16u
#define ARM64_OLD_OFFSET 0x80000u /* text_offset of an Image whose image_size is 0 */

_Static_assert(sizeof(struct kcore_payload_hdr) == HDR_SIZE, "payload header layout");
_Static_assert(sizeof(struct kcore_payload_vm) == VM_SIZE, "payload VM record layout");
_Static_assert(sizeof(((struct kcore_payload_vm *)0)->name) == NAME_SIZE, "name field");
_Static_assert(sizeof(((struct kcore_payload_vm *)0)->cmdline) == CMDLINE_SIZE, "cmdline field");

struct file_in {
	const char *path; /* NULL: absent */
	uint64_t size;
	uint64_t offset; /* in the payload */
};

struct vm_spec {
	const char *spec; /* as given, for messages */
	char *items;	  /* a copy of spec, split into the strings below */
	char name[NAME_SIZE];
	uint32_t cpus;
	uint32_t flags;
	uint64_t mem;
	struct file_in image, initrd;
	const char *cmdline;
};

/* The snapshot file paths' longest, NUL excluded (kserv: PAYLOAD_PATH_MAX). */
#define PATH_MAX_LEN 1023u

/* Spec items that are flags without a value. */
static const struct {
	const char *item;
	uint32_t flag;
} flag_items[] = {
    {"expect-refused", KCORE_PAYLOAD_VM_F_EXPECT_REFUSED},
    {"small-pages", KCORE_PAYLOAD_VM_F_SMALL_PAGES},
    {"snapshot", KCORE_PAYLOAD_VM_F_SNAPSHOT_TO_FILE},
    {"snapshot-restore", KCORE_PAYLOAD_VM_F_SNAPSHOT_RESTORE},
    {"snapshot-attacks", KCORE_PAYLOAD_VM_F_SNAPSHOT_ATTACKS},
    {"snapshot-scan", KCORE_PAYLOAD_VM_F_SNAPSHOT_SCAN},
    {"restore", KCORE_PAYLOAD_VM_F_RESTORE_FROM_FILE},
};

struct options {
	const char *out;
	const char *snapshot_to, *restore_from; /* paths kserv opens by semihosting */
	uint64_t snapshot_to_off, restore_from_off;
	uint32_t flags;
	bool allow_unsigned;
	bool check_only;
	struct vm_spec vms[KCORE_PAYLOAD_MAX_VMS];
	uint32_t nr_vms;
};

#define errmsg(...) tool_errmsg(PROG, __VA_ARGS__)

static int usage_error(const char *why)
{
	errmsg("%s (see kcore-mkpayload --help)", why);
	return EXIT_USAGE;
}

static void print_help(void)
{
	printf(
	    "usage: " USAGE "\n"
	    "\n"
	    "Builds the payload kserv reads (include/kcore/payload.h; docs/launcher.md).\n"
	    "  --attacks          kserv runs the host attack suite (tests)\n"
	    "  --allow-unsigned   accept images and initrds without a kcore signature\n"
	    "                     (kcore will refuse them: for tests)\n"
	    "  --check            check everything, write nothing\n"
	    "  image=PATH         the VM's signed arm64 Image (required)\n"
	    "  name=NAME          1-31 of A-Z a-z 0-9 . _ -, unique (default: the image's\n"
	    "                     file name up to its first '.')\n"
	    "  initrd=PATH        a signed initrd\n"
	    "  cpus=N             vCPUs, 1-8 (default 1)\n"
	    "  mem=SIZE           guest RAM: bytes or K/M/G, a multiple of 2 MiB, 4 MiB to\n"
	    "                     4 GiB (default 64M)\n"
	    "  expect-refused     tests: this VM's verification must fail\n"
	    "  small-pages        the host gives the VM's RAM in 4 KiB pages only, never\n"
	    "                     2 MiB blocks (benchmarks: one fault per page)\n"
	    "  snapshot           when the guest asks, save a snapshot to --snapshot-to's file\n"
	    "  snapshot-restore   when the guest asks, snapshot, tear down, restore it\n"
	    "  snapshot-attacks   tests: when the guest asks, attack the snapshot, then as\n"
	    "                     snapshot-restore\n"
	    "  snapshot-scan      tests: scan host memory for the guest's secrets after each\n"
	    "                     snapshot and restore\n"
	    "  restore            restore the VM from --restore-from's file instead of booting it\n"
	    "  --snapshot-to FILE    the file for the VM marked snapshot (docs/snapshots.md)\n"
	    "  --restore-from FILE   the file for the VM marked restore\n"
	    "  cmdline=STR        up to 255 printable characters; takes the rest of SPEC\n"
	    "At most %u VMs. Exit status: 0 success, 1 bad input, 2 wrong usage.\n",
	    KCORE_PAYLOAD_MAX_VMS);
}

/* ---- parsing ----------------------------------------------------------------- */

/* A decimal number, nothing else; false on anything else or overflow. */
static bool parse_u64(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return true;
}

/* "64M", "1G", "4194304", "512KiB": binary units; false if malformed or too big. */
static bool parse_size(const char *s, uint64_t *v)
{
	char digits[32];
	size_t n = strspn(s, "0123456789");
	const char *unit = s + n;
	uint64_t mult = 1, num;

	if (n == 0 || n >= sizeof(digits))
		return false;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (!parse_u64(digits, &num))
		return false;
	switch (*unit) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = KIB;
		break;
	case 'm':
	case 'M':
		mult = MIB;
		break;
	case 'g':
	case 'G':
		mult = GIB;
		break;
	default:
		return false;
	}
	if (*unit != '\0') {
		unit++;
		if (*unit != '\0' && strcmp(unit, "iB") != 0 && strcmp(unit, "B") != 0)
			return false;
	}
	if (num > UINT64_MAX / mult)
		return false;
	*v = num * mult;
	return true;
}

static bool valid_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= NAME_SIZE)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool alnum =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

/* The default name: the image's file name up to its first '.'. */
static void default_name(char *name, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base != NULL ? base + 1 : path;
	len = strcspn(base, ".");
	if (len >= NAME_SIZE)
		len = NAME_SIZE - 1;
	memcpy(name, base, len);
	name[len] = '\0';
}

/*
 * Splits items (a copy of spec) in place into key=value items and fills vm. Returns EXIT_OK,
 * EXIT_USAGE (malformed SPEC) or EXIT_FAIL (a value out of range).
 */
static int parse_vm_spec(char *items, const char *spec, struct vm_spec *vm)
{
	const char *name = NULL, *cpus = NULL, *mem = NULL;
	char *item = items;
	uint32_t flag;

	*vm = (struct vm_spec){.spec = spec, .cpus = 1, .mem = DEFAULT_MEM};
	while (item != NULL) {
		char *value = NULL, *next = NULL;
		const char **slot = NULL;

		if (strncmp(item, "cmdline=", 8) == 0) {
			value = item + 8; /* the rest, commas included */
		} else {
			next = strchr(item, ',');
			if (next != NULL)
				*next++ = '\0';
			value = strchr(item, '=');
			if (value != NULL)
				*value++ = '\0';
		}
		if (*item == '\0') {
			errmsg("--vm %s: an empty item (a comma too many?)", vm->spec);
			return EXIT_USAGE;
		}
		if (strncmp(item, "cmdline=", 8) == 0)
			slot = &vm->cmdline;
		else if (strcmp(item, "image") == 0)
			slot = &vm->image.path;
		else if (strcmp(item, "initrd") == 0)
			slot = &vm->initrd.path;
		else if (strcmp(item, "name") == 0)
			slot = &name;
		else if (strcmp(item, "cpus") == 0)
			slot = &cpus;
		else if (strcmp(item, "mem") == 0)
			slot = &mem;

		flag = 0;
		for (size_t f = 0; f < sizeof(flag_items) / sizeof(flag_items[0]); f++) {
			if (strcmp(item, flag_items[f].item) == 0)
				flag = flag_items[f].flag;
		}
		if (flag != 0) {
			if (value != NULL) {
				errmsg("--vm %s: '%s' takes no value", vm->spec, item);
				return EXIT_USAGE;
			}
			vm->flags |= flag;
		} else if (slot == NULL) {
			errmsg("--vm %s: unknown item '%s' (image, name, initrd, cpus, mem, "
			       "expect-refused, small-pages, snapshot, snapshot-restore, "
			       "snapshot-attacks, snapshot-scan, restore, cmdline)",
			       vm->spec, item);
			return EXIT_USAGE;
		} else if (value == NULL || (*value == '\0' && slot != &vm->cmdline)) {
			errmsg("--vm %s: '%s' needs a value (%s=...)", vm->spec, item, item);
			return EXIT_USAGE;
		} else if (*slot != NULL) {
			errmsg("--vm %s: '%s' given twice", vm->spec,
			       slot == &vm->cmdline ? "cmdline" : item);
			return EXIT_USAGE;
		} else {
			*slot = value;
		}
		if (slot == &vm->cmdline)
			break;
		item = next;
	}
	if (vm->image.path == NULL) {
		errmsg("--vm %s: no image=PATH", vm->spec);
		return EXIT_USAGE;
	}

	if (name != NULL) {
		if (!valid_name(name)) {
			errmsg("--vm %s: bad name '%s': 1 to %u characters of A-Z a-z 0-9 . _ -, "
			       "starting with a letter or digit",
			       vm->spec, name, NAME_SIZE - 1);
			return EXIT_FAIL;
		}
		snprintf(vm->name, sizeof(vm->name), "%s", name);
	} else {
		default_name(vm->name, vm->image.path);
		if (!valid_name(vm->name)) {
			errmsg("--vm %s: the image's file name gives no usable VM name ('%s'): "
			       "add name=NAME",
			       vm->spec, vm->name);
			return EXIT_FAIL;
		}
	}
	if (cpus != NULL) {
		uint64_t n;

		if (!parse_u64(cpus, &n) || n < 1 || n > MAX_CPUS) {
			errmsg("--vm %s: bad cpus '%s': a number from 1 to %u", vm->spec, cpus,
			       MAX_CPUS);
			return EXIT_FAIL;
		}
		vm->cpus = (uint32_t)n;
	}
	if (mem != NULL) {
		if (!parse_size(mem, &vm->mem)) {
			errmsg("--vm %s: bad mem '%s': a size such as 64M, 1G or 4194304", vm->spec,
			       mem);
			return EXIT_FAIL;
		}
		if (vm->mem % (2 * MIB) != 0 || vm->mem < MIN_MEM || vm->mem > MAX_MEM) {
			errmsg("--vm %s: bad mem '%s' (%llu bytes): a multiple of 2 MiB from 4 MiB "
			       "to 4 GiB",
			       vm->spec, mem, (unsigned long long)vm->mem);
			return EXIT_FAIL;
		}
	}
	if (vm->cmdline != NULL) {
		size_t len = strlen(vm->cmdline);

		if (len >= CMDLINE_SIZE) {
			errmsg("VM %s: cmdline is %zu characters; at most %u", vm->name, len,
			       CMDLINE_SIZE - 1);
			return EXIT_FAIL;
		}
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)vm->cmdline[i];

			if (c < 0x20 || c > 0x7e) {
				errmsg(
				    "VM %s: cmdline has a non-printable character (0x%02x) at %zu",
				    vm->name, c, i);
				return EXIT_FAIL;
			}
		}
	}
	return EXIT_OK;
}

/* ---- files ------------------------------------------------------------------- */

static int read_at(int fd, const char *path, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	if (n < 0) {
		errmsg("%s: %s", path, strerror(errno));
		return -1;
	}
	if ((size_t)n != len) {
		errmsg("%s: changed while being read", path);
		return -1;
	}
	return 0;
}

/* what: "VM NAME: image " or similar, for the error message. */
static int open_regular(const char *what, const char *path, uint64_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		errmsg("%s%s: %s", what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		errmsg("%s%s: not a regular file", what, path);
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

/*
 * Checks a signed file (image or initrd): size, and the trailer (not the
 * signature: only kcore's verdict counts). For an image also the arm64
 * Image header; *need is how much guest RAM from its base the file takes.
 */
static int check_file(const struct options *o, const struct vm_spec *vm, struct file_in *f,
		      bool is_image, uint64_t *need)
{
	uint8_t trailer[KCORE_IMG_TRAILER_SIZE], hdr[ARM64_HDR_SIZE];
	const char *what = is_image ? "image" : "initrd";
	char ctx[NAME_SIZE + 16];
	uint64_t payload_size;
	bool is_signed;
	int fd;

	snprintf(ctx, sizeof(ctx), "VM %s: %s ", vm->name, what);
	fd = open_regular(ctx, f->path, &f->size);
	if (fd < 0)
		return EXIT_FAIL;
	if (f->size == 0 || f->size > MAX_FILE) {
		errmsg("VM %s: %s %s is %llu bytes: it must be 1 byte to 512 MiB", vm->name, what,
		       f->path, (unsigned long long)f->size);
		goto fail;
	}
	/*
	 * "Signed" here means it carries a trailer for its size; whether the
	 * signature is good, and by a key kcore trusts, only kcore decides.
	 */
	is_signed = false;
	if (f->size > KCORE_IMG_TRAILER_SIZE) {
		struct kcore_img_trailer tr;

		if (read_at(fd, f->path, trailer, sizeof(trailer), f->size - sizeof(trailer)) != 0)
			goto fail;
		imgsign_trailer_decode(&tr, trailer);
		is_signed = memcmp(tr.magic, KCORE_IMG_MAGIC, sizeof(tr.magic)) == 0 &&
			    tr.payload_size == f->size - KCORE_IMG_TRAILER_SIZE;
	}
	if (!is_signed && !o->allow_unsigned) {
		errmsg(
		    "VM %s: %s %s is not signed (sign it: kcore-sign sign --key KEY.priv IN OUT; "
		    "tools/kcore-run signs with the development key)",
		    vm->name, what, f->path);
		goto fail;
	}
	payload_size = is_signed ? f->size - KCORE_IMG_TRAILER_SIZE : f->size;
	*need = f->size;
	if (is_image) {
		uint64_t text_offset, image_size;

		if (payload_size < ARM64_HDR_SIZE ||
		    read_at(fd, f->path, hdr, sizeof(hdr), 0) != 0 ||
		    memcmp(hdr + ARM64_MAGIC_OFF, "ARM\x64", 4) != 0) {
			errmsg("VM %s: image %s is not an arm64 Image (no \"ARM\\x64\" magic at "
			       "offset 56)",
			       vm->name, f->path);
			goto fail;
		}
		text_offset = imgsign_get_le64(hdr + ARM64_TEXT_OFF);
		image_size = imgsign_get_le64(hdr + ARM64_SIZE_OFF);
		if (image_size == 0)
			text_offset = ARM64_OLD_OFFSET;
		if (text_offset % FILE_ALIGN != 0 || text_offset >= MAX_MEM) {
			errmsg("VM %s: image %s has text_offset 0x%llx: it must be a multiple of "
			       "4 KiB (kcore maps images page by page)",
			       vm->name, f->path, (unsigned long long)text_offset);
			goto fail;
		}
		*need = text_offset + (image_size > f->size ? image_size : f->size);
	}
	close(fd);
	return EXIT_OK;
fail:
	close(fd);
	return EXIT_FAIL;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* The number of VMs whose flags include flag. */
static uint32_t vms_flagged(const struct options *o, uint32_t flag)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < o->nr_vms; i++)
		n += (o->vms[i].flags & flag) != 0;
	return n;
}

/* A snapshot file path needs its VM, a VM its path, and a VM one snapshot mode at most. */
static bool snapshot_options_ok(const struct options *o)
{
	const struct {
		const char *option, *item;
		const char *path;
		uint32_t flag;
	} files[] = {
	    {"--snapshot-to", "snapshot", o->snapshot_to, KCORE_PAYLOAD_VM_F_SNAPSHOT_TO_FILE},
	    {"--restore-from", "restore", o->restore_from, KCORE_PAYLOAD_VM_F_RESTORE_FROM_FILE},
	};

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		uint32_t n = vms_flagged(o, files[f].flag);

		if (files[f].path != NULL &&
		    (*files[f].path == '\0' || strlen(files[f].path) > PATH_MAX_LEN)) {
			errmsg("%s: the path must be 1 to %u characters", files[f].option,
			       PATH_MAX_LEN);
			return false;
		}
		if (files[f].path != NULL && n != 1) {
			errmsg("%s needs exactly one VM marked '%s' (%u are)", files[f].option,
			       files[f].item, n);
			return false;
		}
		if (files[f].path == NULL && n != 0) {
			errmsg("a VM is marked '%s' but there is no %s FILE", files[f].item,
			       files[f].option);
			return false;
		}
	}
	for (uint32_t i = 0; i < o->nr_vms; i++) {
		uint32_t modes = o->vms[i].flags & KCORE_PAYLOAD_VM_F_SNAPSHOT_ANY;

		if ((modes & (modes - 1)) != 0) {
			errmsg(
			    "VM %s: snapshot, snapshot-restore and snapshot-attacks exclude each "
			    "other",
			    o->vms[i].name);
			return false;
		}
	}
	return true;
}

/* Checks every VM's files and lays them out; returns the payload's size, 0 on error. */
static uint64_t check_and_layout(struct options *o)
{
	uint64_t off = align_up(HDR_SIZE + (uint64_t)o->nr_vms * VM_SIZE, FILE_ALIGN);

	for (uint32_t i = 0; i < o->nr_vms; i++) {
		struct vm_spec *vm = &o->vms[i];
		uint64_t need_image, need_initrd = 0;

		for (uint32_t j = 0; j < i; j++) {
			if (strcmp(o->vms[j].name, vm->name) == 0) {
				errmsg("two VMs are named '%s': give one another name=", vm->name);
				return 0;
			}
		}
		if (check_file(o, vm, &vm->image, true, &need_image) != EXIT_OK)
			return 0;
		if (vm->initrd.path != NULL &&
		    check_file(o, vm, &vm->initrd, false, &need_initrd) != EXIT_OK)
			return 0;
		if (need_image + align_up(need_initrd, FILE_ALIGN) + DTB_ROOM > vm->mem) {
			errmsg("VM %s: the image (%llu bytes from its load address)%s and the DTB "
			       "(2 MiB) do not fit in mem=%llu MiB",
			       vm->name, (unsigned long long)need_image,
			       vm->initrd.path != NULL ? ", the initrd" : "",
			       (unsigned long long)(vm->mem / MIB));
			return 0;
		}
		vm->image.offset = off;
		off = align_up(off + vm->image.size, FILE_ALIGN);
		if (vm->initrd.path != NULL) {
			vm->initrd.offset = off;
			off = align_up(off + vm->initrd.size, FILE_ALIGN);
		}
	}
	if (!snapshot_options_ok(o))
		return 0;
	/* Both paths share one page after the files, each followed by its NUL. */
	if (o->snapshot_to != NULL || o->restore_from != NULL) {
		o->snapshot_to_off = o->snapshot_to != NULL ? off : 0;
		o->restore_from_off =
		    o->restore_from != NULL
			? off + (o->snapshot_to != NULL ? strlen(o->snapshot_to) + 1 : 0)
			: 0;
		off += FILE_ALIGN;
	}
	return off;
}

/* ---- writing ------------------------------------------------------------------ */

/* s was checked shorter than its field; the rest of the field stays zero. */
static void put_string(uint8_t *dst, size_t field, const char *s)
{
	if (s != NULL)
		strncpy((char *)dst, s, field - 1);
}

static void encode_tables(const struct options *o, uint8_t *buf, uint64_t total)
{
	memcpy(buf, KCORE_PAYLOAD_MAGIC, sizeof(((struct kcore_payload_hdr *)0)->magic));
	imgsign_put_le32(buf + 8, o->nr_vms);
	imgsign_put_le32(buf + 12, o->flags);
	imgsign_put_le64(buf + 16, total);
	if (o->snapshot_to != NULL) {
		imgsign_put_le64(buf + 24, o->snapshot_to_off);
		imgsign_put_le64(buf + 32, strlen(o->snapshot_to));
	}
	if (o->restore_from != NULL) {
		imgsign_put_le64(buf + 40, o->restore_from_off);
		imgsign_put_le64(buf + 48, strlen(o->restore_from));
	}
	for (uint32_t i = 0; i < o->nr_vms; i++) {
		const struct vm_spec *vm = &o->vms[i];
		uint8_t *r = buf + HDR_SIZE + (size_t)i * VM_SIZE;

		put_string(r, NAME_SIZE, vm->name);
		imgsign_put_le32(r + 32, vm->cpus);
		imgsign_put_le32(r + 36, vm->flags);
		imgsign_put_le64(r + 40, vm->mem);
		imgsign_put_le64(r + 48, vm->image.offset);
		imgsign_put_le64(r + 56, vm->image.size);
		imgsign_put_le64(r + 64, vm->initrd.offset);
		imgsign_put_le64(r + 72, vm->initrd.path != NULL ? vm->initrd.size : 0);
		put_string(r + 80, CMDLINE_SIZE, vm->cmdline);
	}
}

/* Copies the file to fd at off; fails if its size is no longer the one checked. */
static int copy_file(int out, const char *out_path, const struct file_in *f)
{
	static uint8_t chunk[1 << 16];
	uint64_t size, done = 0;
	int in = open_regular("", f->path, &size);

	if (in < 0)
		return -1;
	if (size != f->size) {
		errmsg("%s: changed while the payload was being built", f->path);
		close(in);
		return -1;
	}
	while (done < size) {
		size_t len = size - done < sizeof(chunk) ? (size_t)(size - done) : sizeof(chunk);

		if (read_at(in, f->path, chunk, len, done) != 0) {
			close(in);
			return -1;
		}
		if (pwrite(out, chunk, len, (off_t)(f->offset + done)) != (ssize_t)len) {
			errmsg("%s: %s", out_path, strerror(errno));
			close(in);
			return -1;
		}
		done += len;
	}
	close(in);
	return 0;
}

/* A snapshot file path and its NUL (the payload is zero there already). */
static bool write_path(int fd, const char *out_path, const char *path, uint64_t off)
{
	size_t len = path != NULL ? strlen(path) : 0;

	if (path == NULL || pwrite(fd, path, len, (off_t)off) == (ssize_t)len)
		return true;
	errmsg("%s: %s", out_path, strerror(errno));
	return false;
}

static int write_payload(const struct options *o, uint64_t total)
{
	size_t tables = (size_t)align_up(HDR_SIZE + (uint64_t)o->nr_vms * VM_SIZE, FILE_ALIGN);
	size_t tmp_len = strlen(o->out) + 16;
	char *tmp = malloc(tmp_len);
	uint8_t *buf = calloc(1, tables);
	int fd = -1, ret = EXIT_FAIL;

	if (tmp == NULL || buf == NULL) {
		errmsg("out of memory");
		goto out;
	}
	snprintf(tmp, tmp_len, "%s.tmp%ld", o->out, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		errmsg("%s: %s", tmp, strerror(errno));
		goto out;
	}
	encode_tables(o, buf, total);
	/* ftruncate first: the gaps between files read back as zeros. */
	if (ftruncate(fd, (off_t)total) != 0 || pwrite(fd, buf, tables, 0) != (ssize_t)tables) {
		errmsg("%s: %s", tmp, strerror(errno));
		goto out;
	}
	for (uint32_t i = 0; i < o->nr_vms; i++) {
		if (copy_file(fd, tmp, &o->vms[i].image) != 0)
			goto out;
		if (o->vms[i].initrd.path != NULL && copy_file(fd, tmp, &o->vms[i].initrd) != 0)
			goto out;
	}
	if (!write_path(fd, tmp, o->snapshot_to, o->snapshot_to_off) ||
	    !write_path(fd, tmp, o->restore_from, o->restore_from_off))
		goto out;
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		errmsg("%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, o->out) != 0) {
		errmsg("%s: %s", o->out, strerror(errno));
		goto out;
	}
	ret = EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	if (ret != EXIT_OK && tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(buf);
	return ret;
}

/* ---- main ---------------------------------------------------------------------- */

static int add_vm(struct options *o, const char *spec)
{
	struct vm_spec *vm = &o->vms[o->nr_vms];
	char *items;
	int rc;

	if (o->nr_vms == KCORE_PAYLOAD_MAX_VMS) {
		errmsg("too many VMs: at most %u", KCORE_PAYLOAD_MAX_VMS);
		return EXIT_FAIL;
	}
	if (*spec == '\0')
		return usage_error("--vm with an empty SPEC");
	items = strdup(spec);
	if (items == NULL) {
		errmsg("out of memory");
		return EXIT_FAIL;
	}
	rc = parse_vm_spec(items, spec, vm);
	if (rc != EXIT_OK) {
		/* Nothing keeps a refused SPEC: main stops at once. */
		free(items);
		return rc;
	}
	vm->items = items;
	o->nr_vms++;
	return rc;
}

int main(int argc, char **argv)
{
	static struct options o;
	uint64_t total;
	int rc = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_help();
			return EXIT_OK;
		} else if (strcmp(a, "--attacks") == 0) {
			o.flags |= KCORE_PAYLOAD_F_ATTACKS;
		} else if (strcmp(a, "--snapshot-to") == 0 || strcmp(a, "--restore-from") == 0) {
			const char **slot = a[2] == 's' ? &o.snapshot_to : &o.restore_from;

			if (i + 1 >= argc) {
				rc = usage_error(
				    "--snapshot-to and --restore-from need a file name");
				goto out;
			}
			if (*slot != NULL) {
				rc = usage_error("--snapshot-to or --restore-from given twice");
				goto out;
			}
			*slot = argv[++i];
		} else if (strcmp(a, "--allow-unsigned") == 0) {
			o.allow_unsigned = true;
		} else if (strcmp(a, "--check") == 0) {
			o.check_only = true;
		} else if (strcmp(a, "-o") == 0) {
			if (i + 1 >= argc) {
				rc = usage_error("-o needs a file name");
				goto out;
			}
			if (o.out != NULL) {
				rc = usage_error("-o given twice");
				goto out;
			}
			o.out = argv[++i];
		} else if (strcmp(a, "--vm") == 0) {
			if (i + 1 >= argc) {
				rc = usage_error("--vm needs a SPEC");
				goto out;
			}
			rc = add_vm(&o, argv[++i]);
			if (rc != EXIT_OK)
				goto out;
		} else {
			errmsg("unknown argument '%s' (see kcore-mkpayload --help)", a);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (o.out == NULL && !o.check_only) {
		rc = usage_error("no output file (-o OUT)");
	} else if (o.out != NULL && o.check_only) {
		rc = usage_error("--check writes nothing: no -o");
	} else if (o.nr_vms == 0) {
		rc = usage_error("no VM (--vm SPEC)");
	} else {
		total = check_and_layout(&o);
		if (total == 0)
			rc = EXIT_FAIL;
		else if (!o.check_only)
			rc = write_payload(&o, total);
	}
out:
	for (uint32_t i = 0; i < KCORE_PAYLOAD_MAX_VMS; i++)
		free(o.vms[i].items);
	return rc;
}
