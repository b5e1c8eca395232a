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

/* Two array lookups through the current bus numbers; inlined into the access paths. */
static inline struct vpci_dev *dev_lookup(const struct vpci_machine *m, uint32_t sbdf)
{
	const struct vpci_seg *s = seg_of(m, VT_SBDF_SEG(sbdf));
	const struct vpci_bus *b;

	if (!s || !(b = s->route[VT_SBDF_BUS(sbdf)]))
		return NULL;
	return b->dev[VT_SBDF_DEVFN(sbdf)];
}

struct vpci_dev *vpci_dev_lookup(const struct vpci_machine *m, uint32_t sbdf)
{
	return dev_lookup(m, sbdf);
}

/* A read of a function with a backend (a host device). Out of line, as write_done(). */
static __attribute__((noinline)) uint32_t read_through(struct vpci_dev *d, unsigned reg, unsigned size)
{
	uint32_t v;

	if (d->ops->read(d->ops_ctx, reg, size, &v))
		return vt_size_mask(size); /* a failed read is a master abort */
	return v & vt_size_mask(size);
}

uint32_t vpci_cfg_read(struct vpci_machine *m, uint32_t sbdf, unsigned reg, unsigned size)
{
	struct vpci_dev *d = dev_lookup(m, sbdf);

	/* Only 1, 2 and 4 bytes are config accesses; anything else is all ones. */
	if (!vt_size_valid(size) || !d || reg + size > d->cfg_size)
		return vt_size_mask(size); /* no function there, or past its space */
	if (d->ops)
		return read_through(d, reg, size);
	/*
	 * The four bytes from reg, masked to the access: one load and no shift
	 * whatever the size and offset, a dword-crossing pre-decoded access too
	 * (cfg has VPCI_CFG_PAD bytes past cfg_size).
	 */
	return vt_le_get(d->cfg + reg, 4) & vt_size_mask(size);
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

/*
 * Whether a handler runs: command and bus-number handlers act on a change of
 * the stored bytes only; BAR, ROM and window handlers also act on what was
 * written (a sizing write, a window register), so they always run. One
 * compare: the handler's when-bits (0 none, 1 on change, 2 always) against
 * 1 if nothing changed, 0 if something did.
 */
static inline bool hnd_runs(uint8_t h, uint32_t before, uint32_t after)
{
	return (h & (HND_ON_CHANGE | HND_ALWAYS)) > (unsigned)(before == after);
}

/*
 * The general write, for what the fast path of vpci_cfg_write() does not
 * take: extended space (read-only but for `mask` overrides), and writes
 * across two dwords or across 0x100 (byte by byte).
 */
static __attribute__((noinline)) void write_slow(struct vpci_dev *d, unsigned reg, unsigned size, uint32_t val)
{
	uint8_t old[8];
	unsigned dw0 = reg >> 2, dw1 = (reg + size - 1) >> 2;

	if (reg >= PCI_CFG_SPACE_SIZE) {
		for (unsigned i = 0; i < size && d->next; i++) /* no ext masks: all read-only */
			ext_write_byte(d, reg + i, (uint8_t)(val >> (8 * i)));
		if (d->ops)
			d->ops->write(d->ops_ctx, reg, size, val);
		return;
	}
	if (dw1 >= PCI_CFG_SPACE_SIZE / 4)
		dw1 = dw0; /* a write straddling 0x100 only touches the header's last bytes */
	memcpy(old, d->cfg + dw0 * 4, 4); /* constant sizes: no library call */
	memcpy(old + 4, d->cfg + dw1 * 4, 4);
	write_bytes(d, reg, size, val);
	if (d->ops)
		d->ops->write(d->ops_ctx, reg, size, val);
	for (unsigned dw = dw0; dw <= dw1; dw++) {
		uint32_t o = vt_le_get(old + (dw - dw0) * 4, 4);
		if (hnd_runs(d->hnd[dw], o, vt_le_get(d->cfg + dw * 4, 4)))
			vpci_header_write(d, dw, o, reg, size, val);
	}
}

/*
 * The end of a fast-path write to a function with a backend (a host
 * device), or to a dword whose handler runs: the write goes through to the
 * backend, then the handler runs on the whole dword as it was. `before`:
 * what the accessed bytes held. Out of line, so the emulated-only path
 * keeps nothing live across a call.
 */
static __attribute__((noinline)) void write_done(struct vpci_dev *d, unsigned reg, unsigned size, uint32_t val,
						 uint32_t before, uint32_t after)
{
	unsigned dw = reg >> 2, sh = 8 * (reg & 3);
	uint32_t old;

	if (d->ops)
		d->ops->write(d->ops_ctx, reg, size, val); /* to the device, then the handler */
	if (!hnd_runs(d->hnd[dw], before, after))
		return;
	old = vt_le_get(d->cfg + dw * 4, 4) & ~(vt_size_mask(size) << sh);
	vpci_header_write(d, dw, old | before << sh, reg, size, val);
}

void vpci_cfg_write(struct vpci_machine *m, uint32_t sbdf, unsigned reg, unsigned size, uint32_t val)
{
	struct vpci_dev *d = dev_lookup(m, sbdf);
	uint8_t *p;
	unsigned r;
	uint32_t mask, wm, w1c, before, after;

	/* Only 1, 2 and 4 bytes are config accesses; anything else is dropped. */
	if (!vt_size_valid(size) || !d || reg + size > d->cfg_size)
		return;
	mask = vt_size_mask(size);
	val &= mask; /* only the accessed bytes count */
	if ((reg & 3) + size > 4 || (reg >= PCI_CFG_SPACE_SIZE && (d->next || d->ops))) {
		write_slow(d, reg, size, val);
		return;
	}
	/*
	 * Within one dword: the mask algebra of write_bytes() on the four bytes
	 * from reg at once, the accessed ones by their masks, the others (masks
	 * cleared) keeping their bytes: one load each of bytes, wmask and
	 * w1cmask and one store, with no shift, whatever the size and offset
	 * (the arrays have VPCI_CFG_PAD bytes past the header). An extended
	 * register takes the masks' zero pad and the handlers' HND_NONE pad:
	 * read-only, the same path as any other register.
	 */
	r = reg < PCI_CFG_SPACE_SIZE ? reg : PCI_CFG_SPACE_SIZE;
	p = d->cfg + reg;
	before = vt_le_get(p, 4);
	wm = vt_le_get(d->wmask + r, 4) & mask;
	w1c = vt_le_get(d->w1cmask + r, 4) & mask;
	after = ((before & ~wm) | (val & wm)) & ~(val & w1c);
	vt_le_put(p, 4, after);
	/* Only the accessed bytes can differ: the dword changed iff they did. */
	if (d->ops || hnd_runs(d->hnd[r >> 2], before, after))
		write_done(d, reg, size, val, before & mask, after & mask);
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
