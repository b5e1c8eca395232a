/*
 * vpci/dev.c - config space of one function: bytes, write masks, and the
 * guest access path.
 *
 * Writability is data (as in QEMU's hw/pci/pci.c): a write stores
 * (cfg & ~wmask) | (val & wmask) and clears val & w1cmask, byte by byte.
 * Side effects are found after the store, from the per-dword handler table
 * (O(1) per access, whatever the number of registers).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

static inline struct vpci_seg *seg_of(const struct vpci_machine *m, uint16_t seg)
{
	if (seg == 0)
		return m->seg0;
	for (size_t i = 0; i < m->nsegs; i++)
		if (m->segs[i]->seg == seg)
			return m->segs[i];
	return NULL;
}

struct vpci_dev *vpci_dev_lookup(const struct vpci_machine *m, uint32_t sbdf)
{
	const struct vpci_seg *s = seg_of(m, VT_SBDF_SEG(sbdf));
	const struct vpci_bus *b;

	if (!s || !(b = s->route[VT_SBDF_BUS(sbdf)]))
		return NULL;
	return b->dev[VT_SBDF_DEVFN(sbdf)];
}

uint32_t vpci_cfg_read(struct vpci_machine *m, uint32_t sbdf, unsigned reg, unsigned size)
{
	struct vpci_dev *d = vpci_dev_lookup(m, sbdf);
	uint32_t v;

	/* Only 1, 2 and 4 bytes are config accesses; anything else is all ones (a size of 3
	 * would otherwise read a fourth byte, past the end at 0xfd). */
	if (!d || (size != 1 && size != 2 && size != 4) || reg + size > d->cfg_size)
		return vt_size_mask(size);
	if (d->ops) {
		if (d->ops->read(d->ops_ctx, reg, size, &v))
			return vt_size_mask(size); /* a failed read is a master abort */
		return v & vt_size_mask(size);
	}
	return vt_le_get(d->cfg + reg, size);
}

static void ext_write_byte(struct vpci_dev *d, unsigned r, uint8_t b)
{
	for (unsigned i = 0; i < d->next; i++) {
		const struct vpci_ext_mask *e = &d->ext[i];
		if (r < e->reg || r >= e->reg + e->size)
			continue;
		unsigned sh = 8 * (r - e->reg);
		uint8_t wm = (uint8_t)(e->wmask >> sh), w1c = (uint8_t)(e->w1c >> sh);
		d->cfg[r] = (uint8_t)((d->cfg[r] & ~wm) | (b & wm));
		d->cfg[r] &= (uint8_t)~(b & w1c);
		return;
	}
}

/* Size 1, 2 or 4, a constant per case, so each becomes a single store. */
static inline void put_le(uint8_t *p, unsigned size, uint32_t v)
{
	switch (size) {
	case 1: vt_le_put(p, 1, v); break;
	case 2: vt_le_put(p, 2, v); break;
	default: vt_le_put(p, 4, v); break;
	}
}

/* The mask algebra byte by byte, for a write straddling 0x100. */
static void write_bytes(struct vpci_dev *d, unsigned reg, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size; i++) {
		unsigned r = reg + i;
		uint8_t b = (uint8_t)(val >> (8 * i));
		if (r >= PCI_CFG_SPACE_SIZE) {
			ext_write_byte(d, r, b);
			continue;
		}
		d->cfg[r] = (uint8_t)((d->cfg[r] & ~d->wmask[r]) | (b & d->wmask[r]));
		d->cfg[r] &= (uint8_t)~(b & d->w1cmask[r]);
	}
}

void vpci_cfg_write(struct vpci_machine *m, uint32_t sbdf, unsigned reg, unsigned size, uint32_t val)
{
	struct vpci_dev *d = vpci_dev_lookup(m, sbdf);
	uint8_t old[8];
	unsigned dw0, dw1;
	bool side;

	if (!d || (size != 1 && size != 2 && size != 4) || reg + size > d->cfg_size)
		return;
	if (reg >= PCI_CFG_SPACE_SIZE) {
		for (unsigned i = 0; i < size && d->next; i++) /* no ext masks: all read-only */
			ext_write_byte(d, reg + i, (uint8_t)(val >> (8 * i)));
		if (d->ops)
			d->ops->write(d->ops_ctx, reg, size, val);
		return;
	}
	dw0 = reg >> 2;
	dw1 = (reg + size - 1) >> 2;
	if (dw1 >= PCI_CFG_SPACE_SIZE / 4)
		dw1 = dw0; /* a write straddling 0x100 only touches the header's last bytes */
	side = d->hnd[dw0] || d->hnd[dw1];
	if (side) {
		memcpy(old, d->cfg + dw0 * 4, 4); /* constant sizes: no library call */
		if (dw1 != dw0)
			memcpy(old + 4, d->cfg + dw1 * 4, 4);
	}
	if (reg + size <= PCI_CFG_SPACE_SIZE) {
		/* All byte lanes at once: the algebra of write_bytes(), in a few instructions. */
		uint32_t wm = vt_le_get(d->wmask + reg, size), w1c = vt_le_get(d->w1cmask + reg, size);
		uint32_t v = (vt_le_get(d->cfg + reg, size) & ~wm) | (val & wm);
		put_le(d->cfg + reg, size, v & ~(val & w1c));
	} else {
		write_bytes(d, reg, size, val);
	}
	if (d->ops)
		d->ops->write(d->ops_ctx, reg, size, val);
	if (!side)
		return;
	for (unsigned dw = dw0; dw <= dw1; dw++) {
		uint8_t h = d->hnd[dw];
		/*
		 * Command and bus-number handlers act on a change of the stored
		 * bytes only; BAR, ROM and window handlers also act on what was
		 * written (a sizing write, a window register), so they always run.
		 */
		if (!h || ((h == HND_COMMAND || h == HND_BUS) &&
			   !memcmp(old + (dw - dw0) * 4, d->cfg + dw * 4, 4)))
			continue;
		vpci_header_write(d, dw, old + (dw - dw0) * 4, reg, size, val);
	}
}

/* Override the masks of one register (machine file `mask` lines). */
void vpci_dev_apply_mask(struct vpci_dev *d, unsigned reg, unsigned size, uint32_t wmask, uint32_t w1c)
{
	if (reg >= PCI_CFG_SPACE_SIZE) {
		struct vpci_ext_mask *e = realloc(d->ext, (d->next + 1) * sizeof(*e));
		if (!e)
			return;
		d->ext = e;
		d->ext[d->next++] = (struct vpci_ext_mask){ (uint16_t)reg, (uint8_t)size, wmask, w1c };
		return;
	}
	for (unsigned i = 0; i < size && reg + i < PCI_CFG_SPACE_SIZE; i++) {
		d->wmask[reg + i] = (uint8_t)(wmask >> (8 * i));
		d->w1cmask[reg + i] = (uint8_t)(w1c >> (8 * i));
	}
}
