#include "dt.h"
#include "lib.h"

#define FDT_BEGIN_NODE	1u
#define FDT_END_NODE	2u
#define FDT_PROP	3u
#define FDT_NOP		4u

__attribute__((noinline)) uint32_t dt_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t dt_be64(const void *p)
{
	return dt_read_cells(p, 2);
}

__attribute__((noinline)) uint64_t dt_read_cells(const void *p, uint32_t cells)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	while (cells--) {
		v = v << 32 | dt_be32(b);
		b += 4;
	}
	return v;
}

int dt_open(struct dt *dt, const void *blob, uint64_t limit)
{
	const uint8_t *b = blob;

	if (limit < 40 || dt_be32(b) != DT_MAGIC || dt_be32(b + 20) < 16 || dt_be32(b + 24) > 17)
		return -1;
	dt->blob = b;
	dt->size = dt_be32(b + 4);
	dt->struct_off = dt_be32(b + 8);
	dt->strings_off = dt_be32(b + 12);
	dt->rsvmap_off = dt_be32(b + 16);
	dt->strings_size = dt_be32(b + 32);
	dt->struct_size = dt_be32(b + 36);
	if (dt->size < 40 || dt->size > limit || dt->size > 0x7fffffffu || (dt->struct_off & 3) ||
	    (uint64_t)dt->struct_off + dt->struct_size > dt->size ||
	    (uint64_t)dt->strings_off + dt->strings_size > dt->size || dt->rsvmap_off > dt->size)
		return -1;
	return 0;
}

static const uint8_t *sp(const struct dt *dt, uint32_t off)
{
	return dt->blob + dt->struct_off + off;
}

/*
 * The one place that parses the structure block: the token at off in *tag,
 * and the offset of the token after it (past a node's name or a property's
 * value), or -1 when anything lies outside the block.
 */
static __attribute__((noinline)) int step(const struct dt *dt, int off, uint32_t *tag)
{
	uint32_t o = (uint32_t)off, end = dt->struct_size, len;

	*tag = 0;
	if (off < 0 || (o & 3) || o + 4 > end)
		return -1;
	*tag = dt_be32(sp(dt, o));
	o += 4;
	if (*tag == FDT_BEGIN_NODE) {
		while (o < end && *sp(dt, o))
			o++;
		o++;
	} else if (*tag == FDT_PROP) {
		if (o + 8 > end)
			return -1;
		len = dt_be32(sp(dt, o));
		if (len > end - o - 8)
			return -1;
		o += 8 + len;
	} else if (*tag != FDT_END_NODE && *tag != FDT_NOP) {
		return -1;
	}
	o = (o + 3) & ~3u;
	return o > end ? -1 : (int)o;
}

/* The first token after a node's properties: a child's BEGIN_NODE or its END_NODE. */
static int skip_props(const struct dt *dt, int node, uint32_t *tag)
{
	int off = step(dt, node, tag);
	int next;

	if (*tag != FDT_BEGIN_NODE)
		return -1;
	while ((next = step(dt, off, tag)) >= 0 && (*tag == FDT_PROP || *tag == FDT_NOP))
		off = next;
	return next < 0 ? -1 : off;
}

int dt_root(const struct dt *dt)
{
	uint32_t tag;
	int off = 0, next;

	while ((next = step(dt, off, &tag)) >= 0 && tag == FDT_NOP)
		off = next;
	return next >= 0 && tag == FDT_BEGIN_NODE ? off : -1;
}

int dt_first_child(const struct dt *dt, int node)
{
	uint32_t tag;
	int off = skip_props(dt, node, &tag);

	return off >= 0 && tag == FDT_BEGIN_NODE ? off : -1;
}

int dt_next_sibling(const struct dt *dt, int node)
{
	uint32_t tag;
	int depth = 0, off = node;

	do {
		off = step(dt, off, &tag);
		depth += (tag == FDT_BEGIN_NODE) - (tag == FDT_END_NODE);
	} while (off >= 0 && depth > 0);
	while (off >= 0) {
		int next = step(dt, off, &tag);

		if (next < 0 || tag != FDT_NOP)
			return next >= 0 && tag == FDT_BEGIN_NODE ? off : -1;
		off = next;
	}
	return -1;
}

int dt_next_node(const struct dt *dt, int node, int *depth)
{
	uint32_t tag;
	int off = skip_props(dt, node, &tag);

	while (off >= 0) {
		if (tag == FDT_BEGIN_NODE) {
			(*depth)++;
			return off;
		}
		*depth -= tag == FDT_END_NODE;
		off = step(dt, off, &tag);
		if (off >= 0)
			step(dt, off, &tag);
	}
	return -1;
}

/* Fill c[0..depth] with the nodes from the root down to target; return depth or -1. */
static __attribute__((noinline)) int chain(const struct dt *dt, int target, int c[DT_MAX_DEPTH])
{
	uint32_t tag;
	int depth = -1;

	for (int off = dt_root(dt), next; off >= 0; off = next) {
		next = step(dt, off, &tag);
		if (tag == FDT_BEGIN_NODE) {
			if (++depth >= DT_MAX_DEPTH)
				return -1;
			c[depth] = off;
			if (off == target)
				return depth;
		} else if (tag == FDT_END_NODE && --depth < 0) {
			return -1;
		}
	}
	return -1;
}

int dt_parent(const struct dt *dt, int node)
{
	int c[DT_MAX_DEPTH];
	int depth = chain(dt, node, c);

	return depth > 0 ? c[depth - 1] : -1;
}

const char *dt_name(const struct dt *dt, int node)
{
	uint32_t tag;

	if (step(dt, node, &tag) < 0 || tag != FDT_BEGIN_NODE)
		return "";
	return (const char *)sp(dt, (uint32_t)node + 4);
}

const char *dt_path_of(const struct dt *dt, int node, char *buf, uint32_t size)
{
	int c[DT_MAX_DEPTH];
	int depth = chain(dt, node, c);
	uint32_t n = 0;

	if (!size)
		return buf;
	for (int i = 1; i <= depth; i++) {
		const char *s = dt_name(dt, c[i]);

		if (n + 1 < size)
			buf[n++] = '/';
		while (*s && n + 1 < size)
			buf[n++] = *s++;
	}
	if (depth == 0 && size > 1)
		buf[n++] = '/';
	buf[n] = '\0';
	return buf;
}

/*
 * A child named by the len bytes at name; without a unit address, "cpu"
 * matches "cpu@0" (a name holds one '@', so "a@1" never matches "a@10").
 */
static int subnode_n(const struct dt *dt, int node, const char *name, uint32_t len)
{
	for (int c = dt_first_child(dt, node); c >= 0; c = dt_next_sibling(dt, c)) {
		const char *cn = dt_name(dt, c);

		if (!strncmp(cn, name, len) && (cn[len] == '\0' || cn[len] == '@'))
			return c;
	}
	return -1;
}

int dt_subnode(const struct dt *dt, int node, const char *name)
{
	return subnode_n(dt, node, name, (uint32_t)strlen(name));
}

int dt_lookup(const struct dt *dt, const char *path)
{
	int node = dt_root(dt);

	if (!path || *path != '/')
		return -1;
	while (node >= 0 && *path == '/') {
		uint32_t len = 0;

		path++;
		while (path[len] && path[len] != '/' && path[len] != ':')
			len++;
		if (len)
			node = subnode_n(dt, node, path, len);
		path += len;
	}
	return node;
}

const void *dt_prop(const struct dt *dt, int node, const char *name, uint32_t *len)
{
	uint32_t tag, n = (uint32_t)strlen(name);
	int off = step(dt, node, &tag), next;

	if (tag != FDT_BEGIN_NODE)
		return 0;
	while ((next = step(dt, off, &tag)) >= 0 && (tag == FDT_PROP || tag == FDT_NOP)) {
		uint32_t nameoff = dt_be32(sp(dt, (uint32_t)off + 8));

		if (tag == FDT_PROP && nameoff < dt->strings_size && n < dt->strings_size - nameoff &&
		    !memcmp(dt->blob + dt->strings_off + nameoff, name, n + 1)) {
			if (len)
				*len = dt_be32(sp(dt, (uint32_t)off + 4));
			return sp(dt, (uint32_t)off + 12);
		}
		off = next;
	}
	return 0;
}

const char *dt_prop_str(const struct dt *dt, int node, const char *name)
{
	uint32_t len;
	const char *s = dt_prop(dt, node, name, &len);

	return s && len && !s[len - 1] ? s : 0;
}

int dt_prop_u32(const struct dt *dt, int node, const char *name, uint32_t *out)
{
	uint32_t len;
	const void *p = dt_prop(dt, node, name, &len);

	if (!p || len != 4)
		return -1;
	*out = dt_be32(p);
	return 0;
}

int dt_prop_has_string(const struct dt *dt, int node, const char *name, const char *str)
{
	uint32_t len, n = (uint32_t)strlen(str) + 1;
	const char *s = dt_prop(dt, node, name, &len);

	for (uint32_t i = 0; s && i + n <= len; i += (uint32_t)strnlen(s + i, len - i) + 1)
		if (!memcmp(s + i, str, n))
			return 1;
	return 0;
}

int dt_compatible(const struct dt *dt, int node, const char *compat)
{
	return dt_prop_has_string(dt, node, "compatible", compat);
}

int dt_enabled(const struct dt *dt, int node)
{
	const char *s = dt_prop_str(dt, node, "status");

	return !s || !strcmp(s, "okay") || !strcmp(s, "ok");
}

static uint32_t cells(const struct dt *dt, int node, const char *name, uint32_t dflt)
{
	uint32_t v;

	return dt_prop_u32(dt, node, name, &v) ? dflt : v;
}

uint32_t dt_address_cells(const struct dt *dt, int node)
{
	return cells(dt, node, "#address-cells", 2);
}

uint32_t dt_size_cells(const struct dt *dt, int node)
{
	return cells(dt, node, "#size-cells", 1);
}

/*
 * The index-th reg entry; with translate, mapped up through every ancestor
 * bus's ranges (an empty ranges is the identity; a missing one means the bus
 * is not memory-mapped). Addresses of more than two cells are not supported.
 */
static int reg(const struct dt *dt, int node, uint32_t index, int translate, uint64_t *base, uint64_t *size)
{
	int c[DT_MAX_DEPTH];
	int depth = chain(dt, node, c);
	uint32_t ac, sc, len;
	const uint8_t *r;
	uint64_t addr;

	if (depth < 1)
		return -1;
	ac = dt_address_cells(dt, c[depth - 1]);
	sc = dt_size_cells(dt, c[depth - 1]);
	r = dt_prop(dt, node, "reg", &len);
	if (!r || ac - 1 > 1 || sc > 2 || index >= len / (4 * (ac + sc)))
		return -1;
	r += index * 4 * (ac + sc);
	addr = dt_read_cells(r, ac);
	*size = dt_read_cells(r + 4 * ac, sc);
	for (int i = depth - 1; translate && i >= 1; i--) {
		uint32_t pac = dt_address_cells(dt, c[i - 1]), n;

		ac = dt_address_cells(dt, c[i]);
		sc = dt_size_cells(dt, c[i]);
		r = dt_prop(dt, c[i], "ranges", &len);
		if (!r || ac - 1 > 1 || pac - 1 > 1 || sc > 2)
			return -1;
		for (n = len; n >= 4 * (ac + pac + sc); n -= 4 * (ac + pac + sc), r += 4 * (ac + pac + sc)) {
			uint64_t child = dt_read_cells(r, ac);

			if (addr - child < dt_read_cells(r + 4 * (ac + pac), sc)) {
				addr = addr - child + dt_read_cells(r + 4 * ac, pac);
				break;
			}
		}
		if (len && n < 4 * (ac + pac + sc))
			return -1;
	}
	*base = addr;
	return 0;
}

int dt_reg(const struct dt *dt, int node, uint32_t index, uint64_t *base, uint64_t *size)
{
	return reg(dt, node, index, 0, base, size);
}

int dt_reg_phys(const struct dt *dt, int node, uint32_t index, uint64_t *base, uint64_t *size)
{
	return reg(dt, node, index, 1, base, size);
}

int dt_memreserve(const struct dt *dt, uint32_t index, uint64_t *base, uint64_t *size)
{
	uint64_t off = (uint64_t)dt->rsvmap_off + (uint64_t)index * 16;

	if (off + 16 > dt->size)
		return -1;
	*base = dt_be64(dt->blob + off);
	*size = dt_be64(dt->blob + off + 8);
	return (*base || *size) ? 0 : -1;
}

int dt_find_cpu(const struct dt *dt, uint64_t hwid)
{
	int cpus = dt_lookup(dt, "/cpus");
	uint32_t ac = cpus >= 0 ? dt_address_cells(dt, cpus) : 0, len;

	for (int c = cpus >= 0 ? dt_first_child(dt, cpus) : -1; c >= 0; c = dt_next_sibling(dt, c)) {
		const char *type = dt_prop_str(dt, c, "device_type");
		const void *reg = dt_prop(dt, c, "reg", &len);

		if (type && !strcmp(type, "cpu") && reg && ac - 1 < 2 && len >= 4 * ac && dt_read_cells(reg, ac) == hwid)
			return c;
	}
	return -1;
}
