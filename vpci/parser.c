/*
 * vpci/parser.c - machine files and the machine section of traces
 * (CONTRACT §5), fed line by line so that a trace streams.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

struct vpci_parser {
	struct vpci_machine *m;
	struct vpci_dev_desc *cur;  /* device being read, NULL outside one */
	const char *file;
};

struct vpci_parser *vpci_parser_create(struct vpci_machine *m)
{
	struct vpci_parser *p = calloc(1, sizeof(*p));

	if (p)
		p->m = m;
	return p;
}

void vpci_parser_destroy(struct vpci_parser *p)
{
	if (p)
		free(p->cur);
	free(p);
}

static int flush(struct vpci_parser *p, struct vt_err *err)
{
	int rc = 0;

	if (p->cur) {
		rc = vpci_machine_add_dev(p->m, p->cur, err);
		free(p->cur);
		p->cur = NULL;
	}
	return rc;
}

int vpci_parser_end(struct vpci_parser *p, struct vt_err *err)
{
	return flush(p, err);
}

#define ERR(...) vt_err_at(err, EINVAL, file, ln, __VA_ARGS__)

/* "OFF: xx xx ..." inside a device. */
static int hex_row(struct vpci_parser *p, char **t, int n, const char *file, unsigned long ln,
		   struct vt_err *err)
{
	uint64_t off, v;
	size_t len = strlen(t[0]);

	t[0][len - 1] = 0;
	if (vt_parse_hex(t[0], &off))
		return ERR("bad offset '%s:'", t[0]);
	for (int i = 1; i < n; i++, off++) {
		if (strlen(t[i]) != 2 || vt_parse_hex(t[i], &v))
			return ERR("bad byte '%s'", t[i]);
		if (off >= VPCI_CFG_SIZE)
			return ERR("config byte at offset 0x%llx: at most 4096 bytes",
				   (unsigned long long)off);
		p->cur->cfg[off] = (uint8_t)v;
		if (off + 1 > p->cur->cfg_len)
			p->cur->cfg_len = (unsigned)off + 1;
	}
	return 1;
}

static int bar_line(struct vpci_parser *p, char **t, int n, const char *file, unsigned long ln,
		    struct vt_err *err)
{
	uint64_t idx = VT_BAR_ROM, size;
	int k = 1;

	if (!strcmp(t[0], "bar")) {
		if (n != 4 || vt_parse_u64(t[1], &idx) || idx > 5)
			return ERR("expected 'bar N size SIZE' with N 0..5");
		k = 2;
	} else if (n != 3) {
		return ERR("expected 'rom size SIZE'");
	}
	if (strcmp(t[k], "size") || vt_parse_u64(t[k + 1], &size) || !size || (size & (size - 1)))
		return ERR("expected a power-of-two size, got '%s'", n > k + 1 ? t[k + 1] : "");
	p->cur->bar_size[idx] = size;
	return 1;
}

static int mask_line(struct vpci_parser *p, char **t, int n, const char *file, unsigned long ln,
		     struct vt_err *err)
{
	uint64_t reg, size, wm, w1c = 0;
	struct vpci_dev_desc *d = p->cur;

	if (n < 4 || n > 5 || vt_parse_u64(t[1], &reg) || vt_parse_u64(t[2], &size) ||
	    vt_parse_u64(t[3], &wm) || (n == 5 && vt_parse_u64(t[4], &w1c)))
		return ERR("expected 'mask REG SIZE WMASK [W1CMASK]'");
	if ((size != 1 && size != 2 && size != 4) || reg + size > VPCI_CFG_SIZE || (reg & (size - 1)))
		return ERR("mask: bad register 0x%llx size %llu", (unsigned long long)reg,
			   (unsigned long long)size);
	if (d->nmask == VT_ARRAY_SIZE(d->mask))
		return ERR("too many mask lines (at most %zu)", VT_ARRAY_SIZE(d->mask));
	d->mask[d->nmask].reg = (uint16_t)reg;
	d->mask[d->nmask].size = (uint8_t)size;
	d->mask[d->nmask].wmask = (uint32_t)wm;
	d->mask[d->nmask].w1c = (uint32_t)w1c;
	d->nmask++;
	return 1;
}

/* `indirect SELREG DATAREG` and `indirect-reg INDEX VALUE [WMASK [W1C]]`. */
static int window_line(struct vpci_parser *p, char **t, int n, const char *file, unsigned long ln,
		       struct vt_err *err)
{
	struct vpci_dev_desc *d = p->cur;
	uint64_t v[4] = { 0, 0, 0, 0 };

	for (int i = 1; i < n && i <= 4; i++)
		if (vt_parse_u64(t[i], &v[i - 1]))
			return ERR("bad number '%s'", t[i]);
	if (!strcmp(t[0], "indirect")) {
		if (n != 3 || v[0] < 0x40 || v[0] > 0xff || v[1] < 0x40 || v[1] > 0xfc || (v[1] & 3) ||
		    v[0] >> 2 == v[1] >> 2)
			return ERR("expected 'indirect SELREG DATAREG' (0x40-0xff, DATAREG aligned, "
				   "SELREG outside it)");
		if (d->win_data)
			return ERR("'indirect' given twice");
		d->win_sel = (uint16_t)v[0];
		d->win_data = (uint16_t)v[1];
		return 1;
	}
	if (n < 3 || n > 5 || v[0] > 0xff || v[1] > 0xffffffffull || v[2] > 0xffffffffull ||
	    v[3] > 0xffffffffull)
		return ERR("expected 'indirect-reg INDEX VALUE [WMASK [W1C]]'");
	if (!d->win_data)
		return ERR("'indirect-reg' before 'indirect'");
	for (unsigned i = 0; i < d->win_nreg; i++)
		if (d->win_reg[i].index == v[0])
			return ERR("indirect register 0x%llx given twice", (unsigned long long)v[0]);
	d->win_reg[d->win_nreg].index = (uint8_t)v[0];
	d->win_reg[d->win_nreg].val = (uint32_t)v[1];
	d->win_reg[d->win_nreg].wmask = (uint32_t)v[2];
	d->win_reg[d->win_nreg].w1c = (uint32_t)v[3];
	d->win_nreg++;
	return 1;
}

static int device_line(struct vpci_parser *p, char **t, int n, const char *file, unsigned long ln,
		       struct vt_err *err)
{
	int rc;

	if ((rc = flush(p, err)))
		return rc;
	if (n < 2 || n > 3)
		return ERR("expected 'device PATH [rdm_policy=strict|relaxed]'");
	if (strlen(t[1]) >= VPCI_PATH_MAX)
		return ERR("path too long");
	if (!(p->cur = calloc(1, sizeof(*p->cur))))
		return vt_errf(err, ENOMEM, "out of memory");
	memset(p->cur->cfg, 0xff, sizeof(p->cur->cfg));
	strcpy(p->cur->path, t[1]);
	p->cur->file = file;
	p->cur->line = ln;
	if (n == 3) {
		if (!strcmp(t[2], "rdm_policy=strict"))
			p->cur->rdm_policy = VT_POLICY_STRICT;
		else if (!strcmp(t[2], "rdm_policy=relaxed"))
			p->cur->rdm_policy = VT_POLICY_RELAXED;
		else
			return ERR("unknown device option '%s'", t[2]);
	}
	return 1;
}

static int region_line(struct vpci_parser *p, char **t, int n, const char *file, unsigned long ln,
		       struct vt_err *err)
{
	struct vt_range r;

	if (n < 2 || vt_parse_range(t[1], &r))
		return ERR("expected '%s BASE-LAST'", t[0]);
	if (!strcmp(t[0], "rmrr")) {
		if (vpci_machine_add_rmrr(p->m, &r, (const char *const *)t + 2, (unsigned)n - 2))
			return ERR("bad rmrr device path");
		return 1;
	}
	if (n != 2)
		return ERR("expected '%s BASE-LAST'", t[0]);
	if (vpci_machine_add_region(p->m, t[0][0] == 'r' && t[0][1] == 'a' ? MAP_REGION_RAM :
				    MAP_REGION_RESERVED, &r))
		return vt_errf(err, ENOMEM, "out of memory");
	return 1;
}

static int ecam_line(struct vpci_parser *p, char **t, int n, const char *file, unsigned long ln,
		     struct vt_err *err)
{
	uint64_t base;
	struct vt_range buses;

	if (n != 3 || vt_parse_u64(t[1], &base) || vt_parse_range(t[2], &buses) || buses.last > 255)
		return ERR("expected 'ecam BASE BUSFIRST-BUSLAST'");
	if (vpci_machine_set_ecam(p->m, base, (uint8_t)buses.base, (uint8_t)buses.last))
		return ERR("bad ECAM window (base must be 1 MiB aligned)");
	return 1;
}

/* `dmar FILE`, `ivrs FILE`, `memmap DIR`: relative to the machine file. */
static int table_line(struct vpci_parser *p, char **t, int n, const char *file, unsigned long ln,
		      struct vt_err *err)
{
	char path[4096];
	const char *slash = strrchr(file, '/');
	int rc;

	if (n != 2)
		return ERR("expected '%s %s'", t[0], t[0][0] == 'm' ? "DIR" : "FILE");
	if (t[1][0] == '/' || !slash)
		snprintf(path, sizeof(path), "%s", t[1]);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - file), file, t[1]);
	rc = t[0][0] == 'm' ? vpci_machine_load_memmap(p->m, path, err)
			    : vpci_machine_load_acpi(p->m, path, err);
	if (rc) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		return vt_err_at(err, rc, file, ln, "%s", msg);
	}
	return 1;
}

int vpci_parser_line(struct vpci_parser *p, const char *file, unsigned long ln, char *line,
		     struct vt_err *err)
{
	char *t[VPCI_CFG_SIZE / 8];
	int n = vt_tokenize(line, t, (int)VT_ARRAY_SIZE(t));
	size_t l0;

	if (n < 0)
		return ERR("too many fields");
	if (n == 0)
		return 1;
	l0 = strlen(t[0]);
	if (l0 >= 2 && t[0][l0 - 1] == ':') {
		if (!p->cur)
			return ERR("config bytes outside a 'device' section");
		return hex_row(p, t, n, file, ln, err);
	}
	if (!strcmp(t[0], "device"))
		return device_line(p, t, n, file, ln, err);
	if (!strcmp(t[0], "bar") || !strcmp(t[0], "rom"))
		return p->cur ? bar_line(p, t, n, file, ln, err) : ERR("'%s' outside a device", t[0]);
	if (!strcmp(t[0], "indirect") || !strcmp(t[0], "indirect-reg"))
		return p->cur ? window_line(p, t, n, file, ln, err) : ERR("'%s' outside a device", t[0]);
	if (!strcmp(t[0], "mask"))
		return p->cur ? mask_line(p, t, n, file, ln, err) : ERR("'mask' outside a device");
	if (!strcmp(t[0], "ram") || !strcmp(t[0], "reserved") || !strcmp(t[0], "rmrr"))
		return region_line(p, t, n, file, ln, err);
	if (!strcmp(t[0], "ecam"))
		return ecam_line(p, t, n, file, ln, err);
	if (!strcmp(t[0], "dmar") || !strcmp(t[0], "ivrs") || !strcmp(t[0], "memmap"))
		return table_line(p, t, n, file, ln, err);
	if (!strcmp(t[0], "rdm")) {
		struct vpci_rdm r;
		if (n != 2 || vpci_rdm_parse(t[1], &r))
			return ERR("expected 'rdm strategy=host,policy=strict|relaxed'");
		vpci_machine_set_rdm(p->m, &r);
		return 1;
	}
	return 0;
}

int vpci_machine_load(struct vpci_machine *m, const char *path, const char *sizes, struct vt_err *err)
{
	struct vt_lines lr;
	struct vpci_parser *p;
	char *line;
	int rc;

	if (vpci_dump_detect(path)) {
		struct vpci_dump d = { 0 };
		if (!(rc = vpci_dump_parse(path, &d, err)) && (!sizes || !(rc = vpci_dump_sizes(sizes, &d, err))))
			rc = vpci_dump_to_machine(&d, m, path, err);
		vpci_dump_free(&d);
		return rc;
	}
	if ((rc = vt_lines_open(&lr, path, err)))
		return rc;
	if (!(p = vpci_parser_create(m))) {
		vt_lines_close(&lr);
		return vt_errf(err, ENOMEM, "out of memory");
	}
	while ((line = vt_lines_next(&lr))) {
		rc = vpci_parser_line(p, path, lr.line, line, err);
		if (rc == 0)
			rc = vt_err_at(err, EINVAL, path, lr.line, "not a machine line");
		if (rc < 0)
			break;
		rc = 0;
	}
	if (!rc)
		rc = vpci_parser_end(p, err);
	vpci_parser_destroy(p);
	vt_lines_close(&lr);
	return rc;
}
