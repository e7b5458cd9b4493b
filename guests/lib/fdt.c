/* SPDX-License-Identifier: MIT */
/*
 * Just enough of the flattened devicetree (the DTB the host passes in x0) for
 * the test guests: the RAM range, the vCPUs and the boot arguments. Read-only
 * and allocation-free; every word is read with an aligned 32-bit load (with
 * the MMU off, an unaligned access faults).
 */
#include "guest.h"

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_NOP	       4u
#define FDT_END	       9u
#define FDT_MAX_SIZE   (1u << 21)
#define FDT_MAX_DEPTH  8

struct fdt {
	u64 base;
	u32 off_struct, size_struct, off_strings, size_strings;
};

/* The node names of the path being walked: node[0] is the root (""). */
struct fdt_path {
	u32 depth;
	const char *node[FDT_MAX_DEPTH];
};

typedef void (*fdt_prop_fn)(void *ctx, const struct fdt_path *path, const char *prop, u64 val,
			    u32 len);

static u32 be32_at(u64 addr)
{
	return __builtin_bswap32(*(const volatile u32 *)(uintptr_t)addr);
}

static u64 cells_at(u64 addr, u32 cells)
{
	return cells == 2 ? (u64)be32_at(addr) << 32 | be32_at(addr + 4) : be32_at(addr);
}

static bool fdt_open(u64 dtb, struct fdt *f)
{
	u32 total;

	if (dtb == 0 || (dtb & 7) != 0 || be32_at(dtb) != FDT_MAGIC)
		return false;
	total = be32_at(dtb + 4);
	f->base = dtb;
	f->off_struct = be32_at(dtb + 8);
	f->off_strings = be32_at(dtb + 12);
	f->size_strings = be32_at(dtb + 32);
	f->size_struct = be32_at(dtb + 36);
	return total <= FDT_MAX_SIZE && be32_at(dtb + 20) >= 17 && (f->off_struct & 3) == 0 &&
	       f->off_struct <= total && f->size_struct <= total - f->off_struct &&
	       f->off_strings <= total && f->size_strings <= total - f->off_strings;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* "memory" matches "memory" and "memory@40000000". */
static bool node_is(const char *node, const char *name)
{
	while (*name != '\0' && *node == *name) {
		node++;
		name++;
	}
	return *name == '\0' && (*node == '\0' || *node == '@');
}

/* Calls fn for every property; false if the DTB is not one. */
static bool fdt_walk(u64 dtb, fdt_prop_fn fn, void *ctx)
{
	struct fdt f;
	struct fdt_path path = {0};
	u64 p, end;

	if (!fdt_open(dtb, &f))
		return false;
	p = f.base + f.off_struct;
	end = p + f.size_struct;
	while (p + 4 <= end) {
		u32 token = be32_at(p);

		p += 4;
		if (token == FDT_BEGIN_NODE) {
			const char *name = (const char *)(uintptr_t)p;

			if (path.depth < FDT_MAX_DEPTH)
				path.node[path.depth] = name;
			path.depth++;
			p = align_up(p + strlen(name) + 1, 4);
		} else if (token == FDT_END_NODE) {
			if (path.depth == 0)
				return false;
			path.depth--;
		} else if (token == FDT_PROP) {
			u32 len = be32_at(p), nameoff = be32_at(p + 4);

			if (nameoff >= f.size_strings || len > end - p)
				return false;
			if (path.depth <= FDT_MAX_DEPTH)
				fn(ctx, &path,
				   (const char *)(uintptr_t)(f.base + f.off_strings + nameoff),
				   p + 8, len);
			p = align_up(p + 8 + len, 4);
		} else if (token == FDT_END) {
			return true;
		} else if (token != FDT_NOP) {
			return false;
		}
	}
	return false;
}

bool fdt_valid(u64 dtb)
{
	struct fdt f;

	return fdt_open(dtb, &f);
}

struct memory_ctx {
	u32 addr_cells, size_cells;
	bool found;
	u64 base, size;
};

static void memory_prop(void *ctx, const struct fdt_path *path, const char *prop, u64 val, u32 len)
{
	struct memory_ctx *m = ctx;

	if (path->depth == 1 && len == 4 && str_eq(prop, "#address-cells"))
		m->addr_cells = be32_at(val);
	else if (path->depth == 1 && len == 4 && str_eq(prop, "#size-cells"))
		m->size_cells = be32_at(val);
	else if (path->depth == 2 && !m->found && node_is(path->node[1], "memory") &&
		 str_eq(prop, "reg") && len >= 4 * (m->addr_cells + m->size_cells) &&
		 m->addr_cells <= 2 && m->size_cells <= 2) {
		m->base = cells_at(val, m->addr_cells);
		m->size = cells_at(val + 4 * (u64)m->addr_cells, m->size_cells);
		m->found = true;
	}
}

bool fdt_memory(u64 dtb, u64 *base, u64 *size)
{
	struct memory_ctx m = {2, 1, false, 0, 0}; /* the devicetree spec's defaults */

	if (!fdt_walk(dtb, memory_prop, &m) || !m.found)
		return false;
	*base = m.base;
	*size = m.size;
	return true;
}

struct cpus_ctx {
	u64 *mpidr;
	u32 max, nr;
};

static void cpus_prop(void *ctx, const struct fdt_path *path, const char *prop, u64 val, u32 len)
{
	struct cpus_ctx *c = ctx;

	if (path->depth != 3 || !node_is(path->node[1], "cpus") || !node_is(path->node[2], "cpu") ||
	    !str_eq(prop, "reg") || (len != 4 && len != 8))
		return;
	if (c->nr < c->max)
		c->mpidr[c->nr] = cells_at(val, len / 4);
	c->nr++;
}

u32 fdt_cpus(u64 dtb, u64 *mpidr, u32 max)
{
	struct cpus_ctx c = {mpidr, max, 0};

	return fdt_walk(dtb, cpus_prop, &c) ? c.nr : 0;
}

struct bootargs_ctx {
	const char *args;
};

static void bootargs_prop(void *ctx, const struct fdt_path *path, const char *prop, u64 val,
			  u32 len)
{
	struct bootargs_ctx *b = ctx;
	const char *s = (const char *)(uintptr_t)val;

	if (path->depth == 2 && node_is(path->node[1], "chosen") && str_eq(prop, "bootargs") &&
	    len > 0 && s[len - 1] == '\0')
		b->args = s;
}

const char *fdt_bootargs(u64 dtb)
{
	struct bootargs_ctx b = {""};

	fdt_walk(dtb, bootargs_prop, &b);
	return b.args;
}

/* A whole word of decimal or 0x-prefixed hex digits, up to a space or the end. */
static bool parse_u64(const char *s, u64 *val)
{
	u64 n = 0, base = 10;
	bool digits = false;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s != '\0' && *s != ' '; s++) {
		u64 d;

		char lower = (char)(*s | 0x20);

		if (*s >= '0' && *s <= '9')
			d = (u64)(u8)*s - '0';
		else if (base == 16 && lower >= 'a' && lower <= 'f')
			d = (u64)(u8)lower - 'a' + 10;
		else
			return false;
		if (n > (UINT64_MAX - d) / base)
			return false;
		n = n * base + d;
		digits = true;
	}
	if (digits)
		*val = n;
	return digits;
}

bool bootarg_u64(const char *args, const char *key, u64 *val)
{
	const char *w = args;

	while (*w != '\0') {
		const char *k = key, *v = w;

		while (*k != '\0' && *v == *k) {
			k++;
			v++;
		}
		if (*k == '\0' && *v == '=' && parse_u64(v + 1, val))
			return true;
		while (*w != '\0' && *w != ' ')
			w++;
		while (*w == ' ')
			w++;
	}
	return false;
}

struct chosen_ctx {
	const char *prop;
	bool found;
	u64 val;
};

static void chosen_prop(void *ctx, const struct fdt_path *path, const char *prop, u64 val, u32 len)
{
	struct chosen_ctx *c = ctx;

	if (path->depth == 2 && node_is(path->node[1], "chosen") && str_eq(prop, c->prop) &&
	    (len == 4 || len == 8)) {
		c->val = cells_at(val, len / 4);
		c->found = true;
	}
}

bool fdt_chosen_u64(u64 dtb, const char *prop, u64 *val)
{
	struct chosen_ctx c = {prop, false, 0};

	if (!fdt_walk(dtb, chosen_prop, &c) || !c.found)
		return false;
	*val = c.val;
	return true;
}

struct compat_ctx {
	const char *needle;
	u32 found;
};

/* Whether s contains needle. */
static bool str_has(const char *s, const char *needle)
{
	for (; *s != '\0'; s++) {
		u32 i = 0;

		while (needle[i] != '\0' && s[i] == needle[i])
			i++;
		if (needle[i] == '\0')
			return true;
	}
	return false;
}

static void compat_prop(void *ctx, const struct fdt_path *path, const char *prop, u64 val, u32 len)
{
	struct compat_ctx *c = ctx;
	const char *s = (const char *)(uintptr_t)val;

	(void)path;
	if (!str_eq(prop, "compatible") || len == 0 || s[len - 1] != '\0')
		return;
	for (u32 off = 0; off < len; off += (u32)strlen(s + off) + 1) {
		if (str_has(s + off, c->needle)) {
			c->found++;
			return;
		}
	}
}

u32 fdt_count_compatible(u64 dtb, const char *needle)
{
	struct compat_ctx c = {.needle = needle};

	if (!fdt_walk(dtb, compat_prop, &c))
		return 0;
	return c.found;
}
