/*
 * vpci/window.c - an indirect register window: a data register that shows
 * one register of a file chosen by a select register (SHPC DWORD Select at
 * cap+2 / DWORD Data at cap+4, PCI Standard Hot-Plug Controller 1.0 5.2.2).
 *
 * No cost on the read path: the data register's config bytes are kept equal
 * to the selected register, refreshed after every write to the select or
 * data dword. Registers never given read all ones.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

static void refresh(struct vpci_dev *d)
{
	const struct vpci_window *w = d->win;
	uint8_t sel = d->cfg[w->sel];

	vt_le_put(d->cfg + w->data, 4, w->given[sel] ? w->val[sel] : 0xffffffffu);
}

int vpci_window_init(struct vpci_dev *d, const struct vpci_dev_desc *desc)
{
	struct vpci_window *w;

	/* `indirect` alone is a window too: every register reads all ones. */
	if (!desc->win_data && !desc->win_nreg)
		return 0;
	/* Both outside the standard header, whose dwords have handlers of their own. */
	if (desc->win_sel < 0x40 || desc->win_sel >= PCI_CFG_SPACE_SIZE || desc->win_data < 0x40 ||
	    desc->win_data + 4 > PCI_CFG_SPACE_SIZE || (desc->win_data & 3) ||
	    desc->win_sel >> 2 == desc->win_data >> 2)
		return -EINVAL;
	if (!(w = calloc(1, sizeof(*w))))
		return -ENOMEM;
	w->sel = desc->win_sel;
	w->data = desc->win_data;
	for (unsigned i = 0; i < desc->win_nreg && i < 256; i++) {
		unsigned k = desc->win_reg[i].index;
		w->given[k] = true;
		w->val[k] = desc->win_reg[i].val;
		w->wmask[k] = desc->win_reg[i].wmask;
		w->w1c[k] = desc->win_reg[i].w1c;
	}
	d->win = w;
	/* The select byte is the guest's to write; the data bytes are ours. */
	d->wmask[w->sel] = 0xff;
	d->w1cmask[w->sel] = 0;
	memset(d->wmask + w->data, 0, 4);
	memset(d->w1cmask + w->data, 0, 4);
	d->hnd[w->sel >> 2] = HND_WINDOW;
	d->hnd[w->data >> 2] = HND_WINDOW;
	refresh(d);
	return 0;
}

void vpci_window_write(struct vpci_dev *d, unsigned dw, unsigned reg, unsigned size, uint32_t val)
{
	struct vpci_window *w = d->win;
	uint8_t sel;

	if (!w)
		return;
	sel = d->cfg[w->sel];
	if (dw == (unsigned)w->data >> 2 && w->given[sel]) {
		uint32_t v = w->val[sel];
		for (unsigned i = 0; i < size; i++) {
			unsigned r = reg + i, sh;
			if (r < w->data || r >= w->data + 4u)
				continue;
			sh = 8 * (r - w->data);
			uint32_t b = ((val >> (8 * i)) & 0xffu) << sh, m = 0xffu << sh;
			v = (v & ~(w->wmask[sel] & m)) | (b & w->wmask[sel]);
			v &= ~(b & w->w1c[sel]);
		}
		w->val[sel] = v;
	}
	refresh(d);
}

void vpci_window_put(const struct vpci_dev *d, FILE *f)
{
	const struct vpci_window *w = d->win;

	if (!w)
		return;
	fprintf(f, "indirect 0x%x 0x%x\n", w->sel, w->data);
	for (unsigned k = 0; k < 256; k++)
		if (w->given[k])
			fprintf(f, "indirect-reg 0x%x 0x%x 0x%x 0x%x\n", k, w->val[k], w->wmask[k],
				w->w1c[k]);
}
