/*
 * A small read-only flattened device tree walker for freestanding code (the
 * loader reads the live tree, the probe kernel reads its own). Every read is
 * bounds-checked against the blob's header, so a damaged tree yields "not
 * found", never a stray access. Multi-byte values are read a byte at a time:
 * with the MMU off, memory is Device memory and unaligned loads fault.
 *
 * A node is named by the offset of its FDT_BEGIN_NODE token inside the
 * structure block; functions returning a node return a negative value for
 * "none".
 */
#ifndef LOADER_DT_H
#define LOADER_DT_H

#include <stdint.h>

#define DT_MAGIC	0xd00dfeedu
#define DT_MAX_DEPTH	32

struct dt {
	const uint8_t *blob;
	uint32_t size;			/* totalsize from the header */
	uint32_t struct_off, struct_size;
	uint32_t strings_off, strings_size;
	uint32_t rsvmap_off;
};

/*
 * Check the header of a blob of at most limit bytes at blob (magic, version
 * 16/17, every block inside totalsize) and fill dt: 0, or -1 if it is not a
 * usable tree.
 */
int dt_open(struct dt *dt, const void *blob, uint64_t limit);

uint32_t dt_be32(const void *p);
uint64_t dt_be64(const void *p);
/* A value of cells 32-bit big-endian cells (1 or 2; more keep the low 64 bits). */
uint64_t dt_read_cells(const void *p, uint32_t cells);

int dt_root(const struct dt *dt);
int dt_first_child(const struct dt *dt, int node);
int dt_next_sibling(const struct dt *dt, int node);
/* The next node after node in document order; *depth follows it (root = 0). */
int dt_next_node(const struct dt *dt, int node, int *depth);
int dt_parent(const struct dt *dt, int node);
/* The node's name with its unit address, "" for the root. */
const char *dt_name(const struct dt *dt, int node);
/* The node's full path into buf (for messages). */
const char *dt_path_of(const struct dt *dt, int node, char *buf, uint32_t size);

/* A child by name; "cpu" matches "cpu@0" when the query has no unit address. */
int dt_subnode(const struct dt *dt, int node, const char *name);
/*
 * An absolute path; stops at ':' (stdout-path options). Aliases are not
 * resolved: a console named by alias falls back to the first PL011.
 */
int dt_lookup(const struct dt *dt, const char *path);

const void *dt_prop(const struct dt *dt, int node, const char *name, uint32_t *len);
/* A NUL-terminated string property, or 0. */
const char *dt_prop_str(const struct dt *dt, int node, const char *name);
int dt_prop_u32(const struct dt *dt, int node, const char *name, uint32_t *out);
/* Is str one of the strings of the string-list property name? */
int dt_prop_has_string(const struct dt *dt, int node, const char *name, const char *str);
int dt_compatible(const struct dt *dt, int node, const char *compat);
/* status absent, "okay" or "ok". */
int dt_enabled(const struct dt *dt, int node);

/* #address-cells / #size-cells a node gives its children (defaults 2 and 1). */
uint32_t dt_address_cells(const struct dt *dt, int node);
uint32_t dt_size_cells(const struct dt *dt, int node);
/* The index-th reg entry, in the parent's address space (not translated). */
int dt_reg(const struct dt *dt, int node, uint32_t index, uint64_t *base, uint64_t *size);
/* The index-th reg entry translated to a CPU physical address through ranges. */
int dt_reg_phys(const struct dt *dt, int node, uint32_t index, uint64_t *base, uint64_t *size);
/* The index-th /memreserve/ entry; 0 ok, -1 past the last. */
/* The /cpus child with device_type "cpu" whose reg is hwid, or -1. */
int dt_find_cpu(const struct dt *dt, uint64_t hwid);

int dt_memreserve(const struct dt *dt, uint32_t index, uint64_t *base, uint64_t *size);

#endif /* LOADER_DT_H */
