/*
 * mapper/platform.h - what a real host says must never be mapped over.
 *
 * RAM and reserved ranges come from the firmware memory map as Linux
 * exports it (/sys/firmware/memmap: one directory per e820 entry holding
 * the files start, end and type); RMRRs and IVMDs from the ACPI tables in
 * /sys/firmware/acpi/tables. Both directories may be given explicitly
 * (--memmap DIR, tests). On Xen, dom0's DMAR is hidden by the hypervisor:
 * RMRRs must then come from xc_reserved_device_memory_map (ioreq/), not
 * from here.
 */
#ifndef VT_PLATFORM_H
#define VT_PLATFORM_H

#include "../common/vt.h"
#include "acpi.h"
#include "mapper.h"

#define PLATFORM_MEMMAP_DIR "/sys/firmware/memmap"
#define PLATFORM_ACPI_DIR   "/sys/firmware/acpi/tables"

/* One firmware memory map entry: kind is MAP_REGION_RAM or MAP_REGION_RESERVED. */
struct platform_range {
	struct vt_range range;    /* inclusive, as the memmap's start and end files */
	enum map_region kind;
};

struct platform_ranges {
	struct platform_range *r; /* sorted by base */
	size_t n;
	size_t cap;               /* allocated entries of r */
};

/*
 * "System RAM" is RAM; every other type ("Reserved", "ACPI Tables", "ACPI
 * Non-volatile Storage", "Unusable memory", "Persistent Memory", ...) is
 * reserved: anything the kernel does not own as RAM is somebody's.
 */
enum map_region platform_memmap_kind(const char *type);

/*
 * Read a memmap directory (NULL: PLATFORM_MEMMAP_DIR). Subdirectories whose
 * names are not decimal numbers are ignored; an entry whose end is start - 1
 * (empty) is dropped. *out is initialised by the call. 0 or -errno with err
 * naming the file ("DIR/3/end: ...").
 */
int platform_memmap_load(const char *dir, struct platform_ranges *out, struct vt_err *err);
void platform_ranges_free(struct platform_ranges *l);

/*
 * Load DMAR and IVRS from dir (NULL: PLATFORM_ACPI_DIR): RMRRs first, then
 * IVMDs. A table that is absent is no error (an AMD host has no DMAR); one
 * that cannot be read (not root: -EACCES) or parsed is. *out is initialised.
 */
int platform_acpi_load(const char *dir, struct acpi_rdm_list *out, struct vt_err *err);

#endif
