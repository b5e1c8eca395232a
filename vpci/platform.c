/*
 * vpci/platform.c - platform tables into a machine: RMRRs (DMAR) and IVMDs
 * (IVRS) with their device scopes, RAM and reserved ranges (memmap).
 *
 * Ranges are widened to whole pages: mapping is page granular, so a BAR
 * sharing a page with a 1-byte IVMD would map over it (Linux's
 * init_unity_map_range() rounds the same way).
 */
#include <errno.h>
#include <stdlib.h>

#include "../mapper/acpi.h"
#include "../mapper/platform.h"
#include "private.h"

static struct vt_range page_widen(const struct vt_range *r)
{
	struct vt_range p = { r->base & ~(VT_PAGE_SIZE - 1), r->last | (VT_PAGE_SIZE - 1) };

	return p;
}

/* DMAR device scope -> path: start bus, then dev.fn hops (CONTRACT §1). */
static int add_dmar(struct vpci_machine *m, const struct acpi_rdm *r, const struct vt_range *pr)
{
	char (*paths)[64] = calloc(r->nscope ? r->nscope : 1, sizeof(*paths));
	const char **pp = calloc(r->nscope ? r->nscope : 1, sizeof(*pp));
	int rc;

	if (!paths || !pp) {
		free(paths);
		free(pp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->nscope; i++)
		pp[i] = acpi_scope_format(&r->scope[i], paths[i]);
	rc = vpci_machine_add_rmrr(m, pr, pp, (unsigned)r->nscope);
	free(paths);
	free(pp);
	return rc;
}

static int add_ivmd(struct vpci_machine *m, const struct acpi_rdm *r, const struct vt_range *pr)
{
	uint32_t first = VT_SBDF(r->segment, 0, 0), last = VT_SBDF(r->segment, 0xff, 0xff);

	if (r->ivmd_type != 0x20) { /* 0x21 one device, 0x22 a range of device ids */
		first = VT_SBDF(r->segment, 0, 0) | r->ivmd_dev_first;
		last = VT_SBDF(r->segment, 0, 0) | r->ivmd_dev_last;
	}
	return vpci_machine_add_rmrr_sbdf(m, pr, first, last);
}

int vpci_machine_load_acpi(struct vpci_machine *m, const char *path, struct vt_err *err)
{
	struct acpi_rdm_list l = { 0 };
	int rc = path ? acpi_table_load(path, &l, err) : platform_acpi_load(NULL, &l, err);

	for (size_t i = 0; !rc && i < l.n; i++) {
		struct vt_range pr = page_widen(&l.rdm[i].range);
		rc = l.rdm[i].ivmd_type ? add_ivmd(m, &l.rdm[i], &pr) : add_dmar(m, &l.rdm[i], &pr);
		if (rc)
			rc = vt_errf(err, rc, "%s: cannot add range %zu", path ? path : "ACPI", i);
	}
	acpi_rdm_list_free(&l);
	return rc;
}

int vpci_machine_load_memmap(struct vpci_machine *m, const char *dir, struct vt_err *err)
{
	struct platform_ranges l = { 0 };
	int rc = platform_memmap_load(dir, &l, err);

	for (size_t i = 0; !rc && i < l.n; i++)
		if ((rc = vpci_machine_add_region(m, l.r[i].kind, &l.r[i].range)))
			rc = vt_errf(err, rc, "out of memory");
	platform_ranges_free(&l);
	return rc;
}
