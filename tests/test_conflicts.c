/*
 * tests/test_conflicts.c - issue 4: BARs against RAM, reserved ranges and
 * RMRRs under the RDM policy (CONTRACT §3), driven through the real path:
 * machine-file text loaded by vpci_machine_load, config writes through
 * traps/, every event and backend call checked exactly, every backend call
 * replayed into the per-page p2m model (conflicts_fx.h).
 *
 * Synthetic machines here; real DMAR/IVRS tables with the lspci dumps of
 * the same machines, memmap directories and `vpcitrap replay` in
 * test_conflicts_real.c.
 *
 * RMRRs come in two kinds: those whose scope names a function of this
 * machine are pinned (the platform identity-maps them for this domain):
 * under relaxed policy the first BAR over a pinned page maps it and nothing
 * ever unmaps it, not a move, not decode off. Those checked only because of
 * strategy=host are mapped and unmapped like any page. Strict maps neither.
 */
#include <stdlib.h>
#include <string.h>

#include "conflicts_fx.h"
#include "core_util.h"

/* ---- the standard machine ---- */

/*
 * Each kind of range three times below 4 GiB: page aligned at X2000-X9fff
 * (X = 0xc000 RAM, 0xc100 reserved, 0xc200 RMRR), so that a 4 KiB BAR can
 * sit one byte before and after it while a 16 KiB BAR straddles its ends;
 * and inside one page at Y0800-Y0bff (Y = 0xc300, 0xc400, 0xc500), so that
 * a 1 KiB BAR one byte away still shares its page. Above 4 GiB: RAM, an
 * RMRR and a reserved range for the 64-bit BAR. At 0xc6000000 one of each
 * kind within 64 KiB, for several conflicts at once.
 */
static const char STD_PLATFORM[] =
	"ram 0x0-0x7fffffff\n"
	"ram 0x300000000-0x3efffffff\n"
	"ram 0xc0002000-0xc0009fff\n"
	"reserved 0xc1002000-0xc1009fff\n"
	"rmrr 0xc2002000-0xc2009fff 00:03.0\n"
	"ram 0xc3000800-0xc3000bff\n"
	"reserved 0xc4000800-0xc4000bff\n"
	"rmrr 0xc5000800-0xc5000bff 00:03.0\n"
	"ram 0xc6001000-0xc6001fff\n"
	"reserved 0xc6004000-0xc6004fff\n"
	"rmrr 0xc6008000-0xc6008fff 00:03.0 00:1f.0\n"
	"reserved 0xc600c000-0xc600cfff\n"
	"rmrr 0x3f0014000-0x3f001bfff 00:03.0\n"
	"reserved 0x3f0204000-0x3f0207fff\n";

/* 00:03.0, memory decoding: BAR0 16K, BAR1 4K, BAR2 64K, BAR3 1K (32-bit), BAR4 64-bit 16K, ROM 16K enabled. */
static const char STD_DEV[] =
	"00: 86 80 34 12 02 00 00 00 00 00 00 ff 00 00 00 00\n"
	"10: 00 00 00 e0 00 00 01 e0 00 00 02 e0 00 00 03 e0\n"
	"20: 04 00 10 f0 03 00 00 00 00 00 00 00 86 80 34 12\n"
	"30: 01 00 04 e0 00 00 00 00 00 00 00 00 0b 01 00 00\n"
	"bar 0 size 0x4000\n"
	"bar 1 size 0x1000\n"
	"bar 2 size 0x10000\n"
	"bar 3 size 0x400\n"
	"bar 4 size 0x4000\n"
	"rom size 0x4000\n";

#define S3   VT_SBDF(0, 0, VT_DEVFN(3, 0))
#define S3_T "0000:00:03.0"

struct std_bar {
	const char *name;
	unsigned reg;
	uint64_t size, home;
	uint32_t low_bits; /* written with the address: ROM enable */
};
static const struct std_bar STD_BAR[7] = {
	{ "bar0", 0x10, 0x4000, 0xe0000000, 0 },
	{ "bar1", 0x14, 0x1000, 0xe0010000, 0 },
	{ "bar2", 0x18, 0x10000, 0xe0020000, 0 },
	{ "bar3", 0x1c, 0x400, 0xe0030000, 0 },
	{ "bar4", 0x20, 0x4000, 0x3f0100000, 0 },
	{ NULL, 0, 0, 0, 0 },
	{ "rom", 0x30, 0x4000, 0xe0040000, 1 },
};

/* RAM and reserved: never touched. The RMRRs (all name 00:03.0: pinned): by the policy. */
static void std_forbid(bool relaxed)
{
	static const struct vt_range r[] = {
		{ 0x0, 0x7fffffff },	      { 0x300000000, 0x3efffffff }, { 0xc0002000, 0xc0009fff },
		{ 0xc1002000, 0xc1009fff },   { 0xc3000800, 0xc3000bff },   { 0xc4000800, 0xc4000bff },
		{ 0xc6001000, 0xc6001fff },   { 0xc6004000, 0xc6004fff },   { 0xc600c000, 0xc600cfff },
		{ 0x3f0204000, 0x3f0207fff },
	};
	static const struct vt_range rmrr[] = {
		{ 0xc2002000, 0xc2009fff }, { 0xc5000800, 0xc5000bff }, { 0xc6008000, 0xc6008fff },
		{ 0x3f0014000, 0x3f001bfff },
	};

	for (size_t i = 0; i < VT_ARRAY_SIZE(r); i++)
		fx_forbid(r[i].base, r[i].last);
	for (size_t i = 0; i < VT_ARRAY_SIZE(rmrr); i++) {
		CU_ASSERT_EQUAL(fx_region_kind(rmrr[i].base, rmrr[i].last), MAP_REGION_RMRR);
		if (relaxed)
			fx_pinned(rmrr[i].base, rmrr[i].last);
		else
			fx_forbid(rmrr[i].base, rmrr[i].last);
	}
}

/*
 * Load the standard machine with an optional `rdm` line and device option;
 * relaxed: the policy 00:03.0 ends up with.
 */
static void std_open(const char *label, const char *rdm_line, const char *dev_opt, bool relaxed)
{
	static char text[8192];

	snprintf(text, sizeof(text), "%s%s\ndevice 00:03.0 %s\n%s", STD_PLATFORM,
		 rdm_line ? rdm_line : "", dev_opt ? dev_opt : "", STD_DEV);
	fx_open(text);
	F.label = label;
	std_forbid(relaxed);
	EVENTS("map " S3_T " bar0 mem 0xe0000000-0xe0003fff", "map " S3_T " bar1 mem 0xe0010000-0xe0010fff",
	       "map " S3_T " bar2 mem 0xe0020000-0xe002ffff", "map " S3_T " bar3 mem 0xe0030000-0xe00303ff",
	       "map " S3_T " bar4 mem 0x3f0100000-0x3f0103fff", "map " S3_T " rom mem 0xe0040000-0xe0043fff");
	CALLS("map mem 0xe0000-0xe0003", "map mem 0xe0010-0xe0010", "map mem 0xe0020-0xe002f",
	      "map mem 0xe0030-0xe0030", "map mem 0x3f0100-0x3f0103", "map mem 0xe0040-0xe0043");
}

/* Program a standard BAR (one dword: 64-bit moves stay within the upper half). */
static void std_write(unsigned bar, uint64_t addr)
{
	const struct std_bar *b = &STD_BAR[bar];

	fx_cfgw(S3, b->reg, 4, (uint32_t)addr | b->low_bits);
	if (bar == 4)
		CU_ASSERT_EQUAL((addr >> 32), 3); /* the table keeps 64-bit moves in one half */
}

#define ALL_UNMAP_EVENTS                                                                   \
	"unmap " S3_T " bar1 mem 0xe0010000-0xe0010fff", "unmap " S3_T " bar2 mem 0xe0020000-0xe002ffff", \
	"unmap " S3_T " bar3 mem 0xe0030000-0xe00303ff", "unmap " S3_T " bar4 mem 0x3f0100000-0x3f0103fff", \
	"unmap " S3_T " rom mem 0xe0040000-0xe0043fff"
#define ALL_UNMAP_CALLS                                                                             \
	"unmap mem 0xe0010-0xe0010", "unmap mem 0xe0020-0xe002f", "unmap mem 0xe0030-0xe0030",       \
	"unmap mem 0x3f0100-0x3f0103", "unmap mem 0xe0040-0xe0043"
#define ALL_MAP_EVENTS                                                                              \
	"map " S3_T " bar1 mem 0xe0010000-0xe0010fff", "map " S3_T " bar2 mem 0xe0020000-0xe002ffff",   \
	"map " S3_T " bar3 mem 0xe0030000-0xe00303ff", "map " S3_T " bar4 mem 0x3f0100000-0x3f0103fff", \
	"map " S3_T " rom mem 0xe0040000-0xe0043fff"
#define ALL_MAP_CALLS                                                                               \
	"map mem 0xe0010-0xe0010", "map mem 0xe0020-0xe002f", "map mem 0xe0030-0xe0030",             \
	"map mem 0x3f0100-0x3f0103", "map mem 0xe0040-0xe0043"

/* ---- BARs moved onto, next to, across and inside every kind of range ---- */

enum kind { CLEAR, RAM, RES, RMRR };
static const char *const KIND[] = { "", "ram", "reserved", "rmrr" };

struct pos {
	const char *what;
	unsigned bar;
	uint64_t addr;
	enum kind kind;
	struct vt_range c; /* the conflicting range, as the machine gives it */
};

#define R_RAM  { 0xc0002000, 0xc0009fff }
#define R_RES  { 0xc1002000, 0xc1009fff }
#define R_RMRR { 0xc2002000, 0xc2009fff }
#define ALIGNED(K, X, R)                                                                    \
	{ K " one byte before (4K BAR)", 1, X + 0x1000, CLEAR, { 0, 0 } },                  \
	{ K " one byte after (4K BAR)", 1, X + 0xa000, CLEAR, { 0, 0 } },                   \
	{ K " first page (4K BAR)", 1, X + 0x2000, R, R_##R },                              \
	{ K " last page (4K BAR)", 1, X + 0x9000, R, R_##R },                               \
	{ K " straddling its start (16K BAR)", 0, X + 0x0000, R, R_##R },                   \
	{ K " straddling its end (16K BAR)", 0, X + 0x8000, R, R_##R },                     \
	{ K " inside (16K BAR)", 0, X + 0x4000, R, R_##R },                                 \
	{ K " across it (64K BAR)", 2, X + 0x0000, R, R_##R },                              \
	{ K " ROM straddling its start", 6, X + 0x0000, R, R_##R },                         \
	{ K " ROM inside", 6, X + 0x4000, R, R_##R },                                       \
	{ K " ROM clear after", 6, X + 0xc000, CLEAR, { 0, 0 } }
#define SUBPAGE(K, Y, R)                                                                    \
	{ K " sub-page: one byte before, same page (1K BAR)", 3, Y + 0x400, R, { Y + 0x800, Y + 0xbff } }, \
	{ K " sub-page: one byte after, same page (1K BAR)", 3, Y + 0xc00, R, { Y + 0x800, Y + 0xbff } },  \
	{ K " sub-page: onto (1K BAR)", 3, Y + 0x800, R, { Y + 0x800, Y + 0xbff } },                       \
	{ K " sub-page: one page before (1K BAR)", 3, Y - 0x400, CLEAR, { 0, 0 } },                        \
	{ K " sub-page: one page after (1K BAR)", 3, Y + 0x1000, CLEAR, { 0, 0 } },                        \
	{ K " sub-page: covered by a 4K BAR", 1, Y, R, { Y + 0x800, Y + 0xbff } }

static const struct pos POS[] = {
	ALIGNED("ram", 0xc0000000, RAM),
	ALIGNED("reserved", 0xc1000000, RES),
	ALIGNED("rmrr", 0xc2000000, RMRR),
	SUBPAGE("ram", 0xc3000000, RAM),
	SUBPAGE("reserved", 0xc4000000, RES),
	SUBPAGE("rmrr", 0xc5000000, RMRR),
	{ "64-bit inside RAM above 4 GiB", 4, 0x3efffc000, RAM, { 0x300000000, 0x3efffffff } },
	{ "64-bit one byte after RAM", 4, 0x3f0000000, CLEAR, { 0, 0 } },
	{ "64-bit one byte before RMRR", 4, 0x3f0010000, CLEAR, { 0, 0 } },
	{ "64-bit onto the RMRR's start", 4, 0x3f0014000, RMRR, { 0x3f0014000, 0x3f001bfff } },
	{ "64-bit onto the RMRR's end", 4, 0x3f0018000, RMRR, { 0x3f0014000, 0x3f001bfff } },
	{ "64-bit one byte after RMRR", 4, 0x3f001c000, CLEAR, { 0, 0 } },
	{ "64-bit one byte before reserved", 4, 0x3f0200000, CLEAR, { 0, 0 } },
	{ "64-bit onto reserved", 4, 0x3f0204000, RES, { 0x3f0204000, 0x3f0207fff } },
	{ "64-bit one byte after reserved", 4, 0x3f0208000, CLEAR, { 0, 0 } },
};

static const char *rng(const struct vt_range *r, char *buf)
{
	return vt_fmt_range(r, buf);
}

/*
 * The pinned pages mapped so far: a relaxed BAR over an RMRR maps only the
 * pages not yet mapped, and they stay mapped from then on.
 */
static struct fx_model pos_live;

/* Move there and back home; check every event and call of both moves. */
static void pos_step(const struct pos *p, bool relaxed)
{
	static struct fx_lines ev, calls;
	const struct std_bar *b = &STD_BAR[p->bar];
	struct vt_range home = { b->home, b->home + b->size - 1 }, to = { p->addr, p->addr + b->size - 1 };
	bool warned = p->kind == RMRR && relaxed, mapped = p->kind == CLEAR || warned;
	char r1[48], r2[48], label[200];
	const char *outer = F.label;

	snprintf(label, sizeof(label), "%s: %s", outer, p->what);
	F.label = label;
	ev.n = calls.n = 0;
	std_write(p->bar, p->addr);
	fx_add(&ev, "move " S3_T " %s 0x%llx -> 0x%llx", b->name, (unsigned long long)b->home,
	       (unsigned long long)p->addr);
	fx_add(&ev, "unmap " S3_T " %s mem %s", b->name, rng(&home, r1));
	fx_add_pages(&calls, "unmap", &home, NULL);
	if (p->kind != CLEAR && !warned)
		fx_add(&ev, "refuse " S3_T " %s %s %s %s policy=strict", b->name, rng(&to, r1),
		       KIND[p->kind], rng(&p->c, r2));
	if (warned)
		fx_add(&ev, "warn " S3_T " %s %s rmrr %s policy=relaxed", b->name, rng(&to, r1),
		       rng(&p->c, r2));
	if (mapped) {
		fx_add(&ev, "map " S3_T " %s mem %s", b->name, rng(&to, r1));
		fx_add_pages_except(&calls, "map", &to, &pos_live);
	}
	EVENTS_L(&ev);
	CALLS_L(&calls);
	if (warned) { /* the RMRR's pages under the BAR: mapped for good */
		uint64_t pf = (p->c.base > to.base ? p->c.base : to.base) >> 12;
		uint64_t pl = (p->c.last < to.last ? p->c.last : to.last) >> 12;
		fx_pages_add(&pos_live, pf << 12, pl << 12);
	}

	ev.n = calls.n = 0;
	std_write(p->bar, b->home);
	fx_add(&ev, "move " S3_T " %s 0x%llx -> 0x%llx", b->name, (unsigned long long)p->addr,
	       (unsigned long long)b->home);
	if (mapped) {
		fx_add(&ev, "unmap " S3_T " %s mem %s", b->name, rng(&to, r1));
		fx_add_pages(&calls, "unmap", &to, warned ? &p->c : NULL);
	}
	fx_add(&ev, "map " S3_T " %s mem %s", b->name, rng(&home, r1));
	fx_add_pages(&calls, "map", &home, NULL);
	EVENTS_L(&ev);
	CALLS_L(&calls);
	F.label = outer;
}

static void positions(const char *label, const char *rdm_line, const char *dev_opt, bool relaxed)
{
	struct mapper *mp;

	pos_live.n = 0;
	std_open(label, rdm_line, dev_opt, relaxed);
	mp = vpci_machine_mapper(F.m);
	for (size_t i = 0; i < VT_ARRAY_SIZE(POS); i++)
		pos_step(&POS[i], relaxed);
	/* Every BAR home, then decode off: the pinned pages mapped on the way stay mapped. */
	fx_cfgw(S3, 0x04, 2, 0x0000);
	EVENTS("unmap " S3_T " bar0 mem 0xe0000000-0xe0003fff", ALL_UNMAP_EVENTS);
	CALLS("unmap mem 0xe0000-0xe0003", ALL_UNMAP_CALLS);
	CU_ASSERT(fx_model_is(VT_SPACE_MEM, &pos_live));
	/* Under relaxed: every page of the three RMRRs the positions cover; under strict none. */
	CU_ASSERT_EQUAL(pos_live.n, relaxed ? 3 : 0);
	if (relaxed && pos_live.n == 3)
		CU_ASSERT(pos_live.run[0].base == 0xc2002 && pos_live.run[0].last == 0xc2009 &&
			  pos_live.run[1].base == 0xc5000 && pos_live.run[1].last == 0xc5000 &&
			  pos_live.run[2].base == 0x3f0014 && pos_live.run[2].last == 0x3f001b);
	for (size_t i = 0; i < pos_live.n; i++)
		for (uint64_t pg = pos_live.run[i].base; pg <= pos_live.run[i].last; pg++) {
			CU_ASSERT(map_is_mapped(mp, VT_SPACE_MEM, pg));
			CU_ASSERT_EQUAL(map_refcount(mp, VT_SPACE_MEM, pg), 1);
		}
	fx_close();
}

static void test_pos_default(void)
{
	positions("default (strategy=host,policy=strict)", NULL, NULL, false);
}

static void test_pos_strict(void)
{
	positions("rdm strategy=host,policy=strict", "rdm strategy=host,policy=strict", NULL, false);
}

static void test_pos_relaxed(void)
{
	positions("rdm strategy=host,policy=relaxed", "rdm strategy=host,policy=relaxed", NULL, true);
}

static void test_pos_device_strict_wins(void)
{
	positions("global relaxed, device strict", "rdm strategy=host,policy=relaxed",
		  "rdm_policy=strict", false);
}

static void test_pos_device_relaxed_wins(void)
{
	positions("global strict, device relaxed", "rdm strategy=host,policy=strict",
		  "rdm_policy=relaxed", true);
}

static void test_pos_scoped_relaxed(void)
{
	/* Without strategy=host, the RMRRs still count: they name 00:03.0, a device of ours. */
	positions("rdm policy=relaxed (device-scoped)", "rdm policy=relaxed", NULL, true);
}

/* ---- refused, then clear, then back; decode and ROM enable while refused ---- */

static void test_refused_moves(void)
{
	std_open("refused BAR moves", NULL, NULL, false);
	std_write(0, 0xc2004000); /* inside the RMRR */
	EVENTS("move " S3_T " bar0 0xe0000000 -> 0xc2004000", "unmap " S3_T " bar0 mem 0xe0000000-0xe0003fff",
	       "refuse " S3_T " bar0 0xc2004000-0xc2007fff rmrr 0xc2002000-0xc2009fff policy=strict");
	CALLS("unmap mem 0xe0000-0xe0003");
	std_write(0, 0xc1004000); /* refused to refused: no unmap, the new refusal */
	EVENTS("move " S3_T " bar0 0xc2004000 -> 0xc1004000",
	       "refuse " S3_T " bar0 0xc1004000-0xc1007fff reserved 0xc1002000-0xc1009fff policy=strict");
	NO_CALLS();
	std_write(0, 0xc1004000); /* the same value again: not a move, nothing */
	NO_EVENTS();
	NO_CALLS();
	std_write(0, 0xd0000000); /* clear: mapped at once */
	EVENTS("move " S3_T " bar0 0xc1004000 -> 0xd0000000", "map " S3_T " bar0 mem 0xd0000000-0xd0003fff");
	CALLS("map mem 0xd0000-0xd0003");
	std_write(0, 0xc2004000); /* back onto the RMRR: re-refused */
	EVENTS("move " S3_T " bar0 0xd0000000 -> 0xc2004000", "unmap " S3_T " bar0 mem 0xd0000000-0xd0003fff",
	       "refuse " S3_T " bar0 0xc2004000-0xc2007fff rmrr 0xc2002000-0xc2009fff policy=strict");
	CALLS("unmap mem 0xd0000-0xd0003");
	/* Sizing a refused BAR and restoring it: no move, no map. */
	fx_cfgw(S3, 0x10, 4, 0xffffffff);
	EVENTS("sizing " S3_T " bar0");
	NO_CALLS();
	CU_ASSERT_EQUAL(fx_pior(S3, 0x10, 4), 0xffffc000);
	fx_piow(S3, 0x10, 4, 0xc2004000);
	EVENTS("refuse " S3_T " bar0 0xc2004000-0xc2007fff rmrr 0xc2002000-0xc2009fff policy=strict");
	NO_CALLS();
	fx_piow(S3, 0x10, 4, 0xe0000000);
	EVENTS("move " S3_T " bar0 0xc2004000 -> 0xe0000000", "map " S3_T " bar0 mem 0xe0000000-0xe0003fff");
	CALLS("map mem 0xe0000-0xe0003");
	fx_close();
}

static void test_decode_toggled(void)
{
	std_open("decode toggled while refused", NULL, NULL, false);
	std_write(0, 0xc0004000); /* inside RAM */
	EVENTS("move " S3_T " bar0 0xe0000000 -> 0xc0004000", "unmap " S3_T " bar0 mem 0xe0000000-0xe0003fff",
	       "refuse " S3_T " bar0 0xc0004000-0xc0007fff ram 0xc0002000-0xc0009fff policy=strict");
	CALLS("unmap mem 0xe0000-0xe0003");
	fx_cfgw(S3, 0x04, 2, 0x0000); /* memory decode off: the refused BAR has nothing to unmap */
	EVENTS(ALL_UNMAP_EVENTS);
	CALLS(ALL_UNMAP_CALLS);
	fx_cfgw(S3, 0x04, 2, 0x0002); /* on again: refused again, the others mapped */
	EVENTS("refuse " S3_T " bar0 0xc0004000-0xc0007fff ram 0xc0002000-0xc0009fff policy=strict",
	       ALL_MAP_EVENTS);
	CALLS(ALL_MAP_CALLS);
	fx_cfgw(S3, 0x04, 2, 0x0006); /* bus master only: no decode change, nothing */
	NO_EVENTS();
	NO_CALLS();
	fx_piow(S3, 0x04, 1, 0x04); /* byte write: memory decode off */
	EVENTS(ALL_UNMAP_EVENTS);
	CALLS(ALL_UNMAP_CALLS);
	std_write(0, 0xd0004000); /* moved clear while not decoding: a move only */
	EVENTS("move " S3_T " bar0 0xc0004000 -> 0xd0004000");
	NO_CALLS();
	fx_piow(S3, 0x04, 2, 0x0006);
	EVENTS("map " S3_T " bar0 mem 0xd0004000-0xd0007fff", ALL_MAP_EVENTS);
	CALLS("map mem 0xd0004-0xd0007", ALL_MAP_CALLS);
	fx_close();
}

static void test_rom_enable(void)
{
	std_open("ROM enable bit", NULL, NULL, false);
	fx_cfgw(S3, 0x30, 4, 0xc0004000); /* onto RAM with the enable bit clear: not wanted */
	EVENTS("move " S3_T " rom 0xe0040000 -> 0xc0004000", "unmap " S3_T " rom mem 0xe0040000-0xe0043fff");
	CALLS("unmap mem 0xe0040-0xe0043");
	fx_cfgw(S3, 0x30, 1, 0x01); /* enable: refused */
	EVENTS("refuse " S3_T " rom 0xc0004000-0xc0007fff ram 0xc0002000-0xc0009fff policy=strict");
	NO_CALLS();
	CU_ASSERT_EQUAL(fx_pior(S3, 0x30, 4), 0xc0004001);
	fx_cfgw(S3, 0x30, 1, 0x00); /* disable while refused: nothing to unmap */
	NO_EVENTS();
	NO_CALLS();
	fx_cfgw(S3, 0x30, 4, 0xc2000001); /* enabled onto the RMRR's start */
	EVENTS("move " S3_T " rom 0xc0004000 -> 0xc2000000",
	       "refuse " S3_T " rom 0xc2000000-0xc2003fff rmrr 0xc2002000-0xc2009fff policy=strict");
	NO_CALLS();
	fx_cfgw(S3, 0x30, 4, 0xd0000000); /* clear, disabled */
	EVENTS("move " S3_T " rom 0xc2000000 -> 0xd0000000");
	NO_CALLS();
	fx_cfgw(S3, 0x30, 2, 0x0001); /* enabled: mapped */
	EVENTS("map " S3_T " rom mem 0xd0000000-0xd0003fff");
	CALLS("map mem 0xd0000-0xd0003");
	fx_cfgw(S3, 0x30, 4, 0xc1008001); /* moved enabled across the reserved range's end */
	EVENTS("move " S3_T " rom 0xd0000000 -> 0xc1008000", "unmap " S3_T " rom mem 0xd0000000-0xd0003fff",
	       "refuse " S3_T " rom 0xc1008000-0xc100bfff reserved 0xc1002000-0xc1009fff policy=strict");
	CALLS("unmap mem 0xd0000-0xd0003");
	fx_cfgw(S3, 0x30, 4, 0xe0040001);
	EVENTS("move " S3_T " rom 0xc1008000 -> 0xe0040000", "map " S3_T " rom mem 0xe0040000-0xe0043fff");
	CALLS("map mem 0xe0040-0xe0043");
	fx_close();
}

/* A 64-bit BAR written a half at a time while decoding: the halfway address is checked too. */
static void test_64bit_halves(void)
{
	std_open("64-bit BAR written in halves", NULL, NULL, false);
	fx_cfgw(S3, 0x20, 4, 0xc2004004); /* low half first: 0x3c2004000 is RAM */
	EVENTS("move " S3_T " bar4 0x3f0100000 -> 0x3c2004000",
	       "unmap " S3_T " bar4 mem 0x3f0100000-0x3f0103fff",
	       "refuse " S3_T " bar4 0x3c2004000-0x3c2007fff ram 0x300000000-0x3efffffff policy=strict");
	CALLS("unmap mem 0x3f0100-0x3f0103");
	fx_cfgw(S3, 0x24, 4, 0); /* upper half: below 4 GiB, onto the RMRR */
	EVENTS("move " S3_T " bar4 0x3c2004000 -> 0xc2004000",
	       "refuse " S3_T " bar4 0xc2004000-0xc2007fff rmrr 0xc2002000-0xc2009fff policy=strict");
	NO_CALLS();
	fx_cfgw(S3, 0x24, 4, 0x10); /* 0x10c2004000: clear, above everything */
	EVENTS("move " S3_T " bar4 0xc2004000 -> 0x10c2004000", "map " S3_T " bar4 mem 0x10c2004000-0x10c2007fff");
	CALLS("map mem 0x10c2004-0x10c2007");
	/* The way an OS does it: decode off, both halves, decode on. */
	fx_cfgw(S3, 0x04, 2, 0);
	EVENTS("unmap " S3_T " bar0 mem 0xe0000000-0xe0003fff", "unmap " S3_T " bar1 mem 0xe0010000-0xe0010fff",
	       "unmap " S3_T " bar2 mem 0xe0020000-0xe002ffff", "unmap " S3_T " bar3 mem 0xe0030000-0xe00303ff",
	       "unmap " S3_T " bar4 mem 0x10c2004000-0x10c2007fff",
	       "unmap " S3_T " rom mem 0xe0040000-0xe0043fff");
	CALLS("unmap mem 0xe0000-0xe0003", "unmap mem 0xe0010-0xe0010", "unmap mem 0xe0020-0xe002f",
	      "unmap mem 0xe0030-0xe0030", "unmap mem 0x10c2004-0x10c2007", "unmap mem 0xe0040-0xe0043");
	fx_cfgw(S3, 0x20, 4, 0xf0014004);
	fx_cfgw(S3, 0x24, 4, 3);
	EVENTS("move " S3_T " bar4 0x10c2004000 -> 0x10f0014000", "move " S3_T " bar4 0x10f0014000 -> 0x3f0014000");
	NO_CALLS();
	fx_cfgw(S3, 0x04, 2, 2);
	EVENTS("map " S3_T " bar0 mem 0xe0000000-0xe0003fff", "map " S3_T " bar1 mem 0xe0010000-0xe0010fff",
	       "map " S3_T " bar2 mem 0xe0020000-0xe002ffff", "map " S3_T " bar3 mem 0xe0030000-0xe00303ff",
	       "refuse " S3_T " bar4 0x3f0014000-0x3f0017fff rmrr 0x3f0014000-0x3f001bfff policy=strict",
	       "map " S3_T " rom mem 0xe0040000-0xe0043fff");
	CALLS("map mem 0xe0000-0xe0003", "map mem 0xe0010-0xe0010", "map mem 0xe0020-0xe002f",
	      "map mem 0xe0030-0xe0030", "map mem 0xe0040-0xe0043");
	fx_close();
}

/* ---- several conflicts ---- */

static void test_several_strict(void)
{
	std_open("several conflicts, strict", NULL, NULL, false);
	std_write(2, 0xc6000000);
	EVENTS("move " S3_T " bar2 0xe0020000 -> 0xc6000000", "unmap " S3_T " bar2 mem 0xe0020000-0xe002ffff",
	       "refuse " S3_T " bar2 0xc6000000-0xc600ffff ram 0xc6001000-0xc6001fff policy=strict",
	       "refuse " S3_T " bar2 0xc6000000-0xc600ffff reserved 0xc6004000-0xc6004fff policy=strict",
	       "refuse " S3_T " bar2 0xc6000000-0xc600ffff rmrr 0xc6008000-0xc6008fff policy=strict",
	       "refuse " S3_T " bar2 0xc6000000-0xc600ffff reserved 0xc600c000-0xc600cfff policy=strict");
	CALLS("unmap mem 0xe0020-0xe002f");
	std_write(0, 0xc6008000); /* only the RMRR */
	EVENTS("move " S3_T " bar0 0xe0000000 -> 0xc6008000", "unmap " S3_T " bar0 mem 0xe0000000-0xe0003fff",
	       "refuse " S3_T " bar0 0xc6008000-0xc600bfff rmrr 0xc6008000-0xc6008fff policy=strict");
	CALLS("unmap mem 0xe0000-0xe0003");
	fx_close();
}

/*
 * Under relaxed policy RAM and reserved ranges still refuse; the RMRR is
 * then not reported: it refuses nothing (refuse says policy=strict) and
 * nothing is mapped (warn says mapped anyway). Alone, the RMRR is warned
 * and its page mapped with the BAR's, and it stays mapped once the BAR
 * is refused elsewhere.
 */
static void test_several_relaxed(void)
{
	std_open("several conflicts, relaxed", "rdm strategy=host,policy=relaxed", NULL, true);
	std_write(2, 0xc6000000);
	EVENTS("move " S3_T " bar2 0xe0020000 -> 0xc6000000", "unmap " S3_T " bar2 mem 0xe0020000-0xe002ffff",
	       "refuse " S3_T " bar2 0xc6000000-0xc600ffff ram 0xc6001000-0xc6001fff policy=strict",
	       "refuse " S3_T " bar2 0xc6000000-0xc600ffff reserved 0xc6004000-0xc6004fff policy=strict",
	       "refuse " S3_T " bar2 0xc6000000-0xc600ffff reserved 0xc600c000-0xc600cfff policy=strict");
	CALLS("unmap mem 0xe0020-0xe002f");
	std_write(0, 0xc6008000); /* only the RMRR: warned, its page mapped with the BAR's */
	EVENTS("move " S3_T " bar0 0xe0000000 -> 0xc6008000", "unmap " S3_T " bar0 mem 0xe0000000-0xe0003fff",
	       "warn " S3_T " bar0 0xc6008000-0xc600bfff rmrr 0xc6008000-0xc6008fff policy=relaxed",
	       "map " S3_T " bar0 mem 0xc6008000-0xc600bfff");
	CALLS("unmap mem 0xe0000-0xe0003", "map mem 0xc6008-0xc600b");
	std_write(0, 0xc6004000); /* onto the reserved page: refused; the RMRR's page stays */
	EVENTS("move " S3_T " bar0 0xc6008000 -> 0xc6004000", "unmap " S3_T " bar0 mem 0xc6008000-0xc600bfff",
	       "refuse " S3_T " bar0 0xc6004000-0xc6007fff reserved 0xc6004000-0xc6004fff policy=strict");
	CALLS("unmap mem 0xc6009-0xc600b");
	CU_ASSERT(map_is_mapped(vpci_machine_mapper(F.m), VT_SPACE_MEM, 0xc6008));
	fx_close();
}

/* A 1 MiB BAR over 100 one-page ranges: one line each, not the first few. */
static const char BIG_DEV[] =
	"device 00:03.0\n"
	"00: 86 80 34 12 02 00 00 00 00 00 00 ff 00 00 00 00\n"
	"10: 00 00 00 e0 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 86 80 34 12\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 0b 01 00 00\n"
	"bar 0 size 0x100000\n";

static void test_many_conflicts(void)
{
	static char text[16384];
	static struct fx_lines ev;
	char r[48];
	size_t n = 0;

	for (unsigned i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "reserved 0x%x-0x%x\n",
				      0xc8000000 + i * 0x2000, 0xc8000fff + i * 0x2000);
	snprintf(text + n, sizeof(text) - n, "%s", BIG_DEV);
	fx_open(text);
	F.label = "100 conflicts";
	EVENTS("map " S3_T " bar0 mem 0xe0000000-0xe00fffff");
	CALLS("map mem 0xe0000-0xe00ff");
	fx_cfgw(S3, 0x10, 4, 0xc8000000);
	ev.n = 0;
	fx_add(&ev, "move " S3_T " bar0 0xe0000000 -> 0xc8000000");
	fx_add(&ev, "unmap " S3_T " bar0 mem 0xe0000000-0xe00fffff");
	for (unsigned i = 0; i < 100; i++) {
		struct vt_range c = { 0xc8000000 + i * 0x2000, 0xc8000fff + i * 0x2000 };
		fx_add(&ev, "refuse " S3_T " bar0 0xc8000000-0xc80fffff reserved %s policy=strict",
		       vt_fmt_range(&c, r));
	}
	EVENTS_L(&ev);
	CALLS("unmap mem 0xe0000-0xe00ff");
	fx_close();
}

/*
 * Relaxed, and the BAR's first 80 conflicts are RMRRs: the RAM page after
 * them must still refuse it. Mapping it would put MMIO over RAM.
 */
static void test_many_rmrr_then_ram(void)
{
	static char text[16384];
	size_t n = (size_t)snprintf(text, sizeof(text), "rdm strategy=host,policy=relaxed\n");

	for (unsigned i = 0; i < 80; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "rmrr 0x%x-0x%x 00:03.0\n",
				      0xc8000000 + i * 0x2000, 0xc8000fff + i * 0x2000);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "ram 0xc80f0000-0xc80f0fff\n");
	snprintf(text + n, sizeof(text) - n, "%s", BIG_DEV);
	fx_open(text);
	F.label = "80 RMRRs then RAM, relaxed";
	fx_forbid(0xc80f0000, 0xc80f0fff);
	for (unsigned i = 0; i < 80; i++)
		fx_forbid(0xc8000000 + i * 0x2000, 0xc8000fff + i * 0x2000);
	EVENTS("map " S3_T " bar0 mem 0xe0000000-0xe00fffff");
	CALLS("map mem 0xe0000-0xe00ff");
	fx_cfgw(S3, 0x10, 4, 0xc8000000);
	EVENTS("move " S3_T " bar0 0xe0000000 -> 0xc8000000", "unmap " S3_T " bar0 mem 0xe0000000-0xe00fffff",
	       "refuse " S3_T " bar0 0xc8000000-0xc80fffff ram 0xc80f0000-0xc80f0fff policy=strict");
	CALLS("unmap mem 0xe0000-0xe00ff");
	fx_close();
}

/* ---- the p2m rules ---- */

/*
 * Relaxed: two BARs over one RMRR and over each other. The first BAR over
 * the RMRR maps its pages with its own, in one run; after that only pages
 * outside the RMRR reach the backend, each once; no unmap ever names an
 * RMRR page or a page the other BAR still covers. The RMRR's pages stay
 * mapped when the BARs move away and when decoding stops.
 */
static void test_p2m_relaxed_overlap(void)
{
	struct mapper *mp;
	struct fx_model want = { .n = 0 };

	std_open("p2m: relaxed BARs over one RMRR", "rdm strategy=host,policy=relaxed", NULL, true);
	mp = vpci_machine_mapper(F.m);
	for (uint64_t pg = 0xc2002; pg <= 0xc2009; pg++)
		CU_ASSERT_FALSE(map_is_mapped(mp, VT_SPACE_MEM, pg)); /* not mapped at load */
	std_write(2, 0xc2000000); /* 64K across the RMRR: one run, the RMRR's pages with it */
	EVENTS("move " S3_T " bar2 0xe0020000 -> 0xc2000000", "unmap " S3_T " bar2 mem 0xe0020000-0xe002ffff",
	       "warn " S3_T " bar2 0xc2000000-0xc200ffff rmrr 0xc2002000-0xc2009fff policy=relaxed",
	       "map " S3_T " bar2 mem 0xc2000000-0xc200ffff");
	CALLS("unmap mem 0xe0020-0xe002f", "map mem 0xc2000-0xc200f");
	std_write(0, 0xc2008000); /* 16K straddling the RMRR's end, inside BAR2: no new page */
	EVENTS("move " S3_T " bar0 0xe0000000 -> 0xc2008000", "unmap " S3_T " bar0 mem 0xe0000000-0xe0003fff",
	       "warn " S3_T " bar0 0xc2008000-0xc200bfff rmrr 0xc2002000-0xc2009fff policy=relaxed",
	       "map " S3_T " bar0 mem 0xc2008000-0xc200bfff");
	CALLS("unmap mem 0xe0000-0xe0003");
	std_write(1, 0xc2005000); /* 4K wholly inside the RMRR: mapped already */
	EVENTS("move " S3_T " bar1 0xe0010000 -> 0xc2005000", "unmap " S3_T " bar1 mem 0xe0010000-0xe0010fff",
	       "warn " S3_T " bar1 0xc2005000-0xc2005fff rmrr 0xc2002000-0xc2009fff policy=relaxed",
	       "map " S3_T " bar1 mem 0xc2005000-0xc2005fff");
	CALLS("unmap mem 0xe0010-0xe0010");
	CU_ASSERT(map_is_mapped(mp, VT_SPACE_MEM, 0xc2005));
	std_write(2, 0xe0020000); /* BAR2 away: BAR0 keeps 0xc200a-b, the RMRR keeps its pages */
	EVENTS("move " S3_T " bar2 0xc2000000 -> 0xe0020000", "unmap " S3_T " bar2 mem 0xc2000000-0xc200ffff",
	       "map " S3_T " bar2 mem 0xe0020000-0xe002ffff");
	CALLS("unmap mem 0xc2000-0xc2001", "unmap mem 0xc200c-0xc200f", "map mem 0xe0020-0xe002f");
	fx_cfgw(S3, 0x04, 2, 0); /* decode off: every unmap avoids the RMRR */
	EVENTS("unmap " S3_T " bar0 mem 0xc2008000-0xc200bfff", "unmap " S3_T " bar1 mem 0xc2005000-0xc2005fff",
	       "unmap " S3_T " bar2 mem 0xe0020000-0xe002ffff", "unmap " S3_T " bar3 mem 0xe0030000-0xe00303ff", "unmap " S3_T " bar4 mem 0x3f0100000-0x3f0103fff",
	       "unmap " S3_T " rom mem 0xe0040000-0xe0043fff");
	CALLS("unmap mem 0xc200a-0xc200b", "unmap mem 0xe0020-0xe002f", "unmap mem 0xe0030-0xe0030",
	      "unmap mem 0x3f0100-0x3f0103", "unmap mem 0xe0040-0xe0043");
	/* The RMRR's pages: only the platform's reference, and mapped for good. */
	for (uint64_t pg = 0xc2002; pg <= 0xc2009; pg++) {
		CU_ASSERT_EQUAL(map_refcount(mp, VT_SPACE_MEM, pg), 1);
		CU_ASSERT(map_is_mapped(mp, VT_SPACE_MEM, pg));
	}
	CU_ASSERT_FALSE(map_is_mapped(mp, VT_SPACE_MEM, 0xc2001));
	CU_ASSERT_FALSE(map_is_mapped(mp, VT_SPACE_MEM, 0xc200a));
	fx_pages_add(&want, 0xc2002000, 0xc2009fff);
	CU_ASSERT(fx_model_is(VT_SPACE_MEM, &want));
	/* Decode on again: BAR0 maps only its pages outside the RMRR, BAR1 nothing. */
	fx_cfgw(S3, 0x04, 2, 2);
	EVENTS("warn " S3_T " bar0 0xc2008000-0xc200bfff rmrr 0xc2002000-0xc2009fff policy=relaxed",
	       "map " S3_T " bar0 mem 0xc2008000-0xc200bfff",
	       "warn " S3_T " bar1 0xc2005000-0xc2005fff rmrr 0xc2002000-0xc2009fff policy=relaxed",
	       "map " S3_T " bar1 mem 0xc2005000-0xc2005fff", "map " S3_T " bar2 mem 0xe0020000-0xe002ffff",
	       "map " S3_T " bar3 mem 0xe0030000-0xe00303ff", "map " S3_T " bar4 mem 0x3f0100000-0x3f0103fff",
	       "map " S3_T " rom mem 0xe0040000-0xe0043fff");
	CALLS("map mem 0xc200a-0xc200b", "map mem 0xe0020-0xe002f", "map mem 0xe0030-0xe0030",
	      "map mem 0x3f0100-0x3f0103", "map mem 0xe0040-0xe0043");
	std_write(0, 0xe0000000);
	std_write(1, 0xe0010000);
	EVENTS("move " S3_T " bar0 0xc2008000 -> 0xe0000000", "unmap " S3_T " bar0 mem 0xc2008000-0xc200bfff",
	       "map " S3_T " bar0 mem 0xe0000000-0xe0003fff",
	       "move " S3_T " bar1 0xc2005000 -> 0xe0010000", "unmap " S3_T " bar1 mem 0xc2005000-0xc2005fff",
	       "map " S3_T " bar1 mem 0xe0010000-0xe0010fff");
	CALLS("unmap mem 0xc200a-0xc200b", "map mem 0xe0000-0xe0003", "map mem 0xe0010-0xe0010");
	CU_ASSERT(map_is_mapped(mp, VT_SPACE_MEM, 0xc2002));
	fx_close(); /* teardown: no call, the RMRR's pages stay mapped */
}

/* Two BARs of two devices in one page: one map, one unmap, whatever the order. */
static const char SHARED[] =
	"rmrr 0xc5000800-0xc5000bff 00:04.0\n"
	"rdm strategy=host,policy=strict\n"
	"device 00:03.0\n"
	"00: 86 80 34 12 02 00 00 00 00 00 00 ff 00 00 00 00\n"
	"10: 00 00 03 e0 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 86 80 34 12\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 0b 01 00 00\n"
	"bar 0 size 0x400\n"
	"device 00:04.0 rdm_policy=relaxed\n"
	"00: 86 80 35 12 03 00 00 00 00 00 00 ff 00 00 00 00\n"
	"10: 00 04 03 e0 01 20 00 00 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 86 80 35 12\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 0b 01 00 00\n"
	"bar 0 size 0x400\n"
	"bar 1 size 0x20\n";

#define S4_T "0000:00:04.0"
#define S4   VT_SBDF(0, 0, VT_DEVFN(4, 0))

static void test_p2m_shared_page(void)
{
	fx_open(SHARED);
	F.label = "p2m: two BARs in one page";
	CU_ASSERT_EQUAL(fx_region_kind(0xc5000800, 0xc5000bff), MAP_REGION_RMRR); /* names 00:04.0 */
	fx_pinned(0xc5000800, 0xc5000bff);
	EVENTS("map " S3_T " bar0 mem 0xe0030000-0xe00303ff", "map " S4_T " bar0 mem 0xe0030400-0xe00307ff",
	       "map " S4_T " bar1 io 0x2000-0x201f");
	CALLS("map mem 0xe0030-0xe0030", "map io 0x2000-0x201f");
	fx_cfgw(S3, 0x10, 4, 0xe0031000); /* first away: the page stays, the other BAR needs it */
	EVENTS("move " S3_T " bar0 0xe0030000 -> 0xe0031000", "unmap " S3_T " bar0 mem 0xe0030000-0xe00303ff",
	       "map " S3_T " bar0 mem 0xe0031000-0xe00313ff");
	CALLS("map mem 0xe0031-0xe0031");
	fx_cfgw(S3, 0x10, 4, 0xe0030800); /* back into the shared page: already mapped */
	EVENTS("move " S3_T " bar0 0xe0031000 -> 0xe0030800", "unmap " S3_T " bar0 mem 0xe0031000-0xe00313ff",
	       "map " S3_T " bar0 mem 0xe0030800-0xe0030bff");
	CALLS("unmap mem 0xe0031-0xe0031");
	fx_cfgw(S4, 0x04, 2, 0x0001); /* 00:04.0 stops decoding memory: page still used */
	EVENTS("unmap " S4_T " bar0 mem 0xe0030400-0xe00307ff");
	NO_CALLS();
	fx_cfgw(S3, 0x04, 2, 0x0000); /* the last user: now the page goes */
	EVENTS("unmap " S3_T " bar0 mem 0xe0030800-0xe0030bff");
	CALLS("unmap mem 0xe0030-0xe0030");
	fx_cfgw(S4, 0x04, 2, 0x0003);
	EVENTS("map " S4_T " bar0 mem 0xe0030400-0xe00307ff");
	CALLS("map mem 0xe0030-0xe0030");
	/*
	 * A page shared by a sub-page RMRR of 00:04.0 and two BARs: 00:04.0
	 * (relaxed) is warned and mapped, the page with it; 00:03.0 (strict)
	 * refused. The page, pinned, is never unmapped.
	 */
	fx_cfgw(S4, 0x10, 4, 0xc5000000);
	EVENTS("move " S4_T " bar0 0xe0030400 -> 0xc5000000", "unmap " S4_T " bar0 mem 0xe0030400-0xe00307ff",
	       "warn " S4_T " bar0 0xc5000000-0xc50003ff rmrr 0xc5000800-0xc5000bff policy=relaxed",
	       "map " S4_T " bar0 mem 0xc5000000-0xc50003ff");
	CALLS("unmap mem 0xe0030-0xe0030", "map mem 0xc5000-0xc5000");
	fx_cfgw(S3, 0x10, 4, 0xc5000c00);
	fx_cfgw(S3, 0x04, 2, 0x0002);
	EVENTS("move " S3_T " bar0 0xe0030800 -> 0xc5000c00",
	       "refuse " S3_T " bar0 0xc5000c00-0xc5000fff rmrr 0xc5000800-0xc5000bff policy=strict");
	NO_CALLS();
	fx_cfgw(S4, 0x10, 4, 0xe0030400);
	EVENTS("move " S4_T " bar0 0xc5000000 -> 0xe0030400", "unmap " S4_T " bar0 mem 0xc5000000-0xc50003ff",
	       "map " S4_T " bar0 mem 0xe0030400-0xe00307ff");
	CALLS("map mem 0xe0030-0xe0030");
	CU_ASSERT_EQUAL(map_refcount(vpci_machine_mapper(F.m), VT_SPACE_MEM, 0xc5000), 1);
	CU_ASSERT(map_is_mapped(vpci_machine_mapper(F.m), VT_SPACE_MEM, 0xc5000));
	fx_cfgw(S4, 0x10, 4, 0xc5000400); /* back over it: mapped already, nothing to call */
	EVENTS("move " S4_T " bar0 0xe0030400 -> 0xc5000400", "unmap " S4_T " bar0 mem 0xe0030400-0xe00307ff",
	       "warn " S4_T " bar0 0xc5000400-0xc50007ff rmrr 0xc5000800-0xc5000bff policy=relaxed",
	       "map " S4_T " bar0 mem 0xc5000400-0xc50007ff");
	CALLS("unmap mem 0xe0030-0xe0030");
	fx_close();
}

/* ---- load-time conflicts; I/O BARs are not memory ---- */

static void test_load_time(void)
{
	fx_open("ram 0x0-0x7fffffff\n"
		"device 00:04.0\n"
		"00: 86 80 35 12 03 00 00 00 00 00 00 ff 00 00 00 00\n"
		"10: 01 20 00 00 00 10 00 00 00 00 00 00 00 00 00 00\n"
		"20: 00 00 00 00 00 00 00 00 00 00 00 00 86 80 35 12\n"
		"30: 00 00 00 00 00 00 00 00 00 00 00 00 0b 01 00 00\n"
		"bar 0 size 0x20\n"
		"bar 1 size 0x1000\n");
	F.label = "conflicts at load";
	fx_forbid(0x0, 0x7fffffff);
	/* The I/O BAR's ports are numerically inside "RAM": ports are not memory. */
	EVENTS("map " S4_T " bar0 io 0x2000-0x201f",
	       "refuse " S4_T " bar1 0x1000-0x1fff ram 0x0-0x7fffffff policy=strict");
	CALLS("map io 0x2000-0x201f");
	fx_cfgw(S4, 0x14, 4, 0xe0050000);
	EVENTS("move " S4_T " bar1 0x1000 -> 0xe0050000", "map " S4_T " bar1 mem 0xe0050000-0xe0050fff");
	CALLS("map mem 0xe0050-0xe0050");
	fx_cfgw(S4, 0x14, 4, 0x7ffff000); /* the last page of RAM */
	EVENTS("move " S4_T " bar1 0xe0050000 -> 0x7ffff000", "unmap " S4_T " bar1 mem 0xe0050000-0xe0050fff",
	       "refuse " S4_T " bar1 0x7ffff000-0x7fffffff ram 0x0-0x7fffffff policy=strict");
	CALLS("unmap mem 0xe0050-0xe0050");
	fx_cfgw(S4, 0x14, 4, 0x80000000); /* one byte after it */
	EVENTS("move " S4_T " bar1 0x7ffff000 -> 0x80000000", "map " S4_T " bar1 mem 0x80000000-0x80000fff");
	CALLS("map mem 0x80000-0x80000");
	fx_close();
}

/* ---- strategy=host vs device-scoped ---- */

static const char SCOPED[] =
	"rmrr 0xd8000000-0xd8003fff 05:00.0\n"        /* another machine's device */
	"rmrr 0xd9000000-0xd9003fff 00:1c.0/00.0\n"   /* ours, behind a bridge */
	"rmrr 0xda000000-0xda003fff 00:1c.0/00.1\n"   /* a function we do not have */
	"rmrr 0xdb000000-0xdb003fff\n"                /* no scope at all */
	"%s\n"
	"device 00:1c.0\n"
	"00: 86 80 10 1e 07 00 00 00 00 00 04 06 00 00 01 00\n"
	"10: 00 00 00 00 00 00 00 00 00 02 02 00 f0 00 00 00\n"
	"20: f0 ff 00 00 f1 ff 01 00 00 00 00 00 00 00 00 00\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 0b 01 00 00\n"
	"device 00:1c.0/00.0\n"
	"00: 86 80 36 12 02 00 00 00 00 00 00 ff 00 00 00 00\n"
	"10: 00 00 00 e0 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 86 80 36 12\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 0b 01 00 00\n"
	"bar 0 size 0x4000\n"
	"device 00:03.0\n"
	"00: 86 80 34 12 02 00 00 00 00 00 00 ff 00 00 00 00\n"
	"10: 00 00 10 e0 00 00 00 00 00 00 00 00 00 00 00 00\n"
	"20: 00 00 00 00 00 00 00 00 00 00 00 00 86 80 34 12\n"
	"30: 00 00 00 00 00 00 00 00 00 00 00 00 0b 01 00 00\n"
	"bar 0 size 0x4000\n";

/*
 * Move 00:03.0's BAR0 onto `at` and back. checked: the RMRR counts (it
 * refuses the BAR under strict, warns under relaxed); pinned: it names a
 * function of ours, so its pages, once mapped, stay mapped (*live).
 */
static void scoped_step(uint64_t at, bool checked, bool relaxed, bool pinned, bool *live)
{
	static struct fx_lines ev, calls;
	char r[48];
	struct vt_range to = { at, at + 0x3fff };
	bool mapped = !checked || relaxed;

	ev.n = calls.n = 0;
	fx_cfgw(S3, 0x10, 4, (uint32_t)at);
	fx_add(&ev, "move " S3_T " bar0 0xe0100000 -> 0x%llx", (unsigned long long)at);
	fx_add(&ev, "unmap " S3_T " bar0 mem 0xe0100000-0xe0103fff");
	fx_add(&calls, "unmap mem 0xe0100-0xe0103");
	if (checked && !relaxed)
		fx_add(&ev, "refuse " S3_T " bar0 %s rmrr %s policy=strict", vt_fmt_range(&to, r), r);
	if (checked && relaxed)
		fx_add(&ev, "warn " S3_T " bar0 %s rmrr %s policy=relaxed", vt_fmt_range(&to, r), r);
	if (mapped) {
		fx_add(&ev, "map " S3_T " bar0 mem %s", vt_fmt_range(&to, r));
		if (!(pinned && *live))
			fx_add(&calls, "map mem 0x%llx-0x%llx", (unsigned long long)at >> 12,
			       (unsigned long long)(at >> 12) + 3);
		*live |= pinned;
	}
	EVENTS_L(&ev);
	CALLS_L(&calls);
	CU_ASSERT(map_is_mapped(vpci_machine_mapper(F.m), VT_SPACE_MEM, at >> 12) == mapped);
	ev.n = calls.n = 0;
	fx_cfgw(S3, 0x10, 4, 0xe0100000);
	fx_add(&ev, "move " S3_T " bar0 0x%llx -> 0xe0100000", (unsigned long long)at);
	if (mapped) {
		fx_add(&ev, "unmap " S3_T " bar0 mem %s", vt_fmt_range(&to, r));
		if (!pinned)
			fx_add(&calls, "unmap mem 0x%llx-0x%llx", (unsigned long long)at >> 12,
			       (unsigned long long)(at >> 12) + 3);
	}
	fx_add(&ev, "map " S3_T " bar0 mem 0xe0100000-0xe0103fff");
	fx_add(&calls, "map mem 0xe0100-0xe0103");
	EVENTS_L(&ev);
	CALLS_L(&calls);
	CU_ASSERT(map_is_mapped(vpci_machine_mapper(F.m), VT_SPACE_MEM, at >> 12) == (pinned && *live));
}

/*
 * The SCOPED machine's RMRRs: 0xd9 names 00:1c.0/00.0, a function of ours
 * (always checked, pinned); 0xd8, 0xda and 0xdb name none (checked only
 * under strategy=host, and then of the other kind: mapped and unmapped
 * like any page under relaxed).
 */
static void scoped(const char *label, const char *rdm_line, bool host, bool relaxed)
{
	static char text[4096];
	static const uint64_t other[] = { 0xd8000000, 0xda000000, 0xdb000000 };
	struct mapper *mp;
	struct fx_model want = { .n = 0 };
	bool live = false, other_live = false;

	snprintf(text, sizeof(text), SCOPED, rdm_line);
	fx_open(text);
	F.label = label;
	mp = vpci_machine_mapper(F.m);
	CU_ASSERT_EQUAL(fx_region_kind(0xd9000000, 0xd9003fff), MAP_REGION_RMRR);
	if (relaxed)
		fx_pinned(0xd9000000, 0xd9003fff);
	else
		fx_forbid(0xd9000000, 0xd9003fff);
	for (size_t i = 0; i < VT_ARRAY_SIZE(other); i++) {
		CU_ASSERT_EQUAL(fx_region_kind(other[i], other[i] + 0x3fff), host ? MAP_REGION_RMRR_OTHER : -1);
		if (host && !relaxed)
			fx_forbid(other[i], other[i] + 0x3fff);
	}
	CU_ASSERT_EQUAL(map_refcount(mp, VT_SPACE_MEM, 0xd9000), 1);
	CU_ASSERT_EQUAL(map_refcount(mp, VT_SPACE_MEM, 0xd8000), 0);
	EVENTS("map 0000:02:00.0 bar0 mem 0xe0000000-0xe0003fff", "map " S3_T " bar0 mem 0xe0100000-0xe0103fff");
	CALLS("map mem 0xe0000-0xe0003", "map mem 0xe0100-0xe0103");
	for (int twice = 0; twice < 2; twice++) { /* the second time, the pinned pages are mapped already */
		scoped_step(0xd8000000, host, relaxed, false, &other_live);
		scoped_step(0xd9000000, true, relaxed, true, &live); /* names a device of ours: always checked */
		scoped_step(0xda000000, host, relaxed, false, &other_live);
		scoped_step(0xdb000000, host, relaxed, false, &other_live);
	}
	/* The scope device itself, reached through the bridge by port I/O. */
	fx_piow(VT_SBDF(0, 2, 0), 0x10, 4, 0xd9000000);
	if (!relaxed) {
		EVENTS("move 0000:02:00.0 bar0 0xe0000000 -> 0xd9000000",
		       "unmap 0000:02:00.0 bar0 mem 0xe0000000-0xe0003fff",
		       "refuse 0000:02:00.0 bar0 0xd9000000-0xd9003fff rmrr 0xd9000000-0xd9003fff policy=strict");
		CALLS("unmap mem 0xe0000-0xe0003");
	} else {
		EVENTS("move 0000:02:00.0 bar0 0xe0000000 -> 0xd9000000",
		       "unmap 0000:02:00.0 bar0 mem 0xe0000000-0xe0003fff",
		       "warn 0000:02:00.0 bar0 0xd9000000-0xd9003fff rmrr 0xd9000000-0xd9003fff policy=relaxed",
		       "map 0000:02:00.0 bar0 mem 0xd9000000-0xd9003fff");
		CALLS("unmap mem 0xe0000-0xe0003"); /* mapped by 00:03.0's BAR already */
		fx_piow(VT_SBDF(0, 2, 0), 0x04, 2, 0); /* decode off: the pinned pages stay */
		EVENTS("unmap 0000:02:00.0 bar0 mem 0xd9000000-0xd9003fff");
		NO_CALLS();
		fx_pages_add(&want, 0xd9000000, 0xd9003fff);
	}
	CU_ASSERT(map_is_mapped(mp, VT_SPACE_MEM, 0xd9000) == relaxed);
	CU_ASSERT_FALSE(map_is_mapped(mp, VT_SPACE_MEM, 0xd8000));
	fx_pages_add(&want, 0xe0100000, 0xe0103fff);
	CU_ASSERT(fx_model_is(VT_SPACE_MEM, &want));
	fx_close();
}

static void test_strategy_scoped(void)
{
	scoped("rdm policy=strict (device-scoped)", "rdm policy=strict", false, false);
}

static void test_strategy_host(void)
{
	scoped("rdm strategy=host,policy=strict", "rdm strategy=host,policy=strict", true, false);
}

static void test_strategy_default(void)
{
	scoped("no rdm line (strategy=host)", "", true, false);
}

static void test_strategy_scoped_relaxed(void)
{
	scoped("rdm policy=relaxed (device-scoped)", "rdm policy=relaxed", false, true);
}

static void test_strategy_host_relaxed(void)
{
	scoped("rdm strategy=host,policy=relaxed", "rdm strategy=host,policy=relaxed", true, true);
}

static CU_TestInfo position_tests[] = {
	{ "default policy: strict, strategy=host", test_pos_default },
	{ "rdm strategy=host,policy=strict", test_pos_strict },
	{ "rdm strategy=host,policy=relaxed", test_pos_relaxed },
	{ "global relaxed, rdm_policy=strict wins", test_pos_device_strict_wins },
	{ "global strict, rdm_policy=relaxed wins", test_pos_device_relaxed_wins },
	{ "rdm policy=relaxed, device-scoped", test_pos_scoped_relaxed },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo behaviour_tests[] = {
	{ "refused, mapped once clear, re-refused", test_refused_moves },
	{ "decode toggled while refused", test_decode_toggled },
	{ "ROM enable bit", test_rom_enable },
	{ "64-bit BAR written in halves", test_64bit_halves },
	{ "several conflicts, strict", test_several_strict },
	{ "several conflicts, relaxed", test_several_relaxed },
	{ "100 conflicts, 100 refuse lines", test_many_conflicts },
	{ "80 RMRRs then RAM, relaxed: refused", test_many_rmrr_then_ram },
	{ "conflicts at load; I/O BARs are not memory", test_load_time },
	{ "device-scoped RMRRs", test_strategy_scoped },
	{ "strategy=host RMRRs", test_strategy_host },
	{ "default strategy is host", test_strategy_default },
	{ "device-scoped RMRRs, relaxed: ours mapped once", test_strategy_scoped_relaxed },
	{ "strategy=host, relaxed: others' RMRRs mapped and unmapped", test_strategy_host_relaxed },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo p2m_tests[] = {
	{ "relaxed BARs over one RMRR", test_p2m_relaxed_overlap },
	{ "two BARs sharing a page", test_p2m_shared_page },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "positions", NULL, NULL, NULL, NULL, position_tests },
	{ "behaviour", NULL, NULL, NULL, NULL, behaviour_tests },
	{ "p2m", NULL, NULL, NULL, NULL, p2m_tests },
	{ "real", NULL, NULL, NULL, NULL, conflicts_real_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return tu_main(suites);
}
