/*
 * tools/import_qemu_dev.c - the functions of an imported machine: where
 * they sit (routing by the bridges' bus numbers, as QEMU does), and what
 * their config space does (reset bytes, BAR sizes, write masks).
 *
 * Pass 1 learns from every traced access: the first read of a byte is its
 * reset value; a read after a write shows which bits took the write; a
 * dword read after an all-ones write to a BAR is its size mask. Pass 2 runs
 * the finished model, like the replay engine will, and counts the reads it
 * would get wrong (`-v`).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "import_qemu.h"

int iq_err(struct iq *q, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(q->err, sizeof(q->err), "%s:%lu: %s", q->file, q->lineno, msg);
	return -1;
}

/* An error that names no line (files, pipes): the message as given. */
int iq_fail(struct iq *q, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->err, sizeof(q->err), fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The default write masks, as QEMU's hw/pci/pci.c sets them up for every
 * device (pci_init_wmask, pci_init_w1cmask, pci_init_mask_bridge) minus the
 * blanket "everything past 0x40 is writable": device and capability
 * registers are read-only unless the log proves otherwise. BARs and ROM are
 * handled by their size.
 */
void iq_def_mask(bool bridge, unsigned off, uint8_t *wm, uint8_t *w1c)
{
	static const uint8_t t0[0x40] = {
		[0x04] = 0x47, [0x05] = 0x05, /* io, mem, master, parity; serr, intx */
		[0x0c] = 0xff, [0x3c] = 0xff, /* cache line size, interrupt line */
	};
	static const uint8_t t1[0x40] = {
		[0x04] = 0x47, [0x05] = 0x05, [0x0c] = 0xff, [0x3c] = 0xff,
		[0x18] = 0xff, [0x19] = 0xff, [0x1a] = 0xff, [0x1b] = 0xff, /* bus numbers */
		[0x1c] = 0xf0, [0x1d] = 0xf0,                             /* I/O window */
		[0x20] = 0xf0, [0x21] = 0xff, [0x22] = 0xf0, [0x23] = 0xff, /* memory window */
		[0x24] = 0xf0, [0x25] = 0xff, [0x26] = 0xf0, [0x27] = 0xff, /* prefetchable */
		[0x28] = 0xff, [0x29] = 0xff, [0x2a] = 0xff, [0x2b] = 0xff,
		[0x2c] = 0xff, [0x2d] = 0xff, [0x2e] = 0xff, [0x2f] = 0xff,
		[0x3e] = 0xff, [0x3f] = 0x0b, /* bridge control (QEMU's set) */
	};

	*wm = off < 0x40 ? (bridge ? t1 : t0)[off] : 0;
	*w1c = 0;
	if (off == 0x07)
		*w1c = 0xf9; /* status: parity, target/master aborts, SERR, parity error */
	if (bridge && off == 0x3f)
		*w1c = 0x04; /* discard timer status */
}

static bool is_bridge(const struct iq_dev *d)
{
	return d->bridge;
}

/*
 * Pass 1: the header type says whether it is a bridge; until it is read
 * (SeaBIOS reads it only on function 0), the class code 0x0604 does.
 */
static void learn_bridge(struct iq_dev *d)
{
	if (d->flags[0x0e] & IQ_B_READ)
		d->bridge = (d->cur[0x0e] & 0x7f) == 1;
	else if ((d->flags[0x0a] & IQ_B_READ) && (d->flags[0x0b] & IQ_B_READ))
		d->bridge = d->cur[0x0b] == 0x06 && d->cur[0x0a] == 0x04;
}

/* The BAR (0-5, IQ_ROM) whose dword register holds config byte off, or -1. */
int iq_bar_reg(bool bridge, unsigned off)
{
	off &= ~3u;
	if (off == (bridge ? 0x38u : 0x30u))
		return IQ_ROM;
	if (off >= 0x10 && off < (bridge ? 0x18u : 0x28u))
		return (int)(off - 0x10) / 4;
	return -1;
}

/* Masks from evidence: the defaults dwm/dw1c, corrected by what the log proved. */
void iq_ev_mask(const struct iq_evid *e, uint8_t dwm, uint8_t dw1c, uint8_t *wm, uint8_t *w1c)
{
	uint8_t ro = e->ro & ~e->rw, rw = e->rw | (e->weak & ~ro);

	*w1c = (uint8_t)((dw1c | e->w1c) & ~e->rw);
	*wm = (uint8_t)((dwm | rw) & ~ro & ~*w1c);
}

/* Masks in force: the defaults, corrected by what the log proved so far. */
void iq_eff_mask(const struct iq_dev *d, bool bridge, unsigned b, uint8_t *wm, uint8_t *w1c)
{
	uint8_t dw, dc;

	iq_def_mask(bridge, b, &dw, &dc);
	iq_ev_mask(&d->ev[b], dw, dc, wm, w1c);
}

static bool sec_in_range(const struct iq_dev *b, uint8_t bus)
{
	/* QEMU's pci_secondary_bus_in_range: a bridge in secondary bus reset
	 * forwards nothing. */
	return !(b->cur[0x3e] & 0x40) && b->cur[0x19] <= bus && bus <= b->cur[0x1a];
}

/*
 * One level of QEMU's pci_find_bus_nr: the first child bridge (QEMU lists
 * the most recently created first) whose secondary bus is `bus` claims it;
 * the first whose range covers it is descended into.
 */
static struct iq_dev *route_level(struct iq *q, struct iq_dev *lvl, uint8_t root, uint8_t bus,
				  bool *claimed)
{
	struct iq_dev *hit = NULL;

	for (unsigned i = q->ndev; i-- > 0;) {
		struct iq_dev *b = q->dev[i];

		if (b->parent != lvl || b->root != root || !is_bridge(b))
			continue;
		if (b->cur[0x19] != bus && !sec_in_range(b, bus))
			continue;
		if (hit) {
			q->ambiguous++;
			continue;
		}
		hit = b;
		*claimed = b->cur[0x19] == bus;
	}
	return hit;
}

/* Which bus (the bridge above it, or a root bus) has number `bus` now. */
static int route(struct iq *q, uint8_t bus, struct iq_dev **parent, uint8_t *root)
{
	for (unsigned r = 0; r < q->nroots; r++)
		if (q->roots[r] == bus) {
			*parent = NULL;
			*root = bus;
			return 0;
		}
	for (unsigned r = 0; r < q->nroots; r++) {
		struct iq_dev *lvl = NULL;
		bool claimed = false;

		while ((lvl = route_level(q, lvl, q->roots[r], bus, &claimed)) && !claimed)
			;
		if (lvl) {
			*parent = lvl;
			*root = q->roots[r];
			return 0;
		}
	}
	return -1;
}

static struct iq_dev *dev_new(struct iq *q, struct iq_dev *parent, uint8_t root, uint8_t bus,
			      uint8_t devfn, const char *type)
{
	struct iq_dev *d;

	if (q->ndev == IQ_MAX_DEV) {
		iq_err(q, "more than %d PCI functions", IQ_MAX_DEV);
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		iq_err(q, "out of memory");
		return NULL;
	}
	if (parent)
		snprintf(d->path, sizeof(d->path), "%.48s/%02x.%x", parent->path, devfn >> 3,
			 devfn & 7);
	else
		snprintf(d->path, sizeof(d->path), "%02x:%02x.%x", root, devfn >> 3, devfn & 7);
	snprintf(d->type, sizeof(d->type), "%s", type);
	d->parent = parent;
	d->root = root;
	d->devfn = devfn;
	d->first_bus = bus;
	d->first_line = q->lineno;
	d->idx = q->ndev;
	q->dev[q->ndev++] = d;
	return d;
}

/*
 * The function QEMU names `type` at bus:devfn, by its path. Pass 1 creates
 * it on first sight (when `create`: for config accesses, not for mapping
 * events); a bus no bridge leads to is a further root bus (a pxb-pcie root
 * bus, say).
 */
struct iq_dev *iq_dev_get(struct iq *q, uint8_t bus, uint8_t devfn, const char *type, bool create)
{
	struct iq_dev *parent;
	uint8_t root;

	if (route(q, bus, &parent, &root)) {
		if (!create || q->pass == 2 || q->nroots == IQ_MAX_ROOT) {
			iq_err(q, "no bridge leads to bus %02x", bus);
			return NULL;
		}
		if (q->verbose)
			fprintf(stderr, "%s:%lu: bus %02x reached by no bridge: a root bus\n",
				q->file, q->lineno, bus);
		q->roots[q->nroots++] = bus;
		parent = NULL;
		root = bus;
	}
	for (unsigned i = 0; i < q->ndev; i++) {
		struct iq_dev *d = q->dev[i];

		if (d->parent != parent || d->root != root || d->devfn != devfn)
			continue;
		if (strcmp(d->type, type)) {
			iq_err(q, "%s at %s was %s (line %lu), now %s", parent ? "function" : "slot",
			       d->path, d->type, d->first_line, type);
			return NULL;
		}
		return d;
	}
	if (!create || q->pass == 2) {
		iq_err(q, "%s %02x:%02x.%x: %s", type, bus, devfn >> 3, devfn & 7,
		       create ? "not found again in pass 2" : "no config access reached it before");
		return NULL;
	}
	return dev_new(q, parent, root, bus, devfn, type);
}

/* What a read after a write tells about the bits of one byte. */
static void learn(const struct iq_file *f, unsigned b, uint8_t v)
{
	struct iq_evid *e = &f->ev[b];
	uint8_t w = f->lastw[b];

	if (f->flags[b] & IQ_B_CKNOWN) {
		uint8_t c = f->prew[b], tried = c ^ w, w1c = c & w & ~v;

		e->rw |= tried & ~(v ^ w);
		e->ro |= tried & ~(v ^ c);
		e->w1c |= w1c;
		*f->volatile_bits += __builtin_popcount((uint8_t)(~tried & (v ^ c) & ~w1c));
	} else {
		/* The value before is unknown: a bit that did not take the
		 * write is at least not plainly writable; one that did is taken
		 * as writable unless some other read proves otherwise (a
		 * register firmware programs before reading, like q35's
		 * PCIEXBAR, is writable and resets to 0). */
		e->ro |= v ^ w;
		if (b >= f->weak_from) /* the header's masks are QEMU's, known */
			e->weak |= (uint8_t)~(v ^ w);
	}
}

/*
 * Pass 1 bookkeeping of a read of byte b that returned v: the first read is
 * its reset value, a read after a write is evidence (when `pairs`).
 */
void iq_file_read(const struct iq_file *file, unsigned b, uint8_t v, bool pairs)
{
	uint8_t f = file->flags[b];

	if (!(f & IQ_B_SEEN))
		file->reset[b] = v;
	else if ((f & IQ_B_PEND) && pairs) {
		learn(file, b, v);
		f |= IQ_B_PAIRED;
	} else if (!(f & IQ_B_PEND) && file->cur[b] != v)
		*file->volatile_bits += __builtin_popcount((uint8_t)(file->cur[b] ^ v));
	if ((f & IQ_B_WFIRST) && !(f & IQ_B_FREAD)) {
		file->reset[b] = v; /* the first read after it; masked when finished */
		f |= IQ_B_FREAD;
	}
	file->cur[b] = v;
	file->flags[b] = (uint8_t)((f | IQ_B_SEEN | IQ_B_READ) & ~(IQ_B_PEND | IQ_B_CKNOWN));
}

/* Pass 1 bookkeeping of a write of w to byte b, before the model applies it. */
void iq_file_write(const struct iq_file *file, unsigned b, uint8_t w)
{
	uint8_t f = file->flags[b];

	if (!(f & IQ_B_SEEN))
		f |= IQ_B_SEEN | IQ_B_WFIRST;
	f = (uint8_t)((f & ~IQ_B_CKNOWN) | IQ_B_PEND);
	if (f & IQ_B_READ)
		f |= IQ_B_CKNOWN;
	file->flags[b] = f;
	file->prew[b] = file->cur[b];
	file->lastw[b] = w;
}

static struct iq_file dev_file(struct iq_dev *d)
{
	return (struct iq_file){ d->reset, d->cur, d->flags, d->prew, d->lastw, d->ev,
				 &d->volatile_bits, 0x40 };
}

void iq_dev_read(struct iq *q, struct iq_dev *d, unsigned off, unsigned size, uint32_t val)
{
	bool bridge = is_bridge(d);
	int bar = iq_bar_reg(bridge, off);
	struct iq_file f;

	if (off + size > 0x100)
		d->ext = true;
	if (q->pass == 2 && q->dry) {
		iq_win_read(q, d, off, size, val);
		return;
	}
	if (q->pass == 2) {
		uint32_t got = 0;

		for (unsigned i = 0; i < size; i++)
			got |= (uint32_t)d->cur[off + i] << (8 * i);
		if (got != val) {
			if (!d->predicted_mm++ || (off < 0x40 && !d->predicted_mm_hdr)) {
				d->first_mm_off = (uint16_t)off;
				d->first_mm_line = q->lineno;
			}
			d->predicted_mm_hdr += off < 0x40;
		}
		return;
	}
	if (bar >= 0 && size == 4 && !(off & 3) && d->sz_pend[bar]) {
		if (d->sz_seen[bar] && d->sz_mask[bar] != val && q->verbose)
			fprintf(stderr, "%s:%lu: %s: BAR at 0x%x sized 0x%x, before 0x%x\n", q->file,
				q->lineno, d->path, off, val, d->sz_mask[bar]);
		d->sz_mask[bar] = val;
		d->sz_seen[bar] = true;
	}
	if (bar >= 0)
		d->sz_pend[bar] = false;
	f = dev_file(d);
	for (unsigned i = 0; i < size; i++)
		iq_file_read(&f, off + i, (uint8_t)(val >> (8 * i)), iq_bar_reg(bridge, off + i) < 0);
	if (off <= 0x0e && off + size > 0x0a)
		learn_bridge(d);
}

static bool is_sizing(int bar, uint32_t val)
{
	if (bar == IQ_ROM)
		return (val & 0xfffff800u) == 0xfffff800u;
	return (val | 0xfu) == 0xffffffffu;
}

void iq_dev_write(struct iq *q, struct iq_dev *d, unsigned off, unsigned size, uint32_t val)
{
	bool bridge = is_bridge(d);
	int bar = iq_bar_reg(bridge, off);
	struct iq_file f = dev_file(d);

	if (off + size > 0x100)
		d->ext = true;
	if (bar >= 0 && q->pass == 1)
		d->sz_pend[bar] = size == 4 && !(off & 3) && is_sizing(bar, val);
	for (unsigned i = 0; i < size; i++) {
		unsigned b = off + i;
		uint8_t w = (uint8_t)(val >> (8 * i)), wm = d->wm[b], w1c = d->w1c[b];

		if (q->pass == 1) {
			iq_file_write(&f, b, w);
			if (iq_bar_reg(bridge, b) >= 0)
				wm = 0xff, w1c = 0;
			else
				iq_eff_mask(d, bridge, b, &wm, &w1c);
		}
		d->cur[b] = (uint8_t)(((d->cur[b] & ~wm) | (w & wm)) & ~(w & w1c));
	}
	iq_win_write(q, d, off, size, val);
}

bool iq_dev_bar_io(const struct iq_dev *d, int bar)
{
	return bar != IQ_ROM && (d->reset[0x10 + 4 * bar] & 1);
}
