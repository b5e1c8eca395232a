/*
 * tests/test_mapper.c - mapper/: page reference counts, coalesced backend
 * calls, conflicts and the RDM policy (CONTRACT §3), and a randomized check
 * against a naive per-page model.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../mapper/private.h"
#include "core_util.h"

#define SBDF0 VT_SBDF(0, 0, VT_DEVFN(2, 0))

struct mt {
	struct tu_ev te;
	struct map_record rec;
	struct map_ops ops;
	struct mapper *m;
	size_t seen;            /* calls already looked at */
};

static void mt_init(struct mt *t, uint64_t max_nr)
{
	memset(t, 0, sizeof(*t));
	tu_ev_init(&t->te);
	t->rec.keep = true;
	t->ops = map_ops_record;
	t->ops.max_nr = max_nr;
	t->m = map_create(&t->ops, &t->rec, &t->te.ev);
	CU_ASSERT_FATAL(t->m != NULL);
}

static void mt_free(struct mt *t)
{
	map_destroy(t->m);
	map_record_reset(&t->rec);
	tu_ev_free(&t->te);
}

static void region(struct mt *t, enum map_region kind, uint64_t base, uint64_t last)
{
	CU_ASSERT_FATAL(map_region_add(t->m, kind, &(struct vt_range){ base, last }) == 0);
}

static void set(struct mt *t, struct map_slot *s, unsigned bar, enum vt_policy pol, enum vt_space sp,
		uint64_t base, uint64_t last)
{
	struct map_owner who = { SBDF0, (uint8_t)bar, pol };

	map_slot_set(t->m, s, &who, sp, &(struct vt_range){ base, last });
}

static void clear(struct mt *t, struct map_slot *s, unsigned bar)
{
	struct map_owner who = { SBDF0, (uint8_t)bar, VT_POLICY_DEFAULT };

	map_slot_set(t->m, s, &who, VT_SPACE_MEM, NULL);
}

/* The backend calls since the last look, as "+first/nr -first/nr" (hex, io prefixed 'io'). */
static const char *calls(struct mt *t)
{
	static char buf[4096];
	size_t o = 0;

	buf[0] = 0;
	for (; t->seen < t->rec.n && o < sizeof(buf) - 64; t->seen++) {
		const struct map_call *c = &t->rec.call[t->seen];
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s%c%llx/%llx", o ? " " : "",
				      c->space == VT_SPACE_IO ? "io" : "", c->map ? '+' : '-',
				      (unsigned long long)c->first, (unsigned long long)c->nr);
	}
	return buf;
}
#define TU_CALLS(t, want)                    \
	do {                                 \
		const char *got_ = calls(t); \
		TU_STREQ(got_, want);        \
	} while (0)

/* ---- reference counts ------------------------------------------------- */

static void test_shared_page(void)
{
	struct mt t;
	struct map_slot a = { 0 }, b = { 0 };

	mt_init(&t, 0);
	map_seal(t.m);
	set(&t, &a, 0, VT_POLICY_DEFAULT, VT_SPACE_MEM, 0xfe000000, 0xfe0007ff);
	TU_CALLS(&t, "+fe000/1");
	set(&t, &b, 1, VT_POLICY_DEFAULT, VT_SPACE_MEM, 0xfe000800, 0xfe000fff);
	TU_CALLS(&t, "");
	TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0xfe000), 2);
	TU_EVENTS(&t.te, "map 0000:00:02.0 bar0 mem 0xfe000000-0xfe0007ff | "
			 "map 0000:00:02.0 bar1 mem 0xfe000800-0xfe000fff");
	/* Either unmapping first leaves the page to the other. */
	clear(&t, &a, 0);
	TU_CALLS(&t, "");
	CU_ASSERT(map_is_mapped(t.m, VT_SPACE_MEM, 0xfe000));
	TU_EVENTS(&t.te, "unmap 0000:00:02.0 bar0 mem 0xfe000000-0xfe0007ff");
	set(&t, &a, 0, VT_POLICY_DEFAULT, VT_SPACE_MEM, 0xfe000000, 0xfe0007ff);
	TU_CALLS(&t, "");
	clear(&t, &b, 1);
	TU_CALLS(&t, "");
	CU_ASSERT(map_is_mapped(t.m, VT_SPACE_MEM, 0xfe000));
	clear(&t, &a, 0);
	TU_CALLS(&t, "-fe000/1");
	CU_ASSERT(!map_is_mapped(t.m, VT_SPACE_MEM, 0xfe000));
	TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0xfe000), 0);
	/* Clearing an empty slot: nothing at all. */
	tu_ev_clear(&t.te);
	clear(&t, &a, 0);
	TU_CALLS(&t, "");
	TU_EVENTS(&t.te, "");
	mt_free(&t);
}

static void test_overlap_nested(void)
{
	struct mt t;
	struct map_slot a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };

	mt_init(&t, 0);
	map_seal(t.m);
	/* Overlapping: A pages 0x10-0x1f, B 0x18-0x27. */
	set(&t, &a, 0, 0, VT_SPACE_MEM, 0x10000, 0x1ffff);
	TU_CALLS(&t, "+10/10");
	set(&t, &b, 1, 0, VT_SPACE_MEM, 0x18000, 0x27fff);
	TU_CALLS(&t, "+20/8");
	clear(&t, &a, 0);
	TU_CALLS(&t, "-10/8");
	clear(&t, &b, 1);
	TU_CALLS(&t, "-18/10");
	/* Nested: D inside C; unmapping C leaves D's pages, in two runs. */
	set(&t, &c, 2, 0, VT_SPACE_MEM, 0x100000, 0x1fffff);
	TU_CALLS(&t, "+100/100");
	set(&t, &d, 3, 0, VT_SPACE_MEM, 0x140000, 0x17ffff);
	TU_CALLS(&t, "");
	clear(&t, &c, 2);
	TU_CALLS(&t, "-100/40 -180/80");
	for (uint64_t p = 0x100; p < 0x200; p++)
		TU_CHECK(map_is_mapped(t.m, VT_SPACE_MEM, p) == (p >= 0x140 && p < 0x180), "page %llx",
			 (unsigned long long)p);
	/* C again around D: two map runs. */
	set(&t, &c, 2, 0, VT_SPACE_MEM, 0x100000, 0x1fffff);
	TU_CALLS(&t, "+100/40 +180/80");
	clear(&t, &d, 3);
	TU_CALLS(&t, "");
	clear(&t, &c, 2);
	TU_CALLS(&t, "-100/100");
	/* A BAR moving by less than its size: unmap old, then map new (unmap before remap). */
	set(&t, &a, 0, 0, VT_SPACE_MEM, 0x10000, 0x1ffff);
	calls(&t);
	tu_ev_clear(&t.te);
	set(&t, &a, 0, 0, VT_SPACE_MEM, 0x18000, 0x27fff);
	TU_CALLS(&t, "-10/10 +18/10");
	TU_EVENTS(&t.te, "unmap 0000:00:02.0 bar0 mem 0x10000-0x1ffff | "
			 "map 0000:00:02.0 bar0 mem 0x18000-0x27fff");
	/* The same range again: no events, no calls. */
	set(&t, &a, 0, 0, VT_SPACE_MEM, 0x18000, 0x27fff);
	TU_CALLS(&t, "");
	TU_EVENTS(&t.te, "");
	mt_free(&t);
}

static void test_coalesce(void)
{
	struct mt t;
	struct map_slot s[4] = { { 0 } }, big = { 0 }, io = { 0 }, io2 = { 0 };

	mt_init(&t, 0);
	map_seal(t.m);
	/* Holes punched by two single pages: three runs, one call each. */
	set(&t, &s[0], 0, 0, VT_SPACE_MEM, 0x205000, 0x205fff);
	set(&t, &s[1], 1, 0, VT_SPACE_MEM, 0x20a000, 0x20afff);
	TU_CALLS(&t, "+205/1 +20a/1");
	set(&t, &s[2], 2, 0, VT_SPACE_MEM, 0x200000, 0x20ffff);
	TU_CALLS(&t, "+200/5 +206/4 +20b/5");
	clear(&t, &s[0], 0);
	clear(&t, &s[1], 1);
	TU_CALLS(&t, "");
	/* The segments left behind are one run now: one unmap call. */
	clear(&t, &s[2], 2);
	TU_CALLS(&t, "-200/10");
	tu_ev_clear(&t.te);
	/* 64 GiB: one call of 16M pages. */
	set(&t, &big, 0, 0, VT_SPACE_MEM, 0x1000000000ull, 0x1fffffffffull);
	TU_CALLS(&t, "+1000000/1000000");
	TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0x1800000), 1);
	clear(&t, &big, 0);
	TU_CALLS(&t, "-1000000/1000000");
	/* The top of the address space. */
	set(&t, &big, 0, 0, VT_SPACE_MEM, 0xfffffffff0000000ull, UINT64_MAX);
	TU_CALLS(&t, "+fffffffff0000/10000");
	CU_ASSERT(map_is_mapped(t.m, VT_SPACE_MEM, 0xfffffffffffffull));
	clear(&t, &big, 0);
	TU_CALLS(&t, "-fffffffff0000/10000");
	/* I/O ports are units themselves. */
	set(&t, &io, 1, 0, VT_SPACE_IO, 0xc000, 0xc01f);
	TU_CALLS(&t, "io+c000/20");
	set(&t, &io2, 2, 0, VT_SPACE_IO, 0xc010, 0xc03f);
	TU_CALLS(&t, "io+c020/20");
	CU_ASSERT(!map_is_mapped(t.m, VT_SPACE_MEM, 0xc));
	clear(&t, &io, 1);
	TU_CALLS(&t, "io-c000/10");
	TU_EVENTS(&t.te, "map 0000:00:02.0 bar0 mem 0x1000000000-0x1fffffffff | "
			 "unmap 0000:00:02.0 bar0 mem 0x1000000000-0x1fffffffff | "
			 "map 0000:00:02.0 bar0 mem 0xfffffffff0000000-0xffffffffffffffff | "
			 "unmap 0000:00:02.0 bar0 mem 0xfffffffff0000000-0xffffffffffffffff | "
			 "map 0000:00:02.0 bar1 io 0xc000-0xc01f | map 0000:00:02.0 bar2 io 0xc010-0xc03f | "
			 "unmap 0000:00:02.0 bar1 io 0xc000-0xc01f");
	mt_free(&t);

	/* A backend limit splits runs, and only there. */
	mt_init(&t, 4);
	map_seal(t.m);
	set(&t, &s[0], 0, 0, VT_SPACE_MEM, 0x10000, 0x19fff);
	TU_CALLS(&t, "+10/4 +14/4 +18/2");
	set(&t, &s[1], 1, 0, VT_SPACE_MEM, 0x1c000, 0x1ffff);
	TU_CALLS(&t, "+1c/4");
	set(&t, &s[2], 2, 0, VT_SPACE_MEM, 0x10000, 0x20fff);
	TU_CALLS(&t, "+1a/2 +20/1");
	clear(&t, &s[0], 0);
	clear(&t, &s[1], 1);
	TU_CALLS(&t, "");
	clear(&t, &s[2], 2);
	TU_CALLS(&t, "-10/4 -14/4 -18/4 -1c/4 -20/1");
	mt_free(&t);
}

/*
 * The segment tree stays canonical: no two adjacent segments with the same
 * counts, so its size follows the ranges mapped now, not the history (a
 * guest moving a small BAR across a large one must not grow it forever).
 */
struct canon { const struct refs_node *prev; unsigned bad; size_t n; };

static void canon_cb(void *ctx, const struct refs_node *n)
{
	struct canon *c = ctx;

	if (c->prev && c->prev->last + 1 == n->first && c->prev->count == n->count && c->prev->pin == n->pin)
		c->bad++;
	c->prev = n;
	c->n++;
}

static size_t canon_check(struct mt *t, enum vt_space sp)
{
	struct canon c = { NULL, 0, 0 };

	refs_walk(&t->m->refs[sp], canon_cb, &c);
	TU_CHECK(c.bad == 0, "%u adjacent segments with equal counts (of %zu)", c.bad, c.n);
	TU_CHECK(c.n == t->m->refs[sp].nodes, "walk %zu nodes, count says %zu", c.n, t->m->refs[sp].nodes);
	return c.n;
}

static void test_canonical(void)
{
	struct mt t;
	struct map_slot big = { 0 }, small = { 0 }, io = { 0 }, io2 = { 0 };
	size_t most = 0;

	mt_init(&t, 0);
	map_seal(t.m);
	set(&t, &big, 0, 0, VT_SPACE_MEM, 0x10000000, 0x13ffffff); /* 16K pages */
	for (uint64_t p = 0; p < 0x4000; p += 7) {
		set(&t, &small, 1, 0, VT_SPACE_MEM, 0x10000000 + (p << 12), 0x10000fff + (p << 12));
		size_t n = canon_check(&t, VT_SPACE_MEM);
		most = n > most ? n : most;
	}
	clear(&t, &small, 1);
	TU_EQ(canon_check(&t, VT_SPACE_MEM), 1);
	TU_CHECK(most <= 3, "up to %zu segments for two ranges", most);
	clear(&t, &big, 0);
	TU_EQ(canon_check(&t, VT_SPACE_MEM), 0);
	/* Adjacent ranges of the same count are one segment, whatever the order they came in. */
	set(&t, &io, 0, 0, VT_SPACE_IO, 0x1000, 0x10ff);
	set(&t, &io2, 1, 0, VT_SPACE_IO, 0x1100, 0x11ff);
	TU_EQ(canon_check(&t, VT_SPACE_IO), 1);
	clear(&t, &io, 0);
	set(&t, &io, 0, 0, VT_SPACE_IO, 0x1000, 0x10ff);
	TU_EQ(canon_check(&t, VT_SPACE_IO), 1);
	TU_CALLS(&t, "+10000/4000 -10000/4000 io+1000/100 io+1100/100 io-1000/100 io+1000/100");
	mt_free(&t);
}

/* ---- conflicts -------------------------------------------------------- */

/* A platform: RAM 0-0x7fffffff, reserved 0xfec00000-0xfecfffff, RMRR 0xd0000000-0xd00fffff. */
static void platform(struct mt *t)
{
	region(t, MAP_REGION_RAM, 0x100000000ull, 0x17fffffffull);
	region(t, MAP_REGION_RAM, 0, 0x7fffffff);
	region(t, MAP_REGION_RESERVED, 0xfec00000, 0xfecfffff);
	region(t, MAP_REGION_RMRR, 0xd0000000, 0xd00fffff);
	CU_ASSERT_FATAL(map_seal(t->m) == 0);
}

static void test_conflict_kinds(void)
{
	struct mt t;
	struct map_slot s = { 0 };

	for (int g = VT_POLICY_STRICT; g <= VT_POLICY_RELAXED; g++) {
		memset(&s, 0, sizeof(s));
		mt_init(&t, 0);
		platform(&t);
		map_set_policy(t.m, (enum vt_policy)g);
		CU_ASSERT(map_get_policy(t.m) == (enum vt_policy)g);
		/* RAM and reserved: refused whatever the policy. */
		for (int p = VT_POLICY_DEFAULT; p <= VT_POLICY_RELAXED; p++) {
			set(&t, &s, 0, (enum vt_policy)p, VT_SPACE_MEM, 0x7ffff000, 0x80000fff);
			TU_EVENTS(&t.te, "refuse 0000:00:02.0 bar0 0x7ffff000-0x80000fff ram 0x0-0x7fffffff "
					 "policy=strict");
			CU_ASSERT(s.refused && !s.active);
			set(&t, &s, 0, (enum vt_policy)p, VT_SPACE_MEM, 0xfecff000, 0xfecfffff);
			TU_EVENTS(&t.te, "refuse 0000:00:02.0 bar0 0xfecff000-0xfecfffff reserved "
					 "0xfec00000-0xfecfffff policy=strict");
			set(&t, &s, 0, (enum vt_policy)p, VT_SPACE_MEM, 0x17ffff000ull, 0x17fffffffull);
			TU_EVENTS(&t.te, "refuse 0000:00:02.0 bar0 0x17ffff000-0x17fffffff ram "
					 "0x100000000-0x17fffffff policy=strict");
			clear(&t, &s, 0);
			TU_EVENTS(&t.te, ""); /* refused: nothing to unmap */
		}
		TU_CALLS(&t, "");
		/* RMRR: the effective policy decides; the device's wins over the global one. */
		for (int p = VT_POLICY_DEFAULT; p <= VT_POLICY_RELAXED; p++) {
			int eff = p == VT_POLICY_DEFAULT ? g : p;
			set(&t, &s, 0, (enum vt_policy)p, VT_SPACE_MEM, 0xd0000000, 0xd0003fff);
			if (eff == VT_POLICY_STRICT) {
				TU_EVENTS(&t.te, "refuse 0000:00:02.0 bar0 0xd0000000-0xd0003fff rmrr "
						 "0xd0000000-0xd00fffff policy=strict");
				CU_ASSERT(s.refused && !s.active);
			} else {
				TU_EVENTS(&t.te, "warn 0000:00:02.0 bar0 0xd0000000-0xd0003fff rmrr "
						 "0xd0000000-0xd00fffff policy=relaxed | "
						 "map 0000:00:02.0 bar0 mem 0xd0000000-0xd0003fff");
				CU_ASSERT(!s.refused && s.active);
			}
			clear(&t, &s, 0);
			tu_ev_clear(&t.te);
		}
		/* RMRR pages belong to the platform: never a backend call. */
		TU_CALLS(&t, "");
		/* I/O BARs know no memory conflicts. */
		set(&t, &s, 4, 0, VT_SPACE_IO, 0x1000, 0x10ff);
		TU_EVENTS(&t.te, "map 0000:00:02.0 bar4 io 0x1000-0x10ff");
		TU_CALLS(&t, "io+1000/100");
		mt_free(&t);
	}
}

static void test_conflict_edges(void)
{
	static const struct { enum map_region kind; const char *name; } kinds[] = {
		{ MAP_REGION_RAM, "ram" },
		{ MAP_REGION_RESERVED, "reserved" },
		{ MAP_REGION_RMRR, "rmrr" },
	};
	const uint64_t rb = 0x40000000, rl = 0x400fffff; /* the region */
	const struct { uint64_t base, last; bool conflict; const char *what; } bars[] = {
		{ rb - 0x1000, rb - 1, false, "one byte before" },
		{ rl + 1, rl + 0x1000, false, "one byte after" },
		{ rb - 0x1000, rb, true, "across the start" },
		{ rl, rl + 0x1000, true, "across the end" },
		{ rb - 0x100000, rl + 0x100000, true, "around" },
		{ rb, rl, true, "exactly" },
		{ rb + 0x1000, rb + 0x1fff, true, "inside" },
		{ rb, rb, true, "first byte" },
		{ rl, rl, true, "last byte" },
	};
	char want[512], r[48], c[48];

	for (size_t k = 0; k < VT_ARRAY_SIZE(kinds); k++) {
		for (size_t i = 0; i < VT_ARRAY_SIZE(bars); i++) {
			struct mt t;
			struct map_slot s = { 0 };
			struct map_conflict mc[4];
			struct vt_range br = { bars[i].base, bars[i].last };

			mt_init(&t, 0);
			region(&t, kinds[k].kind, rb, rl);
			map_seal(t.m);
			size_t n = map_conflicts(t.m, &br, VT_POLICY_STRICT, mc, 4);
			TU_CHECK(n == bars[i].conflict, "%s %s: %zu conflicts", kinds[k].name, bars[i].what, n);
			if (n == 1)
				CU_ASSERT(mc[0].range.base == rb && mc[0].range.last == rl &&
					  mc[0].kind == (enum vt_conflict)kinds[k].kind);
			set(&t, &s, 0, VT_POLICY_STRICT, VT_SPACE_MEM, br.base, br.last);
			vt_fmt_range(&br, r);
			vt_fmt_range(&(struct vt_range){ rb, rl }, c);
			if (bars[i].conflict)
				snprintf(want, sizeof(want), "refuse 0000:00:02.0 bar0 %s %s %s policy=strict", r,
					 kinds[k].name, c);
			else
				snprintf(want, sizeof(want), "map 0000:00:02.0 bar0 mem %s", r);
			TU_CHECK(!strcmp(tu_ev_str(&t.te), want), "%s %s: '%s' want '%s'", kinds[k].name,
				 bars[i].what, tu_ev_str(&t.te), want);
			TU_CHECK(s.active == !bars[i].conflict, "%s %s: active %d", kinds[k].name,
				 bars[i].what, s.active);
			mt_free(&t);
		}
	}
}

/* Every conflicting range is reported, in address order, however many. */
static void test_conflict_all_reported(void)
{
	struct mt t;
	struct map_slot s = { 0 };
	char want[64];
	size_t n;

	mt_init(&t, 0);
	for (unsigned i = 0; i < 100; i++) /* added in reverse: the mapper sorts */
		region(&t, MAP_REGION_RMRR, 0x80000000ull + 0x2000 * (99 - i), 0x80000fffull + 0x2000 * (99 - i));
	region(&t, MAP_REGION_RESERVED, 0x800c8000, 0x800c8fff);
	map_seal(t.m);
	set(&t, &s, 0, VT_POLICY_STRICT, VT_SPACE_MEM, 0x80000000, 0x800fffff);
	n = tu_ev_count(&t.te, "refuse ");
	TU_CHECK(n == 101, "%zu refuse events for 101 conflicts", n);
	CU_ASSERT(t.te.n == n);
	for (unsigned i = 0; i < 100 && i < t.te.n; i++) {
		snprintf(want, sizeof(want), "rmrr 0x%llx-0x%llx", 0x80000000ull + 0x2000 * i,
			 0x80000fffull + 0x2000 * i);
		TU_CHECK(strstr(t.te.text[i], want) != NULL, "event %u: '%s'", i, t.te.text[i]);
	}
	if (t.te.n == 101)
		CU_ASSERT(strstr(t.te.text[100], "reserved 0x800c8000-0x800c8fff") != NULL);
	struct map_conflict mc[8];
	CU_ASSERT(map_conflicts(t.m, &(struct vt_range){ 0x80000000, 0x800fffff }, VT_POLICY_STRICT, mc, 8) == 101);
	CU_ASSERT(mc[7].range.base == 0x8000e000);
	tu_ev_clear(&t.te);
	clear(&t, &s, 0);

	/* Relaxed: 100 RMRRs and then reserved memory. Reserved always refuses. */
	set(&t, &s, 0, VT_POLICY_RELAXED, VT_SPACE_MEM, 0x80000000, 0x800fffff);
	TU_CHECK(!s.active && s.refused, "relaxed BAR over 100 RMRRs and a reserved range was mapped: %s",
		 tu_ev_count(&t.te, "map ") ? "map event" : "no map event");
	TU_CHECK(tu_ev_count(&t.te, "map ") == 0 && tu_ev_count(&t.te, "warn ") == 0,
		 "%zu map, %zu warn events", tu_ev_count(&t.te, "map "), tu_ev_count(&t.te, "warn "));
	TU_EVENTS(&t.te, "refuse 0000:00:02.0 bar0 0x80000000-0x800fffff reserved 0x800c8000-0x800c8fff "
			 "policy=strict");
	TU_CALLS(&t, "");
	/* Relaxed over only RMRRs: a warning for each, then the map. */
	set(&t, &s, 0, VT_POLICY_RELAXED, VT_SPACE_MEM, 0x80000000, 0x800c7fff);
	TU_CHECK(tu_ev_count(&t.te, "warn ") == 100, "%zu warn events", tu_ev_count(&t.te, "warn "));
	CU_ASSERT(t.te.n == 101 && !strncmp(t.te.text[t.te.n - 1], "map ", 4));
	mt_free(&t);
}

/*
 * A relaxed BAR over an RMRR: the RMRR's pages are the platform's; the BAR's
 * other pages are mapped and unmapped around them, never twice.
 */
struct pagestate {
	uint8_t *mapped;        /* per page of [0, npages) */
	uint64_t npages;
	unsigned errors;
};

static void replay_calls(struct mt *t, struct pagestate *ps)
{
	for (; t->seen < t->rec.n; t->seen++) {
		const struct map_call *c = &t->rec.call[t->seen];
		if (c->space != VT_SPACE_MEM)
			continue;
		for (uint64_t p = c->first; p < c->first + c->nr; p++) {
			if (p >= ps->npages || ps->mapped[p] == c->map) {
				if (ps->errors++ < 5)
					TU_CHECK(false, "page 0x%llx %s twice without %s between",
						 (unsigned long long)p, c->map ? "mapped" : "unmapped",
						 c->map ? "an unmap" : "a map");
				continue;
			}
			ps->mapped[p] = c->map;
		}
	}
}

static void test_relaxed_over_rmrr(void)
{
	struct mt t;
	struct map_slot a = { 0 }, b = { 0 };
	struct pagestate ps = { calloc(0x1000, 1), 0x1000, 0 };

	mt_init(&t, 0);
	region(&t, MAP_REGION_RMRR, 0x100000, 0x103fff);
	region(&t, MAP_REGION_RMRR, 0x108000, 0x108fff);
	map_seal(t.m);
	map_set_policy(t.m, VT_POLICY_RELAXED);
	TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0x100), 1); /* the platform's pin */
	CU_ASSERT(!map_is_mapped(t.m, VT_SPACE_MEM, 0x100));
	set(&t, &a, 0, 0, VT_SPACE_MEM, 0xfc000, 0x10ffff);
	TU_EVENTS(&t.te, "warn 0000:00:02.0 bar0 0xfc000-0x10ffff rmrr 0x100000-0x103fff policy=relaxed | "
			 "warn 0000:00:02.0 bar0 0xfc000-0x10ffff rmrr 0x108000-0x108fff policy=relaxed | "
			 "map 0000:00:02.0 bar0 mem 0xfc000-0x10ffff");
	TU_CALLS(&t, "+fc/4 +104/4 +109/7");
	TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0x101), 2);
	/* A second relaxed BAR over the same RMRR and the first BAR. */
	set(&t, &b, 1, 0, VT_SPACE_MEM, 0x100000, 0x107fff);
	TU_CALLS(&t, "");
	clear(&t, &a, 0);
	TU_CALLS(&t, "-fc/4 -109/7");
	clear(&t, &b, 1);
	TU_CALLS(&t, "-104/4");
	for (uint64_t p = 0x100; p <= 0x103; p++)
		TU_EQ(map_refcount(t.m, VT_SPACE_MEM, p), 1);
	CU_ASSERT(map_refcount(t.m, VT_SPACE_MEM, 0x108) == 1);
	/* Moves over and off the RMRR, many times: the log never maps a page twice. */
	t.seen = 0;
	for (unsigned i = 0; i < 64; i++) {
		uint64_t base = 0xf0000 + 0x1000 * (i % 24);
		set(&t, &a, 0, 0, VT_SPACE_MEM, base, base + 0x7fff);
		set(&t, &b, 1, 0, VT_SPACE_MEM, base + 0x3000, base + 0x3fff + 0x1000 * (i % 5));
		replay_calls(&t, &ps);
	}
	clear(&t, &a, 0);
	clear(&t, &b, 1);
	replay_calls(&t, &ps);
	for (uint64_t p = 0; p < ps.npages; p++)
		if (ps.mapped[p])
			TU_CHECK(false, "page 0x%llx still mapped at the end", (unsigned long long)p);
	/* The RMRR pages never appear in a backend call. */
	for (size_t i = 0; i < t.rec.n; i++) {
		const struct map_call *c = &t.rec.call[i];
		bool hits = c->first <= 0x103 && c->first + c->nr > 0x100;
		hits |= c->first <= 0x108 && c->first + c->nr > 0x108;
		TU_CHECK(!hits, "backend call %c%llx/%llx touches an RMRR page", c->map ? '+' : '-',
			 (unsigned long long)c->first, (unsigned long long)c->nr);
	}
	CU_ASSERT(ps.errors == 0);
	free(ps.mapped);
	mt_free(&t);
}

static void test_refused_then_clear(void)
{
	struct mt t;
	struct map_slot s = { 0 };

	mt_init(&t, 0);
	platform(&t);
	set(&t, &s, 0, 0, VT_SPACE_MEM, 0xd0000000, 0xd0000fff);
	TU_EVENTS(&t.te, "refuse 0000:00:02.0 bar0 0xd0000000-0xd0000fff rmrr 0xd0000000-0xd00fffff "
			 "policy=strict");
	/* Asked again for the same place: no repeated refusal. */
	set(&t, &s, 0, 0, VT_SPACE_MEM, 0xd0000000, 0xd0000fff);
	TU_EVENTS(&t.te, "");
	/* Another conflicting place: refused again. */
	set(&t, &s, 0, 0, VT_SPACE_MEM, 0x10000000, 0x10000fff);
	TU_EVENTS(&t.te, "refuse 0000:00:02.0 bar0 0x10000000-0x10000fff ram 0x0-0x7fffffff policy=strict");
	TU_CALLS(&t, "");
	/* Clear of everything: mapped at once. */
	set(&t, &s, 0, 0, VT_SPACE_MEM, 0xd0100000, 0xd0100fff);
	TU_EVENTS(&t.te, "map 0000:00:02.0 bar0 mem 0xd0100000-0xd0100fff");
	TU_CALLS(&t, "+d0100/1");
	CU_ASSERT(s.active && !s.refused);
	/* Back onto the RMRR: unmapped, then refused. */
	set(&t, &s, 0, 0, VT_SPACE_MEM, 0xd00ff000, 0xd00fffff);
	TU_EVENTS(&t.te, "unmap 0000:00:02.0 bar0 mem 0xd0100000-0xd0100fff | "
			 "refuse 0000:00:02.0 bar0 0xd00ff000-0xd00fffff rmrr 0xd0000000-0xd00fffff policy=strict");
	TU_CALLS(&t, "-d0100/1");
	/* Cleared while refused, then wanted at the clear place again. */
	clear(&t, &s, 0);
	TU_EVENTS(&t.te, "");
	set(&t, &s, 0, 0, VT_SPACE_MEM, 0xd0100000, 0xd0100fff);
	TU_EVENTS(&t.te, "map 0000:00:02.0 bar0 mem 0xd0100000-0xd0100fff");
	mt_free(&t);
}

static int fail_map(void *ctx, enum vt_space sp, uint64_t first, uint64_t nr) { return -EIO; }
static int ok_unmap(void *ctx, enum vt_space sp, uint64_t first, uint64_t nr) { return 0; }

static void test_backend_errors(void)
{
	static const struct map_ops failing = { "failing", fail_map, ok_unmap, 2 };
	struct tu_ev te;
	struct mapper *m;
	struct map_slot s = { 0 };
	struct map_owner who = { SBDF0, 0, 0 };

	tu_ev_init(&te);
	m = map_create(&failing, NULL, &te.ev);
	CU_ASSERT_FATAL(m != NULL);
	map_seal(m);
	map_slot_set(m, &s, &who, VT_SPACE_MEM, &(struct vt_range){ 0x10000, 0x14fff });
	TU_EQ(map_backend_errors(m), 3); /* 5 pages in calls of at most 2 */
	map_destroy(m);
	tu_ev_free(&te);

	/* No backend at all: bookkeeping only. */
	memset(&s, 0, sizeof(s));
	m = map_create(NULL, NULL, NULL);
	CU_ASSERT_FATAL(m != NULL);
	map_seal(m);
	map_slot_set(m, &s, &who, VT_SPACE_MEM, &(struct vt_range){ 0x10000, 0x14fff });
	CU_ASSERT(map_is_mapped(m, VT_SPACE_MEM, 0x12));
	map_destroy(m);
}

/* ---- randomized model check ------------------------------------------ */

#define NPAGES 96
#define NPORTS 64
#define NSLOTS 12

struct model_slot {
	bool active, refused;
	enum vt_space space;
	struct vt_range want;
	enum vt_policy pol;
};

struct model_region {
	enum map_region kind;
	struct vt_range r;
};

/* Sorted as the mapper reports them: by base, then last, then kind. */
static const struct model_region mregions[] = {
	{ MAP_REGION_RAM, { 0x0, 0x7fff } },
	{ MAP_REGION_RMRR, { 0x10000, 0x13fff } },
	{ MAP_REGION_RMRR, { 0x12000, 0x12fff } },   /* overlapping RMRRs */
	{ MAP_REGION_RESERVED, { 0x20800, 0x20bff } }, /* not page aligned */
	{ MAP_REGION_RMRR, { 0x30000, 0x30fff } },
	{ MAP_REGION_RAM, { 0x50000, 0x50000 } },    /* a single byte */
};

struct model {
	struct model_slot s[NSLOTS];
	unsigned pin[NPAGES];
	enum vt_policy global;
};

/* Mapping is page granular, so are conflicts: the BAR's pages against the region's bytes. */
static bool page_overlap(const struct vt_range *region, const struct vt_range *bar)
{
	struct vt_range pages = { bar->base & ~0xfffull, bar->last | 0xfff };

	return vt_range_overlaps(region, &pages);
}

static void model_events(const struct model *md, unsigned i, const struct model_slot *old,
			 const struct model_slot *nw, bool change, char *out, size_t len)
{
	char r[48], c[48];
	size_t o = 0;
	bool refused = false, any = false;
	enum vt_policy pol = nw->pol != VT_POLICY_DEFAULT ? nw->pol : md->global;
	static const char *const kind[] = { "ram", "reserved", "rmrr" };

	out[0] = 0;
	if (!change)
		return;
#define OUT(...) (o += (size_t)snprintf(out + o, len - o, "%s", o ? " | " : ""), \
		  o += (size_t)snprintf(out + o, len - o, __VA_ARGS__))
	if (old->active)
		OUT("unmap 0000:00:02.0 bar%u %s %s", i % 6, old->space == VT_SPACE_IO ? "io" : "mem",
		    vt_fmt_range(&old->want, r));
	if (!nw->active && !nw->refused)
		return;
	vt_fmt_range(&nw->want, r);
	if (nw->space == VT_SPACE_MEM) {
		for (size_t k = 0; k < VT_ARRAY_SIZE(mregions); k++) {
			if (!page_overlap(&mregions[k].r, &nw->want))
				continue;
			if (mregions[k].kind != MAP_REGION_RMRR || pol != VT_POLICY_RELAXED)
				refused = true;
			any = true;
		}
		for (size_t k = 0; any && k < VT_ARRAY_SIZE(mregions); k++) {
			bool refuses = mregions[k].kind != MAP_REGION_RMRR || pol != VT_POLICY_RELAXED;
			if (!page_overlap(&mregions[k].r, &nw->want) || (refused && !refuses))
				continue;
			OUT("%s 0000:00:02.0 bar%u %s %s %s policy=%s", refused ? "refuse" : "warn", i % 6, r,
			    kind[mregions[k].kind], vt_fmt_range(&mregions[k].r, c),
			    refused ? "strict" : "relaxed");
		}
	}
	if (nw->active)
		OUT("map 0000:00:02.0 bar%u %s %s", i % 6, nw->space == VT_SPACE_IO ? "io" : "mem", r);
#undef OUT
}

static bool model_refuses(const struct model *md, const struct model_slot *s)
{
	enum vt_policy pol = s->pol != VT_POLICY_DEFAULT ? s->pol : md->global;

	if (s->space != VT_SPACE_MEM)
		return false;
	for (size_t k = 0; k < VT_ARRAY_SIZE(mregions); k++)
		if (page_overlap(&mregions[k].r, &s->want) &&
		    (mregions[k].kind != MAP_REGION_RMRR || pol != VT_POLICY_RELAXED))
			return true;
	return false;
}

static void model_run(uint64_t seed, enum vt_policy global, unsigned nops)
{
	struct mt t;
	struct model md = { .global = global };
	struct map_slot slot[NSLOTS] = { { 0 } };
	uint8_t mapped[2][NPAGES > NPORTS ? NPAGES : NPORTS] = { { 0 } };
	unsigned bad = 0;
	char want[2048];

	mt_init(&t, (seed & 1) ? 3 : 0);
	for (size_t k = VT_ARRAY_SIZE(mregions); k-- > 0;)
		region(&t, mregions[k].kind, mregions[k].r.base, mregions[k].r.last);
	map_seal(t.m);
	map_set_policy(t.m, global);
	for (size_t k = 0; k < VT_ARRAY_SIZE(mregions); k++)
		if (mregions[k].kind == MAP_REGION_RMRR)
			for (uint64_t p = mregions[k].r.base >> 12; p <= mregions[k].r.last >> 12; p++)
				md.pin[p]++;

	for (unsigned op = 0; op < nops && bad < 10; op++) {
		unsigned i = (unsigned)(tu_rand(&seed) % NSLOTS);
		struct model_slot old = md.s[i], nw = old;
		uint64_t r = tu_rand(&seed);
		bool change;

		nw.pol = (enum vt_policy)(i % 3);
		if (r % 5 == 0) {
			nw.active = nw.refused = false;
			change = old.active || old.refused;
		} else {
			nw.space = r % 7 == 1 ? VT_SPACE_IO : VT_SPACE_MEM;
			if (r % 11 == 3 && (old.active || old.refused)) {
				nw.want = old.want; /* the same again */
				nw.space = old.space;
			} else if (nw.space == VT_SPACE_IO) {
				nw.want.base = tu_rand(&seed) % NPORTS;
				nw.want.last = nw.want.base + tu_rand(&seed) % (NPORTS - nw.want.base);
			} else {
				uint64_t len = 1 + tu_rand(&seed) % ((r >> 20) % 3 ? 0x4000 : 0x20000);
				nw.want.base = tu_rand(&seed) % (NPAGES * 0x1000 - len + 1);
				nw.want.last = nw.want.base + len - 1;
			}
			change = !(old.active || old.refused) || old.space != nw.space ||
				 old.want.base != nw.want.base || old.want.last != nw.want.last;
			nw.refused = model_refuses(&md, &nw);
			nw.active = !nw.refused;
			if (!change)
				nw = old;
		}
		md.s[i] = nw;

		struct map_owner who = { SBDF0, (uint8_t)(i % 6), nw.pol };
		map_slot_set(t.m, &slot[i], &who, nw.space,
			     nw.active || nw.refused ? &nw.want : NULL);

		/* Events exactly as the model says. */
		model_events(&md, i, &old, &nw, change, want, sizeof(want));
		if (strcmp(tu_ev_str(&t.te), want)) {
			TU_CHECK(false, "seed op %u slot %u: events '%s' want '%s'", op, i, tu_ev_str(&t.te), want);
			bad++;
		}
		tu_ev_clear(&t.te);
		if (slot[i].active != nw.active || slot[i].refused != nw.refused) {
			TU_CHECK(false, "op %u slot %u: active %d refused %d, model %d %d", op, i,
				 slot[i].active, slot[i].refused, nw.active, nw.refused);
			bad++;
		}

		/* Backend calls: never map a mapped unit or unmap an unmapped one; maximal runs. */
		size_t first_call = t.seen;
		for (; t.seen < t.rec.n; t.seen++) {
			const struct map_call *c = &t.rec.call[t.seen];
			uint64_t lim = c->space == VT_SPACE_IO ? NPORTS : NPAGES;
			for (uint64_t u = c->first; u < c->first + c->nr; u++) {
				if (u >= lim || mapped[c->space][u] == c->map ||
				    (c->space == VT_SPACE_MEM && md.pin[u])) {
					TU_CHECK(false, "op %u: %s unit 0x%llx %s", op,
						 c->space == VT_SPACE_IO ? "io" : "mem", (unsigned long long)u,
						 c->map ? "mapped twice or pinned" : "unmapped twice or pinned");
					bad++;
					break;
				}
				mapped[c->space][u] = c->map;
			}
			if (t.ops.max_nr && c->nr > t.ops.max_nr) {
				TU_CHECK(false, "op %u: call of %llu units over max_nr", op, (unsigned long long)c->nr);
				bad++;
			}
		}
		for (size_t a = first_call; a < t.rec.n; a++)
			for (size_t b = first_call; b < t.rec.n; b++) {
				const struct map_call *x = &t.rec.call[a], *y = &t.rec.call[b];
				if (x->map == y->map && x->space == y->space && x->first + x->nr == y->first &&
				    (!t.ops.max_nr || x->nr < t.ops.max_nr)) {
					TU_CHECK(false, "op %u: adjacent calls not coalesced: %llx/%llx %llx/%llx", op,
						 (unsigned long long)x->first, (unsigned long long)x->nr,
						 (unsigned long long)y->first, (unsigned long long)y->nr);
					bad++;
				}
			}

		/* The tree stays canonical, its size bounded by the ranges held now. */
		for (int sp = 0; sp < 2; sp++) {
			size_t segs = canon_check(&t, (enum vt_space)sp);
			if (segs > 4 * NSLOTS + 16) {
				TU_CHECK(false, "op %u: %zu segments for %u slots", op, segs, NSLOTS);
				bad++;
			}
		}
		/* Reference counts and the mapped set, unit by unit. */
		for (int sp = 0; sp < 2; sp++) {
			uint64_t lim = sp == VT_SPACE_IO ? NPORTS : NPAGES;
			for (uint64_t u = 0; u < lim; u++) {
				unsigned count = sp == VT_SPACE_MEM ? md.pin[u] : 0, users = 0;
				for (unsigned k = 0; k < NSLOTS; k++) {
					const struct model_slot *s = &md.s[k];
					uint64_t f = sp == VT_SPACE_MEM ? s->want.base >> 12 : s->want.base;
					uint64_t l = sp == VT_SPACE_MEM ? s->want.last >> 12 : s->want.last;
					if (s->active && s->space == (enum vt_space)sp && f <= u && u <= l)
						users++;
				}
				count += users;
				bool should = users && !(sp == VT_SPACE_MEM && md.pin[u]);
				if (map_refcount(t.m, (enum vt_space)sp, u) != count ||
				    map_is_mapped(t.m, (enum vt_space)sp, u) != should || mapped[sp][u] != should) {
					TU_CHECK(false, "op %u: %s unit 0x%llx: refcount %llu want %u, mapped %d/%d want %d",
						 op, sp ? "io" : "mem", (unsigned long long)u,
						 (unsigned long long)map_refcount(t.m, (enum vt_space)sp, u), count,
						 map_is_mapped(t.m, (enum vt_space)sp, u), mapped[sp][u], should);
					bad++;
				}
			}
		}
	}
	/* Everything cleared: nothing mapped, every call balanced. */
	for (unsigned i = 0; i < NSLOTS; i++) {
		struct map_owner who = { SBDF0, (uint8_t)(i % 6), 0 };
		map_slot_set(t.m, &slot[i], &who, VT_SPACE_MEM, NULL);
	}
	for (; t.seen < t.rec.n; t.seen++) {
		const struct map_call *c = &t.rec.call[t.seen];
		for (uint64_t u = c->first; u < c->first + c->nr; u++)
			mapped[c->space][u] = c->map;
	}
	for (int sp = 0; sp < 2; sp++)
		for (uint64_t u = 0; u < (sp ? NPORTS : NPAGES); u++)
			if (mapped[sp][u] || map_is_mapped(t.m, (enum vt_space)sp, u))
				bad += 1, TU_CHECK(false, "%s unit 0x%llx mapped after clearing all",
						  sp ? "io" : "mem", (unsigned long long)u);
	CU_ASSERT(bad == 0);
	CU_ASSERT(t.rec.maps > 100 && t.rec.unmaps > 100); /* the run did exercise the backend */
	mt_free(&t);
}

static void test_model_strict(void)
{
	model_run(0x1234567887654321ull, VT_POLICY_STRICT, 6000);
}

static void test_model_relaxed(void)
{
	model_run(0x0badc0ffee15900dull, VT_POLICY_RELAXED, 6000);
}

static void test_model_seeds(void)
{
	for (uint64_t seed = 1; seed <= 8; seed++)
		model_run(seed * 0x9e3779b97f4a7c15ull, seed & 2 ? VT_POLICY_RELAXED : VT_POLICY_STRICT, 1500);
}

static CU_TestInfo refs_tests[] = {
	{ "two BARs sharing a page", test_shared_page },
	{ "overlapping and nested ranges", test_overlap_nested },
	{ "coalesced calls, max_nr, 64 GiB, I/O", test_coalesce },
	{ "backend errors, no backend", test_backend_errors },
	{ "segments stay canonical", test_canonical },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo conflict_tests[] = {
	{ "RAM/reserved refused, RMRR by policy", test_conflict_kinds },
	{ "one byte before/after/across/inside", test_conflict_edges },
	{ "every conflicting range reported", test_conflict_all_reported },
	{ "relaxed BAR over an RMRR", test_relaxed_over_rmrr },
	{ "refused BAR maps once clear", test_refused_then_clear },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo model_tests[] = {
	{ "6000 random operations, strict", test_model_strict },
	{ "6000 random operations, relaxed", test_model_relaxed },
	{ "8 seeds x 1500 operations", test_model_seeds },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "mapper: reference counts", NULL, NULL, NULL, NULL, refs_tests },
	{ "mapper: conflicts", NULL, NULL, NULL, NULL, conflict_tests },
	{ "mapper: model check", NULL, NULL, NULL, NULL, model_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return tu_main(suites);
}
