/*
 * vpci/header.c - the type 0/1/2 header: default write masks, and the
 * handlers of the registers whose writes have side effects (CONTRACT §3):
 * command, BARs, expansion ROM, bridge bus numbers.
 *
 * Mechanism first (masks, BAR decoding), then handlers, then init.
 */
#include <string.h>

#include "private.h"

static void set_mask(struct vpci_dev *d, unsigned reg, unsigned size, uint32_t wmask, uint32_t w1c)
{
	vpci_dev_apply_mask(d, reg, size, wmask, w1c);
}

static uint16_t cmd_of(const struct vpci_dev *d)
{
	return (uint16_t)vt_le_get(d->cfg + PCI_COMMAND, 2);
}

static uint32_t field_mask(const struct vpci_bar *b)
{
	switch (b->type) {
	case VPCI_BAR_IO: return PCI_BASE_ADDRESS_IO_MASK;
	case VPCI_BAR_ROM: return PCI_ROM_ADDRESS_MASK;
	default: return PCI_BASE_ADDRESS_MEM_MASK;
	}
}

/* Address bits the device implements, within the (64-bit) register pair. */
static uint64_t addr_mask(const struct vpci_bar *b)
{
	uint64_t m = ~(b->size - 1) & (uint64_t)(int64_t)(int32_t)field_mask(b);

	return b->type == VPCI_BAR_MEM64 ? m : m & 0xffffffffull;
}

static uint64_t bar_decode(const struct vpci_dev *d, const struct vpci_bar *b)
{
	uint64_t v = vt_le_get(d->cfg + b->reg, 4);

	if (b->type == VPCI_BAR_MEM64)
		v |= (uint64_t)vt_le_get(d->cfg + b->reg + 4, 4) << 32;
	return v & addr_mask(b);
}

static bool bar_sizing(const struct vpci_bar *b)
{
	uint32_t f = field_mask(b);

	return (b->raw_lo & f) == f || (b->type == VPCI_BAR_MEM64 && b->raw_hi == 0xffffffffu);
}

/* What the BAR wants mapped under the §3 rule, QEMU's pci_bar_address(). */
static bool bar_want(const struct vpci_dev *d, const struct vpci_bar *b, struct vt_range *r)
{
	uint16_t cmd = cmd_of(d);
	bool io = b->type == VPCI_BAR_IO;

	if (!b->size || bar_sizing(b))
		return false;
	if (!(cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
		return false;
	if (b->type == VPCI_BAR_ROM && !(d->cfg[b->reg] & PCI_ROM_ADDRESS_ENABLE))
		return false;
	r->base = b->addr;
	r->last = b->addr + b->size - 1;
	if (r->base == 0 || r->last < r->base)
		return false;
	if (b->type != VPCI_BAR_MEM64 && r->last >= 0xffffffffull)
		return false;
	return true;
}

void vpci_bar_update(struct vpci_dev *d, unsigned i)
{
	struct vpci_bar *b = &d->bar[i];
	struct map_owner who = { .bar = (uint8_t)i, .policy = d->policy };
	struct vt_range r;
	bool want;

	if (b->type == VPCI_BAR_NONE || b->type == VPCI_BAR_MEM64_HI || !b->size)
		return;
	want = bar_want(d, b, &r);
	if (!want && !b->slot.active && !b->slot.refused)
		return;
	if (!vpci_dev_sbdf(d, &who.sbdf))
		who.sbdf = VT_SBDF(d->bus ? d->bus->seg : 0, 0xff, d->devfn);
	map_slot_set(d->m->map, &b->slot, &who, b->type == VPCI_BAR_IO ? VT_SPACE_IO : VT_SPACE_MEM,
		     want ? &r : NULL);
}

void vpci_header_update_all(struct vpci_dev *d)
{
	for (unsigned i = 0; i < VPCI_NBARS; i++)
		vpci_bar_update(d, i);
}

static void emit(struct vpci_dev *d, struct vt_event *e)
{
	if (!vpci_dev_sbdf(d, &e->sbdf))
		e->sbdf = VT_SBDF(d->bus ? d->bus->seg : 0, 0xff, d->devfn);
	vt_events_emit(d->m->ev, e);
}

/* Fold the bytes of this write that hit dword `dw` into the BAR's raw value. */
static void raw_merge(struct vpci_bar *b, unsigned dw, unsigned reg, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size; i++) {
		unsigned r = reg + i, sh = 8 * (r & 3);
		uint32_t byte = (val >> (8 * i)) & 0xff;
		if (r >> 2 != dw)
			continue;
		if (r >> 2 == (unsigned)b->reg >> 2)
			b->raw_lo = (b->raw_lo & ~(0xffu << sh)) | byte << sh;
		else
			b->raw_hi = (b->raw_hi & ~(0xffu << sh)) | byte << sh;
	}
}

static void bar_written(struct vpci_dev *d, unsigned i, unsigned dw, unsigned reg, unsigned size,
			uint32_t val)
{
	struct vpci_bar *b = &d->bar[i];
	struct vt_event e = { .bar = (uint8_t)i };
	uint64_t addr;

	raw_merge(b, dw, reg, size, val);
	if (bar_sizing(b)) {
		e.type = VT_EV_SIZING;
		emit(d, &e);
	} else if ((addr = bar_decode(d, b)) != b->addr) {
		e.type = VT_EV_MOVE;
		e.old_base = b->addr;
		e.new_base = addr;
		b->addr = addr;
		emit(d, &e);
	}
	vpci_bar_update(d, i);
}

static int bar_of_dword(const struct vpci_dev *d, unsigned dw)
{
	for (unsigned i = 0; i < VPCI_NBARS; i++) {
		const struct vpci_bar *b = &d->bar[i];
		if (b->type == VPCI_BAR_NONE || b->type == VPCI_BAR_MEM64_HI)
			continue;
		if ((unsigned)b->reg >> 2 == dw || (b->type == VPCI_BAR_MEM64 && ((unsigned)b->reg >> 2) + 1 == dw))
			return (int)i;
	}
	return -1;
}

static void bus_written(struct vpci_dev *d, uint32_t old)
{
	struct vt_event e = { .type = VT_EV_RENUMBER };
	uint8_t sec = d->cfg[PCI_SECONDARY_BUS], sub = d->cfg[PCI_SUBORDINATE_BUS];

	if ((uint8_t)(old >> 8) == sec && (uint8_t)(old >> 16) == sub)
		return;
	vpci_route_rebuild(d->m, d->bus->seg);
	e.sec_old = (uint8_t)(old >> 8), e.sec_new = sec;
	e.sub_old = (uint8_t)(old >> 16), e.sub_new = sub;
	emit(d, &e);
}

void vpci_header_write(struct vpci_dev *d, unsigned dw, uint32_t old, unsigned reg,
		       unsigned size, uint32_t val)
{
	int bar;

	switch (d->hnd[dw]) {
	case HND_COMMAND:
		if ((old ^ cmd_of(d)) & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY))
			vpci_header_update_all(d);
		break;
	case HND_BAR:
	case HND_ROM:
		if ((bar = bar_of_dword(d, dw)) >= 0)
			bar_written(d, (unsigned)bar, dw, reg, size, val);
		break;
	case HND_BUS:
		bus_written(d, old);
		break;
	case HND_WINDOW:
		vpci_window_write(d, dw, reg, size, val);
		break;
	default:
		break;
	}
}

/* Bridge masks: QEMU's pci_init_wmask_bridge(), window widths from the device. */
static void bridge_masks(struct vpci_dev *d)
{
	set_mask(d, PCI_PRIMARY_BUS, 4, 0xffffffff, 0);
	set_mask(d, PCI_IO_BASE, 2, 0xf0f0, 0);
	set_mask(d, PCI_SEC_STATUS, 2, 0, PCI_STATUS_W1C);
	set_mask(d, PCI_MEMORY_BASE, 4, 0xfff0fff0, 0);
	set_mask(d, PCI_PREF_MEMORY_BASE, 4, 0xfff0fff0, 0);
	if (d->cfg[PCI_PREF_MEMORY_BASE] & PCI_PREF_RANGE_TYPE_64)
		set_mask(d, PCI_PREF_BASE_UPPER32, 4, 0xffffffff, 0),
		set_mask(d, PCI_PREF_LIMIT_UPPER32, 4, 0xffffffff, 0);
	if ((d->cfg[PCI_IO_BASE] & PCI_IO_RANGE_TYPE_MASK) == PCI_IO_RANGE_TYPE_32)
		set_mask(d, PCI_IO_BASE_UPPER16, 4, 0xffffffff, 0);
	set_mask(d, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_WMASK, PCI_BRIDGE_CTL_DISCARD_STATUS);
	d->hnd[PCI_PRIMARY_BUS >> 2] = HND_BUS;
}

/* Capability registers software writes (PCI PM 1.2, PCI 3.0 6.8, PCIe 7.8). */
static void cap_masks(struct vpci_dev *d)
{
	unsigned pos = d->cfg[PCI_CAPABILITY_LIST] & ~3u, guard = 48;

	if (!(vt_le_get(d->cfg + PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return;
	for (; pos >= 0x40 && pos < 0xfc && guard--; pos = d->cfg[pos + 1] & ~3u) {
		uint16_t ctrl = (uint16_t)vt_le_get(d->cfg + pos + 2, 2);
		switch (d->cfg[pos]) {
		case PCI_CAP_ID_PM:
			set_mask(d, pos + 4, 2, 0x0103, 0x8000);
			break;
		case PCI_CAP_ID_MSI: {
			unsigned data = pos + ((ctrl & 0x80) ? 0xc : 0x8);
			set_mask(d, pos + 2, 2, 0x0071, 0);
			set_mask(d, pos + 4, 4, 0xfffffffc, 0);
			if (ctrl & 0x80)
				set_mask(d, pos + 8, 4, 0xffffffff, 0);
			set_mask(d, data, 2, 0xffff, 0);
			if (ctrl & 0x100)
				set_mask(d, data + 4, 4, 0xffffffff, 0);
			break;
		}
		case PCI_CAP_ID_MSIX:
			set_mask(d, pos + 2, 2, 0xc000, 0);
			break;
		case PCI_CAP_ID_EXP:
			/* Version 1 capabilities end after Link Status (PCIe 1.0a 7.8). */
			if (pos + 0x14 > PCI_CFG_SPACE_SIZE)
				break;
			set_mask(d, pos + 0x08, 2, 0x7fff, 0);     /* device control */
			set_mask(d, pos + 0x0a, 2, 0, 0x000f);     /* device status */
			set_mask(d, pos + 0x10, 2, 0x0fdb, 0);     /* link control */
			set_mask(d, pos + 0x12, 2, 0, 0xc000);     /* link status */
			if ((ctrl & 0xf) < 2 || pos + 0x34 > PCI_CFG_SPACE_SIZE)
				break;
			set_mask(d, pos + 0x18, 2, 0x1fff, 0);     /* slot control */
			set_mask(d, pos + 0x1a, 2, 0, 0x011f);     /* slot status */
			set_mask(d, pos + 0x1c, 2, 0x001f, 0);     /* root control */
			set_mask(d, pos + 0x20, 4, 0, 0x00010000); /* root status */
			set_mask(d, pos + 0x28, 2, 0xffff, 0);     /* device control 2 */
			set_mask(d, pos + 0x30, 2, 0xffff, 0);     /* link control 2 */
			break;
		default:
			break;
		}
	}
}

static void bar_init(struct vpci_dev *d, unsigned i, unsigned reg, bool rom, unsigned nbars)
{
	struct vpci_bar *b = &d->bar[i];
	uint32_t lo = vt_le_get(d->cfg + reg, 4);
	uint64_t wm;

	b->reg = (uint8_t)reg;
	if (rom)
		b->type = VPCI_BAR_ROM;
	else if (lo & PCI_BASE_ADDRESS_SPACE_IO)
		b->type = VPCI_BAR_IO;
	else if ((lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64 && i + 1 < nbars)
		b->type = VPCI_BAR_MEM64; /* (a 64-bit type in the last BAR acts as 32-bit) */
	else
		b->type = VPCI_BAR_MEM32;
	if (!b->size)
		return; /* not implemented: read-only as given */
	wm = addr_mask(b);
	set_mask(d, reg, 4, (uint32_t)wm | (rom ? PCI_ROM_ADDRESS_ENABLE : 0), 0);
	d->hnd[reg >> 2] = rom ? HND_ROM : HND_BAR;
	if (b->type == VPCI_BAR_MEM64) {
		set_mask(d, reg + 4, 4, (uint32_t)(wm >> 32), 0);
		d->hnd[(reg >> 2) + 1] = HND_BAR;
		d->bar[i + 1].type = VPCI_BAR_MEM64_HI;
		d->bar[i + 1].reg = (uint8_t)(reg + 4);
		b->raw_hi = vt_le_get(d->cfg + reg + 4, 4);
	}
	/* Reset state as the device holds it: address bits below the size read 0. */
	vt_le_put(d->cfg + reg, 4, lo & ((uint32_t)wm | ~field_mask(b)));
	if (b->type == VPCI_BAR_MEM64)
		vt_le_put(d->cfg + reg + 4, 4, b->raw_hi & (uint32_t)(wm >> 32));
	b->raw_hi = b->type == VPCI_BAR_MEM64 ? vt_le_get(d->cfg + reg + 4, 4) : 0;
	b->raw_lo = vt_le_get(d->cfg + reg, 4);
	b->addr = bar_decode(d, b);
}

void vpci_header_init(struct vpci_dev *d)
{
	unsigned nbars = d->hdr_type == PCI_HEADER_TYPE_NORMAL ? 6 :
			 d->hdr_type == PCI_HEADER_TYPE_BRIDGE ? 2 : 1;

	set_mask(d, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE, 0);
	set_mask(d, PCI_STATUS, 2, 0, PCI_STATUS_W1C);
	set_mask(d, PCI_CACHE_LINE_SIZE, 1, 0xff, 0);
	set_mask(d, PCI_INTERRUPT_LINE, 1, 0xff, 0);
	d->hnd[PCI_COMMAND >> 2] = HND_COMMAND;
	if (d->hdr_type != PCI_HEADER_TYPE_NORMAL)
		bridge_masks(d);
	cap_masks(d);
	for (unsigned i = 0; i < nbars; i++) {
		if (d->bar[i].type == VPCI_BAR_MEM64_HI)
			continue;
		bar_init(d, i, PCI_BASE_ADDRESS_0 + 4 * i, false, nbars);
		if (d->bar[i].type == VPCI_BAR_MEM64)
			i++;
	}
	if (d->hdr_type != PCI_HEADER_TYPE_CARDBUS)
		bar_init(d, VT_BAR_ROM, d->hdr_type == PCI_HEADER_TYPE_NORMAL ? PCI_ROM_ADDRESS :
			 PCI_ROM_ADDRESS1, true, VPCI_NBARS);
}
