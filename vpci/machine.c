/*
 * vpci/machine.c - building a machine: devices by path, platform ranges,
 * RMRRs and the RDM policy; then finishing it into a routed tree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

struct vpci_machine *vpci_machine_create(struct vt_events *ev, const struct map_ops *ops, void *ctx)
{
	struct vpci_machine *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->ev = ev;
	m->map = map_create(ops, ctx, ev);
	m->rdm.strategy_host = true;
	m->rdm.policy = VT_POLICY_STRICT;
	if (!m->map || !vpci_seg_get(m, 0, true)) {
		vpci_machine_destroy(m);
		return NULL;
	}
	return m;
}

void vpci_machine_destroy(struct vpci_machine *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->ndev; i++) {
		struct vpci_dev *d = m->devs[i];
		if (d->ops && d->ops->destroy)
			d->ops->destroy(d->ops_ctx);
		free(d->ext);
		free(d->ovr);
		free(d->win);
		free(d->file);
	}
	vpci_arena_free(&m->arena);
	for (size_t i = 0; i < m->nbuses; i++)
		free(m->buses[i]);
	for (size_t i = 0; i < m->nsegs; i++) {
		free(m->segs[i]->roots);
		free(m->segs[i]);
	}
	for (size_t i = 0; i < m->nrmrr; i++)
		free(m->rmrr[i].path);
	free(m->rmrr);
	free(m->segs);
	free(m->buses);
	free(m->devs);
	free(m->byname);
	map_destroy(m->map);
	free(m);
}

/* Canonical path text: lower-case hex, "SSSS:" only for segments other than 0. */
static int path_canon(const char *in, char out[VPCI_PATH_MAX], uint16_t *seg, uint8_t *bus,
		      uint8_t devfn[32], unsigned *nhops)
{
	int n;

	if (vpci_path_parse(in, seg, bus, devfn, 32, nhops))
		return -EINVAL;
	n = *seg ? snprintf(out, VPCI_PATH_MAX, "%04x:%02x:%02x.%x", *seg, *bus, devfn[0] >> 3, devfn[0] & 7)
		 : snprintf(out, VPCI_PATH_MAX, "%02x:%02x.%x", *bus, devfn[0] >> 3, devfn[0] & 7);
	for (unsigned i = 1; i < *nhops && n < VPCI_PATH_MAX; i++)
		n += snprintf(out + n, VPCI_PATH_MAX - (size_t)n, "/%02x.%x", devfn[i] >> 3, devfn[i] & 7);
	return n < VPCI_PATH_MAX ? 0 : -EINVAL;
}

/* FNV-1a: paths differ in their last characters, which it mixes in fully. */
static size_t path_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return (size_t)h;
}

static void index_put(struct vpci_dev **t, size_t cap, struct vpci_dev *d)
{
	size_t j = path_hash(d->path) & (cap - 1);

	while (t[j])
		j = (j + 1) & (cap - 1);
	t[j] = d;
}

/* Index a device by its path, so that adding n devices is O(n), not O(n^2). */
static int index_add(struct vpci_machine *m, struct vpci_dev *d)
{
	if (2 * (m->ndev + 1) > m->capbyname) {
		size_t cap = m->capbyname ? m->capbyname * 2 : 64;
		struct vpci_dev **t = calloc(cap, sizeof(*t));
		if (!t)
			return -ENOMEM;
		for (size_t i = 0; i < m->capbyname; i++)
			if (m->byname[i])
				index_put(t, cap, m->byname[i]);
		free(m->byname);
		m->byname = t;
		m->capbyname = cap;
	}
	index_put(m->byname, m->capbyname, d);
	return 0;
}

struct vpci_dev *vpci_dev_by_path(const struct vpci_machine *m, const char *path)
{
	char canon[VPCI_PATH_MAX];
	uint8_t devfn[32], bus;
	uint16_t seg;
	unsigned n;

	if (!m->capbyname || path_canon(path, canon, &seg, &bus, devfn, &n))
		return NULL;
	for (size_t j = path_hash(canon) & (m->capbyname - 1); m->byname[j];
	     j = (j + 1) & (m->capbyname - 1))
		if (!strcmp(m->byname[j]->path, canon))
			return m->byname[j];
	return NULL;
}

static int check_sizes(const struct vpci_dev_desc *desc, struct vt_err *err)
{
	for (unsigned i = 0; i < VPCI_NBARS; i++) {
		uint64_t s = desc->bar_size[i];
		if (s && (s & (s - 1)))
			return vt_err_at(err, EINVAL, desc->file, desc->line,
					 "%s size 0x%llx is not a power of two", vt_bar_name(i),
					 (unsigned long long)s);
		if (s && s < (i == VT_BAR_ROM ? 2048u : 4u))
			return vt_err_at(err, EINVAL, desc->file, desc->line, "%s size 0x%llx too small",
					 vt_bar_name(i), (unsigned long long)s);
	}
	return 0;
}

static struct vpci_dev *dev_alloc(struct vpci_machine *m, const struct vpci_dev_desc *desc)
{
	unsigned len = desc->cfg_len > PCI_CFG_SPACE_SIZE ? PCI_CFG_SPACE_EXP_SIZE : PCI_CFG_SPACE_SIZE;
	/* One allocation, cache-line aligned (the fields every access reads share one line), zero. */
	struct vpci_dev *d = vpci_arena_alloc(&m->arena, sizeof(struct vpci_dev) + len + VPCI_CFG_PAD);

	if (!d)
		return NULL;
	memcpy(d->cfg, desc->cfg, len);
	if (desc->cfg_len < len)
		memset(d->cfg + desc->cfg_len, 0xff, len - desc->cfg_len);
	d->cfg_size = (uint16_t)len;
	d->m = m;
	d->policy = desc->rdm_policy;
	d->ops = desc->ops;
	d->ops_ctx = desc->ops_ctx;
	d->file = desc->file ? strdup(desc->file) : NULL;
	d->line = desc->line;
	d->hdr_type = d->cfg[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK;
	if (d->hdr_type > PCI_HEADER_TYPE_CARDBUS)
		d->hdr_type = PCI_HEADER_TYPE_NORMAL;
	for (unsigned i = 0; i < VPCI_NBARS; i++)
		d->bar[i].size = desc->bar_size[i];
	return d;
}

int vpci_machine_add_dev(struct vpci_machine *m, const struct vpci_dev_desc *desc, struct vt_err *err)
{
	char canon[VPCI_PATH_MAX];
	uint8_t devfn[32], bus;
	uint16_t seg;
	unsigned nhops;
	struct vpci_dev *d;
	int rc;

	if (m->finished)
		return vt_err_at(err, EBUSY, desc->file, desc->line, "machine already finished");
	if (path_canon(desc->path, canon, &seg, &bus, devfn, &nhops))
		return vt_err_at(err, EINVAL, desc->file, desc->line, "bad device path '%s'", desc->path);
	if (vpci_dev_by_path(m, canon))
		return vt_err_at(err, EEXIST, desc->file, desc->line, "device %s given twice", canon);
	if ((rc = check_sizes(desc, err)))
		return rc;
	if (desc->cfg_len < 64)
		return vt_err_at(err, EINVAL, desc->file, desc->line,
				 "device %s: fewer than 64 config bytes", canon);
	if (m->ndev == m->capdev) {
		size_t cap = m->capdev ? m->capdev * 2 : 32;
		struct vpci_dev **nd = realloc(m->devs, cap * sizeof(*nd));
		if (!nd)
			return vt_errf(err, ENOMEM, "out of memory");
		m->devs = nd;
		m->capdev = cap;
	}
	if (!(d = dev_alloc(m, desc)))
		return vt_errf(err, ENOMEM, "out of memory");
	strcpy(d->path, canon);
	d->devfn = devfn[nhops - 1];
	vpci_header_init(d);
	if (desc->nmask && (d->ovr = calloc(desc->nmask, sizeof(*d->ovr))))
		d->novr = desc->nmask;
	for (unsigned i = 0; i < desc->nmask; i++) {
		vpci_dev_apply_mask(d, desc->mask[i].reg, desc->mask[i].size, desc->mask[i].wmask,
				    desc->mask[i].w1c);
		if (d->ovr)
			d->ovr[i] = (struct vpci_mask_ovr){ desc->mask[i].reg, desc->mask[i].size,
							    desc->mask[i].wmask, desc->mask[i].w1c };
	}
	if ((rc = vpci_window_init(d, desc))) {
		free(d->ext), free(d->ovr), free(d->file);
		return vt_err_at(err, rc, desc->file, desc->line, "device %s: bad indirect window", canon);
	}
	if (index_add(m, d)) {
		free(d->ext), free(d->ovr), free(d->file), free(d->win);
		return vt_errf(err, ENOMEM, "out of memory");
	}
	m->devs[m->ndev++] = d;
	return 0;
}

int vpci_machine_add_region(struct vpci_machine *m, enum map_region kind, const struct vt_range *r)
{
	return map_region_add(m->map, kind, r);
}

int vpci_machine_add_rmrr(struct vpci_machine *m, const struct vt_range *r, const char *const *paths,
			  unsigned npath)
{
	struct vpci_rmrr_ent *e, *nr = realloc(m->rmrr, (m->nrmrr + 1) * sizeof(*nr));

	if (!nr)
		return -ENOMEM;
	m->rmrr = nr;
	e = &m->rmrr[m->nrmrr];
	memset(e, 0, sizeof(*e));
	e->range = *r;
	e->npath = npath;
	e->path = npath ? calloc(npath, sizeof(*e->path)) : NULL;
	if (npath && !e->path)
		return -ENOMEM;
	for (unsigned i = 0; i < npath; i++) {
		uint8_t devfn[32], bus;
		uint16_t seg;
		unsigned n;
		if (path_canon(paths[i], e->path[i], &seg, &bus, devfn, &n)) {
			free(e->path);
			return -EINVAL;
		}
	}
	m->nrmrr++;
	return 0;
}

int vpci_machine_add_rmrr_sbdf(struct vpci_machine *m, const struct vt_range *r, uint32_t first,
			       uint32_t last)
{
	int rc = vpci_machine_add_rmrr(m, r, NULL, 0);

	if (!rc) {
		m->rmrr[m->nrmrr - 1].by_sbdf = true;
		m->rmrr[m->nrmrr - 1].sbdf_first = first;
		m->rmrr[m->nrmrr - 1].sbdf_last = last;
	}
	return rc;
}

int vpci_machine_set_ecam(struct vpci_machine *m, uint64_t base, uint8_t first, uint8_t last)
{
	if (last < first || (base & 0xfffff) || base + ((uint64_t)last + 1) * (1u << 20) < base)
		return -EINVAL;
	m->ecam = true;
	m->ecam_base = base;
	m->ecam_first = first;
	m->ecam_last = last;
	return 0;
}

bool vpci_machine_ecam(const struct vpci_machine *m, uint64_t *base, uint8_t *first, uint8_t *last)
{
	if (!m->ecam)
		return false;
	*base = m->ecam_base;
	*first = m->ecam_first;
	*last = m->ecam_last;
	return true;
}

void vpci_machine_set_rdm(struct vpci_machine *m, const struct vpci_rdm *rdm)
{
	m->rdm = *rdm;
}

/* xl.cfg: rdm = "strategy=host,policy=strict|relaxed" (either part optional). */
int vpci_rdm_parse(const char *spec, struct vpci_rdm *out)
{
	char buf[128], *tok, *save = NULL;
	struct vpci_rdm r = { .strategy_host = false, .policy = VT_POLICY_STRICT };

	if (strlen(spec) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "strategy=host"))
			r.strategy_host = true;
		else if (!strcmp(tok, "policy=strict"))
			r.policy = VT_POLICY_STRICT;
		else if (!strcmp(tok, "policy=relaxed"))
			r.policy = VT_POLICY_RELAXED;
		else
			return -EINVAL;
	}
	*out = r;
	return 0;
}

size_t vpci_machine_ndev(const struct vpci_machine *m) { return m->ndev; }
size_t vpci_machine_mapped_bytes(const struct vpci_machine *m) { return vpci_arena_mapped(&m->arena); }
struct vpci_dev *vpci_machine_dev(const struct vpci_machine *m, size_t i) { return i < m->ndev ? m->devs[i] : NULL; }
const char *vpci_dev_path(const struct vpci_dev *d) { return d->path; }
bool vpci_dev_is_bridge(const struct vpci_dev *d) { return d->secondary != NULL; }
struct mapper *vpci_machine_mapper(const struct vpci_machine *m) { return m->map; }
struct vt_events *vpci_machine_events(const struct vpci_machine *m) { return m->ev; }
bool vpci_machine_finished(const struct vpci_machine *m) { return m->finished; }

enum vpci_bar_type vpci_dev_bar(const struct vpci_dev *d, unsigned bar, uint64_t *addr, uint64_t *size)
{
	if (bar >= VPCI_NBARS)
		return VPCI_BAR_NONE;
	if (addr)
		*addr = d->bar[bar].addr;
	if (size)
		*size = d->bar[bar].size;
	return d->bar[bar].type;
}
