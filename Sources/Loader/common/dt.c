#include "dt.h"
#include "lib.h"

#define FDT_BEGIN_NODE	1u
#define FDT_END_NODE	2u
#define FDT_PROP	3u
#define FDT_NOP		4u
#define FDT_END		9u

#define HEADER_SIZE	40u

uint32_t dt_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t dt_be64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)dt_be32(b) << 32 | dt_be32(b + 4);
}

uint64_t dt_read_cells(const void *p, uint32_t cells)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	for (uint32_t i = 0; i < cells; i++)
		v = v << 32 | dt_be32(b + 4 * i);
	return v;
}

int dt_open(struct dt *dt, const void *blob, uint64_t limit)
{
	const uint8_t *b = blob;
	uint32_t total, version, last;

	if (limit < HEADER_SIZE)
		return DT_ESIZE;
	if (dt_be32(b) != DT_MAGIC)
		return DT_EMAGIC;
	total = dt_be32(b + 4);
	if (total < HEADER_SIZE || total > limit || total > 0x7fffffffu)
		return DT_ESIZE;
	version = dt_be32(b + 20);
	last = dt_be32(b + 24);
	if (version < 16 || last > 17)
		return DT_EVERSION;
	dt->blob = b;
	dt->size = total;
	dt->struct_off = dt_be32(b + 8);
	dt->strings_off = dt_be32(b + 12);
	dt->rsvmap_off = dt_be32(b + 16);
	dt->strings_size = dt_be32(b + 32);
	dt->struct_size = dt_be32(b + 36);
	if ((dt->struct_off & 3) || (dt->rsvmap_off & 7) ||
	    dt->struct_off > total || dt->struct_size > total - dt->struct_off ||
	    dt->strings_off > total || dt->strings_size > total - dt->strings_off ||
	    dt->rsvmap_off > total)
		return DT_ELAYOUT;
	return DT_OK;
}

const char *dt_strerror(int err)
{
	switch (err) {
	case DT_OK:
		return "ok";
	case DT_EMAGIC:
		return "no FDT magic";
	case DT_ESIZE:
		return "bad totalsize";
	case DT_EVERSION:
		return "unsupported version";
	case DT_ELAYOUT:
		return "blocks outside the blob";
	default:
		return "unknown error";
	}
}

static const uint8_t *sp(const struct dt *dt, uint32_t off)
{
	return dt->blob + dt->struct_off + off;
}

static int token(const struct dt *dt, int off, uint32_t *tag)
{
	if (off < 0 || (off & 3) || (uint32_t)off + 4 > dt->struct_size)
		return -1;
	*tag = dt_be32(sp(dt, (uint32_t)off));
	return 0;
}

static int align4(uint32_t off)
{
	return (int)((off + 3) & ~3u);
}

/* The offset just past a node's name, or -1. */
static int after_name(const struct dt *dt, int node)
{
	uint32_t tag, i;

	if (token(dt, node, &tag) || tag != FDT_BEGIN_NODE)
		return -1;
	for (i = (uint32_t)node + 4; i < dt->struct_size && *sp(dt, i); i++)
		;
	if (i >= dt->struct_size)
		return -1;
	return align4(i + 1);
}

/* The offset just past a property at off; its length, name and value offsets. */
static int prop_at(const struct dt *dt, int off, uint32_t *len, uint32_t *nameoff, int *val)
{
	if ((uint32_t)off + 12 > dt->struct_size)
		return -1;
	*len = dt_be32(sp(dt, (uint32_t)off + 4));
	*nameoff = dt_be32(sp(dt, (uint32_t)off + 8));
	if (*len > dt->struct_size - (uint32_t)off - 12)
		return -1;
	*val = off + 12;
	return align4((uint32_t)off + 12 + *len);
}

/* The first token after a node's properties (a child or its END_NODE). */
static int skip_props(const struct dt *dt, int node)
{
	int off = after_name(dt, node);
	uint32_t tag, len, nameoff;
	int val;

	while (off >= 0 && !token(dt, off, &tag)) {
		if (tag == FDT_PROP)
			off = prop_at(dt, off, &len, &nameoff, &val);
		else if (tag == FDT_NOP)
			off += 4;
		else
			return off;
	}
	return -1;
}

/* The offset just past the END_NODE that closes node. */
static int skip_node(const struct dt *dt, int node)
{
	int off = node, depth = 0, val;
	uint32_t tag, len, nameoff;

	while (off >= 0 && !token(dt, off, &tag)) {
		switch (tag) {
		case FDT_BEGIN_NODE:
			depth++;
			off = after_name(dt, off);
			break;
		case FDT_END_NODE:
			off += 4;
			if (--depth == 0)
				return off;
			break;
		case FDT_PROP:
			off = prop_at(dt, off, &len, &nameoff, &val);
			break;
		case FDT_NOP:
			off += 4;
			break;
		default:
			return -1;
		}
	}
	return -1;
}

static int skip_nops(const struct dt *dt, int off)
{
	uint32_t tag;

	while (!token(dt, off, &tag) && tag == FDT_NOP)
		off += 4;
	return off;
}

int dt_root(const struct dt *dt)
{
	uint32_t tag;
	int off = skip_nops(dt, 0);

	if (token(dt, off, &tag) || tag != FDT_BEGIN_NODE)
		return -1;
	return off;
}

int dt_first_child(const struct dt *dt, int node)
{
	int off = skip_props(dt, node);
	uint32_t tag;

	if (off < 0 || token(dt, off, &tag) || tag != FDT_BEGIN_NODE)
		return -1;
	return off;
}

int dt_next_sibling(const struct dt *dt, int node)
{
	int off = skip_node(dt, node);
	uint32_t tag;

	if (off < 0)
		return -1;
	off = skip_nops(dt, off);
	if (token(dt, off, &tag) || tag != FDT_BEGIN_NODE)
		return -1;
	return off;
}

int dt_next_node(const struct dt *dt, int node, int *depth)
{
	int off = skip_props(dt, node);
	uint32_t tag;

	while (off >= 0 && !token(dt, off, &tag)) {
		if (tag == FDT_BEGIN_NODE) {
			(*depth)++;
			return off;
		}
		if (tag == FDT_END_NODE) {
			(*depth)--;
			off += 4;
		} else if (tag == FDT_NOP) {
			off += 4;
		} else {
			return -1;
		}
	}
	return -1;
}

/* Fill chain[0..depth] with the nodes from the root to target; return depth. */
static int chain(const struct dt *dt, int target, int chain[DT_MAX_DEPTH])
{
	int off = dt_root(dt), depth = -1, val;
	uint32_t tag, len, nameoff;

	while (off >= 0 && !token(dt, off, &tag)) {
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (++depth >= DT_MAX_DEPTH)
				return -1;
			chain[depth] = off;
			if (off == target)
				return depth;
			off = after_name(dt, off);
			break;
		case FDT_END_NODE:
			if (--depth < 0)
				return -1;
			off += 4;
			break;
		case FDT_PROP:
			off = prop_at(dt, off, &len, &nameoff, &val);
			break;
		case FDT_NOP:
			off += 4;
			break;
		default:
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
	if (after_name(dt, node) < 0)
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
	if (depth <= 0) {
		if (size > 1)
			buf[n++] = depth == 0 ? '/' : '?';
	}
	for (int i = 1; i <= depth; i++) {
		const char *name = dt_name(dt, c[i]);

		if (n + 1 < size)
			buf[n++] = '/';
		while (*name && n + 1 < size)
			buf[n++] = *name++;
	}
	buf[n] = '\0';
	return buf;
}

static int name_matches(const char *node_name, const char *want, uint32_t want_len)
{
	uint32_t i;

	for (i = 0; i < want_len; i++)
		if (node_name[i] != want[i])
			return 0;
	if (node_name[i] == '\0')
		return 1;
	/* "cpu" matches "cpu@0" when the query names no unit address. */
	for (i = 0; i < want_len; i++)
		if (want[i] == '@')
			return 0;
	return node_name[want_len] == '@';
}

static int subnode_n(const struct dt *dt, int node, const char *name, uint32_t len)
{
	for (int c = dt_first_child(dt, node); c >= 0; c = dt_next_sibling(dt, c))
		if (name_matches(dt_name(dt, c), name, len))
			return c;
	return -1;
}

int dt_subnode(const struct dt *dt, int node, const char *name)
{
	return subnode_n(dt, node, name, (uint32_t)strlen(name));
}

static int lookup(const struct dt *dt, const char *path, int aliases_left)
{
	int node = dt_root(dt);
	uint32_t len;

	if (node < 0 || !path)
		return -1;
	if (*path != '/') {
		const char *target;
		int aliases = dt_subnode(dt, node, "aliases");

		for (len = 0; path[len] && path[len] != ':' && path[len] != '/'; len++)
			;
		if (aliases < 0 || !aliases_left)
			return -1;
		/* An alias name is a property of /aliases; match it exactly. */
		target = 0;
		{
			char name[64];

			if (len >= sizeof(name))
				return -1;
			memcpy(name, path, len);
			name[len] = '\0';
			target = dt_prop_str(dt, aliases, name);
		}
		return target ? lookup(dt, target, aliases_left - 1) : -1;
	}
	while (*path == '/') {
		while (*path == '/')
			path++;
		if (!*path || *path == ':')
			break;
		for (len = 0; path[len] && path[len] != '/' && path[len] != ':'; len++)
			;
		node = subnode_n(dt, node, path, len);
		if (node < 0)
			return -1;
		path += len;
	}
	return node;
}

int dt_lookup(const struct dt *dt, const char *path)
{
	return lookup(dt, path, 1);
}

int dt_by_phandle(const struct dt *dt, uint32_t phandle)
{
	int depth = 0;

	if (phandle == 0 || phandle == 0xffffffffu)
		return -1;
	for (int n = dt_root(dt); n >= 0; n = dt_next_node(dt, n, &depth)) {
		uint32_t v;

		if ((!dt_prop_u32(dt, n, "phandle", &v) || !dt_prop_u32(dt, n, "linux,phandle", &v)) &&
		    v == phandle)
			return n;
	}
	return -1;
}

/* Is the string at strings-block offset nameoff equal to name? */
static int string_is(const struct dt *dt, uint32_t nameoff, const char *name)
{
	uint32_t n = (uint32_t)strlen(name);

	if (nameoff >= dt->strings_size || n >= dt->strings_size - nameoff)
		return 0;
	return !memcmp(dt->blob + dt->strings_off + nameoff, name, n + 1);
}

const void *dt_prop(const struct dt *dt, int node, const char *name, uint32_t *len)
{
	int off = after_name(dt, node), val;
	uint32_t tag, plen, nameoff;

	while (off >= 0 && !token(dt, off, &tag)) {
		if (tag == FDT_NOP) {
			off += 4;
			continue;
		}
		if (tag != FDT_PROP)
			break;
		off = prop_at(dt, off, &plen, &nameoff, &val);
		if (off >= 0 && string_is(dt, nameoff, name)) {
			if (len)
				*len = plen;
			return sp(dt, (uint32_t)val);
		}
	}
	return 0;
}

const char *dt_prop_str(const struct dt *dt, int node, const char *name)
{
	uint32_t len;
	const char *s = dt_prop(dt, node, name, &len);

	if (!s || len == 0 || strnlen(s, len) == len)
		return 0;
	return s;
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
	uint32_t len, i = 0, n = (uint32_t)strlen(str);
	const char *s = dt_prop(dt, node, name, &len);

	if (!s)
		return 0;
	while (i < len) {
		uint32_t l = (uint32_t)strnlen(s + i, len - i);

		if (l == n && !memcmp(s + i, str, n))
			return 1;
		i += l + 1;
	}
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

uint32_t dt_address_cells(const struct dt *dt, int node)
{
	uint32_t v;

	return dt_prop_u32(dt, node, "#address-cells", &v) ? 2 : v;
}

uint32_t dt_size_cells(const struct dt *dt, int node)
{
	uint32_t v;

	return dt_prop_u32(dt, node, "#size-cells", &v) ? 1 : v;
}

int dt_reg(const struct dt *dt, int node, uint32_t index, uint64_t *base, uint64_t *size)
{
	int parent = dt_parent(dt, node);
	uint32_t ac, sc, len, entry;
	const uint8_t *reg;

	if (parent < 0)
		return -1;
	ac = dt_address_cells(dt, parent);
	sc = dt_size_cells(dt, parent);
	if (ac < 1 || ac > 2 || sc > 2)
		return -1;
	reg = dt_prop(dt, node, "reg", &len);
	entry = 4 * (ac + sc);
	if (!reg || index >= len / entry)
		return -1;
	reg += index * entry;
	*base = dt_read_cells(reg, ac);
	*size = dt_read_cells(reg + 4 * ac, sc);
	return 0;
}

int dt_reg_phys(const struct dt *dt, int node, uint32_t index, uint64_t *base, uint64_t *size)
{
	int c[DT_MAX_DEPTH];
	int depth = chain(dt, node, c);
	uint64_t addr;

	if (depth < 1 || dt_reg(dt, node, index, &addr, size))
		return -1;
	/* Walk up from the node's parent to the root's children, applying each bus's ranges. */
	for (int i = depth - 1; i >= 1; i--) {
		int bus = c[i];
		uint32_t len, cac, pac, csc, entry, n;
		const uint8_t *r = dt_prop(dt, bus, "ranges", &len);

		if (!r)
			return -1;
		if (len == 0)
			continue;
		cac = dt_address_cells(dt, bus);
		csc = dt_size_cells(dt, bus);
		pac = dt_address_cells(dt, c[i - 1]);
		if (cac < 1 || cac > 2 || pac < 1 || pac > 2 || csc > 2)
			return -1;
		entry = 4 * (cac + pac + csc);
		for (n = 0; n < len / entry; n++, r += entry) {
			uint64_t cb = dt_read_cells(r, cac);
			uint64_t pb = dt_read_cells(r + 4 * cac, pac);
			uint64_t sz = dt_read_cells(r + 4 * (cac + pac), csc);

			if (addr >= cb && addr - cb < sz) {
				addr = pb + (addr - cb);
				break;
			}
		}
		if (n == len / entry)
			return -1;
	}
	*base = addr;
	return 0;
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
