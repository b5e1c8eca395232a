/*
 * tools/import_qemu_finish.c - between the passes: turn what pass 1 saw of
 * a function into its machine description (reset bytes, BAR sizes, write
 * masks, whether it has an indirect window), and set the model up to run
 * pass 2 from reset.
 */
#include <string.h>

#include "import_qemu.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Size from the mask read after an all-ones write (0: not implemented). */
static uint64_t size_from_mask(const struct iq_dev *d, int bar, uint32_t type)
{
	uint32_t lo = d->sz_mask[bar];
	uint64_t full;

	if (bar == IQ_ROM) {
		lo &= 0xfffff800u;
		return lo ? (uint32_t)(~lo + 1) : 0;
	}
	if (type & 1) {
		lo &= ~3u;
		if (lo && !(lo & 0xffff0000u))
			lo |= 0xffff0000u; /* a 16-bit I/O decoder */
		return lo ? (uint32_t)(~lo + 1) : 0;
	}
	lo &= ~0xfu;
	if ((type & 6) == 4 && bar < 5) {
		uint32_t hi = d->sz_seen[bar + 1] ? d->sz_mask[bar + 1] : 0xffffffffu;

		full = (uint64_t)hi << 32 | lo;
	} else {
		full = lo ? 0xffffffff00000000ull | lo : 0;
	}
	return full ? ~full + 1 : 0;
}

static uint64_t bar_size(struct iq *q, const struct iq_dev *d, int bar, uint32_t type)
{
	uint64_t size = d->sz_seen[bar] ? size_from_mask(d, bar, type) : 0;

	if (!size && d->map_size[bar])
		size = d->map_size[bar];
	else if (size && d->map_size[bar] && d->map_size[bar] != size)
		fprintf(stderr, "%s: %s %s: sized 0x%llx but QEMU mapped 0x%llx\n", q->file,
			d->path, bar == IQ_ROM ? "rom" : "bar", (unsigned long long)size,
			(unsigned long long)d->map_size[bar]);
	if (size & (size - 1)) {
		fprintf(stderr, "%s: %s: BAR %d size 0x%llx is not a power of two: ignored\n",
			q->file, d->path, bar, (unsigned long long)size);
		size = 0;
	}
	return size;
}

static void set_mask32(struct iq_dev *d, unsigned off, uint32_t wm)
{
	for (unsigned i = 0; i < 4; i++) {
		d->wm[off + i] = (uint8_t)(wm >> (8 * i));
		d->w1c[off + i] = 0;
	}
}

/* BAR sizes and the BAR registers' masks: QEMU's wmask = ~(size - 1). */
static void finish_bars(struct iq *q, struct iq_dev *d)
{
	unsigned nbar = d->bridge ? 2 : 6, rom = d->bridge ? 0x38 : 0x30;

	for (unsigned i = 0; i < nbar; i++) {
		uint32_t type = le32(d->reset + 0x10 + 4 * i) & 0xf;
		uint64_t size = bar_size(q, d, (int)i, type), wm = size ? ~(size - 1) : 0;

		d->bar_size[i] = size;
		if (!(type & 1) && (type & 6) == 4 && i + 1 < nbar) {
			set_mask32(d, 0x10 + 4 * i, (uint32_t)wm & ~0xfu);
			set_mask32(d, 0x14 + 4 * i, (uint32_t)(wm >> 32));
			i++;
			continue;
		}
		set_mask32(d, 0x10 + 4 * i, (uint32_t)wm & ((type & 1) ? ~3u : ~0xfu));
	}
	d->bar_size[IQ_ROM] = bar_size(q, d, IQ_ROM, 0);
	set_mask32(d, rom, d->bar_size[IQ_ROM] ? (uint32_t)~(d->bar_size[IQ_ROM] - 1) | 1 : 0);
}

/* One mask line for the bytes [first, last] of a dword that differ. */
static void add_mask(struct iq_dev *d, unsigned first, unsigned last)
{
	unsigned reg = first, size = 1;
	struct iq_mask *m;

	if (last != first) {
		size = (first >> 1) == (last >> 1) ? 2 : 4;
		reg = first & ~(size - 1);
	}
	if (d->nmask == sizeof(d->mask) / sizeof(d->mask[0]))
		return;
	m = &d->mask[d->nmask++];
	m->reg = (uint16_t)reg;
	m->size = (uint8_t)size;
	m->wmask = m->w1c = 0;
	for (unsigned i = 0; i < size; i++) {
		m->wmask |= (uint32_t)d->wm[reg + i] << (8 * i);
		m->w1c |= (uint32_t)d->w1c[reg + i] << (8 * i);
	}
}

/*
 * Every other byte: the defaults corrected by evidence. A line where they
 * differ from QEMU's header defaults (0x00-0x3f), and for every capability
 * or device register the guest wrote and read back: the replay engine has
 * its own guesses for capability registers (PCIe, MSI, PM), the log has
 * QEMU's answer. A window's select and data bytes are the window's.
 */
static void finish_masks(struct iq_dev *d)
{
	for (unsigned dw = 0; dw < d->cfg_len; dw += 4) {
		int first = -1, last = -1;

		if (iq_bar_reg(d->bridge, dw) >= 0)
			continue;
		for (unsigned b = dw; b < dw + 4; b++) {
			uint8_t wm, w1c;

			if (iq_win_byte(d, b))
				continue;
			iq_def_mask(d->bridge, b, &wm, &w1c);
			iq_eff_mask(d, d->bridge, b, &d->wm[b], &d->w1c[b]);
			if (d->wm[b] != wm || d->w1c[b] != w1c ||
			    (b >= 0x40 && (d->flags[b] & IQ_B_PAIRED))) {
				if (first < 0)
					first = (int)b;
				last = (int)b;
			}
		}
		if (first >= 0)
			add_mask(d, (unsigned)first, (unsigned)last);
	}
}

int iq_dev_finish(struct iq *q, struct iq_dev *d)
{
	/* d->bridge: as pass 1 learnt it. A bridge whose header type was never
	 * read gets header type 1 at reset, so that the machine says so. */
	if (d->bridge && !(d->flags[0x0e] & IQ_B_READ))
		d->reset[0x0e] = 0x01;
	d->cfg_len = d->ext ? IQ_CFG : 256;
	if (iq_win_find(q, d))
		return -1;
	finish_bars(q, d);
	iq_win_masks(d);
	finish_masks(d);
	if (d->nmask == sizeof(d->mask) / sizeof(d->mask[0]))
		fprintf(stderr, "%s: %s: too many registers with their own masks; some dropped\n",
			q->file, d->path);
	/* A byte written before it was read: its read-only bits are what the
	 * first read showed; its writable bits were overwritten before anyone
	 * looked, so 0 (QEMU resets them to 0) is as good as any. */
	for (unsigned b = 0; b < IQ_CFG; b++) {
		if ((d->flags[b] & IQ_B_WFIRST) && (d->flags[b] & IQ_B_FREAD))
			d->reset[b] &= (uint8_t)~d->wm[b];
		else if (d->flags[b] & IQ_B_WFIRST)
			d->reset[b] = 0;
	}
	return 0;
}

void iq_dev_rewind(struct iq_dev *d)
{
	memcpy(d->cur, d->reset, sizeof(d->cur));
	memset(d->flags, 0, sizeof(d->flags));
	iq_win_rewind(d);
}
