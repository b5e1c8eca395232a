/*
 * tests/test_traps.c - traps/: configuration mechanism #1 (0xcf8/0xcfc),
 * ECAM and pre-decoded accesses (CONTRACT §2).
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../traps/traps.h"
#include "core_util.h"

#define NIC VT_SBDF(0, 0, VT_DEVFN(2, 0))
#define CF8(bus, dev, fn, reg) (0x80000000u | (bus) << 16 | (dev) << 11 | (fn) << 8 | (reg))
#define PATTERN 0xa1b2c3d4u

struct tt {
	struct tu_ev te;
	struct vpci_machine *m;
	struct trap trap;
};

/*
 * 00:02.0 a 4096-byte endpoint whose dword 0x40 and 0x100 are fully
 * writable (mask lines); 00:1c.0 a bridge to bus 1 with 01:00.0 behind it.
 * ECAM at `ecam` for buses first..last (none if ecam == 0).
 */
static void tt_init(struct tt *t, uint64_t ecam, uint8_t first, uint8_t last)
{
	struct vpci_dev_desc d;
	struct vt_err err;

	memset(t, 0, sizeof(*t));
	tu_ev_init(&t->te);
	t->m = vpci_machine_create(&t->te.ev, NULL, NULL);
	CU_ASSERT_FATAL(t->m != NULL);
	tu_desc(&d, "00:02.0", 0x8086, 0x10d3, 0);
	d.cfg_len = 4096;
	tu_put(&d, 0x40, 4, 0x11223344);
	tu_put(&d, 0xffc, 4, 0x55667788);
	d.mask[0].reg = 0x40, d.mask[0].size = 4, d.mask[0].wmask = 0xffffffff;
	d.mask[1].reg = 0x100, d.mask[1].size = 4, d.mask[1].wmask = 0xffffffff;
	d.nmask = 2;
	CU_ASSERT_FATAL(vpci_machine_add_dev(t->m, &d, &err) == 0);
	tu_bridge(&d, "00:1c.0", 0, 1, 1);
	CU_ASSERT_FATAL(vpci_machine_add_dev(t->m, &d, &err) == 0);
	tu_desc(&d, "00:1c.0/00.0", 0x1af4, 0x1041, 0);
	CU_ASSERT_FATAL(vpci_machine_add_dev(t->m, &d, &err) == 0);
	if (ecam)
		CU_ASSERT_FATAL(vpci_machine_set_ecam(t->m, ecam, first, last) == 0);
	CU_ASSERT_FATAL(vpci_machine_finish(t->m, &err) == 0);
	trap_init(&t->trap, t->m);
	tu_ev_clear(&t->te);
}

static void tt_free(struct tt *t)
{
	vpci_machine_destroy(t->m);
	tu_ev_free(&t->te);
}

static uint32_t dword40(struct tt *t)
{
	return vpci_cfg_read(t->m, NIC, 0x40, 4);
}

/* What a write of PATTERN at byte `off` of size `size` does to 0x00000000. */
static uint32_t merged(unsigned off, unsigned size)
{
	return (PATTERN & vt_size_mask(size)) << (8 * off);
}

/* ---- 0xcf8 / 0xcfc ---------------------------------------------------- */

static void test_data_ports(void)
{
	struct tt t;
	const uint32_t cfg = 0x11223344;

	tt_init(&t, 0, 0, 0);
	for (unsigned latch_low = 0; latch_low < 4; latch_low++) {
		/* Bits 1:0 of CONFIG_ADDRESS are not part of the register number. */
		trap_pio_write(&t.trap, 0xcf8, 4, CF8(0, 2, 0, 0x40) | latch_low);
		for (unsigned port = 0xcfc; port <= 0xcff; port++)
			for (unsigned size = 0; size <= 8; size++) {
				unsigned off = port & 3;
				bool ok = (size == 1 || size == 2 || size == 4) && off + size <= 4;
				uint32_t want = ok ? (cfg >> (8 * off)) & vt_size_mask(size) : vt_size_mask(size);
				uint32_t got = trap_pio_read(&t.trap, (uint16_t)port, size);
				TU_CHECK(got == want, "read 0x%x size %u: 0x%x want 0x%x", port, size, got, want);

				vpci_cfg_write(t.m, NIC, 0x40, 4, 0);
				trap_pio_write(&t.trap, (uint16_t)port, size, PATTERN);
				want = ok ? merged(off, size) : 0;
				TU_CHECK(dword40(&t) == want, "write 0x%x size %u: dword 0x%x want 0x%x", port, size,
					 dword40(&t), want);
				vpci_cfg_write(t.m, NIC, 0x40, 4, cfg);
			}
	}
	/* The latch selects every register of the 256 bytes mechanism #1 reaches. */
	for (unsigned reg = 0; reg < 256; reg += 4) {
		trap_pio_write(&t.trap, 0xcf8, 4, CF8(0, 2, 0, reg));
		TU_EQ(trap_pio_read(&t.trap, 0xcfc, 4), vpci_cfg_read(t.m, NIC, reg, 4));
	}
	/* Behind the bridge. */
	trap_pio_write(&t.trap, 0xcf8, 4, CF8(1, 0, 0, 0));
	TU_EQ(trap_pio_read(&t.trap, 0xcfc, 4), 0x10411af4);
	trap_pio_write(&t.trap, 0xcf8, 4, CF8(0, 0x1c, 0, 0));
	TU_EQ(trap_pio_read(&t.trap, 0xcfe, 2), 0x2448);
	/* Bits 30:24 (reserved) are ignored. */
	trap_pio_write(&t.trap, 0xcf8, 4, CF8(0, 2, 0, 0) | 0x7f000000);
	TU_EQ(trap_pio_read(&t.trap, 0xcfc, 4), 0x10d38086);
	tt_free(&t);
}

static void test_latch(void)
{
	struct tt t;

	tt_init(&t, 0, 0, 0);
	TU_EQ(trap_pio_read(&t.trap, 0xcf8, 4), 0);
	trap_pio_write(&t.trap, 0xcf8, 4, 0x12345678);
	TU_EQ(trap_pio_read(&t.trap, 0xcf8, 4), 0x12345678);
	/* Only a 4-byte write at 0xcf8 latches. */
	for (unsigned port = 0xcf8; port <= 0xcfb; port++)
		for (unsigned size = 1; size <= 4; size++) {
			if (port == 0xcf8 && size == 4)
				continue;
			trap_pio_write(&t.trap, (uint16_t)port, size, 0x80001000);
			TU_CHECK(trap_pio_read(&t.trap, 0xcf8, 4) == 0x12345678, "write 0x%x size %u latched", port, size);
			/* Other reads there are not config-address accesses: all ones. */
			TU_CHECK(trap_pio_read(&t.trap, (uint16_t)port, size) == vt_size_mask(size),
				 "read 0x%x size %u: 0x%x", port, size, trap_pio_read(&t.trap, (uint16_t)port, size));
		}
	/* Linux's pci_check_type1(): outb 0x01 -> 0xcfb is ignored, the latch keeps its value. */
	uint32_t saved = trap_pio_read(&t.trap, 0xcf8, 4);
	trap_pio_write(&t.trap, 0xcfb, 1, 0x01);
	trap_pio_write(&t.trap, 0xcf8, 4, 0x80000000);
	TU_EQ(trap_pio_read(&t.trap, 0xcf8, 4), 0x80000000);
	trap_pio_write(&t.trap, 0xcf8, 4, saved);
	TU_EQ(trap_pio_read(&t.trap, 0xcf8, 4), 0x12345678);
	/* Ports around ours are not ours. */
	CU_ASSERT(trap_pio_claims(0xcf8) && trap_pio_claims(0xcff));
	CU_ASSERT(!trap_pio_claims(0xcf7) && !trap_pio_claims(0xd00) && !trap_pio_claims(0x80));
	TU_EQ(trap_pio_read(&t.trap, 0xcf7, 1), 0xff);
	TU_EQ(trap_pio_read(&t.trap, 0xd00, 4), 0xffffffff);
	trap_pio_write(&t.trap, 0xcf4, 4, 0x80001040); /* a neighbour: no latch */
	TU_EQ(trap_pio_read(&t.trap, 0xcf8, 4), 0x12345678);
	/* Pure decoding. */
	struct trap_cfg c;
	CU_ASSERT(trap_pio_decode(0, 0xcf8, 4, &c) == TRAP_LATCH);
	CU_ASSERT(trap_pio_decode(0, 0xcf8, 2, &c) == TRAP_INVALID);
	CU_ASSERT(trap_pio_decode(0, 0xcf9, 1, &c) == TRAP_INVALID);
	CU_ASSERT(trap_pio_decode(0, 0xcfc, 4, &c) == TRAP_DISABLED);
	CU_ASSERT(trap_pio_decode(CF8(0, 2, 0, 0), 0xcfd, 4, &c) == TRAP_INVALID);
	CU_ASSERT(trap_pio_decode(CF8(0, 2, 0, 0), 0xcfd, 3, &c) == TRAP_INVALID);
	CU_ASSERT(trap_pio_decode(CF8(0, 2, 0, 0), 0x80, 1, &c) == TRAP_NONE);
	CU_ASSERT(trap_pio_decode(CF8(0xab, 0x1f, 7, 0xfc), 0xcff, 1, &c) == TRAP_CFG);
	CU_ASSERT(c.sbdf == VT_SBDF(0, 0xab, 0xff) && c.reg == 0xff && c.size == 1);
	tt_free(&t);
}

static void test_enable_bit(void)
{
	struct tt t;

	tt_init(&t, 0, 0, 0);
	/* Everything right but bit 31: all ones, writes dropped. */
	trap_pio_write(&t.trap, 0xcf8, 4, CF8(0, 2, 0, 0x40) & 0x7fffffff);
	for (unsigned port = 0xcfc; port <= 0xcff; port++)
		for (unsigned size = 1; size <= 4; size <<= 1) {
			if ((port & 3) + size > 4)
				continue;
			TU_EQ(trap_pio_read(&t.trap, (uint16_t)port, size), vt_size_mask(size));
			trap_pio_write(&t.trap, (uint16_t)port, size, 0);
		}
	TU_EQ(dword40(&t), 0x11223344);
	/* Setting it again reaches the register. */
	trap_pio_write(&t.trap, 0xcf8, 4, CF8(0, 2, 0, 0x40));
	TU_EQ(trap_pio_read(&t.trap, 0xcfc, 4), 0x11223344);
	tt_free(&t);
}

static void test_missing_functions(void)
{
	struct tt t;
	static const uint32_t absent[] = {
		CF8(0, 2, 1, 0),    /* another function of a present device */
		CF8(0, 3, 0, 0),    /* an empty slot */
		CF8(0, 31, 7, 0),
		CF8(1, 1, 0, 0),    /* behind the bridge, no such device */
		CF8(2, 0, 0, 0),    /* a bus no bridge forwards */
		CF8(0xff, 0, 0, 0),
	};

	tt_init(&t, 0, 0, 0);
	for (size_t i = 0; i < VT_ARRAY_SIZE(absent); i++) {
		trap_pio_write(&t.trap, 0xcf8, 4, absent[i]);
		TU_EQ(trap_pio_read(&t.trap, 0xcfc, 4), 0xffffffff);
		TU_EQ(trap_pio_read(&t.trap, 0xcfe, 2), 0xffff);
		TU_EQ(trap_pio_read(&t.trap, 0xcff, 1), 0xff);
		trap_pio_write(&t.trap, 0xcfc, 4, 0); /* dropped, and harmless */
	}
	TU_EQ(t.te.n, 0);
	TU_EQ(trap_cfg_read(&t.trap, VT_SBDF(0, 0, VT_DEVFN(2, 1)), 0, 4), 0xffffffff);
	TU_EQ(trap_cfg_read(&t.trap, VT_SBDF(1, 0, VT_DEVFN(2, 0)), 0, 2), 0xffff);
	tt_free(&t);
}

/* ---- ECAM ------------------------------------------------------------- */

static uint64_t ecam_addr(uint64_t base, unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return base + ((uint64_t)bus << 20 | dev << 15 | fn << 12 | reg);
}

static void test_ecam(void)
{
	struct tt t;
	const uint64_t base = 0xe0000000;

	tt_init(&t, base, 0, 0x3f);
	/* Every width at every offset of a dword, in the extended space too. */
	for (unsigned reg = 0x40; reg != 0; reg = reg == 0x40 ? 0x100 : 0) {
		for (unsigned off = 0; off < 4; off++)
			for (unsigned size = 0; size <= 8; size++) {
				bool ok = (size == 1 || size == 2 || size == 4) && off + size <= 4;
				uint64_t a = ecam_addr(base, 0, 2, 0, reg + off);
				uint32_t orig = 0x01020304;

				vpci_cfg_write(t.m, NIC, reg, 4, orig);
				uint32_t want = ok ? (orig >> (8 * off)) & vt_size_mask(size) :
					       size >= 4 ? 0xffffffff : vt_size_mask(size);
				uint32_t got = trap_mmio_read(&t.trap, a, size);
				TU_CHECK(got == want, "ECAM read reg 0x%x+%u size %u: 0x%x want 0x%x", reg, off, size, got,
					 want);
				vpci_cfg_write(t.m, NIC, reg, 4, 0);
				trap_mmio_write(&t.trap, a, size, PATTERN);
				want = ok ? merged(off, size) : 0;
				TU_CHECK(vpci_cfg_read(t.m, NIC, reg, 4) == want, "ECAM write reg 0x%x+%u size %u: 0x%x want 0x%x",
					 reg, off, size, vpci_cfg_read(t.m, NIC, reg, 4), want);
			}
	}
	/* The last dword of 4096 bytes, and functions elsewhere. */
	TU_EQ(trap_mmio_read(&t.trap, ecam_addr(base, 0, 2, 0, 0xffc), 4), 0x55667788);
	TU_EQ(trap_mmio_read(&t.trap, ecam_addr(base, 1, 0, 0, 0), 4), 0x10411af4);
	TU_EQ(trap_mmio_read(&t.trap, ecam_addr(base, 0, 0x1c, 0, 0), 4), 0x24488086);
	TU_EQ(trap_mmio_read(&t.trap, ecam_addr(base, 0, 2, 1, 0), 4), 0xffffffff);
	/* A 256-byte function's extended space reads all ones. */
	TU_EQ(trap_mmio_read(&t.trap, ecam_addr(base, 1, 0, 0, 0x100), 4), 0xffffffff);
	/* Window edges. */
	uint64_t end = base + (0x40ull << 20);
	CU_ASSERT(!trap_mmio_claims(&t.trap, base - 1));
	CU_ASSERT(trap_mmio_claims(&t.trap, base));
	CU_ASSERT(trap_mmio_claims(&t.trap, end - 1));
	CU_ASSERT(!trap_mmio_claims(&t.trap, end));
	TU_EQ(trap_mmio_read(&t.trap, base - 4, 4), 0xffffffff);
	TU_EQ(trap_mmio_read(&t.trap, end, 4), 0xffffffff);
	TU_EQ(trap_mmio_read(&t.trap, end - 4, 4), 0xffffffff); /* 3f:1f.7 0xffc: nobody */
	struct trap_cfg c;
	CU_ASSERT(trap_ecam_decode(&t.trap, end - 1, 1, &c) == TRAP_CFG);
	CU_ASSERT(c.sbdf == VT_SBDF(0, 0x3f, 0xff) && c.reg == 0xfff && c.size == 1);
	CU_ASSERT(trap_ecam_decode(&t.trap, end, 1, &c) == TRAP_NONE);
	CU_ASSERT(trap_ecam_decode(&t.trap, base + 2, 4, &c) == TRAP_INVALID);
	CU_ASSERT(trap_ecam_decode(&t.trap, base + 1, 2, &c) == TRAP_CFG && c.reg == 1);
	/* Writes outside the window are dropped. */
	trap_mmio_write(&t.trap, base - 0x1000 + 0x40, 4, 0xdeadbeef);
	trap_mmio_write(&t.trap, end + ecam_addr(0, 0, 2, 0, 0x40), 4, 0xdeadbeef);
	TU_EQ(dword40(&t), 0);
	/* A renumbered bus is reached at its new number through ECAM too. */
	vpci_cfg_write(t.m, VT_SBDF(0, 0, VT_DEVFN(0x1c, 0)), 0x18, 4, 0x00050500);
	TU_EQ(trap_mmio_read(&t.trap, ecam_addr(base, 5, 0, 0, 0), 4), 0x10411af4);
	TU_EQ(trap_mmio_read(&t.trap, ecam_addr(base, 1, 0, 0, 0), 4), 0xffffffff);
	tt_free(&t);

	/* A window starting at bus 0x10: BASE is still bus 0's address. */
	tt_init(&t, 0xf0000000, 0x10, 0x1f);
	CU_ASSERT(!trap_mmio_claims(&t.trap, 0xf0000000));
	CU_ASSERT(!trap_mmio_claims(&t.trap, ecam_addr(0xf0000000, 0x0f, 31, 7, 0xfff)));
	CU_ASSERT(trap_mmio_claims(&t.trap, ecam_addr(0xf0000000, 0x10, 0, 0, 0)));
	CU_ASSERT(trap_mmio_claims(&t.trap, ecam_addr(0xf0000000, 0x1f, 31, 7, 0xfff)));
	CU_ASSERT(!trap_mmio_claims(&t.trap, ecam_addr(0xf0000000, 0x20, 0, 0, 0)));
	CU_ASSERT(trap_ecam_decode(&t.trap, ecam_addr(0xf0000000, 0x12, 3, 4, 0x104), 4, &c) == TRAP_CFG);
	CU_ASSERT(c.sbdf == VT_SBDF(0, 0x12, VT_DEVFN(3, 4)) && c.reg == 0x104);
	TU_EQ(trap_mmio_read(&t.trap, 0xf0000000 + ecam_addr(0, 0, 2, 0, 0), 4), 0xffffffff);
	/* Bus 0 is outside this window: move the bridge's bus into it. */
	vpci_cfg_write(t.m, VT_SBDF(0, 0, VT_DEVFN(0x1c, 0)), 0x18, 4, 0x00121200);
	TU_EQ(trap_mmio_read(&t.trap, ecam_addr(0xf0000000, 0x12, 0, 0, 0), 4), 0x10411af4);
	tt_free(&t);

	/* No ECAM at all: nothing claimed. */
	tt_init(&t, 0, 0, 0);
	CU_ASSERT(!trap_mmio_claims(&t.trap, 0xe0000000));
	TU_EQ(trap_mmio_read(&t.trap, 0xe0000000, 4), 0xffffffff);
	tt_free(&t);
}

/* ---- pre-decoded ------------------------------------------------------ */

static void test_predecoded(void)
{
	struct tt t;

	tt_init(&t, 0, 0, 0);
	for (unsigned reg = 0x100; reg; reg = reg == 0x100 ? 0x40 : 0)
		for (unsigned off = 0; off < 4; off++)
			for (unsigned size = 0; size <= 8; size++) {
				bool ok = (size == 1 || size == 2 || size == 4) && off + size <= 4;
				vpci_cfg_write(t.m, NIC, reg, 4, 0x01020304);
				uint32_t want = ok ? (0x01020304u >> (8 * off)) & vt_size_mask(size) : vt_size_mask(size);
				TU_CHECK(trap_cfg_read(&t.trap, NIC, reg + off, size) == want, "read 0x%x size %u", reg + off,
					 size);
				vpci_cfg_write(t.m, NIC, reg, 4, 0);
				trap_cfg_write(&t.trap, NIC, reg + off, size, PATTERN);
				TU_CHECK(vpci_cfg_read(t.m, NIC, reg, 4) == (ok ? merged(off, size) : 0), "write 0x%x size %u",
					 reg + off, size);
			}
	/* Registers past 4096 and SBDFs nobody answers. */
	TU_EQ(trap_cfg_read(&t.trap, NIC, 0x1000, 4), 0xffffffff);
	TU_EQ(trap_cfg_read(&t.trap, NIC, 0xffc, 4), 0x55667788);
	TU_EQ(trap_cfg_read(&t.trap, NIC, 0xfff, 1), 0x55);
	TU_EQ(trap_cfg_read(&t.trap, NIC, 0xffe, 4), 0xffffffff);
	TU_EQ(trap_cfg_read(&t.trap, VT_SBDF(0, 1, 0), 0, 4), 0x10411af4);
	TU_EQ(trap_cfg_read(&t.trap, VT_SBDF(0, 2, 0), 0, 4), 0xffffffff);
	/* Values are masked to the size written. */
	trap_cfg_write(&t.trap, NIC, 0x40, 1, 0xffffff77);
	TU_EQ(dword40(&t), 0x00000077);
	trap_pio_write(&t.trap, 0xcf8, 4, CF8(0, 2, 0, 0x40));
	trap_pio_write(&t.trap, 0xcfe, 2, 0xabcd1234);
	TU_EQ(dword40(&t), 0x12340077);
	tt_free(&t);
}

/* ---- a host function's backend ------------------------------------------ */

struct rec { unsigned n, reg, size; uint32_t val; uint8_t cfg[4096]; };

static int rec_read(void *ctx, unsigned reg, unsigned size, uint32_t *val)
{
	*val = vt_le_get(((struct rec *)ctx)->cfg + reg, size);
	return 0;
}

static int rec_write(void *ctx, unsigned reg, unsigned size, uint32_t val)
{
	struct rec *r = ctx;

	r->n++, r->reg = reg, r->size = size, r->val = val;
	return 0;
}

static const struct vpci_backend_ops rec_ops = { "rec", rec_read, rec_write, NULL };

/*
 * Whatever the mechanism hands over above the access size (a 32-bit
 * register for a 1-byte port write, say), the backend of a host function is
 * given the bytes written and no more: in the header, across dwords and in
 * extended space.
 */
static void test_backend_bytes(void)
{
	static struct rec r;
	struct tu_ev te;
	struct vpci_machine *m;
	struct vpci_dev_desc d;
	struct trap t;
	struct vt_err err;
	const uint32_t S = VT_SBDF(0, 0, VT_DEVFN(5, 0)), junk = 0xdeadbeef;
	static const struct { unsigned reg, size; } at[] = {
		{ 0x3c, 1 }, { 0x3d, 1 }, { 0x3e, 2 }, { 0x40, 2 }, { 0x42, 2 }, { 0x43, 1 },
		{ 0x104, 2 }, { 0x106, 1 }, { 0xffe, 2 }, { 0x41, 2 }, { 0xfe, 2 }, { 0x13, 2 },
	};

	tu_ev_init(&te);
	m = vpci_machine_create(&te.ev, NULL, NULL);
	CU_ASSERT_FATAL(m != NULL);
	tu_desc(&d, "00:05.0", 0x8086, 0x10d3, 0);
	d.cfg_len = 4096;
	d.ops = &rec_ops, d.ops_ctx = &r;
	memcpy(r.cfg, d.cfg, sizeof(r.cfg));
	CU_ASSERT_FATAL(vpci_machine_add_dev(m, &d, &err) == 0);
	CU_ASSERT_FATAL(vpci_machine_set_ecam(m, 0xe0000000, 0, 0) == 0);
	CU_ASSERT_FATAL(vpci_machine_finish(m, &err) == 0);
	trap_init(&t, m);
	for (unsigned i = 0; i < VT_ARRAY_SIZE(at); i++) {
		unsigned reg = at[i].reg, size = at[i].size;
		uint32_t want = junk & vt_size_mask(size);
		for (int mech = 0; mech < 3; mech++) {
			bool pio = (reg & 3) + size <= 4 && reg < 0x100;
			memset(&r, 0, offsetof(struct rec, cfg));
			if (mech == 0 && pio) {
				trap_pio_write(&t, 0xcf8, 4, CF8(0, 5, 0, reg & 0xfc));
				trap_pio_write(&t, (uint16_t)(0xcfc + (reg & 3)), size, junk);
			} else if (mech == 1 && (reg & 3) + size <= 4) {
				trap_mmio_write(&t, 0xe0000000 + (5u << 15) + reg, size, junk);
			} else {
				vpci_cfg_write(m, S, reg, size, junk); /* pre-decoded, dword-crossing too */
			}
			TU_CHECK(r.n == 1 && r.reg == reg && r.size == size && r.val == want,
				 "mechanism %d, %u-byte write at 0x%x: backend got %u write(s), 0x%x/%u = 0x%x, want 0x%x",
				 mech, size, reg, r.n, r.reg, r.size, r.val, want);
		}
	}
	vpci_machine_destroy(m);
	tu_ev_free(&te);
}

static CU_TestInfo pio_tests[] = {
	{ "every size at every data port", test_data_ports },
	{ "the CONFIG_ADDRESS latch", test_latch },
	{ "enable bit off", test_enable_bit },
	{ "missing functions", test_missing_functions },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo mmio_tests[] = {
	{ "ECAM decoding and window edges", test_ecam },
	{ "pre-decoded accesses", test_predecoded },
	{ "a backend gets the bytes written, no more", test_backend_bytes },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "traps: 0xcf8/0xcfc", NULL, NULL, NULL, NULL, pio_tests },
	{ "traps: ECAM and pre-decoded", NULL, NULL, NULL, NULL, mmio_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return tu_main(suites);
}
