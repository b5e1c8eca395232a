/*
 * tests/test_lspci.c - lspci dumps as machines (vpci/lspci.c, lspci_topo.c).
 *
 * Every real dump of tests/data/lspci is held against what the real lspci
 * says about it: tests/data/lspci-expected/NAME.exp, written by regen.sh
 * from `lspci -F` (functions, a checksum of the bytes `lspci -xxxx`
 * re-dumps, bridges' bus numbers, BAR and ROM addresses) and from the file's
 * own -vvv text (sizes). libpci rejects three of the dumps; for those
 * regen.sh ran lspci on a copy with exactly the defect cut out (an over-long
 * header description; stderr text glued to a hex row), which is what this
 * loader is meant to keep. Counts are also checked against the table of
 * tests/data/README-data.md, which was written independently of both.
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../vpci/vpci.h"
#include "core_util.h"

#define DATA TOP_SRCDIR "/tests/data"

struct exp {
	unsigned devices, nfn, nbr, nbar, nrom, nsize;
	bool repaired;
	struct { uint32_t sbdf; unsigned len; uint32_t crc; } fn[256];
	struct { uint32_t sbdf; unsigned pri, sec, sub; } br[64];
	struct { uint32_t sbdf; unsigned idx; bool io, unassigned; uint64_t addr; } bar[512];
	struct { uint32_t sbdf; uint64_t addr; } rom[64];
	struct { uint32_t sbdf; unsigned idx; uint64_t size; } size[512];
};

static char names[32][64];
static size_t nnames;
static struct exp ex;

/* POSIX cksum(1): CRC-32 (0x04c11db7, MSB first) over data, then length. */
static uint32_t posix_cksum(const uint8_t *p, size_t n)
{
	uint32_t crc = 0;
	size_t len = n;

	for (size_t i = 0; i < n + 8 && (i < n || len); i++) {
		uint8_t b = i < n ? p[i] : (uint8_t)len;

		if (i >= n)
			len >>= 8;
		crc ^= (uint32_t)b << 24;
		for (int k = 0; k < 8; k++)
			crc = crc & 0x80000000u ? crc << 1 ^ 0x04c11db7u : crc << 1;
	}
	return ~crc;
}

static int load_exp(const char *name, struct exp *e)
{
	char path[512], line[512], dev[32], a[32];
	unsigned x, y, z;
	FILE *f;

	memset(e, 0, sizeof(*e));
	snprintf(path, sizeof(path), DATA "/lspci-expected/%s.exp", name);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f)) {
		uint32_t s = 0;
		unsigned long long v;

		if (sscanf(line, "%*s %31s", dev) == 1)
			vt_parse_sbdf(dev, &s);
		if (strstr(line, "# libpci rejects"))
			e->repaired = true;
		else if (sscanf(line, "devices %u", &x) == 1)
			e->devices = x;
		else if (sscanf(line, "fn %*s %u %u", &x, &y) == 2 && e->nfn < 256)
			e->fn[e->nfn].sbdf = s, e->fn[e->nfn].len = x, e->fn[e->nfn++].crc = y;
		else if (sscanf(line, "bridge %*s %x %x %x", &x, &y, &z) == 3 && e->nbr < 64)
			e->br[e->nbr].sbdf = s, e->br[e->nbr].pri = x, e->br[e->nbr].sec = y,
			e->br[e->nbr++].sub = z;
		else if (sscanf(line, "bar %*s %u %31s %31s", &x, dev, a) == 3 && e->nbar < 512) {
			e->bar[e->nbar].sbdf = s;
			e->bar[e->nbar].idx = x;
			e->bar[e->nbar].io = !strcmp(dev, "io");
			e->bar[e->nbar].unassigned = a[0] == '<';
			e->bar[e->nbar++].addr = strtoull(a, NULL, 16);
		} else if (sscanf(line, "rom %*s %31s", a) == 1 && e->nrom < 64)
			e->rom[e->nrom].sbdf = s, e->rom[e->nrom++].addr = strtoull(a, NULL, 16);
		else if (sscanf(line, "size %*s %31s %llu", a, &v) == 2 && e->nsize < 512) {
			e->size[e->nsize].sbdf = s;
			e->size[e->nsize].idx = strcmp(a, "rom") ? (unsigned)atoi(a) : VT_BAR_ROM;
			e->size[e->nsize++].size = v;
		}
	}
	fclose(f);
	return 0;
}

/* The README-data.md table row of a dump: functions, 4 KiB, sizes. */
static int readme_row(const char *name, unsigned *fns, unsigned *k4, unsigned *sizes)
{
	char line[2048], key[80];
	FILE *f = fopen(DATA "/README-data.md", "r");
	int r = -1;

	snprintf(key, sizeof(key), "| %s.txt |", name);
	while (f && r && fgets(line, sizeof(line), f)) {
		char *p = line;

		if (strncmp(line, key, strlen(key)))
			continue;
		for (int i = 0; i < 2 && p; i++)
			p = strchr(p + 1, '|');
		if (p && sscanf(p, "| %u | %u | %u |", fns, k4, sizes) == 3)
			r = 0;
	}
	if (f)
		fclose(f);
	return r;
}

static struct vpci_dump_fn *find(const struct vpci_dump *d, uint32_t sbdf)
{
	for (size_t i = 0; i < d->n; i++)
		if (VT_SBDF(d->fn[i].seg, d->fn[i].bus, d->fn[i].devfn) == sbdf)
			return &d->fn[i];
	return NULL;
}

static uint32_t reg32(const struct vpci_dump_fn *f, unsigned off)
{
	return vt_le_get(f->cfg + off, 4);
}

static unsigned nbars(const struct vpci_dump_fn *f)
{
	unsigned t = f->cfg[0x0e] & 0x7f;

	return t == 0 ? 6 : t == 1 ? 2 : t == 2 ? 1 : 0;
}

/* Is register i the upper half of the 64-bit BAR below it? */
static bool upper_half(const struct vpci_dump_fn *f, unsigned i)
{
	for (unsigned b = 0; b < i; b++) {
		uint32_t r = reg32(f, 0x10 + 4 * b);

		if (r == 0xffffffffu || (r & 1) || ((r >> 1) & 3) != 2)
			continue;
		if (b + 1 == i)
			return true;
		b++;
	}
	return false;
}

/* An assertion that says which dump failed; cond is evaluated once. */
#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		bool ok_ = (cond);                                                         \
		CU_ASSERT(ok_);                                                            \
		if (!ok_)                                                                  \
			fprintf(stderr, "\n  %s: ", name), fprintf(stderr, __VA_ARGS__);  \
	} while (0)

static int parse_real(const char *name, struct vpci_dump *d)
{
	char path[512];
	struct vt_err err = { { 0 } };
	int r;

	snprintf(path, sizeof(path), DATA "/lspci/%s.txt", name);
	r = vpci_dump_parse(path, d, &err);
	CHECK(r == 0, "parse: %s\n", err.msg);
	CHECK(load_exp(name, &ex) == 0 && ex.devices, "no expectations; run regen.sh\n");
	return r;
}

/* Functions and their bytes: lspci -xxxx re-dumps exactly what we hold. */
static void test_real_hex(void)
{
	for (size_t k = 0; k < nnames; k++) {
		const char *name = names[k];
		struct vpci_dump d;
		unsigned fns = 0, k4 = 0, sizes = 0, n4 = 0;

		if (parse_real(name, &d))
			continue;
		CHECK(d.n == ex.devices && ex.nfn == ex.devices, "%zu functions, lspci %u\n", d.n,
		      ex.devices);
		for (unsigned i = 0; i < ex.nfn; i++) {
			struct vpci_dump_fn *f = find(&d, ex.fn[i].sbdf);

			CHECK(f != NULL, "function %x missing\n", ex.fn[i].sbdf);
			if (!f)
				continue;
			CHECK(f->cfg_len == ex.fn[i].len && posix_cksum(f->cfg, f->cfg_len) == ex.fn[i].crc,
			      "%x: %u bytes differ from lspci's %u\n", ex.fn[i].sbdf, f->cfg_len,
			      ex.fn[i].len);
			n4 += f->cfg_len == VPCI_CFG_SIZE;
		}
		CHECK(readme_row(name, &fns, &k4, &sizes) == 0, "no README row\n");
		CHECK(d.n == fns && n4 == k4, "README: %u functions, %u with 4 KiB\n", fns, k4);
		/* Files libpci rejects must have been noticed, but loaded. */
		CHECK(!ex.repaired || d.nwarn > 0, "defect not counted\n");
		vpci_dump_free(&d);
	}
}

/* Bus numbers of every bridge lspci shows (type 1 and CardBus). */
static void test_real_bridges(void)
{
	for (size_t k = 0; k < nnames; k++) {
		const char *name = names[k];
		struct vpci_dump d;
		unsigned nbr = 0;

		if (parse_real(name, &d))
			continue;
		for (size_t i = 0; i < d.n; i++)
			nbr += (d.fn[i].cfg[0x0e] & 0x7f) == 1 || (d.fn[i].cfg[0x0e] & 0x7f) == 2;
		CHECK(nbr == ex.nbr, "%u bridges, lspci %u\n", nbr, ex.nbr);
		for (unsigned i = 0; i < ex.nbr; i++) {
			struct vpci_dump_fn *f = find(&d, ex.br[i].sbdf);

			CHECK(f && f->cfg[0x18] == ex.br[i].pri && f->cfg[0x19] == ex.br[i].sec &&
				      f->cfg[0x1a] == ex.br[i].sub,
			      "bridge %x bus numbers\n", ex.br[i].sbdf);
		}
		vpci_dump_free(&d);
	}
}

/* Decode BAR i as lspci does; false when lspci would not list it. */
static bool bar_addr(const struct vpci_dump_fn *f, unsigned i, bool *io, uint64_t *addr)
{
	uint32_t r = reg32(f, 0x10 + 4 * i);

	if (r == 0xffffffffu || r == 0)
		return false;
	*io = r & 1;
	*addr = *io ? r & ~3u : r & ~0xfu;
	if (!*io && ((r >> 1) & 3) == 2 && i + 1 < nbars(f))
		*addr |= (uint64_t)reg32(f, 0x14 + 4 * i) << 32;
	return true;
}

static void check_bars(const char *name, const struct vpci_dump *d)
{
	unsigned ours = 0, theirs = 0;

	for (unsigned i = 0; i < ex.nbar; i++) {
		struct vpci_dump_fn *f = find(d, ex.bar[i].sbdf);
		bool io = false;
		uint64_t a = 0;

		if (!f)
			continue;
		/*
		 * lspci 3.9 -F lists the upper half of a 64-bit BAR whose upper
		 * dword is not 0 once more, at "<unassigned>" or 0: not a BAR.
		 */
		if (upper_half(f, ex.bar[i].idx)) {
			CHECK(ex.bar[i].unassigned || !ex.bar[i].addr, "%x bar%u\n", ex.bar[i].sbdf,
			      ex.bar[i].idx);
			continue;
		}
		theirs++;
		CHECK(bar_addr(f, ex.bar[i].idx, &io, &a) && io == ex.bar[i].io &&
			      a == (ex.bar[i].unassigned ? 0 : ex.bar[i].addr),
		      "%x bar%u at %llx, lspci %llx\n", ex.bar[i].sbdf, ex.bar[i].idx,
		      (unsigned long long)a, (unsigned long long)ex.bar[i].addr);
	}
	for (size_t i = 0; i < d->n; i++)
		for (unsigned b = 0; b < nbars(&d->fn[i]); b++) {
			bool io;
			uint64_t a;

			ours += !upper_half(&d->fn[i], b) && bar_addr(&d->fn[i], b, &io, &a);
		}
	CHECK(ours == theirs, "%u BARs, lspci %u\n", ours, theirs);
}

static void test_real_bars(void)
{
	for (size_t k = 0; k < nnames; k++) {
		const char *name = names[k];
		struct vpci_dump d;
		unsigned nrom = 0;

		if (parse_real(name, &d))
			continue;
		check_bars(name, &d);
		for (unsigned i = 0; i < ex.nrom; i++) {
			struct vpci_dump_fn *f = find(&d, ex.rom[i].sbdf);
			unsigned off = f && (f->cfg[0x0e] & 0x7f) == 1 ? 0x38 : 0x30;

			CHECK(f && (reg32(f, off) & ~0x7ffu) == ex.rom[i].addr, "%x rom\n", ex.rom[i].sbdf);
		}
		for (size_t i = 0; i < d.n; i++) {
			unsigned t = d.fn[i].cfg[0x0e] & 0x7f;
			uint32_t r = t == 0 ? reg32(&d.fn[i], 0x30) : t == 1 ? reg32(&d.fn[i], 0x38) : 0;

			nrom += r != 0 && r != 0xffffffffu;
		}
		CHECK(nrom == ex.nrom, "%u ROMs, lspci %u\n", nrom, ex.nrom);
		vpci_dump_free(&d);
	}
}

static void check_sizes(const char *name, const struct vpci_dump *d, unsigned readme)
{
	unsigned nbar = 0, nexp = 0, nall = 0;

	for (unsigned i = 0; i < ex.nsize; i++) {
		struct vpci_dump_fn *f = find(d, ex.size[i].sbdf);

		CHECK(f && f->bar_size[ex.size[i].idx] == ex.size[i].size, "%x size of %u\n",
		      ex.size[i].sbdf, ex.size[i].idx);
		nexp += ex.size[i].idx != VT_BAR_ROM;
	}
	for (size_t i = 0; i < d->n; i++)
		for (unsigned b = 0; b < VPCI_NBARS; b++) {
			nall += d->fn[i].bar_size[b] != 0;
			nbar += b != VT_BAR_ROM && d->fn[i].bar_size[b] != 0;
		}
	CHECK(nall == ex.nsize && nbar == nexp && nbar == readme,
	      "%u sizes (%u BARs), text %u (%u), README %u\n", nall, nbar, ex.nsize, nexp, readme);
}

/* Sizes from the same file, and the same again given with --sizes. */
static void test_real_sizes(void)
{
	for (size_t k = 0; k < nnames; k++) {
		const char *name = names[k];
		char path[512], cmd[1536], hex[] = "/tmp/lspci-hex-XXXXXX", txt[] = "/tmp/lspci-txt-XXXXXX";
		struct vpci_dump d, h;
		struct vt_err err = { { 0 } };
		unsigned fns, k4, sizes = 0;
		int fh = mkstemp(hex), ft = mkstemp(txt);

		if (parse_real(name, &d))
			continue;
		readme_row(name, &fns, &k4, &sizes);
		check_sizes(name, &d, sizes);
		/* Split the file into its hex and its text, as two lspci runs would give. */
		CU_ASSERT_FATAL(snprintf(path, sizeof(path), DATA "/lspci/%s.txt", name) < (int)sizeof(path));
		snprintf(cmd, sizeof(cmd), "grep -v '^\t' %s > %s && grep -v '^[0-9a-f]*: ' %s > %s", path,
			 hex, path, txt);
		CU_ASSERT_FATAL(fh >= 0 && ft >= 0 && system(cmd) == 0);
		CHECK(vpci_dump_parse(hex, &h, &err) == 0, "%s\n", err.msg);
		for (size_t i = 0; i < h.n; i++)
			CHECK(!h.fn[i].have_sizes, "sizes without text\n");
		CHECK(vpci_dump_sizes(txt, &h, &err) == 0, "--sizes: %s\n", err.msg);
		check_sizes(name, &h, sizes);
		vpci_dump_free(&h);
		vpci_dump_free(&d);
		close(fh), close(ft), unlink(hex), unlink(txt);
	}
}

/* The path lspci's bus numbers give a function: found independently here. */
static void expect_path(uint32_t sbdf, char *out, size_t len, int depth)
{
	char up[VPCI_PATH_MAX];

	for (unsigned i = 0; i < ex.nbr && depth < 32; i++)
		if (VT_SBDF_SEG(ex.br[i].sbdf) == VT_SBDF_SEG(sbdf) &&
		    ex.br[i].sec == VT_SBDF_BUS(sbdf) && ex.br[i].sec && (ex.br[i].sbdf >> 8 & 0xff) != ex.br[i].sec) {
			expect_path(ex.br[i].sbdf, up, sizeof(up), depth + 1);
			if (snprintf(out, len, "%s/%02x.%x", up, (sbdf >> 3) & 0x1f, sbdf & 7) >= (int)len)
				out[0] = 0;
			return;
		}
	if (VT_SBDF_SEG(sbdf))
		snprintf(out, len, "%04x:", VT_SBDF_SEG(sbdf));
	else
		out[0] = 0;
	snprintf(out + strlen(out), len - strlen(out), "%02x:%02x.%x", VT_SBDF_BUS(sbdf),
		 (sbdf >> 3) & 0x1f, sbdf & 7);
}

/* Devices were added with each bridge before what is behind it. */
static bool bridges_first(const struct vpci_machine *m)
{
	for (size_t i = 0; i < vpci_machine_ndev(m); i++) {
		char up[VPCI_PATH_MAX], *slash;
		bool seen = false;

		snprintf(up, sizeof(up), "%s", vpci_dev_path(vpci_machine_dev(m, i)));
		if (!(slash = strrchr(up, '/')))
			continue;
		*slash = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(vpci_dev_path(vpci_machine_dev(m, j)), up);
		if (!seen)
			return false;
	}
	return true;
}

/* The dump as a machine: every function at its path, reachable by its BDF. */
static void test_real_machine(void)
{
	for (size_t k = 0; k < nnames; k++) {
		const char *name = names[k];
		struct vpci_dump d;
		struct vt_events ev;
		struct map_record rec = { 0 };
		struct vt_err err = { { 0 } };
		struct vpci_machine *m;

		if (parse_real(name, &d))
			continue;
		vt_events_init(&ev);
		m = vpci_machine_create(&ev, &map_ops_record, &rec);
		CU_ASSERT_FATAL(m != NULL);
		CHECK(vpci_dump_to_machine(&d, m, name, &err) == 0, "%s\n", err.msg);
		CHECK(vpci_machine_finish(m, &err) == 0, "finish: %s\n", err.msg);
		CHECK(vpci_machine_ndev(m) == ex.devices, "%zu devices\n", vpci_machine_ndev(m));
		CHECK(bridges_first(m), "a device was added before its bridge\n");
		for (unsigned i = 0; i < ex.nfn; i++) {
			char path[VPCI_PATH_MAX];
			struct vpci_dev *dev;
			struct vpci_dump_fn *f = find(&d, ex.fn[i].sbdf);
			uint32_t sbdf = 0;

			expect_path(ex.fn[i].sbdf, path, sizeof(path), 0);
			dev = vpci_dev_by_path(m, path);
			CHECK(dev && vpci_dev_sbdf(dev, &sbdf) && sbdf == ex.fn[i].sbdf,
			      "%s not at %x\n", path, ex.fn[i].sbdf);
			CHECK(f && vpci_cfg_read(m, ex.fn[i].sbdf, 0, 4) == reg32(f, 0),
			      "%s: IDs not read back\n", path);
		}
		vpci_machine_destroy(m);
		free(rec.call);
		vpci_dump_free(&d);
	}
}

/* tests/test_lspci_cases.c: -vvv text and hand-made malformed dumps. */
extern CU_TestInfo vvv_tests[], bad_tests[];

static int init_names(void)
{
	DIR *dir = opendir(DATA "/lspci");
	struct dirent *de;

	while (dir && (de = readdir(dir)))
		if (strlen(de->d_name) > 4 && strlen(de->d_name) < 64 &&
		    !strcmp(de->d_name + strlen(de->d_name) - 4, ".txt") && nnames < 32) {
			snprintf(names[nnames], sizeof(names[0]), "%.*s",
				 (int)strlen(de->d_name) - 4, de->d_name);
			nnames++;
		}
	if (dir)
		closedir(dir);
	qsort(names, nnames, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
	return nnames == 12 ? 0 : -1;
}

static CU_TestInfo real_tests[] = {
	{ "functions and bytes as lspci -xxxx", test_real_hex },
	{ "bridge bus numbers as lspci", test_real_bridges },
	{ "BAR and ROM addresses as lspci", test_real_bars },
	{ "BAR sizes from -vvv text and --sizes", test_real_sizes },
	{ "dumps as machines: paths and routing", test_real_machine },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "lspci real dumps", init_names, NULL, NULL, NULL, real_tests },
	{ "lspci -vvv text", NULL, NULL, NULL, NULL, vvv_tests },
	{ "lspci malformed dumps", NULL, NULL, NULL, NULL, bad_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return tu_main(suites);
}
