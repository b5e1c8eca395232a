/*
 * tools/serve_machine.c - building the machine `vpcitrap serve` serves.
 *
 * Every input becomes machine lines (CONTRACT §5) that go both to vpci's
 * parser and to the recording, so the recording's machine section is by
 * construction what the server ran: --machine files and a --sim trace's
 * machine section verbatim, --host devices as `device` + hex rows + sizes
 * (their config bytes at start; in a replay they are simulated devices),
 * --memmap as ram/reserved lines, DMAR RMRRs and Xen's reserved device
 * memory as rmrr lines, --rmrr and --rdm as written. An lspci dump given
 * as --machine is loaded by vpci and written back (vpci_machine_write);
 * an IVRS table (whose device-id scopes have no line form) is referred to
 * by path.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <pci/pci.h>

#include "../mapper/acpi.h"
#include "../mapper/platform.h"
#include "serve.h"

int serve_machine_line(struct serve_machine *sm, const char *file, unsigned long ln, const char *line,
		       struct vt_err *err)
{
	char *copy = strdup(line);
	int rc;

	if (!copy)
		return vt_errf(err, ENOMEM, "out of memory");
	rc = vpci_parser_line(sm->parser, file, ln, copy, err);
	free(copy);
	if (rc == 0)
		return vt_err_at(err, EINVAL, file, ln, "not a machine line");
	if (rc < 0)
		return rc;
	return ioreq_server_record_text(sm->srv, line);
}

int serve_emit_file(void *ctx, const char *line)
{
	return fprintf(ctx, "%s\n", line) < 0 ? -EIO : 0;
}

int serve_device_lines(const struct vpci_dev_desc *d, int (*emit)(void *ctx, const char *line),
		       void *ctx)
{
	char buf[128];
	int rc;

	snprintf(buf, sizeof(buf), "device %s", d->path);
	rc = emit(ctx, buf);
	for (unsigned off = 0; !rc && off < d->cfg_len; off += 16) {
		int n = snprintf(buf, sizeof(buf), "%02x:", off);

		for (unsigned i = 0; i < 16; i++)
			n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %02x", d->cfg[off + i]);
		rc = emit(ctx, buf);
	}
	for (unsigned b = 0; !rc && b < VPCI_NBARS; b++) {
		if (!d->bar_size[b])
			continue;
		if (b == VT_BAR_ROM)
			snprintf(buf, sizeof(buf), "rom size 0x%llx", (unsigned long long)d->bar_size[b]);
		else
			snprintf(buf, sizeof(buf), "bar %u size 0x%llx", b,
				 (unsigned long long)d->bar_size[b]);
		rc = emit(ctx, buf);
	}
	return rc;
}

static int emit_record(void *ctx, const char *line)
{
	return ioreq_server_record_text(ctx, line);
}

/* The machine as vpci_machine_write prints it, into the recording. */
static int record_written(struct serve_machine *sm, struct vt_err *err)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int rc;

	if (!m)
		return vt_errf(err, ENOMEM, "out of memory");
	rc = vpci_machine_write(sm->m, m);
	fclose(m);
	for (line = strtok_r(buf, "\n", &save); !rc && line; line = strtok_r(NULL, "\n", &save))
		rc = ioreq_server_record_text(sm->srv, line);
	free(buf);
	return rc ? vt_errf(err, -rc, "cannot write the machine into the recording") : 0;
}

/* --machine: a machine file line by line, or an lspci dump whole. */
static int build_machine_file(struct serve_machine *sm, const char *path, struct vt_err *err)
{
	struct vt_lines lr = { 0 };
	char *line, note[PATH_MAX + 64];
	int rc;

	if (vpci_dump_detect(path)) {
		/* Loaded first, into an empty machine: what vpci_machine_write prints is the dump's. */
		snprintf(note, sizeof(note), "# machine: the lspci dump %s, as vpcitrap reads it", path);
		ioreq_server_record_text(sm->srv, note);
		rc = vpci_machine_load(sm->m, path, NULL, err);
		return rc ? rc : record_written(sm, err);
	}
	rc = vt_lines_open(&lr, path, err);
	while (!rc && (line = vt_lines_next(&lr)))
		rc = serve_machine_line(sm, path, lr.line, line, err);
	if (lr.f)
		vt_lines_close(&lr);
	return rc;
}

static int acc_push(struct serve_machine *sm, const struct vt_rec *rec, unsigned long ln)
{
	if (sm->nacc == sm->capacc) {
		size_t cap = sm->capacc ? sm->capacc * 2 : 1024;
		void *p = realloc(sm->acc, cap * sizeof(*sm->acc));

		if (!p)
			return -ENOMEM;
		sm->acc = p;
		sm->capacc = cap;
	}
	sm->acc[sm->nacc].rec = *rec;
	sm->acc[sm->nacc++].line = ln;
	return 0;
}

/* --sim TRACE: the machine section to the machine, the accesses to sm->acc. */
static int build_trace(struct serve_machine *sm, const char *path, struct vt_err *err)
{
	struct vt_lines lr = { 0 };
	bool body = false;
	char *line;
	int rc = vt_lines_open(&lr, path, err);

	while (!rc && (line = vt_lines_next(&lr))) {
		char *copy = strdup(line);
		struct vt_rec rec;

		if (!copy) {
			rc = vt_errf(err, ENOMEM, "out of memory");
			break;
		}
		rc = vt_trace_parse(copy, path, lr.line, &rec, err);
		free(copy);
		if (rc)
			break;
		if (rec.kind == VT_REC_OTHER && body)
			rc = vt_err_at(err, EINVAL, path, lr.line,
				       "not a trace line (machine lines must come before the first access)");
		else if (rec.kind == VT_REC_OTHER || (!body && rec.kind == VT_REC_EMPTY))
			rc = serve_machine_line(sm, path, lr.line, line, err);
		else if (rec.kind == VT_REC_PIO || rec.kind == VT_REC_MMIO || rec.kind == VT_REC_CFG) {
			body = true;
			if (acc_push(sm, &rec, lr.line))
				rc = vt_errf(err, ENOMEM, "out of memory");
		}
		/* expect and compare lines belong to the source trace's replay, not to the guest. */
	}
	if (lr.f)
		vt_lines_close(&lr);
	return rc;
}

static int build_hosts(struct serve_machine *sm, const struct serve_opts *o, struct vt_err *err)
{
	for (unsigned i = 0; i < o->nhost; i++) {
		struct vpci_dev_desc *d = malloc(sizeof(*d));
		int rc;

		if (!d)
			return vt_errf(err, ENOMEM, "out of memory");
		rc = vpci_hw_libpci_desc(sm->pacc, o->host[i].sbdf, o->host[i].path, d, err);
		if (!rc)
			rc = serve_device_lines(d, emit_record, sm->srv);
		if (!rc) {
			d->file = "--host";
			rc = vpci_machine_add_dev(sm->m, d, err);
			if (rc)
				d->ops->destroy(d->ops_ctx);
		}
		free(d);
		if (rc)
			return rc;
	}
	return 0;
}

static int build_memmap(struct serve_machine *sm, const char *dir, struct vt_err *err)
{
	struct platform_ranges l = { 0 };
	char line[128], r[48];
	int rc = platform_memmap_load(dir, &l, err);

	for (size_t i = 0; !rc && i < l.n; i++) {
		snprintf(line, sizeof(line), "%s %s", l.r[i].kind == MAP_REGION_RAM ? "ram" : "reserved",
			 vt_fmt_range(&l.r[i].range, r));
		rc = serve_machine_line(sm, dir, 0, line, err);
	}
	platform_ranges_free(&l);
	return rc;
}

/* An rmrr line, widened to pages as vpci's platform loader does (mapping is page granular). */
static int rmrr_line(struct serve_machine *sm, const char *from, const struct vt_range *rg,
		     const char *const *paths, size_t npath, struct vt_err *err)
{
	struct vt_range p = { rg->base & ~(VT_PAGE_SIZE - 1), rg->last | (VT_PAGE_SIZE - 1) };
	char line[1024], r[48];
	size_t n = (size_t)snprintf(line, sizeof(line), "rmrr %s", vt_fmt_range(&p, r));

	for (size_t i = 0; i < npath && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", paths[i]);
	return serve_machine_line(sm, from, 0, line, err);
}

static int build_dmar(struct serve_machine *sm, const char *path, struct vt_err *err)
{
	struct acpi_rdm_list l = { 0 };
	int rc = acpi_table_load(path, &l, err);

	for (size_t i = 0; !rc && i < l.n; i++) {
		char buf[ACPI_PATH_MAX * 8][64];
		const char *paths[ACPI_PATH_MAX * 8];
		size_t np = l.rdm[i].nscope < VT_ARRAY_SIZE(paths) ? l.rdm[i].nscope : VT_ARRAY_SIZE(paths);

		for (size_t k = 0; k < np; k++)
			paths[k] = acpi_scope_format(&l.rdm[i].scope[k], buf[k]);
		rc = rmrr_line(sm, path, &l.rdm[i].range, paths, np, err);
	}
	acpi_rdm_list_free(&l);
	return rc;
}

static int build_tables(struct serve_machine *sm, const struct serve_opts *o,
			const struct serve_rmrr *xen_rdm, size_t nxen_rdm, struct vt_err *err)
{
	char line[PATH_MAX + 16], abs[PATH_MAX];
	int rc = 0;

	if (o->memmap)
		rc = build_memmap(sm, o->memmap, err);
	if (!rc && o->dmar)
		rc = build_dmar(sm, o->dmar, err);
	if (!rc && o->ivrs) {
		snprintf(line, sizeof(line), "ivrs %s", realpath(o->ivrs, abs) ? abs : o->ivrs);
		rc = serve_machine_line(sm, "--ivrs", 0, line, err);
	}
	for (size_t i = 0; !rc && i < nxen_rdm; i++)
		rc = rmrr_line(sm, "xc_reserved_device_memory_map", &xen_rdm[i].range, &xen_rdm[i].path,
			       xen_rdm[i].path ? 1 : 0, err);
	for (unsigned i = 0; !rc && i < o->nrmrr; i++)
		rc = rmrr_line(sm, "--rmrr", &o->rmrr[i].range, &o->rmrr[i].path,
			       o->rmrr[i].path ? 1 : 0, err);
	if (!rc && o->rdm) {
		snprintf(line, sizeof(line), "rdm %s", o->rdm);
		rc = serve_machine_line(sm, "--rdm", 0, line, err);
	}
	return rc;
}

int serve_machine_build(struct serve_machine *sm, const struct serve_opts *o,
			const struct serve_rmrr *xen_rdm, size_t nxen_rdm, struct vt_err *err)
{
	int rc = 0;

	sm->parser = vpci_parser_create(sm->m);
	if (!sm->parser)
		return vt_errf(err, ENOMEM, "out of memory");
	if (o->machine)
		rc = build_machine_file(sm, o->machine, err);
	if (!rc && o->sim)
		rc = build_trace(sm, o->sim, err);
	if (!rc)
		rc = vpci_parser_end(sm->parser, err);
	if (!rc)
		rc = build_hosts(sm, o, err);
	if (!rc)
		rc = build_tables(sm, o, xen_rdm, nxen_rdm, err);
	if (!rc)
		rc = vpci_parser_end(sm->parser, err);
	return rc;
}

void serve_machine_free(struct serve_machine *sm)
{
	vpci_parser_destroy(sm->parser);
	sm->parser = NULL;
	free(sm->acc);
	sm->acc = NULL;
	sm->nacc = sm->capacc = 0;
}
