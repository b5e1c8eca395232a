/*
 * tools/cmd_snapshot.c - `vpcitrap snapshot -o FILE`: this host as a
 * machine file (CONTRACT §5), so that it can be replayed elsewhere.
 *
 *   ram/reserved  from /sys/firmware/memmap (mapper/platform.h)
 *   rmrr          DMAR RMRRs with their scopes as paths; IVRS IVMDs, whose
 *                 scopes are device-id ranges, as unscoped rmrr lines
 *   ecam          segment 0's MCFG entry
 *   device        every function libpci finds: its config bytes (4096 when
 *                 readable, which needs root) and BAR/ROM sizes
 *                 (PCI_FILL_SIZES: the kernel's resource file)
 * Paths (CONTRACT §1) follow from the bridges' secondary bus numbers.
 * Options as lspci: -A METHOD, -O PARAM=VALUE; --memmap DIR and --acpi DIR
 * replace the /sys directories ("none" skips them).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "../mapper/acpi.h"
#include "../mapper/platform.h"
#include "cmds.h"
#include "serve.h"

struct snap_fn {
	uint32_t sbdf;
	struct vpci_dev_desc d;
};

static int snap_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct snap_fn *)a)->sbdf, y = ((const struct snap_fn *)b)->sbdf;

	return x < y ? -1 : x > y;
}

static bool snap_is_bridge(const struct snap_fn *f)
{
	uint8_t ht = f->d.cfg[0x0e] & 0x7f;

	return ht == 1 || ht == 2;
}

/* The function's path: its bus's bridge's path and a hop, or a root bus. */
static void snap_path(struct snap_fn *fn, size_t n, size_t i, unsigned depth)
{
	struct snap_fn *f = &fn[i];
	uint8_t bus = VT_SBDF_BUS(f->sbdf), devfn = VT_SBDF_DEVFN(f->sbdf);
	char tail[16];

	snprintf(tail, sizeof(tail), "%02x.%x", devfn >> 3, devfn & 7);
	for (size_t j = 0; depth < 16 && j < n; j++) {
		if (j == i || !snap_is_bridge(&fn[j]) || fn[j].d.cfg[0x19] != bus ||
		    VT_SBDF_SEG(fn[j].sbdf) != VT_SBDF_SEG(f->sbdf) || VT_SBDF_BUS(fn[j].sbdf) == bus)
			continue;
		size_t pl;

		snap_path(fn, n, j, depth + 1);
		pl = strlen(fn[j].d.path);
		if (pl + 1 + strlen(tail) >= sizeof(f->d.path))
			break; /* deeper than a path holds: treat as a root bus */
		memcpy(f->d.path, fn[j].d.path, pl);
		f->d.path[pl] = '/';
		memcpy(f->d.path + pl + 1, tail, strlen(tail) + 1);
		return;
	}
	if (VT_SBDF_SEG(f->sbdf))
		snprintf(f->d.path, sizeof(f->d.path), "%04x:%02x:%s", VT_SBDF_SEG(f->sbdf), bus, tail);
	else
		snprintf(f->d.path, sizeof(f->d.path), "%02x:%s", bus, tail);
}

/* Every function libpci sees, sorted by SBDF, with config bytes and sizes. */
static int snap_scan(struct pci_access *pacc, struct snap_fn **out, size_t *n, struct vt_err *err)
{
	struct snap_fn *fn = NULL;
	size_t cnt = 0, i = 0;
	int rc = 0;

	for (struct pci_dev *p = pacc->devices; p; p = p->next) /* serve_pci_open scanned */
		cnt++;
	fn = calloc(cnt ? cnt : 1, sizeof(*fn));
	if (!fn)
		return vt_errf(err, ENOMEM, "out of memory");
	for (struct pci_dev *p = pacc->devices; p && !rc; p = p->next) {
		fn[i].sbdf = VT_SBDF(p->domain, p->bus, VT_DEVFN(p->dev, p->func));
		rc = vpci_hw_libpci_desc(pacc, fn[i].sbdf, NULL, &fn[i].d, err);
		if (rc == -ENODEV) {
			/* listed but reading all ones: powered down or hidden; lspci shows it as "rev ff" */
			fprintf(stderr, "vpcitrap snapshot: %s: skipped\n", err->msg);
			rc = 0;
			continue;
		}
		if (!rc)
			fn[i].d.ops->destroy(fn[i].d.ops_ctx);
		i++;
	}
	cnt = i;
	if (rc) {
		free(fn);
		return rc;
	}
	qsort(fn, cnt, sizeof(*fn), snap_cmp);
	for (i = 0; i < cnt; i++)
		fn[i].d.path[0] = 0;
	for (i = 0; i < cnt; i++)
		snap_path(fn, cnt, i, 0);
	*out = fn;
	*n = cnt;
	return 0;
}

static void snap_memmap(FILE *f, const char *dir)
{
	struct platform_ranges l = { 0 };
	struct vt_err err;
	char r[48];

	if (dir && !strcmp(dir, "none"))
		return;
	if (platform_memmap_load(dir, &l, &err)) {
		fprintf(f, "# no memory map: %s\n", err.msg);
		fprintf(stderr, "vpcitrap snapshot: %s\n", err.msg);
		return;
	}
	for (size_t i = 0; i < l.n; i++)
		fprintf(f, "%s %s\n", l.r[i].kind == MAP_REGION_RAM ? "ram" : "reserved",
			vt_fmt_range(&l.r[i].range, r));
	platform_ranges_free(&l);
}

static void snap_rdm(FILE *f, const char *dir)
{
	struct acpi_rdm_list l = { 0 };
	struct vt_err err;
	char r[48], p[64];

	if (platform_acpi_load(dir, &l, &err)) {
		fprintf(f, "# no DMAR/IVRS: %s\n", err.msg);
		fprintf(stderr, "vpcitrap snapshot: %s\n", err.msg);
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct acpi_rdm *a = &l.rdm[i];
		struct vt_range pg = { a->range.base & ~(VT_PAGE_SIZE - 1), a->range.last | (VT_PAGE_SIZE - 1) };

		if (a->ivmd_type)
			fprintf(f, "# IVMD type 0x%x, devices 0x%04x-0x%04x of segment %u\n", a->ivmd_type,
				a->ivmd_dev_first, a->ivmd_dev_last, a->segment);
		fprintf(f, "rmrr %s", vt_fmt_range(&pg, r));
		for (size_t k = 0; !a->ivmd_type && k < a->nscope; k++)
			fprintf(f, " %s", acpi_scope_format(&a->scope[k], p));
		fputc('\n', f);
	}
	acpi_rdm_list_free(&l);
}

/* MCFG (PCI Firmware 3.0 §4.1.2): a 44-byte header, then 16-byte entries. */
static void snap_ecam(FILE *f, const char *dir)
{
	char path[4096];
	uint8_t buf[4096];
	size_t len;
	FILE *m;

	snprintf(path, sizeof(path), "%s/MCFG", dir ? dir : PLATFORM_ACPI_DIR);
	m = fopen(path, "rb");
	if (!m)
		return;
	len = fread(buf, 1, sizeof(buf), m);
	fclose(m);
	for (size_t off = 44; off + 16 <= len; off += 16) {
		uint64_t base = vt_le_get(buf + off, 4) | (uint64_t)vt_le_get(buf + off + 4, 4) << 32;

		if (vt_le_get(buf + off + 8, 2) == 0) {
			fprintf(f, "ecam 0x%llx 0x%x-0x%x\n", (unsigned long long)base, buf[off + 10],
				buf[off + 11]);
			return; /* one window: segment 0 */
		}
	}
}

static int snap_write(const char *out, const struct serve_opts *o, const char *memmap,
		      const char *acpi, struct vt_err *err)
{
	struct snap_fn *fn = NULL;
	size_t n = 0;
	struct pci_access *pacc = serve_pci_open(o, err);
	FILE *f;
	int rc;

	if (!pacc)
		return -EINVAL;
	rc = snap_scan(pacc, &fn, &n, err);
	serve_pci_close(pacc);
	if (rc)
		return rc;
	f = fopen(out, "w");
	if (!f) {
		free(fn);
		return vt_errf(err, errno, "%s: %s", out, strerror(errno));
	}
	fprintf(f, "# vpcitrap snapshot: %zu functions (vpcitrap replay TRACE --machine %s)\n", n, out);
	snap_memmap(f, memmap);
	if (!acpi || strcmp(acpi, "none")) {
		snap_rdm(f, acpi);
		snap_ecam(f, acpi);
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = serve_device_lines(&fn[i].d, serve_emit_file, f);
	free(fn);
	if (fclose(f) || rc)
		return vt_errf(err, EIO, "%s: write error", out);
	return 0;
}

int cmd_snapshot(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, 0, 'o' }, { "memmap", required_argument, 0, 'M' },
		{ "acpi", required_argument, 0, 'a' },   { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	static struct serve_opts o;
	const char *out = NULL, *memmap = NULL, *acpi = NULL;
	struct vt_err err = { "" };
	int c;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:A:O:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'M': memmap = optarg; break;
		case 'a': acpi = optarg; break;
		case 'A': o.pci_method = optarg; break;
		case 'O':
			if (o.npci_param < VT_ARRAY_SIZE(o.pci_param))
				o.pci_param[o.npci_param++] = optarg;
			break;
		case 'h':
			puts("usage: vpcitrap snapshot -o FILE [-A METHOD] [-O PARAM=VALUE]... [--memmap DIR|none]"
			     " [--acpi DIR|none]");
			return 0;
		default:
			fputs("usage: vpcitrap snapshot -o FILE\n", stderr);
			return 2;
		}
	}
	if (!out || optind != argc) {
		fputs("vpcitrap snapshot: expected -o FILE\n", stderr);
		return 2;
	}
	if (snap_write(out, &o, memmap, acpi, &err)) {
		fprintf(stderr, "vpcitrap snapshot: %s\n", err.msg);
		return 2;
	}
	return 0;
}
