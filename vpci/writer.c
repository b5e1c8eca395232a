/* vpci/writer.c - a machine back into a machine file (CONTRACT §5). */
#include <errno.h>

#include "private.h"

static void region_cb(void *ctx, enum map_region kind, const struct vt_range *r)
{
	char rg[48];

	/* RMRRs are written with their scopes below, not from the mapper. */
	if (kind != MAP_REGION_RMRR && kind != MAP_REGION_RMRR_OTHER)
		fprintf(ctx, "%s %s\n", kind == MAP_REGION_RAM ? "ram" : "reserved", vt_fmt_range(r, rg));
}

static void write_rmrr(const struct vpci_machine *m, const struct vpci_rmrr_ent *e, FILE *f)
{
	char rg[48];

	fprintf(f, "rmrr %s", vt_fmt_range(&e->range, rg));
	for (unsigned i = 0; i < e->npath; i++)
		fprintf(f, " %s", e->path[i]);
	/* An IVMD scope (current SBDFs) is written as the paths it names now. */
	for (size_t i = 0; e->by_sbdf && i < m->ndev; i++) {
		uint32_t sbdf;
		if (vpci_dev_sbdf(m->devs[i], &sbdf) && sbdf >= e->sbdf_first && sbdf <= e->sbdf_last)
			fprintf(f, " %s", m->devs[i]->path);
	}
	fputc('\n', f);
}

static void write_dev(const struct vpci_dev *d, FILE *f)
{
	fprintf(f, "device %s%s\n", d->path, d->policy == VT_POLICY_STRICT ? " rdm_policy=strict" :
			d->policy == VT_POLICY_RELAXED ? " rdm_policy=relaxed" : "");
	for (unsigned off = 0; off < d->cfg_size; off += 16) {
		fprintf(f, "%02x:", off);
		for (unsigned i = 0; i < 16; i++)
			fprintf(f, " %02x", d->cfg[off + i]);
		fputc('\n', f);
	}
	for (unsigned b = 0; b < VPCI_NBARS; b++) {
		if (!d->bar[b].size || d->bar[b].type == VPCI_BAR_MEM64_HI)
			continue;
		if (b == VT_BAR_ROM)
			fprintf(f, "rom size 0x%llx\n", (unsigned long long)d->bar[b].size);
		else
			fprintf(f, "bar %u size 0x%llx\n", b, (unsigned long long)d->bar[b].size);
	}
	for (unsigned i = 0; i < d->novr; i++)
		fprintf(f, "mask 0x%x %u 0x%x 0x%x\n", d->ovr[i].reg, d->ovr[i].size, d->ovr[i].wmask,
			d->ovr[i].w1c);
	vpci_window_put(d, f);
}

int vpci_machine_write(const struct vpci_machine *m, FILE *f)
{
	map_region_walk(m->map, region_cb, f);
	for (size_t i = 0; i < m->nrmrr; i++)
		write_rmrr(m, &m->rmrr[i], f);
	if (m->ecam)
		fprintf(f, "ecam 0x%llx 0x%02x-0x%02x\n", (unsigned long long)m->ecam_base, m->ecam_first,
			m->ecam_last);
	fprintf(f, "rdm %s%s\n", m->rdm.strategy_host ? "strategy=host," : "",
		m->rdm.policy == VT_POLICY_RELAXED ? "policy=relaxed" : "policy=strict");
	for (size_t i = 0; i < m->ndev; i++)
		write_dev(m->devs[i], f);
	return ferror(f) ? -EIO : 0;
}
