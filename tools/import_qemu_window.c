/*
 * tools/import_qemu_window.c - indirect register windows: the registers of
 * a PCI Standard Hot-Plug Controller are not in config space; software
 * writes a register number to DWORD Select (the byte at cap+2) and reads or
 * writes the register through DWORD Data (the dword at cap+4) (SHPC 1.0
 * 5.2.2; QEMU's hw/pci/shpc.c). Bytes and masks cannot say that, so the
 * machine gets `indirect` and `indirect-reg` lines (docs/formats.md).
 *
 * Which functions have one is known once pass 1 has rebuilt their reset
 * bytes: the capability list says. The registers are then learnt by a dry
 * run of pass 2 (the finished model, writing nothing), each register byte
 * by the same rules as a config byte: the first read is its reset value, a
 * read after a write is evidence on its write masks (docs/import-qemu.md).
 */
#include <stdlib.h>
#include <string.h>

#include "import_qemu.h"

#define CAP_ID_SHPC 0x0c

/* The SHPC capability by the capability list of the reset bytes; 0: none. */
static unsigned shpc_cap(const struct iq_dev *d)
{
	unsigned ptr = (d->reset[0x0e] & 0x7f) == 2 ? 0x14 : 0x34; /* CardBus: 0x14 */
	unsigned pos = d->reset[ptr] & ~3u, guard = 48;

	if (!(d->reset[0x06] & 0x10)) /* status: no capability list */
		return 0;
	/* The data dword must fit below 0x100, as it does for vpci. */
	for (; pos >= 0x40 && pos <= 0xf8 && guard--; pos = d->reset[pos + 1] & ~3u)
		if (d->reset[pos] == CAP_ID_SHPC)
			return pos;
	return 0;
}

/* Between pass 1 and the dry run: does d have a window? */
int iq_win_find(struct iq *q, struct iq_dev *d)
{
	unsigned cap = shpc_cap(d);

	if (!cap)
		return 0;
	d->win = calloc(1, sizeof(*d->win));
	if (!d->win)
		return iq_fail(q, "%s: out of memory", q->file);
	d->win->sel = (uint16_t)(cap + 2);
	d->win->data = (uint16_t)(cap + 4);
	return 0;
}

/* The select byte or a byte of the data dword: the window's, not a mask's. */
bool iq_win_byte(const struct iq_dev *d, unsigned b)
{
	const struct iq_win *w = d->win;

	return w && (b == w->sel || (b >= w->data && b < w->data + 4u));
}

/* The masks the replay engine gives them: select read-write, data ours. */
void iq_win_masks(struct iq_dev *d)
{
	struct iq_win *w = d->win;

	if (!w)
		return;
	d->wm[w->sel] = 0xff;
	d->w1c[w->sel] = 0;
	memset(d->wm + w->data, 0, 4);
	memset(d->w1c + w->data, 0, 4);
}

static struct iq_file win_file(struct iq_win *w)
{
	return (struct iq_file){ w->reset, w->cur, w->flags, w->prew, w->lastw, w->ev,
				 &w->volatile_bits, 0 };
}

/* The data dword shows the selected register (all ones if not given). */
static void refresh(const struct iq *q, struct iq_dev *d)
{
	const struct iq_win *w = d->win;
	unsigned sel = d->cur[w->sel];

	for (unsigned i = 0; i < 4; i++)
		d->cur[w->data + i] = q->dry || w->given[sel] ? w->cur[4 * sel + i] : 0xff;
}

/* The dry run: a data read is the log's word on the selected register. */
void iq_win_read(struct iq *q, struct iq_dev *d, unsigned off, unsigned size, uint32_t val)
{
	struct iq_win *w = d->win;
	struct iq_file f;
	unsigned sel;

	if (!w || !q->dry)
		return;
	f = win_file(w);
	sel = d->cur[w->sel];
	for (unsigned i = 0; i < size; i++) {
		unsigned b = off + i;
		uint8_t v = (uint8_t)(val >> (8 * i));

		if (b < w->data || b >= w->data + 4u)
			continue;
		iq_file_read(&f, 4 * sel + (b - w->data), v, true);
		d->cur[b] = v;
	}
}

/* One byte written to register k / 4: learnt (dry run), then applied. */
static void reg_write(const struct iq *q, struct iq_win *w, unsigned k, uint8_t v)
{
	uint8_t wm = w->wm[k], w1c = w->w1c[k];

	if (q->dry) {
		struct iq_file f = win_file(w);

		iq_file_write(&f, k, v);
		iq_ev_mask(&w->ev[k], 0, 0, &wm, &w1c);
	} else if (!w->given[k / 4]) {
		return; /* the replay drops writes to a register not given */
	}
	w->cur[k] = (uint8_t)(((w->cur[k] & ~wm) | (v & wm)) & ~(v & w1c));
}

/*
 * Pass 2 (and its dry run), after the config bytes took the write: bytes
 * written to the data dword go to the selected register, byte by byte; a
 * write to the select or data shows the selected register again.
 */
void iq_win_write(struct iq *q, struct iq_dev *d, unsigned off, unsigned size, uint32_t val)
{
	struct iq_win *w = d->win;
	bool touched = false;
	unsigned sel;

	if (!w || q->pass != 2)
		return;
	sel = d->cur[w->sel];
	for (unsigned i = 0; i < size; i++) {
		unsigned b = off + i;

		touched |= b == w->sel;
		if (b >= w->data && b < w->data + 4u) {
			touched = true;
			reg_write(q, w, 4 * sel + (b - w->data), (uint8_t)(val >> (8 * i)));
		}
	}
	if (touched)
		refresh(q, d);
}

/*
 * After the dry run: each register's masks and reset value, as for config
 * bytes; a register is given when the log read some of it. The data
 * dword's reset bytes are the register the select holds at reset.
 */
void iq_win_finish(struct iq_dev *d)
{
	struct iq_win *w = d->win;
	unsigned sel;

	if (!w)
		return;
	for (unsigned k = 0; k < IQ_WIN_BYTES; k++) {
		uint8_t f = w->flags[k];

		iq_ev_mask(&w->ev[k], 0, 0, &w->wm[k], &w->w1c[k]);
		if ((f & IQ_B_WFIRST) && (f & IQ_B_FREAD))
			w->reset[k] &= (uint8_t)~w->wm[k];
		else if (f & IQ_B_WFIRST)
			w->reset[k] = 0;
		if ((f & IQ_B_READ) && !w->given[k / 4]) {
			w->given[k / 4] = true;
			w->ngiven++;
		}
	}
	sel = d->reset[w->sel];
	for (unsigned i = 0; i < 4; i++)
		d->reset[w->data + i] = w->given[sel] ? w->reset[4 * sel + i] : 0xff;
}

void iq_win_rewind(struct iq_dev *d)
{
	if (d->win)
		memcpy(d->win->cur, d->win->reset, sizeof(d->win->cur));
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void iq_win_emit(FILE *f, const struct iq_dev *d)
{
	const struct iq_win *w = d->win;

	if (!w)
		return;
	fprintf(f, "# SHPC at 0x%02x: DWORD Select 0x%02x, DWORD Data 0x%02x; registers read: %u\n",
		w->sel - 2, w->sel, w->data, w->ngiven);
	fprintf(f, "indirect 0x%02x 0x%02x\n", w->sel, w->data);
	for (unsigned n = 0; n < IQ_WIN_REGS; n++)
		if (w->given[n])
			fprintf(f, "indirect-reg 0x%02x 0x%08x 0x%08x 0x%08x\n", n,
				le32(w->reset + 4 * n), le32(w->wm + 4 * n), le32(w->w1c + 4 * n));
}
