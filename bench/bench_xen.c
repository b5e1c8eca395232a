/*
 * bench/bench_xen.c - the baseline: Xen vPCI's data structures, rewritten
 * here so that every trap-path figure can be set against them.
 *
 * What Xen does per access (xen/drivers/vpci/vpci.c, vpci_read/vpci_write,
 * and pci_get_pdev in xen/drivers/passthrough/pci.c):
 *  - find the device by walking the segment's `alldevs_list`, comparing the
 *    bus and devfn of each pci_dev (devices are added at the head of that
 *    list as they are found, so the first device enumerated is the last node);
 *  - walk `pdev->vpci->handlers`, a list of registers sorted by offset, with
 *    an overlap comparison per node: registers before the access are skipped,
 *    the first one after it ends the walk; gaps between handlers are passed
 *    to the hardware, partial registers are merged (writes read back the
 *    whole register first, as vpci_write_helper does).
 * Each node is a separate allocation, as xmalloc gives them. The "hardware"
 * is the function's config bytes. Left out, in the baseline's favour: the
 * per-device spinlock and domain checks Xen also takes on every access.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct xb_list {
	struct xb_list *next, *prev;
};

#define XB_ENTRY(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))

struct xb_pdev;
typedef uint32_t xb_read_fn(const struct xb_pdev *pdev, unsigned reg, void *data);
typedef void xb_write_fn(const struct xb_pdev *pdev, unsigned reg, uint32_t val, void *data);

struct xb_reg {
	xb_read_fn *read;
	xb_write_fn *write;
	unsigned size, offset;
	void *data;                /* here: the register's write mask */
	struct xb_list node;
};

struct xb_vpci {
	struct xb_list handlers;   /* sorted by offset */
};

/* Stands for Xen's struct pci_dev: the walk touches one node per device. */
struct xb_pdev {
	struct xb_list alldevs;
	uint16_t seg;
	uint8_t bus, devfn;
	struct xb_vpci *vpci;
	uint8_t *hw;               /* the device's config space ("hardware") */
	char rest[200];            /* the rest of a pci_dev (MSI lists, phantom stride...) */
};

struct xb {
	struct xb_list alldevs;    /* the segment's device list */
	uint32_t cf8;
	const struct trap *decode; /* ECAM window, for the shared decoder */
	struct xb_pdev **pdevs;    /* for freeing */
	unsigned npdev;
	struct xb_vpci *shared;    /* handlers of devices never accessed */
	uint8_t *shared_hw;
};

static void list_init(struct xb_list *h)
{
	h->next = h->prev = h;
}

/* Insert n between a and b. */
static void list_insert(struct xb_list *n, struct xb_list *a, struct xb_list *b)
{
	n->prev = a;
	n->next = b;
	a->next = n;
	b->prev = n;
}

static uint32_t hw_read(const uint8_t *hw, unsigned reg, unsigned size)
{
	if (size == 3) /* a 4-byte access with one byte trapped: two hardware reads */
		return reg & 1 ? vt_le_get(hw + reg, 1) | vt_le_get(hw + reg + 1, 2) << 8 :
				 vt_le_get(hw + reg, 2) | vt_le_get(hw + reg + 2, 1) << 16;
	return vt_le_get(hw + reg, size);
}

static void hw_write(uint8_t *hw, unsigned reg, unsigned size, uint32_t val)
{
	vt_le_put(hw + reg, size, val);
}

/* Handlers: hardware reads of the register's size, masked emulated writes. */
static uint32_t rd8(const struct xb_pdev *p, unsigned reg, void *d) { return hw_read(p->hw, reg, 1); }
static uint32_t rd16(const struct xb_pdev *p, unsigned reg, void *d) { return hw_read(p->hw, reg, 2); }
static uint32_t rd32(const struct xb_pdev *p, unsigned reg, void *d) { return hw_read(p->hw, reg, 4); }

static void wr_masked(const struct xb_pdev *p, unsigned reg, unsigned size, uint32_t val, void *d)
{
	uint32_t wm = (uint32_t)(uintptr_t)d, old = hw_read(p->hw, reg, size);

	hw_write(p->hw, reg, size, (old & ~wm) | (val & wm));
}
static void wr16(const struct xb_pdev *p, unsigned reg, uint32_t v, void *d) { wr_masked(p, reg, 2, v, d); }
static void wr32(const struct xb_pdev *p, unsigned reg, uint32_t v, void *d) { wr_masked(p, reg, 4, v, d); }

static int reg_cmp(unsigned off1, unsigned size1, const struct xb_reg *r)
{
	if (off1 < r->offset + r->size && r->offset < off1 + size1)
		return 0;
	return off1 < r->offset ? -1 : 1;
}

static struct xb_pdev *get_pdev(const struct xb *x, uint32_t sbdf)
{
	for (struct xb_list *l = x->alldevs.next; l != &x->alldevs; l = l->next) {
		struct xb_pdev *p = XB_ENTRY(l, struct xb_pdev, alldevs);
		if (p->bus == VT_SBDF_BUS(sbdf) && p->devfn == VT_SBDF_DEVFN(sbdf))
			return p;
	}
	return NULL;
}

static uint32_t merge(uint32_t data, uint32_t val, unsigned size, unsigned off)
{
	uint32_t mask = 0xffffffffu >> (32 - 8 * size);

	return (data & ~(mask << (off * 8))) | ((val & mask) << (off * 8));
}

static uint32_t vpci_read(const struct xb *x, uint32_t sbdf, unsigned reg, unsigned size)
{
	const struct xb_pdev *p = VT_SBDF_SEG(sbdf) ? NULL : get_pdev(x, sbdf);
	unsigned done = 0;
	uint32_t data = ~0u;

	if (!p)
		return vt_size_mask(size);
	for (struct xb_list *l = p->vpci->handlers.next; l != &p->vpci->handlers; l = l->next) {
		const struct xb_reg *r = XB_ENTRY(l, struct xb_reg, node);
		unsigned off = reg + done, left = size - done, n, lo, hi;
		int cmp = reg_cmp(off, left, r);
		uint32_t val;

		if (cmp < 0)
			break;
		if (cmp > 0)
			continue;
		if (off < r->offset) { /* a gap before the register: hardware */
			n = r->offset - off;
			data = merge(data, hw_read(p->hw, off, n), n, done);
			done += n;
			off = r->offset;
		}
		val = r->read(p, r->offset, r->data);
		if (r->offset < off)
			val >>= (off - r->offset) * 8;
		lo = off > r->offset ? off : r->offset;
		hi = reg + size < r->offset + r->size ? reg + size : r->offset + r->size;
		n = hi - lo;
		data = merge(data, val, n, done);
		if ((done += n) == size)
			break;
	}
	if (done < size)
		data = merge(data, hw_read(p->hw, reg + done, size - done), size - done, done);
	return data & vt_size_mask(size);
}

/* A write to part of a register reads the whole register back first. */
static void write_helper(const struct xb_pdev *p, const struct xb_reg *r, unsigned size, unsigned off,
			 uint32_t data)
{
	if (size != r->size)
		data = merge(r->read(p, r->offset, r->data), data, size, off);
	r->write(p, r->offset, data & vt_size_mask(r->size), r->data);
}

static void vpci_write(const struct xb *x, uint32_t sbdf, unsigned reg, unsigned size, uint32_t data)
{
	const struct xb_pdev *p = VT_SBDF_SEG(sbdf) ? NULL : get_pdev(x, sbdf);
	unsigned done = 0;

	if (!p)
		return;
	for (struct xb_list *l = p->vpci->handlers.next; l != &p->vpci->handlers; l = l->next) {
		const struct xb_reg *r = XB_ENTRY(l, struct xb_reg, node);
		unsigned off = reg + done, n, lo, hi;
		int cmp = reg_cmp(off, size - done, r);

		if (cmp < 0)
			break;
		if (cmp > 0)
			continue;
		if (off < r->offset) {
			hw_write(p->hw, off, r->offset - off, data >> (done * 8));
			done += r->offset - off;
			off = r->offset;
		}
		lo = off > r->offset ? off : r->offset;
		hi = reg + size < r->offset + r->size ? reg + size : r->offset + r->size;
		n = hi - lo;
		write_helper(p, r, n, reg + done - r->offset, data >> (done * 8));
		if ((done += n) == size)
			break;
	}
	if (done < size)
		hw_write(p->hw, reg + done, size - done, data >> (done * 8));
}

/* The baseline's front ends share the real decoders (traps/traps.c). */
uint32_t xb_pio_read(struct xb *x, uint16_t port, unsigned size)
{
	struct trap_cfg c;

	switch (trap_pio_decode(x->cf8, port, size, &c)) {
	case TRAP_LATCH: return x->cf8;
	case TRAP_CFG: return vpci_read(x, c.sbdf, c.reg, c.size);
	default: return vt_size_mask(size);
	}
}

void xb_pio_write(struct xb *x, uint16_t port, unsigned size, uint32_t val)
{
	struct trap_cfg c;

	switch (trap_pio_decode(x->cf8, port, size, &c)) {
	case TRAP_LATCH: x->cf8 = val; break;
	case TRAP_CFG: vpci_write(x, c.sbdf, c.reg, c.size, val & vt_size_mask(size)); break;
	default: break;
	}
}

uint32_t xb_mmio_read(struct xb *x, uint64_t addr, unsigned size)
{
	struct trap_cfg c;

	if (trap_ecam_decode(x->decode, addr, size, &c) != TRAP_CFG)
		return vt_size_mask(size);
	return vpci_read(x, c.sbdf, c.reg, c.size);
}

void xb_mmio_write(struct xb *x, uint64_t addr, unsigned size, uint32_t val)
{
	struct trap_cfg c;

	if (trap_ecam_decode(x->decode, addr, size, &c) == TRAP_CFG)
		vpci_write(x, c.sbdf, c.reg, c.size, val & vt_size_mask(size));
}

uint32_t xb_cfg_read(struct xb *x, uint32_t sbdf, unsigned reg, unsigned size)
{
	if (reg >= 4096 || (size != 1 && size != 2 && size != 4) || (reg & 3) + size > 4)
		return vt_size_mask(size);
	return vpci_read(x, sbdf, reg, size);
}

void xb_cfg_write(struct xb *x, uint32_t sbdf, unsigned reg, unsigned size, uint32_t val)
{
	if (reg < 4096 && (size == 1 || size == 2 || size == 4) && (reg & 3) + size <= 4)
		vpci_write(x, sbdf, reg, size, val & vt_size_mask(size));
}

/*
 * The registers Xen's hardware-domain vPCI traps on such a function: command,
 * the six BARs and the ROM (header.c), MSI control, address, data, mask and
 * pending (msi.c), MSI-X control (msix.c): 15. Longer lists are padded with
 * registers across extended space (as the emulated capabilities of newer
 * Xen add); the last one is always 0xffc, so an access there walks them all.
 */
static const struct xb_regdef {
	uint16_t off;
	uint8_t size;
	uint32_t wmask;
} xen_regs[] = {
	{ 0x04, 2, 0x0547 },     { 0x10, 4, 0xfff80000 }, { 0x14, 4, 0xffffffff },
	{ 0x18, 4, 0xffffc000 }, { 0x1c, 4, 0xffffffff }, { 0x20, 4, 0 },
	{ 0x24, 4, 0 },          { 0x30, 4, 0 },          { BENCH_CAP_MSI + 2, 2, 0x0071 },
	{ BENCH_CAP_MSI + 4, 4, 0xfffffffc },             { BENCH_CAP_MSI + 8, 4, 0xffffffff },
	{ BENCH_CAP_MSI + 12, 2, 0xffff },                { BENCH_CAP_MSI + 16, 4, 0xffffffff },
	{ BENCH_CAP_MSI + 20, 4, 0 },                     { BENCH_CAP_MSIX + 2, 2, 0xc000 },
};

static int add_reg(struct xb_vpci *v, unsigned off, unsigned size, uint32_t wmask)
{
	struct xb_reg *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	r->read = size == 1 ? rd8 : size == 2 ? rd16 : rd32;
	r->write = size == 2 ? wr16 : wr32;
	r->size = size;
	r->offset = off;
	r->data = (void *)(uintptr_t)wmask;
	list_insert(&r->node, v->handlers.prev, &v->handlers); /* added in offset order */
	return 0;
}

static struct xb_vpci *vpci_new(unsigned nreg)
{
	struct xb_vpci *v = calloc(1, sizeof(*v));
	unsigned nx = (unsigned)VT_ARRAY_SIZE(xen_regs), nfill = nreg > nx + 1 ? nreg - nx - 1 : 0;
	unsigned step = nfill ? (0xffc - 0x100) / nfill : 0, size;
	int rc = 0;

	if (!v)
		return NULL;
	list_init(&v->handlers);
	step = step >= 4 ? step & ~3u : 2;
	size = step >= 4 ? 4 : 2;
	for (unsigned i = 0; i < nx && i + 1 < nreg; i++)
		rc |= add_reg(v, xen_regs[i].off, xen_regs[i].size, xen_regs[i].wmask);
	for (unsigned i = 0; i < nfill; i++)
		rc |= add_reg(v, 0x100 + i * step, size, 0xffffffff);
	rc |= add_reg(v, 0xffc, 4, 0xffffffff);
	return rc ? NULL : v; /* (a failed set-up aborts the bench: nothing to unwind) */
}

static void vpci_free(struct xb_vpci *v)
{
	if (!v)
		return;
	while (v->handlers.next != &v->handlers) {
		struct xb_list *l = v->handlers.next;
		l->next->prev = &v->handlers;
		v->handlers.next = l->next;
		free(XB_ENTRY(l, struct xb_reg, node));
	}
	free(v);
}

/* A hot device gets its own handlers and a copy of our config space. */
static int make_hot(struct xb *x, struct xb_pdev *p, struct bench_machine *bm, uint32_t sbdf, unsigned nreg)
{
	if (p->vpci != x->shared)
		return 0; /* listed twice in the hot set */
	p->hw = NULL;
	if (!(p->vpci = vpci_new(nreg)) || !(p->hw = malloc(VPCI_CFG_SIZE)))
		return -1;
	for (unsigned reg = 0; reg < VPCI_CFG_SIZE; reg += 4)
		vt_le_put(p->hw + reg, 4, vpci_cfg_read(bm->m, sbdf, reg, 4));
	return 0;
}

struct xb *xb_create(struct bench_machine *bm, const unsigned *hot, unsigned nhot, unsigned nreg)
{
	struct xb *x = calloc(1, sizeof(*x));

	if (!x || !(x->pdevs = calloc(bm->nfn, sizeof(*x->pdevs))) || !(x->shared = vpci_new(nreg)) ||
	    !(x->shared_hw = calloc(1, VPCI_CFG_SIZE)))
		goto fail;
	list_init(&x->alldevs);
	x->decode = &bm->trap;
	for (unsigned i = 0; i < bm->nfn; i++) {
		struct xb_pdev *p = calloc(1, sizeof(*p));
		if (!p)
			goto fail;
		x->pdevs[x->npdev++] = p;
		p->bus = VT_SBDF_BUS(bm->sbdf[i]);
		p->devfn = VT_SBDF_DEVFN(bm->sbdf[i]);
		p->vpci = x->shared;
		p->hw = x->shared_hw;
		list_insert(&p->alldevs, &x->alldevs, x->alldevs.next); /* at the head, as alloc_pdev */
	}
	for (unsigned i = 0; i < nhot; i++)
		if (make_hot(x, x->pdevs[hot[i]], bm, bm->sbdf[hot[i]], nreg))
			goto fail;
	return x;
fail:
	xb_destroy(x);
	return NULL;
}

void xb_destroy(struct xb *x)
{
	if (!x)
		return;
	for (unsigned i = 0; i < x->npdev; i++) {
		if (x->pdevs[i]->vpci != x->shared) {
			vpci_free(x->pdevs[i]->vpci);
			free(x->pdevs[i]->hw);
		}
		free(x->pdevs[i]);
	}
	vpci_free(x->shared);
	free(x->shared_hw);
	free(x->pdevs);
	free(x);
}
