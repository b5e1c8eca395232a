/*
 * tests/test_mapper.c - mapper/: page reference counts, coalesced backend
 * calls, conflicts and the RDM policy (CONTRACT §3), and a randomized check
 * against a naive per-page model.
 *
 * RMRR pages: a MAP_REGION_RMRR (this machine's, identity-mapped by the
 * platform) is pinned; the first relaxed BAR over a pinned page maps it
 * through the backend, and nothing ever unmaps it. A MAP_REGION_RMRR_OTHER
 * is checked like an RMRR but mapped and unmapped like any page.
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

	if (c->prev && c->prev->last + 1 == n->first && c->prev->count == n->count &&
	    c->prev->pin == n->pin && c->prev->live == n->live)
		c->bad++;
	if (!n->pin && !n->live) /* only a pinned page waits to be mapped */
		c->bad++;
	c->prev = n;
	c->n++;
}

static size_t canon_check(struct mt *t, enum vt_space sp)
{
	struct canon c = { NULL, 0, 0 };

	refs_walk(&t->m->refs[sp], canon_cb, &c);
	TU_CHECK(c.bad == 0, "%u adjacent segments alike, or unpinned and not live (of %zu)", c.bad, c.n);
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
		/*
		 * RMRR: the effective policy decides; the device's wins over the
		 * global one. The RMRR is pinned: not mapped at load; the first
		 * relaxed BAR maps its pages, and no clear ever unmaps them.
		 */
		bool live = false;
		TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0xd0000), 1);
		CU_ASSERT(!map_is_mapped(t.m, VT_SPACE_MEM, 0xd0000));
		for (int p = VT_POLICY_DEFAULT; p <= VT_POLICY_RELAXED; p++) {
			int eff = p == VT_POLICY_DEFAULT ? g : p;
			set(&t, &s, 0, (enum vt_policy)p, VT_SPACE_MEM, 0xd0000000, 0xd0003fff);
			if (eff == VT_POLICY_STRICT) {
				TU_EVENTS(&t.te, "refuse 0000:00:02.0 bar0 0xd0000000-0xd0003fff rmrr "
						 "0xd0000000-0xd00fffff policy=strict");
				CU_ASSERT(s.refused && !s.active);
				TU_CALLS(&t, "");
			} else {
				TU_EVENTS(&t.te, "warn 0000:00:02.0 bar0 0xd0000000-0xd0003fff rmrr "
						 "0xd0000000-0xd00fffff policy=relaxed | "
						 "map 0000:00:02.0 bar0 mem 0xd0000000-0xd0003fff");
				CU_ASSERT(!s.refused && s.active);
				TU_CALLS(&t, live ? "" : "+d0000/4"); /* once, by the first relaxed BAR */
				live = true;
				TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0xd0003), 2);
			}
			clear(&t, &s, 0);
			TU_CALLS(&t, ""); /* never unmapped */
			tu_ev_clear(&t.te);
			TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0xd0000), 1);
			CU_ASSERT(map_is_mapped(t.m, VT_SPACE_MEM, 0xd0003) == live);
			CU_ASSERT(!map_is_mapped(t.m, VT_SPACE_MEM, 0xd0004)); /* pinned, never covered */
		}
		CU_ASSERT(live); /* each global policy met a relaxed BAR */
		/* I/O BARs know no memory conflicts. */
		set(&t, &s, 4, 0, VT_SPACE_IO, 0x1000, 0x10ff);
		TU_EVENTS(&t.te, "map 0000:00:02.0 bar4 io 0x1000-0x10ff");
		TU_CALLS(&t, "io+1000/100");
		mt_free(&t);
	}
}

static void test_conflict_edges(void)
{
	static const struct { enum map_region kind; const char *name; enum vt_conflict c; } kinds[] = {
		{ MAP_REGION_RAM, "ram", VT_CONFLICT_RAM },
		{ MAP_REGION_RESERVED, "reserved", VT_CONFLICT_RESERVED },
		{ MAP_REGION_RMRR, "rmrr", VT_CONFLICT_RMRR },
		{ MAP_REGION_RMRR_OTHER, "rmrr", VT_CONFLICT_RMRR },
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
					  mc[0].kind == kinds[k].c);
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
			/* Strict: a conflicting BAR reaches the backend never, a clear one once. */
			char wc[64] = "";
			if (!bars[i].conflict)
				snprintf(wc, sizeof(wc), "+%llx/%llx", (unsigned long long)(br.base >> 12),
					 (unsigned long long)((br.last >> 12) - (br.base >> 12) + 1));
			TU_CALLS(&t, wc);
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
	/* The pinned pages and the pages between them are one run: one call. */
	TU_CALLS(&t, "+80000/c8");
	clear(&t, &s, 0);
	/* The pages between the RMRRs go; the 100 pinned pages stay mapped. */
	char unmaps[2048];
	size_t o = 0;
	unmaps[0] = 0;
	for (unsigned i = 0; i < 100; i++)
		o += (size_t)snprintf(unmaps + o, sizeof(unmaps) - o, "%s-%x/1", i ? " " : "", 0x80001 + 2 * i);
	TU_CALLS(&t, unmaps);
	for (unsigned i = 0; i < 100; i++) {
		uint64_t pg = 0x80000 + 2 * i;
		TU_CHECK(map_is_mapped(t.m, VT_SPACE_MEM, pg) && map_refcount(t.m, VT_SPACE_MEM, pg) == 1,
			 "pinned page 0x%llx: mapped %d, refcount %llu", (unsigned long long)pg,
			 map_is_mapped(t.m, VT_SPACE_MEM, pg), (unsigned long long)map_refcount(t.m, VT_SPACE_MEM, pg));
	}
	mt_free(&t);
}

/*
 * A relaxed BAR over this machine's RMRR (pinned): the first BAR over a
 * pinned page maps it, in one run with the BAR's other pages; nothing ever
 * unmaps it. The BAR's other pages are mapped and unmapped around it, never
 * twice.
 */
struct pagestate {
	uint8_t *mapped;        /* per page of [0, npages) */
	const uint8_t *pinned;  /* pages no unmap may touch */
	uint64_t npages;
	unsigned errors;
	unsigned pinned_maps;   /* pinned pages passed to a map */
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
			if (ps->pinned[p] && !c->map) {
				if (ps->errors++ < 5)
					TU_CHECK(false, "pinned page 0x%llx unmapped", (unsigned long long)p);
				continue;
			}
			ps->pinned_maps += ps->pinned[p];
			ps->mapped[p] = c->map;
		}
	}
}

/* map_walk as "first-last:refs first-last:refs" (hex pages). */
static void walk_str_cb(void *ctx, uint64_t first, uint64_t last, uint64_t refs)
{
	char *buf = ctx;
	size_t o = strlen(buf);

	snprintf(buf + o, 512 - o, "%s%llx-%llx:%llu", o ? " " : "", (unsigned long long)first,
		 (unsigned long long)last, (unsigned long long)refs);
}

static const char *walk_str(struct mt *t)
{
	static char buf[512];

	buf[0] = 0;
	map_walk(t->m, VT_SPACE_MEM, walk_str_cb, buf);
	return buf;
}

static void test_relaxed_over_rmrr(void)
{
	struct mt t;
	struct map_slot a = { 0 }, b = { 0 };
	uint8_t pinned[0x1000] = { 0 };
	struct pagestate ps = { calloc(0x1000, 1), pinned, 0x1000, 0, 0 };

	memset(pinned + 0x100, 1, 4);
	pinned[0x108] = 1;
	mt_init(&t, 0);
	region(&t, MAP_REGION_RMRR, 0x100000, 0x103fff);
	region(&t, MAP_REGION_RMRR, 0x108000, 0x108fff);
	map_seal(t.m);
	map_set_policy(t.m, VT_POLICY_RELAXED);
	TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0x100), 1); /* the platform's pin */
	CU_ASSERT(!map_is_mapped(t.m, VT_SPACE_MEM, 0x100)); /* not mapped at load */
	TU_STREQ(walk_str(&t), "");
	TU_CALLS(&t, "");
	/* A strict BAR over it: refused, nothing mapped. */
	set(&t, &b, 1, VT_POLICY_STRICT, VT_SPACE_MEM, 0x100000, 0x100fff);
	TU_EVENTS(&t.te, "refuse 0000:00:02.0 bar1 0x100000-0x100fff rmrr 0x100000-0x103fff policy=strict");
	TU_CALLS(&t, "");
	clear(&t, &b, 1);
	/* The first relaxed BAR: its pages and the pinned ones, one run. */
	set(&t, &a, 0, 0, VT_SPACE_MEM, 0xfc000, 0x10ffff);
	TU_EVENTS(&t.te, "warn 0000:00:02.0 bar0 0xfc000-0x10ffff rmrr 0x100000-0x103fff policy=relaxed | "
			 "warn 0000:00:02.0 bar0 0xfc000-0x10ffff rmrr 0x108000-0x108fff policy=relaxed | "
			 "map 0000:00:02.0 bar0 mem 0xfc000-0x10ffff");
	TU_CALLS(&t, "+fc/14");
	TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0x101), 2);
	TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0x104), 1);
	CU_ASSERT(map_is_mapped(t.m, VT_SPACE_MEM, 0x100) && map_is_mapped(t.m, VT_SPACE_MEM, 0x108));
	TU_STREQ(walk_str(&t), "fc-ff:1 100-103:2 104-107:1 108-108:2 109-10f:1");
	/* A second relaxed BAR over the same RMRR and the first BAR: all mapped already. */
	set(&t, &b, 1, 0, VT_SPACE_MEM, 0x100000, 0x107fff);
	TU_CALLS(&t, "");
	clear(&t, &a, 0);
	TU_CALLS(&t, "-fc/4 -109/7");
	clear(&t, &b, 1);
	TU_CALLS(&t, "-104/4");
	/* The pinned pages stay mapped, with only the platform's reference. */
	for (uint64_t p = 0x100; p <= 0x103; p++) {
		TU_EQ(map_refcount(t.m, VT_SPACE_MEM, p), 1);
		CU_ASSERT(map_is_mapped(t.m, VT_SPACE_MEM, p));
	}
	TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0x108), 1);
	CU_ASSERT(map_is_mapped(t.m, VT_SPACE_MEM, 0x108));
	CU_ASSERT(!map_is_mapped(t.m, VT_SPACE_MEM, 0x104) && !map_is_mapped(t.m, VT_SPACE_MEM, 0xff));
	TU_STREQ(walk_str(&t), "100-103:1 108-108:1");
	/* Over it again: only the BAR's own pages, around the live pinned ones. */
	set(&t, &a, 0, 0, VT_SPACE_MEM, 0xfc000, 0x10ffff);
	tu_ev_clear(&t.te);
	TU_CALLS(&t, "+fc/4 +104/4 +109/7");
	clear(&t, &a, 0);
	TU_CALLS(&t, "-fc/4 -104/4 -109/7");
	canon_check(&t, VT_SPACE_MEM);
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
	/* At the end exactly the pinned pages are mapped, each mapped once in the whole log. */
	for (uint64_t p = 0; p < ps.npages; p++)
		if (ps.mapped[p] != pinned[p] || map_is_mapped(t.m, VT_SPACE_MEM, p) != pinned[p])
			TU_CHECK(false, "page 0x%llx: mapped %d (mapper %d) at the end, pinned %d", (unsigned long long)p,
				 ps.mapped[p], map_is_mapped(t.m, VT_SPACE_MEM, p), pinned[p]);
	TU_EQ(ps.pinned_maps, 5);
	CU_ASSERT(ps.errors == 0);
	tu_ev_clear(&t.te);
	mt_free(&t);

	/* Two BARs each covering a part of one RMRR: each maps the part not yet live. */
	mt_init(&t, 0);
	region(&t, MAP_REGION_RMRR, 0x100000, 0x103fff);
	map_seal(t.m);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	set(&t, &a, 0, VT_POLICY_RELAXED, VT_SPACE_MEM, 0x102000, 0x105fff);
	TU_CALLS(&t, "+102/4");
	set(&t, &b, 1, VT_POLICY_RELAXED, VT_SPACE_MEM, 0xfe000, 0x102fff);
	TU_CALLS(&t, "+fe/4");
	TU_STREQ(walk_str(&t), "fe-ff:1 100-101:2 102-102:3 103-103:2 104-105:1");
	clear(&t, &a, 0);
	TU_CALLS(&t, "-104/2");
	clear(&t, &b, 1);
	TU_CALLS(&t, "-fe/2");
	TU_STREQ(walk_str(&t), "100-103:1");
	TU_EQ(canon_check(&t, VT_SPACE_MEM), 1);
	/* A backend limit splits a run over pinned pages like any run. */
	mt_free(&t);
	mt_init(&t, 3);
	region(&t, MAP_REGION_RMRR, 0x100000, 0x103fff);
	map_seal(t.m);
	memset(&a, 0, sizeof(a));
	set(&t, &a, 0, VT_POLICY_RELAXED, VT_SPACE_MEM, 0xfe000, 0x105fff);
	TU_CALLS(&t, "+fe/3 +101/3 +104/2");
	clear(&t, &a, 0);
	TU_CALLS(&t, "-fe/2 -104/2");
	tu_ev_clear(&t.te);
	free(ps.mapped);
	mt_free(&t);
}

/*
 * An RMRR checked only because of strategy=host (MAP_REGION_RMRR_OTHER):
 * the platform does not map it for this domain, so nothing is pinned; it
 * conflicts like an RMRR (refused under strict, warned under relaxed) and a
 * relaxed BAR over it maps and unmaps its pages like any other.
 */
static void kinds_cb(void *ctx, enum map_region kind, const struct vt_range *r)
{
	char *buf = ctx;
	size_t o = strlen(buf);

	snprintf(buf + o, 256 - o, "%s%d:%llx", o ? " " : "", (int)kind, (unsigned long long)r->base);
}

static void test_rmrr_other(void)
{
	struct mt t;
	struct map_slot s = { 0 };
	char kinds[256] = "", want[64];
	struct map_conflict mc[2];

	for (int g = VT_POLICY_STRICT; g <= VT_POLICY_RELAXED; g++) {
		memset(&s, 0, sizeof(s));
		mt_init(&t, 0);
		region(&t, MAP_REGION_RMRR, 0xd8100000, 0xd8103fff); /* pinned, right after */
		region(&t, MAP_REGION_RMRR_OTHER, 0xd8000000, 0xd80fffff);
		map_seal(t.m);
		map_set_policy(t.m, (enum vt_policy)g);
		kinds[0] = 0;
		map_region_walk(t.m, kinds_cb, kinds);
		snprintf(want, sizeof(want), "%d:d8000000 %d:d8100000", MAP_REGION_RMRR_OTHER, MAP_REGION_RMRR);
		TU_STREQ(kinds, want);
		TU_EQ(map_conflicts(t.m, &(struct vt_range){ 0xd80ff000, 0xd8100000 }, VT_POLICY_STRICT, mc, 2), 2);
		CU_ASSERT(mc[0].kind == VT_CONFLICT_RMRR && mc[1].kind == VT_CONFLICT_RMRR);
		TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0xd8000), 0); /* not pinned */
		TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0xd8100), 1);
		TU_CALLS(&t, "");
		for (int p = VT_POLICY_DEFAULT; p <= VT_POLICY_RELAXED; p++) {
			int eff = p == VT_POLICY_DEFAULT ? g : p;
			set(&t, &s, 0, (enum vt_policy)p, VT_SPACE_MEM, 0xd8000000, 0xd8003fff);
			if (eff == VT_POLICY_STRICT) {
				TU_EVENTS(&t.te, "refuse 0000:00:02.0 bar0 0xd8000000-0xd8003fff rmrr "
						 "0xd8000000-0xd80fffff policy=strict");
				CU_ASSERT(s.refused && !s.active);
				TU_CALLS(&t, "");
				CU_ASSERT(!map_is_mapped(t.m, VT_SPACE_MEM, 0xd8000));
			} else {
				TU_EVENTS(&t.te, "warn 0000:00:02.0 bar0 0xd8000000-0xd8003fff rmrr "
						 "0xd8000000-0xd80fffff policy=relaxed | "
						 "map 0000:00:02.0 bar0 mem 0xd8000000-0xd8003fff");
				CU_ASSERT(!s.refused && s.active);
				TU_CALLS(&t, "+d8000/4"); /* every time: it was unmapped */
				TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0xd8003), 1);
				CU_ASSERT(map_is_mapped(t.m, VT_SPACE_MEM, 0xd8003));
			}
			clear(&t, &s, 0);
			TU_CALLS(&t, eff == VT_POLICY_STRICT ? "" : "-d8000/4");
			tu_ev_clear(&t.te);
			TU_EQ(map_refcount(t.m, VT_SPACE_MEM, 0xd8000), 0);
			CU_ASSERT(!map_is_mapped(t.m, VT_SPACE_MEM, 0xd8000));
		}
		/* Across both kinds: refused whole under strict ... */
		set(&t, &s, 0, VT_POLICY_STRICT, VT_SPACE_MEM, 0xd80fe000, 0xd8105fff);
		TU_EVENTS(&t.te, "refuse 0000:00:02.0 bar0 0xd80fe000-0xd8105fff rmrr 0xd8000000-0xd80fffff "
				 "policy=strict | refuse 0000:00:02.0 bar0 0xd80fe000-0xd8105fff rmrr "
				 "0xd8100000-0xd8103fff policy=strict");
		TU_CALLS(&t, "");
		clear(&t, &s, 0);
		/* ... one run under relaxed; the other RMRR's pages go at the unmap, the pinned ones stay. */
		set(&t, &s, 0, VT_POLICY_RELAXED, VT_SPACE_MEM, 0xd80fe000, 0xd8105fff);
		TU_EVENTS(&t.te, "warn 0000:00:02.0 bar0 0xd80fe000-0xd8105fff rmrr 0xd8000000-0xd80fffff "
				 "policy=relaxed | warn 0000:00:02.0 bar0 0xd80fe000-0xd8105fff rmrr "
				 "0xd8100000-0xd8103fff policy=relaxed | map 0000:00:02.0 bar0 mem "
				 "0xd80fe000-0xd8105fff");
		TU_CALLS(&t, "+d80fe/8");
		clear(&t, &s, 0);
		TU_CALLS(&t, "-d80fe/2 -d8104/2");
		CU_ASSERT(!map_is_mapped(t.m, VT_SPACE_MEM, 0xd80ff) && map_is_mapped(t.m, VT_SPACE_MEM, 0xd8100));
		TU_STREQ(walk_str(&t), "d8100-d8103:1");
		tu_ev_clear(&t.te);
		mt_free(&t);
	}
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
	{ MAP_REGION_RMRR_OTHER, { 0x13000, 0x14fff } }, /* another's, over a pinned page */
	{ MAP_REGION_RESERVED, { 0x20800, 0x20bff } }, /* not page aligned */
	{ MAP_REGION_RMRR, { 0x30000, 0x30fff } },
	{ MAP_REGION_RMRR_OTHER, { 0x30800, 0x30fff } }, /* in a pinned page */
	{ MAP_REGION_RMRR_OTHER, { 0x40000, 0x41fff } },
	{ MAP_REGION_RAM, { 0x50000, 0x50000 } },    /* a single byte */
};

static bool is_rmrr(enum map_region k)
{
	return k == MAP_REGION_RMRR || k == MAP_REGION_RMRR_OTHER;
}

struct model {
	struct model_slot s[NSLOTS];
	unsigned pin[NPAGES];    /* pinned: pages of a MAP_REGION_RMRR */
	bool rmrr[NPAGES];       /* pages of any RMRR, pinned or other */
	bool forbid[NPAGES];     /* pages of RAM and reserved ranges */
	bool live[NPAGES];       /* pinned pages a BAR has covered: mapped for good */
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
	static const char *const kind[] = { "ram", "reserved", "rmrr", "rmrr" };

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
			if (!is_rmrr(mregions[k].kind) || pol != VT_POLICY_RELAXED)
				refused = true;
			any = true;
		}
		for (size_t k = 0; any && k < VT_ARRAY_SIZE(mregions); k++) {
			bool refuses = !is_rmrr(mregions[k].kind) || pol != VT_POLICY_RELAXED;
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
		    (!is_rmrr(mregions[k].kind) || pol != VT_POLICY_RELAXED))
			return true;
	return false;
}

static bool model_covers(const struct model_slot *s, enum vt_space sp, uint64_t u)
{
	uint64_t f = sp == VT_SPACE_MEM ? s->want.base >> 12 : s->want.base;
	uint64_t l = sp == VT_SPACE_MEM ? s->want.last >> 12 : s->want.last;

	return s->active && s->space == sp && f <= u && u <= l;
}

/*
 * The per-page p2m rules, call by call: no unit mapped twice without an
 * unmap between, none unmapped that is not mapped; no unmap of a pinned
 * page (it would remove the platform's mapping); no call on RAM or reserved
 * pages; an RMRR page (pinned or other) mapped only by the BAR being set,
 * which covers it and is relaxed. Maximal runs, split only at max_nr.
 */
static void model_calls(struct mt *t, const struct model *md, unsigned op, unsigned i,
			uint8_t mapped[2][NPAGES > NPORTS ? NPAGES : NPORTS], unsigned *bad,
			unsigned long *pinned_maps, unsigned long other_calls[2])
{
	const struct model_slot *cur = &md->s[i];
	enum vt_policy pol = cur->pol != VT_POLICY_DEFAULT ? cur->pol : md->global;
	size_t first_call = t->seen;

	for (; t->seen < t->rec.n; t->seen++) {
		const struct map_call *c = &t->rec.call[t->seen];
		uint64_t lim = c->space == VT_SPACE_IO ? NPORTS : NPAGES;
		for (uint64_t u = c->first; u < c->first + c->nr; u++) {
			const char *why = NULL;
			bool mem = c->space == VT_SPACE_MEM;
			if (u >= lim || mapped[c->space][u] == c->map)
				why = c->map ? "mapped twice" : "unmapped twice";
			else if (mem && md->forbid[u])
				why = "RAM or reserved page in a call";
			else if (mem && !c->map && md->pin[u])
				why = "pinned page unmapped";
			else if (mem && c->map && md->rmrr[u] &&
				 (pol != VT_POLICY_RELAXED || !model_covers(cur, VT_SPACE_MEM, u)))
				why = "RMRR page mapped, not by the relaxed BAR set now";
			if (why) {
				TU_CHECK(false, "op %u: %s unit 0x%llx: %s", op, c->space == VT_SPACE_IO ? "io" : "mem",
					 (unsigned long long)u, why);
				(*bad)++;
				break;
			}
			if (mem && md->pin[u])
				(*pinned_maps)++;
			else if (mem && md->rmrr[u])
				other_calls[c->map]++;
			mapped[c->space][u] = c->map;
		}
		if (t->ops.max_nr && c->nr > t->ops.max_nr) {
			TU_CHECK(false, "op %u: call of %llu units over max_nr", op, (unsigned long long)c->nr);
			(*bad)++;
		}
	}
	for (size_t a = first_call; a < t->rec.n; a++)
		for (size_t b = first_call; b < t->rec.n; b++) {
			const struct map_call *x = &t->rec.call[a], *y = &t->rec.call[b];
			if (x->map == y->map && x->space == y->space && x->first + x->nr == y->first &&
			    (!t->ops.max_nr || x->nr < t->ops.max_nr)) {
				TU_CHECK(false, "op %u: adjacent calls not coalesced: %llx/%llx %llx/%llx", op,
					 (unsigned long long)x->first, (unsigned long long)x->nr,
					 (unsigned long long)y->first, (unsigned long long)y->nr);
				(*bad)++;
			}
		}
}

static void model_run(uint64_t seed, enum vt_policy global, unsigned nops)
{
	struct mt t;
	struct model md = { .global = global };
	struct map_slot slot[NSLOTS] = { { 0 } };
	uint8_t mapped[2][NPAGES > NPORTS ? NPAGES : NPORTS] = { { 0 } };
	unsigned bad = 0;
	unsigned long pinned_maps = 0, other_calls[2] = { 0, 0 };
	char want[2048];

	mt_init(&t, (seed & 1) ? 3 : 0);
	for (size_t k = VT_ARRAY_SIZE(mregions); k-- > 0;)
		region(&t, mregions[k].kind, mregions[k].r.base, mregions[k].r.last);
	map_seal(t.m);
	map_set_policy(t.m, global);
	for (size_t k = 0; k < VT_ARRAY_SIZE(mregions); k++)
		for (uint64_t p = mregions[k].r.base >> 12; p <= mregions[k].r.last >> 12; p++) {
			md.pin[p] += mregions[k].kind == MAP_REGION_RMRR;
			md.rmrr[p] |= is_rmrr(mregions[k].kind);
			md.forbid[p] |= !is_rmrr(mregions[k].kind);
		}

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

		model_calls(&t, &md, op, i, mapped, &bad, &pinned_maps, other_calls);

		/* The tree stays canonical, its size bounded by the ranges held now. */
		for (int sp = 0; sp < 2; sp++) {
			size_t segs = canon_check(&t, (enum vt_space)sp);
			if (segs > 4 * NSLOTS + 16) {
				TU_CHECK(false, "op %u: %zu segments for %u slots", op, segs, NSLOTS);
				bad++;
			}
		}
		/*
		 * Reference counts and the mapped set, unit by unit: a unit is
		 * mapped while a BAR covers it, and a pinned page from the
		 * first BAR over it on, for good.
		 */
		for (int sp = 0; sp < 2; sp++) {
			uint64_t lim = sp == VT_SPACE_IO ? NPORTS : NPAGES;
			for (uint64_t u = 0; u < lim; u++) {
				unsigned count = sp == VT_SPACE_MEM ? md.pin[u] : 0, users = 0;
				for (unsigned k = 0; k < NSLOTS; k++)
					users += model_covers(&md.s[k], (enum vt_space)sp, u);
				count += users;
				if (sp == VT_SPACE_MEM && md.pin[u] && users)
					md.live[u] = true;
				bool should = users || (sp == VT_SPACE_MEM && md.live[u]);
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
	/* Everything cleared: only the live pinned pages stay mapped, every other call balanced. */
	for (unsigned i = 0; i < NSLOTS; i++) {
		struct map_owner who = { SBDF0, (uint8_t)(i % 6), 0 };
		md.s[i].active = md.s[i].refused = false;
		map_slot_set(t.m, &slot[i], &who, VT_SPACE_MEM, NULL);
		model_calls(&t, &md, nops, i, mapped, &bad, &pinned_maps, other_calls);
	}
	unsigned nlive = 0;
	for (int sp = 0; sp < 2; sp++)
		for (uint64_t u = 0; u < (sp ? NPORTS : NPAGES); u++) {
			bool live = sp == VT_SPACE_MEM && md.live[u];
			uint64_t ref = sp == VT_SPACE_MEM ? md.pin[u] : 0;
			nlive += live;
			if (mapped[sp][u] != live || map_is_mapped(t.m, (enum vt_space)sp, u) != live ||
			    map_refcount(t.m, (enum vt_space)sp, u) != ref)
				bad += 1, TU_CHECK(false, "%s unit 0x%llx after clearing all: mapped %d/%d, "
						  "refcount %llu, want %d and %llu", sp ? "io" : "mem",
						  (unsigned long long)u, mapped[sp][u],
						  map_is_mapped(t.m, (enum vt_space)sp, u),
						  (unsigned long long)map_refcount(t.m, (enum vt_space)sp, u), live,
						  (unsigned long long)ref);
		}
	CU_ASSERT(bad == 0);
	CU_ASSERT(t.rec.maps > 100 && t.rec.unmaps > 100); /* the run did exercise the backend */
	/* ... and the RMRR paths: pinned pages mapped once each, other RMRR pages both ways. */
	TU_CHECK(nlive > 0 && pinned_maps == nlive, "%u pinned pages live, %lu pinned page maps", nlive,
		 pinned_maps);
	TU_CHECK(other_calls[1] > 0 && other_calls[1] == other_calls[0],
		 "other RMRR pages: %lu mapped, %lu unmapped", other_calls[1], other_calls[0]);
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
	{ "RMRR of another device (strategy=host)", test_rmrr_other },
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
