/*
 * fuzz/access_check.c - the invariants, checked after every access.
 *
 * Order matters only for which message a bug produces first: routing (the
 * model needs it to read registers back), register read-back, the
 * backend's calls one by one, the pages they leave mapped, the mapper's
 * reference counts, the mapped set, the event count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vpci/pci_regs.h"
#include "access.h"

static const char *path_of(unsigned i)
{
	return ax_devs[i].path;
}

/* Routing of one function: its SBDF, lookup and the slow path all agree with the model. */
static void check_dev_route(struct ax_state *s, unsigned i)
{
	struct vpci_dev *d = s->dev[i].d;
	uint32_t want = ax_sbdf(s, i), got = 0;
	bool ok = vpci_dev_sbdf(d, &got);

	if (s->dev[i].bus < 0) {
		FZ_CHECK(!ok, "op %lu: routing: %s should be unreachable, vpci_dev_sbdf says bus %02x",
			 s->op, path_of(i), VT_SBDF_BUS(got));
		return;
	}
	FZ_CHECK(ok && got == want, "op %lu: routing: %s should be at %04x:%02x, vpci_dev_sbdf: %s %05x",
		 s->op, path_of(i), VT_SBDF_SEG(want), VT_SBDF_BUS(want), ok ? "at" : "unreachable", got >> 8);
	FZ_CHECK(vpci_dev_lookup(s->m, want) == d, "op %lu: routing: lookup of %s at bus %02x fails",
		 s->op, path_of(i), VT_SBDF_BUS(want));
	FZ_CHECK(vpci_route_slow(s->m, want) == d, "op %lu: routing: vpci_route_slow of %s at bus %02x fails",
		 s->op, path_of(i), VT_SBDF_BUS(want));
}

static void read_header(struct ax_state *s, unsigned i)
{
	uint32_t sbdf = ax_sbdf(s, i);

	for (unsigned reg = 0; reg < AX_HDR; reg += 4)
		vt_le_put(s->dev[i].cfg + reg, 4, vpci_cfg_read(s->m, sbdf, reg, 4));
}

/* Parents first: a bus number comes from registers already read back. */
static void refresh(struct ax_state *s)
{
	for (unsigned depth = 0; depth < 4; depth++) {
		for (unsigned i = 0; i < ax_ndev; i++) {
			if (ax_depth(i) != depth)
				continue;
			s->dev[i].bus = ax_bus_of(s, i);
			check_dev_route(s, i);
			if (s->dev[i].bus >= 0)
				read_header(s, i);
		}
	}
}

static const uint8_t sweep_devfn[] = { 0x00, 0x08, 0x10, 0x18, 0x20, 0x21, 0x50, 0xe0, 0xe8, 0xf0, 0xff };

/* Bus numbers where routing changes: each bridge's window edges, the last access's bus. */
static void interesting_buses(const struct ax_state *s, uint8_t mark[256])
{
	memset(mark, 0, 256);
	mark[0] = mark[0x7f] = mark[0x80] = mark[0xff] = 1;
	mark[VT_SBDF_BUS(s->last_sbdf)] = 1;
	for (unsigned i = 0; i < ax_ndev; i++) {
		unsigned sec = s->dev[i].cfg[PCI_SECONDARY_BUS], sub = s->dev[i].cfg[PCI_SUBORDINATE_BUS];
		if (!ax_is_bridge(i))
			continue;
		mark[sec] = mark[sub] = mark[(sec - 1) & 0xff] = mark[(sub + 1) & 0xff] = 1;
	}
}

/*
 * Every bus number of both segments (full) or those where routing changes,
 * and a set of devfns: the access path's lookup against the model; the slow
 * path too where routing changes.
 */
static void sweep_routes(struct ax_state *s, unsigned full)
{
	uint8_t mark[256];
	int want[sizeof(sweep_devfn)];

	interesting_buses(s, mark);
	for (unsigned seg = 0; seg < 2; seg++) {
		for (unsigned bus = 0; bus < 256; bus++) {
			if (!(full & (1u << seg)) && !mark[bus])
				continue;
			ax_route_bus(s, (uint16_t)seg, bus, want, sweep_devfn, sizeof(sweep_devfn));
			for (unsigned k = 0; k < sizeof(sweep_devfn); k++) {
				uint32_t sbdf = VT_SBDF(seg, bus, sweep_devfn[k]);
				struct vpci_dev *d = want[k] < 0 ? NULL : s->dev[want[k]].d;
				FZ_CHECK(vpci_dev_lookup(s->m, sbdf) == d,
					 "op %lu: routing: %04x:%02x:%02x.%x should reach %s", s->op, seg, bus,
					 sweep_devfn[k] >> 3, sweep_devfn[k] & 7,
					 d ? path_of((unsigned)want[k]) : "nothing");
				if (mark[bus] && (d || k == 0))
					FZ_CHECK(vpci_route_slow(s->m, sbdf) == d,
						 "op %lu: routing: vpci_route_slow(%04x:%02x:%02x.%x) should be %s",
						 s->op, seg, bus, sweep_devfn[k] >> 3, sweep_devfn[k] & 7,
						 d ? path_of((unsigned)want[k]) : "nothing");
			}
		}
	}
}

/* Writable bits of the BAR dword at reg (0: read-only), from the hardware's sizes. */
static uint32_t bar_wmask(unsigned i, unsigned reg)
{
	const struct ax_devdef *def = &ax_devs[i];

	for (unsigned b = 0; b < AX_NBARS; b++) {
		unsigned r = b == VT_BAR_ROM ? ((def->hdr & 0x7f) == 1 ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS)
					     : PCI_BASE_ADDRESS_0 + 4 * b;
		uint64_t m = ~(def->size[b] - 1);
		if (def->bar[b] == AX_NONE || !def->size[b])
			continue;
		if (r == reg && def->bar[b] == AX_ROM)
			return ((uint32_t)m & ~0x7ffu) | 1; /* and the enable bit */
		if (r == reg)
			return (uint32_t)m & (def->bar[b] == AX_IO ? ~3u : ~0xfu);
		if (def->bar[b] == AX_MEM64 && r + 4 == reg)
			return (uint32_t)(m >> 32);
	}
	return 0;
}

/* §3: a BAR reads back its writable bits as last written, the rest as at reset. */
static void check_readback(const struct ax_state *s, unsigned i)
{
	const struct ax_mdev *m = &s->dev[i];
	unsigned hdr = ax_devs[i].hdr & 0x7f, nb = hdr == 0 ? 6 : hdr == 1 ? 2 : 1;

	for (unsigned k = 0; k <= nb; k++) {
		unsigned reg = k < nb ? PCI_BASE_ADDRESS_0 + 4 * k : hdr == 1 ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS;
		uint32_t wm = bar_wmask(i, reg), got = vt_le_get(m->cfg + reg, 4);
		uint32_t want = (vt_le_get(m->raw + reg, 4) & wm) | (vt_le_get(m->init + reg, 4) & ~wm);
		if (hdr == 2 && k == nb)
			break; /* CardBus: no ROM register */
		FZ_CHECK(got == want, "op %lu: %s reg 0x%02x reads 0x%08x, expected 0x%08x (written 0x%08x)",
			 s->op, path_of(i), reg, got, want, vt_le_get(m->raw + reg, 4));
	}
	if (ax_devs[i].extmask && s->dev[i].bus >= 0) {
		uint32_t sbdf = ax_sbdf(s, i);
		for (unsigned a = 0; a < 8; a += 4) {
			uint32_t got = vpci_cfg_read(s->m, sbdf, AX_AER_REG + a, 4), want = vt_le_get(m->aer + a, 4);
			FZ_CHECK(got == want, "op %lu: %s extended reg 0x%03x reads 0x%08x, expected 0x%08x "
				 "(mask override: %s)", s->op, path_of(i), AX_AER_REG + a, got, want,
				 a ? "RW" : "RW1C");
		}
	}
	if (ax_devs[i].ext && !ax_devs[i].extmask && s->dev[i].bus >= 0) {
		/* Without `mask` overrides extended space is read-only: the AER header and its first registers as built. */
		uint32_t sbdf = ax_sbdf(s, i);
		for (unsigned a = 0; a < 12; a += 4) {
			uint32_t got = vpci_cfg_read(s->m, sbdf, 0x100 + a, 4), want = a ? 0 : 0x00010001;
			FZ_CHECK(got == want, "op %lu: %s extended reg 0x%03x reads 0x%08x, expected 0x%08x "
				 "(read-only)", s->op, path_of(i), 0x100 + a, got, want);
		}
	}
	FZ_CHECK((m->cfg[PCI_COMMAND] & 3) == (m->raw[PCI_COMMAND] & 3),
		 "op %lu: %s command decode bits read %x, written %x", s->op, path_of(i),
		 m->cfg[PCI_COMMAND] & 3, m->raw[PCI_COMMAND] & 3);
	if (hdr)
		FZ_CHECK(!memcmp(m->cfg + PCI_PRIMARY_BUS, m->raw + PCI_PRIMARY_BUS, 3),
			 "op %lu: %s bus numbers read %02x/%02x/%02x, written %02x/%02x/%02x", s->op,
			 path_of(i), m->cfg[0x18], m->cfg[0x19], m->cfg[0x1a], m->raw[0x18], m->raw[0x19],
			 m->raw[0x1a]);
}

static void units_of(const struct ax_map *w, uint64_t *first, uint64_t *last)
{
	*first = w->space == VT_SPACE_MEM ? w->r.base >> VT_PAGE_SHIFT : w->r.base;
	*last = w->space == VT_SPACE_MEM ? w->r.last >> VT_PAGE_SHIFT : w->r.last;
}

static bool same_map(const struct ax_map *a, const struct ax_map *b)
{
	return a->dev == b->dev && a->bar == b->bar && a->space == b->space && a->r.base == b->r.base &&
	       a->r.last == b->r.last;
}

/* A BAR mapped before this access and after it, unchanged: none of its units may be unmapped. */
static void check_unmap(const struct ax_state *s, enum vt_space sp, uint64_t first, uint64_t last)
{
	for (size_t i = 0; i < s->nprev; i++) {
		uint64_t f, l;
		bool stable = false;
		if (s->prev[i].space != sp)
			continue;
		for (size_t k = 0; k < s->nwant && !stable; k++)
			stable = same_map(&s->prev[i], &s->want[k]);
		units_of(&s->prev[i], &f, &l);
		FZ_CHECK(!stable || l < first || f > last,
			 "op %lu: unmap of %s 0x%llx-0x%llx removes units of %s %s, still mapped at 0x%llx-0x%llx",
			 s->op, sp == VT_SPACE_MEM ? "pages" : "ports", (unsigned long long)first,
			 (unsigned long long)last, path_of(s->prev[i].dev), vt_bar_name(s->prev[i].bar),
			 (unsigned long long)s->prev[i].r.base, (unsigned long long)s->prev[i].r.last);
	}
}

/*
 * RMRR pages. `pins`: the pages of the RMRRs whose scope names a function
 * of the machine (present ones): the platform identity-maps them for this
 * domain, the mapper holds a pin on each, and no unmap may touch them.
 * `live`: the pinned pages a relaxed BAR has covered since the start: the
 * first such BAR maps them, and they stay mapped for good. An RMRR checked
 * only because of strategy=host is neither: its pages are mapped and
 * unmapped like any page.
 */
static struct ax_units exp_units[2], pins, live, relaxed_units, allowed, scratch, walked;

static bool region_pinned(const struct ax_region *rg)
{
	for (unsigned k = 0; rg->kind == MAP_REGION_RMRR && k < 2 && rg->scope[k]; k++)
		for (unsigned i = 0; i < ax_ndev; i++)
			if (!strcmp(rg->scope[k], ax_devs[i].path))
				return true;
	return false;
}

static void compute_pins(const struct ax_state *s)
{
	ax_units_clear(&pins);
	ax_units_clear(&live);
	for (unsigned k = 0; k < ax_nregions; k++)
		if (ax_region_present(s, &ax_regions[k]) && region_pinned(&ax_regions[k]))
			ax_units_add(&pins, ax_regions[k].r.base >> VT_PAGE_SHIFT,
				     ax_regions[k].r.last >> VT_PAGE_SHIFT, 1);
}

static bool relaxed_dev(const struct ax_state *s, unsigned dev)
{
	enum vt_policy pol = s->dev[dev].policy;

	return pol == VT_POLICY_RELAXED || (pol == VT_POLICY_DEFAULT && s->relaxed);
}

/* Add to `dst` the units of a that are also in b (counts of b: clip b to a). */
static void add_clipped(struct ax_units *dst, const struct ax_units *a, const struct ax_units *b)
{
	for (size_t i = 0; i < a->n; i++)
		for (size_t k = 0; k < b->n; k++) {
			uint64_t lo = a->v[i].first > b->v[k].first ? a->v[i].first : b->v[k].first;
			uint64_t hi = a->v[i].last < b->v[k].last ? a->v[i].last : b->v[k].last;
			if (lo <= hi)
				ax_units_add(dst, lo, hi, (int64_t)b->v[k].count);
		}
}

/* The pages of relaxed BARs the model maps now; the pinned ones among them become live. */
static void update_live(const struct ax_state *s)
{
	ax_units_clear(&relaxed_units);
	for (size_t i = 0; i < s->nwant; i++)
		if (s->want[i].space == VT_SPACE_MEM && relaxed_dev(s, s->want[i].dev))
			ax_units_add(&relaxed_units, s->want[i].r.base >> VT_PAGE_SHIFT,
				     s->want[i].r.last >> VT_PAGE_SHIFT, 1);
	ax_units_flatten(&relaxed_units);
	add_clipped(&live, &relaxed_units, &pins);
	ax_units_flatten(&live);
}

/* The recording backend's calls since the last check, one by one. */
static void check_calls(struct ax_state *s)
{
	for (size_t k = 0; k < s->rec.n; k++) {
		const struct map_call *c = &s->rec.call[k];
		struct ax_units *set = &s->backend[c->space];
		uint64_t first = c->first, last = c->first + c->nr - 1;

		FZ_CHECK(c->nr > 0 && last >= first, "op %lu: backend call with %llu units", s->op,
			 (unsigned long long)c->nr);
		if (c->map) {
			FZ_CHECK(!ax_units_overlap(set, first, last), "op %lu: map of 0x%llx-0x%llx: already mapped",
				 s->op, (unsigned long long)first, (unsigned long long)last);
			ax_units_add(set, first, last, 1);
			continue;
		}
		FZ_CHECK(ax_units_covers(set, first, last), "op %lu: unmap of 0x%llx-0x%llx: not all mapped",
			 s->op, (unsigned long long)first, (unsigned long long)last);
		FZ_CHECK(c->space != VT_SPACE_MEM || !ax_units_overlap(&pins, first, last),
			 "op %lu: unmap of pages 0x%llx-0x%llx removes pinned RMRR pages", s->op,
			 (unsigned long long)first, (unsigned long long)last);
		check_unmap(s, c->space, first, last);
		ax_units_add(set, first, last, -1);
	}
	s->rec.n = 0;
}

/*
 * No page the backend mapped overlaps RAM or a reserved range; a page of a
 * checked RMRR (pinned or not) is mapped only under a relaxed BAR, or,
 * pinned, because one covered it before (strict never maps an RMRR page).
 */
static void check_regions(const struct ax_state *s)
{
	const struct ax_units *set = &s->backend[VT_SPACE_MEM];

	ax_units_copy(&allowed, &relaxed_units);
	for (size_t i = 0; i < live.n; i++)
		ax_units_add(&allowed, live.v[i].first, live.v[i].last, 1);
	ax_units_flatten(&allowed);
	for (unsigned k = 0; k < ax_nregions; k++) {
		const struct ax_region *rg = &ax_regions[k];
		uint64_t f = rg->r.base >> VT_PAGE_SHIFT, l = rg->r.last >> VT_PAGE_SHIFT;
		if (!ax_region_selected(s, rg) || !ax_units_overlap(set, f, l))
			continue;
		if (rg->kind == MAP_REGION_RMRR) {
			bool ok = true;
			for (size_t i = 0; i < set->n && ok; i++) {
				uint64_t lo = set->v[i].first > f ? set->v[i].first : f;
				uint64_t hi = set->v[i].last < l ? set->v[i].last : l;
				ok = lo > hi || ax_units_covers(&allowed, lo, hi);
			}
			if (ok)
				continue;
			FZ_FAIL("op %lu: a mapped page overlaps RMRR 0x%llx-0x%llx, not under a relaxed BAR", s->op,
				(unsigned long long)rg->r.base, (unsigned long long)rg->r.last);
		}
		FZ_FAIL("op %lu: a mapped page overlaps %s 0x%llx-0x%llx", s->op,
			rg->kind == MAP_REGION_RAM ? "RAM" : "reserved range",
			(unsigned long long)rg->r.base, (unsigned long long)rg->r.last);
	}
}

static void walk_cb(void *ctx, uint64_t first, uint64_t last, uint64_t refs)
{
	struct ax_units *u = ctx;

	FZ_CHECK(refs > 0 && last >= first, "map_walk: run 0x%llx-0x%llx with %llu references",
		 (unsigned long long)first, (unsigned long long)last, (unsigned long long)refs);
	ax_units_add(u, first, last, (int64_t)refs);
}

static void spot(const struct ax_state *s, enum vt_space sp, uint64_t unit)
{
	uint64_t bars = ax_units_count(&exp_units[sp], unit);
	uint64_t pin = sp == VT_SPACE_MEM ? ax_units_count(&pins, unit) : 0;
	struct mapper *mp = vpci_machine_mapper(s->m);

	FZ_CHECK(map_refcount(mp, sp, unit) == bars + pin,
		 "op %lu: map_refcount(%s 0x%llx) = %llu, expected %llu BARs + %llu RMRR pins", s->op,
		 sp == VT_SPACE_MEM ? "page" : "port", (unsigned long long)unit,
		 (unsigned long long)map_refcount(mp, sp, unit), (unsigned long long)bars,
		 (unsigned long long)pin);
	bool was = sp == VT_SPACE_MEM && ax_units_count(&live, unit); /* a pinned page mapped for good */

	FZ_CHECK(map_is_mapped(mp, sp, unit) == (bars > 0 || was),
		 "op %lu: map_is_mapped(%s 0x%llx) wrong (%llu BARs, %llu pins, %s)", s->op,
		 sp == VT_SPACE_MEM ? "page" : "port", (unsigned long long)unit, (unsigned long long)bars,
		 (unsigned long long)pin, was ? "covered by a relaxed BAR before" : "not live");
}

static void spot_edges(const struct ax_state *s, enum vt_space sp, uint64_t f, uint64_t l)
{
	if (f)
		spot(s, sp, f - 1);
	spot(s, sp, f);
	spot(s, sp, l);
	if (l != UINT64_MAX)
		spot(s, sp, l + 1);
}

static void expected_units(const struct ax_state *s)
{
	ax_units_clear(&exp_units[0]);
	ax_units_clear(&exp_units[1]);
	for (size_t i = 0; i < s->nwant; i++) {
		uint64_t f, l;
		units_of(&s->want[i], &f, &l);
		ax_units_add(&exp_units[s->want[i].space], f, l, 1);
	}
}

/*
 * Reference counts: at every edge, over every mapped run, and the
 * backend's own view. map_walk reports what is mapped through the backend
 * (the BARs' pages and the live pinned pages) with every reference, pins
 * included.
 */
static void check_refs(struct ax_state *s)
{
	expected_units(s);
	for (size_t i = 0; i < s->nwant; i++) {
		uint64_t f, l;
		units_of(&s->want[i], &f, &l);
		spot_edges(s, s->want[i].space, f, l);
	}
	for (size_t k = 0; k < pins.n; k++)
		spot_edges(s, VT_SPACE_MEM, pins.v[k].first, pins.v[k].last);
	for (size_t k = 0; k < live.n; k++)
		spot_edges(s, VT_SPACE_MEM, live.v[k].first, live.v[k].last);
	for (unsigned sp = 0; sp < 2; sp++) {
		ax_units_copy(&scratch, &exp_units[sp]);
		if (sp == VT_SPACE_MEM)
			add_clipped(&scratch, &live, &pins);
		ax_units_normalize(&scratch);
		ax_units_clear(&walked);
		map_walk(vpci_machine_mapper(s->m), (enum vt_space)sp, walk_cb, &walked);
		ax_units_normalize(&walked);
		FZ_CHECK(ax_units_equal(&scratch, &walked), "op %lu: map_walk(%s) differs from the mapped BARs "
			 "(%zu runs expected, %zu walked)", s->op, sp ? "io" : "mem", scratch.n, walked.n);
		ax_units_flatten(&scratch);
		ax_units_copy(&walked, &s->backend[sp]);
		ax_units_flatten(&walked);
		FZ_CHECK(ax_units_equal(&scratch, &walked), "op %lu: the backend's %s units differ from the "
			 "mapped BARs (%zu runs expected, %zu mapped)", s->op, sp ? "io" : "mem", scratch.n,
			 walked.n);
	}
}

static bool mapped_match(const struct ax_state *s, const struct ax_map *w, const struct vpci_mapped *v)
{
	uint32_t sbdf = ax_sbdf(s, w->dev);

	if (w->bar != v->bar || w->space != v->space || w->r.base != v->range.base || w->r.last != v->range.last)
		return false;
	if (VT_SBDF_SEG(sbdf) != VT_SBDF_SEG(v->sbdf) || VT_SBDF_DEVFN(sbdf) != VT_SBDF_DEVFN(v->sbdf))
		return false;
	return s->dev[w->dev].bus < 0 || VT_SBDF_BUS(sbdf) == VT_SBDF_BUS(v->sbdf);
}

/*
 * The mapped set (what --final prints) is exactly the model's. Functions
 * routing cannot reach have no bus number to compare: they are matched
 * after the others, so they cannot take another function's entry.
 */
static void check_mapped(const struct ax_state *s)
{
	struct vpci_mapped *v = NULL;
	size_t n = vpci_machine_mapped(s->m, &v);
	bool used[AX_MAXDEV * AX_NBARS] = { false };

	FZ_CHECK(n == s->nwant, "op %lu: %zu BARs mapped, the model says %zu", s->op, n, s->nwant);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->nwant; i++) {
			const struct ax_map *w = &s->want[i];
			size_t k;
			if ((s->dev[w->dev].bus < 0) != pass)
				continue;
			for (k = 0; k < n; k++)
				if (!used[k] && mapped_match(s, w, &v[k]))
					break;
			FZ_CHECK(k < n, "op %lu: %s %s should be mapped at %s 0x%llx-0x%llx", s->op,
				 path_of(w->dev), vt_bar_name(w->bar), w->space ? "io" : "mem",
				 (unsigned long long)w->r.base, (unsigned long long)w->r.last);
			used[k] = true;
		}
	}
	free(v);
}

static void check_events(const struct ax_state *s)
{
	FZ_CHECK(s->maps - s->unmaps == s->nwant, "op %lu: %lu map and %lu unmap events for %zu mapped BARs",
		 s->op, s->maps, s->unmaps, s->nwant);
}

/*
 * Routing is a function of the bridges' bus numbers: sweep every bus number
 * of segment 0 when one of them changed (segment 1 has no bridge), and of
 * both segments every 32 accesses anyway. Returns a mask of segments.
 */
static unsigned routing_changed(struct ax_state *s)
{
	uint8_t now[AX_MAXDEV][3];
	unsigned full = s->op % 32 == 0 ? 3 : 0;

	for (unsigned i = 0; i < ax_ndev; i++)
		memcpy(now[i], s->dev[i].cfg + PCI_PRIMARY_BUS, 3);
	if (memcmp(now, s->swept, sizeof(now)))
		full |= 1;
	memcpy(s->swept, now, sizeof(now));
	return full;
}

void ax_check_all(struct ax_state *s)
{
	refresh(s);
	sweep_routes(s, routing_changed(s));
	for (unsigned i = 0; i < ax_ndev; i++)
		if (s->dev[i].bus >= 0)
			check_readback(s, i);
	memcpy(s->prev, s->want, s->nwant * sizeof(*s->want));
	s->nprev = s->nwant;
	ax_model_want(s);
	update_live(s);
	check_calls(s);
	check_regions(s);
	check_refs(s);
	check_mapped(s);
	check_events(s);
}

static void on_event(void *ctx, const struct vt_event *e)
{
	struct ax_state *s = ctx;

	s->maps += e->type == VT_EV_MAP;
	s->unmaps += e->type == VT_EV_UNMAP;
	if (fz_verbose) {
		char buf[256];
		vt_event_format(e, buf, sizeof(buf));
		fprintf(stderr, "    event: %s\n", buf);
	}
}

/* Before finishing the machine: count events. After: every function must be reachable. */
void ax_check_init(struct ax_state *s)
{
	vt_events_subscribe(&s->ev, on_event, s);
}

void ax_check_start(struct ax_state *s)
{
	for (unsigned i = 0; i < ax_ndev; i++) {
		s->dev[i].d = vpci_dev_by_path(s->m, ax_devs[i].path);
		FZ_CHECK(s->dev[i].d, "machine: no device %s", ax_devs[i].path);
	}
	refresh(s);
	compute_pins(s);
	for (unsigned i = 0; i < ax_ndev; i++) {
		FZ_CHECK(s->dev[i].bus >= 0, "machine: %s unreachable at reset", path_of(i));
		memcpy(s->dev[i].init, s->dev[i].cfg, AX_HDR);
		memcpy(s->dev[i].raw, s->dev[i].cfg, AX_HDR);
		if (ax_devs[i].extmask)
			vt_le_put(s->dev[i].aer, 4, AX_AER_RESET);
	}
	s->nwant = 0;
	ax_check_all(s);
}
