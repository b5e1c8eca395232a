/*
 * tests/test_window.c - indirect register windows at the machine-file level
 * (`indirect SELREG DATAREG` / `indirect-reg N VALUE [WMASK [W1C]]`,
 * docs/formats.md; vpci/window.c): SHPC's DWORD Select (cap+2) and DWORD
 * Data (cap+4), PCI Standard Hot-Plug Controller 1.0 5.2.2. The data
 * register at every select, sub-dword reads and writes of data and select,
 * read-write and write-1-to-clear bits, registers not given, the machine
 * written back, and every malformed line with the file and line it names.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_util.h"

#define BR VT_SBDF(0, 0, VT_DEVFN(4, 0)) /* the bridge with the SHPC capability */

struct vt {
	struct tu_ev te;
	struct map_record rec;
	struct vpci_machine *m;
};

static char mtext[1 << 15];

/*
 * A PCI-to-PCI bridge whose capability list is one SHPC capability at 0x40,
 * select at reset `sel`; the data bytes in the hex rows (0xaa) are not what
 * the window shows. Then `extra`, the window's lines.
 */
static void bridge_text(uint8_t sel, const char *extra)
{
	struct vpci_dev_desc d;

	tu_bridge(&d, "00:04.0", 0, 1, 1);
	tu_put(&d, 0x06, 2, 0x0010); /* capability list */
	d.cfg[0x34] = 0x40;
	d.cfg[0x40] = 0x0c;          /* SHPC, last in the list */
	d.cfg[0x42] = sel;
	tu_put(&d, 0x44, 4, 0xaaaaaaaa);
	mtext[0] = '\0';
	tu_desc_text(&d, mtext, sizeof(mtext));
	strncat(mtext, extra, sizeof(mtext) - strlen(mtext) - 1);
}

/* The registers most tests use: values, read-write and RW1C bits. */
static const char regs[] =
	"indirect 0x42 0x44\n"
	"indirect-reg 0 0x00000000\n"
	"indirect-reg 1 0x1f\n"                                 /* read-only */
	"indirect-reg 3 0xe001011f 0x0000ffff 0x00ff0000\n"     /* RW low half, RW1C byte 2 */
	"indirect-reg 0x0b 0x7f000d0f 0x000000ff 0x0f000000\n"  /* RW byte 0, RW1C bits 27:24 */
	"indirect-reg 0xff 0x12345678 0xffffffff\n";            /* all RW */

static int load(struct vt *t, const char *text, struct vt_err *err)
{
	int rc;

	memset(t, 0, sizeof(*t));
	tu_ev_init(&t->te);
	t->rec.keep = true;
	t->m = vpci_machine_create(&t->te.ev, &map_ops_record, &t->rec);
	CU_ASSERT_FATAL(t->m != NULL);
	rc = tu_machine_text(t->m, "m.txt", text, err);
	if (!rc)
		rc = vpci_machine_finish(t->m, err);
	return rc;
}

static void load_ok(struct vt *t, const char *text)
{
	struct vt_err err = { "" };
	int rc = load(t, text, &err);

	TU_CHECK(rc == 0, "load: %s", err.msg);
	CU_ASSERT_FATAL(rc == 0);
}

static void vt_free(struct vt *t)
{
	vpci_machine_destroy(t->m);
	map_record_reset(&t->rec);
	tu_ev_free(&t->te);
}

static uint32_t rd(struct vt *t, unsigned reg, unsigned size)
{
	return vpci_cfg_read(t->m, BR, reg, size);
}

static void wr(struct vt *t, unsigned reg, unsigned size, uint32_t val)
{
	vpci_cfg_write(t->m, BR, reg, size, val);
}

static uint32_t reg_at(struct vt *t, uint8_t n)
{
	wr(t, 0x42, 1, n);
	return rd(t, 0x44, 4);
}

/* Every select: the register given, or all ones; select and header unchanged. */
static void test_every_select(void)
{
	struct vt t;

	bridge_text(0, regs);
	load_ok(&t, mtext);
	TU_EQ(rd(&t, 0x44, 4), 0); /* at load: register 0, not the hex rows' bytes */
	for (unsigned n = 0; n < 256; n++) {
		uint32_t want = n == 0 ? 0 : n == 1 ? 0x1f : n == 3 ? 0xe001011f :
				n == 0x0b ? 0x7f000d0f : n == 0xff ? 0x12345678 : 0xffffffff;

		TU_CHECK(reg_at(&t, (uint8_t)n) == want, "register 0x%x: 0x%x, want 0x%x", n,
			 rd(&t, 0x44, 4), want);
		TU_EQ(rd(&t, 0x42, 1), n);
		TU_EQ(rd(&t, 0x40, 4), n << 16 | 0x0c);
	}
	TU_EQ(rd(&t, 0x18, 4), 0x00010100); /* bus numbers untouched */
	vt_free(&t);
	/* A select other than 0 at reset shows its register from the start. */
	bridge_text(0x0b, regs);
	load_ok(&t, mtext);
	TU_EQ(rd(&t, 0x44, 4), 0x7f000d0f);
	vt_free(&t);
	bridge_text(5, regs);
	load_ok(&t, mtext);
	TU_EQ(rd(&t, 0x44, 4), 0xffffffff);
	vt_free(&t);
}

/* 1- and 2-byte reads of the data register; 1-, 2- and 4-byte select writes. */
static void test_sub_dword(void)
{
	struct vt t;

	bridge_text(0, regs);
	load_ok(&t, mtext);
	wr(&t, 0x42, 1, 3);
	TU_EQ(rd(&t, 0x44, 1), 0x1f);
	TU_EQ(rd(&t, 0x45, 1), 0x01);
	TU_EQ(rd(&t, 0x46, 1), 0x01);
	TU_EQ(rd(&t, 0x47, 1), 0xe0);
	TU_EQ(rd(&t, 0x44, 2), 0x011f);
	TU_EQ(rd(&t, 0x46, 2), 0xe001);
	/* A word write at 0x42 selects by its low byte; 0x43 stays read-only. */
	wr(&t, 0x42, 2, 0xff0b);
	TU_EQ(rd(&t, 0x42, 2), 0x000b);
	TU_EQ(rd(&t, 0x44, 4), 0x7f000d0f);
	/* A dword write at 0x40: capability ID and next pointer read-only. */
	wr(&t, 0x40, 4, 0xff01ffff);
	TU_EQ(rd(&t, 0x40, 4), 0x0001000c);
	TU_EQ(rd(&t, 0x44, 4), 0x1f);
	/* Select 0xff through a word write at 0x42, read back at 0x40. */
	wr(&t, 0x42, 2, 0x00ff);
	TU_EQ(rd(&t, 0x40, 4), 0x00ff000c);
	TU_EQ(rd(&t, 0x46, 2), 0x1234);
	vt_free(&t);
}

/* Writes to the data register: RW bits take, read-only bits do not, RW1C clear. */
static void test_data_writes(void)
{
	struct vt t;

	bridge_text(0, regs);
	load_ok(&t, mtext);
	wr(&t, 0x42, 1, 3);
	wr(&t, 0x44, 4, 0xffffffff);    /* low half RW; byte 2's set bit cleared */
	TU_EQ(rd(&t, 0x44, 4), 0xe000ffff);
	wr(&t, 0x44, 4, 0x00ff0000);    /* RW1C of bits already clear; RW half to 0 */
	TU_EQ(rd(&t, 0x44, 4), 0xe0000000);
	wr(&t, 0x45, 1, 0xab);          /* a byte write touches only that byte */
	TU_EQ(rd(&t, 0x44, 4), 0xe000ab00);
	/* Write-1-to-clear, byte by byte: writing 0 leaves the bits set. */
	wr(&t, 0x42, 1, 0x0b);
	wr(&t, 0x47, 1, 0x00);
	TU_EQ(reg_at(&t, 0x0b), 0x7f000d0f);
	wr(&t, 0x47, 1, 0x05);          /* clears bits 24 and 26 */
	TU_EQ(rd(&t, 0x44, 4), 0x7a000d0f);
	wr(&t, 0x44, 1, 0x00);          /* RW byte 0; byte 3's RW1C bits not written */
	TU_EQ(rd(&t, 0x44, 4), 0x7a000d00);
	wr(&t, 0x46, 2, 0xffff);        /* byte 2 read-only, byte 3: every RW1C bit */
	TU_EQ(rd(&t, 0x44, 4), 0x70000d00);
	/* Registers keep their values while another is selected. */
	wr(&t, 0x42, 1, 0xff);
	wr(&t, 0x44, 4, 0xcafef00d);
	TU_EQ(reg_at(&t, 1), 0x1f);
	wr(&t, 0x44, 4, 0);             /* register 1 is read-only */
	TU_EQ(rd(&t, 0x44, 4), 0x1f);
	TU_EQ(reg_at(&t, 0xff), 0xcafef00d);
	TU_EQ(reg_at(&t, 3), 0xe000ab00);
	TU_EQ(reg_at(&t, 0x0b), 0x70000d00);
	/* A register not given: writes dropped, all ones, others unchanged. */
	wr(&t, 0x42, 1, 5);
	wr(&t, 0x44, 4, 0);
	wr(&t, 0x46, 1, 0);
	TU_EQ(rd(&t, 0x44, 4), 0xffffffff);
	TU_EQ(reg_at(&t, 0), 0);
	/* A data write leaves the select alone. */
	TU_EQ(rd(&t, 0x42, 1), 0);
	vt_free(&t);
}

/* `indirect` alone: the select is the guest's, every register reads all ones. */
static void test_no_registers(void)
{
	struct vt t;

	bridge_text(0, "indirect 0x42 0x44\n");
	load_ok(&t, mtext);
	TU_EQ(rd(&t, 0x44, 4), 0xffffffff);
	wr(&t, 0x42, 1, 0x27);
	TU_EQ(rd(&t, 0x40, 4), 0x0027000c);
	wr(&t, 0x44, 4, 0);
	TU_EQ(rd(&t, 0x44, 4), 0xffffffff);
	vt_free(&t);
	/* Without `indirect`, the same bytes are plain config bytes. */
	bridge_text(0, "");
	load_ok(&t, mtext);
	TU_EQ(rd(&t, 0x44, 4), 0xaaaaaaaa);
	wr(&t, 0x42, 1, 0x27);
	TU_EQ(rd(&t, 0x42, 1), 0);
	vt_free(&t);
}

/* The machine written back (vpci_machine_write) holds the registers' current state. */
static void test_write_back(void)
{
	struct vt t, u;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	bridge_text(0, regs);
	load_ok(&t, mtext);
	wr(&t, 0x42, 1, 3);
	wr(&t, 0x44, 2, 0x1234);
	f = open_memstream(&buf, &len);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT(vpci_machine_write(t.m, f) == 0);
	fclose(f);
	TU_CHECK(strstr(buf, "\nindirect 0x42 0x44\n") != NULL, "%s", buf);
	TU_CHECK(strstr(buf, "\nindirect-reg 0x3 0xe0011234 0xffff 0xff0000\n") != NULL, "%s", buf);
	TU_CHECK(strstr(buf, "\nindirect-reg 0x5 ") == NULL, "%s", buf);
	load_ok(&u, buf);
	TU_EQ(vpci_cfg_read(u.m, BR, 0x44, 4), 0xe0011234); /* select 3 came along */
	wr(&u, 0x42, 1, 0x0b);
	TU_EQ(rd(&u, 0x44, 4), 0x7f000d0f);
	vpci_cfg_write(u.m, BR, 0x47, 1, 0x0f); /* masks came along too */
	TU_EQ(rd(&u, 0x44, 4), 0x70000d0f);
	vt_free(&u);
	vt_free(&t);
	free(buf);
}

/* Malformed lines: the file and the line. */
static void test_errors(void)
{
#define BAD_SEL "expected 'indirect SELREG DATAREG' (0x40-0xff, DATAREG aligned, SELREG outside it)"
	static const struct { const char *extra, *msg; } c[] = {
		/* the device takes lines 1-17: its header and 16 rows */
		{ "indirect 0x42\n", "m.txt:18: " BAD_SEL },
		{ "indirect 0x42 0x44 0x48\n", "m.txt:18: " BAD_SEL },
		{ "indirect 0x42 0x45\n", "m.txt:18: " BAD_SEL },
		{ "indirect 0x42 0x100\n", "m.txt:18: " BAD_SEL },
		{ "indirect 0x100 0x44\n", "m.txt:18: " BAD_SEL },
		{ "indirect 0x44 0x44\n", "m.txt:18: " BAD_SEL },
		{ "indirect 0x47 0x44\n", "m.txt:18: " BAD_SEL },
		{ "indirect 0x02 0x44\n", "m.txt:18: " BAD_SEL },
		{ "indirect 0x42 0x10\n", "m.txt:18: " BAD_SEL },
		{ "indirect 0x42 0\n", "m.txt:18: " BAD_SEL },
		{ "indirect sel 0x44\n", "m.txt:18: bad number 'sel'" },
		{ "indirect 0x42 0x44\nindirect 0x52 0x54\n", "m.txt:19: 'indirect' given twice" },
		{ "indirect-reg 0 0\n", "m.txt:18: 'indirect-reg' before 'indirect'" },
		{ "indirect 0x42 0x44\nindirect-reg 0\n",
		  "m.txt:19: expected 'indirect-reg INDEX VALUE [WMASK [W1C]]'" },
		{ "indirect 0x42 0x44\nindirect-reg 0 1 2 3 4\n",
		  "m.txt:19: expected 'indirect-reg INDEX VALUE [WMASK [W1C]]'" },
		{ "indirect 0x42 0x44\nindirect-reg 0x100 0\n",
		  "m.txt:19: expected 'indirect-reg INDEX VALUE [WMASK [W1C]]'" },
		{ "indirect 0x42 0x44\nindirect-reg 1 0x100000000\n",
		  "m.txt:19: expected 'indirect-reg INDEX VALUE [WMASK [W1C]]'" },
		{ "indirect 0x42 0x44\nindirect-reg 1 0 0 0x100000000\n",
		  "m.txt:19: expected 'indirect-reg INDEX VALUE [WMASK [W1C]]'" },
		{ "indirect 0x42 0x44\nindirect-reg 1 zero\n", "m.txt:19: bad number 'zero'" },
		{ "indirect 0x42 0x44\nindirect-reg 1 0\nindirect-reg 0x01 2\n",
		  "m.txt:20: indirect register 0x1 given twice" },
	};
	static const struct { const char *text, *msg; } outside[] = {
		{ "ram 0x0-0xfff\nindirect 0x42 0x44\n", "m.txt:2: 'indirect' outside a device" },
		{ "indirect-reg 0 0\n", "m.txt:1: 'indirect-reg' outside a device" },
	};

	for (size_t i = 0; i < VT_ARRAY_SIZE(c); i++) {
		struct vt t;
		struct vt_err err = { "" };
		int rc;

		bridge_text(0, c[i].extra);
		rc = load(&t, mtext, &err);
		TU_CHECK(rc < 0, "case %zu accepted: '%s'", i, c[i].extra);
		TU_CHECK(!strcmp(err.msg, c[i].msg), "case %zu: message '%s', want '%s'", i, err.msg,
			 c[i].msg);
		vt_free(&t);
	}
	for (size_t i = 0; i < VT_ARRAY_SIZE(outside); i++) {
		struct vt t;
		struct vt_err err = { "" };

		TU_CHECK(load(&t, outside[i].text, &err) < 0, "outside %zu accepted", i);
		TU_CHECK(!strcmp(err.msg, outside[i].msg), "outside %zu: message '%s', want '%s'", i,
			 err.msg, outside[i].msg);
		vt_free(&t);
	}
}

static CU_TestInfo window_tests[] = {
	{ "the data register at every select", test_every_select },
	{ "sub-dword reads of data, writes of select", test_sub_dword },
	{ "data writes: RW, read-only, RW1C, not given", test_data_writes },
	{ "a window with no registers given", test_no_registers },
	{ "written back and loaded again", test_write_back },
	{ "malformed lines name file and line", test_errors },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "indirect windows", NULL, NULL, NULL, NULL, window_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return tu_main(suites);
}
