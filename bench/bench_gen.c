/*
 * bench/bench_gen.c - machines generated in memory through the public
 * construction API (vpci_dev_desc, vpci_machine_add_dev, _finish), so that
 * the bench measures what a machine file or host snapshot would build.
 *
 * The endpoint is a plausible PCIe NIC function: two 64-bit prefetchable
 * BARs (mapped: Memory Space is on), PM, MSI (64-bit, per-vector masking),
 * PCIe and MSI-X capabilities, and extended capabilities at 0x100.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "../vpci/pci_regs.h"

static void put(struct vpci_dev_desc *d, unsigned reg, unsigned size, uint32_t v)
{
	vt_le_put(d->cfg + reg, size, v);
}

static void desc_reset(struct vpci_dev_desc *d, const char *path)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->cfg_len = VPCI_CFG_SIZE;
	d->file = "bench";
}

void bench_desc_endpoint(struct vpci_dev_desc *d, const char *path, unsigned idx, bool multi)
{
	uint64_t bar = BENCH_BAR_BASE(idx);

	desc_reset(d, path);
	put(d, PCI_VENDOR_ID, 4, 0x15728086);
	put(d, PCI_COMMAND, 4, 0x00100000 | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	put(d, PCI_CLASS_REVISION, 4, 0x02000001);
	put(d, PCI_CACHE_LINE_SIZE, 4, (multi ? 0x80u : 0) << 16 | 0x10);
	put(d, PCI_BASE_ADDRESS_0, 4, (uint32_t)bar | 0x0c);
	put(d, PCI_BASE_ADDRESS_0 + 4, 4, (uint32_t)(bar >> 32));
	put(d, PCI_BASE_ADDRESS_0 + 8, 4, (uint32_t)(bar + 0x80000) | 0x0c);
	put(d, PCI_BASE_ADDRESS_0 + 12, 4, (uint32_t)(bar >> 32));
	put(d, PCI_SUBSYSTEM_VENDOR_ID, 4, 0x00018086);
	put(d, PCI_CAPABILITY_LIST, 1, 0x40);
	put(d, PCI_INTERRUPT_LINE, 2, 0x010b);
	put(d, 0x40, 4, 0x00035001);                 /* PM, next MSI */
	put(d, 0x44, 4, 0x00000008);
	put(d, BENCH_CAP_MSI, 4, 0x01807005);        /* MSI 64-bit + masking, next PCIe */
	put(d, BENCH_CAP_EXP, 4, 0x0002b010);        /* PCIe v2 endpoint, next MSI-X */
	put(d, BENCH_CAP_EXP + 4, 4, 0x10008fc2);    /* device capabilities */
	put(d, BENCH_CAP_EXP + 8, 4, 0x00002810);    /* device control/status */
	put(d, BENCH_CAP_EXP + 12, 4, 0x0043f482);   /* link capabilities */
	put(d, BENCH_CAP_EXP + 16, 4, 0x10820000);   /* link control/status */
	put(d, BENCH_CAP_MSIX, 4, 0x003f0011);       /* MSI-X, 64 vectors, last */
	put(d, BENCH_CAP_MSIX + 4, 4, 0x00000002);   /* table in BAR2 */
	put(d, BENCH_CAP_MSIX + 8, 4, 0x00002002);   /* PBA in BAR2 + 0x2000 */
	put(d, 0x100, 4, 0x15020001);                /* AER v2, next 0x150 */
	put(d, 0x150, 4, 0x16010003);                /* serial number, next 0x160 */
	put(d, 0x154, 4, 0x12345678 ^ idx);
	put(d, 0x160, 4, 0x0001000e);                /* ARI, last */
	d->bar_size[0] = 512 << 10;
	d->bar_size[2] = 16 << 10;
}

void bench_desc_bridge(struct vpci_dev_desc *d, const char *path, unsigned pri, unsigned sec, unsigned sub,
		       bool multi)
{
	desc_reset(d, path);
	put(d, PCI_VENDOR_ID, 4, 0x20308086);
	put(d, PCI_COMMAND, 4, 0x00100000 | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	put(d, PCI_CLASS_REVISION, 4, 0x06040000);
	put(d, PCI_CACHE_LINE_SIZE, 4, (multi ? 0x81u : 0x01u) << 16);
	put(d, PCI_PRIMARY_BUS, 4, pri | sec << 8 | sub << 16);
	put(d, PCI_IO_BASE, 2, 0x00f0);              /* windows closed */
	put(d, PCI_MEMORY_BASE, 4, 0x0000fff0);
	put(d, PCI_PREF_MEMORY_BASE, 4, 0x0001fff1);
	put(d, PCI_CAPABILITY_LIST, 1, 0x40);
	put(d, PCI_INTERRUPT_LINE, 2, 0x01ff);
	put(d, 0x40, 4, 0x00420010);                 /* PCIe v2 root port, last */
}

static int grow_add(struct bench_machine *bm, uint32_t sbdf, bool ep)
{
	if (ep)
		bm->ep[bm->nep++] = bm->nfn;
	bm->sbdf[bm->nfn++] = sbdf;
	return 0;
}

/*
 * vpci_machine_add_dev, timing each of the first and the last 256 adds. The
 * medians: a linear cost shows in every add of the last 256, a one-off stall
 * (the first touch of a huge page the host has not backed yet, a table
 * doubling) in one.
 */
static int add_dev(struct bench_machine *bm, const struct vpci_dev_desc *d, struct vt_err *err)
{
	unsigned i = bm->nadd++, w = bm->want;
	int win = w < 512 ? -1 : i < 256 ? 0 : i >= w - 256 ? 1 : -1;
	uint64_t t0 = win >= 0 ? bench_now_ns() : 0;
	int rc = vpci_machine_add_dev(bm->m, d, err);

	if (win >= 0)
		bm->add_ns[win][win ? i - (w - 256) : i] = (double)(bench_now_ns() - t0);
	if (w >= 512 && i + 1 == w) {
		struct bench_stat st;
		bench_stat_of(bm->add_ns[0], 256, &st);
		bm->add_first_us = st.med / 1e3;
		bench_stat_of(bm->add_ns[1], 256, &st);
		bm->add_last_us = st.med / 1e3;
	}
	return rc;
}

static int alloc_lists(struct bench_machine *bm, unsigned n, uint64_t max_nr)
{
	memset(bm, 0, sizeof(*bm));
	bm->want = n;
	vt_events_init(&bm->ev);
	bench_counter_init(&bm->cnt, max_nr);
	bm->sbdf = calloc(n, sizeof(*bm->sbdf));
	bm->ep = calloc(n, sizeof(*bm->ep));
	bm->m = vpci_machine_create(&bm->ev, &bm->cnt.ops, &bm->cnt);
	if (!bm->sbdf || !bm->ep || !bm->m)
		return -ENOMEM;
	return vpci_machine_set_ecam(bm->m, BENCH_ECAM_BASE, 0, 255);
}

/* Bus 0 holds endpoints at devfn [0, nep0) and bridges to buses 1.. above them. */
static int gen_add(struct bench_machine *bm, struct vpci_dev_desc *d, unsigned nfn, struct vt_err *err)
{
	unsigned nbus = nfn > 256 ? nfn / 256 : 1, nep0 = nfn > 256 ? 256 - (nbus - 1) : nfn;
	char path[VPCI_PATH_MAX];
	int rc;

	for (unsigned devfn = 0; devfn < nep0 + nbus - 1; devfn++) {
		snprintf(path, sizeof(path), "00:%02x.%x", devfn >> 3, devfn & 7);
		if (devfn < nep0)
			bench_desc_endpoint(d, path, bm->nep, nfn > 1);
		else
			bench_desc_bridge(d, path, 0, devfn - nep0 + 1, devfn - nep0 + 1, true);
		if ((rc = add_dev(bm, d, err)))
			return rc;
		grow_add(bm, VT_SBDF(0, 0, devfn), devfn < nep0);
	}
	for (unsigned bus = 1; bus < nbus; bus++) {
		unsigned bdf = nep0 + bus - 1;
		for (unsigned devfn = 0; devfn < 256; devfn++) {
			snprintf(path, sizeof(path), "00:%02x.%x/%02x.%x", bdf >> 3, bdf & 7, devfn >> 3,
				 devfn & 7);
			bench_desc_endpoint(d, path, bm->nep, true);
			if ((rc = add_dev(bm, d, err)))
				return rc;
			grow_add(bm, VT_SBDF(0, bus, devfn), true);
		}
	}
	return 0;
}

static int finish(struct bench_machine *bm, const struct bench_gen *g, size_t heap0, uint64_t t0,
		  struct vt_err *err)
{
	uint64_t t1, t2;
	int rc = g && g->pre ? g->pre(bm->m, g->ctx) : 0;

	if (rc)
		return vt_errf(err, rc, "bench: platform ranges: %s", strerror(-rc));
	t1 = bench_now_ns();
	rc = vpci_machine_finish(bm->m, err);
	t2 = bench_now_ns();
	if (rc)
		return rc;
	bm->build_ms = (double)(t2 - t0) / 1e6;
	bm->finish_ms = (double)(t2 - t1) / 1e6;
	bm->heap = bench_heap_bytes() - heap0 + vpci_machine_mapped_bytes(bm->m);
	trap_init(&bm->trap, bm->m);
	return 0;
}

int bench_machine_gen(struct bench_machine *bm, unsigned nfn, struct vt_err *err)
{
	return bench_machine_gen_ex(bm, nfn, NULL, err);
}

int bench_machine_gen_ex(struct bench_machine *bm, unsigned nfn, const struct bench_gen *g, struct vt_err *err)
{
	size_t heap0 = bench_heap_bytes(); /* before the descriptor: it is freed before the end */
	struct vpci_dev_desc *d = malloc(sizeof(*d));
	uint64_t t0;
	int rc;

	if (nfn == 0 || (nfn > 256 && (nfn % 256 || nfn > 65536)))
		return vt_errf(err, EINVAL, "bench: %u functions: 1..256 or a multiple of 256", nfn);
	if (!d || alloc_lists(bm, nfn, g ? g->max_nr : 0)) {
		free(d);
		return vt_errf(err, ENOMEM, "out of memory");
	}
	t0 = bench_now_ns();
	rc = gen_add(bm, d, nfn, err);
	free(d);
	return rc ? rc : finish(bm, g, heap0, t0, err);
}

int bench_machine_deep(struct bench_machine *bm, struct vt_err *err)
{
	size_t heap0 = bench_heap_bytes();
	struct vpci_dev_desc *d = malloc(sizeof(*d));
	char path[VPCI_PATH_MAX];
	uint64_t t0;
	int rc = 0;

	if (!d || alloc_lists(bm, 1 + 16 + 4096, 0)) {
		free(d);
		return vt_errf(err, ENOMEM, "out of memory");
	}
	t0 = bench_now_ns();
	bench_desc_bridge(d, "00:01.0", 0, 1, 17, false);
	rc = add_dev(bm, d, err);
	grow_add(bm, VT_SBDF(0, 0, 8), false);
	for (unsigned p = 0; p < 16 && !rc; p++) {
		snprintf(path, sizeof(path), "00:01.0/%02x.%x", p >> 3, p & 7);
		bench_desc_bridge(d, path, 1, 2 + p, 2 + p, true);
		rc = add_dev(bm, d, err);
		grow_add(bm, VT_SBDF(0, 1, p), false);
		for (unsigned devfn = 0; devfn < 256 && !rc; devfn++) {
			snprintf(path, sizeof(path), "00:01.0/%02x.%x/%02x.%x", p >> 3, p & 7, devfn >> 3,
				 devfn & 7);
			bench_desc_endpoint(d, path, bm->nep, true);
			rc = add_dev(bm, d, err);
			grow_add(bm, VT_SBDF(0, 2 + p, devfn), true);
		}
	}
	free(d);
	return rc ? rc : finish(bm, NULL, heap0, t0, err);
}

void bench_machine_free(struct bench_machine *bm)
{
	vpci_machine_destroy(bm->m);
	free(bm->sbdf);
	free(bm->ep);
	memset(bm, 0, sizeof(*bm));
}
