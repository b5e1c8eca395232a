/*
 * vpci/lspci_topo.c - an lspci dump's functions as a machine's devices.
 *
 * A dump knows functions only by their current bus numbers; a machine knows
 * them by path (CONTRACT §1), so the tree is rebuilt from the bridges' bus
 * number registers as they were when the dump was taken.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vpci.h"

/*
 * Topology (CONTRACT §1): a bus that some bridge of the dump names as its
 * secondary (config byte 0x19) is behind that bridge; any other bus is a
 * root bus. Paths are then root bus plus dev.fn hops.
 */
struct lp_topo {
	const struct vpci_dump *d;
	const char *file;
	struct vt_err *err;
	long *parent;           /* bridge index, -1 on a root bus */
	uint32_t *depth;        /* 1 on a root bus; UINT32_MAX while being walked */
	uint64_t *order;        /* depth << 32 | index, sorted */
	char (*path)[VPCI_PATH_MAX];
};

static uint32_t lp_sbdf(const struct vpci_dump_fn *f)
{
	return VT_SBDF(f->seg, f->bus, f->devfn);
}

/*
 * PCI-to-PCI (type 1) and CardBus (type 2) bridges both forward config
 * cycles to the bus numbered at 0x19 (a PC Card sits behind 1c:03.0 in
 * fujitsu-lifebook-p8010), and vpci routes through both.
 */
static bool lp_is_bridge(const struct vpci_dump_fn *f)
{
	unsigned type = f->cfg[0x0e] & 0x7f;

	return f->cfg_len > 0x19 && (type == 1 || type == 2);
}

static int lp_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Map every secondary bus to its bridge; two claimants are ambiguous. */
static int lp_bridges(struct lp_topo *t, uint64_t *k)
{
	const struct vpci_dump *d = t->d;
	size_t n = 0;
	char a[16], b[16];

	/*
	 * A secondary bus is above the bridge's own bus (PCI-to-PCI Bridge 1.2
	 * §3.2.5.4), so 0 is never one: such a bridge is not set up yet and
	 * claims nothing, as firmware leaves empty ports.
	 */
	for (size_t i = 0; i < d->n; i++)
		if (lp_is_bridge(&d->fn[i]) && d->fn[i].cfg[0x19])
			k[n++] = (uint64_t)(d->fn[i].seg << 8 | d->fn[i].cfg[0x19]) << 32 | i;
	qsort(k, n, sizeof(*k), lp_cmp_u64);
	for (size_t i = 1; i < n; i++) {
		const struct vpci_dump_fn *x = &d->fn[(uint32_t)k[i - 1]], *y = &d->fn[(uint32_t)k[i]];

		if (k[i] >> 32 == k[i - 1] >> 32)
			return vt_err_at(t->err, EINVAL, t->file, y->line,
					 "bridges %s (line %lu) and %s both have secondary bus %02x",
					 vt_fmt_sbdf(lp_sbdf(x), a), x->line, vt_fmt_sbdf(lp_sbdf(y), b),
					 y->cfg[0x19]);
	}
	for (size_t i = 0; i < d->n; i++) {
		uint32_t want = (uint32_t)d->fn[i].seg << 8 | d->fn[i].bus;
		size_t lo = 0, hi = n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (k[mid] >> 32 < want)
				lo = mid + 1;
			else
				hi = mid;
		}
		t->parent[i] = lo < n && k[lo] >> 32 == want ? (long)(uint32_t)k[lo] : -1;
	}
	return 0;
}

/* Depth of every function; walking up must end on a root bus. */
static int lp_depths(struct lp_topo *t, size_t *chain)
{
	char b[16];

	for (size_t i = 0; i < t->d->n; i++) {
		size_t k = 0;
		long j = (long)i;
		uint32_t base;

		while (j >= 0 && !t->depth[j]) {
			t->depth[j] = UINT32_MAX;
			chain[k++] = (size_t)j;
			j = t->parent[j];
		}
		if (j >= 0 && t->depth[j] == UINT32_MAX)
			return vt_err_at(t->err, ELOOP, t->file, t->d->fn[j].line,
					 "bridge %s is behind itself: its secondary bus numbers form a loop",
					 vt_fmt_sbdf(lp_sbdf(&t->d->fn[j]), b));
		base = j < 0 ? 0 : t->depth[j];
		while (k)
			t->depth[chain[--k]] = ++base;
	}
	return 0;
}

/* Bridges before what is behind them: by depth, then file order. */
static int lp_paths(struct lp_topo *t)
{
	const struct vpci_dump *d = t->d;

	for (size_t i = 0; i < d->n; i++)
		t->order[i] = (uint64_t)t->depth[i] << 32 | i;
	qsort(t->order, d->n, sizeof(*t->order), lp_cmp_u64);
	for (size_t o = 0; o < d->n; o++) {
		size_t i = (uint32_t)t->order[o];
		const struct vpci_dump_fn *f = &d->fn[i];
		unsigned dev = f->devfn >> 3, fn = f->devfn & 7;
		int len;

		if (t->parent[i] >= 0) {
			char up[VPCI_PATH_MAX];

			memcpy(up, t->path[t->parent[i]], sizeof(up));
			len = snprintf(t->path[i], VPCI_PATH_MAX, "%s/%02x.%x", up, dev, fn);
		}
		else if (f->seg)
			len = snprintf(t->path[i], VPCI_PATH_MAX, "%04x:%02x:%02x.%x", f->seg, f->bus,
				       dev, fn);
		else
			len = snprintf(t->path[i], VPCI_PATH_MAX, "%02x:%02x.%x", f->bus, dev, fn);
		if (len < 0 || len >= VPCI_PATH_MAX)
			return vt_err_at(t->err, ENAMETOOLONG, t->file, f->line,
					 "path of this function is longer than %d bytes",
					 VPCI_PATH_MAX - 1);
	}
	return 0;
}

static int lp_add_devs(struct lp_topo *t, struct vpci_machine *m, struct vpci_dev_desc *desc)
{
	char b[16];

	for (size_t o = 0; o < t->d->n; o++) {
		size_t i = (uint32_t)t->order[o];
		const struct vpci_dump_fn *f = &t->d->fn[i];
		int r;

		/* Without config bytes there is no device to emulate. */
		if (!f->cfg_len)
			return vt_err_at(t->err, EINVAL, t->file, f->line,
					 "function %s has no hex rows (lspci -xxx or -xxxx output needed)",
					 vt_fmt_sbdf(lp_sbdf(f), b));
		memset(desc, 0, sizeof(*desc));
		memcpy(desc->path, t->path[i], VPCI_PATH_MAX);
		memcpy(desc->cfg, f->cfg, sizeof(desc->cfg));
		desc->cfg_len = f->cfg_len;
		memcpy(desc->bar_size, f->bar_size, sizeof(desc->bar_size));
		desc->rdm_policy = VT_POLICY_DEFAULT;
		desc->line = f->line;
		desc->file = t->file;
		r = vpci_machine_add_dev(m, desc, t->err);
		if (r < 0)
			return r;
	}
	return 0;
}

int vpci_dump_to_machine(const struct vpci_dump *d, struct vpci_machine *m, const char *file,
			 struct vt_err *err)
{
	struct lp_topo t = { .d = d, .file = file, .err = err };
	size_t n = d->n ? d->n : 1;
	uint64_t *key = calloc(n, sizeof(*key));
	size_t *chain = calloc(n, sizeof(*chain));
	struct vpci_dev_desc *desc = malloc(sizeof(*desc));
	int r;

	t.parent = calloc(n, sizeof(*t.parent));
	t.depth = calloc(n, sizeof(*t.depth));
	t.order = calloc(n, sizeof(*t.order));
	t.path = calloc(n, sizeof(*t.path));
	if (!key || !chain || !desc || !t.parent || !t.depth || !t.order || !t.path)
		r = vt_err_at(err, ENOMEM, file, 0, "out of memory");
	else if (!d->n)
		r = vt_err_at(err, EINVAL, file, 0, "no lspci device headers (BB:DD.F ...) found");
	else if (!(r = lp_bridges(&t, key)) && !(r = lp_depths(&t, chain)) && !(r = lp_paths(&t)))
		r = lp_add_devs(&t, m, desc);
	free(key);
	free(chain);
	free(desc);
	free(t.parent);
	free(t.depth);
	free(t.order);
	free(t.path);
	return r;
}
