/*
 * fuzz/access_machine.c - the machine the access harness runs against.
 *
 * Root bus 0 (and a second root bus 0x80, and segment 1): endpoints with
 * 32- and 64-bit memory BARs, I/O BARs, sub-page BARs sharing a page, a
 * BAR larger than 4 GiB, ROMs; two levels of PCI-to-PCI bridges and a
 * CardBus bridge; RAM, reserved ranges, ECAM, and RMRRs whose scope names
 * devices of the machine (pinned: the platform maps them for this domain)
 * and one that names none (checked only under strategy=host, then mapped
 * and unmapped like any page); `mask` overrides in extended space; a host
 * function (vpci_backend_ops, as `serve --host` gives one) whose reads and
 * writes go through its backend. The first input byte picks the RDM settings
 * and per-device policies.
 */
#include <stdlib.h>
#include <string.h>

#include "../vpci/pci_regs.h"
#include "access.h"

#define STRICT  VT_POLICY_STRICT
#define RELAXED VT_POLICY_RELAXED
#define DEFAULT VT_POLICY_DEFAULT

/* Index order: every bridge before the functions behind it. */
const struct ax_devdef ax_devs[] = {
	{ .path = "00:00.0", .parent = -1, .devfn = 0x00, .cmd = 0x0006 },
	{ .path = "00:02.0", .parent = -1, .devfn = 0x10, .cmd = 0x0007, .caps = true,
	  .bar = { AX_MEM32, AX_NONE, AX_IO, AX_MEM32, AX_NONE, AX_NONE, AX_ROM },
	  .size = { 0x20000, 0, 0x20, 0x4000, 0, 0, 0x10000 },
	  .addr = { 0xe8000000, 0, 0xd001, 0xe8020000, 0, 0, 0 } },
	{ .path = "00:03.0", .parent = -1, .devfn = 0x18, .cmd = 0x0003, .ext = true, .extmask = true,
	  .policy = RELAXED, .alt_policy = STRICT,
	  .bar = { AX_MEM64, AX_NONE, AX_MEM32, AX_MEM32, AX_IO, AX_MEM32, AX_ROM },
	  .size = { 0x100000, 0, 0x10, 0x10, 0x100, 0x1000, 0x800 },
	  /* bar5 carries the 64-bit type but is the last BAR: it acts as 32-bit */
	  .addr = { 0xe900000c, 0, 0xe8024000, 0xe8024010, 0xd101, 0xe8030004, 0xe8031001 } },
	{ .path = "00:04.0", .parent = -1, .devfn = 0x20, .hdr = 0x80, .cmd = 0x0003,
	  .policy = STRICT, .alt_policy = RELAXED,
	  .bar = { AX_MEM32, AX_MEM64, AX_NONE, AX_IO, AX_NONE, AX_NONE, AX_ROM },
	  .size = { 0x1000, 0x200000000ull, 0, 0x4, 0, 0, 0x8000 },
	  .addr = { 0xe9800000, 0x40000000cull, 0, 0xd201, 0, 0, 0 } },
	{ .path = "00:04.1", .parent = -1, .devfn = 0x21, .hdr = 0x80, .cmd = 0x0002,
	  .alt_policy = RELAXED,
	  .bar = { AX_MEM32 }, .size = { 0x1000 }, .addr = { 0xe8024000 } },
	{ .path = "00:1c.0", .parent = -1, .devfn = 0xe0, .hdr = 1, .cmd = 0x0007, .sec = 1, .sub = 2,
	  .bar = { AX_MEM32, AX_NONE, AX_NONE, AX_NONE, AX_NONE, AX_NONE, AX_ROM },
	  .size = { 0x1000, 0, 0, 0, 0, 0, 0x800 }, .addr = { 0xea200000 } },
	{ .path = "00:1c.0/00.0", .parent = 5, .devfn = 0x00, .hdr = 1, .cmd = 0x0007, .sec = 2,
	  .sub = 2, .bar = { AX_MEM64 }, .size = { 0x4000 }, .addr = { 0xea210004 } },
	{ .path = "00:1c.0/00.0/00.0", .parent = 6, .devfn = 0x00, .hdr = 0x80, .cmd = 0x0003,
	  .ext = true, .policy = RELAXED, .alt_policy = DEFAULT,
	  .bar = { AX_IO, AX_NONE, AX_MEM64, AX_NONE, AX_NONE, AX_NONE, AX_ROM },
	  .size = { 0x100, 0, 0x1000, 0, 0, 0, 0x10000 },
	  .addr = { 0xe001, 0, 0xea100004, 0, 0, 0, 0 } },
	{ .path = "00:1c.0/00.0/01.0", .parent = 6, .devfn = 0x08, .cmd = 0x0002,
	  .alt_policy = STRICT, .bar = { AX_MEM32, AX_MEM32 }, .size = { 0x2000000, 0x10 },
	  .addr = { 0xec000000, 0xea100800 } },
	{ .path = "00:1c.0/01.0", .parent = 5, .devfn = 0x08, .cmd = 0x0002, .window = true,
	  .bar = { AX_MEM32 }, .size = { 0x1000 }, .addr = { 0xea300000 } },
	{ .path = "00:1d.0", .parent = -1, .devfn = 0xe8, .hdr = 1, .cmd = 0x0007, .sec = 3, .sub = 4 },
	{ .path = "00:1d.0/00.0", .parent = 10, .devfn = 0x00, .cmd = 0x0003,
	  .bar = { AX_MEM32, AX_IO }, .size = { 0x1000, 0x10 }, .addr = { 0xea400000, 0xd301 } },
	{ .path = "00:1e.0", .parent = -1, .devfn = 0xf0, .hdr = 2, .cmd = 0x0002, .sec = 5, .sub = 5,
	  .bar = { AX_MEM32 }, .size = { 0x1000 }, .addr = { 0xea500000 } },
	{ .path = "80:00.0", .parent = -1, .root = 0x80, .devfn = 0x00, .cmd = 0x0002,
	  .bar = { AX_MEM32 }, .size = { 0x1000 }, .addr = { 0xfeb00000 } },
	{ .path = "0001:00:00.0", .parent = -1, .seg = 1, .devfn = 0x00, .cmd = 0x0002,
	  .bar = { AX_MEM32, AX_NONE, AX_MEM64 }, .size = { 0x1000, 0, 0x10000 },
	  .addr = { 0xea600000, 0, 0x18000000cull } },
	/* last, so that the indices above (seeds, parents) keep their meaning */
	{ .path = "00:05.0", .parent = -1, .devfn = 0x28, .cmd = 0x0003, .caps = true, .ext = true,
	  .extmask = true, .host = true, .policy = RELAXED, .alt_policy = STRICT,
	  .bar = { AX_MEM64, AX_NONE, AX_IO, AX_MEM32, AX_NONE, AX_NONE, AX_ROM },
	  .size = { 0x4000, 0, 0x40, 0x1000, 0, 0, 0x10000 },
	  .addr = { 0xe8060004, 0, 0xd401, 0xe9810000, 0, 0, 0 } },
};
const unsigned ax_ndev = VT_ARRAY_SIZE(ax_devs);

#define RANGE(kind_, b, l) .kind = kind_, .r = { b, l }
const struct ax_region ax_regions[] = {
	{ RANGE(MAP_REGION_RAM, 0x0, 0x9ffff) },
	{ RANGE(MAP_REGION_RAM, 0x100000, 0x7fffffff) },
	{ RANGE(MAP_REGION_RESERVED, AX_ECAM, AX_ECAM + ((AX_ECAM_LAST_BUS + 1ull) << 20) - 1) },
	{ RANGE(MAP_REGION_RESERVED, 0xfec00000, 0xfec00fff) },
	{ RANGE(MAP_REGION_RESERVED, 0xfee00000, 0xfeefffff) },
	{ RANGE(MAP_REGION_RAM, 0x100000000ull, 0x17fffffffull) },
	{ RANGE(MAP_REGION_RMRR, 0xe9800000, 0xe98fffff), .scope = { "00:04.0" } },
	{ RANGE(MAP_REGION_RMRR, 0xea100000, 0xea100fff),
	  .scope = { "00:1c.0/00.0/00.0", "00:1c.0/00.0/01.0" } },
	{ RANGE(MAP_REGION_RMRR, 0xe8050000, 0xe8053fff), .scope = { "00:1f.0" } },
	/* a range that is not page aligned, as an IVMD may be (flag bit 3) */
	{ RANGE(MAP_REGION_RESERVED, 0xe8040100, 0xe80401ff), .unaligned_variant = true },
};
const unsigned ax_nregions = VT_ARRAY_SIZE(ax_regions);

static void put_bars(const struct ax_devdef *def, uint8_t *cfg)
{
	for (unsigned i = 0; i < AX_NBARS; i++) {
		unsigned reg = i == VT_BAR_ROM ? ((def->hdr & 0x7f) == 1 ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS)
					       : PCI_BASE_ADDRESS_0 + 4 * i;
		if (def->bar[i] == AX_NONE)
			continue;
		vt_le_put(cfg + reg, 4, (uint32_t)def->addr[i]);
		if (def->bar[i] == AX_MEM64)
			vt_le_put(cfg + reg + 4, 4, (uint32_t)(def->addr[i] >> 32));
	}
}

/* PM at 0x40, 64-bit MSI with masking at 0x50, PCIe at 0x70. */
static void put_caps(uint8_t *cfg)
{
	cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	cfg[PCI_CAPABILITY_LIST] = 0x40;
	cfg[0x40] = PCI_CAP_ID_PM, cfg[0x41] = 0x50, cfg[0x42] = 0x03;
	cfg[0x50] = PCI_CAP_ID_MSI, cfg[0x51] = 0x70, cfg[0x52] = 0x80, cfg[0x53] = 0x01;
	cfg[0x70] = PCI_CAP_ID_EXP, cfg[0x71] = 0x00, cfg[0x72] = 0x02;
}

/* An indirect register window (SHPC style): select byte 0x62, data dword 0x64. */
static void put_window(struct vpci_dev_desc *d)
{
	static const struct { uint8_t index; uint32_t val, wmask, w1c; } regs[] = {
		{ 0, 0x12345678, 0xffffffff, 0 }, { 1, 0x0000ffff, 0, 0xff }, { 3, 0xa5a5a5a5, 0xff00, 0 },
	};

	d->win_sel = 0x62;
	d->win_data = 0x64;
	for (unsigned i = 0; i < VT_ARRAY_SIZE(regs); i++) {
		d->win_reg[i].index = regs[i].index;
		d->win_reg[i].val = regs[i].val;
		d->win_reg[i].wmask = regs[i].wmask;
		d->win_reg[i].w1c = regs[i].w1c;
	}
	d->win_nreg = VT_ARRAY_SIZE(regs);
}

/* AER's uncorrectable error status (RW1C) and mask (RW), as `mask` lines give them. */
static void put_extmask(struct vpci_dev_desc *d)
{
	vt_le_put(d->cfg + AX_AER_REG, 4, AX_AER_RESET); /* two status bits set at reset */
	d->mask[d->nmask++] = (typeof(d->mask[0])){ AX_AER_REG, 4, 0, AX_AER_BITS };
	d->mask[d->nmask++] = (typeof(d->mask[0])){ AX_AER_REG + 4, 4, AX_AER_BITS, 0 };
}

/* The host function's backend: the same function in the "hardware" machine. */
static int hw_read(void *ctx, unsigned reg, unsigned size, uint32_t *val)
{
	struct ax_state *s = ctx;

	s->hw_reads++;
	*val = vpci_cfg_read(s->hw, s->hw_sbdf, reg, size);
	return 0;
}

static int hw_write(void *ctx, unsigned reg, unsigned size, uint32_t val)
{
	struct ax_state *s = ctx;

	s->hw_writes++;
	vpci_cfg_write(s->hw, s->hw_sbdf, reg, size, val);
	return 0;
}

static const struct vpci_backend_ops hw_ops = { "fuzz-hw", hw_read, hw_write, NULL };

static void fill_desc(unsigned i, unsigned flags, struct vpci_dev_desc *d)
{
	const struct ax_devdef *def = &ax_devs[i];

	memset(d, 0, sizeof(*d));
	strcpy(d->path, def->path);
	d->cfg_len = def->ext ? VPCI_CFG_SIZE : 256;
	vt_le_put(d->cfg, 4, 0x10008086u + i);
	vt_le_put(d->cfg + PCI_COMMAND, 2, def->cmd);
	d->cfg[PCI_HEADER_TYPE] = def->hdr;
	d->cfg[0x0b] = (def->hdr & 0x7f) ? 0x06 : 0x02; /* class: bridge / network */
	d->cfg[0x0a] = (def->hdr & 0x7f) == 1 ? 0x04 : (def->hdr & 0x7f) == 2 ? 0x07 : 0x00;
	if (def->hdr & 0x7f) {
		d->cfg[PCI_PRIMARY_BUS] = def->parent < 0 ? def->root : ax_devs[def->parent].sec;
		d->cfg[PCI_SECONDARY_BUS] = def->sec;
		d->cfg[PCI_SUBORDINATE_BUS] = def->sub;
	}
	put_bars(def, d->cfg);
	if (def->caps)
		put_caps(d->cfg);
	if (def->ext)
		vt_le_put(d->cfg + 0x100, 4, 0x00010001); /* AER, version 1, last */
	if (def->window)
		put_window(d);
	if (def->extmask)
		put_extmask(d);
	for (unsigned b = 0; b < AX_NBARS; b++)
		d->bar_size[b] = def->size[b];
	d->rdm_policy = (flags & 4) ? def->alt_policy : def->policy;
	d->file = "<fuzz machine>";
}

bool ax_region_present(const struct ax_state *s, const struct ax_region *rg)
{
	return !rg->unaligned_variant || s->unaligned;
}

/*
 * An RMRR counts (refuses or warns) under strategy=host, or when its scope
 * names one of our devices; only the latter is pinned (access_check.c).
 */
bool ax_region_selected(const struct ax_state *s, const struct ax_region *rg)
{
	if (!ax_region_present(s, rg))
		return false;
	if (rg->kind != MAP_REGION_RMRR || s->host)
		return true;
	for (unsigned k = 0; k < 2 && rg->scope[k]; k++)
		for (unsigned i = 0; i < ax_ndev; i++)
			if (!strcmp(rg->scope[k], ax_devs[i].path))
				return true;
	return false;
}

static int add_regions(struct ax_state *s)
{
	for (unsigned i = 0; i < ax_nregions; i++) {
		const struct ax_region *rg = &ax_regions[i];
		int rc;
		if (!ax_region_present(s, rg))
			continue;
		if (rg->kind == MAP_REGION_RMRR) {
			unsigned n = rg->scope[1] ? 2 : 1;
			rc = vpci_machine_add_rmrr(s->m, &rg->r, rg->scope, n);
		} else {
			rc = vpci_machine_add_region(s->m, rg->kind, &rg->r);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static void set_rdm(struct ax_state *s, unsigned flags)
{
	static const char *const spec[4] = { NULL, "strategy=host,policy=relaxed", "policy=strict",
					     "policy=relaxed" };
	struct vpci_rdm rdm;

	s->host = (flags & 3) < 2;
	s->relaxed = (flags & 1) != 0;
	if (!spec[flags & 3])
		return; /* the machine's defaults: strategy=host, policy=strict */
	if (vpci_rdm_parse(spec[flags & 3], &rdm))
		FZ_FAIL("vpci_rdm_parse rejects '%s'", spec[flags & 3]);
	vpci_machine_set_rdm(s->m, &rdm);
}

int ax_machine_build(struct ax_state *s, unsigned flags)
{
	static struct vpci_dev_desc desc;
	struct vt_err err;

	s->flags = flags;
	s->unaligned = (flags & 8) != 0;
	vt_events_init(&s->ev);
	s->rec.keep = true;
	s->m = vpci_machine_create(&s->ev, &map_ops_record, &s->rec);
	vt_events_init(&s->hw_ev);
	s->hw = vpci_machine_create(&s->hw_ev, &map_ops_record, &s->hw_rec);
	if (!s->m || !s->hw)
		return -1;
	for (unsigned i = 0; i < ax_ndev; i++) {
		fill_desc(i, flags, &desc);
		if (ax_devs[i].host) {
			/* the hardware: at the same root-bus path of its own machine, emulated */
			if (vpci_machine_add_dev(s->hw, &desc, &err))
				FZ_FAIL("hardware machine: %s", err.msg);
			s->hw_sbdf = VT_SBDF(0, 0, ax_devs[i].devfn);
			desc.ops = &hw_ops;
			desc.ops_ctx = s;
		}
		if (vpci_machine_add_dev(s->m, &desc, &err))
			FZ_FAIL("machine: %s", err.msg);
		s->dev[i].policy = desc.rdm_policy;
	}
	if (vpci_machine_finish(s->hw, &err))
		FZ_FAIL("hardware machine: %s", err.msg);
	if (add_regions(s) || vpci_machine_set_ecam(s->m, AX_ECAM, 0, AX_ECAM_LAST_BUS))
		FZ_FAIL("machine: regions or ECAM refused");
	set_rdm(s, flags);
	return 0;
}

void ax_machine_free(struct ax_state *s)
{
	vpci_machine_destroy(s->m);
	vpci_machine_destroy(s->hw);
	map_record_reset(&s->rec);
	map_record_reset(&s->hw_rec);
	ax_units_free(&s->backend[0]);
	ax_units_free(&s->backend[1]);
	s->m = NULL;
}
