/*
 * fuzz/fuzz_lspci.c - lspci dumps (-xxx, -xxxx, -vvvxxxx) and a separate
 * -vvv sizes text, through vpci/lspci.c and on into a machine.
 *
 * The input is the dump; if it holds a line "%%sizes", what follows is
 * given as the --sizes file. A dump that parses is turned into a machine,
 * finished, and every function read back at its SBDF.
 *
 * Checks: errors name the file; a parsed dump has sane functions (config
 * bytes within 4096, BAR sizes powers of two); a machine built from it
 * routes every reachable function to itself, and written back as a machine
 * file (vpci_machine_write) loads again as the same machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vpci/vpci.h"
#include "harness.h"

const char fuzz_name[] = "fuzz_lspci";

static struct fz_file dump, sizes;

void fuzz_init(void)
{
	if (fz_file_open(&dump, "dump") || fz_file_open(&sizes, "sizes"))
		abort();
}

static void check_err(int rc, const struct vt_err *err, const char *path)
{
	if (fz_verbose)
		fprintf(stderr, "  error: %s\n", err->msg);
	FZ_CHECK(rc < 0, "error code %d is not a negative errno", rc);
	FZ_CHECK(!strncmp(err->msg, path, strlen(path)) || strstr(err->msg, "out of memory"),
		 "error message does not name the file: '%s'", err->msg);
}

static void check_dump(const struct vpci_dump *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct vpci_dump_fn *f = &d->fn[i];
		FZ_CHECK(f->cfg_len <= VPCI_CFG_SIZE, "function %zu: cfg_len %u", i, f->cfg_len);
		for (unsigned b = 0; b < VPCI_NBARS; b++)
			FZ_CHECK(!(f->bar_size[b] & (f->bar_size[b] - 1)),
				 "function %zu: %s size 0x%llx is not a power of two", i, vt_bar_name(b),
				 (unsigned long long)f->bar_size[b]);
	}
}

static void compare_dev(struct vpci_machine *m, struct vpci_dev *d, struct vpci_machine *m2)
{
	struct vpci_dev *d2 = vpci_dev_by_path(m2, vpci_dev_path(d));
	uint32_t a = 0, b = 0;
	bool ra = vpci_dev_sbdf(d, &a), rb;

	FZ_CHECK(d2, "round trip: %s is missing", vpci_dev_path(d));
	rb = vpci_dev_sbdf(d2, &b);
	FZ_CHECK(ra == rb && a == b, "round trip: %s at %05x, reloaded at %05x", vpci_dev_path(d), a, b);
	for (unsigned reg = 0; ra && reg < VPCI_CFG_SIZE; reg += 4)
		FZ_CHECK(vpci_cfg_read(m, a, reg, 4) == vpci_cfg_read(m2, a, reg, 4),
			 "round trip: %s reg 0x%03x reads 0x%08x, reloaded 0x%08x", vpci_dev_path(d), reg,
			 vpci_cfg_read(m, a, reg, 4), vpci_cfg_read(m2, a, reg, 4));
}

/* The machine written as a machine file and loaded again is the same machine. */
static void round_trip(struct vpci_machine *m)
{
	static struct fz_file file;
	struct vt_events ev;
	struct map_record rec = { .keep = false };
	struct vpci_machine *m2;
	struct vpci_mapped *v1 = NULL, *v2 = NULL;
	struct vt_err err = { { 0 } };
	size_t n1, n2;
	FILE *w;

	if (!file.path[0] && fz_file_open(&file, "machine"))
		abort();
	w = fz_file_writer(&file);
	FZ_CHECK(!vpci_machine_write(m, w), "round trip: vpci_machine_write failed");
	fclose(w);
	vt_events_init(&ev);
	if (!(m2 = vpci_machine_create(&ev, &map_ops_record, &rec)))
		abort();
	FZ_CHECK(!vpci_machine_load(m2, file.path, NULL, &err) && !vpci_machine_finish(m2, &err),
		 "round trip: the written machine does not load: %s", err.msg);
	for (size_t i = 0; i < vpci_machine_ndev(m); i++)
		compare_dev(m, vpci_machine_dev(m, i), m2);
	n1 = vpci_machine_mapped(m, &v1);
	n2 = vpci_machine_mapped(m2, &v2);
	FZ_CHECK(n1 == n2, "round trip: %zu BARs mapped, reloaded %zu", n1, n2);
	for (size_t k = 0; k < n1; k++)
		FZ_CHECK(v1[k].sbdf == v2[k].sbdf && v1[k].bar == v2[k].bar && v1[k].space == v2[k].space &&
			 v1[k].range.base == v2[k].range.base && v1[k].range.last == v2[k].range.last,
			 "round trip: mapped entry %zu differs", k);
	free(v1);
	free(v2);
	vpci_machine_destroy(m2);
	map_record_reset(&rec);
}

/* Build and finish a machine from the dump; read every function back; round trip. */
static void run_machine(const struct vpci_dump *d, const char *path)
{
	struct vt_events ev;
	struct map_record rec = { .keep = false };
	struct vpci_machine *m;
	struct vpci_mapped *v = NULL;
	struct vt_err err = { { 0 } };
	int rc;

	vt_events_init(&ev);
	if (!(m = vpci_machine_create(&ev, &map_ops_record, &rec)))
		abort();
	rc = vpci_dump_to_machine(d, m, path, &err);
	if (!rc)
		rc = vpci_machine_finish(m, &err);
	if (rc) {
		check_err(rc, &err, path);
	} else {
		for (size_t i = 0; i < vpci_machine_ndev(m); i++) {
			struct vpci_dev *dev = vpci_machine_dev(m, i);
			uint32_t sbdf;
			if (!vpci_dev_sbdf(dev, &sbdf))
				continue;
			FZ_CHECK(vpci_dev_lookup(m, sbdf) == dev, "%s is not routed to itself", vpci_dev_path(dev));
			(void)vpci_cfg_read(m, sbdf, 0, 4);
		}
		vpci_machine_mapped(m, &v);
		round_trip(m);
	}
	free(v);
	vpci_machine_destroy(m);
	map_record_reset(&rec);
}

int fuzz_one(const uint8_t *buf, size_t len)
{
	static const char mark[] = "\n%%sizes\n";
	const uint8_t *split = memmem(buf, len, mark, sizeof(mark) - 1);
	size_t dlen = split ? (size_t)(split - buf) + 1 : len;
	const char *dpath = fz_file_set(&dump, buf, dlen), *spath = NULL;
	struct vpci_dump d;
	struct vt_err err = { { 0 } };
	int rc;

	if (split)
		spath = fz_file_set(&sizes, split + sizeof(mark) - 1, len - dlen - (sizeof(mark) - 2));
	(void)vpci_dump_detect(dpath);
	rc = vpci_dump_parse(dpath, &d, &err);
	if (rc) {
		check_err(rc, &err, dpath);
		FZ_CHECK(!d.n && !d.fn, "a failed parse leaves %zu functions", d.n);
		return 0;
	}
	check_dump(&d);
	if (fz_verbose)
		fprintf(stderr, "  %zu functions, %u warnings\n", d.n, d.nwarn);
	if (spath && (rc = vpci_dump_sizes(spath, &d, &err)))
		check_err(rc, &err, spath);
	else
		check_dump(&d);
	if (!rc)
		run_machine(&d, dpath);
	vpci_dump_free(&d);
	return 0;
}
