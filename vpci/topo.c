/*
 * vpci/topo.c - buses and routing by the bridges' current bus numbers
 * (CONTRACT §2, PCI-to-PCI Bridge 1.2 section 3.2.5.3).
 *
 * Each segment keeps a table from bus number to bus node, rebuilt whenever
 * a bridge's secondary or subordinate number changes, so that the access
 * path is two array lookups. A bridge forwards bus B when
 * secondary <= B <= subordinate and its secondary lies above the bus it
 * sits on; where ranges of siblings overlap, the first bridge in devfn
 * order owns B (real hardware would fight; this is the defined result).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

struct vpci_bus *vpci_bus_new(struct vpci_machine *m, uint16_t seg, struct vpci_dev *bridge)
{
	struct vpci_bus *b;

	if (m->nbuses == m->capbuses) {
		size_t cap = m->capbuses ? m->capbuses * 2 : 16;
		struct vpci_bus **nb = realloc(m->buses, cap * sizeof(*nb));
		if (!nb)
			return NULL;
		m->buses = nb;
		m->capbuses = cap;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->bridge = bridge;
	b->seg = seg;
	b->number = -1;
	m->buses[m->nbuses++] = b;
	return b;
}

struct vpci_seg *vpci_seg_get(struct vpci_machine *m, uint16_t seg, bool create)
{
	struct vpci_seg *s, **ns;

	for (size_t i = 0; i < m->nsegs; i++)
		if (m->segs[i]->seg == seg)
			return m->segs[i];
	if (!create || !(s = calloc(1, sizeof(*s))))
		return NULL;
	ns = realloc(m->segs, (m->nsegs + 1) * sizeof(*ns));
	if (!ns) {
		free(s);
		return NULL;
	}
	s->seg = seg;
	m->segs = ns;
	m->segs[m->nsegs++] = s;
	if (seg == 0)
		m->seg0 = s;
	return s;
}

static bool is_bridge(const struct vpci_dev *d)
{
	return d->secondary != NULL;
}

/* The numbers a bridge on bus `n` forwards: [sec, sub] if sec > n. */
static bool bridge_window(const struct vpci_dev *d, int n, unsigned *sec, unsigned *sub)
{
	*sec = d->cfg[PCI_SECONDARY_BUS];
	*sub = d->cfg[PCI_SUBORDINATE_BUS];
	return (int)*sec > n && *sub >= *sec;
}

/* claim[B]: bus numbers this bus's subtree may answer. */
static void walk(struct vpci_seg *s, struct vpci_bus *bus, int n, const uint8_t claim[256])
{
	uint8_t taken[256] = { 0 };

	if (claim[n] && !s->route[n]) {
		s->route[n] = bus;
		bus->number = n;
	}
	for (unsigned devfn = 0; devfn < 256; devfn++) {
		struct vpci_dev *d = bus->dev[devfn];
		uint8_t child[256] = { 0 };
		unsigned sec, sub;
		bool any = false;

		if (!d || !is_bridge(d) || !bridge_window(d, n, &sec, &sub))
			continue;
		for (unsigned b = sec; b <= sub; b++) {
			if (claim[b] && !taken[b]) {
				child[b] = taken[b] = 1;
				any = true;
			}
		}
		if (any)
			walk(s, d->secondary, (int)sec, child);
	}
}

void vpci_route_rebuild(struct vpci_machine *m, uint16_t segno)
{
	struct vpci_seg *s = vpci_seg_get(m, segno, false);
	uint8_t claim[256];

	if (!s)
		return;
	memset(s->route, 0, sizeof(s->route));
	for (size_t i = 0; i < m->nbuses; i++)
		if (m->buses[i]->seg == segno)
			m->buses[i]->number = -1;
	/* Roots are sorted by number; each answers up to the next root's number. */
	for (size_t i = 0; i < s->nroots; i++) {
		unsigned lo = s->roots[i]->root_number;
		unsigned hi = i + 1 < s->nroots ? s->roots[i + 1]->root_number - 1u : 255u;
		memset(claim, 0, sizeof(claim));
		memset(claim + lo, 1, hi - lo + 1);
		walk(s, s->roots[i], (int)lo, claim);
	}
}

/* §2 routing computed from the registers alone, for invariant checks. */
struct vpci_dev *vpci_route_slow(const struct vpci_machine *m, uint32_t sbdf)
{
	const struct vpci_seg *s = vpci_seg_get((struct vpci_machine *)m, VT_SBDF_SEG(sbdf), false);
	unsigned want = VT_SBDF_BUS(sbdf);
	const struct vpci_bus *bus = NULL;
	int n = -1;

	if (!s)
		return NULL;
	for (size_t i = 0; i < s->nroots; i++) {
		unsigned hi = i + 1 < s->nroots ? s->roots[i + 1]->root_number - 1u : 255u;
		if (want >= s->roots[i]->root_number && want <= hi) {
			bus = s->roots[i];
			n = s->roots[i]->root_number;
		}
	}
	while (bus && (unsigned)n != want) {
		const struct vpci_bus *next = NULL;
		for (unsigned devfn = 0; devfn < 256 && !next; devfn++) {
			const struct vpci_dev *d = bus->dev[devfn];
			unsigned sec, sub;
			if (d && is_bridge(d) && bridge_window(d, n, &sec, &sub) && want >= sec && want <= sub) {
				next = d->secondary;
				n = (int)sec;
			}
		}
		bus = next;
	}
	return bus ? bus->dev[VT_SBDF_DEVFN(sbdf)] : NULL;
}

bool vpci_dev_sbdf(const struct vpci_dev *d, uint32_t *sbdf)
{
	if (!d->bus || d->bus->number < 0)
		return false;
	/* Reachable only if the route for its bus number leads to its bus. */
	const struct vpci_seg *s = vpci_seg_get(d->m, d->bus->seg, false);
	if (!s || s->route[d->bus->number] != d->bus)
		return false;
	*sbdf = VT_SBDF(d->bus->seg, d->bus->number, d->devfn);
	return true;
}

/* "[SSSS:]BB:DD.F[/DD.F...]" -> segment, root bus, devfn hops. */
int vpci_path_parse(const char *path, uint16_t *seg, uint8_t *bus, uint8_t *devfn, unsigned max,
		    unsigned *nhops)
{
	char buf[VPCI_PATH_MAX], *hop, *save = NULL;
	uint32_t sbdf;
	unsigned n = 0;

	if (strlen(path) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, path);
	hop = strtok_r(buf, "/", &save);
	if (!hop || vt_parse_sbdf(hop, &sbdf))
		return -EINVAL;
	*seg = VT_SBDF_SEG(sbdf);
	*bus = VT_SBDF_BUS(sbdf);
	devfn[n++] = VT_SBDF_DEVFN(sbdf);
	while ((hop = strtok_r(NULL, "/", &save))) {
		char full[16];
		if (n == max || strlen(hop) > 4)
			return -EINVAL;
		snprintf(full, sizeof(full), "00:%s", hop);
		if (vt_parse_sbdf(full, &sbdf))
			return -EINVAL;
		devfn[n++] = VT_SBDF_DEVFN(sbdf);
	}
	*nhops = n;
	return 0;
}
