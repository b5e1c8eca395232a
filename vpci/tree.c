/*
 * vpci/tree.c - finishing a machine: attach every function to its bus by
 * path, register the RMRRs the RDM strategy selects, route, and map what
 * the initial state decodes. Also the mapped-set listing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

static size_t depth(const char *path)
{
	size_t n = 0;

	for (; *path; path++)
		n += *path == '/';
	return n;
}

static int cmp_depth(const void *a, const void *b)
{
	const struct vpci_dev *x = *(const struct vpci_dev *const *)a, *y = *(const struct vpci_dev *const *)b;
	size_t dx = depth(x->path), dy = depth(y->path);

	return dx != dy ? (dx < dy ? -1 : 1) : strcmp(x->path, y->path);
}

static struct vpci_bus *root_bus(struct vpci_machine *m, uint16_t segno, uint8_t number)
{
	struct vpci_seg *s = vpci_seg_get(m, segno, true);
	struct vpci_bus *b, **nr;
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < s->nroots; i++)
		if (s->roots[i]->root_number == number)
			return s->roots[i];
	if (!(b = vpci_bus_new(m, segno, NULL)))
		return NULL;
	b->root_number = number;
	if (!(nr = realloc(s->roots, (s->nroots + 1) * sizeof(*nr))))
		return NULL;
	s->roots = nr;
	/* Keep roots sorted by number: routing gives each the numbers up to the next. */
	for (i = s->nroots; i > 0 && s->roots[i - 1]->root_number > number; i--)
		s->roots[i] = s->roots[i - 1];
	s->roots[i] = b;
	s->nroots++;
	return b;
}

static int attach(struct vpci_machine *m, struct vpci_dev *d, struct vt_err *err)
{
	char parent[VPCI_PATH_MAX];
	char *slash;
	struct vpci_bus *bus;
	struct vpci_dev *p;

	strcpy(parent, d->path);
	slash = strrchr(parent, '/');
	if (!slash) {
		uint8_t devfn[32], busno;
		uint16_t seg;
		unsigned n;
		vpci_path_parse(d->path, &seg, &busno, devfn, 32, &n);
		bus = root_bus(m, seg, busno);
		if (!bus)
			return vt_errf(err, ENOMEM, "out of memory");
	} else {
		*slash = 0;
		p = vpci_dev_by_path(m, parent);
		if (!p)
			return vt_err_at(err, EINVAL, d->file, d->line, "device %s: no device %s above it",
					 d->path, parent);
		if (!p->secondary)
			return vt_err_at(err, EINVAL, d->file, d->line, "device %s: %s above it is not a bridge",
					 d->path, parent);
		bus = p->secondary;
	}
	bus->dev[d->devfn] = d;
	d->bus = bus;
	return 0;
}

/* Does the RMRR's scope name a function of this machine? */
static bool rmrr_scoped(const struct vpci_machine *m, const struct vpci_rmrr_ent *r)
{
	for (size_t i = 0; r->by_sbdf && i < m->ndev; i++) {
		uint32_t sbdf;
		if (vpci_dev_sbdf(m->devs[i], &sbdf) && sbdf >= r->sbdf_first && sbdf <= r->sbdf_last)
			return true;
	}
	for (unsigned i = 0; i < r->npath; i++)
		if (vpci_dev_by_path(m, r->path[i]))
			return true;
	return false;
}

/*
 * strategy=host checks every RMRR, otherwise only those of this machine's
 * functions (CONTRACT §3). Only the latter are identity mapped by the
 * platform for this domain (Xen maps the RMRRs of the devices it assigns),
 * so only they are pinned in the mapper.
 */
static int rmrr_register(struct vpci_machine *m, const struct vpci_rmrr_ent *r)
{
	bool scoped = rmrr_scoped(m, r);

	if (!scoped && !m->rdm.strategy_host)
		return 0;
	return map_region_add(m->map, scoped ? MAP_REGION_RMRR : MAP_REGION_RMRR_OTHER, &r->range);
}

int vpci_machine_finish(struct vpci_machine *m, struct vt_err *err)
{
	struct vpci_dev **order;
	int rc = 0;

	if (m->finished)
		return 0;
	order = malloc((m->ndev ? m->ndev : 1) * sizeof(*order));
	if (!order)
		return vt_errf(err, ENOMEM, "out of memory");
	if (m->ndev)
		memcpy(order, m->devs, m->ndev * sizeof(*order));
	qsort(order, m->ndev, sizeof(*order), cmp_depth);
	for (size_t i = 0; i < m->ndev; i++) {
		struct vpci_dev *d = order[i];
		if (d->hdr_type != PCI_HEADER_TYPE_NORMAL && !(d->secondary = vpci_bus_new(m, 0, d))) {
			rc = vt_errf(err, ENOMEM, "out of memory");
			break;
		}
		if ((rc = attach(m, d, err)))
			break;
		if (d->secondary)
			d->secondary->seg = d->bus->seg;
	}
	free(order);
	if (rc)
		return rc;
	for (size_t i = 0; i < m->nsegs; i++)
		vpci_route_rebuild(m, m->segs[i]->seg);
	for (size_t i = 0; i < m->nrmrr; i++)
		if ((rc = rmrr_register(m, &m->rmrr[i])))
			return vt_errf(err, rc, "out of memory");
	map_set_policy(m->map, m->rdm.policy);
	map_seal(m->map);
	m->finished = true;
	for (size_t i = 0; i < m->ndev; i++)
		vpci_header_update_all(m->devs[i]);
	return 0;
}

static int cmp_mapped(const void *a, const void *b)
{
	const struct vpci_mapped *x = a, *y = b;

	/* CONTRACT §6: sorted by base (memory before I/O at the same number). */
	if (x->range.base != y->range.base)
		return x->range.base < y->range.base ? -1 : 1;
	if (x->space != y->space)
		return x->space < y->space ? -1 : 1;
	return x->sbdf < y->sbdf ? -1 : x->sbdf > y->sbdf;
}

size_t vpci_machine_mapped(const struct vpci_machine *m, struct vpci_mapped **out)
{
	size_t n = 0, cap = 0;
	struct vpci_mapped *v = NULL;

	for (size_t i = 0; i < m->ndev; i++) {
		struct vpci_dev *d = m->devs[i];
		for (unsigned b = 0; b < VPCI_NBARS; b++) {
			if (!d->bar[b].slot.active)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				struct vpci_mapped *nv = realloc(v, cap * sizeof(*nv));
				if (!nv)
					break;
				v = nv;
			}
			if (n == cap)
				break;
			if (!vpci_dev_sbdf(d, &v[n].sbdf))
				v[n].sbdf = VT_SBDF(d->bus->seg, 0xff, d->devfn);
			v[n].bar = (uint8_t)b;
			v[n].space = d->bar[b].slot.space;
			v[n].range = d->bar[b].slot.want;
			n++;
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_mapped);
	*out = v;
	return n;
}
