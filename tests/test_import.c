/*
 * tests/test_import.c - `vpcitrap import-qemu` on hand-made QEMU logs: the
 * machine it reconstructs (paths behind bridges, BAR sizes, inferred masks,
 * ECAM, extra root buses), the accesses and expects it writes, and one case
 * per error path, each with the FILE:LINE it must name. The real boot traces
 * are tests/qemu_traces.sh's.
 *
 * It runs the built binary, as a user would: exit status, stderr and the
 * trace are what is checked.
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core_util.h"

#define VPCITRAP TOP_BUILDDIR "/tools/vpcitrap"

static char dir[] = "/tmp/test_import.XXXXXX";
static char log_path[256], out_path[256], err_path[256];
static FILE *lf;
static char *out_text, *err_text;

/* --- writing logs, one access at a time, as QEMU 7.2 traces them --------- */

static void L(const char *fmt, ...)
{
	va_list ap;

	fprintf(lf, "26003@1795303952.000001:");
	va_start(ap, fmt);
	vfprintf(lf, fmt, ap);
	va_end(ap);
	fputc('\n', lf);
}

static void ops(bool write, unsigned addr, unsigned val, unsigned size, const char *name)
{
	L("memory_region_ops_%s cpu 0 mr 0x5600 addr 0x%x value 0x%x size %u name '%s'",
	  write ? "write" : "read", addr, val, size, name);
}

static void idx(unsigned bus, unsigned devfn, unsigned off)
{
	ops(true, 0xcf8, 0x80000000u | bus << 16 | devfn << 8 | (off & 0xfc), 4, "pci-conf-idx");
}

static void rd(const char *dev, unsigned bus, unsigned devfn, unsigned off, unsigned size,
	       unsigned val)
{
	idx(bus, devfn, off);
	L("pci_cfg_read %s %02x:%02x.%x @0x%x -> 0x%x", dev, bus, devfn >> 3, devfn & 7, off, val);
	ops(false, 0xcfc + (off & 3), val, size, "pci-conf-data");
}

static void wr(const char *dev, unsigned bus, unsigned devfn, unsigned off, unsigned size,
	       unsigned val)
{
	idx(bus, devfn, off);
	ops(true, 0xcfc + (off & 3), val, size, "pci-conf-data");
	L("pci_cfg_write %s %02x:%02x.%x @0x%x <- 0x%x", dev, bus, devfn >> 3, devfn & 7, off, val);
}

static void absent(unsigned bus, unsigned devfn, unsigned off, unsigned size)
{
	idx(bus, devfn, off);
	ops(false, 0xcfc + (off & 3), 0xffffffffu, size, "pci-conf-data");
}

static void map(bool add, const char *dev, unsigned bus, unsigned devfn, int bar, unsigned addr,
		unsigned size)
{
	L("pci_update_mappings_%s %s %02x:%02x.%x %d,0x%x+0x%x", add ? "add" : "del", dev, bus,
	  devfn >> 3, devfn & 7, bar, addr, size);
}

static void new_log(void)
{
	lf = fopen(log_path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(lf);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return strdup("");
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

/* Run a shell command line; keep the trace and stderr for the checks. */
static int run_cmd(const char *cmd)
{
	char line[1024];
	int st;

	snprintf(line, sizeof(line), "%s 2>%s", cmd, err_path);
	st = system(line);
	free(out_text);
	free(err_text);
	out_text = slurp(out_path);
	err_text = slurp(err_path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Close the log and import it. */
static int import(void)
{
	char cmd[768];

	fclose(lf);
	lf = NULL;
	unlink(out_path);
	snprintf(cmd, sizeof(cmd), "%s import-qemu %s -o %s", VPCITRAP, log_path, out_path);
	return run_cmd(cmd);
}

static bool has(const char *needle)
{
	if (strstr(out_text, needle))
		return true;
	fprintf(stderr, "\n  trace lacks \"%s\"\n", needle);
	return false;
}

/* An import that must fail with FILE:LINE: and a message. */
static void fails_at(unsigned line, const char *msg)
{
	char want[512];

	CU_ASSERT_EQUAL(import(), 2);
	if (line)
		snprintf(want, sizeof(want), "%s:%u: %s", log_path, line, msg);
	else
		snprintf(want, sizeof(want), "%s: %s", log_path, msg);
	if (strncmp(err_text, want, strlen(want)))
		fprintf(stderr, "\n  stderr \"%s\", want \"%s\"\n", err_text, want);
	CU_ASSERT(!strncmp(err_text, want, strlen(want)));
	CU_ASSERT_EQUAL(access(out_path, F_OK), -1); /* no half-written trace left */
}

/* --- a small machine: host bridge, bridge, a device behind it ------------- */

#define BR 0x08   /* 00:01.0 */
#define DEV 0x00  /* 01:00.0 behind it */

static void small_machine(void)
{
	new_log();
	L("fw_cfg_select 0x5601 key 0x0000 'signature', ret: 1");
	rd("i440FX", 0, 0, 0x00, 4, 0x12378086);
	absent(0, 0x10, 0x00, 2);                /* 00:02.0: nothing there */
	rd("pci-bridge", 0, BR, 0x0a, 2, 0x0604); /* a bridge by its class */
	wr("pci-bridge", 0, BR, 0x19, 1, 0x01);  /* secondary 1 */
	wr("pci-bridge", 0, BR, 0x1a, 1, 0x01);  /* subordinate 1 */
	rd("e1000", 1, DEV, 0x00, 4, 0x100e8086);
	rd("e1000", 1, DEV, 0x0e, 1, 0x00);
	rd("e1000", 1, DEV, 0x10, 4, 0x00000000); /* BAR0 at reset */
	wr("e1000", 1, DEV, 0x10, 4, 0xffffffff); /* sizing */
	rd("e1000", 1, DEV, 0x10, 4, 0xfffe0000);
	wr("e1000", 1, DEV, 0x10, 4, 0xfebc0000);
	rd("e1000", 1, DEV, 0x50, 1, 0x00);      /* a capability register... */
	wr("e1000", 1, DEV, 0x50, 1, 0x03);
	rd("e1000", 1, DEV, 0x50, 1, 0x01);      /* ...of which only bit 0 is writable */
	L("fw_cfg_select 0x5601 key 0x0015 'cmdline_data', ret: 1");
	wr("e1000", 1, DEV, 0x04, 2, 0x0002);    /* memory decode on */
	map(true, "e1000", 1, DEV, 0, 0xfebc0000, 0x20000);
}

static void test_machine(void)
{
	small_machine();
	CU_ASSERT_EQUAL_FATAL(import(), 0);
	CU_ASSERT(has("\ndevice 00:00.0\n00: 86 80 37 12 "));
	CU_ASSERT(has("\ndevice 00:01.0\n00: 00 00 00 00 00 00 00 00 00 00 04 06 00 00 01 00\n"));
	CU_ASSERT(has("\ndevice 00:01.0/00.0\n"));
	CU_ASSERT(has("\nbar 0 size 0x20000\n"));
	CU_ASSERT(has("\nmask 0x50 1 0x01 0x00\n"));
	CU_ASSERT(has("\ncompare map unmap\n"));
	CU_ASSERT(!strstr(out_text, "\necam "));
}

static void test_accesses(void)
{
	small_machine();
	CU_ASSERT_EQUAL_FATAL(import(), 0);
	CU_ASSERT(has("\npio w 0xcf8 4 0x80001000\npio r 0xcfc 2 0xffff\n")); /* masked to size */
	CU_ASSERT(has("\npio w 0xcf8 4 0x80010010\npio w 0xcfc 4 0xffffffff\n"));
	CU_ASSERT(has("\n# phase linux (log line "));
	CU_ASSERT(has("\npio w 0xcfc 2 0x2\nexpect map 0000:01:00.0 bar0 mem 0xfebc0000-0xfebdffff\n"));
}

/* The trace replays: reads as QEMU answered, the mapping as QEMU made it. */
static void test_replays(void)
{
	char cmd[768];

	small_machine();
	CU_ASSERT_EQUAL_FATAL(import(), 0);
	snprintf(cmd, sizeof(cmd), "%s replay %s --final >%s.out", VPCITRAP, out_path, out_path);
	CU_ASSERT_EQUAL(run_cmd(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.out", out_path);
	free(out_text);
	out_text = slurp(cmd);
	CU_ASSERT(has("mapped 0000:01:00.0 bar0 mem 0xfebc0000-0xfebdffff\n"));
	CU_ASSERT(has("mismatches=0 "));
	CU_ASSERT(!strstr(out_text, "missing") && !strstr(out_text, "unexpected"));
}

/* Standard input and .xz give the same trace as the plain file. */
static void test_inputs(void)
{
	char cmd[1024], *plain;

	small_machine();
	CU_ASSERT_EQUAL_FATAL(import(), 0);
	plain = strdup(out_text);
	unlink(out_path);
	snprintf(cmd, sizeof(cmd), "%s import-qemu - -o %s <%s", VPCITRAP, out_path, log_path);
	CU_ASSERT_EQUAL(run_cmd(cmd), 0);
	CU_ASSERT_STRING_EQUAL(strchr(out_text, '\n'), strchr(plain, '\n'));
	if (system("xz --version >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof(cmd), "xz -kf %s && %s import-qemu %s.xz -o %s", log_path,
			 VPCITRAP, log_path, out_path);
		CU_ASSERT_EQUAL(run_cmd(cmd), 0);
		CU_ASSERT_STRING_EQUAL(strchr(out_text, '\n'), strchr(plain, '\n'));
	}
	free(plain);
}

/* ECAM: its base is worked out from the first access QEMU decoded. */
static void test_ecam(void)
{
	new_log();
	rd("mch", 0, 0, 0x00, 4, 0x29c08086);
	L("pci_cfg_read mch 00:00.0 @0x100 -> 0x0");
	ops(false, 0xe0000100, 0, 4, "pcie-mmcfg-mmio");
	ops(false, 0xe0008000, 0xffffffff, 2, "pcie-mmcfg-mmio"); /* 00:01.0: absent */
	CU_ASSERT_EQUAL_FATAL(import(), 0);
	CU_ASSERT(has("\necam 0xe0000000 0x00-0xff\n"));
	CU_ASSERT(has("\nmmio r 0xe0000100 4 0x0\nmmio r 0xe0008000 2 0xffff\n"));
	CU_ASSERT(has("\n100: 00 00 00 00 ")); /* extended space read: 4096 bytes */
}

/* A bus no bridge leads to is a root bus of its own (pxb-pcie). */
static void test_root_bus(void)
{
	new_log();
	rd("pxb-pcie", 0, 0x18, 0x00, 4, 0x000b1b36);
	rd("virtio-net-pci", 0x80, 0x00, 0x00, 4, 0x10001af4);
	map(false, "virtio-net-pci", 0x80, 0x00, 6, 0xfe000000, 0x40000);
	CU_ASSERT_EQUAL_FATAL(import(), 0);
	CU_ASSERT(has("\ndevice 80:00.0\n"));
	CU_ASSERT(has("\nexpect unmap 0000:80:00.0 rom mem 0xfe000000-0xfe03ffff\n"));
}

/* --- an SHPC window: DWORD Select at cap+2, DWORD Data at cap+4 ----------- */

#define PPB 0x20 /* 00:04.0, a pcie-pci-bridge */

static void shpc_log(void)
{
	new_log();
	rd("pcie-pci-bridge", 0, PPB, 0x00, 4, 0x000e1b36);
	rd("pcie-pci-bridge", 0, PPB, 0x06, 2, 0x0010);     /* capability list */
	rd("pcie-pci-bridge", 0, PPB, 0x0e, 1, 0x01);
	rd("pcie-pci-bridge", 0, PPB, 0x34, 1, 0x48);       /* PCIe at 0x48, then SHPC */
	rd("pcie-pci-bridge", 0, PPB, 0x48, 2, 0x4010);
	rd("pcie-pci-bridge", 0, PPB, 0x40, 4, 0x0000000c); /* select 0 at reset */
	rd("pcie-pci-bridge", 0, PPB, 0x44, 4, 0x00000011); /* register 0 */
	wr("pcie-pci-bridge", 0, PPB, 0x42, 1, 0x03);
	rd("pcie-pci-bridge", 0, PPB, 0x44, 4, 0xe001011f); /* register 3 at reset */
	wr("pcie-pci-bridge", 0, PPB, 0x44, 4, 0xffffffff);
	rd("pcie-pci-bridge", 0, PPB, 0x44, 4, 0xe000ffff); /* RW low half, RW1C bit 16 */
	wr("pcie-pci-bridge", 0, PPB, 0x44, 4, 0x00000000);
	rd("pcie-pci-bridge", 0, PPB, 0x44, 4, 0xe0000000);
	wr("pcie-pci-bridge", 0, PPB, 0x42, 1, 0x0b);
	wr("pcie-pci-bridge", 0, PPB, 0x44, 4, 0x000000aa); /* written before it is read */
	rd("pcie-pci-bridge", 0, PPB, 0x44, 4, 0x7f0000aa);
	wr("pcie-pci-bridge", 0, PPB, 0x42, 1, 0x05);
	wr("pcie-pci-bridge", 0, PPB, 0x44, 4, 0x00000000); /* never read: not revealed */
	wr("pcie-pci-bridge", 0, PPB, 0x42, 1, 0x07);
	rd("pcie-pci-bridge", 0, PPB, 0x46, 1, 0x34);       /* one byte of register 7 */
	wr("pcie-pci-bridge", 0, PPB, 0x42, 1, 0x03);
	rd("pcie-pci-bridge", 0, PPB, 0x40, 4, 0x0003000c); /* the select reads back */
	wr("pcie-pci-bridge", 0, PPB, 0x45, 1, 0x12);       /* a byte of the data register */
	rd("pcie-pci-bridge", 0, PPB, 0x44, 4, 0xe0001200);
	rd("pcie-pci-bridge", 0, PPB, 0x44, 2, 0x1200);
	wr("pcie-pci-bridge", 0, PPB, 0x42, 1, 0x00);
	rd("pcie-pci-bridge", 0, PPB, 0x44, 4, 0x00000011);
}

/*
 * The capability list leads to SHPC: `indirect` and one `indirect-reg` per
 * register the log read, with masks from write/read-back pairs; no mask
 * line for the select or data bytes; the trace replays without mismatch.
 */
static void test_window(void)
{
	char cmd[768];

	shpc_log();
	CU_ASSERT_EQUAL_FATAL(import(), 0);
	CU_ASSERT(has("\nindirect 0x42 0x44\n"));
	CU_ASSERT(has("\nindirect-reg 0x00 0x00000011 0x00000000 0x00000000\n"));
	CU_ASSERT(has("\nindirect-reg 0x03 0xe001011f 0x0000ffff 0x00010000\n"));
	CU_ASSERT(has("\nindirect-reg 0x07 0x00340000 0x00000000 0x00000000\n"));
	/* Written first: the read-only bits of the first read, writable ones 0. */
	CU_ASSERT(has("\nindirect-reg 0x0b 0x7f000000 0x80ffffff 0x00000000\n"));
	CU_ASSERT(!strstr(out_text, "indirect-reg 0x05"));
	CU_ASSERT(!strstr(out_text, "\nmask 0x4"));
	/* The data bytes at reset: register 0, which the select holds. */
	CU_ASSERT(has("\n40: 0c 00 00 00 11 00 00 00 10 40 "));
	snprintf(cmd, sizeof(cmd), "%s replay %s >%s.out", VPCITRAP, out_path, out_path);
	CU_ASSERT_EQUAL(run_cmd(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.out", out_path);
	free(out_text);
	out_text = slurp(cmd);
	CU_ASSERT(has("mismatches=0 "));
	/* A function without the capability gets no window. */
	small_machine();
	CU_ASSERT_EQUAL_FATAL(import(), 0);
	CU_ASSERT(!strstr(out_text, "indirect"));
}

/* --- error paths: each names its line ------------------------------------ */

static void test_err_unknown(void)
{
	new_log();
	rd("VGA", 0, 0x08, 0x00, 2, 0x1234);
	L("virtio_notify vdev 0x1 vq 0x2");
	fails_at(4, "not a pci_cfg_*");
	new_log();
	fprintf(lf, "hello world\n");
	fails_at(1, "not a pci_cfg_*");
	new_log();
	fprintf(lf, "26003@17953.0x1:pci_cfg_read VGA 00:01.0 @0x0 -> 0x0\n");
	fails_at(1, "malformed timestamp prefix");
}

static void test_err_truncated(void)
{
	new_log();
	rd("VGA", 0, 0x08, 0x00, 2, 0x1234);
	fprintf(lf, "26003@1795303952.000001:pci_cfg_read VGA 00:01.0 @0x2 ->");
	fails_at(4, "truncated line");
	new_log();
	idx(0, 0x08, 0);
	fprintf(lf, "26003@1795303952.000001:memory_region_ops_read cpu 0 mr 0x1 addr 0xcfc value");
	fails_at(2, "truncated line");
	new_log();
	idx(0, 0x08, 0);
	L("pci_cfg_read VGA 00:01.0 @0x0 -> 0x1234"); /* and the log ends */
	fails_at(2, "pci_cfg_read is not followed by its data read");
}

static void test_err_no_device(void)
{
	new_log();
	map(true, "VGA", 0, 0x08, 0, 0xfc000000, 0x1000000);
	fails_at(1, "mapping event before any config access");
	new_log();
	rd("VGA", 0, 0x08, 0x00, 2, 0x1234);
	map(true, "e1000", 0, 0x18, 0, 0xfebc0000, 0x20000);
	fails_at(4, "e1000 00:03.0: no config access reached it before");
	new_log();
	L("pci_cfg_read VGA 00:01.0 @0x0 -> 0x1234");
	ops(false, 0xcfc, 0x1234, 2, "pci-conf-data");
	fails_at(2, "config access before any 0xcf8 index write");
	new_log();
	idx(0, 0x08, 0x04);
	L("pci_cfg_write VGA 00:01.0 @0x4 <- 0x3");
	fails_at(2, "pci_cfg_write without a config data write before it");
	new_log();
	fails_at(0, ""); /* empty: no function at all */
	CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "not a log of QEMU's PCI trace events"));
}

static void test_err_numbers(void)
{
	static const char *const bad[] = {
		"pci_cfg_read VGA 00:01.0 @0xzz -> 0x0",
		"pci_cfg_read VGA 0g:01.0 @0x0 -> 0x0",
		"pci_cfg_write VGA 00:01.0 @0x0 <- 0x1ffffffff",
		"pci_update_mappings_add VGA 00:01.0 7,0xfc000000+0x1000",
		"pci_update_mappings_add VGA 00:01.0 0,0xfc000000+0x0",
		"memory_region_ops_read cpu 0 mr 0x1 addr 0xcfc value 0x12q size 2 name 'pci-conf-data'",
		"memory_region_ops_read cpu 0 mr 0x1 addr 0xcfc value 0x1 size 3 name 'pci-conf-data'",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		new_log();
		L("%s", bad[i]);
		fails_at(1, "bad number");
	}
}

/* QEMU's line and the access it belongs to must agree. */
static void test_err_mismatch(void)
{
	new_log();
	idx(0, 0x08, 0x00);
	L("pci_cfg_read VGA 00:02.0 @0x0 -> 0x1234");
	ops(false, 0xcfc, 0x1234, 2, "pci-conf-data");
	fails_at(3, "QEMU's VGA 00:02.0 @0x0 does not match the access (00:01.0 @0x0)");
	new_log();
	rd("VGA", 0, 0x08, 0x00, 2, 0x1234);
	rd("e1000", 0, 0x08, 0x00, 2, 0x8086);
	fails_at(5, "slot at 00:01.0 was VGA (line 2), now e1000");
	new_log();
	L("pci_cfg_read mch 00:00.0 @0xffe -> 0x0");
	ops(false, 0xe0000ffe, 0, 4, "pcie-mmcfg-mmio");
	fails_at(2, "a 4-byte access at 0xffe crosses the end of config space");
}

static void test_usage(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "%s import-qemu %s", VPCITRAP, log_path);
	CU_ASSERT_EQUAL(run_cmd(cmd), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "usage: vpcitrap import-qemu LOG -o TRACE"));
	snprintf(cmd, sizeof(cmd), "%s import-qemu %s/nonexistent -o %s", VPCITRAP, dir, out_path);
	CU_ASSERT_EQUAL(run_cmd(cmd), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "nonexistent: No such file"));
}

static CU_TestInfo machine_tests[] = {
	{ "machine: paths, reset bytes, BAR size, inferred mask", test_machine },
	{ "accesses: masked reads, phases, expects after their access", test_accesses },
	{ "the imported trace replays clean", test_replays },
	{ "stdin and .xz inputs", test_inputs },
	{ "ECAM base from the log", test_ecam },
	{ "a second root bus", test_root_bus },
	{ "SHPC window: indirect registers, their masks, replay", test_window },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo error_tests[] = {
	{ "unknown line", test_err_unknown },
	{ "truncated line or log", test_err_truncated },
	{ "access before any device", test_err_no_device },
	{ "bad numbers", test_err_numbers },
	{ "QEMU's line does not match the access", test_err_mismatch },
	{ "usage and missing file", test_usage },
	CU_TEST_INFO_NULL,
};

static int setup(void)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(log_path, sizeof(log_path), "%s/qemu.log", dir);
	snprintf(out_path, sizeof(out_path), "%s/out.trace", dir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", dir);
	return 0;
}

static CU_SuiteInfo suites[] = {
	{ "import-qemu", NULL, NULL, NULL, NULL, machine_tests },
	{ "import-qemu errors", NULL, NULL, NULL, NULL, error_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	int rc;
	char cmd[300];

	if (setup())
		return 99;
	rc = tu_main(suites);
	free(out_text);
	free(err_text);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (getenv("TEST_IMPORT_KEEP")) /* to look at the last case's files */
		fprintf(stderr, "kept %s\n", dir);
	else if (system(cmd))
		return 99;
	return rc;
}
