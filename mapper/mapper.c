/*
 * mapper/mapper.c - deciding and applying the 1:1 mapping set.
 *
 * Policy (what may be mapped) is decided in slot_decide() before any
 * backend call; mechanism (reference counts and coalesced backend calls)
 * lives in refs.c. Order on every change: unmap the old range, then check
 * and map the new one (CONTRACT §3).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

struct mapper *map_create(const struct map_ops *ops, void *ctx, struct vt_events *ev)
{
	struct mapper *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->ops = ops;
	m->ctx = ctx;
	m->ev = ev;
	m->policy = VT_POLICY_STRICT;
	refs_init(&m->refs[VT_SPACE_MEM]);
	refs_init(&m->refs[VT_SPACE_IO]);
	return m;
}

void map_destroy(struct mapper *m)
{
	if (!m)
		return;
	refs_free(&m->refs[0]);
	refs_free(&m->refs[1]);
	regions_free(&m->regions);
	free(m);
}

int map_region_add(struct mapper *m, enum map_region kind, const struct vt_range *r)
{
	return regions_add(&m->regions, kind, r);
}

static uint64_t first_page(uint64_t a)
{
	return a >> VT_PAGE_SHIFT;
}

/* Pin the pages of every RMRR not yet pinned (the platform maps them). */
int map_seal(struct mapper *m)
{
	regions_build(&m->regions);
	for (size_t i = 0; i < m->regions.n; i++) {
		struct region *r = &m->regions.r[i];
		if (r->kind != MAP_REGION_RMRR || r->pinned)
			continue;
		refs_add(&m->refs[VT_SPACE_MEM], first_page(r->range.base), first_page(r->range.last),
			 1, true, NULL, NULL);
		r->pinned = true;
	}
	return 0;
}

void map_set_policy(struct mapper *m, enum vt_policy global)
{
	m->policy = global == VT_POLICY_RELAXED ? VT_POLICY_RELAXED : VT_POLICY_STRICT;
}

enum vt_policy map_get_policy(const struct mapper *m)
{
	return m->policy;
}

struct conflict_acc {
	struct map_conflict *out;
	size_t max, n;
};

static void conflict_cb(void *ctx, const struct region *r)
{
	struct conflict_acc *acc = ctx;

	if (acc->n < acc->max) {
		acc->out[acc->n].kind = r->kind == MAP_REGION_RAM ? VT_CONFLICT_RAM :
					r->kind == MAP_REGION_RESERVED ? VT_CONFLICT_RESERVED :
					VT_CONFLICT_RMRR;
		acc->out[acc->n].range = r->range;
	}
	acc->n++;
}

size_t map_conflicts(const struct mapper *m, const struct vt_range *r, enum vt_policy policy,
		     struct map_conflict *out, size_t max)
{
	struct conflict_acc acc = { out, max, 0 };

	if (!m->regions.sorted)
		regions_build((struct regions *)&m->regions);
	regions_query(&m->regions, r, conflict_cb, &acc);
	return acc.n;
}

/* Backend calls for refcount transitions, split at the backend's limit. */
struct apply_ctx {
	struct mapper *m;
	enum vt_space space;
};

static void apply(void *ctx, bool up, uint64_t first, uint64_t last)
{
	struct apply_ctx *a = ctx;
	struct mapper *m = a->m;
	uint64_t nr = last - first + 1, max = m->ops && m->ops->max_nr ? m->ops->max_nr : nr;

	if (!m->ops)
		return;
	while (nr) {
		uint64_t chunk = nr < max ? nr : max;
		int rc = up ? m->ops->map(m->ctx, a->space, first, chunk) :
			      m->ops->unmap(m->ctx, a->space, first, chunk);
		if (rc)
			m->backend_errors++;
		first += chunk;
		nr -= chunk;
	}
}

static void units(enum vt_space sp, const struct vt_range *r, uint64_t *first, uint64_t *last)
{
	*first = sp == VT_SPACE_MEM ? first_page(r->base) : r->base;
	*last = sp == VT_SPACE_MEM ? first_page(r->last) : r->last;
}

static void emit(struct mapper *m, enum vt_ev_type type, const struct map_owner *who,
		 enum vt_space sp, const struct vt_range *r, const struct map_conflict *c,
		 enum vt_policy pol)
{
	struct vt_event e = { .type = type, .sbdf = who->sbdf, .bar = who->bar, .space = sp };

	e.range = *r;
	if (c) {
		e.conflict = c->kind;
		e.conflict_range = c->range;
		e.policy = pol;
	}
	vt_events_emit(m->ev, &e);
}

static void slot_unmap(struct mapper *m, struct map_slot *s, const struct map_owner *who)
{
	struct apply_ctx a = { m, s->space };
	uint64_t f, l;

	if (s->active) {
		emit(m, VT_EV_UNMAP, who, s->space, &s->want, NULL, VT_POLICY_DEFAULT);
		units(s->space, &s->want, &f, &l);
		refs_add(&m->refs[s->space], f, l, -1, false, apply, &a);
	}
	s->active = s->refused = false;
}

/* Two passes over the conflicts of a BAR: count those that refuse, then emit. */
struct decide_ctx {
	struct mapper *m;
	const struct map_owner *who;
	const struct vt_range *bar;
	enum vt_policy pol;
	size_t refusing;
	bool emitting;
};

static void decide_cb(void *ctx, const struct region *r)
{
	struct decide_ctx *d = ctx;
	struct map_conflict c = { r->kind == MAP_REGION_RAM ? VT_CONFLICT_RAM :
				  r->kind == MAP_REGION_RESERVED ? VT_CONFLICT_RESERVED : VT_CONFLICT_RMRR,
				  r->range };
	bool refuse = c.kind != VT_CONFLICT_RMRR || d->pol != VT_POLICY_RELAXED;

	if (!d->emitting)
		d->refusing += refuse;
	else if (d->refusing && refuse)
		emit(d->m, VT_EV_REFUSE, d->who, VT_SPACE_MEM, d->bar, &c, VT_POLICY_STRICT);
	else if (!d->refusing)
		emit(d->m, VT_EV_WARN, d->who, VT_SPACE_MEM, d->bar, &c, VT_POLICY_RELAXED);
}

/*
 * Decide: true = may map (after warnings), false = refused (events emitted).
 * Every conflict counts and is reported, however many: one RAM range among
 * a hundred RMRRs still refuses a relaxed BAR.
 */
static bool slot_decide(struct mapper *m, const struct map_owner *who, const struct vt_range *r)
{
	/* Mapping is page granular: whatever shares a page with the BAR conflicts. */
	struct vt_range pages = { r->base & ~(VT_PAGE_SIZE - 1), r->last | (VT_PAGE_SIZE - 1) };
	struct decide_ctx d = { m, who, r, who->policy != VT_POLICY_DEFAULT ? who->policy : m->policy,
				0, false };

	if (!m->regions.sorted)
		regions_build(&m->regions);
	regions_query(&m->regions, &pages, decide_cb, &d);
	d.emitting = true;
	regions_query(&m->regions, &pages, decide_cb, &d);
	return d.refusing == 0;
}

void map_slot_set(struct mapper *m, struct map_slot *s, const struct map_owner *who,
		  enum vt_space space, const struct vt_range *want)
{
	struct apply_ctx a = { m, space };
	uint64_t f, l;

	if (want && (s->active || s->refused) && s->space == space && s->want.base == want->base &&
	    s->want.last == want->last)
		return; /* nothing changed: no repeated events */
	if (!want && !s->active && !s->refused)
		return;
	slot_unmap(m, s, who);
	if (!want)
		return;
	s->space = space;
	s->want = *want;
	if (space == VT_SPACE_MEM && !slot_decide(m, who, want)) {
		s->refused = true;
		return;
	}
	emit(m, VT_EV_MAP, who, space, want, NULL, VT_POLICY_DEFAULT);
	units(space, want, &f, &l);
	refs_add(&m->refs[space], f, l, 1, false, apply, &a);
	s->active = true;
}

unsigned long map_backend_errors(const struct mapper *m)
{
	return m->backend_errors;
}

uint64_t map_refcount(const struct mapper *m, enum vt_space space, uint64_t unit)
{
	const struct refs_node *n = refs_find(&m->refs[space], unit);

	return n ? n->count : 0;
}

bool map_is_mapped(const struct mapper *m, enum vt_space space, uint64_t unit)
{
	const struct refs_node *n = refs_find(&m->refs[space], unit);

	return n && n->live;
}

struct walk_ctx {
	void (*fn)(void *, uint64_t, uint64_t, uint64_t);
	void *ctx;
};

static void walk_cb(void *ctx, const struct refs_node *n)
{
	struct walk_ctx *w = ctx;

	if (n->live)
		w->fn(w->ctx, n->first, n->last, n->count);
}

void map_walk(const struct mapper *m, enum vt_space space,
	      void (*fn)(void *ctx, uint64_t first, uint64_t last, uint64_t refs), void *ctx)
{
	struct walk_ctx w = { fn, ctx };

	refs_walk(&m->refs[space], walk_cb, &w);
}

void map_region_walk(const struct mapper *m,
		     void (*fn)(void *ctx, enum map_region kind, const struct vt_range *r), void *ctx)
{
	if (!m->regions.sorted)
		regions_build((struct regions *)&m->regions);
	for (size_t i = 0; i < m->regions.n; i++)
		fn(ctx, m->regions.r[i].kind, &m->regions.r[i].range);
}
