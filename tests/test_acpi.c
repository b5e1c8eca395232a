/*
 * tests/test_acpi.c - DMAR/IVRS parsing against real tables and lying ones.
 * The platform suite (memmap, ACPI directories) is in test_acpi_platform.c.
 *
 * Expected values are read at run time from the .tsv files in tests/data/dmar
 * and tests/data/ivrs (two independent decoders agree on them,
 * tests/data/README-data.md §4, §6).
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../mapper/acpi.h"
#include "core_util.h"

#define DATA TOP_SRCDIR "/tests/data"

struct table {
	char name[128];
	uint8_t *buf;
	size_t len;
	bool ivrs;
};

static struct table tables[64];
static size_t ntables;

static int parse(const struct table *t, const uint8_t *buf, size_t len, struct acpi_rdm_list *l,
		 struct vt_err *err)
{
	return t->ivrs ? acpi_ivrs_parse(buf, len, l, err) : acpi_dmar_parse(buf, len, l, err);
}

/* Re-establish a valid checksum after patching (ACPI 5.2.6: bytes sum to 0). */
static void fix_checksum(uint8_t *buf, size_t len)
{
	uint8_t sum = 0;

	buf[9] = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + buf[i]);
	buf[9] = (uint8_t)-sum;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void load_dir(const char *dir, bool ivrs)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct vt_err err;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL && ntables < VT_ARRAY_SIZE(tables)) {
		size_t n = strlen(de->d_name);
		struct table *t = &tables[ntables];
		char path[512];

		if (n < 5 || strcmp(de->d_name + n - 4, ".dat") != 0 || n - 4 >= sizeof(t->name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		memcpy(t->name, de->d_name, n - 4);
		t->name[n - 4] = '\0';
		t->ivrs = ivrs;
		if (acpi_file_read(path, &t->buf, &t->len, &err) == 0)
			ntables++;
	}
	closedir(d);
}

static int suite_init(void)
{
	load_dir(DATA "/dmar", false);
	load_dir(DATA "/ivrs", true);
	return ntables >= 17 ? 0 : -1; /* 14 DMAR + 3 IVRS in README-data.md */
}

static int suite_clean(void)
{
	for (size_t i = 0; i < ntables; i++)
		free(tables[i].buf);
	ntables = 0;
	return 0;
}

static const struct table *table_named(const char *name)
{
	for (size_t i = 0; i < ntables; i++)
		if (strcmp(tables[i].name, name) == 0)
			return &tables[i];
	return NULL;
}

/* Split a TSV line in place; returns the number of fields. */
static int tsv_split(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	for (char *p = line; n < max; p++) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p = '\0';
	}
	return n;
}

static uint64_t num(const char *s)
{
	uint64_t v = ~0ULL;

	CU_ASSERT_EQUAL_FATAL(vt_parse_u64(s, &v), 0);
	return v;
}

/* Rows of the expected TSV seen per table. */
static size_t rows_of[VT_ARRAY_SIZE(tables)];

static void check_rmrr_row(char **f)
{
	const struct table *t = table_named(f[0]);
	struct acpi_rdm_list l;
	struct vt_err err;
	char path[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL_FATAL(acpi_dmar_parse(t->buf, t->len, &l, &err), 0);
	size_t i = (size_t)num(f[1]);
	CU_ASSERT_FATAL(i < l.n);
	const struct acpi_rdm *r = &l.rdm[i];
	CU_ASSERT_EQUAL(r->offset, num(f[2]));
	CU_ASSERT_EQUAL(r->segment, strtoul(f[3], NULL, 16));
	CU_ASSERT_EQUAL(r->range.base, num(f[4]));
	CU_ASSERT_EQUAL(r->range.last, num(f[5]));
	CU_ASSERT_EQUAL(r->range.last - r->range.base + 1, num(f[6]));
	/* scopes_raw: "ep@bus00:1c.4/00.0 ep@bus00:14.0" */
	size_t k = 0;
	for (char *tok = strtok(f[7], " "); tok; tok = strtok(NULL, " "), k++) {
		CU_ASSERT_FATAL(k < r->nscope);
		CU_ASSERT_EQUAL(r->scope[k].type, strncmp(tok, "ep@bus", 6) == 0 ? 1 : 2);
		acpi_scope_format(&r->scope[k], path);
		if (strcmp(tok + 6, path) != 0)
			fprintf(stderr, "\n%s #%zu scope %zu: got %s want %s\n", f[0], i, k, path, tok + 6);
		CU_ASSERT_STRING_EQUAL(path, tok + 6);
	}
	CU_ASSERT_EQUAL(k, r->nscope);
	rows_of[t - tables]++;
	acpi_rdm_list_free(&l);
}

static void check_ivmd_row(char **f)
{
	const struct table *t = table_named(f[0]);
	struct acpi_rdm_list l;
	struct vt_err err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL_FATAL(acpi_ivrs_parse(t->buf, t->len, &l, &err), 0);
	size_t i = (size_t)num(f[1]);
	CU_ASSERT_FATAL(i < l.n);
	const struct acpi_rdm *r = &l.rdm[i];
	uint64_t type = num(f[2]), dev = num(f[4]), aux = num(f[5]);
	CU_ASSERT_EQUAL(r->ivmd_type, type);
	CU_ASSERT_EQUAL(r->ivmd_flags, num(f[3]));
	CU_ASSERT_EQUAL(r->ivmd_dev_first, type == 0x20 ? 0 : dev);
	CU_ASSERT_EQUAL(r->ivmd_dev_last, type == 0x20 ? 0xffff : type == 0x22 ? aux : dev);
	CU_ASSERT_EQUAL(r->range.base, num(f[6]));
	CU_ASSERT_EQUAL(r->range.last, num(f[8]));
	CU_ASSERT_EQUAL(r->range.last - r->range.base + 1, num(f[7]));
	rows_of[t - tables]++;
	acpi_rdm_list_free(&l);
}

/* Every row of the TSV matches, and every table has exactly its rows. */
static void check_expected(const char *tsv, bool ivrs, int nfields)
{
	FILE *f = fopen(tsv, "r");
	char line[2048], *fld[12];
	size_t want = 0, seen = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	memset(rows_of, 0, sizeof(rows_of));
	CU_ASSERT_PTR_NOT_NULL_FATAL(fgets(line, sizeof(line), f)); /* header */
	while (fgets(line, sizeof(line), f)) {
		if (tsv_split(line, fld, 12) < nfields)
			continue;
		want++;
		if (ivrs)
			check_ivmd_row(fld);
		else
			check_rmrr_row(fld);
	}
	fclose(f);
	CU_ASSERT(want > 0);
	for (size_t i = 0; i < ntables; i++) {
		struct acpi_rdm_list l;
		struct vt_err err;
		if (tables[i].ivrs != ivrs)
			continue;
		CU_ASSERT_EQUAL_FATAL(parse(&tables[i], tables[i].buf, tables[i].len, &l, &err), 0);
		CU_ASSERT_EQUAL(l.n, rows_of[i]);
		seen += rows_of[i];
		acpi_rdm_list_free(&l);
	}
	CU_ASSERT_EQUAL(seen, want);
}

static void test_dmar_expected(void)
{
	check_expected(DATA "/dmar/rmrr-expected.tsv", false, 8);
}

static void test_ivrs_expected(void)
{
	check_expected(DATA "/ivrs/ivmd-expected.tsv", true, 9);
}

/* Exactly n bytes on the heap, so a sanitizer or valgrind sees any over-read. */
static int parse_exact(const struct table *t, const uint8_t *src, size_t n, size_t *nrdm,
		       struct vt_err *err)
{
	uint8_t *b = malloc(n ? n : 1);
	struct acpi_rdm_list l;

	err->msg[0] = '\0';
	memcpy(b, src, n);
	int rc = parse(t, b, n, &l, err);
	free(b);
	*nrdm = l.n;
	acpi_rdm_list_free(&l);
	return rc;
}

static void test_truncations(void)
{
	struct vt_err err;
	size_t n;

	for (size_t i = 0; i < ntables; i++)
		for (size_t len = 0; len < tables[i].len; len++) {
			int rc = parse_exact(&tables[i], tables[i].buf, len, &n, &err);
			CU_ASSERT_EQUAL(rc, -EINVAL);
			CU_ASSERT_EQUAL(n, 0);
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "offset 0x"));
		}
}

/*
 * Truncations that also lie consistently: the header length says n and the
 * checksum fits, so only the sub-table walk can notice a structure cut in two.
 * At a structure boundary the table is valid and holds the entries before n.
 */
static void test_truncations_relabelled(void)
{
	struct vt_err err;
	size_t n;

	for (size_t i = 0; i < ntables; i++) {
		const struct table *t = &tables[i];
		uint8_t *b = malloc(t->len);
		size_t next = 48, before = 0;
		struct acpi_rdm_list full;

		CU_ASSERT_EQUAL_FATAL(parse(t, t->buf, t->len, &full, &err), 0);
		for (size_t len = 48; len < t->len; len++) {
			bool boundary = len == next;
			memcpy(b, t->buf, len);
			b[4] = (uint8_t)len;
			b[5] = (uint8_t)(len >> 8);
			fix_checksum(b, len);
			int rc = parse_exact(t, b, len, &n, &err);
			while (before < full.n && full.rdm[before].offset < len)
				before++;
			CU_ASSERT_EQUAL(rc, boundary ? 0 : -EINVAL);
			CU_ASSERT_EQUAL(n, boundary ? before : 0);
			if (boundary)
				next += t->buf[len + 2] | t->buf[len + 3] << 8;
		}
		acpi_rdm_list_free(&full);
		free(b);
	}
}

/* Any one flipped bit is caught (mostly by the checksum), and a bad checksum by name. */
static void test_checksum(void)
{
	struct vt_err err;
	size_t n;

	for (size_t i = 0; i < ntables; i++) {
		const struct table *t = &tables[i];
		uint8_t *b = malloc(t->len);
		for (size_t off = 0; off < t->len; off++) {
			memcpy(b, t->buf, t->len);
			b[off] ^= 0x01;
			CU_ASSERT_EQUAL(parse_exact(t, b, t->len, &n, &err), -EINVAL);
			if (off >= 8) /* 0-3: signature, 4-7: length */
				CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "checksum"));
		}
		free(b);
	}
}

/* Patch a 16-bit length at pos, fix the checksum, expect an error naming at. */
static void expect_lie(const char *name, size_t pos, unsigned v, bool byte, size_t at,
		       const char *what)
{
	const struct table *t = table_named(name);
	struct vt_err err;
	char off[32];
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	uint8_t *b = malloc(t->len);
	memcpy(b, t->buf, t->len);
	if (byte)
		b[pos] = (uint8_t)v;
	else
		put16(b + pos, v);
	fix_checksum(b, t->len);
	CU_ASSERT_EQUAL(parse_exact(t, b, t->len, &n, &err), -EINVAL);
	snprintf(off, sizeof(off), "offset 0x%zx:", at);
	if (!strstr(err.msg, off) || !strstr(err.msg, what))
		fprintf(stderr, "\nwant '%s' '%s', got: %s\n", off, what, err.msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, off));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, what));
	free(b);
}

static void test_sub_lengths(void)
{
	/* dell-latitude-e6430: DRHD at 0x30, RMRRs at 0x68 (len 0x30) and 0x98, 184 bytes. */
	const char *d = "dell-latitude-e6430";
	expect_lie(d, 0x68 + 2, 0, false, 0x68, "shorter than");
	expect_lie(d, 0x68 + 2, 8, false, 0x68, "shorter than its 24-byte header");
	expect_lie(d, 0x68 + 2, 23, false, 0x68, "shorter than its 24-byte header");
	expect_lie(d, 0x68 + 2, 0xffff, false, 0x68, "past the table's end");
	expect_lie(d, 0x68 + 2, 184 - 0x68 + 1, false, 0x68, "past the table's end");
	expect_lie(d, 0x30 + 2, 0, false, 0x30, "DRHD length 0");
	expect_lie(d, 0x30 + 2, 15, false, 0x30, "16-byte header");
	expect_lie(d, 0x98 + 2, 184 - 0x98 + 2, false, 0x98, "past the table's end");
	/* The table header itself: length below the DMAR header. */
	expect_lie(d, 4, 47, false, 0x4, "shorter than the 48-byte header");
	/* IVRS: first IVHD at 0x30, IVMDs at 0xc8 and 0xe8 of 496 bytes. */
	const char *z = "asus-zenbook-s16-um5606wa";
	const struct table *t = table_named(z);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	unsigned ivhd_min = t->buf[0x30] == 0x10 ? 24 : 40;
	expect_lie(z, 0x30 + 2, 0, false, 0x30, "IVHD");
	expect_lie(z, 0x30 + 2, ivhd_min - 1, false, 0x30, "shorter than its");
	expect_lie(z, 0x30 + 2, 0xffff, false, 0x30, "past the table's end");
	expect_lie(z, 0xc8 + 2, 0, false, 0xc8, "IVMD type 0x21 length 0");
	expect_lie(z, 0xc8 + 2, 31, false, 0xc8, "32-byte header");
	expect_lie(z, 0xe8 + 2, 496 - 0xe8 + 4, false, 0xe8, "past the table's end");
}

static void test_scope_lies(void)
{
	/* e6430 RMRR 0x68: scopes at 0x80, 0x88, 0x90 (8 bytes each), structure ends 0x98. */
	const char *d = "dell-latitude-e6430";
	expect_lie(d, 0x80 + 1, 0, true, 0x80, "not 6 + 2 per path entry");
	expect_lie(d, 0x80 + 1, 5, true, 0x80, "not 6 + 2");
	expect_lie(d, 0x80 + 1, 6, true, 0x80, "not 6 + 2");
	expect_lie(d, 0x80 + 1, 9, true, 0x80, "not 6 + 2");
	/* Inside the table but past the RMRR: the structure is the bound. */
	expect_lie(d, 0x90 + 1, 16, true, 0x90, "past its structure's end");
	expect_lie(d, 0x88 + 1, 0xfe, true, 0x88, "past its structure's end");
	/* A path entry that is no dev.fn. */
	expect_lie(d, 0x80 + 6, 0x20, true, 0x86, "not a PCI dev.fn");
	/* Scopes of skipped structures are walked too: the DRHD's first scope at 0x40. */
	expect_lie(d, 0x40 + 1, 0, true, 0x40, "not 6 + 2");
	expect_lie(d, 0x40 + 1, 0x40, true, 0x40, "past its structure's end");
}

/* A DMAR built from parts, for what no real table here has. */
static size_t dmar_build(uint8_t *b, const uint8_t *body, size_t n)
{
	memset(b, 0, 48);
	memcpy(b, "DMAR", 4);
	b[4] = (uint8_t)(48 + n);
	b[5] = (uint8_t)((48 + n) >> 8);
	b[8] = 1;
	memcpy(b + 48, body, n);
	fix_checksum(b, 48 + n);
	return 48 + n;
}

static void test_dmar_synthetic(void)
{
	uint8_t body[256] = { 0 }, b[512], *p = body;
	struct acpi_rdm_list l;
	struct vt_err err;
	char s[64];

	p[0] = 0; p[2] = 16; p[4] = 1; put16(p + 6, 1); p += 16;     /* DRHD, INCLUDE_PCI_ALL */
	p[0] = 0x99; p[2] = 12; p += 12;                             /* unknown type: skipped */
	p[0] = 1; p[2] = 24 + 8 + 10; put16(p + 6, 1);               /* RMRR, segment 1 */
	put64(p + 8, 0x100000000ULL); put64(p + 16, 0x100003fffULL);
	p[24] = 2; p[25] = 8; p[29] = 0x80; p[30] = 3;               /* bridge 80:03.0 */
	p[32] = 1; p[33] = 10; p[37] = 0x80; p[38] = 3; p[40] = 0; p[41] = 1; /* 80:03.0/00.1 */
	p += 42;
	p[0] = 3; p[2] = 20; p += 20;                                /* RHSA */
	p[0] = 4; p[2] = 13; memcpy(p + 8, "\\_SB", 5); p += 13;     /* ANDD with a name */
	p[0] = 5; p[2] = 16; p[9] = 8; p[14] = 0x1f; p += 16;        /* SATC, one scope */
	p[0] = 1; p[2] = 24; put64(p + 8, 0x2000); put64(p + 16, 0x2fff); p += 24; /* no scope */
	size_t len = dmar_build(b, body, (size_t)(p - body));
	CU_ASSERT_EQUAL_FATAL(acpi_dmar_parse(b, len, &l, &err), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 2);
	CU_ASSERT_EQUAL(l.rdm[0].segment, 1);
	CU_ASSERT_EQUAL(l.rdm[0].offset, 48 + 16 + 12);
	CU_ASSERT_EQUAL(l.rdm[0].range.base, 0x100000000ULL);
	CU_ASSERT_EQUAL(l.rdm[0].range.last, 0x100003fffULL);
	CU_ASSERT_EQUAL_FATAL(l.rdm[0].nscope, 2);
	CU_ASSERT_EQUAL(l.rdm[0].scope[0].type, 2);
	CU_ASSERT_STRING_EQUAL(acpi_scope_format(&l.rdm[0].scope[0], s), "0001:80:03.0");
	CU_ASSERT_STRING_EQUAL(acpi_scope_format(&l.rdm[0].scope[1], s), "0001:80:03.0/00.1");
	CU_ASSERT_EQUAL(l.rdm[1].nscope, 0);
	acpi_rdm_list_free(&l);

	/* Limit below base; a 9-hop path; a trailing byte after the table. */
	uint8_t r[64] = { 1, 0, 24 };
	put64(r + 8, 0x3000); put64(r + 16, 0x2fff);
	len = dmar_build(b, r, 24);
	CU_ASSERT_EQUAL(acpi_dmar_parse(b, len, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "offset 0x30: RMRR limit"));
	memset(r, 0, sizeof(r));
	r[0] = 1; r[2] = 24 + 24; put64(r + 16, 0xfff); r[25] = 24;  /* 6 + 2 * 9 */
	len = dmar_build(b, r, 48);
	CU_ASSERT_EQUAL(acpi_dmar_parse(b, len, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "offset 0x48: device scope path of 9 hops"));
	r[2] = 24; r[25] = 0;
	len = dmar_build(b, r, 24);
	CU_ASSERT_EQUAL(acpi_dmar_parse(b, len, &l, &err), 0);
	acpi_rdm_list_free(&l);
	b[len] = 0;
	CU_ASSERT_EQUAL(acpi_dmar_parse(b, len + 1, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "after the table's end"));
	/* The other table's parser refuses by signature. */
	CU_ASSERT_EQUAL(acpi_ivrs_parse(b, len, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "signature is 'DMAR', not IVRS"));
}

static size_t ivrs_build(uint8_t *b, const uint8_t *body, size_t n)
{
	size_t len = dmar_build(b, body, n);
	memcpy(b, "IVRS", 4);
	fix_checksum(b, len);
	return len;
}

static void ivmd(uint8_t *p, uint8_t type, uint8_t flags, uint16_t seg, uint16_t dev,
		 uint16_t aux, uint64_t start, uint64_t size)
{
	memset(p, 0, 32);
	p[0] = type;
	p[1] = flags;
	p[2] = 32;
	put16(p + 4, dev);
	put16(p + 6, aux);
	put16(p + 8, seg);
	put64(p + 16, start);
	put64(p + 24, size);
}

static void test_ivrs_synthetic(void)
{
	uint8_t body[160] = { 0 }, b[256];
	struct acpi_rdm_list l;
	struct vt_err err;
	char s[64];

	ivmd(body, 0x20, 0x01, 1, 0x1234, 0x5678, 0x1000, 0x2000);
	ivmd(body + 32, 0x22, 0xf6, 0, 0x0100, 0x01ff, 0xfee00000, 1);
	ivmd(body + 64, 0x21, 0x00, 0, 0x0300, 0, 0x5000, 0);     /* empty: dropped */
	body[96] = 0x51; body[98] = 8;                               /* unknown: skipped */
	ivmd(body + 104, 0x21, 0x08, 2, 0x0308, 0, 0x7000, 0x1000);
	size_t len = ivrs_build(b, body, 136);
	CU_ASSERT_EQUAL_FATAL(acpi_ivrs_parse(b, len, &l, &err), 0);
	CU_ASSERT_EQUAL_FATAL(l.n, 3);
	CU_ASSERT_STRING_EQUAL(acpi_ivmd_scope_format(&l.rdm[0], s), "0001:all");
	CU_ASSERT_EQUAL(l.rdm[0].ivmd_dev_last, 0xffff);
	CU_ASSERT_EQUAL(l.rdm[0].range.last, 0x2fff);
	CU_ASSERT_STRING_EQUAL(acpi_ivmd_flags_format(l.rdm[0].ivmd_flags, s), "unity");
	CU_ASSERT_STRING_EQUAL(acpi_ivmd_scope_format(&l.rdm[1], s), "01:00.0-01:1f.7");
	CU_ASSERT_STRING_EQUAL(acpi_ivmd_flags_format(l.rdm[1].ivmd_flags, s), "ir,iw,0xf0");
	CU_ASSERT_EQUAL(l.rdm[1].range.base, l.rdm[1].range.last);
	CU_ASSERT_STRING_EQUAL(acpi_ivmd_scope_format(&l.rdm[2], s), "0002:03:01.0");
	CU_ASSERT_EQUAL(l.rdm[2].offset, 48 + 104);
	CU_ASSERT_STRING_EQUAL(acpi_ivmd_flags_format(0, s), "none");
	acpi_rdm_list_free(&l);

	ivmd(body, 0x22, 0x08, 0, 0x0200, 0x01ff, 0x1000, 0x1000);  /* backwards range */
	len = ivrs_build(b, body, 32);
	CU_ASSERT_EQUAL(acpi_ivrs_parse(b, len, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "offset 0x30: IVMD device range"));
	ivmd(body, 0x21, 0x08, 0, 0, 0, ~0ULL - 0xfff, 0x1001);      /* wraps */
	len = ivrs_build(b, body, 32);
	CU_ASSERT_EQUAL(acpi_ivrs_parse(b, len, &l, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "wraps"));
	ivmd(body, 0x21, 0x08, 0, 0, 0, ~0ULL - 0xfff, 0x1000);      /* ends at 2^64 - 1 */
	len = ivrs_build(b, body, 32);
	CU_ASSERT_EQUAL(acpi_ivrs_parse(b, len, &l, &err), 0);
	CU_ASSERT_EQUAL(l.n == 1 ? l.rdm[0].range.last : 0, ~0ULL);
	acpi_rdm_list_free(&l);
}

static CU_TestInfo dmar_tests[] = {
	{ "DMAR tables equal rmrr-expected.tsv", test_dmar_expected },
	{ "IVRS tables equal ivmd-expected.tsv", test_ivrs_expected },
	{ "every truncation is an error", test_truncations },
	{ "truncations with a consistent header", test_truncations_relabelled },
	{ "every flipped bit is an error", test_checksum },
	{ "sub-table lengths that lie", test_sub_lengths },
	{ "device scope lengths that lie", test_scope_lies },
	{ "DMAR built from parts", test_dmar_synthetic },
	{ "IVRS built from parts", test_ivrs_synthetic },
	CU_TEST_INFO_NULL,
};

/* test_acpi_platform.c */
extern CU_TestInfo acpi_platform_tests[];

static CU_SuiteInfo suites[] = {
	{ "acpi", suite_init, suite_clean, NULL, NULL, dmar_tests },
	{ "platform", NULL, NULL, NULL, NULL, acpi_platform_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return tu_main(suites);
}
