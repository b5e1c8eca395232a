/*
 * tests/test_lspci_cases.c - lspci -v/-vvv text without hex, and hand-made
 * dumps for every defect the loader tolerates and every error it reports.
 *
 * Defects (a warning, the rest loads): a hex row with garbage after its
 * bytes, hex digits that make no row, a line libpci finds too long, a last
 * line without newline. Errors (file and line named): a byte beyond 4096, a
 * header no function can have, a function listed twice, two bridges with one
 * secondary bus, bus numbers forming a loop, contradicting sizes, a function
 * without hex, a path too deep, no functions at all.
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../vpci/vpci.h"

#define DATA TOP_SRCDIR "/tests/data"

extern CU_TestInfo vvv_tests[], bad_tests[];

static char tmp_path[64];

static const char *write_tmp(const char *text, size_t len)
{
	int fd;

	if (tmp_path[0])
		unlink(tmp_path);
	strcpy(tmp_path, "/tmp/lspci-case-XXXXXX");
	fd = mkstemp(tmp_path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, text, len) == (ssize_t)len);
	close(fd);
	return tmp_path;
}

static int parse_text(const char *text, struct vpci_dump *d, struct vt_err *err)
{
	memset(err, 0, sizeof(*err));
	return vpci_dump_parse(write_tmp(text, strlen(text)), d, err);
}

/* The error names the temporary file and this line. */
static bool names_line(const struct vt_err *err, unsigned long line)
{
	char want[96];

	snprintf(want, sizeof(want), "%s:%lu: ", tmp_path, line);
	if (!strncmp(err->msg, want, strlen(want)))
		return true;
	fprintf(stderr, "\n  wanted %s..., got: %s\n", want, err->msg);
	return false;
}

/* A machine from dump text; returns the error of the first step that fails. */
static int machine_text(const char *text, struct vt_err *err, struct vpci_machine **out)
{
	static struct vt_events ev;
	static struct map_record rec;
	struct vpci_dump d;
	struct vpci_machine *m;
	int r = parse_text(text, &d, err);

	if (r)
		return r;
	vt_events_init(&ev);
	m = vpci_machine_create(&ev, &map_ops_record, &rec);
	CU_ASSERT_FATAL(m != NULL);
	r = vpci_dump_to_machine(&d, m, tmp_path, err);
	if (!r)
		r = vpci_machine_finish(m, err);
	vpci_dump_free(&d);
	if (r || !out)
		vpci_machine_destroy(m);
	else
		*out = m;
	return r;
}

static unsigned count_sizes(const struct vpci_dump *d)
{
	unsigned n = 0;

	for (size_t i = 0; i < d->n; i++)
		for (unsigned b = 0; b < VPCI_NBARS; b++)
			n += d->fn[i].bar_size[b] != 0;
	return n;
}

/* lspci-vvv/: text only. Sizes parse; no machine can be made of it. */
static void test_vvv_direct(void)
{
	char line[2048];
	unsigned want = 0;
	FILE *f = fopen(DATA "/README-data.md", "r");
	struct vpci_dump d;
	struct vt_err err;

	/* README-data.md §3 counts the sized Region/ROM lines of the L490 file. */
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "| lenovo-thinkpad-l490.txt", 26) && strstr(line, "sized Region/ROM"))
			sscanf(strstr(line, "as root, ") + 9, "%u", &want);
	if (f)
		fclose(f);
	CU_ASSERT(want > 0);
	CU_ASSERT_FATAL(vpci_dump_parse(DATA "/lspci-vvv/lenovo-thinkpad-l490.txt", &d, &err) == 0);
	CU_ASSERT(count_sizes(&d) == want);
	CU_ASSERT(d.n > 0 && d.nwarn == 0);
	for (size_t i = 0; i < d.n; i++)
		CU_ASSERT(d.fn[i].cfg_len == 0 && d.fn[i].have_sizes);
	vpci_dump_free(&d);

	/* lspci -v: no "Region N:", so without hex only the ROM can be placed. */
	CU_ASSERT_FATAL(vpci_dump_parse(DATA "/lspci-vvv/hp-omen-15-ce000.txt", &d, &err) == 0);
	CU_ASSERT(count_sizes(&d) == 1 && d.nwarn > 0);
	CU_ASSERT(vpci_dump_detect(DATA "/lspci-vvv/hp-omen-15-ce000.txt"));
	vpci_dump_free(&d);
}

/*
 * lspci -v lines placed by address: hex for two HP Omen functions written
 * from the BAR addresses its -v text shows (00:17.0 six 32-bit/I/O BARs;
 * 01:00.0 32-bit, two 64-bit, I/O), then the real file given as --sizes.
 */
static void test_vvv_unindexed(void)
{
	static const char hex[] =
		"00:17.0 SATA controller\n"
		"00: 86 80 03 a1 07 04 b0 02 31 01 06 01 00 00 00 00\n"
		"10: 00 00 53 dc 00 40 53 dc 51 f0 00 00 41 f0 00 00\n"
		"20: 21 f0 00 00 00 30 53 dc 00 00 00 00 3c 10 90 83\n"
		"\n"
		"01:00.0 VGA compatible controller\n"
		"00: de 10 20 1c 07 04 10 00 a1 00 00 03 00 00 80 00\n"
		"10: 00 00 00 db 0c 00 00 b0 00 00 00 00 0c 00 00 c0\n"
		"20: 00 00 00 00 01 e0 00 00 00 00 00 00 3c 10 90 83\n"
		"\n"
		"05:00.0 not in the sizes file\n"
		"00: 86 80 03 a1 07 04 b0 02 31 01 06 01 00 00 00 00\n";
	static const uint64_t sata[7] = { 8192, 256, 8, 4, 32, 2048, 0 };
	static const uint64_t gpu[7] = { 16 << 20, 256 << 20, 0, 32 << 20, 0, 128, 512 << 10 };
	struct vpci_dump d;
	struct vt_err err;

	CU_ASSERT_FATAL(parse_text(hex, &d, &err) == 0 && d.n == 3);
	CU_ASSERT_FATAL(vpci_dump_sizes(DATA "/lspci-vvv/hp-omen-15-ce000.txt", &d, &err) == 0);
	CU_ASSERT(!memcmp(d.fn[0].bar_size, sata, sizeof(sata)));
	CU_ASSERT(!memcmp(d.fn[1].bar_size, gpu, sizeof(gpu)));
	CU_ASSERT(count_sizes(&d) == 11 && !d.fn[2].have_sizes);
	vpci_dump_free(&d);
}

/* -v lines that match no register, or two, are not guessed at. */
static void test_vvv_ambiguous(void)
{
	struct vpci_dump d;
	struct vt_err err;

	CU_ASSERT_FATAL(parse_text("00:01.0 x\n"
				   "\tMemory at f0000000 (32-bit, non-prefetchable) [size=4K]\n"
				   "\tMemory at f1000000 (32-bit, non-prefetchable) [size=8K]\n"
				   "\tI/O ports at f000 [size=32]\n"
				   "00: 86 80 00 00 07 00 00 00 00 00 00 01 00 00 00 00\n"
				   "10: 00 00 00 f0 00 00 00 f0 01 f0 00 00\n",
				   &d, &err) == 0);
	CU_ASSERT(d.fn[0].bar_size[2] == 32 && count_sizes(&d) == 1 && d.nwarn == 2);
	vpci_dump_free(&d);
}

static void test_bad_hex_rows(void)
{
	struct vpci_dump d;
	struct vt_err err;

	/* Bytes before the garbage stay; the rest reads as all ones. */
	CU_ASSERT_FATAL(parse_text("00:00.0 x\n00: 86 80 zz 01\n10: foo\n20: 11  \n3: 22\n"
				   "\n40: 33\n",
				   &d, &err) == 0);
	CU_ASSERT(d.n == 1 && d.fn[0].cfg[0] == 0x86 && d.fn[0].cfg[1] == 0x80);
	CU_ASSERT(d.fn[0].cfg[2] == 0xff && d.fn[0].cfg[0x10] == 0xff && d.fn[0].cfg[0x20] == 0x11);
	/* 0x40 came after the blank line that closed the function. */
	CU_ASSERT(d.fn[0].cfg_len == 0x21 && d.fn[0].cfg[0x40] == 0xff);
	CU_ASSERT(d.nwarn == 4);
	vpci_dump_free(&d);

	/* Upper case, any offset, one trailing space: as libpci reads them. */
	CU_ASSERT_FATAL(parse_text("0000:00:00.0 x\n0ffe: AB Cd \n", &d, &err) == 0);
	CU_ASSERT(d.fn[0].cfg_len == 4096 && d.fn[0].cfg[0xffe] == 0xab && d.fn[0].cfg[0xfff] == 0xcd);
	CU_ASSERT(d.nwarn == 0);
	vpci_dump_free(&d);
}

static void test_bad_past_4096(void)
{
	struct vpci_dump d;
	struct vt_err err;

	CU_ASSERT(parse_text("00:00.0 x\nff0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n", &d,
			     &err) == -ERANGE);
	CU_ASSERT(names_line(&err, 2));
	CU_ASSERT(parse_text("00:00.0 x\n00: 00\n\n00:01.0 y\n1000: 00\n", &d, &err) == -ERANGE);
	CU_ASSERT(names_line(&err, 5));
}

static void test_bad_headers(void)
{
	static const char *bad[] = { "00:20.0 x\n", "00:1f.8 x\n", "10000:00:00.0 x\n" };
	struct vpci_dump d;
	struct vt_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT(parse_text(bad[i], &d, &err) == -EINVAL);
		CU_ASSERT(names_line(&err, 1));
	}
	CU_ASSERT(parse_text("00:00.0 x\n00: 00\n\n00:00.0 x\n00: 00\n", &d, &err) == -EINVAL);
	CU_ASSERT(names_line(&err, 4) && strstr(err.msg, "first at line 1"));
	/* Not headers at all: ignored, as libpci does. */
	CU_ASSERT_FATAL(parse_text("00:00.0\n00:00.a x\n 00:00.0 x\n", &d, &err) == 0);
	CU_ASSERT(d.n == 0);
	vpci_dump_free(&d);
}

/* 64-byte functions: a bridge (type 1) with the given secondary bus; a device. */
#define ROWS_23 "20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n" \
		"30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n\n"
#define BRIDGE(bdf, sec)                                                              \
	bdf " PCI bridge\n00: 86 80 01 01 07 00 10 00 00 00 04 06 00 00 01 00\n"      \
	    "10: 00 00 00 00 00 00 00 00 00 " sec " " sec " 00 00 00 00 00\n" ROWS_23
#define DEVICE(bdf)                                                                   \
	bdf " device\n00: 86 80 02 02 06 00 10 00 00 00 00 02 00 00 00 00\n"          \
	    "10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n" ROWS_23

static void test_bad_topology(void)
{
	struct vt_err err;

	CU_ASSERT(machine_text(BRIDGE("00:01.0", "01") BRIDGE("00:02.0", "01"), &err, NULL) == -EINVAL);
	CU_ASSERT(names_line(&err, 7) && strstr(err.msg, "secondary bus 01"));
	CU_ASSERT(machine_text(DEVICE("00:00.0") BRIDGE("01:00.0", "02") BRIDGE("02:00.0", "01"), &err,
			       NULL) == -ELOOP);
	CU_ASSERT(strncmp(err.msg, tmp_path, strlen(tmp_path)) == 0 && strstr(err.msg, "loop"));
	CU_ASSERT(machine_text(BRIDGE("00:01.0", "00") DEVICE("00:02.0"), &err, NULL) == 0);
	CU_ASSERT(machine_text("00:00.0 x\n\tRegion 0: Memory at f0000000 [size=4K]\n", &err, NULL) ==
		  -EINVAL);
	CU_ASSERT(names_line(&err, 1) && strstr(err.msg, "no hex"));
	CU_ASSERT(machine_text("# nothing\n", &err, NULL) == -EINVAL);
	CU_ASSERT(strstr(err.msg, tmp_path) && strstr(err.msg, "no lspci"));
}

/* Paths from bus numbers, whatever order the file lists functions in. */
static void test_paths(void)
{
	struct vt_err err;
	struct vpci_machine *m = NULL;
	struct vpci_dev *d;
	uint32_t sbdf = 0;
	char deep[4096] = "";

	CU_ASSERT_FATAL(machine_text(DEVICE("05:00.0") BRIDGE("00:1c.0", "05") DEVICE("0001:00:00.0")
				     DEVICE("0001:80:00.0"),
				     &err, &m) == 0);
	CU_ASSERT((d = vpci_dev_by_path(m, "00:1c.0/00.0")) && vpci_dev_sbdf(d, &sbdf) && sbdf == 0x500);
	CU_ASSERT(vpci_dev_by_path(m, "0001:00:00.0") && vpci_dev_by_path(m, "0001:80:00.0"));
	CU_ASSERT(vpci_machine_ndev(m) == 4);
	/* The file lists 05:00.0 first; the machine got its bridge first. */
	for (size_t i = 0, br = SIZE_MAX; i < vpci_machine_ndev(m); i++) {
		if (!strcmp(vpci_dev_path(vpci_machine_dev(m, i)), "00:1c.0"))
			br = i;
		if (!strcmp(vpci_dev_path(vpci_machine_dev(m, i)), "00:1c.0/00.0"))
			CU_ASSERT(br < i);
	}
	vpci_machine_destroy(m);

	/* Twelve bridges deep: "00:00.0" and 12 hops of "/00.0" exceed 63 bytes. */
	for (int i = 0; i < 12; i++) {
		char b[1024], bdf[8], sec[3];

		snprintf(bdf, sizeof(bdf), "%02x:00.0", i);
		snprintf(sec, sizeof(sec), "%02x", i + 1);
		snprintf(b, sizeof(b), BRIDGE("%s", "%s"), bdf, sec, sec);
		strcat(deep, b);
	}
	strcat(deep, DEVICE("0c:00.0"));
	CU_ASSERT(machine_text(deep, &err, NULL) == -ENAMETOOLONG);
	CU_ASSERT(names_line(&err, 73));
}

static void test_bad_sizes(void)
{
	struct vpci_dump d;
	struct vt_err err;

	CU_ASSERT(parse_text("00:00.0 x\n\tRegion 0: Memory at f0000000 [size=4K]\n"
			     "\tRegion 0: Memory at f0000000 [size=8K]\n",
			     &d, &err) == -EINVAL);
	CU_ASSERT(names_line(&err, 3));
	/* Not a BAR: size not a power of two, register 7, overflow. Skipped. */
	CU_ASSERT_FATAL(parse_text("00:00.0 x\n\tRegion 0: Memory at f0000000 [size=3K]\n"
				   "\tRegion 7: Memory at f0000000 [size=4K]\n"
				   "\tRegion 1: Memory at f0000000 [size=99999999999999999999]\n"
				   "\tRegion 2: Memory at f0000000 [size=16777216T]\n"
				   "\t\tRegion 3: deeper text [size=4K]\n"
				   "\tMemory behind bridge: f5000000-f60fffff [size=17M]\n",
				   &d, &err) == 0);
	CU_ASSERT(count_sizes(&d) == 0 && d.nwarn == 4);
	vpci_dump_free(&d);
	/* A size given on the upper register of a 64-bit BAR moves down. */
	CU_ASSERT_FATAL(parse_text("00:00.0 x\n\tRegion 1: Memory at f0000000 [size=4K]\n"
				   "\t[virtual] Expansion ROM at 000c0000 [disabled] [size=128K]\n"
				   "00: 86 80 00 00 07 00 00 00 00 00 00 01 00 00 00 00\n"
				   "10: 04 00 00 f0 00 00 00 00\n",
				   &d, &err) == 0);
	CU_ASSERT(d.fn[0].bar_size[0] == 4096 && d.fn[0].bar_size[1] == 0);
	CU_ASSERT(d.fn[0].bar_size[VT_BAR_ROM] == 128 << 10);
	vpci_dump_free(&d);
}

/* CRLF reads as LF; a missing last newline and a long line are noted only. */
static void test_line_ends(void)
{
	static const char lf[] = "00:00.0 x\n00: 86 80 54 01\n10: 00 00 00 f0\n";
	static const char crlf[] = "00:00.0 x\r\n00: 86 80 54 01\r\n10: 00 00 00 f0\r\n";
	char longhdr[600];
	struct vpci_dump a, b;
	struct vt_err err;

	CU_ASSERT_FATAL(parse_text(lf, &a, &err) == 0 && parse_text(crlf, &b, &err) == 0);
	CU_ASSERT(a.n == 1 && b.n == 1 && !memcmp(a.fn[0].cfg, b.fn[0].cfg, VPCI_CFG_SIZE));
	CU_ASSERT(a.fn[0].cfg_len == 0x14 && b.fn[0].cfg_len == 0x14 && a.nwarn == 0 && b.nwarn == 0);
	vpci_dump_free(&b);
	CU_ASSERT_FATAL(vpci_dump_parse(write_tmp(lf, sizeof(lf) - 2), &b, &err) == 0);
	CU_ASSERT(!memcmp(a.fn[0].cfg, b.fn[0].cfg, VPCI_CFG_SIZE) && b.nwarn == 1);
	vpci_dump_free(&b);
	CU_ASSERT_FATAL(vpci_dump_parse(write_tmp(lf, sizeof(lf) - 3), &b, &err) == 0);
	CU_ASSERT(b.fn[0].cfg_len == 0x13 && b.fn[0].cfg[0x13] == 0xff && b.nwarn == 2);
	vpci_dump_free(&b);
	snprintf(longhdr, sizeof(longhdr), "00:00.0 %0300d\n00: 86 80 54 01\n10: 00 00 00 f0\n", 0);
	CU_ASSERT_FATAL(parse_text(longhdr, &b, &err) == 0);
	CU_ASSERT(!memcmp(a.fn[0].cfg, b.fn[0].cfg, VPCI_CFG_SIZE) && b.nwarn == 1);
	vpci_dump_free(&b);
	vpci_dump_free(&a);
}

static void test_detect(void)
{
	static const char *yes[] = { "# c\nWARNING: x\n\n00:00.0 Host bridge\n", "0000:00:1f.3 x\n" };
	static const char *no[] = { "ram 0x0-0xfff\ndevice 00:00.0\n", "pio r 0xcf8 4\n", "" };

	for (size_t i = 0; i < 2; i++)
		CU_ASSERT(vpci_dump_detect(write_tmp(yes[i], strlen(yes[i]))));
	for (size_t i = 0; i < 3; i++)
		CU_ASSERT(!vpci_dump_detect(write_tmp(no[i], strlen(no[i]))));
	CU_ASSERT(!vpci_dump_detect("/nonexistent/lspci.txt"));
}

static int mangled_one(const char *text, struct vt_err *err)
{
	struct vt_events ev;
	struct map_record rec = { 0 };
	struct vpci_machine *m;
	struct vpci_dump d;
	int r = parse_text(text, &d, err);

	if (r)
		return r;
	vt_events_init(&ev);
	m = vpci_machine_create(&ev, &map_ops_record, &rec);
	CU_ASSERT_FATAL(m != NULL);
	r = vpci_dump_to_machine(&d, m, tmp_path, err);
	vpci_machine_destroy(m);
	free(rec.call);
	vpci_dump_free(&d);
	return r;
}

/* Mangled copies of a real dump: any result but a crash or an unnamed error. */
static void test_mangled(void)
{
	FILE *f = fopen(DATA "/lspci/dell-latitude-e6430.txt", "r");
	static char orig[1 << 18], buf[1 << 18];
	size_t n = f ? fread(orig, 1, sizeof(orig), f) : 0;
	struct vt_err err;

	if (f)
		fclose(f);
	CU_ASSERT_FATAL(n > 1000);
	srand(2);
	for (int it = 0; it < 40; it++) {
		int r;

		memcpy(buf, orig, n);
		for (int k = 0; k < 50; k++)
			buf[(size_t)rand() % n] = "0f: \n\t.x"[rand() % 8];
		buf[n] = 0;
		r = mangled_one(buf, &err);
		CU_ASSERT(r <= 0 && (r == 0 || strstr(err.msg, tmp_path)));
	}
	unlink(tmp_path);
	tmp_path[0] = 0;
}

CU_TestInfo vvv_tests[] = {
	{ "-vvv files: sizes without hex", test_vvv_direct },
	{ "-v lines placed by address", test_vvv_unindexed },
	{ "-v lines that match no BAR or two", test_vvv_ambiguous },
	CU_TEST_INFO_NULL,
};

CU_TestInfo bad_tests[] = {
	{ "garbage in hex rows", test_bad_hex_rows },
	{ "byte past 4096", test_bad_past_4096 },
	{ "impossible and duplicate headers", test_bad_headers },
	{ "duplicate secondary, loop, no hex, empty", test_bad_topology },
	{ "paths, segments, too deep", test_paths },
	{ "contradicting and unusable sizes", test_bad_sizes },
	{ "CRLF, unterminated, long lines", test_line_ends },
	{ "dump detection", test_detect },
	{ "mangled real dump", test_mangled },
	CU_TEST_INFO_NULL,
};
