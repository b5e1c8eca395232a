/*
 * fuzz/access_model.c - CONTRACT §2 (routing, decoding) and §3 (what is
 * mapped) written a second time, from the registers the harness read back
 * and the bytes it wrote, sharing no code with vpci/, traps/ or mapper/.
 *
 * A function that routing cannot reach cannot be written either, so the
 * registers last read back while it was reachable are still its registers.
 */
#include <limits.h>
#include <string.h>

#include "../vpci/pci_regs.h"
#include "access.h"

bool ax_is_bridge(unsigned i)
{
	return (ax_devs[i].hdr & 0x7f) == 1 || (ax_devs[i].hdr & 0x7f) == 2;
}

unsigned ax_depth(unsigned i)
{
	unsigned d = 0;

	for (int p = ax_devs[i].parent; p >= 0; p = ax_devs[p].parent)
		d++;
	return d;
}

/* A bus: the bridge above it (>= 0), or -1 - (seg << 8 | root number); NO_BUS: none. */
#define NO_BUS INT_MIN

static int bus_id_slow(unsigned i)
{
	const struct ax_devdef *d = &ax_devs[i];

	return d->parent >= 0 ? d->parent : -1 - (d->seg << 8 | d->root);
}

static uint16_t seg_of(unsigned i)
{
	while (ax_devs[i].parent >= 0)
		i = (unsigned)ax_devs[i].parent;
	return ax_devs[i].seg;
}

/* The machine is fixed: bus ids computed once (the checks run them a million times). */
static int bus_ids[AX_MAXDEV];
static bool bus_ids_done;

static int bus_id(unsigned i)
{
	if (!bus_ids_done) {
		for (unsigned j = 0; j < ax_ndev; j++)
			bus_ids[j] = bus_id_slow(j);
		bus_ids_done = true;
	}
	return bus_ids[i];
}

/* The root bus of seg that owns number `bus`: the highest root number <= bus. */
static int root_for(uint16_t seg, unsigned bus, unsigned *num)
{
	int best = NO_BUS;

	for (unsigned i = 0; i < ax_ndev; i++) {
		const struct ax_devdef *d = &ax_devs[i];
		if (d->parent >= 0 || d->seg != seg || d->root > bus)
			continue;
		if (best == NO_BUS || d->root > *num) {
			best = bus_id(i);
			*num = d->root;
		}
	}
	return best;
}

/* PCI-PCI Bridge 1.2 §3.2.5.3: first bridge (devfn order) on bus `id` forwarding `bus`. */
static int forwarder(const struct ax_state *s, int id, unsigned num, unsigned bus)
{
	int best = -1;

	for (unsigned j = 0; j < ax_ndev; j++) {
		unsigned sec = s->dev[j].cfg[PCI_SECONDARY_BUS], sub = s->dev[j].cfg[PCI_SUBORDINATE_BUS];
		if (bus_id(j) != id || !ax_is_bridge(j) || sec <= num || sub < sec || bus < sec || bus > sub)
			continue;
		if (best < 0 || ax_devs[j].devfn < ax_devs[best].devfn)
			best = (int)j;
	}
	return best;
}

/* The bus (id) that answers number `bus`, or NO_BUS. */
static int route_bus(const struct ax_state *s, uint16_t seg, unsigned bus)
{
	unsigned num = 0;
	int id = root_for(seg, bus, &num);

	while (id != NO_BUS && num != bus) {
		int b = forwarder(s, id, num, bus);
		if (b < 0)
			return NO_BUS;
		id = b;
		num = s->dev[b].cfg[PCI_SECONDARY_BUS];
	}
	return id;
}

static int dev_on(int id, uint16_t seg, unsigned devfn)
{
	if (id == NO_BUS)
		return -1;
	for (unsigned i = 0; i < ax_ndev; i++)
		if (bus_id(i) == id && ax_devs[i].devfn == devfn && seg_of(i) == seg)
			return (int)i;
	return -1;
}

int ax_route(const struct ax_state *s, uint16_t seg, unsigned bus, unsigned devfn)
{
	return dev_on(route_bus(s, seg, bus), seg, devfn);
}

void ax_route_bus(const struct ax_state *s, uint16_t seg, unsigned bus, int out[], const uint8_t *devfn,
		  unsigned n)
{
	int id = route_bus(s, seg, bus);

	for (unsigned k = 0; k < n; k++)
		out[k] = -1;
	for (unsigned i = 0; id != NO_BUS && i < ax_ndev; i++)
		for (unsigned k = 0; k < n && bus_id(i) == id; k++)
			if (ax_devs[i].devfn == devfn[k])
				out[k] = (int)i;
}

uint32_t ax_sbdf(const struct ax_state *s, unsigned i)
{
	return VT_SBDF(seg_of(i), s->dev[i].bus & 0xff, ax_devs[i].devfn);
}

int ax_bus_of(const struct ax_state *s, unsigned i)
{
	int p = ax_devs[i].parent;
	unsigned n;

	if (p < 0)
		return ax_devs[i].root;
	if (s->dev[p].bus < 0)
		return -1;
	n = s->dev[p].cfg[PCI_SECONDARY_BUS];
	return route_bus(s, seg_of(i), n) == p ? (int)n : -1;
}

/* §2 decoding. */
static bool size_ok(unsigned off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && (off & 3) + size <= 4;
}

bool ax_decode_pio(uint32_t cf8, uint16_t port, unsigned size, uint32_t *sbdf, unsigned *reg)
{
	if (port < 0xcfc || port > 0xcff || !size_ok(port & 3, size) || !(cf8 >> 31))
		return false;
	*sbdf = (cf8 >> 8) & 0xffff;
	*reg = (cf8 & 0xfc) | (port & 3u);
	return true;
}

bool ax_decode_ecam(uint64_t addr, unsigned size, uint32_t *sbdf, unsigned *reg)
{
	if (addr < AX_ECAM || addr >= AX_ECAM + ((AX_ECAM_LAST_BUS + 1ull) << 20) || !size_ok(addr & 3, size))
		return false;
	*sbdf = (uint32_t)((addr - AX_ECAM) >> 12);
	*reg = addr & 0xfff;
	return true;
}

bool ax_decode_cfg(unsigned reg, unsigned size)
{
	return reg < 4096 && size_ok(reg & 3, size);
}

void ax_model_write(struct ax_state *s, uint32_t sbdf, unsigned reg, unsigned size, uint32_t val)
{
	int i = ax_route(s, (uint16_t)(sbdf >> 16), (sbdf >> 8) & 0xff, sbdf & 0xff);

	if (i < 0 || reg + size > (ax_devs[i].ext ? 4096u : 256u))
		return;
	for (unsigned k = 0; k < size; k++) {
		unsigned r = reg + k, a = r - AX_AER_REG;
		uint8_t b = (uint8_t)(val >> (8 * k)), bits = (uint8_t)(AX_AER_BITS >> (8 * (a & 3)));

		if (r < AX_HDR)
			s->dev[i].raw[r] = b;
		if (!ax_devs[i].extmask || r < AX_AER_REG || a >= 8)
			continue;
		/* the `mask` lines' rule: status bits are RW1C, mask bits RW, the rest read-only */
		if (a < 4)
			s->dev[i].aer[a] &= (uint8_t)~(b & bits);
		else
			s->dev[i].aer[a] = (uint8_t)((s->dev[i].aer[a] & ~bits) | (b & bits));
	}
}

static unsigned bar_reg(unsigned i, unsigned b)
{
	if (b == VT_BAR_ROM)
		return (ax_devs[i].hdr & 0x7f) == 1 ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS;
	return PCI_BASE_ADDRESS_0 + 4 * b;
}

/* §3: the range BAR b of device i decodes now, if any (conflicts aside). */
static bool bar_range(const struct ax_state *s, unsigned i, unsigned b, struct vt_range *r)
{
	const struct ax_mdev *m = &s->dev[i];
	enum ax_bar kind = ax_devs[i].bar[b];
	uint64_t size = ax_devs[i].size[b], addr;
	unsigned reg = bar_reg(i, b);
	uint32_t field = kind == AX_IO ? ~3u : kind == AX_ROM ? ~0x7ffu : ~0xfu;
	uint32_t lo = vt_le_get(m->cfg + reg, 4), raw_lo = vt_le_get(m->raw + reg, 4);
	uint16_t cmd = (uint16_t)vt_le_get(m->cfg + PCI_COMMAND, 2);

	if (kind == AX_NONE || !size)
		return false;
	if ((raw_lo | ~field) == 0xffffffffu)
		return false; /* sizing */
	if (kind == AX_MEM64 && vt_le_get(m->raw + reg + 4, 4) == 0xffffffffu)
		return false; /* sizing the upper half */
	if (!(cmd & (kind == AX_IO ? 1 : 2)) || (kind == AX_ROM && !(lo & 1)))
		return false;
	addr = lo & field;
	if (kind == AX_MEM64)
		addr |= (uint64_t)vt_le_get(m->cfg + reg + 4, 4) << 32;
	r->base = addr;
	r->last = addr + size - 1;
	if (!addr || r->last < addr)
		return false;
	return kind == AX_MEM64 || r->last < 0xffffffffull;
}

/*
 * §3 conflicts: RAM and reserved always refuse; an RMRR by the RDM policy.
 * Mapping is page granular, so a range that shares a page with the BAR
 * conflicts with it (the mapper's rule, stricter than §3's byte wording).
 */
static bool refused(const struct ax_state *s, unsigned i, const struct vt_range *bar)
{
	struct vt_range pages = { bar->base & ~(VT_PAGE_SIZE - 1), bar->last | (VT_PAGE_SIZE - 1) };
	const struct vt_range *r = &pages;
	enum vt_policy pol = s->dev[i].policy;

	if (pol == VT_POLICY_DEFAULT)
		pol = s->relaxed ? VT_POLICY_RELAXED : VT_POLICY_STRICT;
	for (unsigned k = 0; k < ax_nregions; k++) {
		const struct ax_region *rg = &ax_regions[k];
		if (!ax_region_selected(s, rg) || !vt_range_overlaps(&rg->r, r))
			continue;
		if (rg->kind != MAP_REGION_RMRR || pol == VT_POLICY_STRICT)
			return true;
	}
	return false;
}

void ax_model_want(struct ax_state *s)
{
	s->nwant = 0;
	for (unsigned i = 0; i < ax_ndev; i++) {
		for (unsigned b = 0; b < AX_NBARS; b++) {
			struct vt_range r;
			bool io = ax_devs[i].bar[b] == AX_IO;
			if (!bar_range(s, i, b, &r) || (!io && refused(s, i, &r)))
				continue;
			s->want[s->nwant++] = (struct ax_map){ i, b, io ? VT_SPACE_IO : VT_SPACE_MEM, r };
		}
	}
}
