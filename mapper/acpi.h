/*
 * mapper/acpi.h - binary ACPI DMAR (Intel VT-d) and IVRS (AMD-Vi) parsing.
 *
 * Only the parts that decide what must never be mapped over: RMRRs with
 * their device scopes (DMAR), IVMD unity/exclusion ranges (IVRS). Every
 * length is checked against the buffer: a truncated or lying table is an
 * error naming the byte offset, never a read past the end.
 */
#ifndef VT_ACPI_H
#define VT_ACPI_H

#include "../common/vt.h"

#define ACPI_PATH_MAX 8 /* dev.fn hops in one device scope */

/* One device scope: start bus, then dev.fn hops (CONTRACT §1 "path"). */
struct acpi_scope {
	uint8_t type;      /* DMAR scope type: 1 endpoint, 2 bridge, ... */
	uint16_t segment;
	uint8_t bus;       /* start bus */
	uint8_t nhops;
	uint8_t devfn[ACPI_PATH_MAX];
};

/* An RMRR (DMAR) or an IVMD entry (IVRS), range inclusive. */
struct acpi_rdm {
	struct vt_range range;
	uint16_t segment;
	uint32_t offset;          /* structure's byte offset in the table */
	uint8_t ivmd_type;        /* IVRS: 0x20 all, 0x21 select, 0x22 range; DMAR: 0 */
	uint8_t ivmd_flags;       /* IVRS: bit0 unity, 1 IR, 2 IW, 3 exclusion */
	uint16_t ivmd_dev_first, ivmd_dev_last; /* IVRS device ids (bus<<8|devfn) */
	size_t nscope;
	struct acpi_scope *scope;
};

struct acpi_rdm_list {
	struct acpi_rdm *rdm;
	size_t n;
	size_t cap;               /* allocated entries of rdm */
};

/*
 * Parse a whole table (header included); buf must hold exactly the table.
 * *out is initialised by the call (no need to zero it) and holds the RMRRs
 * or IVMDs in table order. 0, or -EINVAL (bad table: err names the offset,
 * "DMAR offset 0x68: ...") / -ENOMEM, with *out left empty.
 *
 * DMAR: RMRR base and limit as in the table (VT-d 8.4), scopes of any type.
 * IVRS: range = start .. start + length - 1, not rounded to pages (an IVMD
 * may be 1 byte long); an IVMD of length 0 reserves nothing and is dropped.
 * ivmd_dev_first/last: 0x20 0..0xffff, 0x21 DeviceID, 0x22 DeviceID..AuxData.
 */
int acpi_dmar_parse(const uint8_t *buf, size_t len, struct acpi_rdm_list *out, struct vt_err *err);
int acpi_ivrs_parse(const uint8_t *buf, size_t len, struct acpi_rdm_list *out, struct vt_err *err);
/* Read a file (binary table) and parse by its signature; errors start "PATH: ". */
int acpi_table_load(const char *path, struct acpi_rdm_list *out, struct vt_err *err);
/* Read a whole binary file (at most 16 MiB) into a malloc'd buffer. 0 or -errno. */
int acpi_file_read(const char *path, uint8_t **buf, size_t *len, struct vt_err *err);
void acpi_rdm_list_free(struct acpi_rdm_list *l);
/* Move every entry of src to the end of dst; src is left empty. 0 or -ENOMEM. */
int acpi_rdm_list_append(struct acpi_rdm_list *dst, struct acpi_rdm_list *src);
/* "00:1c.4/00.0" style path of a scope (CONTRACT §1); buf >= 64 bytes. */
char *acpi_scope_format(const struct acpi_scope *s, char *buf);
/*
 * IVMD device scope: "all", "BB:DD.F" or "BB:DD.F-BB:DD.F", each id with
 * "SSSS:" first when the segment is not 0; buf >= 64 bytes.
 */
char *acpi_ivmd_scope_format(const struct acpi_rdm *r, char *buf);
/* IVMD flags: "unity,ir,iw,exclusion" subset, other bits as 0x.., "none"; buf >= 48. */
char *acpi_ivmd_flags_format(uint8_t flags, char *buf);

#endif
