/*
 * tests/test_acpi_platform.c - platform discovery from memmap and ACPI
 * directories built in /tmp, and the ranges handed to a real mapper.
 * Registered by test_acpi.c's main as the "platform" suite.
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../mapper/acpi.h"
#include "../mapper/platform.h"

#define DATA TOP_SRCDIR "/tests/data"

/* A real table from tests/data, read whole. */
struct table {
	uint8_t *buf;
	size_t len;
};

static struct table table_read(const char *rel)
{
	struct table t = { NULL, 0 };
	struct vt_err err;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", DATA, rel);
	if (acpi_file_read(path, &t.buf, &t.len, &err) < 0)
		fprintf(stderr, "\n%s\n", err.msg);
	return t;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void put_file(const char *dir, const char *sub, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static void put_entry(const char *dir, const char *n, const char *start, const char *end,
		      const char *type)
{
	put_file(dir, n, "start", start);
	put_file(dir, n, "end", end);
	put_file(dir, n, "type", type);
}

static void test_memmap(void)
{
	char dir[] = "/tmp/vt-memmap-XXXXXX";
	struct platform_ranges l;
	struct vt_err err;
	static const struct { uint64_t base, last; enum map_region kind; } want[] = {
		{ 0x0, 0x9fbff, MAP_REGION_RAM }, { 0x9fc00, 0x9ffff, MAP_REGION_RESERVED },
		{ 0xf0000, 0xfffff, MAP_REGION_RESERVED }, { 0x100000, 0x7fffffff, MAP_REGION_RAM },
		{ 0x80000000, 0x8000ffff, MAP_REGION_RESERVED },
		{ 0x80010000, 0x8001ffff, MAP_REGION_RESERVED },
		{ 0x90000000, 0x90000fff, MAP_REGION_RESERVED },
		{ 0x100000000ULL, 0x47fffffffULL, MAP_REGION_RESERVED },
	};

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	/* Out of order on purpose: "10" sorts first by name, last but three by base. */
	put_entry(dir, "10", "0x100000\n", "0x7fffffff\n", "System RAM\n");
	put_entry(dir, "0", "0x0\n", "0x9fbff\n", "System RAM\n");
	put_entry(dir, "1", "0x9fc00\n", "0x9ffff\n", "Reserved\n");
	put_entry(dir, "2", "0xf0000\n", "0xfffff\n", "Reserved\n");
	put_entry(dir, "3", "0x80000000\n", "0x8000ffff\n", "ACPI Tables\n");
	put_entry(dir, "4", "0x80010000\n", "0x8001ffff\n", "ACPI Non-volatile Storage\n");
	put_entry(dir, "5", "0x90000000\n", "0x90000fff\n", "Unusable memory\n");
	put_entry(dir, "6", "0x100000000\n", "0x47fffffff\n", "Persistent Memory\n");
	put_entry(dir, "7", "0xa0000000\n", "0x9fffffff\n", "Reserved\n"); /* empty: dropped */
	put_entry(dir, "notanentry", "junk", "junk", "junk");                 /* ignored */
	CU_ASSERT_EQUAL_FATAL(platform_memmap_load(dir, &l, &err), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, VT_ARRAY_SIZE(want));
	for (size_t i = 0; i < l.n; i++) {
		CU_ASSERT_EQUAL(l.r[i].range.base, want[i].base);
		CU_ASSERT_EQUAL(l.r[i].range.last, want[i].last);
		CU_ASSERT_EQUAL(l.r[i].kind, want[i].kind);
	}
	platform_ranges_free(&l);
	CU_ASSERT_EQUAL(platform_memmap_kind("System RAM"), MAP_REGION_RAM);
	CU_ASSERT_EQUAL(platform_memmap_kind("System RAM (kernel)"), MAP_REGION_RESERVED);

	put_entry(dir, "8", "0x2000\n", "0xfff\n", "Reserved\n");           /* end < start - 1 */
	CU_ASSERT_EQUAL(platform_memmap_load(dir, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/8/end: 0xfff is below start 0x2000"));
	CU_ASSERT_EQUAL(l.n, 0);
	put_entry(dir, "8", "2000 kB\n", "0x2fff\n", "Reserved\n");
	CU_ASSERT_EQUAL(platform_memmap_load(dir, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/8/start: '2000 kB' is not a number"));
	put_entry(dir, "8", "0x2000\n", "0x2fff\n", "Reserved\n");
	char path[512];
	snprintf(path, sizeof(path), "%s/8/type", dir);
	remove(path);
	CU_ASSERT_EQUAL(platform_memmap_load(dir, &l, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/8/type"));
	CU_ASSERT_EQUAL(nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
	CU_ASSERT_EQUAL(platform_memmap_load(dir, &l, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, dir));
}

static void put_table(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(buf, 1, len, f), len);
	fclose(f);
}

static void test_platform_acpi(void)
{
	struct table dt = table_read("dmar/dell-latitude-e6430.dat"), *d = &dt;
	struct table zt = table_read("ivrs/asus-zenbook-s16-um5606wa.dat"), *z = &zt;
	char dir[] = "/tmp/vt-acpi-XXXXXX";
	struct acpi_rdm_list l;
	struct vt_err err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d->buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z->buf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL(platform_acpi_load(dir, &l, &err), 0); /* neither table: nothing */
	CU_ASSERT_EQUAL(l.n, 0);
	put_table(dir, "IVRS", z->buf, z->len);
	CU_ASSERT_EQUAL_FATAL(platform_acpi_load(dir, &l, &err), 0);
	CU_ASSERT_EQUAL(l.n, 2);
	acpi_rdm_list_free(&l);
	put_table(dir, "DMAR", d->buf, d->len);
	CU_ASSERT_EQUAL_FATAL(platform_acpi_load(dir, &l, &err), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 4);
	CU_ASSERT_EQUAL(l.rdm[0].range.base, 0xcbccd000);   /* RMRRs first */
	CU_ASSERT_EQUAL(l.rdm[1].nscope, 1);
	CU_ASSERT_EQUAL(l.rdm[2].ivmd_type, 0x21);
	CU_ASSERT_EQUAL(l.rdm[3].range.last, 0x75e1ffff);
	acpi_rdm_list_free(&l);
	put_table(dir, "DMAR", z->buf, z->len);             /* an IVRS saved as DMAR */
	CU_ASSERT_EQUAL(platform_acpi_load(dir, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/DMAR: DMAR offset 0x0: signature"));
	CU_ASSERT_EQUAL(l.n, 0);
	put_table(dir, "DMAR", d->buf, d->len - 1);
	CU_ASSERT_EQUAL(platform_acpi_load(dir, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "truncated"));
	CU_ASSERT_EQUAL(acpi_table_load(DATA "/dmar/rmrr-expected.tsv", &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "rmrr-expected.tsv: table offset 0x0"));
	CU_ASSERT_EQUAL(nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
	free(d->buf);
	free(z->buf);
}

CU_TestInfo acpi_platform_tests[] = {
	{ "memmap directory", test_memmap },
	{ "ACPI tables directory", test_platform_acpi },
	CU_TEST_INFO_NULL,
};
