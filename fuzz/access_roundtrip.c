/*
 * fuzz/access_roundtrip.c - a machine written back (vpci_machine_write) and
 * loaded again behaves as the machine did: same functions at the same SBDFs,
 * the same config bytes, the same mapped set (vpci.h's promise for the
 * writer). Checked at the end of an input whose flag byte has bit 4 set.
 *
 * One state has no machine-file form: a 64-bit BAR whose low register (or
 * upper register, for a BAR over 4 GiB) was last written all ones (sizing)
 * reads back its size mask, which a fresh device takes for an address
 * (32-bit BARs, ROMs and I/O BARs then end at 0xffffffff: never mapped
 * either way). Inputs that end in that state are skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"

static bool sizing_64(const struct ax_state *s)
{
	for (unsigned i = 0; i < ax_ndev; i++)
		for (unsigned b = 0; b < AX_NBARS; b++) {
			unsigned reg = 0x10 + 4 * b;
			if (ax_devs[i].bar[b] == AX_MEM64 && ax_devs[i].size[b] &&
			    ((vt_le_get(s->dev[i].raw + reg, 4) | 0xf) == 0xffffffffu ||
			     vt_le_get(s->dev[i].raw + reg + 4, 4) == 0xffffffffu))
				return true;
		}
	return false;
}

static void compare_dev(const struct ax_state *s, unsigned i, struct vpci_machine *m2)
{
	struct vpci_dev *d2 = vpci_dev_by_path(m2, ax_devs[i].path);
	uint32_t a = 0, b = 0;
	bool ra = vpci_dev_sbdf(s->dev[i].d, &a), rb;

	FZ_CHECK(d2, "round trip: %s is missing", ax_devs[i].path);
	rb = vpci_dev_sbdf(d2, &b);
	FZ_CHECK(ra == rb && a == b, "round trip: %s at %05x (%s), reloaded at %05x (%s)", ax_devs[i].path,
		 a, ra ? "reachable" : "unreachable", b, rb ? "reachable" : "unreachable");
	for (unsigned reg = 0; ra && reg < (ax_devs[i].ext ? 4096u : 256u); reg += 4) {
		uint32_t x = vpci_cfg_read(s->m, a, reg, 4), y = vpci_cfg_read(m2, a, reg, 4);
		FZ_CHECK(x == y, "round trip: %s reg 0x%03x reads 0x%08x, reloaded 0x%08x", ax_devs[i].path,
			 reg, x, y);
	}
}

static void compare_mapped(const struct ax_state *s, struct vpci_machine *m2)
{
	struct vpci_mapped *v1 = NULL, *v2 = NULL;
	size_t n1 = vpci_machine_mapped(s->m, &v1), n2 = vpci_machine_mapped(m2, &v2);

	if (n1 != n2 && fz_verbose)
		for (size_t k = 0; k < n1 || k < n2; k++)
			fprintf(stderr, "  mapped %zu: %05x %s 0x%llx | %05x %s 0x%llx\n", k,
				k < n1 ? v1[k].sbdf : 0, k < n1 ? vt_bar_name(v1[k].bar) : "-",
				k < n1 ? (unsigned long long)v1[k].range.base : 0ull, k < n2 ? v2[k].sbdf : 0,
				k < n2 ? vt_bar_name(v2[k].bar) : "-", k < n2 ? (unsigned long long)v2[k].range.base : 0ull);
	FZ_CHECK(n1 == n2, "round trip: %zu BARs mapped, reloaded %zu", n1, n2);
	for (size_t k = 0; k < n1; k++)
		FZ_CHECK(!memcmp(&v1[k], &v2[k], sizeof(v1[k])) ||
			 (v1[k].sbdf == v2[k].sbdf && v1[k].bar == v2[k].bar && v1[k].space == v2[k].space &&
			  v1[k].range.base == v2[k].range.base && v1[k].range.last == v2[k].range.last),
			 "round trip: mapped entry %zu differs (%05x %s 0x%llx, reloaded %05x %s 0x%llx)", k,
			 v1[k].sbdf, vt_bar_name(v1[k].bar), (unsigned long long)v1[k].range.base, v2[k].sbdf,
			 vt_bar_name(v2[k].bar), (unsigned long long)v2[k].range.base);
	free(v1);
	free(v2);
}

void ax_check_roundtrip(struct ax_state *s)
{
	static struct fz_file file;
	struct vt_events ev;
	struct map_record rec = { .keep = false };
	struct vpci_machine *m2;
	struct vt_err err = { { 0 } };
	FILE *w;

	if (sizing_64(s))
		return;
	if (!file.path[0] && fz_file_open(&file, "machine"))
		abort();
	w = fz_file_writer(&file);
	FZ_CHECK(!vpci_machine_write(s->m, w), "round trip: vpci_machine_write failed");
	fclose(w);
	vt_events_init(&ev);
	if (!(m2 = vpci_machine_create(&ev, &map_ops_record, &rec)))
		abort();
	FZ_CHECK(!vpci_machine_load(m2, file.path, NULL, &err) && !vpci_machine_finish(m2, &err),
		 "round trip: the written machine does not load: %s", err.msg);
	for (unsigned i = 0; i < ax_ndev; i++)
		compare_dev(s, i, m2);
	compare_mapped(s, m2);
	vpci_machine_destroy(m2);
	map_record_reset(&rec);
}
