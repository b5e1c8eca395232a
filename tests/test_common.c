/*
 * tests/test_common.c - common/: numbers, ranges, SBDF, tokens, the line
 * reader, errors, the event bus and text form (CONTRACT §6), and trace
 * lines (§5).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/trace.h"
#include "core_util.h"

/* ---- numbers ---------------------------------------------------------- */

static void test_parse_u64(void)
{
	static const struct { const char *s; int rc; uint64_t v; } c[] = {
		{ "0", 0, 0 },
		{ "42", 0, 42 },
		{ "0x0", 0, 0 },
		{ "0x1f", 0, 0x1f },
		{ "0X1F", 0, 0x1f },
		{ "0xFfFf", 0, 0xffff },
		{ "0xffffffffffffffff", 0, UINT64_MAX },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "0x10000000000000000", -EINVAL, 0 }, /* 17 hex digits */
		{ "", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },
		{ "x10", -EINVAL, 0 },
		{ "12a", -EINVAL, 0 },
		{ "1f", -EINVAL, 0 },   /* hex needs its prefix */
		{ "-1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
		{ "0x1g", -EINVAL, 0 },
		{ "0x-1", -EINVAL, 0 },
	};

	for (size_t i = 0; i < VT_ARRAY_SIZE(c); i++) {
		uint64_t v = 0xdead;
		int rc = vt_parse_u64(c[i].s, &v);
		TU_CHECK(rc == c[i].rc, "vt_parse_u64('%s') = %d, want %d", c[i].s, rc, c[i].rc);
		if (!c[i].rc)
			TU_CHECK(v == c[i].v, "vt_parse_u64('%s') -> 0x%llx", c[i].s,
				 (unsigned long long)v);
		else
			TU_CHECK(v == 0xdead, "vt_parse_u64('%s') wrote its output on failure", c[i].s);
	}
	TU_CHECK(vt_parse_u64(NULL, &(uint64_t){ 0 }) == -EINVAL, "NULL string");
}

static void test_parse_hex(void)
{
	uint64_t v;

	CU_ASSERT(vt_parse_hex("86", &v) == 0 && v == 0x86);
	CU_ASSERT(vt_parse_hex("FfA0", &v) == 0 && v == 0xffa0);
	CU_ASSERT(vt_parse_hex("ffffffffffffffff", &v) == 0 && v == UINT64_MAX);
	CU_ASSERT(vt_parse_hex("0", &v) == 0 && v == 0);
	CU_ASSERT(vt_parse_hex("1ffffffffffffffff", &v) == -EINVAL);
	CU_ASSERT(vt_parse_hex("0x10", &v) == -EINVAL);
	CU_ASSERT(vt_parse_hex("", &v) == -EINVAL);
	CU_ASSERT(vt_parse_hex("g", &v) == -EINVAL);
	CU_ASSERT(vt_parse_hex("1 ", &v) == -EINVAL);
	CU_ASSERT(vt_parse_hex(NULL, &v) == -EINVAL);
}

/* ---- ranges ----------------------------------------------------------- */

static void test_ranges(void)
{
	static const struct { const char *s; int ok; uint64_t b, l; } c[] = {
		{ "0x1000-0x1fff", 1, 0x1000, 0x1fff },
		{ "4096-8191", 1, 4096, 8191 },
		{ "0x0-0x0", 1, 0, 0 },
		{ "0x10-16", 1, 16, 16 },
		{ "0x0-0xffffffffffffffff", 1, 0, UINT64_MAX },
		{ "0x2000-0x1fff", 0, 0, 0 },   /* last < base */
		{ "0x1000", 0, 0, 0 },
		{ "-0x1000", 0, 0, 0 },
		{ "0x1000-", 0, 0, 0 },
		{ "0x1000--0x2000", 0, 0, 0 },
		{ "0x1-0x2-0x3", 0, 0, 0 },
		{ "0x1000 - 0x2000", 0, 0, 0 },
		{ "1000-2000h", 0, 0, 0 },
		{ "", 0, 0, 0 },
	};
	char buf[48];

	for (size_t i = 0; i < VT_ARRAY_SIZE(c); i++) {
		struct vt_range r = { 7, 7 };
		int rc = vt_parse_range(c[i].s, &r);
		TU_CHECK((rc == 0) == c[i].ok, "vt_parse_range('%s') = %d", c[i].s, rc);
		if (c[i].ok)
			TU_CHECK(r.base == c[i].b && r.last == c[i].l, "vt_parse_range('%s') -> %llx-%llx",
				 c[i].s, (unsigned long long)r.base, (unsigned long long)r.last);
	}
	/* A long first number does not overflow the parser's buffer. */
	char longs[200];
	memset(longs, '1', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = 0;
	longs[150] = '-';
	CU_ASSERT(vt_parse_range(longs, &(struct vt_range){ 0 }) == -EINVAL);

	TU_STREQ(vt_fmt_range(&(struct vt_range){ 0xfe000000, 0xfe000fff }, buf), "0xfe000000-0xfe000fff");
	TU_STREQ(vt_fmt_range(&(struct vt_range){ 0, UINT64_MAX }, buf), "0x0-0xffffffffffffffff");

	struct vt_range a = { 0x1000, 0x1fff }, b = { 0x2000, 0x2fff }, c2 = { 0x1fff, 0x2000 },
			all = { 0, UINT64_MAX };
	CU_ASSERT(!vt_range_overlaps(&a, &b));
	CU_ASSERT(!vt_range_overlaps(&b, &a));
	CU_ASSERT(vt_range_overlaps(&a, &c2));
	CU_ASSERT(vt_range_overlaps(&b, &c2));
	CU_ASSERT(vt_range_overlaps(&a, &all));
	CU_ASSERT(vt_range_overlaps(&a, &a));
}

/* ---- SBDF ------------------------------------------------------------- */

static void test_sbdf(void)
{
	static const struct { const char *s; int ok; uint32_t v; } c[] = {
		{ "0000:00:00.0", 1, 0 },
		{ "00:1f.7", 1, VT_SBDF(0, 0, VT_DEVFN(0x1f, 7)) },
		{ "0001:80:02.3", 1, VT_SBDF(1, 0x80, VT_DEVFN(2, 3)) },
		{ "ffff:ff:1f.7", 1, 0xffffffff },
		{ "FFFF:FF:1F.7", 1, 0xffffffff },
		{ "0:0.0", 1, 0 },
		{ "1:2:3.4", 1, VT_SBDF(1, 2, VT_DEVFN(3, 4)) },
		{ "00:20.0", 0, 0 },       /* device > 31 */
		{ "00:00.8", 0, 0 },       /* function > 7 */
		{ "00:00", 0, 0 },
		{ "00.0", 0, 0 },
		{ "100:00.0", 0, 0 },      /* bus of 3 digits */
		{ "10000:00:00.0", 0, 0 }, /* segment of 5 digits */
		{ "00:000.0", 0, 0 },
		{ "00:00.00", 0, 0 },
		{ "0000:00:00.0:", 0, 0 },
		{ ":00:00.0", 0, 0 },
		{ "00::00.0", 0, 0 },
		{ "g0:00.0", 0, 0 },
		{ "00:00.0 ", 0, 0 },
		{ "", 0, 0 },
		{ "0000:00:00:00.0", 0, 0 },
	};
	char buf[16];

	for (size_t i = 0; i < VT_ARRAY_SIZE(c); i++) {
		uint32_t v = 0x5a5a5a5a;
		int rc = vt_parse_sbdf(c[i].s, &v);
		TU_CHECK((rc == 0) == c[i].ok, "vt_parse_sbdf('%s') = %d", c[i].s, rc);
		if (c[i].ok)
			TU_CHECK(v == c[i].v, "vt_parse_sbdf('%s') -> 0x%x", c[i].s, v);
	}
	TU_STREQ(vt_fmt_sbdf(VT_SBDF(0, 0, VT_DEVFN(0x1c, 0)), buf), "0000:00:1c.0");
	TU_STREQ(vt_fmt_sbdf(VT_SBDF(0x12, 0xab, VT_DEVFN(0x1f, 7)), buf), "0012:ab:1f.7");
	TU_STREQ(vt_fmt_sbdf(0xffffffff, buf), "ffff:ff:1f.7");
	CU_ASSERT(VT_SBDF_SEG(0x12345678) == 0x1234);
	CU_ASSERT(VT_SBDF_BUS(0x12345678) == 0x56);
	CU_ASSERT(VT_SBDF_DEVFN(0x12345678) == 0x78);
	CU_ASSERT(VT_DEVFN(0x1f, 7) == 0xff);
	/* Every devfn round-trips through text. */
	for (unsigned devfn = 0; devfn < 256; devfn++) {
		uint32_t s = VT_SBDF(devfn * 3, 255 - devfn, devfn), back;
		CU_ASSERT_FATAL(vt_parse_sbdf(vt_fmt_sbdf(s, buf), &back) == 0);
		TU_CHECK(back == s, "round trip of %s", buf);
	}
}

/* ---- tokenizer -------------------------------------------------------- */

static void test_tokenize(void)
{
	char *t[8];
	char l1[] = "  pio\tw  0xcf8 4\t0x80000000  ";
	char l2[] = "cfg r 00:00.0 0x0 4 # a comment";
	char l3[] = "value#comment glued";
	char l4[] = "   # only a comment";
	char l5[] = "";
	char l6[] = "a b c d e f g h";
	char l7[] = "a b c d e f g h i";
	char l8[] = "a\r\n";
	char l9[] = "#";

	CU_ASSERT_FATAL(vt_tokenize(l1, t, 8) == 5);
	TU_STREQ(t[0], "pio");
	TU_STREQ(t[1], "w");
	TU_STREQ(t[2], "0xcf8");
	TU_STREQ(t[3], "4");
	TU_STREQ(t[4], "0x80000000");
	CU_ASSERT_FATAL(vt_tokenize(l2, t, 8) == 5);
	TU_STREQ(t[4], "4");
	CU_ASSERT_FATAL(vt_tokenize(l3, t, 8) == 1);
	TU_STREQ(t[0], "value");
	CU_ASSERT(vt_tokenize(l4, t, 8) == 0);
	CU_ASSERT(vt_tokenize(l5, t, 8) == 0);
	CU_ASSERT(vt_tokenize(l6, t, 8) == 8);
	TU_STREQ(t[7], "h");
	CU_ASSERT(vt_tokenize(l7, t, 8) == -E2BIG);
	CU_ASSERT_FATAL(vt_tokenize(l8, t, 8) == 1);
	TU_STREQ(t[0], "a");
	CU_ASSERT(vt_tokenize(l9, t, 8) == 0);
}

/* ---- line reader ------------------------------------------------------ */

static void test_lines_crlf(void)
{
	static const char text[] = "one\r\ntwo\n\r\nthree\r\r\n\nlast-without-newline";
	static const char *const want[] = { "one", "two", "", "three", "", "last-without-newline" };
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct vt_lines lr;
	char *l;
	size_t n = 0;

	CU_ASSERT_FATAL(f != NULL);
	vt_lines_from(&lr, f, "mem");
	while ((l = vt_lines_next(&lr))) {
		CU_ASSERT_FATAL(n < VT_ARRAY_SIZE(want));
		TU_STREQ(l, want[n]);
		n++;
		TU_CHECK(lr.line == n, "line number %lu after %zu lines", lr.line, n);
	}
	CU_ASSERT(n == VT_ARRAY_SIZE(want));
	CU_ASSERT(vt_lines_next(&lr) == NULL); /* EOF stays EOF */
	vt_lines_close(&lr);
	fclose(f);
}

static void test_lines_long(void)
{
	size_t big = 3u << 20;
	char *text = malloc(big + 64), *l;
	const char *path;
	struct vt_lines lr;
	struct vt_err err = { "" };
	FILE *f;

	CU_ASSERT_FATAL(text != NULL);
	memset(text, 'x', big);
	strcpy(text + big, "\r\nshort\n");
	path = tu_write("long.txt", "");
	f = fopen(path, "w");
	fwrite(text, 1, big + 8, f);
	fclose(f);
	CU_ASSERT_FATAL(vt_lines_open(&lr, path, &err) == 0);
	l = vt_lines_next(&lr);
	CU_ASSERT_FATAL(l != NULL);
	TU_CHECK(strlen(l) == big, "long line read as %zu bytes", strlen(l));
	CU_ASSERT(l[0] == 'x' && l[big - 1] == 'x');
	l = vt_lines_next(&lr);
	CU_ASSERT_FATAL(l != NULL);
	TU_STREQ(l, "short");
	CU_ASSERT(lr.line == 2);
	CU_ASSERT(vt_lines_next(&lr) == NULL);
	vt_lines_close(&lr);
	free(text);

	/* A missing file: an error naming it. */
	CU_ASSERT(vt_lines_open(&lr, "/nonexistent/trace.txt", &err) == -ENOENT);
	TU_CHECK(strstr(err.msg, "/nonexistent/trace.txt") == err.msg, "message '%s'", err.msg);
}

/* ---- errors ----------------------------------------------------------- */

static void test_errors(void)
{
	struct vt_err err;

	CU_ASSERT(vt_err_at(&err, EINVAL, "m.txt", 12, "bad %s", "thing") == -EINVAL);
	TU_STREQ(err.msg, "m.txt:12: bad thing");
	CU_ASSERT(vt_err_at(&err, -ENOENT, "m.txt", 0, "gone") == -ENOENT);
	TU_STREQ(err.msg, "m.txt: gone");
	CU_ASSERT(vt_err_at(&err, EIO, NULL, 5, "plain") == -EIO);
	TU_STREQ(err.msg, "plain");
	CU_ASSERT(vt_errf(&err, ENOMEM, "out of %s", "memory") == -ENOMEM);
	TU_STREQ(err.msg, "out of memory");
	CU_ASSERT(vt_errf(NULL, EINVAL, "x") == -EINVAL);
	CU_ASSERT(vt_err_at(NULL, EINVAL, "f", 1, "x") == -EINVAL);
	/* Overlong messages are cut, never overflow. */
	char longname[700];
	memset(longname, 'f', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	vt_err_at(&err, EINVAL, longname, 3, "msg");
	CU_ASSERT(strlen(err.msg) < sizeof(err.msg));
}

/* ---- events ----------------------------------------------------------- */

/* Every kind: text -> parse -> format gives the same text, and equality holds. */
static void test_event_round_trip(void)
{
	static const char *const texts[] = {
		"sizing 0000:00:02.0 bar0",
		"sizing 0000:00:02.0 rom",
		"map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff",
		"map 0001:80:1f.7 bar5 io 0xc000-0xc01f",
		"unmap 0000:03:00.0 bar2 mem 0x800000000-0x8000fffff",
		"unmap 0000:00:02.0 rom io 0x10-0x13",
		"move 0000:00:02.0 bar1 0x0 -> 0xfe100000",
		"move 0000:00:02.0 rom 0xfe100000 -> 0x0",
		"renumber 0000:00:1c.0 secondary 01->03 subordinate 01->ff",
		"refuse 0000:00:02.0 bar0 0x1000-0x1fff ram 0x0-0x7fffffff policy=strict",
		"refuse 0000:00:02.0 bar4 0x1000-0x1fff reserved 0x1800-0x1800 policy=strict",
		"refuse 0000:00:02.0 bar0 0xfe000000-0xfe000fff rmrr 0xfe000000-0xfe7fffff policy=strict",
		"warn 0000:00:02.0 bar0 0xfe000000-0xfe000fff rmrr 0xfe000000-0xfe7fffff policy=relaxed",
		"mismatch 0000:00:02.0 reg 0x10 size 4 expected 0xfe000000 got 0xffffffff",
		"mismatch 0000:ff:1f.7 reg 0xfff size 1 expected 0x0 got 0xff",
	};
	char buf[256];

	for (size_t i = 0; i < VT_ARRAY_SIZE(texts); i++) {
		struct vt_event e, f;
		int rc = vt_event_parse(texts[i], &e);
		TU_CHECK(rc == 0, "parse '%s' = %d", texts[i], rc);
		if (rc)
			continue;
		vt_event_format(&e, buf, sizeof(buf));
		TU_STREQ(buf, texts[i]);
		CU_ASSERT_FATAL(vt_event_parse(buf, &f) == 0);
		TU_CHECK(vt_event_equal(&e, &f), "'%s' not equal to itself", texts[i]);
		f.line = 99; /* lines are ignored */
		CU_ASSERT(vt_event_equal(&e, &f));
		/* Each text differs from every other. */
		for (size_t j = 0; j < VT_ARRAY_SIZE(texts); j++) {
			if (j == i || vt_event_parse(texts[j], &f))
				continue;
			TU_CHECK(!vt_event_equal(&e, &f), "'%s' equal to '%s'", texts[i], texts[j]);
		}
	}
	/* Equivalent spellings of the same event. */
	struct vt_event a, b;
	CU_ASSERT(vt_event_parse("renumber 00:1c.0 secondary 0x1->0x3 subordinate 1->3", &a) == 0);
	CU_ASSERT(vt_event_parse("renumber 0000:00:1c.0 secondary 01->03 subordinate 01->03", &b) == 0);
	CU_ASSERT(vt_event_equal(&a, &b));
	CU_ASSERT(vt_event_parse("map 00:02.0 bar0 mem 4096-8191", &a) == 0);
	CU_ASSERT(vt_event_parse("  map 0000:00:02.0 bar0 mem 0x1000-0x1fff  # c", &b) == 0);
	CU_ASSERT(vt_event_equal(&a, &b));
}

/* Kinds built in code (what the emitters fill), formatted exactly. */
static void test_event_format(void)
{
	struct vt_event e = { .type = VT_EV_MAP, .sbdf = VT_SBDF(0, 3, VT_DEVFN(0, 1)), .bar = 2,
			      .space = VT_SPACE_MEM, .range = { 0x800000000ull, 0x8000fffffull } };
	char buf[256];

	vt_event_format(&e, buf, sizeof(buf));
	TU_STREQ(buf, "map 0000:03:00.1 bar2 mem 0x800000000-0x8000fffff");
	e.type = VT_EV_RENUMBER;
	e.sbdf = VT_SBDF(0, 0, VT_DEVFN(0x1c, 0));
	e.sec_old = 1, e.sec_new = 0xa, e.sub_old = 1, e.sub_new = 0xff;
	vt_event_format(&e, buf, sizeof(buf));
	TU_STREQ(buf, "renumber 0000:00:1c.0 secondary 01->0a subordinate 01->ff");
	e = (struct vt_event){ .type = VT_EV_UNEXPECTED, .text = "map 0000:00:02.0 bar0 mem 0x1000-0x1fff" };
	vt_event_format(&e, buf, sizeof(buf));
	TU_STREQ(buf, "unexpected map 0000:00:02.0 bar0 mem 0x1000-0x1fff");
	e.type = VT_EV_MISSING;
	vt_event_format(&e, buf, sizeof(buf));
	TU_STREQ(buf, "missing map 0000:00:02.0 bar0 mem 0x1000-0x1fff");
	e = (struct vt_event){ .type = VT_EV_WARN, .sbdf = 0, .bar = VT_BAR_ROM,
			       .range = { 0xa0000, 0xbffff }, .conflict = VT_CONFLICT_RMRR,
			       .conflict_range = { 0xa0000, 0xa0fff }, .policy = VT_POLICY_RELAXED };
	vt_event_format(&e, buf, sizeof(buf));
	TU_STREQ(buf, "warn 0000:00:00.0 rom 0xa0000-0xbffff rmrr 0xa0000-0xa0fff policy=relaxed");
	/* A short buffer is cut and terminated, the full length returned. */
	char small[10];
	int n = vt_event_format(&e, small, sizeof(small));
	CU_ASSERT(n == (int)strlen(buf));
	TU_STREQ(small, "warn 0000");

	/* Names both ways. */
	for (int t = 0; t < VT_EV_COUNT; t++)
		CU_ASSERT(vt_event_type_from_name(vt_event_name((enum vt_ev_type)t)) == t);
	CU_ASSERT(vt_event_type_from_name("mapped") == -1);
	for (unsigned i = 0; i < VPCI_NBARS; i++)
		CU_ASSERT(vt_bar_from_name(vt_bar_name(i)) == (int)i);
	TU_STREQ(vt_bar_name(VT_BAR_ROM), "rom");
	CU_ASSERT(vt_bar_from_name("bar6") == -1);
	CU_ASSERT(vt_bar_from_name("BAR0") == -1);
}

static void test_event_parse_bad(void)
{
	static const char *const bad[] = {
		"",
		"   ",
		"# comment",
		"nonsense 0000:00:02.0 bar0",
		"mapped 0000:00:02.0 bar0 mem 0x1000-0x1fff",
		"unexpected map 0000:00:02.0 bar0 mem 0x1000-0x1fff", /* not expectable */
		"missing map 0000:00:02.0 bar0 mem 0x1000-0x1fff",
		"sizing",
		"sizing 0000:00:02.0",
		"sizing 0000:00:02.0 bar6",
		"sizing 0000:00:20.0 bar0",
		"sizing 0000:00:02.0 bar0 extra",
		"map 0000:00:02.0 bar0 mem",
		"map 0000:00:02.0 bar0 ram 0x1000-0x1fff",
		"map 0000:00:02.0 bar0 mem 0x1fff-0x1000",
		"map 0000:00:02.0 bar0 mem 0x1000",
		"map 0000:00:02.0 bar0 mem 0x1000-0x1fff extra",
		"map 0000:00:02.0 mem 0x1000-0x1fff",
		"unmap 0000:00:02.0 bar0 io",
		"move 0000:00:02.0 bar0 0x0 0x1000",
		"move 0000:00:02.0 bar0 0x0 => 0x1000",
		"move 0000:00:02.0 bar0 0x0 ->",
		"move 0000:00:02.0 bar0 zero -> 0x1000",
		"move 0000:00:02.0 bar0 0x0 -> 0x1000 extra",
		"renumber 0000:00:1c.0 secondary 01->03",
		"renumber 0000:00:1c.0 secondary 01-03 subordinate 01->03",
		"renumber 0000:00:1c.0 secondary 01->100 subordinate 01->03",
		"renumber 0000:00:1c.0 primary 01->03 subordinate 01->03",
		"renumber 0000:00:1c.0 secondary 01->03 subordinate 01->zz",
		"renumber 0000:00:1c.0 secondary ->03 subordinate 01->03",
		"refuse 0000:00:02.0 bar0 0x1000-0x1fff ram 0x0-0xfff",
		"refuse 0000:00:02.0 bar0 0x1000-0x1fff dram 0x0-0xfff policy=strict",
		"refuse 0000:00:02.0 bar0 0x1000-0x1fff ram 0xfff-0x0 policy=strict",
		"refuse 0000:00:02.0 bar0 0x1000-0x1fff ram 0x0-0xfff policy=loose",
		"refuse 0000:00:02.0 bar0 0x1fff-0x1000 ram 0x0-0xfff policy=strict",
		"warn 0000:00:02.0 bar0 0x1000-0x1fff rmrr 0x0-0xfff strict",
		"mismatch 0000:00:02.0 reg 0x10 size 4 expected 0x1",
		"mismatch 0000:00:02.0 reg 0x10 size 4 wanted 0x1 got 0x2",
		"mismatch 0000:00:02.0 reg zz size 4 expected 0x1 got 0x2",
		"mismatch 0000:00:02.0 register 0x10 size 4 expected 0x1 got 0x2",
		"map 0000:00:02.0 bar0 mem 0x1000-0x1fff a b c d e f g h i j k l", /* > 16 fields */
	};
	char huge[400];

	for (size_t i = 0; i < VT_ARRAY_SIZE(bad); i++) {
		struct vt_event e;
		TU_CHECK(vt_event_parse(bad[i], &e) == -EINVAL, "parsed bad event '%s'", bad[i]);
	}
	memset(huge, 'a', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = 0;
	memcpy(huge, "sizing 0000:00:02.0 bar0 ", 25);
	CU_ASSERT(vt_event_parse(huge, &(struct vt_event){ 0 }) == -EINVAL);
}

struct order { int seen[8]; int n; };
static void sink_a(void *ctx, const struct vt_event *e) { struct order *o = ctx; o->seen[o->n++ % 8] = 1; }
static void sink_b(void *ctx, const struct vt_event *e) { struct order *o = ctx; o->seen[o->n++ % 8] = 2; }

static void test_event_bus(void)
{
	struct vt_events ev;
	struct order o = { { 0 }, 0 };
	struct vt_event e = { .type = VT_EV_MAP, .line = 1234 };

	vt_events_init(&ev);
	CU_ASSERT(vt_events_subscribe(&ev, sink_a, &o) == 0);
	CU_ASSERT(vt_events_subscribe(&ev, sink_b, &o) == 0);
	ev.line = 42;
	vt_events_emit(&ev, &e);
	CU_ASSERT(e.line == 42); /* stamped by the bus */
	CU_ASSERT(o.n == 2 && o.seen[0] == 1 && o.seen[1] == 2);
	CU_ASSERT(ev.count[VT_EV_MAP] == 1);
	vt_events_unsubscribe(&ev, sink_a, &o);
	e.type = VT_EV_UNMAP;
	vt_events_emit(&ev, &e);
	CU_ASSERT(o.n == 3 && o.seen[2] == 2);
	CU_ASSERT(ev.count[VT_EV_UNMAP] == 1 && ev.count[VT_EV_MAP] == 1);
	vt_events_unsubscribe(&ev, sink_a, &o); /* not subscribed: nothing happens */
	CU_ASSERT(ev.nsink == 1);
	for (unsigned i = 1; i < VT_EVENTS_MAX_SINKS; i++)
		CU_ASSERT(vt_events_subscribe(&ev, sink_a, &o) == 0);
	CU_ASSERT(vt_events_subscribe(&ev, sink_a, &o) == -ENOSPC);
	vt_events_emit(NULL, &e); /* no bus: ignored */
}

/* ---- trace lines ------------------------------------------------------ */

static int tparse(const char *text, struct vt_rec *r, struct vt_err *err)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s", text);
	return vt_trace_parse(buf, "t.trace", 7, r, err);
}

static void test_trace_kinds(void)
{
	struct vt_rec r;
	struct vt_err err = { "" };
	char line[] = "device 00:02.0";

	CU_ASSERT(tparse("", &r, &err) == 0 && r.kind == VT_REC_EMPTY);
	CU_ASSERT(tparse("   \t ", &r, &err) == 0 && r.kind == VT_REC_EMPTY);
	CU_ASSERT(tparse("# pio w 0xcf8 4 0", &r, &err) == 0 && r.kind == VT_REC_EMPTY);
	CU_ASSERT(tparse("  # indented comment", &r, &err) == 0 && r.kind == VT_REC_EMPTY);

	CU_ASSERT_FATAL(tparse("pio w 0xcf8 4 0x80001000", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_PIO && r.write && r.has_value && r.addr == 0xcf8 && r.size == 4 &&
		  r.value == 0x80001000);
	CU_ASSERT_FATAL(tparse("pio r 0xcfe 2", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_PIO && !r.write && !r.has_value && r.addr == 0xcfe && r.size == 2);
	CU_ASSERT_FATAL(tparse("pio r 3324 1 0xff # with comment", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_PIO && r.has_value && r.addr == 0xcfc && r.value == 0xff && r.size == 1);
	CU_ASSERT_FATAL(tparse("pio r 0xffff 4 0xffffffff", &r, &err) == 0);
	CU_ASSERT(r.addr == 0xffff && r.value == 0xffffffff);

	CU_ASSERT_FATAL(tparse("mmio r 0xe0010010 4 0xfe000000", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_MMIO && !r.write && r.has_value && r.addr == 0xe0010010 &&
		  r.value == 0xfe000000);
	CU_ASSERT_FATAL(tparse("mmio w 0xfffffffff0000000 8 0x1", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_MMIO && r.size == 8 && r.addr == 0xfffffffff0000000ull);

	CU_ASSERT_FATAL(tparse("cfg w 0000:03:00.1 0x104 2 0xabcd", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_CFG && r.write && r.addr == VT_SBDF(0, 3, 1) && r.reg == 0x104 &&
		  r.size == 2 && r.value == 0xabcd);
	CU_ASSERT_FATAL(tparse("cfg r 00:1f.7 0xfff 1", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_CFG && r.addr == VT_SBDF(0, 0, 0xff) && r.reg == 0xfff && !r.has_value);

	CU_ASSERT_FATAL(tparse("expect map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_EXPECT && r.expect.type == VT_EV_MAP &&
		  r.expect.range.base == 0xfe000000 && r.expect.range.last == 0xfe000fff);
	CU_ASSERT_FATAL(tparse("expect renumber 0000:00:1c.0 secondary 01->02 subordinate 01->02", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_EXPECT && r.expect.type == VT_EV_RENUMBER && r.expect.sec_new == 2);

	CU_ASSERT_FATAL(tparse("compare map unmap", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_COMPARE &&
		  r.compare_mask == ((1u << VT_EV_MAP) | (1u << VT_EV_UNMAP)));
	CU_ASSERT_FATAL(tparse("compare sizing map unmap move renumber refuse warn", &r, &err) == 0);
	CU_ASSERT(r.compare_mask == (1u << VT_EV_MISMATCH) - 1);

	/* Tabs separate fields as spaces do. */
	CU_ASSERT_FATAL(tparse("pio\tr\t0xcfc\t4", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_PIO && r.addr == 0xcfc && r.size == 4);
	CU_ASSERT_FATAL(tparse("cfg\tw 00:02.0 0x4\t2 0x6", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_CFG && r.write && r.value == 6);
	CU_ASSERT_FATAL(tparse("expect\tsizing 0000:00:02.0 bar0", &r, &err) == 0);
	CU_ASSERT(r.kind == VT_REC_EXPECT && r.expect.type == VT_EV_SIZING);

	/* Machine lines are handed back untouched. */
	CU_ASSERT(vt_trace_parse(line, "t", 1, &r, &err) == 0 && r.kind == VT_REC_OTHER);
	TU_STREQ(line, "device 00:02.0");
	CU_ASSERT(tparse("00: 86 80 34 12", &r, &err) == 0 && r.kind == VT_REC_OTHER);
	CU_ASSERT(tparse("piox r 0xcfc 4", &r, &err) == 0 && r.kind == VT_REC_OTHER);
	CU_ASSERT(tparse("ram 0x0-0xfff", &r, &err) == 0 && r.kind == VT_REC_OTHER);
}

static void test_trace_malformed(void)
{
	static const struct { const char *line, *msg; } bad[] = {
		{ "pio", "t.trace:7: expected 'pio r|w PORT SIZE [VALUE]'" },
		{ "pio r", "t.trace:7: expected 'pio r|w PORT SIZE [VALUE]'" },
		{ "pio r 0xcfc", "t.trace:7: expected 'pio r|w PORT SIZE [VALUE]'" },
		{ "pio x 0xcfc 4", "t.trace:7: expected 'pio r|w PORT SIZE [VALUE]'" },
		{ "pio read 0xcfc 4", "t.trace:7: expected 'pio r|w PORT SIZE [VALUE]'" },
		{ "pio r 0xcfc 4 0x1 0x2", "t.trace:7: expected 'pio r|w PORT SIZE [VALUE]'" },
		{ "pio r 0x10000 4", "t.trace:7: bad port '0x10000'" },
		{ "pio r port 4", "t.trace:7: bad port 'port'" },
		{ "pio r 0xcfc 3", "t.trace:7: bad size '3' (1, 2 or 4)" },
		{ "pio r 0xcfc 0", "t.trace:7: bad size '0' (1, 2 or 4)" },
		{ "pio r 0xcfc 8", "t.trace:7: bad size '8' (1, 2 or 4)" },
		{ "pio r 0xcfc four", "t.trace:7: bad size 'four' (1, 2 or 4)" },
		{ "pio w 0xcfc 4", "t.trace:7: a write needs a VALUE" },
		{ "pio w 0xcfc 4 0x100000000", "t.trace:7: bad value '0x100000000'" },
		{ "pio r 0xcfc 4 x", "t.trace:7: bad value 'x'" },
		{ "mmio", "t.trace:7: expected 'mmio r|w ADDR SIZE [VALUE]'" },
		{ "mmio r 0xe0000000", "t.trace:7: expected 'mmio r|w ADDR SIZE [VALUE]'" },
		{ "mmio r addr 4", "t.trace:7: bad address 'addr'" },
		{ "mmio r 0xe0000000 16", "t.trace:7: bad size '16' (1, 2 or 4)" },
		{ "mmio w 0xe0000000 4", "t.trace:7: a write needs a VALUE" },
		{ "mmio w 0xe0000000 4 -1", "t.trace:7: bad value '-1'" },
		{ "cfg", "t.trace:7: expected 'cfg r|w SBDF REG SIZE [VALUE]'" },
		{ "cfg r 00:02.0 0x10", "t.trace:7: expected 'cfg r|w SBDF REG SIZE [VALUE]'" },
		{ "cfg r 00:02.0 0x10 4 1 2", "t.trace:7: expected 'cfg r|w SBDF REG SIZE [VALUE]'" },
		{ "cfg r 00:20.0 0x10 4", "t.trace:7: bad SBDF '00:20.0'" },
		{ "cfg r 0x10 0x10 4", "t.trace:7: bad SBDF '0x10'" },
		{ "cfg r 00:02.0 0x1000 4", "t.trace:7: bad register '0x1000'" },
		{ "cfg r 00:02.0 reg 4", "t.trace:7: bad register 'reg'" },
		{ "cfg r 00:02.0 0x10 8", "t.trace:7: bad size '8' (1, 2 or 4)" },
		{ "cfg w 00:02.0 0x10 4", "t.trace:7: a write needs a VALUE" },
		{ "expect", "t.trace:7: bad event in expect line" },
		{ "expect mapp 0000:00:02.0 bar0 mem 0x0-0x1", "t.trace:7: bad event in expect line" },
		{ "expect map 0000:00:02.0 bar0 mem", "t.trace:7: bad event in expect line" },
		{ "expect mismatch 0000:00:02.0 reg 0x0 size 4 expected 0x1", "t.trace:7: bad event in expect line" },
		{ "compare", "t.trace:7: compare needs event kinds" },
		{ "compare map mapped", "t.trace:7: unknown event kind 'mapped'" },
		{ "compare mismatch", "t.trace:7: unknown event kind 'mismatch'" },
		{ "compare missing", "t.trace:7: unknown event kind 'missing'" },
		{ "pio r 0xcfc 4 a b c d e f g h i j k l m n", "t.trace:7: too many fields" },
	};

	for (size_t i = 0; i < VT_ARRAY_SIZE(bad); i++) {
		struct vt_rec r;
		struct vt_err err = { "" };
		int rc = tparse(bad[i].line, &r, &err);
		TU_CHECK(rc == -EINVAL, "'%s' parsed (rc %d, kind %d)", bad[i].line, rc, r.kind);
		TU_CHECK(!strcmp(err.msg, bad[i].msg), "'%s': message '%s', want '%s'", bad[i].line,
			 err.msg, bad[i].msg);
	}
}

static void test_trace_write(void)
{
	static const char *const lines[] = {
		"pio w 0xcf8 4 0x80001010",
		"pio r 0xcfe 2",
		"pio r 0xcfc 1 0xff",
		"mmio r 0xe0010010 4 0xfe000000",
		"mmio w 0xe00f8004 2 0x6",
		"cfg w 0000:03:00.1 0x104 2 0xabcd",
		"cfg r 0001:00:1f.7 0xfff 1",
		"expect map 0000:00:02.0 bar0 mem 0xfe000000-0xfe000fff",
		"expect renumber 0000:00:1c.0 secondary 01->02 subordinate 01->05",
		"compare map unmap refuse",
	};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CU_ASSERT_FATAL(f != NULL);
	for (size_t i = 0; i < VT_ARRAY_SIZE(lines); i++) {
		struct vt_rec r;
		struct vt_err err;
		CU_ASSERT_FATAL(tparse(lines[i], &r, &err) == 0);
		CU_ASSERT(vt_trace_write(f, &r) == 0);
	}
	/* Empty and other records write nothing. */
	CU_ASSERT(vt_trace_write(f, &(struct vt_rec){ .kind = VT_REC_EMPTY }) == 0);
	CU_ASSERT(vt_trace_write(f, &(struct vt_rec){ .kind = VT_REC_OTHER }) == 0);
	fclose(f);
	char *p = out;
	for (size_t i = 0; i < VT_ARRAY_SIZE(lines); i++) {
		char *nl = strchr(p, '\n');
		CU_ASSERT_FATAL(nl != NULL);
		*nl = 0;
		TU_STREQ(p, lines[i]);
		p = nl + 1;
	}
	TU_STREQ(p, "");
	free(out);
}

/* The text forms as printf spells them: the oracle for vt_event_format, which does not use it. */
static int ref_format(const struct vt_event *e, char *buf, size_t len)
{
	static const char *const conflict[] = { "ram", "reserved", "rmrr" };
	char s[16], r[48], c[48];
	const char *bar = vt_bar_name(e->bar), *name = vt_event_name(e->type);

	snprintf(s, sizeof(s), "%04x:%02x:%02x.%x", VT_SBDF_SEG(e->sbdf), VT_SBDF_BUS(e->sbdf),
		 VT_SBDF_DEVFN(e->sbdf) >> 3, VT_SBDF_DEVFN(e->sbdf) & 7);
	snprintf(r, sizeof(r), "0x%llx-0x%llx", (unsigned long long)e->range.base,
		 (unsigned long long)e->range.last);
	snprintf(c, sizeof(c), "0x%llx-0x%llx", (unsigned long long)e->conflict_range.base,
		 (unsigned long long)e->conflict_range.last);
	switch (e->type) {
	case VT_EV_SIZING:
		return snprintf(buf, len, "sizing %s %s", s, bar);
	case VT_EV_MAP:
	case VT_EV_UNMAP:
		return snprintf(buf, len, "%s %s %s %s %s", name, s, bar, e->space == VT_SPACE_IO ? "io" : "mem", r);
	case VT_EV_MOVE:
		return snprintf(buf, len, "move %s %s 0x%llx -> 0x%llx", s, bar, (unsigned long long)e->old_base,
				(unsigned long long)e->new_base);
	case VT_EV_RENUMBER:
		return snprintf(buf, len, "renumber %s secondary %02x->%02x subordinate %02x->%02x", s, e->sec_old,
				e->sec_new, e->sub_old, e->sub_new);
	case VT_EV_REFUSE:
	case VT_EV_WARN:
		return snprintf(buf, len, "%s %s %s %s %s %s policy=%s", name, s, bar, r, conflict[e->conflict % 3], c,
				e->policy == VT_POLICY_RELAXED ? "relaxed" : "strict");
	case VT_EV_MISMATCH:
		return snprintf(buf, len, "mismatch %s reg 0x%x size %u expected 0x%x got 0x%x", s, e->reg, e->size,
				e->expected, e->got);
	default:
		return -1;
	}
}

/* Random numbers of every width: a few bits, all 64, and the edges. */
static uint64_t any_u64(uint64_t *seed)
{
	uint64_t v = tu_rand(seed);

	switch (v & 7) {
	case 0: return 0;
	case 1: return UINT64_MAX;
	case 2: return v >> 60;
	default: return v >> (v >> 58 & 63);
	}
}

/* 20,000 random events of every kind, and every buffer length up to past the end. */
static void test_event_format_oracle(void)
{
	uint64_t seed = 0x5eed;
	unsigned bad = 0;

	for (int i = 0; i < 20000 && bad < 5; i++) {
		struct vt_event e = {
			.type = (enum vt_ev_type)(i % (VT_EV_MISMATCH + 1)),
			.sbdf = (uint32_t)tu_rand(&seed), .bar = (uint8_t)(tu_rand(&seed) % 8),
			.space = tu_rand(&seed) & 1 ? VT_SPACE_IO : VT_SPACE_MEM,
			.range = { any_u64(&seed), any_u64(&seed) }, .old_base = any_u64(&seed),
			.new_base = any_u64(&seed), .sec_old = (uint8_t)tu_rand(&seed),
			.sec_new = (uint8_t)tu_rand(&seed), .sub_old = (uint8_t)tu_rand(&seed),
			.sub_new = (uint8_t)tu_rand(&seed), .conflict = (enum vt_conflict)(tu_rand(&seed) % 3),
			.conflict_range = { any_u64(&seed), any_u64(&seed) },
			.policy = tu_rand(&seed) & 1 ? VT_POLICY_RELAXED : VT_POLICY_STRICT,
			.reg = (uint16_t)any_u64(&seed), .size = (uint8_t)tu_rand(&seed),
			.expected = (uint32_t)any_u64(&seed), .got = (uint32_t)any_u64(&seed),
		};
		char want[256], got[256];
		int nw = ref_format(&e, want, sizeof(want));
		size_t len = i < 200 ? (size_t)i % (nw + 2) : sizeof(got);
		int ng = vt_event_format(&e, got, len ? len : 1);

		ref_format(&e, want, len ? len : 1);
		if (ng != nw || strcmp(got, want)) {
			TU_CHECK(false, "event %d, buffer %zu: '%s' (%d), printf gives '%s' (%d)", i, len, got, ng,
				 want, nw);
			bad++;
		}
	}
}

static CU_TestInfo numbers_tests[] = {
	{ "parse u64", test_parse_u64 },
	{ "parse hex", test_parse_hex },
	{ "ranges", test_ranges },
	{ "sbdf", test_sbdf },
	{ "errors", test_errors },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo text_tests[] = {
	{ "tokenize", test_tokenize },
	{ "lines: CRLF, empty, no final newline", test_lines_crlf },
	{ "lines: 3 MiB line, missing file", test_lines_long },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo event_tests[] = {
	{ "round trip of every kind", test_event_round_trip },
	{ "format from code", test_event_format },
	{ "format = printf's, 20,000 random events", test_event_format_oracle },
	{ "malformed event text", test_event_parse_bad },
	{ "bus: sinks, counts, line stamps", test_event_bus },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo trace_tests[] = {
	{ "every line kind", test_trace_kinds },
	{ "every malformed form", test_trace_malformed },
	{ "write round trip", test_trace_write },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "common: numbers", NULL, NULL, NULL, NULL, numbers_tests },
	{ "common: text", NULL, NULL, NULL, NULL, text_tests },
	{ "common: events", NULL, NULL, NULL, NULL, event_tests },
	{ "common: trace lines", NULL, NULL, NULL, NULL, trace_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return tu_main(suites);
}
