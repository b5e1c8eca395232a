/*
 * tests/test_vpci.c - vpci/: machine files (CONTRACT §5), header masks and
 * BAR emulation (§3), routing through bridges (§2), and every register of
 * the header read and written at every width and offset against a naive
 * byte model (as Xen's user-space vPCI tests do).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../vpci/pci_regs.h"
#include "core_util.h"

#define NIC VT_SBDF(0, 0, VT_DEVFN(2, 0))

/* ---- fixtures --------------------------------------------------------- */

struct vt {
	struct tu_ev te;
	struct map_record rec;
	struct vpci_machine *m;
};

static void vt_init(struct vt *t)
{
	memset(t, 0, sizeof(*t));
	tu_ev_init(&t->te);
	t->rec.keep = true;
	t->m = vpci_machine_create(&t->te.ev, &map_ops_record, &t->rec);
	CU_ASSERT_FATAL(t->m != NULL);
}

static void vt_add(struct vt *t, const struct vpci_dev_desc *d)
{
	struct vt_err err = { "" };
	int rc = vpci_machine_add_dev(t->m, d, &err);

	TU_CHECK(rc == 0, "add %s: %s", d->path, err.msg);
	CU_ASSERT_FATAL(rc == 0);
}

static void vt_finish(struct vt *t)
{
	struct vt_err err = { "" };
	int rc = vpci_machine_finish(t->m, &err);

	TU_CHECK(rc == 0, "finish: %s", err.msg);
	CU_ASSERT_FATAL(rc == 0);
	tu_ev_clear(&t->te);
}

static void vt_free(struct vt *t)
{
	vpci_machine_destroy(t->m);
	map_record_reset(&t->rec);
	tu_ev_free(&t->te);
}

static uint32_t rd(struct vt *t, uint32_t sbdf, unsigned reg, unsigned size)
{
	return vpci_cfg_read(t->m, sbdf, reg, size);
}

static void wr(struct vt *t, uint32_t sbdf, unsigned reg, unsigned size, uint32_t val)
{
	vpci_cfg_write(t->m, sbdf, reg, size, val);
}

/*
 * The NIC: BAR0 32-bit 128 KiB at 0xfe000000, BAR1 I/O 32 at 0xc000,
 * BAR2+3 64-bit prefetchable 1 MiB at 0x800000000, BAR4 32-bit prefetchable
 * 4 KiB at 0xfe100000, BAR5 not implemented, ROM 64 KiB at 0xfe110000
 * (disabled); capabilities PM at 0x40, MSI (64-bit, per-vector masks) at
 * 0x50, PCIe at 0x70.
 */
static void nic_desc(struct vpci_dev_desc *d, const char *path)
{
	tu_desc(d, path, 0x8086, 0x10d3, 0);
	tu_put(d, 0x06, 2, 0x0010);
	tu_put(d, 0x10, 4, 0xfe000000);
	tu_put(d, 0x14, 4, 0xc001);
	tu_put(d, 0x18, 4, 0x0000000c);
	tu_put(d, 0x1c, 4, 0x8);
	tu_put(d, 0x20, 4, 0xfe100008);
	tu_put(d, 0x30, 4, 0xfe110000);
	tu_put(d, 0x2c, 4, 0x00018086);
	d->cfg[0x34] = 0x40;
	d->cfg[0x3d] = 1;
	/* PM */
	d->cfg[0x40] = 0x01, d->cfg[0x41] = 0x50;
	tu_put(d, 0x42, 2, 0xc803);
	/* MSI: 64-bit, per-vector masking */
	d->cfg[0x50] = 0x05, d->cfg[0x51] = 0x70;
	tu_put(d, 0x52, 2, 0x0180);
	/* PCIe endpoint */
	d->cfg[0x70] = 0x10, d->cfg[0x71] = 0x00;
	tu_put(d, 0x72, 2, 0x0002);
	d->bar_size[0] = 0x20000;
	d->bar_size[1] = 0x20;
	d->bar_size[2] = 0x100000;
	d->bar_size[4] = 0x1000;
	d->bar_size[VT_BAR_ROM] = 0x10000;
}

static void nic_machine(struct vt *t)
{
	struct vpci_dev_desc d;

	vt_init(t);
	nic_desc(&d, "00:02.0");
	vt_add(t, &d);
	vt_finish(t);
}

/* ---- machine files ---------------------------------------------------- */

static char mtext[1 << 16];

static void test_machine_valid(void)
{
	struct vt t;
	struct vpci_dev_desc d, br, small, ext;
	struct vt_err err = { "" };
	uint64_t base, addr, size;
	uint8_t first, last;
	struct vpci_dev *dev;

	nic_desc(&d, "00:02.0");
	d.rdm_policy = VT_POLICY_RELAXED;
	tu_bridge(&br, "00:1c.0", 0, 1, 1);
	tu_desc(&small, "00:1c.0/00.0", 0x1af4, 0x1000, 0);
	small.cfg_len = 64;
	tu_put(&small, 0x10, 4, 0xf0000000);
	small.bar_size[0] = 0x100000;
	small.rdm_policy = VT_POLICY_STRICT;
	tu_desc(&ext, "0000:00:03.0", 0x10de, 0x1db6, 0);
	ext.cfg_len = 4096;
	tu_put(&ext, 0x100, 4, 0x14010001); /* AER header */
	tu_put(&ext, 0x104, 4, 0x00100010);
	tu_put(&ext, 0xffc, 4, 0xdeadbeef);
	snprintf(mtext, sizeof(mtext),
		 "# a machine with every form\n"
		 "\n"
		 "ram 0x0-0x7fffffff\n"
		 "ram 4294967296-0x17fffffff   # decimal and hex\n"
		 "reserved 0xfec00000-0xfecfffff\n"
		 "rmrr 0xd0000000-0xd00fffff\n"
		 "rmrr 0xd0100000-0xd01fffff 00:02.0\n"
		 "rmrr 0xd0200000-0xd02fffff 00:02.0 00:1c.0/00.0\n"
		 "ecam 0xe0000000 0-0x3f\n"
		 "rdm strategy=host,policy=relaxed\n"
		 "\t\n");
	tu_desc_text(&d, mtext, sizeof(mtext));
	strcat(mtext, "mask 0x44 2 0x0003 0x8000\nmask 0x48 4 0xffffffff\n");
	tu_desc_text(&br, mtext, sizeof(mtext));
	tu_desc_text(&small, mtext, sizeof(mtext));
	tu_desc_text(&ext, mtext, sizeof(mtext));
	strcat(mtext, "mask 0x104 4 0x0000ffff 0xffff0000\n");

	/* Through the line parser. */
	vt_init(&t);
	CU_ASSERT_FATAL(tu_machine_text(t.m, "m.txt", mtext, &err) == 0);
	TU_CHECK(!err.msg[0], "%s", err.msg);
	CU_ASSERT_FATAL(vpci_machine_finish(t.m, &err) == 0);
	TU_EQ(vpci_machine_ndev(t.m), 4);
	CU_ASSERT(vpci_machine_ecam(t.m, &base, &first, &last) && base == 0xe0000000 && first == 0 &&
		  last == 0x3f);
	CU_ASSERT(map_get_policy(vpci_machine_mapper(t.m)) == VT_POLICY_RELAXED);
	/* Devices by path, in any spelling; BAR types and sizes. */
	CU_ASSERT_FATAL((dev = vpci_dev_by_path(t.m, "0000:00:02.0")) != NULL);
	CU_ASSERT(vpci_dev_by_path(t.m, "00:02.0") == dev);
	CU_ASSERT(vpci_dev_by_path(t.m, "00:1C.0/0.0") != NULL);
	CU_ASSERT(vpci_dev_bar(dev, 0, &addr, &size) == VPCI_BAR_MEM32 && addr == 0xfe000000 && size == 0x20000);
	CU_ASSERT(vpci_dev_bar(dev, 1, &addr, &size) == VPCI_BAR_IO && addr == 0xc000 && size == 0x20);
	CU_ASSERT(vpci_dev_bar(dev, 2, &addr, &size) == VPCI_BAR_MEM64 && addr == 0x800000000ull);
	CU_ASSERT(vpci_dev_bar(dev, 3, NULL, NULL) == VPCI_BAR_MEM64_HI);
	CU_ASSERT(vpci_dev_bar(dev, 4, &addr, NULL) == VPCI_BAR_MEM32 && addr == 0xfe100000);
	CU_ASSERT(vpci_dev_bar(dev, VT_BAR_ROM, &addr, &size) == VPCI_BAR_ROM && addr == 0xfe110000 &&
		  size == 0x10000);
	CU_ASSERT(vpci_dev_is_bridge(vpci_dev_by_path(t.m, "00:1c.0")));
	CU_ASSERT(!vpci_dev_is_bridge(dev));
	/* Config bytes as given; a 64-byte device reads all ones past 64. */
	TU_EQ(rd(&t, NIC, 0, 4), 0x10d38086);
	TU_EQ(rd(&t, VT_SBDF(0, 1, 0), 0, 4), 0x10001af4);
	TU_EQ(rd(&t, VT_SBDF(0, 1, 0), 0x10, 4), 0xf0000000);
	TU_EQ(rd(&t, VT_SBDF(0, 1, 0), 0x40, 4), 0xffffffff);
	TU_EQ(rd(&t, VT_SBDF(0, 1, 0), 0x100, 4), 0xffffffff); /* 256 bytes of space */
	/* Extended space: 4096 bytes, read-only but for the mask line. */
	TU_EQ(rd(&t, VT_SBDF(0, 0, 0x18), 0x100, 4), 0x14010001);
	TU_EQ(rd(&t, VT_SBDF(0, 0, 0x18), 0xffc, 4), 0xdeadbeef);
	wr(&t, VT_SBDF(0, 0, 0x18), 0xffc, 4, 0);
	wr(&t, VT_SBDF(0, 0, 0x18), 0x100, 4, 0);
	TU_EQ(rd(&t, VT_SBDF(0, 0, 0x18), 0xffc, 4), 0xdeadbeef);
	TU_EQ(rd(&t, VT_SBDF(0, 0, 0x18), 0x100, 4), 0x14010001);
	wr(&t, VT_SBDF(0, 0, 0x18), 0x104, 4, 0x00101234);
	TU_EQ(rd(&t, VT_SBDF(0, 0, 0x18), 0x104, 4), 0x00001234); /* RW low half, bit 20 RW1C */
	/* The NIC's mask lines replace the defaults. */
	wr(&t, NIC, 0x48, 4, 0x12345678);
	TU_EQ(rd(&t, NIC, 0x48, 4), 0x12345678);
	vt_free(&t);

	/* Through vpci_machine_load on a file. */
	vt_init(&t);
	int rc = vpci_machine_load(t.m, tu_write("machine.txt", mtext), NULL, &err);
	TU_CHECK(rc == 0, "load: %s", err.msg);
	CU_ASSERT_FATAL(rc == 0);
	CU_ASSERT_FATAL(vpci_machine_finish(t.m, &err) == 0);
	TU_EQ(vpci_machine_ndev(t.m), 4);
	TU_EQ(rd(&t, NIC, 0x10, 4), 0xfe000000);
	vt_free(&t);

	/* CRLF line ends load too. */
	char *crlf = malloc(2 * sizeof(mtext)), *o = crlf;
	for (const char *p = mtext; *p; p++) {
		if (*p == '\n')
			*o++ = '\r';
		*o++ = *p;
	}
	*o = 0;
	vt_init(&t);
	rc = vpci_machine_load(t.m, tu_write("crlf.txt", crlf), NULL, &err);
	TU_CHECK(rc == 0, "load CRLF: %s", err.msg);
	if (!rc)
		CU_ASSERT(vpci_machine_finish(t.m, &err) == 0 && vpci_machine_ndev(t.m) == 4);
	vt_free(&t);
	free(crlf);

	/* rdm specs */
	struct vpci_rdm rdm;
	CU_ASSERT(vpci_rdm_parse("strategy=host,policy=strict", &rdm) == 0 && rdm.strategy_host &&
		  rdm.policy == VT_POLICY_STRICT);
	CU_ASSERT(vpci_rdm_parse("policy=relaxed", &rdm) == 0 && !rdm.strategy_host &&
		  rdm.policy == VT_POLICY_RELAXED);
	CU_ASSERT(vpci_rdm_parse("policy=relaxed,strategy=host", &rdm) == 0 && rdm.strategy_host &&
		  rdm.policy == VT_POLICY_RELAXED);
	CU_ASSERT(vpci_rdm_parse("strategy=ignore", &rdm) != 0);
	CU_ASSERT(vpci_rdm_parse("policy=lax", &rdm) != 0);
}

/* A device section with 64 valid bytes, for errors that come after it. */
static const char dev64[] = "device 00:02.0\n"
			    "00: 86 80 d3 10 00 00 10 00 00 00 00 02 00 00 00 00\n"
			    "10: 00 00 00 fe 00 00 00 00 00 00 00 00 00 00 00 00\n"
			    "20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
			    "30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n";
static void test_machine_errors(void)
{
	static char many[8192];
	static const struct { const char *pre, *text, *msg; } c[] = {
		/* where: the text's line numbers count from the prefix's */
		{ "", "00: 86 80", "m.txt:1: config bytes outside a 'device' section" },
		{ "", "device 00:02.0\nzz: 00", "m.txt:2: bad offset 'zz:'" },
		{ "", "device 00:02.0\n00: 8g", "m.txt:2: bad byte '8g'" },
		{ "", "device 00:02.0\n00: 123", "m.txt:2: bad byte '123'" },
		{ "", "device 00:02.0\n00: 1", "m.txt:2: bad byte '1'" },
		{ "", "device 00:02.0\n1000: 00", "m.txt:2: config byte at offset 0x1000: at most 4096 bytes" },
		{ "", "device 00:02.0\nff0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
		  "m.txt:2: config byte at offset 0x1000: at most 4096 bytes" },
		{ "", "bar 0 size 0x1000", "m.txt:1: 'bar' outside a device" },
		{ "", "rom size 0x1000", "m.txt:1: 'rom' outside a device" },
		{ "", "mask 0x4 2 0xffff", "m.txt:1: 'mask' outside a device" },
		{ dev64, "bar 6 size 0x1000", "m.txt:6: expected 'bar N size SIZE' with N 0..5" },
		{ dev64, "bar x size 0x1000", "m.txt:6: expected 'bar N size SIZE' with N 0..5" },
		{ dev64, "bar 0 size", "m.txt:6: expected 'bar N size SIZE' with N 0..5" },
		{ dev64, "bar 0 size 0x1000 extra", "m.txt:6: expected 'bar N size SIZE' with N 0..5" },
		{ dev64, "bar 0 length 0x1000", "m.txt:6: expected a power-of-two size, got '0x1000'" },
		{ dev64, "bar 0 size 0x1001", "m.txt:6: expected a power-of-two size, got '0x1001'" },
		{ dev64, "bar 0 size 0", "m.txt:6: expected a power-of-two size, got '0'" },
		{ dev64, "bar 0 size big", "m.txt:6: expected a power-of-two size, got 'big'" },
		{ dev64, "rom 0x10000", "m.txt:6: expected 'rom size SIZE'" },
		{ dev64, "rom size 0x10000 x", "m.txt:6: expected 'rom size SIZE'" },
		{ dev64, "rom size 0x3000", "m.txt:6: expected a power-of-two size, got '0x3000'" },
		{ dev64, "mask 0x4 2", "m.txt:6: expected 'mask REG SIZE WMASK [W1CMASK]'" },
		{ dev64, "mask 0x4 2 0xffff 0 0", "m.txt:6: expected 'mask REG SIZE WMASK [W1CMASK]'" },
		{ dev64, "mask 0x4 2 ffff", "m.txt:6: expected 'mask REG SIZE WMASK [W1CMASK]'" },
		{ dev64, "mask 0x4 3 0xffff", "m.txt:6: mask: bad register 0x4 size 3" },
		{ dev64, "mask 0x5 2 0xffff", "m.txt:6: mask: bad register 0x5 size 2" },
		{ dev64, "mask 0xffe 4 0xffff", "m.txt:6: mask: bad register 0xffe size 4" },
		{ "", "device", "m.txt:1: expected 'device PATH [rdm_policy=strict|relaxed]'" },
		{ "", "device 00:02.0 rdm_policy=strict extra",
		  "m.txt:1: expected 'device PATH [rdm_policy=strict|relaxed]'" },
		{ "", "device 00:02.0 rdm_policy=loose", "m.txt:1: unknown device option 'rdm_policy=loose'" },
		{ "", "device 00:02.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0/00.0",
		  "m.txt:1: path too long" },
		/* Errors found when the device section ends name the device line. */
		{ "# c\n", "device 00:20.0\n00: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n",
		  "m.txt:2: bad device path '00:20.0'" },
		{ "", "device 00:02.0/1f.8\n", "m.txt:1: bad device path '00:02.0/1f.8'" },
		{ "", "device 00:02.0/x\n", "m.txt:1: bad device path '00:02.0/x'" },
		{ "", "device 00:02.0\n00: 86 80\n", "m.txt:1: device 00:02.0: fewer than 64 config bytes" },
		{ dev64, "device 0000:00:02.0\n", "m.txt:6: device 00:02.0 given twice" },
		{ dev64, "bar 0 size 2\n", "m.txt:1: bar0 size 0x2 too small" },
		{ dev64, "rom size 0x400\n", "m.txt:1: rom size 0x400 too small" },
		{ "", "ram 0x1000", "m.txt:1: expected 'ram BASE-LAST'" },
		{ "", "ram 0x2000-0x1000", "m.txt:1: expected 'ram BASE-LAST'" },
		{ "", "ram 0x1000-0x1fff extra", "m.txt:1: expected 'ram BASE-LAST'" },
		{ "", "ram", "m.txt:1: expected 'ram BASE-LAST'" },
		{ "", "reserved 0x1000-", "m.txt:1: expected 'reserved BASE-LAST'" },
		{ "", "rmrr zero-0x1000", "m.txt:1: expected 'rmrr BASE-LAST'" },
		{ "", "rmrr 0x1000-0x1fff 00:20.0", "m.txt:1: bad rmrr device path" },
		{ "", "ecam 0xe0000000", "m.txt:1: expected 'ecam BASE BUSFIRST-BUSLAST'" },
		{ "", "ecam 0xe0000000 0-256", "m.txt:1: expected 'ecam BASE BUSFIRST-BUSLAST'" },
		{ "", "ecam 0xe0000000 0-0xff x", "m.txt:1: expected 'ecam BASE BUSFIRST-BUSLAST'" },
		{ "", "ecam 0xe0080000 0-0xff", "m.txt:1: bad ECAM window (base must be 1 MiB aligned)" },
		{ "", "rdm strategy=guest", "m.txt:1: expected 'rdm strategy=host,policy=strict|relaxed'" },
		{ "", "rdm", "m.txt:1: expected 'rdm strategy=host,policy=strict|relaxed'" },
		{ "", "rdm policy=strict extra", "m.txt:1: expected 'rdm strategy=host,policy=strict|relaxed'" },
		{ "ram 0x0-0xfff\n", "frobnicate 1 2", "m.txt:2: not a machine line" },
		{ dev64, "pio r 0xcfc 4", "m.txt:6: not a machine line" },
		{ "", many, "m.txt:2: too many fields" },
	};

	/* A row of 600 bytes: more fields than any line may have. */
	strcpy(many, "device 00:02.0\n00:");
	for (int i = 0; i < 600; i++)
		strcat(many, " 00");
	for (size_t i = 0; i < VT_ARRAY_SIZE(c); i++) {
		struct vt t;
		struct vt_err err = { "" };
		char text[sizeof(many) + 512];
		int rc;

		snprintf(text, sizeof(text), "%s%s", c[i].pre, c[i].text);
		vt_init(&t);
		rc = tu_machine_text(t.m, "m.txt", text, &err);
		TU_CHECK(rc < 0, "case %zu accepted: '%.60s'", i, c[i].text);
		TU_CHECK(!strcmp(err.msg, c[i].msg), "case %zu '%.60s': message '%s', want '%s'", i, c[i].text,
			 err.msg, c[i].msg);
		vt_free(&t);
	}
}

/* Errors of the tree, found when the machine is finished, name the device's file and line. */
static void test_machine_tree_errors(void)
{
	static const struct { const char *text, *msg; } c[] = {
		{ "ram 0x0-0xfff\n%s",  /* the orphan is declared on line 2 */
		  "m.txt:2: device 00:1c.0/00.0: no device 00:1c.0 above it" },
		{ "%s%s", "m.txt:6: device 00:02.0/00.0: 00:02.0 above it is not a bridge" },
	};
	char dev[512], text[2048];

	for (size_t i = 0; i < VT_ARRAY_SIZE(c); i++) {
		struct vt t;
		struct vt_err err = { "" };
		const char *path;

		if (i == 0) {
			snprintf(dev, sizeof(dev), "device 00:1c.0/00.0%s", strchr(dev64, '\n'));
			snprintf(text, sizeof(text), c[i].text, dev);
		} else {
			snprintf(dev, sizeof(dev), "device 00:02.0/00.0%s", strchr(dev64, '\n'));
			snprintf(text, sizeof(text), c[i].text, dev64, dev);
		}
		/* Line parser, then finish. */
		vt_init(&t);
		CU_ASSERT_FATAL(tu_machine_text(t.m, "m.txt", text, &err) == 0);
		CU_ASSERT(vpci_machine_finish(t.m, &err) < 0);
		TU_STREQ(err.msg, c[i].msg);
		vt_free(&t);
		/* A file, as --machine loads it. */
		vt_init(&t);
		path = tu_write("m.txt", text);
		CU_ASSERT_FATAL(vpci_machine_load(t.m, path, NULL, &err) == 0);
		CU_ASSERT(vpci_machine_finish(t.m, &err) < 0);
		TU_CHECK(strstr(err.msg, c[i].msg + 5) && strstr(err.msg, "/m.txt:"), "message '%s'", err.msg);
		vt_free(&t);
	}
	/* A missing file names itself. */
	struct vt t;
	struct vt_err err = { "" };
	vt_init(&t);
	CU_ASSERT(vpci_machine_load(t.m, "/nonexistent/m.txt", NULL, &err) < 0);
	TU_CHECK(strstr(err.msg, "/nonexistent/m.txt") != NULL, "message '%s'", err.msg);
	vt_free(&t);
	/* Adding to a finished machine is refused. */
	struct vpci_dev_desc d;
	vt_init(&t);
	vt_finish(&t);
	nic_desc(&d, "00:02.0");
	CU_ASSERT(vpci_machine_add_dev(t.m, &d, &err) == -EBUSY);
	vt_free(&t);
}

/* ---- header masks ----------------------------------------------------- */

static void test_masks(void)
{
	struct vt t;
	struct vpci_dev_desc d;

	vt_init(&t);
	nic_desc(&d, "00:02.0");
	tu_put(&d, 0x06, 2, 0xf910); /* every RW1C bit set, and the capability bit */
	tu_put(&d, 0x44, 2, 0x8000); /* PME status */
	vt_add(&t, &d);
	vt_finish(&t);

	/* Read-only identity. */
	wr(&t, NIC, 0x00, 4, 0xffffffff);
	TU_EQ(rd(&t, NIC, 0x00, 4), 0x10d38086);
	wr(&t, NIC, 0x08, 4, 0xffffffff);
	TU_EQ(rd(&t, NIC, 0x08, 4), 0x02000001);
	wr(&t, NIC, 0x0e, 1, 0x81);
	TU_EQ(rd(&t, NIC, 0x0e, 1), 0);
	wr(&t, NIC, 0x2c, 4, 0);
	TU_EQ(rd(&t, NIC, 0x2c, 4), 0x00018086);
	wr(&t, NIC, 0x34, 1, 0);
	TU_EQ(rd(&t, NIC, 0x34, 1), 0x40);
	wr(&t, NIC, 0x3d, 1, 4);
	TU_EQ(rd(&t, NIC, 0x3d, 1), 1);
	/* Status: RW1C, one bit at a time; writing 0 clears nothing; bit 4 read-only. */
	wr(&t, NIC, 0x06, 2, 0);
	TU_EQ(rd(&t, NIC, 0x06, 2), 0xf910);
	wr(&t, NIC, 0x06, 2, 0x0100);
	TU_EQ(rd(&t, NIC, 0x06, 2), 0xf810);
	wr(&t, NIC, 0x07, 1, 0x80);
	TU_EQ(rd(&t, NIC, 0x06, 2), 0x7810);
	wr(&t, NIC, 0x04, 4, 0xffff0000); /* command 0, status all ones */
	TU_EQ(rd(&t, NIC, 0x04, 4), 0x00100000);
	/* Command: only the implemented bits. */
	wr(&t, NIC, 0x04, 2, 0xffff);
	TU_EQ(rd(&t, NIC, 0x04, 2), 0x0547);
	wr(&t, NIC, 0x05, 1, 0x00);
	TU_EQ(rd(&t, NIC, 0x04, 2), 0x0047);
	wr(&t, NIC, 0x04, 1, 0x00);
	TU_EQ(rd(&t, NIC, 0x04, 2), 0);
	TU_EVENTS(&t.te, "map 0000:00:02.0 bar0 mem 0xfe000000-0xfe01ffff | map 0000:00:02.0 bar1 io 0xc000-0xc01f | "
			 "map 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff | map 0000:00:02.0 bar4 mem 0xfe100000-0xfe100fff | "
			 "unmap 0000:00:02.0 bar0 mem 0xfe000000-0xfe01ffff | unmap 0000:00:02.0 bar1 io 0xc000-0xc01f | "
			 "unmap 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff | unmap 0000:00:02.0 bar4 mem 0xfe100000-0xfe100fff");
	/* Cache line size and interrupt line: RW; latency timer, BIST: RO. */
	wr(&t, NIC, 0x0c, 4, 0xffffffff);
	TU_EQ(rd(&t, NIC, 0x0c, 4), 0x000000ff);
	wr(&t, NIC, 0x3c, 4, 0xffffffff);
	TU_EQ(rd(&t, NIC, 0x3c, 4), 0x000001ff);
	/* Capabilities: PM control/status, MSI. */
	wr(&t, NIC, 0x44, 2, 0x0000);
	TU_EQ(rd(&t, NIC, 0x44, 2), 0x8000);
	wr(&t, NIC, 0x44, 2, 0xffff);
	TU_EQ(rd(&t, NIC, 0x44, 2), 0x0103);
	wr(&t, NIC, 0x52, 2, 0xffff);
	TU_EQ(rd(&t, NIC, 0x52, 2), 0x01f1);
	wr(&t, NIC, 0x54, 4, 0xffffffff);
	TU_EQ(rd(&t, NIC, 0x54, 4), 0xfffffffc);
	wr(&t, NIC, 0x58, 4, 0x12345678);
	TU_EQ(rd(&t, NIC, 0x58, 4), 0x12345678);
	wr(&t, NIC, 0x5c, 4, 0xffffffff);
	TU_EQ(rd(&t, NIC, 0x5c, 4), 0x0000ffff);
	wr(&t, NIC, 0x60, 4, 0xa5a5a5a5);
	TU_EQ(rd(&t, NIC, 0x60, 4), 0xa5a5a5a5);
	/* PCIe capability header and capabilities register read-only. */
	wr(&t, NIC, 0x70, 4, 0xffffffff);
	TU_EQ(rd(&t, NIC, 0x70, 4), 0x00020010);
	/* Outside of any register: read-only. */
	wr(&t, NIC, 0xf0, 4, 0xffffffff);
	TU_EQ(rd(&t, NIC, 0xf0, 4), 0);
	/* Odd sizes: reads of all ones at that width, writes dropped. */
	TU_EQ(rd(&t, NIC, 0, 3), 0xffffff);
	TU_EQ(rd(&t, NIC, 0, 0), 0);
	TU_EQ(rd(&t, NIC, 0, 8), 0xffffffff);
	wr(&t, NIC, 0x0c, 3, 0);
	TU_EQ(rd(&t, NIC, 0x0c, 1), 0xff);
	/* Past the end of config space. */
	TU_EQ(rd(&t, NIC, 0xfe, 4), 0xffffffff);
	TU_EQ(rd(&t, NIC, 0x100, 1), 0xff);
	TU_EQ(rd(&t, NIC, 0xfff, 1), 0xff);
	TU_EQ(rd(&t, NIC, 0x1000, 1), 0xff);
	TU_EQ(rd(&t, NIC, 0xffff, 4), 0xffffffff);
	wr(&t, NIC, 0xfe, 4, 0);
	wr(&t, NIC, 0x1000, 4, 0);
	CU_ASSERT(t.te.n == 0); /* none of this had side effects */
	vt_free(&t);
}

static void test_bridge_masks(void)
{
	struct vt t;
	struct vpci_dev_desc br, br2;
	const uint32_t B = VT_SBDF(0, 0, VT_DEVFN(0x1c, 0)), B2 = VT_SBDF(0, 0, VT_DEVFN(0x1d, 0));

	vt_init(&t);
	tu_bridge(&br, "00:1c.0", 0, 1, 1);
	tu_put(&br, 0x1e, 2, 0xf900);
	vt_add(&t, &br);
	tu_bridge(&br2, "00:1d.0", 0, 2, 2);
	br2.cfg[0x1c] = 0x01, br2.cfg[0x1d] = 0x01; /* 32-bit I/O window */
	tu_put(&br2, 0x24, 4, 0x00010001);          /* 64-bit prefetchable window */
	vt_add(&t, &br2);
	vt_finish(&t);

	wr(&t, B, 0x1c, 2, 0xffff);
	TU_EQ(rd(&t, B, 0x1c, 2), 0xf0f0);
	TU_EQ(rd(&t, B, 0x1e, 2), 0xf900);
	wr(&t, B, 0x1e, 2, 0x0800);
	TU_EQ(rd(&t, B, 0x1e, 2), 0xf100);
	wr(&t, B, 0x20, 4, 0xffffffff);
	TU_EQ(rd(&t, B, 0x20, 4), 0xfff0fff0);
	wr(&t, B, 0x24, 4, 0xffffffff);
	TU_EQ(rd(&t, B, 0x24, 4), 0xfff0fff0);
	wr(&t, B, 0x28, 4, 0xffffffff);
	TU_EQ(rd(&t, B, 0x28, 4), 0); /* no 64-bit prefetchable window */
	wr(&t, B, 0x30, 4, 0xffffffff);
	TU_EQ(rd(&t, B, 0x30, 4), 0); /* no 32-bit I/O window */
	wr(&t, B, 0x3e, 2, 0xffff);
	TU_EQ(rd(&t, B, 0x3e, 2), 0x0bff);
	wr(&t, B2, 0x1c, 2, 0xffff);
	TU_EQ(rd(&t, B2, 0x1c, 2), 0xf1f1); /* type bits stay */
	wr(&t, B2, 0x24, 4, 0xffffffff);
	TU_EQ(rd(&t, B2, 0x24, 4), 0xfff1fff1);
	wr(&t, B2, 0x28, 4, 0x12345678);
	wr(&t, B2, 0x2c, 4, 0x9abcdef0);
	TU_EQ(rd(&t, B2, 0x28, 4), 0x12345678);
	TU_EQ(rd(&t, B2, 0x2c, 4), 0x9abcdef0);
	wr(&t, B2, 0x30, 4, 0xffffffff);
	TU_EQ(rd(&t, B2, 0x30, 4), 0xffffffff);
	/* Primary and latency timer are plain RW; no renumber event for them. */
	wr(&t, B, 0x18, 1, 0x05);
	wr(&t, B, 0x1b, 1, 0x40);
	TU_EQ(rd(&t, B, 0x18, 4), 0x40010105);
	TU_EVENTS(&t.te, "");
	vt_free(&t);
}

/* ---- BARs ------------------------------------------------------------- */

static void test_sizing(void)
{
	static const struct { unsigned reg, size; uint32_t write, read, orig; const char *bar; } c[] = {
		{ 0x10, 4, 0xffffffff, 0xfffe0000, 0xfe000000, "bar0" },
		{ 0x14, 4, 0xffffffff, 0xffffffe1, 0x0000c001, "bar1" },
		{ 0x18, 4, 0xffffffff, 0xfff0000c, 0x0000000c, "bar2" },
		{ 0x1c, 4, 0xffffffff, 0xffffffff, 0x00000008, "bar2" },
		{ 0x20, 4, 0xffffffff, 0xfffff008, 0xfe100008, "bar4" },
		{ 0x30, 4, 0xfffff800, 0xffff0000, 0xfe110000, "rom" },  /* Linux's ROM sizing */
		{ 0x30, 4, 0xfffffffe, 0xffff0000, 0xfe110000, "rom" },
		{ 0x30, 4, 0xffffffff, 0xffff0001, 0xfe110000, "rom" },
	};
	char want[256];

	for (int decode = 0; decode < 2; decode++) {
		struct vt t;
		nic_machine(&t);
		if (decode) {
			wr(&t, NIC, 0x30, 4, 0xfe110001); /* ROM enabled */
			wr(&t, NIC, 0x04, 2, 0x0003);
			CU_ASSERT(t.te.n == 5); /* four memory BARs and the I/O BAR */
			tu_ev_clear(&t.te);
		}
		for (size_t i = 0; i < VT_ARRAY_SIZE(c); i++) {
			uint32_t orig = c[i].orig | (decode && c[i].reg == 0x30);
			TU_EQ(rd(&t, NIC, c[i].reg, 4), orig);
			wr(&t, NIC, c[i].reg, 4, c[i].write);
			TU_CHECK(rd(&t, NIC, c[i].reg, 4) == c[i].read, "%s reg 0x%x after 0x%x: 0x%x want 0x%x",
				 decode ? "decoding" : "idle", c[i].reg, c[i].write, rd(&t, NIC, c[i].reg, 4), c[i].read);
			snprintf(want, sizeof(want), "sizing 0000:00:02.0 %s", c[i].bar);
			TU_CHECK(t.te.n >= 1 && !strcmp(t.te.text[0], want), "events '%s'", tu_ev_str(&t.te));
			/* Sizing is never mapped: with decoding on the BAR goes away meanwhile. */
			TU_EQ(tu_ev_count(&t.te, "map "), 0);
			TU_EQ(tu_ev_count(&t.te, "unmap "), decode);
			tu_ev_clear(&t.te);
			wr(&t, NIC, c[i].reg, 4, orig);
			TU_EQ(rd(&t, NIC, c[i].reg, 4), orig);
			TU_EQ(tu_ev_count(&t.te, "move "), 0);
			TU_EQ(tu_ev_count(&t.te, "map "), decode);
			tu_ev_clear(&t.te);
		}
		/* BAR5 is not implemented: reads 0 whatever is written, no event. */
		wr(&t, NIC, 0x24, 4, 0xffffffff);
		TU_EQ(rd(&t, NIC, 0x24, 4), 0);
		TU_EVENTS(&t.te, "");
		vt_free(&t);
	}
}

static void test_moves(void)
{
	struct vt t;

	nic_machine(&t);
	/* Decoding off: a move, nothing mapped. */
	wr(&t, NIC, 0x10, 4, 0xfd000000);
	TU_EVENTS(&t.te, "move 0000:00:02.0 bar0 0xfe000000 -> 0xfd000000");
	TU_EQ(rd(&t, NIC, 0x10, 4), 0xfd000000);
	/* Address bits below the size are not implemented. */
	wr(&t, NIC, 0x10, 4, 0xfd01fff0);
	TU_EQ(rd(&t, NIC, 0x10, 4), 0xfd000000);
	TU_EVENTS(&t.te, "");
	/* Memory decoding on: mapped where it is now. */
	wr(&t, NIC, 0x04, 2, PCI_COMMAND_MEMORY);
	TU_EVENTS(&t.te, "map 0000:00:02.0 bar0 mem 0xfd000000-0xfd01ffff | "
			 "map 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff | "
			 "map 0000:00:02.0 bar4 mem 0xfe100000-0xfe100fff");
	/* Decoding on: move, unmap old, map new. */
	wr(&t, NIC, 0x10, 4, 0xfc000000);
	TU_EVENTS(&t.te, "move 0000:00:02.0 bar0 0xfd000000 -> 0xfc000000 | "
			 "unmap 0000:00:02.0 bar0 mem 0xfd000000-0xfd01ffff | "
			 "map 0000:00:02.0 bar0 mem 0xfc000000-0xfc01ffff");
	/* The same address again: nothing. */
	wr(&t, NIC, 0x10, 4, 0xfc000000);
	TU_EVENTS(&t.te, "");
	/* To 0: unmapped (QEMU never maps a BAR at 0). */
	wr(&t, NIC, 0x10, 4, 0);
	TU_EVENTS(&t.te, "move 0000:00:02.0 bar0 0xfc000000 -> 0x0 | "
			 "unmap 0000:00:02.0 bar0 mem 0xfc000000-0xfc01ffff");
	/* A 32-bit BAR must lie below 0xffffffff: at 0xfffe0000 it would end there. */
	wr(&t, NIC, 0x10, 4, 0xfffe0000);
	TU_EVENTS(&t.te, "move 0000:00:02.0 bar0 0x0 -> 0xfffe0000");
	wr(&t, NIC, 0x10, 4, 0xfffc0000);
	TU_EVENTS(&t.te, "move 0000:00:02.0 bar0 0xfffe0000 -> 0xfffc0000 | "
			 "map 0000:00:02.0 bar0 mem 0xfffc0000-0xfffdffff");
	/* I/O: mapped with I/O decoding only. */
	wr(&t, NIC, 0x14, 4, 0xd000);
	TU_EVENTS(&t.te, "move 0000:00:02.0 bar1 0xc000 -> 0xd000");
	wr(&t, NIC, 0x04, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	TU_EVENTS(&t.te, "map 0000:00:02.0 bar1 io 0xd000-0xd01f");
	wr(&t, NIC, 0x14, 2, 0xe000);
	TU_EVENTS(&t.te, "move 0000:00:02.0 bar1 0xd000 -> 0xe000 | unmap 0000:00:02.0 bar1 io 0xd000-0xd01f | "
			 "map 0000:00:02.0 bar1 io 0xe000-0xe01f");
	/* Memory decoding off: every memory BAR goes, the I/O BAR stays. */
	wr(&t, NIC, 0x04, 2, PCI_COMMAND_IO);
	TU_EVENTS(&t.te, "unmap 0000:00:02.0 bar0 mem 0xfffc0000-0xfffdffff | "
			 "unmap 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff | "
			 "unmap 0000:00:02.0 bar4 mem 0xfe100000-0xfe100fff");
	/* Command bits that do not decode: no events. */
	wr(&t, NIC, 0x04, 2, PCI_COMMAND_IO | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	TU_EVENTS(&t.te, "");
	wr(&t, NIC, 0x04, 2, 0);
	TU_EVENTS(&t.te, "unmap 0000:00:02.0 bar1 io 0xe000-0xe01f");
	/* The mapped set is empty, and the backend balanced. */
	struct vpci_mapped *v;
	TU_EQ(vpci_machine_mapped(t.m, &v), 0);
	free(v);
	TU_EQ(t.rec.maps, t.rec.unmaps);
	vt_free(&t);
}

static void test_rom(void)
{
	struct vt t;

	nic_machine(&t);
	wr(&t, NIC, 0x04, 2, PCI_COMMAND_MEMORY);
	tu_ev_clear(&t.te);
	TU_EQ(rd(&t, NIC, 0x30, 4), 0xfe110000);
	/* Enable bit: map; clear: unmap; the address unchanged is no move. */
	wr(&t, NIC, 0x30, 4, 0xfe110001);
	TU_EVENTS(&t.te, "map 0000:00:02.0 rom mem 0xfe110000-0xfe11ffff");
	TU_EQ(rd(&t, NIC, 0x30, 4), 0xfe110001);
	wr(&t, NIC, 0x30, 1, 0x00);
	TU_EVENTS(&t.te, "unmap 0000:00:02.0 rom mem 0xfe110000-0xfe11ffff");
	/* Bits 1-10 are reserved: read 0. */
	wr(&t, NIC, 0x30, 4, 0xfe1207fe);
	TU_EQ(rd(&t, NIC, 0x30, 4), 0xfe120000);
	TU_EVENTS(&t.te, "move 0000:00:02.0 rom 0xfe110000 -> 0xfe120000");
	/* Enabled and moved in one write. */
	wr(&t, NIC, 0x30, 4, 0xfe130001);
	TU_EVENTS(&t.te, "move 0000:00:02.0 rom 0xfe120000 -> 0xfe130000 | "
			 "map 0000:00:02.0 rom mem 0xfe130000-0xfe13ffff");
	/* Enabled, but memory decoding off: unmapped; back on: mapped. */
	wr(&t, NIC, 0x04, 2, 0);
	TU_CHECK(tu_ev_has(&t.te, "unmap 0000:00:02.0 rom mem 0xfe130000-0xfe13ffff"), "%s", tu_ev_str(&t.te));
	tu_ev_clear(&t.te);
	wr(&t, NIC, 0x04, 2, PCI_COMMAND_MEMORY);
	TU_CHECK(tu_ev_has(&t.te, "map 0000:00:02.0 rom mem 0xfe130000-0xfe13ffff"), "%s", tu_ev_str(&t.te));
	tu_ev_clear(&t.te);
	/* Enable bit alone, by a byte write. */
	wr(&t, NIC, 0x30, 1, 0x00);
	TU_EVENTS(&t.te, "unmap 0000:00:02.0 rom mem 0xfe130000-0xfe13ffff");
	wr(&t, NIC, 0x30, 1, 0x01);
	TU_EVENTS(&t.te, "map 0000:00:02.0 rom mem 0xfe130000-0xfe13ffff");
	vt_free(&t);
}

static void test_bar64_halves(void)
{
	struct vt t;

	nic_machine(&t);
	wr(&t, NIC, 0x04, 2, PCI_COMMAND_MEMORY);
	tu_ev_clear(&t.te);
	/* Low half, then high half: each write is a move, as on hardware. */
	wr(&t, NIC, 0x18, 4, 0x10000000);
	TU_EVENTS(&t.te, "move 0000:00:02.0 bar2 0x800000000 -> 0x810000000 | "
			 "unmap 0000:00:02.0 bar2 mem 0x800000000-0x8000fffff | "
			 "map 0000:00:02.0 bar2 mem 0x810000000-0x8100fffff");
	TU_EQ(rd(&t, NIC, 0x18, 4), 0x1000000c);
	wr(&t, NIC, 0x1c, 4, 0x9);
	TU_EVENTS(&t.te, "move 0000:00:02.0 bar2 0x810000000 -> 0x910000000 | "
			 "unmap 0000:00:02.0 bar2 mem 0x810000000-0x8100fffff | "
			 "map 0000:00:02.0 bar2 mem 0x910000000-0x9100fffff");
	TU_EQ(rd(&t, NIC, 0x1c, 4), 0x9);
	/* Below 4 GiB: high half 0, a 64-bit BAR may end at 0xffffffff. */
	wr(&t, NIC, 0x1c, 4, 0);
	wr(&t, NIC, 0x18, 4, 0xfff00000);
	TU_CHECK(tu_ev_has(&t.te, "map 0000:00:02.0 bar2 mem 0xfff00000-0xffffffff"), "%s", tu_ev_str(&t.te));
	tu_ev_clear(&t.te);
	/* Sizing the high half alone while mapped: unmapped meanwhile, back after. */
	wr(&t, NIC, 0x1c, 4, 0xffffffff);
	TU_EVENTS(&t.te, "sizing 0000:00:02.0 bar2 | unmap 0000:00:02.0 bar2 mem 0xfff00000-0xffffffff");
	TU_EQ(rd(&t, NIC, 0x1c, 4), 0xffffffff);
	TU_EQ(rd(&t, NIC, 0x18, 4), 0xfff0000c);
	wr(&t, NIC, 0x1c, 4, 0);
	TU_EVENTS(&t.te, "map 0000:00:02.0 bar2 mem 0xfff00000-0xffffffff");
	/* A 64-bit BAR larger than 4 GiB: the high half carries size bits. */
	struct vpci_dev_desc d;
	vt_free(&t);
	vt_init(&t);
	nic_desc(&d, "00:02.0");
	d.bar_size[2] = 0x400000000ull; /* 16 GiB */
	tu_put(&d, 0x1c, 4, 0x10);
	vt_add(&t, &d);
	vt_finish(&t);
	wr(&t, NIC, 0x18, 4, 0xffffffff);
	wr(&t, NIC, 0x1c, 4, 0xffffffff);
	TU_EQ(rd(&t, NIC, 0x18, 4), 0x0000000c);
	TU_EQ(rd(&t, NIC, 0x1c, 4), 0xfffffffc);
	wr(&t, NIC, 0x18, 4, 0);
	wr(&t, NIC, 0x1c, 4, 0x13);
	TU_EQ(rd(&t, NIC, 0x1c, 4), 0x10);
	tu_ev_clear(&t.te);
	wr(&t, NIC, 0x04, 2, PCI_COMMAND_MEMORY);
	TU_CHECK(tu_ev_has(&t.te, "map 0000:00:02.0 bar2 mem 0x1000000000-0x13ffffffff"), "%s", tu_ev_str(&t.te));
	vt_free(&t);

	/* A 64-bit type in BAR5 has no upper half: it acts as 32-bit. */
	vt_init(&t);
	nic_desc(&d, "00:02.0");
	tu_put(&d, 0x24, 4, 0xf000000c);
	d.bar_size[5] = 0x1000;
	vt_add(&t, &d);
	vt_finish(&t);
	CU_ASSERT(vpci_dev_bar(vpci_dev_by_path(t.m, "00:02.0"), 5, NULL, NULL) == VPCI_BAR_MEM32);
	wr(&t, NIC, 0x24, 4, 0xffffffff);
	TU_EQ(rd(&t, NIC, 0x24, 4), 0xfffff00c);
	vt_free(&t);
}

/* Sub-dword writes: bytes and words at every offset of each BAR, against the byte masks. */
static void test_bar_subdword(void)
{
	static const struct { unsigned reg; uint32_t wmask; unsigned bar; bool hi; } bars[] = {
		{ 0x10, 0xfffe0000, 0, false },
		{ 0x14, 0xffffffe0, 1, false },
		{ 0x18, 0xfff00000, 2, false },
		{ 0x1c, 0xffffffff, 2, true },
		{ 0x20, 0xfffff000, 4, false },
		{ 0x30, 0xffff0001, VT_BAR_ROM, false },
	};
	uint64_t seed = 0x5eed;

	for (int decode = 0; decode < 2; decode++) {
		for (size_t b = 0; b < VT_ARRAY_SIZE(bars); b++) {
			for (unsigned size = 1; size <= 2; size++) {
				for (unsigned off = 0; off < 4; off++) {
					struct vt t;
					uint8_t before[8], after[8];
					unsigned reg = bars[b].reg + off;
					uint32_t val = (uint32_t)tu_rand(&seed) | 0x01010101u;
					struct vpci_dev *d;
					uint64_t addr_before, addr_after;

					nic_machine(&t);
					d = vpci_dev_by_path(t.m, "00:02.0");
					if (decode) {
						wr(&t, NIC, 0x30, 1, 1);
						wr(&t, NIC, 0x04, 2, 3);
					}
					tu_ev_clear(&t.te);
					for (unsigned i = 0; i < 8; i++)
						before[i] = (uint8_t)rd(&t, NIC, bars[b].reg + i, 1);
					vpci_dev_bar(d, bars[b].bar, &addr_before, NULL);
					wr(&t, NIC, reg, size, val & vt_size_mask(size));
					/* The model: each byte written through its mask. */
					memcpy(after, before, sizeof(after));
					for (unsigned i = 0; i < size; i++) {
						unsigned at = off + i;
						/* Past the BAR: the next register's mask (BAR5 and 0x34 are read-only). */
						bool next = b + 1 < VT_ARRAY_SIZE(bars) && bars[b + 1].reg == bars[b].reg + 4;
						uint8_t wm = at < 4 ? (uint8_t)(bars[b].wmask >> (8 * at)) :
							     next ? (uint8_t)(bars[b + 1].wmask >> (8 * (at - 4))) : 0;
						after[at] = (uint8_t)((before[at] & ~wm) | ((val >> (8 * i)) & wm));
					}
					for (unsigned i = 0; i < 8; i++) {
						uint8_t got = (uint8_t)rd(&t, NIC, bars[b].reg + i, 1);
						TU_CHECK(got == after[i], "bar reg 0x%x: %u-byte write 0x%x at +%u: byte +%u is 0x%02x want 0x%02x",
							 bars[b].reg, size, val & vt_size_mask(size), off, i, got, after[i]);
					}
					/* The emulation's idea of the address follows the register. */
					vpci_dev_bar(d, bars[b].bar, &addr_after, NULL);
					if (addr_after != addr_before) {
						char want[128];
						snprintf(want, sizeof(want), "move 0000:00:02.0 %s 0x%llx -> 0x%llx",
							 vt_bar_name(bars[b].bar), (unsigned long long)addr_before,
							 (unsigned long long)addr_after);
						TU_CHECK(tu_ev_has(&t.te, want), "'%s' not in '%s'", want, tu_ev_str(&t.te));
					}
					/* Decoding on: what is mapped is where the BAR now is. */
					struct vpci_mapped *v;
					size_t n = vpci_machine_mapped(t.m, &v);
					for (size_t i = 0; i < n; i++) {
						uint64_t a, s;
						vpci_dev_bar(d, v[i].bar, &a, &s);
						TU_CHECK(v[i].range.base == a && v[i].range.last == a + s - 1,
							 "%s mapped at 0x%llx, BAR at 0x%llx", vt_bar_name(v[i].bar),
							 (unsigned long long)v[i].range.base, (unsigned long long)a);
						TU_CHECK(map_is_mapped(vpci_machine_mapper(t.m), v[i].space,
								       v[i].space == VT_SPACE_IO ? a : a >> 12),
							 "%s not mapped in the backend", vt_bar_name(v[i].bar));
					}
					free(v);
					TU_CHECK(decode || n == 0, "%zu BARs mapped with decoding off", n);
					vt_free(&t);
				}
			}
		}
	}
}

/* ---- topology --------------------------------------------------------- */

static void leaf(struct vt *t, const char *path, uint16_t device)
{
	struct vpci_dev_desc d;

	tu_desc(&d, path, 0x1af4, device, 0);
	tu_put(&d, 0x10, 4, 0xf0000000 | (uint32_t)device << 16);
	d.bar_size[0] = 0x10000;
	vt_add(t, &d);
}

static void bridge(struct vt *t, const char *path, uint8_t pri, uint8_t sec, uint8_t sub)
{
	struct vpci_dev_desc d;

	tu_bridge(&d, path, pri, sec, sub);
	vt_add(t, &d);
}

static uint32_t id_at(struct vt *t, unsigned bus, unsigned dev, unsigned fn)
{
	return rd(t, VT_SBDF(0, bus, VT_DEVFN(dev, fn)), 0, 4);
}

static void test_renumber(void)
{
	struct vt t;
	const uint32_t B = VT_SBDF(0, 0, VT_DEVFN(0x1c, 0));

	vt_init(&t);
	bridge(&t, "00:1c.0", 0, 1, 1);
	leaf(&t, "00:1c.0/00.0", 0x1001);
	leaf(&t, "00:1c.0/00.1", 0x1002);
	vt_finish(&t);
	TU_EQ(id_at(&t, 1, 0, 0), 0x10011af4);
	TU_EQ(id_at(&t, 1, 0, 1), 0x10021af4);
	TU_EQ(id_at(&t, 1, 1, 0), 0xffffffff); /* no such function */
	TU_EQ(id_at(&t, 2, 0, 0), 0xffffffff);
	/* The guest moves the bus: old numbers read all ones, new ones reach the devices. */
	wr(&t, B, 0x18, 4, 0x00050300);
	TU_EVENTS(&t.te, "renumber 0000:00:1c.0 secondary 01->03 subordinate 01->05");
	TU_EQ(id_at(&t, 1, 0, 0), 0xffffffff);
	TU_EQ(id_at(&t, 1, 0, 1), 0xffffffff);
	TU_EQ(id_at(&t, 3, 0, 0), 0x10011af4);
	TU_EQ(id_at(&t, 3, 0, 1), 0x10021af4);
	TU_EQ(id_at(&t, 4, 0, 0), 0xffffffff);
	uint32_t s;
	CU_ASSERT(vpci_dev_sbdf(vpci_dev_by_path(t.m, "00:1c.0/00.1"), &s) && s == VT_SBDF(0, 3, 1));
	/* Writes reach the device at its new number only. */
	wr(&t, VT_SBDF(0, 1, 0), 0x3c, 1, 0x11);
	wr(&t, VT_SBDF(0, 3, 0), 0x3c, 1, 0x22);
	TU_EQ(rd(&t, VT_SBDF(0, 3, 0), 0x3c, 1), 0x22);
	/* Events of a device behind it carry its new SBDF. */
	wr(&t, VT_SBDF(0, 3, 0), 0x04, 2, PCI_COMMAND_MEMORY);
	TU_EVENTS(&t.te, "map 0000:03:00.0 bar0 mem 0xf0010000-0xf001ffff");
	/* Byte writes: one renumber each; secondary above subordinate forwards nothing. */
	wr(&t, B, 0x19, 1, 0x07);
	TU_EVENTS(&t.te, "renumber 0000:00:1c.0 secondary 03->07 subordinate 05->05");
	TU_EQ(id_at(&t, 3, 0, 0), 0xffffffff);
	TU_EQ(id_at(&t, 7, 0, 0), 0xffffffff);
	CU_ASSERT(!vpci_dev_sbdf(vpci_dev_by_path(t.m, "00:1c.0/00.0"), &s));
	wr(&t, B, 0x1a, 1, 0x07);
	TU_EVENTS(&t.te, "renumber 0000:00:1c.0 secondary 07->07 subordinate 05->07");
	TU_EQ(id_at(&t, 7, 0, 0), 0x10011af4);
	/* The primary bus number is not routing: no event. */
	wr(&t, B, 0x18, 1, 0x09);
	TU_EVENTS(&t.te, "");
	/* A secondary number of 0 (the bridge's own bus): nothing behind it. */
	wr(&t, B, 0x18, 4, 0x00000000);
	TU_EVENTS(&t.te, "renumber 0000:00:1c.0 secondary 07->00 subordinate 07->00");
	for (unsigned bus = 0; bus < 256; bus++)
		TU_CHECK(id_at(&t, bus, 0, 1) == 0xffffffff, "bus %u answers", bus);
	TU_EQ(id_at(&t, 0, 0x1c, 0), 0x24488086); /* the bridge itself stays */
	vt_free(&t);
}

static void test_nested_bridges(void)
{
	struct vt t;
	const uint32_t A = VT_SBDF(0, 0, VT_DEVFN(0x1c, 0));

	vt_init(&t);
	bridge(&t, "00:1c.0", 0, 1, 4);
	bridge(&t, "00:1c.0/00.0", 1, 2, 4);
	bridge(&t, "00:1c.0/00.0/01.0", 2, 3, 3);
	leaf(&t, "00:1c.0/00.0/01.0/00.0", 0x2001);
	leaf(&t, "00:1c.0/00.0/02.0", 0x2002);
	vt_finish(&t);
	TU_EQ(id_at(&t, 3, 0, 0), 0x20011af4);
	TU_EQ(id_at(&t, 2, 2, 0), 0x20021af4);
	/* The top bridge moves: the inner numbers are now outside its window. */
	wr(&t, A, 0x18, 4, 0x00080500);
	TU_EQ(id_at(&t, 3, 0, 0), 0xffffffff);
	TU_EQ(id_at(&t, 2, 2, 0), 0xffffffff);
	TU_EQ(id_at(&t, 5, 0, 0), 0x24488086); /* the inner bridge at the new number */
	/* The inner bridge follows: everything reachable again. */
	wr(&t, VT_SBDF(0, 5, 0), 0x18, 4, 0x00080605);
	TU_EQ(id_at(&t, 6, 2, 0), 0x20021af4);
	TU_EQ(id_at(&t, 6, 1, 0), 0x24488086);
	TU_EQ(id_at(&t, 3, 0, 0), 0xffffffff); /* the innermost still says 3 */
	wr(&t, VT_SBDF(0, 6, VT_DEVFN(1, 0)), 0x19, 2, 0x0808);
	TU_EQ(id_at(&t, 8, 0, 0), 0x20011af4);
	TU_EVENTS(&t.te, "renumber 0000:00:1c.0 secondary 01->05 subordinate 04->08 | "
			 "renumber 0000:05:00.0 secondary 02->06 subordinate 04->08 | "
			 "renumber 0000:06:01.0 secondary 03->08 subordinate 03->08");
	/* The subordinate of an outer bridge cuts off what lies beyond it. */
	wr(&t, A, 0x1a, 1, 0x07);
	TU_EQ(id_at(&t, 8, 0, 0), 0xffffffff);
	TU_EQ(id_at(&t, 6, 2, 0), 0x20021af4);
	vt_free(&t);
}

static void test_overlapping_siblings(void)
{
	struct vt t;

	vt_init(&t);
	bridge(&t, "00:1c.0", 0, 1, 4);
	bridge(&t, "00:1d.0", 0, 3, 6);
	leaf(&t, "00:1c.0/00.0", 0x3001);
	leaf(&t, "00:1d.0/00.0", 0x3002);
	bridge(&t, "00:1d.0/01.0", 3, 5, 5);
	leaf(&t, "00:1d.0/01.0/00.0", 0x3003);
	vt_finish(&t);
	/* Bus 3 is in both windows: the first bridge in devfn order owns it. */
	TU_EQ(id_at(&t, 1, 0, 0), 0x30011af4);
	TU_EQ(id_at(&t, 3, 0, 0), 0xffffffff);
	CU_ASSERT(vpci_route_slow(t.m, VT_SBDF(0, 3, 0)) == NULL);
	/* Bus 5 is the second bridge's alone, and reaches through its secondary bus. */
	TU_EQ(id_at(&t, 5, 0, 0), 0x30031af4);
	/* The first bridge shrinks: the second one's bus appears. */
	wr(&t, VT_SBDF(0, 0, VT_DEVFN(0x1c, 0)), 0x1a, 1, 0x02);
	TU_EQ(id_at(&t, 3, 0, 0), 0x30021af4);
	TU_EQ(id_at(&t, 3, 1, 0), 0x24488086);
	TU_EQ(id_at(&t, 5, 0, 0), 0x30031af4);
	/* Identical windows: the first one wins every number. */
	wr(&t, VT_SBDF(0, 0, VT_DEVFN(0x1c, 0)), 0x18, 4, 0x00060300);
	TU_EQ(id_at(&t, 3, 0, 0), 0x30011af4);
	TU_EQ(id_at(&t, 5, 0, 0), 0xffffffff);
	for (unsigned bus = 0; bus < 256; bus++)
		for (unsigned devfn = 0; devfn < 16; devfn++) {
			uint32_t sbdf = VT_SBDF(0, bus, devfn);
			TU_CHECK(vpci_dev_lookup(t.m, sbdf) == vpci_route_slow(t.m, sbdf), "bus %u devfn %u", bus, devfn);
		}
	vt_free(&t);
}

/*
 * A full bus of 4096-byte functions: the devices' memory grows chunk by
 * chunk (vpci/arena.c), and every function keeps its own bytes, first to
 * last, with a failed add (a duplicate) in between.
 */
static void test_many_functions(void)
{
	struct vt t;
	struct vpci_dev_desc d;
	struct vt_err err;
	char path[16];
	unsigned bad = 0;
	size_t mapped;

	vt_init(&t);
	for (unsigned devfn = 0; devfn < 256; devfn++) {
		snprintf(path, sizeof(path), "00:%02x.%u", devfn >> 3, devfn & 7);
		tu_desc(&d, path, 0x8086, (uint16_t)devfn, 0);
		d.cfg_len = 4096;
		tu_put(&d, 0x40, 4, 0xa5000000u | devfn);
		tu_put(&d, 0xffc, 4, 0x5a000000u | devfn << 8);
		vt_add(&t, &d);
		if (devfn == 100) /* given twice: refused, and nothing else moves */
			CU_ASSERT(vpci_machine_add_dev(t.m, &d, &err) != 0);
	}
	vt_finish(&t);
	for (unsigned devfn = 0; devfn < 256 && bad < 4; devfn++) {
		uint32_t s = VT_SBDF(0, 0, devfn), id = rd(&t, s, 0, 4), a = rd(&t, s, 0x40, 4), b = rd(&t, s, 0xffc, 4);
		if (id != (devfn << 16 | 0x8086) || a != (0xa5000000u | devfn) || b != (0x5a000000u | devfn << 8)) {
			TU_CHECK(false, "00:%02x.%u reads 0x%08x 0x%08x 0x%08x", devfn >> 3, devfn & 7, id, a, b);
			bad++;
		}
	}
	/* Mapped outside the heap (0 under AddressSanitizer, where devices are heap blocks): at most twice what
	 * 257 devices need, plus the last chunk. */
	mapped = vpci_machine_mapped_bytes(t.m);
	TU_CHECK(mapped == 0 || (mapped >= 257 * 5000 && mapped <= 2 * 257 * 5600 + (2u << 20)),
		 "devices' memory: %zu bytes mapped", mapped);
	vt_free(&t);
}

static void test_root_buses(void)
{
	struct vt t;

	vt_init(&t);
	leaf(&t, "00:02.0", 0x4000);
	leaf(&t, "40:02.0", 0x4040);
	leaf(&t, "0001:00:02.0", 0x4100); /* another segment */
	bridge(&t, "40:03.0", 0x40, 0x41, 0x45);
	leaf(&t, "40:03.0/00.0", 0x4041);
	bridge(&t, "00:1c.0", 0, 0x41, 0x41); /* beyond root 0's numbers */
	leaf(&t, "00:1c.0/00.0", 0x4001);
	vt_finish(&t);
	TU_EQ(id_at(&t, 0, 2, 0), 0x40001af4);
	TU_EQ(id_at(&t, 0x40, 2, 0), 0x40401af4);
	TU_EQ(id_at(&t, 0x41, 0, 0), 0x40411af4);
	TU_EQ(rd(&t, VT_SBDF(1, 0, VT_DEVFN(2, 0)), 0, 4), 0x41001af4);
	TU_EQ(rd(&t, VT_SBDF(2, 0, VT_DEVFN(2, 0)), 0, 4), 0xffffffff);
	uint32_t s;
	CU_ASSERT(!vpci_dev_sbdf(vpci_dev_by_path(t.m, "00:1c.0/00.0"), &s));
	CU_ASSERT(vpci_dev_sbdf(vpci_dev_by_path(t.m, "0001:00:02.0"), &s) && s == VT_SBDF(1, 0, 0x10));
	/* Root 0 gets bus 0x41 into range by renumbering below 0x40. */
	wr(&t, VT_SBDF(0, 0, VT_DEVFN(0x1c, 0)), 0x18, 4, 0x00101000);
	TU_EQ(id_at(&t, 0x10, 0, 0), 0x40011af4);
	/* Root 0x40's bridge cannot claim numbers below its root. */
	wr(&t, VT_SBDF(0, 0x40, VT_DEVFN(3, 0)), 0x18, 4, 0x00121140);
	TU_EQ(id_at(&t, 0x11, 0, 0), 0xffffffff);
	TU_EQ(id_at(&t, 0x41, 0, 0), 0xffffffff);
	vt_free(&t);
}

static void test_unprogrammed_bridge(void)
{
	struct vt t;
	uint32_t s;
	const uint32_t B = VT_SBDF(0, 0, VT_DEVFN(0x1c, 0));
	struct vpci_dev_desc d;

	vt_init(&t);
	bridge(&t, "00:1c.0", 0, 0, 0);
	tu_desc(&d, "00:1c.0/00.0", 0x1af4, 0x5001, 0);
	tu_put(&d, 0x04, 2, PCI_COMMAND_MEMORY); /* decoding already on in the snapshot */
	tu_put(&d, 0x10, 4, 0xf1000000);
	d.bar_size[0] = 0x1000;
	vt_add(&t, &d);
	/* finish maps what the snapshot decodes, wherever it is. */
	struct vt_err err;
	CU_ASSERT_FATAL(vpci_machine_finish(t.m, &err) == 0);
	tu_ev_clear(&t.te);
	CU_ASSERT(!vpci_dev_sbdf(vpci_dev_by_path(t.m, "00:1c.0/00.0"), &s));
	for (unsigned bus = 0; bus < 256; bus++)
		TU_CHECK(id_at(&t, bus, 0, 0) == 0xffffffff, "bus %u answers", bus);
	/* Programmed: reachable. */
	wr(&t, B, 0x18, 4, 0x00020200);
	TU_EQ(id_at(&t, 2, 0, 0), 0x50011af4);
	CU_ASSERT(vpci_dev_sbdf(vpci_dev_by_path(t.m, "00:1c.0/00.0"), &s) && s == VT_SBDF(0, 2, 0));
	vt_free(&t);
}

/* Random bus-number writes; fast routing agrees with the slow walk everywhere. */
static void test_route_random(void)
{
	static const char *const bridges[] = {
		"00:1c.0", "00:1c.0/00.0", "00:1c.0/01.0", "00:1c.0/01.0/00.0", "00:1d.0", "00:1e.0",
		"00:1e.0/00.0", "80:01.0", "80:01.0/00.0",
	};
	static const char *const leaves[] = {
		"00:1c.0/00.0/00.0", "00:1c.0/01.0/00.0/00.0", "00:1c.0/01.0/02.0", "00:1d.0/00.0",
		"00:1e.0/00.0/00.0", "00:1e.0/00.0/03.0", "80:01.0/00.0/00.0", "80:02.0",
	};
	static const uint8_t devfns[] = { 0x00, 0x08, 0x10, 0x18, 0xe0, 0xe8, 0xf0 };
	struct vt t;
	uint64_t seed = 0xfeedface;
	unsigned bad = 0;

	vt_init(&t);
	for (size_t i = 0; i < VT_ARRAY_SIZE(bridges); i++)
		bridge(&t, bridges[i], 0, 0, 0);
	for (size_t i = 0; i < VT_ARRAY_SIZE(leaves); i++)
		leaf(&t, leaves[i], (uint16_t)(0x6000 + i));
	vt_finish(&t);
	for (unsigned it = 0; it < 3000 && bad < 10; it++) {
		struct vpci_dev *br = vpci_dev_by_path(t.m, bridges[tu_rand(&seed) % VT_ARRAY_SIZE(bridges)]);
		uint64_t r = tu_rand(&seed);
		uint32_t s;
		unsigned base = strncmp(vpci_dev_path(br), "80", 2) ? 0 : 0x7c;

		if (!vpci_dev_sbdf(br, &s))
			continue; /* a guest cannot reach it either */
		uint8_t sec = (uint8_t)(base + r % 12), sub = (uint8_t)(base + (r >> 8) % 12);
		switch ((r >> 16) % 3) {
		case 0: wr(&t, s, 0x18, 4, (uint32_t)sub << 16 | (uint32_t)sec << 8); break;
		case 1: wr(&t, s, 0x19, 1, sec); break;
		default: wr(&t, s, 0x1a, 1, sub); break;
		}
		for (unsigned bus = 0; bus < 256; bus++)
			for (size_t k = 0; k < sizeof(devfns); k++) {
				uint32_t sbdf = VT_SBDF(0, bus, devfns[k]);
				struct vpci_dev *fast = vpci_dev_lookup(t.m, sbdf), *slow = vpci_route_slow(t.m, sbdf);
				if (fast != slow) {
					TU_CHECK(false, "iteration %u: %02x:%02x.%x fast %s slow %s", it, bus, devfns[k] >> 3,
						 devfns[k] & 7, fast ? vpci_dev_path(fast) : "-", slow ? vpci_dev_path(slow) : "-");
					bad++;
				}
				if (fast) {
					uint32_t own;
					if (!vpci_dev_sbdf(fast, &own) || own != sbdf) {
						TU_CHECK(false, "iteration %u: %s answers 0x%x but says 0x%x", it,
							 vpci_dev_path(fast), sbdf, own);
						bad++;
					}
				}
			}
		/* Every reachable function answers at the SBDF it reports. */
		for (size_t i = 0; i < vpci_machine_ndev(t.m); i++) {
			struct vpci_dev *d = vpci_machine_dev(t.m, i);
			if (vpci_dev_sbdf(d, &s) && vpci_dev_lookup(t.m, s) != d) {
				TU_CHECK(false, "iteration %u: %s not at its SBDF 0x%x", it, vpci_dev_path(d), s);
				bad++;
			}
		}
	}
	CU_ASSERT(bad == 0);
	vt_free(&t);
}

/* ---- every register, every width, every offset ------------------------ */

struct model {
	uint8_t cfg[4096];
	uint8_t wm[4096], w1c[4096];
	unsigned len;
};

static void mset(struct model *md, unsigned reg, unsigned size, uint32_t wm, uint32_t w1c)
{
	for (unsigned i = 0; i < size; i++) {
		md->wm[reg + i] = (uint8_t)(wm >> (8 * i));
		md->w1c[reg + i] = (uint8_t)(w1c >> (8 * i));
	}
}

/* The masks as the PCI specs define them, written out independently of header.c. */
static void model_nic(struct model *md, const struct vpci_dev_desc *d)
{
	memset(md, 0, sizeof(*md));
	memcpy(md->cfg, d->cfg, sizeof(md->cfg));
	md->len = d->cfg_len;
	mset(md, 0x04, 2, 0x0547, 0);
	mset(md, 0x06, 2, 0, 0xf900);
	mset(md, 0x0c, 1, 0xff, 0);
	mset(md, 0x10, 4, 0xfffe0000, 0);
	mset(md, 0x14, 4, 0xffffffe0, 0);
	mset(md, 0x18, 4, 0xfff00000, 0);
	mset(md, 0x1c, 4, 0xffffffff, 0);
	mset(md, 0x20, 4, 0xfffff000, 0);
	mset(md, 0x30, 4, 0xffff0001, 0);
	mset(md, 0x3c, 1, 0xff, 0);
	mset(md, 0x44, 2, 0x0103, 0x8000);              /* PM control/status */
	mset(md, 0x52, 2, 0x0071, 0);                   /* MSI control */
	mset(md, 0x54, 4, 0xfffffffc, 0);
	mset(md, 0x58, 4, 0xffffffff, 0);
	mset(md, 0x5c, 2, 0xffff, 0);
	mset(md, 0x60, 4, 0xffffffff, 0);               /* MSI mask bits */
	mset(md, 0x78, 2, 0x7fff, 0);                   /* PCIe device control */
	mset(md, 0x7a, 2, 0, 0x000f);                   /* device status */
	mset(md, 0x80, 2, 0x0fdb, 0);                   /* link control */
	mset(md, 0x82, 2, 0, 0xc000);                   /* link status */
	mset(md, 0x88, 2, 0x1fff, 0);                   /* slot control */
	mset(md, 0x8a, 2, 0, 0x011f);                   /* slot status */
	mset(md, 0x8c, 2, 0x001f, 0);                   /* root control */
	mset(md, 0x90, 4, 0, 0x00010000);               /* root status */
	mset(md, 0x98, 2, 0xffff, 0);                   /* device control 2 */
	mset(md, 0xa0, 2, 0xffff, 0);                   /* link control 2 */
}

static void model_bridge(struct model *md, const struct vpci_dev_desc *d)
{
	memset(md, 0, sizeof(*md));
	memcpy(md->cfg, d->cfg, sizeof(md->cfg));
	md->len = d->cfg_len;
	mset(md, 0x04, 2, 0x0547, 0);
	mset(md, 0x06, 2, 0, 0xf900);
	mset(md, 0x0c, 1, 0xff, 0);
	mset(md, 0x10, 4, 0xffffff00, 0);  /* 256-byte BAR0 */
	mset(md, 0x18, 4, 0xffffffff, 0);
	mset(md, 0x1c, 2, 0xf0f0, 0);
	mset(md, 0x1e, 2, 0, 0xf900);
	mset(md, 0x20, 4, 0xfff0fff0, 0);
	mset(md, 0x24, 4, 0xfff0fff0, 0);
	mset(md, 0x28, 4, 0xffffffff, 0);
	mset(md, 0x2c, 4, 0xffffffff, 0);
	mset(md, 0x30, 4, 0xffffffff, 0);
	mset(md, 0x38, 4, 0xfffff801, 0);  /* 2 KiB ROM */
	mset(md, 0x3c, 1, 0xff, 0);
	mset(md, 0x3e, 2, 0x0bff, 0x0400);
}

static uint32_t model_read(const struct model *md, unsigned reg, unsigned size)
{
	unsigned space = md->len > 256 ? 4096 : 256;

	if (size != 1 && size != 2 && size != 4)
		return vt_size_mask(size);
	if (reg + size > space)
		return vt_size_mask(size);
	return vt_le_get(md->cfg + reg, size);
}

static void model_write(struct model *md, unsigned reg, unsigned size, uint32_t val)
{
	unsigned space = md->len > 256 ? 4096 : 256;

	if ((size != 1 && size != 2 && size != 4) || reg + size > space)
		return;
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i));
		unsigned r = reg + i;
		md->cfg[r] = (uint8_t)((md->cfg[r] & ~md->wm[r]) | (b & md->wm[r]));
		md->cfg[r] &= (uint8_t)~(b & md->w1c[r]);
	}
}

static unsigned compare_all(struct vt *t, uint32_t sbdf, const struct model *md, unsigned upto,
			    const char *what)
{
	unsigned bad = 0;

	for (unsigned reg = 0; reg < upto && bad < 4; reg++) {
		uint32_t got = rd(t, sbdf, reg, 1), want = model_read(md, reg, 1);
		if (got != want) {
			TU_CHECK(false, "%s: byte 0x%x is 0x%02x, model 0x%02x", what, reg, got, want);
			bad++;
		}
	}
	return bad;
}

static void every_register(bool bridge_dev, unsigned cfg_len)
{
	struct vt t;
	struct vpci_dev_desc d;
	struct model md;
	uint64_t seed = 0xc0ffee + cfg_len + bridge_dev;
	unsigned bad = 0, space = cfg_len > 256 ? 4096 : 256;
	const uint32_t S = VT_SBDF(0, 0, VT_DEVFN(3, 0));
	char what[128];

	vt_init(&t);
	if (bridge_dev) {
		tu_bridge(&d, "00:03.0", 0, 1, 1);
		tu_put(&d, 0x06, 2, 0xf900);
		tu_put(&d, 0x10, 4, 0xfd000000);
		d.bar_size[0] = 0x100;
		d.cfg[0x1c] = 0x01, d.cfg[0x1d] = 0x01;      /* 32-bit I/O window */
		tu_put(&d, 0x24, 4, 0x00010001);             /* 64-bit prefetchable window */
		tu_put(&d, 0x3c, 4, 0x04000100);             /* discard timer status set, pin A */
		d.bar_size[VT_BAR_ROM] = 0x800;
		d.cfg_len = cfg_len;
		model_bridge(&md, &d);
	} else {
		nic_desc(&d, "00:03.0");
		tu_put(&d, 0x06, 2, 0xf910);
		tu_put(&d, 0x44, 2, 0x8000);
		tu_put(&d, 0x7a, 2, 0x000f);
		tu_put(&d, 0x82, 2, 0xc000);
		tu_put(&d, 0x8a, 2, 0x011f);
		tu_put(&d, 0x90, 4, 0x00010000);
		d.cfg_len = cfg_len;
		for (unsigned i = 256; i < cfg_len; i++)
			d.cfg[i] = (uint8_t)(i * 7);
		model_nic(&md, &d);
	}
	if (cfg_len < 256) {
		/* Only the header was given: the capabilities it points to are not there. */
		memset(md.cfg + cfg_len, 0xff, 256 - cfg_len);
		memset(md.wm + cfg_len, 0, 256 - cfg_len);
		memset(md.w1c + cfg_len, 0, 256 - cfg_len);
	}
	vt_add(&t, &d);
	vt_finish(&t);

	/* Reads of every width at every offset, aligned or not. */
	for (unsigned reg = 0; reg < space + 4 && bad < 8; reg++)
		for (unsigned size = 1; size <= 4; size++) {
			uint32_t got = rd(&t, S, reg, size), want = model_read(&md, reg, size);
			if (got != want) {
				TU_CHECK(false, "read 0x%x/%u: 0x%x, model 0x%x", reg, size, got, want);
				bad++;
			}
		}
	/*
	 * Writes of every width at every offset of the header (and across its
	 * end), then at the end of the space. The random pass leaves bits above
	 * the access size in val: only the accessed bytes count.
	 */
	for (int pass = 0; pass < 3 && bad < 8; pass++)
		for (unsigned i = 0; i < 0x104 + 8 && bad < 8; i++)
			for (unsigned size = 1; size <= 4; size++) {
				unsigned reg = i < 0x104 ? i : space - 8 + (i - 0x104);
				uint32_t val = pass == 0 ? 0xffffffff : pass == 1 ? 0 : (uint32_t)tu_rand(&seed);
				uint32_t arg = pass == 2 ? val : val & vt_size_mask(size);
				wr(&t, S, reg, size, arg);
				model_write(&md, reg, size, val & vt_size_mask(size));
				snprintf(what, sizeof(what), "%s %u bytes, pass %d, after %u-byte write 0x%x at 0x%x",
					 bridge_dev ? "bridge" : "endpoint", cfg_len, pass, size, arg, reg);
				bad += compare_all(&t, S, &md, 0x110, what);
				for (unsigned r = space - 8; r < space && bad < 8; r++)
					if (rd(&t, S, r, 1) != model_read(&md, r, 1)) {
						TU_CHECK(false, "%s: byte 0x%x is 0x%02x, model 0x%02x", what, r,
							 rd(&t, S, r, 1), model_read(&md, r, 1));
						bad++;
					}
			}
	/* Whatever happened, the mapped set is where the BARs are. */
	struct vpci_mapped *v;
	size_t n = vpci_machine_mapped(t.m, &v);
	struct vpci_dev *dev = vpci_dev_by_path(t.m, "00:03.0");
	for (size_t i = 0; i < n; i++) {
		uint64_t a, s;
		vpci_dev_bar(dev, v[i].bar, &a, &s);
		TU_CHECK(v[i].range.base == a && v[i].range.last == a + s - 1, "%s mapped at 0x%llx, BAR at 0x%llx",
			 vt_bar_name(v[i].bar), (unsigned long long)v[i].range.base, (unsigned long long)a);
	}
	free(v);
	CU_ASSERT(bad == 0);
	vt_free(&t);
}

static void test_every_register_endpoint(void) { every_register(false, 256); }
static void test_every_register_endpoint_ext(void) { every_register(false, 4096); }
static void test_every_register_endpoint_64(void) { every_register(false, 64); }
static void test_every_register_bridge(void) { every_register(true, 256); }

static CU_TestInfo file_tests[] = {
	{ "every valid form", test_machine_valid },
	{ "every malformed line kind", test_machine_errors },
	{ "tree errors name file and line", test_machine_tree_errors },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo mask_tests[] = {
	{ "endpoint: RO IDs, RW1C status, command bits, capabilities", test_masks },
	{ "bridge: windows, secondary status, control", test_bridge_masks },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo bar_tests[] = {
	{ "sizing of 32/64-bit, I/O and ROM BARs", test_sizing },
	{ "moves with decoding off and on", test_moves },
	{ "ROM enable bit", test_rom },
	{ "64-bit BAR half writes", test_bar64_halves },
	{ "1- and 2-byte writes at every offset", test_bar_subdword },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo topo_tests[] = {
	{ "renumbering with devices behind", test_renumber },
	{ "nested bridges", test_nested_bridges },
	{ "overlapping sibling ranges", test_overlapping_siblings },
	{ "several root buses and segments", test_root_buses },
	{ "a full bus of 4096-byte functions", test_many_functions },
	{ "unreachable behind an unprogrammed bridge", test_unprogrammed_bridge },
	{ "fast routing = slow walk after random writes", test_route_random },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo reg_tests[] = {
	{ "endpoint, 256 bytes", test_every_register_endpoint },
	{ "endpoint, 4096 bytes", test_every_register_endpoint_ext },
	{ "endpoint, 64 bytes", test_every_register_endpoint_64 },
	{ "bridge", test_every_register_bridge },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "vpci: machine files", NULL, NULL, NULL, NULL, file_tests },
	{ "vpci: header masks", NULL, NULL, NULL, NULL, mask_tests },
	{ "vpci: BARs", NULL, NULL, NULL, NULL, bar_tests },
	{ "vpci: topology", NULL, NULL, NULL, NULL, topo_tests },
	{ "vpci: every register", NULL, NULL, NULL, NULL, reg_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return tu_main(suites);
}
