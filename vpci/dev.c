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

	if (!d || size == 0 || size > 4 || reg + size > d->cfg_size)
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

void vpci_cfg_write(struct vpci_machine *m, uint32_t sbdf, unsigned reg, unsigned size, uint32_t val)
{
	struct vpci_dev *d = vpci_dev_lookup(m, sbdf);
	uint8_t old[8];
	unsigned dw0, dw1;
	bool side;

	if (!d || size == 0 || size > 4 || reg + size > d->cfg_size)
		return;
	if (reg >= PCI_CFG_SPACE_SIZE) {
		for (unsigned i = 0; i < size; i++)
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
	if (side)
		memcpy(old, d->cfg + dw0 * 4, (dw1 - dw0 + 1) * 4);
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
	if (d->ops)
		d->ops->write(d->ops_ctx, reg, size, val);
	if (!side)
		return;
	for (unsigned dw = dw0; dw <= dw1; dw++)
		if (d->hnd[dw])
			vpci_header_write(d, dw, old + (dw - dw0) * 4, reg, size, val);
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
