/*
 * tests/test_conflicts_real.c - issue 4 with real platform data: each real
 * DMAR of tests/data/dmar with the lspci dump of the same machine
 * (tests/data/README-data.md section 5), the 1-byte IVRS exclusion ranges
 * of mechrevo-wujie14xa, a /sys/firmware/memmap style directory, and
 * `vpcitrap replay` end to end with --dmar, --ivrs, --memmap and --rdm.
 * Registered by test_conflicts.c's main as the "real" suite.
 *
 * Every RMRR of these tables names a function of the dump it comes with,
 * so it is pinned: under relaxed policy the first BAR over it maps its
 * pages (with the BAR's others, one run), and nothing unmaps them. The
 * E6430 table with a machine that has none of its scope devices shows the
 * other kind: under strategy=host checked, and mapped and unmapped like
 * any page.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conflicts_fx.h"

#define E6430_DMAR DATA "/dmar/dell-latitude-e6430.dat"
#define MECHREVO   DATA "/ivrs/mechrevo-wujie14xa.dat"

/* ---- DMAR + lspci dump of the same machine ---- */

struct pair {
	const char *name;       /* tests/data/{lspci,dmar}/NAME */
	unsigned maps;          /* map events at load (memory and I/O) */
	struct vt_range rmrr[2];/* every RMRR of the table */
	const char *dev;        /* a device of the RMRR's scope, and its BAR */
	uint32_t sbdf;
	unsigned reg;
	uint64_t home, size, to;
	unsigned hit;           /* the RMRR the move lands on */
};

#define XHCI VT_SBDF(0, 0, VT_DEVFN(0x14, 0))
#define IGD  VT_SBDF(0, 0, VT_DEVFN(0x02, 0))

static const struct pair PAIRS[] = {
	/* Straddles the end of RMRR 0: 13 of its pages and three past it. */
	{ "dell-latitude-e6430", 27, { { 0xcbccd000, 0xcbcecfff }, { 0xcd800000, 0xcf9fffff } },
	  "0000:00:14.0", XHCI, 0x10, 0xf7e20000, 0x10000, 0xcbce0000, 0 },
	/* The IGD's 4 MiB BAR0 wholly inside its 34 MiB stolen-memory RMRR: mapped, never unmapped. */
	{ "dell-latitude-e6430", 27, { { 0xcbccd000, 0xcbcecfff }, { 0xcd800000, 0xcf9fffff } },
	  "0000:00:02.0", IGD, 0x10, 0xf6400000, 0x400000, 0xcdc00000, 1 },
	/* BAR above 4 GiB (upper half 0x383f): moved with decode off, as an OS does. */
	{ "huananzhi-x99-bd4", 22, { { 0x773e0000, 0x773f0fff }, { 1, 0 } },
	  "0000:00:14.0", XHCI, 0x10, 0x383ffff00000, 0x10000, 0x773f0000, 0 },
	{ "huananzhi-x99-qd4", 18, { { 0x773ee000, 0x773fefff }, { 1, 0 } },
	  "0000:00:14.0", XHCI, 0x10, 0x383ffff00000, 0x10000, 0x773f0000, 0 },
	/* Straddles the start of the RMRR. */
	{ "ecs-h310ch5-m2", 20, { { 0xbf393000, 0xbf5dcfff }, { 1, 0 } },
	  "0000:00:14.0", XHCI, 0x10, 0xde210000, 0x10000, 0xbf390000, 0 },
};

/* No sized memory BAR of the dump lies on a page of the platform's ranges. */
static void no_bar_conflicts(const char *name)
{
	struct mapper *mp = vpci_machine_mapper(F.m);
	struct map_conflict c[4];
	unsigned checked = 0;

	for (size_t i = 0; i < vpci_machine_ndev(F.m); i++) {
		struct vpci_dev *d = vpci_machine_dev(F.m, i);
		for (unsigned b = 0; b < VPCI_NBARS; b++) {
			uint64_t addr, size;
			enum vpci_bar_type t = vpci_dev_bar(d, b, &addr, &size);
			if ((t != VPCI_BAR_MEM32 && t != VPCI_BAR_MEM64 && t != VPCI_BAR_ROM) || !size || !addr)
				continue;
			struct vt_range pg = { addr & ~0xfffull, (addr + size - 1) | 0xfff };
			size_t n = map_conflicts(mp, &pg, VT_POLICY_STRICT, c, 4);
			if (n)
				fprintf(stderr, "\n%s: %s %s conflicts\n", name, vpci_dev_path(d), vt_bar_name(b));
			CU_ASSERT_EQUAL(n, 0);
			checked++;
		}
	}
	CU_ASSERT(checked >= 4);
}

static void pair_open(const struct pair *p, const char *rdm, bool relaxed)
{
	char path[512];
	struct vt_err err = { "" };
	struct vpci_rdm r;

	fx_mkdir();
	snprintf(path, sizeof(path), DATA "/lspci/%s.txt", p->name);
	fx_load_path(path, NULL);
	snprintf(path, sizeof(path), DATA "/dmar/%s.dat", p->name);
	CU_ASSERT_EQUAL_FATAL(vpci_machine_load_acpi(F.m, path, &err), 0);
	if (rdm) {
		CU_ASSERT_EQUAL_FATAL(vpci_rdm_parse(rdm, &r), 0);
		vpci_machine_set_rdm(F.m, &r);
	}
	fx_finish();
	for (unsigned i = 0; i < 2; i++) {
		if (p->rmrr[i].base > p->rmrr[i].last)
			continue;
		/* The table's scope names functions of the dump: pinned, whatever the strategy. */
		CU_ASSERT_EQUAL(fx_region_kind(p->rmrr[i].base, p->rmrr[i].last), MAP_REGION_RMRR);
		if (relaxed)
			fx_pinned(p->rmrr[i].base, p->rmrr[i].last);
		else
			fx_forbid(p->rmrr[i].base, p->rmrr[i].last);
	}
	/* Nothing of the dump conflicts at load: only maps. */
	CU_ASSERT_EQUAL(fx_count_events("refuse "), 0);
	CU_ASSERT_EQUAL(fx_count_events("warn "), 0);
	CU_ASSERT_EQUAL(fx_count_events("map "), p->maps);
	CU_ASSERT_EQUAL(F.nev, p->maps);
	F.nev = 0;
	CU_ASSERT(fx_consume_calls(__FILE__, __LINE__) >= 1);
	no_bar_conflicts(p->name);
}

/* Program the BAR: one dword with decode on below 4 GiB, else decode off, both halves, on. */
static void pair_move(const struct pair *p, uint64_t from, uint64_t to, struct fx_lines *ev,
		      struct fx_lines *calls, bool from_mapped, const struct vt_range *from_keep)
{
	struct vt_range fr = { from, from + p->size - 1 };
	uint16_t cmd = (uint16_t)fx_pior(p->sbdf, 0x04, 2);
	char r[48];

	CU_ASSERT(cmd & 2);
	if (!(from >> 32) && !(to >> 32)) {
		fx_piow(p->sbdf, p->reg, 4, (uint32_t)to | 4);
		fx_add(ev, "move %s bar0 0x%llx -> 0x%llx", p->dev, (unsigned long long)from,
		       (unsigned long long)to);
		if (from_mapped) {
			fx_add(ev, "unmap %s bar0 mem %s", p->dev, vt_fmt_range(&fr, r));
			fx_add_pages(calls, "unmap", &fr, from_keep);
		}
		return;
	}
	fx_piow(p->sbdf, 0x04, 2, cmd & ~2u);
	if (from_mapped) {
		fx_add(ev, "unmap %s bar0 mem %s", p->dev, vt_fmt_range(&fr, r));
		fx_add_pages(calls, "unmap", &fr, from_keep);
	}
	fx_piow(p->sbdf, p->reg, 4, (uint32_t)to | 4);
	fx_piow(p->sbdf, p->reg + 4, 4, (uint32_t)(to >> 32));
	fx_add(ev, "move %s bar0 0x%llx -> 0x%llx", p->dev, (unsigned long long)from,
	       (unsigned long long)((from & ~0xffffffffull) | (uint32_t)to));
	fx_add(ev, "move %s bar0 0x%llx -> 0x%llx", p->dev,
	       (unsigned long long)((from & ~0xffffffffull) | (uint32_t)to), (unsigned long long)to);
	fx_piow(p->sbdf, 0x04, 2, cmd);
}

static void pair_run(const struct pair *p, bool relaxed)
{
	static struct fx_lines ev, calls;
	const struct vt_range *c = &p->rmrr[p->hit];
	struct vt_range to = { p->to, p->to + p->size - 1 }, home = { p->home, p->home + p->size - 1 };
	char label[160], r1[48], r2[48];

	snprintf(label, sizeof(label), "%s %s %s", p->name, p->dev, relaxed ? "relaxed" : "strict");
	pair_open(p, relaxed ? "strategy=host,policy=relaxed" : NULL, relaxed);
	F.label = label;
	ev.n = calls.n = 0;
	pair_move(p, p->home, p->to, &ev, &calls, true, NULL);
	if (relaxed) {
		fx_add(&ev, "warn %s bar0 %s rmrr %s policy=relaxed", p->dev, vt_fmt_range(&to, r1),
		       vt_fmt_range(c, r2));
		fx_add(&ev, "map %s bar0 mem %s", p->dev, r1);
		fx_add_pages(&calls, "map", &to, NULL); /* the RMRR's pages too: the first BAR over them */
	} else {
		fx_add(&ev, "refuse %s bar0 %s rmrr %s policy=strict", p->dev, vt_fmt_range(&to, r1),
		       vt_fmt_range(c, r2));
	}
	EVENTS_L(&ev);
	CALLS_L(&calls);
	ev.n = calls.n = 0;
	pair_move(p, p->to, p->home, &ev, &calls, relaxed, c);
	fx_add(&ev, "map %s bar0 mem %s", p->dev, vt_fmt_range(&home, r1));
	fx_add_pages(&calls, "map", &home, NULL);
	EVENTS_L(&ev);
	CALLS_L(&calls);
	/* The RMRR's pages the BAR covered stay mapped (relaxed), or were never mapped (strict). */
	uint64_t pf = (c->base > to.base ? c->base : to.base) >> 12;
	uint64_t pl = (c->last < to.last ? c->last : to.last) >> 12;
	CU_ASSERT(map_is_mapped(vpci_machine_mapper(F.m), VT_SPACE_MEM, pf) == relaxed);
	CU_ASSERT(map_is_mapped(vpci_machine_mapper(F.m), VT_SPACE_MEM, pl) == relaxed);
	fx_close();
}

static void test_pairs_strict(void)
{
	for (size_t i = 0; i < VT_ARRAY_SIZE(PAIRS); i++)
		pair_run(&PAIRS[i], false);
}

static void test_pairs_relaxed(void)
{
	for (size_t i = 0; i < VT_ARRAY_SIZE(PAIRS); i++)
		pair_run(&PAIRS[i], true);
}

/*
 * The IGD's 256 MiB aperture moved over both E6430 RMRRs: two lines; one
 * run of pages mapped, three unmapped around the RMRRs.
 */
static void e6430_aperture(bool relaxed)
{
	pair_open(&PAIRS[1], relaxed ? "strategy=host,policy=relaxed" : NULL, relaxed);
	F.label = relaxed ? "e6430 aperture relaxed" : "e6430 aperture strict";
	fx_piow(IGD, 0x18, 4, 0xc000000c);
	if (!relaxed) {
		EVENTS("move 0000:00:02.0 bar2 0xd0000000 -> 0xc0000000",
		       "unmap 0000:00:02.0 bar2 mem 0xd0000000-0xdfffffff",
		       "refuse 0000:00:02.0 bar2 0xc0000000-0xcfffffff rmrr 0xcbccd000-0xcbcecfff policy=strict",
		       "refuse 0000:00:02.0 bar2 0xc0000000-0xcfffffff rmrr 0xcd800000-0xcf9fffff policy=strict");
		CALLS("unmap mem 0xd0000-0xdffff");
	} else {
		EVENTS("move 0000:00:02.0 bar2 0xd0000000 -> 0xc0000000",
		       "unmap 0000:00:02.0 bar2 mem 0xd0000000-0xdfffffff",
		       "warn 0000:00:02.0 bar2 0xc0000000-0xcfffffff rmrr 0xcbccd000-0xcbcecfff policy=relaxed",
		       "warn 0000:00:02.0 bar2 0xc0000000-0xcfffffff rmrr 0xcd800000-0xcf9fffff policy=relaxed",
		       "map 0000:00:02.0 bar2 mem 0xc0000000-0xcfffffff");
		CALLS("unmap mem 0xd0000-0xdffff", "map mem 0xc0000-0xcffff");
	}
	fx_piow(IGD, 0x18, 4, 0xd000000c);
	if (!relaxed) {
		EVENTS("move 0000:00:02.0 bar2 0xc0000000 -> 0xd0000000",
		       "map 0000:00:02.0 bar2 mem 0xd0000000-0xdfffffff");
		CALLS("map mem 0xd0000-0xdffff");
	} else {
		EVENTS("move 0000:00:02.0 bar2 0xc0000000 -> 0xd0000000",
		       "unmap 0000:00:02.0 bar2 mem 0xc0000000-0xcfffffff",
		       "map 0000:00:02.0 bar2 mem 0xd0000000-0xdfffffff");
		CALLS("unmap mem 0xc0000-0xcbccc", "unmap mem 0xcbced-0xcd7ff", "unmap mem 0xcfa00-0xcffff",
		      "map mem 0xd0000-0xdffff");
		/* Back over them: only the pages between and around the RMRRs. */
		fx_piow(IGD, 0x18, 4, 0xc000000c);
		EVENTS("move 0000:00:02.0 bar2 0xd0000000 -> 0xc0000000",
		       "unmap 0000:00:02.0 bar2 mem 0xd0000000-0xdfffffff",
		       "warn 0000:00:02.0 bar2 0xc0000000-0xcfffffff rmrr 0xcbccd000-0xcbcecfff policy=relaxed",
		       "warn 0000:00:02.0 bar2 0xc0000000-0xcfffffff rmrr 0xcd800000-0xcf9fffff policy=relaxed",
		       "map 0000:00:02.0 bar2 mem 0xc0000000-0xcfffffff");
		CALLS("unmap mem 0xd0000-0xdffff", "map mem 0xc0000-0xcbccc", "map mem 0xcbced-0xcd7ff",
		      "map mem 0xcfa00-0xcffff");
	}
	fx_close();
}

static void test_e6430_aperture(void)
{
	e6430_aperture(false);
	e6430_aperture(true);
}

/*
 * The E6430's DMAR on a machine with none of its scope devices (only
 * 00:19.0): under strategy=host both RMRRs are checked but of the other
 * kind, the platform does not map them for this domain; relaxed, a BAR
 * over one is mapped and unmapped like any page, every time. Strict maps
 * nothing; device-scoped, the RMRRs do not count at all.
 */
static const char OTHER_MACHINE[] =
	"dmar " E6430_DMAR "\n"
	"%s\n"
	"device 00:19.0\n"
	"00: 86 80 31 1e 02 00 00 00 04 30 03 0c 00 00 00 00\n"
	"10: 00 00 e2 f7 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 28 10 d9 04\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 0b 01 00 00\n"
	"bar 0 size 0x10000\n";

#define S19   VT_SBDF(0, 0, VT_DEVFN(0x19, 0))
#define S19_T "0000:00:19.0"

static void other_run(const char *label, const char *rdm, bool host, bool relaxed)
{
	static char text[2048];
	struct mapper *mp;

	snprintf(text, sizeof(text), OTHER_MACHINE, rdm);
	fx_open(text);
	F.label = label;
	mp = vpci_machine_mapper(F.m);
	CU_ASSERT_EQUAL(fx_region_kind(0xcbccd000, 0xcbcecfff), host ? MAP_REGION_RMRR_OTHER : -1);
	CU_ASSERT_EQUAL(fx_region_kind(0xcd800000, 0xcf9fffff), host ? MAP_REGION_RMRR_OTHER : -1);
	CU_ASSERT_EQUAL(map_refcount(mp, VT_SPACE_MEM, 0xcbccd), 0); /* nothing pinned */
	if (host && !relaxed) {
		fx_forbid(0xcbccd000, 0xcbcecfff);
		fx_forbid(0xcd800000, 0xcf9fffff);
	}
	EVENTS("map " S19_T " bar0 mem 0xf7e20000-0xf7e2ffff");
	CALLS("map mem 0xf7e20-0xf7e2f");
	for (int twice = 0; twice < 2; twice++) {
		fx_cfgw(S19, 0x10, 4, 0xcbce0000);
		if (host && !relaxed) {
			EVENTS("move " S19_T " bar0 0xf7e20000 -> 0xcbce0000", "unmap " S19_T " bar0 mem 0xf7e20000-0xf7e2ffff",
			       "refuse " S19_T " bar0 0xcbce0000-0xcbceffff rmrr 0xcbccd000-0xcbcecfff policy=strict");
			CALLS("unmap mem 0xf7e20-0xf7e2f");
		} else if (host) {
			EVENTS("move " S19_T " bar0 0xf7e20000 -> 0xcbce0000", "unmap " S19_T " bar0 mem 0xf7e20000-0xf7e2ffff",
			       "warn " S19_T " bar0 0xcbce0000-0xcbceffff rmrr 0xcbccd000-0xcbcecfff policy=relaxed",
			       "map " S19_T " bar0 mem 0xcbce0000-0xcbceffff");
			CALLS("unmap mem 0xf7e20-0xf7e2f", "map mem 0xcbce0-0xcbcef");
		} else {
			EVENTS("move " S19_T " bar0 0xf7e20000 -> 0xcbce0000", "unmap " S19_T " bar0 mem 0xf7e20000-0xf7e2ffff",
			       "map " S19_T " bar0 mem 0xcbce0000-0xcbceffff");
			CALLS("unmap mem 0xf7e20-0xf7e2f", "map mem 0xcbce0-0xcbcef");
		}
		fx_cfgw(S19, 0x04, 2, 0); /* decode off: the RMRR's pages go like any */
		if (host && !relaxed) {
			NO_EVENTS();
			NO_CALLS();
		} else {
			EVENTS("unmap " S19_T " bar0 mem 0xcbce0000-0xcbceffff");
			CALLS("unmap mem 0xcbce0-0xcbcef");
		}
		CU_ASSERT_FALSE(map_is_mapped(mp, VT_SPACE_MEM, 0xcbce0));
		fx_cfgw(S19, 0x10, 4, 0xf7e20000);
		fx_cfgw(S19, 0x04, 2, 2);
		EVENTS("move " S19_T " bar0 0xcbce0000 -> 0xf7e20000", "map " S19_T " bar0 mem 0xf7e20000-0xf7e2ffff");
		CALLS("map mem 0xf7e20-0xf7e2f");
	}
	fx_close();
}

static void test_other_rmrr(void)
{
	other_run("e6430 DMAR, no scope device, host relaxed", "rdm strategy=host,policy=relaxed", true, true);
	other_run("e6430 DMAR, no scope device, host strict", "rdm strategy=host,policy=strict", true, false);
	other_run("e6430 DMAR, no scope device, device-scoped relaxed", "rdm policy=relaxed", false, true);
}

/* ---- IVRS: 1-byte exclusion ranges, rounded to their pages ---- */

static const char IVRS_MACHINE[] =
	"%s\n"
	"ivrs " MECHREVO "\n"
	"device %s\n"
	"00: 86 80 34 12 02 00 00 00 00 00 00 ff 00 00 00 00\n"
	"10: 00 00 00 e0 00 00 01 e0 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 86 80 34 12\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 0b 01 00 00\n"
	"bar 0 size 0x400\n"
	"bar 1 size 0x10000\n";

static void ivrs_open(const char *label, const char *rdm, const char *path)
{
	static char text[2048];

	snprintf(text, sizeof(text), IVRS_MACHINE, rdm, path);
	fx_open(text);
	F.label = label;
}

static void test_ivrs_strict(void)
{
	ivrs_open("ivrs strict", "", "00:03.0");
	static const uint64_t ex[] = { 0x9618e000, 0x97d9d000, 0x97d9c000, 0x97b98000, 0x97b97000 };
	for (size_t i = 0; i < VT_ARRAY_SIZE(ex); i++)
		fx_forbid(ex[i], ex[i]);
	EVENTS("map " "0000:00:03.0 bar0 mem 0xe0000000-0xe00003ff", "map 0000:00:03.0 bar1 mem 0xe0010000-0xe001ffff");
	CALLS("map mem 0xe0000-0xe0000", "map mem 0xe0010-0xe001f");
	fx_cfgw(VT_SBDF(0, 0, VT_DEVFN(3, 0)), 0x10, 4, 0x9618e400); /* same page, 1 KiB past the byte */
	EVENTS("move 0000:00:03.0 bar0 0xe0000000 -> 0x9618e400", "unmap 0000:00:03.0 bar0 mem 0xe0000000-0xe00003ff",
	       "refuse 0000:00:03.0 bar0 0x9618e400-0x9618e7ff rmrr 0x9618e000-0x9618efff policy=strict");
	CALLS("unmap mem 0xe0000-0xe0000");
	fx_cfgw(VT_SBDF(0, 0, VT_DEVFN(3, 0)), 0x10, 4, 0x9618ec00); /* the page's last KiB */
	EVENTS("move 0000:00:03.0 bar0 0x9618e400 -> 0x9618ec00",
	       "refuse 0000:00:03.0 bar0 0x9618ec00-0x9618efff rmrr 0x9618e000-0x9618efff policy=strict");
	NO_CALLS();
	fx_cfgw(VT_SBDF(0, 0, VT_DEVFN(3, 0)), 0x10, 4, 0x9618dc00); /* the page before */
	EVENTS("move 0000:00:03.0 bar0 0x9618ec00 -> 0x9618dc00", "map 0000:00:03.0 bar0 mem 0x9618dc00-0x9618dfff");
	CALLS("map mem 0x9618d-0x9618d");
	fx_cfgw(VT_SBDF(0, 0, VT_DEVFN(3, 0)), 0x10, 4, 0x9618f000); /* the page after */
	EVENTS("move 0000:00:03.0 bar0 0x9618dc00 -> 0x9618f000", "unmap 0000:00:03.0 bar0 mem 0x9618dc00-0x9618dfff",
	       "map 0000:00:03.0 bar0 mem 0x9618f000-0x9618f3ff");
	CALLS("unmap mem 0x9618d-0x9618d", "map mem 0x9618f-0x9618f");
	fx_cfgw(VT_SBDF(0, 0, VT_DEVFN(3, 0)), 0x14, 4, 0x97d90000); /* over two of them */
	EVENTS("move 0000:00:03.0 bar1 0xe0010000 -> 0x97d90000", "unmap 0000:00:03.0 bar1 mem 0xe0010000-0xe001ffff",
	       "refuse 0000:00:03.0 bar1 0x97d90000-0x97d9ffff rmrr 0x97d9c000-0x97d9cfff policy=strict",
	       "refuse 0000:00:03.0 bar1 0x97d90000-0x97d9ffff rmrr 0x97d9d000-0x97d9dfff policy=strict");
	CALLS("unmap mem 0xe0010-0xe001f");
	fx_close();
}

static void test_ivrs_relaxed(void)
{
	ivrs_open("ivrs relaxed", "rdm strategy=host,policy=relaxed", "00:03.0");
	/* The IVMDs name 00:00.0-0f:1f.7, 00:03.0 among them: pinned. */
	CU_ASSERT_EQUAL(fx_region_kind(0x97d9c000, 0x97d9cfff), MAP_REGION_RMRR);
	CU_ASSERT_EQUAL(fx_region_kind(0x97d9d000, 0x97d9dfff), MAP_REGION_RMRR);
	fx_pinned(0x97d9c000, 0x97d9d000);
	EVENTS("map 0000:00:03.0 bar0 mem 0xe0000000-0xe00003ff", "map 0000:00:03.0 bar1 mem 0xe0010000-0xe001ffff");
	CALLS("map mem 0xe0000-0xe0000", "map mem 0xe0010-0xe001f");
	fx_cfgw(VT_SBDF(0, 0, VT_DEVFN(3, 0)), 0x14, 4, 0x97d90000);
	EVENTS("move 0000:00:03.0 bar1 0xe0010000 -> 0x97d90000", "unmap 0000:00:03.0 bar1 mem 0xe0010000-0xe001ffff",
	       "warn 0000:00:03.0 bar1 0x97d90000-0x97d9ffff rmrr 0x97d9c000-0x97d9cfff policy=relaxed",
	       "warn 0000:00:03.0 bar1 0x97d90000-0x97d9ffff rmrr 0x97d9d000-0x97d9dfff policy=relaxed",
	       "map 0000:00:03.0 bar1 mem 0x97d90000-0x97d9ffff");
	CALLS("unmap mem 0xe0010-0xe001f", "map mem 0x97d90-0x97d9f");
	fx_cfgw(VT_SBDF(0, 0, VT_DEVFN(3, 0)), 0x04, 2, 0);
	EVENTS("unmap 0000:00:03.0 bar0 mem 0xe0000000-0xe00003ff", "unmap 0000:00:03.0 bar1 mem 0x97d90000-0x97d9ffff");
	CALLS("unmap mem 0xe0000-0xe0000", "unmap mem 0x97d90-0x97d9b", "unmap mem 0x97d9e-0x97d9f");
	CU_ASSERT(map_is_mapped(vpci_machine_mapper(F.m), VT_SPACE_MEM, 0x97d9c));
	CU_ASSERT(map_is_mapped(vpci_machine_mapper(F.m), VT_SPACE_MEM, 0x97d9d));
	fx_close();
}

/* Device-scoped: the IVMDs cover device ids 00:00.0-0f:1f.7 only. */
static void test_ivrs_scoped(void)
{
	ivrs_open("ivrs scoped, device on bus 0x10", "rdm policy=strict", "10:00.0");
	EVENTS("map 0000:10:00.0 bar0 mem 0xe0000000-0xe00003ff", "map 0000:10:00.0 bar1 mem 0xe0010000-0xe001ffff");
	CALLS("map mem 0xe0000-0xe0000", "map mem 0xe0010-0xe001f");
	fx_cfgw(VT_SBDF(0, 0x10, 0), 0x10, 4, 0x9618e400);
	EVENTS("move 0000:10:00.0 bar0 0xe0000000 -> 0x9618e400", "unmap 0000:10:00.0 bar0 mem 0xe0000000-0xe00003ff",
	       "map 0000:10:00.0 bar0 mem 0x9618e400-0x9618e7ff");
	CALLS("unmap mem 0xe0000-0xe0000", "map mem 0x9618e-0x9618e");
	fx_close();
	ivrs_open("ivrs scoped, device on bus 0", "rdm policy=strict", "00:03.0");
	fx_forbid(0x9618e000, 0x9618e000);
	EVENTS("map 0000:00:03.0 bar0 mem 0xe0000000-0xe00003ff", "map 0000:00:03.0 bar1 mem 0xe0010000-0xe001ffff");
	CALLS("map mem 0xe0000-0xe0000", "map mem 0xe0010-0xe001f");
	fx_cfgw(VT_SBDF(0, 0, VT_DEVFN(3, 0)), 0x10, 4, 0x9618e400);
	EVENTS("move 0000:00:03.0 bar0 0xe0000000 -> 0x9618e400", "unmap 0000:00:03.0 bar0 mem 0xe0000000-0xe00003ff",
	       "refuse 0000:00:03.0 bar0 0x9618e400-0x9618e7ff rmrr 0x9618e000-0x9618efff policy=strict");
	CALLS("unmap mem 0xe0000-0xe0000");
	fx_close();
}

/* ---- a firmware memory map directory ---- */

static void put_entry(const char *dir, unsigned n, const char *start, const char *end, const char *type)
{
	char path[512];
	FILE *f;
	const char *name[3] = { "start", "end", "type" }, *val[3] = { start, end, type };

	snprintf(path, sizeof(path), "%s/%u", dir, n);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%u/%s", dir, n, name[i]);
		f = fopen(path, "w");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fprintf(f, "%s\n", val[i]);
		fclose(f);
	}
}

/* A memmap like a real e820, in DIR (created). */
static void make_memmap(const char *dir)
{
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
	put_entry(dir, 0, "0x0", "0x9fbff", "System RAM");
	put_entry(dir, 1, "0x9fc00", "0x9ffff", "Reserved");
	put_entry(dir, 2, "0xf0000", "0xfffff", "Reserved");
	put_entry(dir, 3, "0x100000", "0xbfffffff", "System RAM");
	put_entry(dir, 4, "0xc0000000", "0xc0000fff", "ACPI Tables");
	put_entry(dir, 5, "0xfec00000", "0xfec00fff", "Reserved");
	put_entry(dir, 6, "0x100000000", "0x23fffffff", "System RAM");
}

#define M3 "0000:00:03.0"
#define MS VT_SBDF(0, 0, VT_DEVFN(3, 0))

static void test_memmap(void)
{
	char dir[128];

	fx_mkdir();
	F.label = "memmap";
	snprintf(dir, sizeof(dir), "%s/memmap", F.dir);
	make_memmap(dir);
	/* `memmap DIR` is relative to the machine file. */
	fx_load_text("memmap memmap\n"
		     "device 00:03.0\n"
		     "00: 86 80 34 12 02 00 00 00 00 00 00 ff 00 00 00 00\n"
		     "10: 00 00 00 e0 00 00 01 e0 04 00 00 00 03 00 00 00\n"
		     "20: 00 00 00 00 00 00 00 00 00 00 00 00 86 80 34 12\n"
		     "30: 00 00 00 00 00 00 00 00 00 00 00 00 0b 01 00 00\n"
		     "bar 0 size 0x4000\n"
		     "bar 1 size 0x400\n"
		     "bar 2 size 0x4000\n");
	fx_finish();
	fx_forbid(0x0, 0x9ffff);
	fx_forbid(0xf0000, 0xfffff);
	fx_forbid(0x100000, 0xc0000fff);
	fx_forbid(0xfec00000, 0xfec00fff);
	fx_forbid(0x100000000, 0x23fffffff);
	EVENTS("map " M3 " bar0 mem 0xe0000000-0xe0003fff", "map " M3 " bar1 mem 0xe0010000-0xe00103ff",
	       "map " M3 " bar2 mem 0x300000000-0x300003fff");
	CALLS("map mem 0xe0000-0xe0003", "map mem 0xe0010-0xe0010", "map mem 0x300000-0x300003");
	fx_cfgw(MS, 0x10, 4, 0xbfffc000); /* the last 16 KiB of System RAM */
	EVENTS("move " M3 " bar0 0xe0000000 -> 0xbfffc000", "unmap " M3 " bar0 mem 0xe0000000-0xe0003fff",
	       "refuse " M3 " bar0 0xbfffc000-0xbfffffff ram 0x100000-0xbfffffff policy=strict");
	CALLS("unmap mem 0xe0000-0xe0003");
	fx_cfgw(MS, 0x10, 4, 0xc0000000); /* "ACPI Tables" is reserved */
	EVENTS("move " M3 " bar0 0xbfffc000 -> 0xc0000000",
	       "refuse " M3 " bar0 0xc0000000-0xc0003fff reserved 0xc0000000-0xc0000fff policy=strict");
	NO_CALLS();
	fx_cfgw(MS, 0x10, 4, 0xc0004000);
	EVENTS("move " M3 " bar0 0xc0000000 -> 0xc0004000", "map " M3 " bar0 mem 0xc0004000-0xc0007fff");
	CALLS("map mem 0xc0004-0xc0007");
	fx_cfgw(MS, 0x10, 4, 0xfec00000);
	EVENTS("move " M3 " bar0 0xc0004000 -> 0xfec00000", "unmap " M3 " bar0 mem 0xc0004000-0xc0007fff",
	       "refuse " M3 " bar0 0xfec00000-0xfec03fff reserved 0xfec00000-0xfec00fff policy=strict");
	CALLS("unmap mem 0xc0004-0xc0007");
	fx_cfgw(MS, 0x14, 4, 0x9fc00); /* shares page 0x9f with the end of RAM: both reported */
	EVENTS("move " M3 " bar1 0xe0010000 -> 0x9fc00", "unmap " M3 " bar1 mem 0xe0010000-0xe00103ff",
	       "refuse " M3 " bar1 0x9fc00-0x9ffff ram 0x0-0x9fbff policy=strict",
	       "refuse " M3 " bar1 0x9fc00-0x9ffff reserved 0x9fc00-0x9ffff policy=strict");
	CALLS("unmap mem 0xe0010-0xe0010");
	fx_cfgw(MS, 0x14, 4, 0xa0000); /* the VGA hole: not in the map */
	EVENTS("move " M3 " bar1 0x9fc00 -> 0xa0000", "map " M3 " bar1 mem 0xa0000-0xa03ff");
	CALLS("map mem 0xa0-0xa0");
	fx_cfgw(MS, 0x18, 4, 0x3fffc004); /* 64-bit: low half first, 0x33fffc000 is clear */
	EVENTS("move " M3 " bar2 0x300000000 -> 0x33fffc000", "unmap " M3 " bar2 mem 0x300000000-0x300003fff",
	       "map " M3 " bar2 mem 0x33fffc000-0x33fffffff");
	CALLS("unmap mem 0x300000-0x300003", "map mem 0x33fffc-0x33ffff");
	fx_cfgw(MS, 0x1c, 4, 2); /* then 0x23fffc000: RAM above 4 GiB */
	EVENTS("move " M3 " bar2 0x33fffc000 -> 0x23fffc000", "unmap " M3 " bar2 mem 0x33fffc000-0x33fffffff",
	       "refuse " M3 " bar2 0x23fffc000-0x23fffffff ram 0x100000000-0x23fffffff policy=strict");
	CALLS("unmap mem 0x33fffc-0x33ffff");
	fx_close();
}

/* ---- vpcitrap replay, end to end ---- */

/* Line 1: an optional machine line; the device on line 2; accesses on lines 8 and 9. */
static const char TRACE[] =
	"%s\n"
	"device %s %s\n"
	"00: 86 80 31 1e 02 00 00 00 04 30 03 0c 00 00 00 00\n"
	"10: 04 00 e2 f7 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 28 10 d9 04\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 0b 01 00 00\n"
	"bar 0 size 0x10000\n"
	"cfg w %s 0x10 4 0x%x\n"
	"cfg w %s 0x10 4 0xf7e20004\n"
	"%s";

static const char *trace(const char *name, const char *line1, const char *path, const char *opt,
			 uint32_t to, const char *tail)
{
	static char text[4096];
	const char *sbdf = !strcmp(path, "00:14.0") ? "00:14.0" : "00:19.0";

	snprintf(text, sizeof(text), TRACE, line1, path, opt, sbdf, to | 4, sbdf, tail);
	return fx_put(name, text);
}

/* Run `vpcitrap replay TRACE ARGS`; compare stdout and the exit status. */
static void replay_(const char *tr, const char *args, const char *want, int status, const char *file,
		    int line)
{
	static char cmd[2048], out[16384];
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' replay '%s' %s 2>&1", VPCITRAP, tr, args);
	st = fx_run(cmd, out, sizeof(out));
	if (st != status || strcmp(out, want)) {
		fprintf(stderr, "\n%s:%d: %s\n  expected (exit %d):\n%s  got (exit %d):\n%s", file, line, cmd,
			status, want, st, out);
		CU_assertImplementation(CU_FALSE, (unsigned)line, "replay output", file, "", CU_FALSE);
	} else {
		CU_assertImplementation(CU_TRUE, (unsigned)line, "replay output", file, "", CU_FALSE);
	}
}
#define REPLAY(tr, args, want, status) replay_(tr, args, want, status, __FILE__, __LINE__)

#define X "0000:00:14.0"
#define LOAD "0: map " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"
#define STRICT_OUT                                                                      \
	LOAD "8: move " X " bar0 0xf7e20000 -> 0xcbce0000\n"                            \
	"8: unmap " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"                               \
	"8: refuse " X " bar0 0xcbce0000-0xcbceffff rmrr 0xcbccd000-0xcbcecfff policy=strict\n" \
	"9: move " X " bar0 0xcbce0000 -> 0xf7e20000\n"                                 \
	"9: map " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"                                 \
	"summary accesses=2 reads=0 writes=2 mismatches=0 maps=2 unmaps=1 refusals=1 renumbers=0\n"
#define RELAXED_OUT                                                                     \
	LOAD "8: move " X " bar0 0xf7e20000 -> 0xcbce0000\n"                            \
	"8: unmap " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"                               \
	"8: warn " X " bar0 0xcbce0000-0xcbceffff rmrr 0xcbccd000-0xcbcecfff policy=relaxed\n" \
	"8: map " X " bar0 mem 0xcbce0000-0xcbceffff\n"                                 \
	"9: move " X " bar0 0xcbce0000 -> 0xf7e20000\n"                                 \
	"9: unmap " X " bar0 mem 0xcbce0000-0xcbceffff\n"                               \
	"9: map " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"                                 \
	"summary accesses=2 reads=0 writes=2 mismatches=0 maps=3 unmaps=2 refusals=0 renumbers=0\n"

static void test_replay_rdm(void)
{
	const char *t;
	char args[512];

	CU_ASSERT_EQUAL_FATAL(access(VPCITRAP, X_OK), 0);
	fx_mkdir();
	F.label = "replay";
	t = trace("plain.trace", "", "00:14.0", "", 0xcbce0000, "");
	snprintf(args, sizeof(args), "--dmar '%s'", E6430_DMAR);
	REPLAY(t, args, STRICT_OUT, 0);
	snprintf(args, sizeof(args), "--dmar '%s' --rdm strategy=host,policy=strict", E6430_DMAR);
	REPLAY(t, args, STRICT_OUT, 0);
	snprintf(args, sizeof(args), "--dmar '%s' --rdm strategy=host,policy=relaxed", E6430_DMAR);
	REPLAY(t, args, RELAXED_OUT, 0);
	/* Device-scoped: 00:14.0 is in the RMRR's scope. */
	snprintf(args, sizeof(args), "--rdm policy=relaxed --dmar '%s'", E6430_DMAR);
	REPLAY(t, args, RELAXED_OUT, 0);
	snprintf(args, sizeof(args), "--dmar '%s' --final --rdm policy=relaxed", E6430_DMAR);
	REPLAY(t, args,
	       LOAD "8: move " X " bar0 0xf7e20000 -> 0xcbce0000\n"
	       "8: unmap " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "8: warn " X " bar0 0xcbce0000-0xcbceffff rmrr 0xcbccd000-0xcbcecfff policy=relaxed\n"
	       "8: map " X " bar0 mem 0xcbce0000-0xcbceffff\n"
	       "9: move " X " bar0 0xcbce0000 -> 0xf7e20000\n"
	       "9: unmap " X " bar0 mem 0xcbce0000-0xcbceffff\n"
	       "9: map " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "mapped " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "summary accesses=2 reads=0 writes=2 mismatches=0 maps=3 unmaps=2 refusals=0 renumbers=0\n",
	       0);

	/* A device outside every scope: device-scoped ignores the RMRR, strategy=host does not. */
	t = trace("other.trace", "", "00:19.0", "", 0xcbce0000, "");
	snprintf(args, sizeof(args), "--dmar '%s' --rdm policy=strict", E6430_DMAR);
	REPLAY(t, args,
	       "0: map 0000:00:19.0 bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "8: move 0000:00:19.0 bar0 0xf7e20000 -> 0xcbce0000\n"
	       "8: unmap 0000:00:19.0 bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "8: map 0000:00:19.0 bar0 mem 0xcbce0000-0xcbceffff\n"
	       "9: move 0000:00:19.0 bar0 0xcbce0000 -> 0xf7e20000\n"
	       "9: unmap 0000:00:19.0 bar0 mem 0xcbce0000-0xcbceffff\n"
	       "9: map 0000:00:19.0 bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "summary accesses=2 reads=0 writes=2 mismatches=0 maps=3 unmaps=2 refusals=0 renumbers=0\n",
	       0);
	snprintf(args, sizeof(args), "--dmar '%s' --rdm strategy=host,policy=strict", E6430_DMAR);
	REPLAY(t, args,
	       "0: map 0000:00:19.0 bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "8: move 0000:00:19.0 bar0 0xf7e20000 -> 0xcbce0000\n"
	       "8: unmap 0000:00:19.0 bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "8: refuse 0000:00:19.0 bar0 0xcbce0000-0xcbceffff rmrr 0xcbccd000-0xcbcecfff policy=strict\n"
	       "9: move 0000:00:19.0 bar0 0xcbce0000 -> 0xf7e20000\n"
	       "9: map 0000:00:19.0 bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "summary accesses=2 reads=0 writes=2 mismatches=0 maps=2 unmaps=1 refusals=1 renumbers=0\n",
	       0);

	/* Per device wins over --rdm, both ways. */
	t = trace("dev-strict.trace", "", "00:14.0", "rdm_policy=strict", 0xcbce0000, "");
	snprintf(args, sizeof(args), "--dmar '%s' --rdm strategy=host,policy=relaxed", E6430_DMAR);
	REPLAY(t, args, STRICT_OUT, 0);
	t = trace("dev-relaxed.trace", "", "00:14.0", "rdm_policy=relaxed", 0xcbce0000, "");
	snprintf(args, sizeof(args), "--dmar '%s'", E6430_DMAR);
	REPLAY(t, args, RELAXED_OUT, 0);

	/* --rdm replaces the trace's own rdm line; a dmar line in the trace is read too. */
	t = trace("rdm-line.trace", "rdm strategy=host,policy=relaxed", "00:14.0", "", 0xcbce0000, "");
	snprintf(args, sizeof(args), "--dmar '%s'", E6430_DMAR);
	REPLAY(t, args, RELAXED_OUT, 0);
	snprintf(args, sizeof(args), "--dmar '%s' --rdm strategy=host,policy=strict", E6430_DMAR);
	REPLAY(t, args, STRICT_OUT, 0);
	t = trace("dmar-line.trace", "dmar " E6430_DMAR, "00:14.0", "", 0xcbce0000, "");
	REPLAY(t, "", STRICT_OUT, 0);
	REPLAY(t, "--rdm strategy=host,policy=relaxed", RELAXED_OUT, 0);
	fx_close();
}

static void test_replay_tables(void)
{
	const char *t;
	char args[512], mm[160];

	CU_ASSERT_EQUAL_FATAL(access(VPCITRAP, X_OK), 0);
	fx_mkdir();
	F.label = "replay tables";
	/* --memmap and --dmar together: RAM and the RMRR, both reported, in address order. */
	snprintf(mm, sizeof(mm), "%s/memmap", F.dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(mm, 0755), 0);
	put_entry(mm, 0, "0x100000", "0xcbcdffff", "System RAM");
	put_entry(mm, 1, "0xcbce8000", "0xcbceffff", "ACPI Non-volatile Storage");
	t = trace("plain.trace", "", "00:14.0", "", 0xcbce0000, "");
	snprintf(args, sizeof(args), "--memmap '%s' --dmar '%s' --rdm strategy=host,policy=relaxed", mm,
		 E6430_DMAR);
	REPLAY(t, args,
	       LOAD "8: move " X " bar0 0xf7e20000 -> 0xcbce0000\n"
	       "8: unmap " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "8: refuse " X " bar0 0xcbce0000-0xcbceffff reserved 0xcbce8000-0xcbceffff policy=strict\n"
	       "9: move " X " bar0 0xcbce0000 -> 0xf7e20000\n"
	       "9: map " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "summary accesses=2 reads=0 writes=2 mismatches=0 maps=2 unmaps=1 refusals=1 renumbers=0\n",
	       0);
	t = trace("ram.trace", "", "00:14.0", "", 0xcbcd0000, "");
	snprintf(args, sizeof(args), "--memmap '%s' --dmar '%s'", mm, E6430_DMAR);
	REPLAY(t, args,
	       LOAD "8: move " X " bar0 0xf7e20000 -> 0xcbcd0000\n"
	       "8: unmap " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "8: refuse " X " bar0 0xcbcd0000-0xcbcdffff ram 0x100000-0xcbcdffff policy=strict\n"
	       "8: refuse " X " bar0 0xcbcd0000-0xcbcdffff rmrr 0xcbccd000-0xcbcecfff policy=strict\n"
	       "9: move " X " bar0 0xcbcd0000 -> 0xf7e20000\n"
	       "9: map " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "summary accesses=2 reads=0 writes=2 mismatches=0 maps=2 unmaps=1 refusals=2 renumbers=0\n",
	       0);
	/* --ivrs: a 1-byte exclusion range refuses the whole 64 KiB BAR around its page. */
	t = trace("ivrs.trace", "", "00:14.0", "", 0x96180000, "");
	snprintf(args, sizeof(args), "--ivrs '%s'", MECHREVO);
	REPLAY(t, args,
	       LOAD "8: move " X " bar0 0xf7e20000 -> 0x96180000\n"
	       "8: unmap " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "8: refuse " X " bar0 0x96180000-0x9618ffff rmrr 0x9618e000-0x9618efff policy=strict\n"
	       "9: move " X " bar0 0x96180000 -> 0xf7e20000\n"
	       "9: map " X " bar0 mem 0xf7e20000-0xf7e2ffff\n"
	       "summary accesses=2 reads=0 writes=2 mismatches=0 maps=2 unmaps=1 refusals=1 renumbers=0\n",
	       0);
	fx_close();
}

static void test_replay_status(void)
{
	const char *t;
	char args[512], cmd[1024], out[4096];

	CU_ASSERT_EQUAL_FATAL(access(VPCITRAP, X_OK), 0);
	fx_mkdir();
	F.label = "replay status";
	/* expect lines written for strict: met under strict (0), not under relaxed (1). */
	t = trace("expect.trace", "", "00:14.0", "", 0xcbce0000,
		  "expect move " X " bar0 0xcbce0000 -> 0xf7e20000\n"
		  "expect map " X " bar0 mem 0xf7e20000-0xf7e2ffff\n");
	snprintf(args, sizeof(args), "--dmar '%s' --quiet", E6430_DMAR);
	REPLAY(t, args, "summary accesses=2 reads=0 writes=2 mismatches=0 maps=2 unmaps=1 refusals=1 renumbers=0\n",
	       0);
	snprintf(args, sizeof(args), "--dmar '%s' --quiet --rdm strategy=host,policy=relaxed", E6430_DMAR);
	REPLAY(t, args,
	       "9: unexpected unmap " X " bar0 mem 0xcbce0000-0xcbceffff\n"
	       "summary accesses=2 reads=0 writes=2 mismatches=1 maps=3 unmaps=2 refusals=0 renumbers=0\n",
	       1);
	/* Bad input: exit 2 with a message naming what is wrong. */
	t = trace("plain.trace", "", "00:14.0", "", 0xcbce0000, "");
	snprintf(cmd, sizeof(cmd), "'%s' replay '%s' --rdm policy=lenient 2>&1 >/dev/null", VPCITRAP, t);
	CU_ASSERT_EQUAL(fx_run(cmd, out, sizeof(out)), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "policy=lenient"));
	snprintf(cmd, sizeof(cmd), "'%s' replay '%s' --dmar '%s/none.dat' 2>&1 >/dev/null", VPCITRAP, t, F.dir);
	CU_ASSERT_EQUAL(fx_run(cmd, out, sizeof(out)), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "none.dat"));
	t = trace("bad-rdm.trace", "rdm policy=lenient", "00:14.0", "", 0xcbce0000, "");
	snprintf(cmd, sizeof(cmd), "'%s' replay '%s' 2>&1 >/dev/null", VPCITRAP, t);
	CU_ASSERT_EQUAL(fx_run(cmd, out, sizeof(out)), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "bad-rdm.trace:1:"));
	t = trace("bad-policy.trace", "", "00:14.0", "rdm_policy=lenient", 0xcbce0000, "");
	snprintf(cmd, sizeof(cmd), "'%s' replay '%s' 2>&1 >/dev/null", VPCITRAP, t);
	CU_ASSERT_EQUAL(fx_run(cmd, out, sizeof(out)), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "bad-policy.trace:2:"));
	fx_close();
}

CU_TestInfo conflicts_real_tests[] = {
	{ "DMAR + lspci of the same machine, strict", test_pairs_strict },
	{ "DMAR + lspci of the same machine, relaxed", test_pairs_relaxed },
	{ "E6430 aperture over both RMRRs", test_e6430_aperture },
	{ "E6430 DMAR, no scope device: RMRRs of the other kind", test_other_rmrr },
	{ "IVRS 1-byte exclusion ranges, strict", test_ivrs_strict },
	{ "IVRS 1-byte exclusion ranges, relaxed", test_ivrs_relaxed },
	{ "IVRS device-scoped", test_ivrs_scoped },
	{ "memmap directory", test_memmap },
	{ "replay --dmar --rdm", test_replay_rdm },
	{ "replay --memmap --ivrs", test_replay_tables },
	{ "replay exit status", test_replay_status },
	CU_TEST_INFO_NULL,
};
