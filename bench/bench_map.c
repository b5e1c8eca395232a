/*
 * bench/bench_map.c - measurement 3 of issue 7: mapping.
 *
 *  a. Memory decode on and off for a function with a 64 GiB BAR: the
 *     counting backend must see one call per contiguous range, or calls
 *     split exactly at the max_nr we give it.
 *  b. BAR moves among 4096 functions with 10,000 RAM/reserved/RMRR ranges
 *     (each move: unmap, conflict check, map or refuse), and the same with
 *     10x fewer and more ranges and fewer functions, to show O(log n).
 *  c. Renumbering a bridge with 4096 functions behind it: one write to its
 *     bus numbers, and moving the whole subtree to other bus numbers.
 *
 * All accesses go through the trap path (pre-decoded), as a guest's would.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "../vpci/pci_regs.h"

#define BIG_BAR  (64ull << 30)
#define BIG_BASE (64ull << 30) /* naturally aligned, above RAM */
#define GIB_PAGES (1ull << 18) /* 1 GiB in 4 KiB pages: the limit we set */

static int ram_low(struct vpci_machine *m, void *ctx)
{
	struct vt_range lo = { 0, 0x7fffffff }, hi = { 1ull << 32, (34ull << 30) - 1 };

	int rc = vpci_machine_add_region(m, MAP_REGION_RAM, &lo);

	return rc ? rc : vpci_machine_add_region(m, MAP_REGION_RAM, &hi);
}

/* One function, BAR0 = 64 GiB (64-bit prefetchable), decode off. */
static int big_machine(struct bench_machine *bm, uint64_t max_nr, struct vt_err *err)
{
	struct vpci_dev_desc *d = malloc(sizeof(*d));
	int rc;

	memset(bm, 0, sizeof(*bm));
	vt_events_init(&bm->ev);
	bench_counter_init(&bm->cnt, max_nr);
	if (!d || !(bm->m = vpci_machine_create(&bm->ev, &bm->cnt.ops, &bm->cnt))) {
		free(d);
		return vt_errf(err, ENOMEM, "out of memory");
	}
	bench_desc_endpoint(d, "00:00.0", 0, false);
	vt_le_put(d->cfg + PCI_COMMAND, 2, 0);
	vt_le_put(d->cfg + PCI_BASE_ADDRESS_0, 4, (uint32_t)BIG_BASE | 0x0c);
	vt_le_put(d->cfg + PCI_BASE_ADDRESS_0 + 4, 4, (uint32_t)(BIG_BASE >> 32));
	d->bar_size[0] = BIG_BAR;
	d->bar_size[2] = 0;
	if (!(rc = vpci_machine_add_dev(bm->m, d, err)) && (rc = ram_low(bm->m, NULL)))
		vt_errf(err, rc, "out of memory");
	free(d);
	if (!rc && !(rc = vpci_machine_finish(bm->m, err)))
		trap_init(&bm->trap, bm->m);
	return rc;
}

static void toggle(void *p, unsigned long n)
{
	struct trap *t = p;

	for (unsigned long i = 0; i < n; i++) {
		trap_cfg_write(t, 0, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
		trap_cfg_write(t, 0, PCI_COMMAND, 2, 0);
	}
}

static int big_bar(const struct bench_opts *o, uint64_t max_nr, struct bench_summary *s)
{
	struct bench_machine bm;
	struct vt_err err;
	struct bench_stat st;
	uint64_t pages = BIG_BAR >> VT_PAGE_SHIFT, want = max_nr ? (pages + max_nr - 1) / max_nr : 1;
	unsigned long maps, unmaps;
	char a[40];
	bool ok;

	if (big_machine(&bm, max_nr, &err)) {
		fprintf(stderr, "vpcitrap bench: %s\n", err.msg);
		return -1;
	}
	toggle(&bm.trap, 1);
	maps = bm.cnt.maps, unmaps = bm.cnt.unmaps;
	ok = maps == want && unmaps == want && bm.cnt.map_units == pages && (!max_nr || bm.cnt.largest <= max_nr);
	bench_measure(o, toggle, &bm.trap, 2, &st);
	fprintf(o->out, "%-10s %-12llu %-10lu %-10lu %-12llu %-6s %s\n", max_nr ? "1 GiB" : "none",
		(unsigned long long)pages, maps, unmaps, (unsigned long long)bm.cnt.largest, ok ? "ok" : "WRONG",
		bench_fmt_stat(&st, a));
	if (!max_nr)
		s->map_calls_64g = maps;
	bench_machine_free(&bm);
	return 0;
}

/* Platform ranges: a tenth inside the BAR window (conflicts), the rest below it. */
struct ranges_ctx {
	unsigned n;
	uint64_t rng;
};

static int add_ranges(struct vpci_machine *m, void *p)
{
	struct ranges_ctx *c = p;
	unsigned inside = c->n / 10 < 1000 ? c->n / 10 : 1000;
	int rc = 0;

	for (unsigned i = 0; i < c->n && !rc; i++) {
		uint64_t size = 4096ull << (bench_rand(&c->rng) % (i < inside ? 3 : 9));
		uint64_t base = i < inside ? BENCH_BAR_BASE(0) + (bench_rand(&c->rng) % (1ull << 20)) * 4096 :
					     (bench_rand(&c->rng) % ((BENCH_BAR_BASE(0) >> 12) - 512)) * 4096;
		struct vt_range r = { base, base + size - 1 };
		if (i % 3 == 2)
			rc = vpci_machine_add_rmrr(m, &r, NULL, 0);
		else
			rc = vpci_machine_add_region(m, i % 3 ? MAP_REGION_RESERVED : MAP_REGION_RAM, &r);
	}
	return rc;
}

struct move_ctx {
	struct bench_machine *bm;
	uint64_t rng;
	unsigned long moves;
};

/* Move a random function's BAR0 to a random 512 KiB slot of the 4 GiB window. */
static void moves(void *p, unsigned long n)
{
	struct move_ctx *c = p;

	for (unsigned long i = 0; i < n; i++) {
		uint64_t r = bench_rand(&c->rng);
		uint32_t sbdf = c->bm->sbdf[c->bm->ep[(r & 0xffffffff) % c->bm->nep]];
		uint32_t lo = (uint32_t)(BENCH_BAR_BASE(0) + ((r >> 32) % 8192) * (512 << 10));

		trap_cfg_write(&c->bm->trap, sbdf, PCI_BASE_ADDRESS_0, 4, lo | 0x0c);
	}
	c->moves += n;
}

static int move_row(const struct bench_opts *o, unsigned nfn, unsigned nranges, double *ns)
{
	struct ranges_ctx rc = { nranges, 0x1234567 };
	struct bench_gen g = { 0, add_ranges, &rc };
	struct bench_machine bm;
	struct move_ctx c = { &bm, 42, 0 };
	struct vt_err err;
	struct bench_stat st;
	unsigned long refused0;
	char a[40];

	if (bench_machine_gen_ex(&bm, nfn, &g, &err)) {
		fprintf(stderr, "vpcitrap bench: %s\n", err.msg);
		return -1;
	}
	refused0 = bm.ev.count[VT_EV_REFUSE];
	bench_measure(o, moves, &c, 1, &st);
	fprintf(o->out, "%-10u %-8u %-10.1f %-20s %5.1f%%\n", nfn, nranges, bm.build_ms, bench_fmt_stat(&st, a),
		100.0 * (double)(bm.ev.count[VT_EV_REFUSE] - refused0) / (double)c.moves);
	*ns = st.med;
	bench_machine_free(&bm);
	return 0;
}

static int bar_moves(const struct bench_opts *o)
{
	static const unsigned full[][2] = { { 4096, 100 }, { 4096, 1000 }, { 4096, 10000 }, { 4096, 100000 },
					    { 64, 10000 } };
	static const unsigned quick[][2] = { { 4096, 100 }, { 4096, 10000 }, { 4096, 100000 }, { 64, 10000 } };
	const unsigned (*rows)[2] = o->quick ? quick : full;
	unsigned n = o->quick ? VT_ARRAY_SIZE(quick) : VT_ARRAY_SIZE(full);
	double ns[VT_ARRAY_SIZE(full)];

	fprintf(o->out, "\nb. BAR moves: one 4-byte BAR0 write (move, unmap, conflict check, map or refuse), "
		"ns per move; ranges: 1/3 RAM, reserved, RMRR\n");
	fprintf(o->out, "%-10s %-8s %-10s %-20s %s\n", "functions", "ranges", "build ms", "ns/move", "refused");
	for (unsigned i = 0; i < n; i++)
		if (move_row(o, rows[i][0], rows[i][1], &ns[i]))
			return -1;
	fprintf(o->out, "O(log n): 1000x the ranges costs x%.2f per move (log2 ratio: x%.1f; linear: x1000); "
		"64x the functions x%.2f\n", ns[n - 2] / ns[0], 2.5 /* log 1e5 / log 1e2 */,
		ns[o->quick ? 1 : 2] / ns[n - 1]);
	return 0;
}

#define TOP_BRIDGE VT_SBDF(0, 0, 8) /* 00:01.0 */

static void bus_write(struct trap *t, uint32_t sbdf, unsigned pri, unsigned sec, unsigned sub)
{
	trap_cfg_write(t, sbdf, PCI_PRIMARY_BUS, 4, pri | sec << 8 | sub << 16);
}

/* The bridge first, then its 16 ports (reached on its new secondary bus). */
static void move_subtree(struct trap *t, unsigned base)
{
	bus_write(t, TOP_BRIDGE, 0, base, base + 16);
	for (unsigned p = 0; p < 16; p++)
		bus_write(t, VT_SBDF(0, base, p), base, base + 1 + p, base + 1 + p);
}

static void ren_subtree(void *p, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		move_subtree(p, 0x41);
		move_subtree(p, 1);
	}
}

static void ren_single(void *p, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		bus_write(p, TOP_BRIDGE, 0, 1, 18);
		bus_write(p, TOP_BRIDGE, 0, 1, 17);
	}
}

/* Endpoints that answer at the numbers their ports now hold (buses base+1..). */
static unsigned reachable(const struct bench_machine *bm, unsigned base)
{
	unsigned n = 0;

	for (unsigned p = 0; p < 16; p++)
		for (unsigned devfn = 0; devfn < 256; devfn++)
			n += vpci_dev_lookup(bm->m, VT_SBDF(0, base + 1 + p, devfn)) != NULL;
	return n;
}

static int renumber(const struct bench_opts *o, struct bench_summary *s)
{
	struct bench_machine bm;
	struct vt_err err;
	struct bench_stat one, sub;
	unsigned moved, back;
	char a[40], b[40];

	if (bench_machine_deep(&bm, &err)) {
		fprintf(stderr, "vpcitrap bench: %s\n", err.msg);
		return -1;
	}
	move_subtree(&bm.trap, 0x41);
	moved = reachable(&bm, 0x41);
	move_subtree(&bm.trap, 1);
	back = reachable(&bm, 1);
	bench_measure(o, ren_single, &bm.trap, 2, &one);
	bench_measure(o, ren_subtree, &bm.trap, 2, &sub);
	one = (struct bench_stat){ one.med / 1e3, one.min / 1e3, one.max / 1e3 }; /* ns -> us */
	sub = (struct bench_stat){ sub.med / 1e3, sub.min / 1e3, sub.max / 1e3 };
	fprintf(o->out, "\nc. renumbering 00:01.0 with %u functions behind it (16 ports x 256), us\n", bm.nfn - 1);
	fprintf(o->out, "one write to its bus numbers (a renumber):         %s\n", bench_fmt_stat(&one, a));
	fprintf(o->out, "moving the subtree to buses 0x41-0x51 (17 writes): %s  (%u/4096 reachable there, "
		"%u/4096 back)\n", bench_fmt_stat(&sub, b), moved, back);
	s->renumber_us = sub.med;
	bench_machine_free(&bm);
	return 0;
}

int bench_map(const struct bench_opts *o, struct bench_summary *s)
{
	fprintf(o->out, "\n== 3. mapping ==\n");
	fprintf(o->out, "a. decode on/off, 64 GiB BAR0 (counting backend): calls per change, ns per change\n");
	fprintf(o->out, "%-10s %-12s %-10s %-10s %-12s %-6s %s\n", "max_nr", "pages", "maps", "unmaps", "largest",
		"check", "ns/change");
	if (big_bar(o, 0, s) || big_bar(o, GIB_PAGES, s))
		return -1;
	if (bar_moves(o))
		return -1;
	return renumber(o, s);
}
