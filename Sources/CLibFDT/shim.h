/*
 * libfdt for Swift.
 *
 * libfdt's header accessors (fdt_totalsize() and friends) are function-like
 * macros, which Swift cannot import; each is re-exported here as a static
 * inline function with a cfdt_ prefix.  Everything else comes straight from
 * <libfdt.h>.
 */
#ifndef CLEAVE_CLIBFDT_SHIM_H
#define CLEAVE_CLIBFDT_SHIM_H

#include <libfdt.h>

static inline uint32_t cfdt_magic(const void *fdt) { return fdt_magic(fdt); }
static inline uint32_t cfdt_totalsize(const void *fdt) { return fdt_totalsize(fdt); }
static inline uint32_t cfdt_off_dt_struct(const void *fdt) { return fdt_off_dt_struct(fdt); }
static inline uint32_t cfdt_off_dt_strings(const void *fdt) { return fdt_off_dt_strings(fdt); }
static inline uint32_t cfdt_off_mem_rsvmap(const void *fdt) { return fdt_off_mem_rsvmap(fdt); }
static inline uint32_t cfdt_version(const void *fdt) { return fdt_version(fdt); }
static inline uint32_t cfdt_last_comp_version(const void *fdt) { return fdt_last_comp_version(fdt); }
static inline uint32_t cfdt_boot_cpuid_phys(const void *fdt) { return fdt_boot_cpuid_phys(fdt); }
static inline uint32_t cfdt_size_dt_strings(const void *fdt) { return fdt_size_dt_strings(fdt); }
static inline uint32_t cfdt_size_dt_struct(const void *fdt) { return fdt_size_dt_struct(fdt); }

#endif
