/*
 * mapper/refs.c - per-unit reference counts in O(log n + k).
 *
 * A treap of disjoint segments. An update cuts the segments at the range's
 * two ends, splits the treap around the range, rewrites the k segments
 * inside (filling the gaps), and merges back: O(log n + k) per update,
 * whatever the size of the range (a 64 GiB BAR is one segment, not 16M
 * pages).
 */
#include <stdlib.h>
#include <string.h>

#include "private.h"

static uint32_t rnd(struct refs *r)
{
	/* xorshift32: priorities need only be independent of the keys. */
	r->seed ^= r->seed << 13;
	r->seed ^= r->seed >> 17;
	r->seed ^= r->seed << 5;
	return r->seed;
}

void refs_init(struct refs *r)
{
	memset(r, 0, sizeof(*r));
	r->seed = 0x9e3779b9u;
}

static void free_tree(struct refs_node *n)
{
	if (!n)
		return;
	free_tree(n->l);
	free_tree(n->r);
	free(n);
}

void refs_free(struct refs *r)
{
	free_tree(r->root);
	r->root = NULL;
	r->nodes = 0;
}

/* a: first < key, b: first >= key. */
static void split(struct refs_node *t, uint64_t key, struct refs_node **a, struct refs_node **b)
{
	if (!t) {
		*a = *b = NULL;
	} else if (t->first < key) {
		split(t->r, key, &t->r, b);
		*a = t;
	} else {
		split(t->l, key, a, &t->l);
		*b = t;
	}
}

static struct refs_node *merge(struct refs_node *a, struct refs_node *b)
{
	if (!a || !b)
		return a ? a : b;
	if (a->prio > b->prio) {
		a->r = merge(a->r, b);
		return a;
	}
	b->l = merge(a, b->l);
	return b;
}

const struct refs_node *refs_find(const struct refs *r, uint64_t unit)
{
	const struct refs_node *n = r->root;

	while (n) {
		if (unit < n->first)
			n = n->l;
		else if (unit > n->last)
			n = n->r;
		else
			return n;
	}
	return NULL;
}

static struct refs_node *new_node(struct refs *r, uint64_t first, uint64_t last, uint64_t count,
				  uint64_t pin)
{
	struct refs_node *n = calloc(1, sizeof(*n));

	if (!n)
		abort(); /* a few dozen bytes: out of memory is not recoverable here */
	n->first = first, n->last = last, n->count = count, n->pin = pin;
	n->prio = rnd(r);
	r->nodes++;
	return n;
}

/* Make `unit` the first unit of a segment if a segment covers it. */
static void cut(struct refs *r, uint64_t unit)
{
	struct refs_node *n = (struct refs_node *)refs_find(r, unit), *a, *b;

	if (!n || n->first == unit)
		return;
	struct refs_node *tail = new_node(r, unit, n->last, n->count, n->pin);
	tail->live = n->live;
	n->last = unit - 1;
	split(r->root, unit, &a, &b);
	r->root = merge(merge(a, tail), b);
}

/* In-order flatten of a subtree into a growable array. */
struct flat {
	struct refs_node **v;
	size_t n, cap;
};

static void flatten(struct refs_node *t, struct flat *f)
{
	if (!t)
		return;
	flatten(t->l, f);
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->v = realloc(f->v, f->cap * sizeof(*f->v));
		if (!f->v)
			abort();
	}
	struct refs_node *right = t->r;
	t->l = t->r = NULL;
	f->v[f->n++] = t;
	flatten(right, f);
}

/* Coalesced transition runs, reported in address order. */
struct runs {
	refs_fn *fn;
	void *ctx;
	bool have, up;
	uint64_t first, last;
};

static void run_add(struct runs *rn, bool up, uint64_t first, uint64_t last)
{
	if (rn->have && rn->up == up && rn->last + 1 == first) {
		rn->last = last;
		return;
	}
	if (rn->have && rn->fn)
		rn->fn(rn->ctx, rn->up, rn->first, rn->last);
	rn->have = true, rn->up = up, rn->first = first, rn->last = last;
}

static struct refs_node *append(struct refs *r, struct refs_node *m, struct refs_node *n,
				struct refs_node **prev)
{
	/* Coalesce with the previous segment when nothing tells them apart. */
	if (*prev && (*prev)->last + 1 == n->first && (*prev)->count == n->count &&
	    (*prev)->pin == n->pin && (*prev)->live == n->live) {
		(*prev)->last = n->last;
		free(n);
		r->nodes--;
		return m;
	}
	*prev = n;
	return merge(m, n);
}

/*
 * Undo a cut at `unit` when nothing tells the two sides apart any more, so
 * that the treap holds one segment per distinct run: its size follows the
 * ranges mapped now, not every boundary ever cut (a BAR moved across a
 * larger one would otherwise leave two segments behind per move).
 */
static void join(struct refs *r, uint64_t unit)
{
	struct refs_node *rn = (struct refs_node *)refs_find(r, unit), *ln, *a, *mid, *b;

	if (!unit || !rn || rn->first != unit || !(ln = (struct refs_node *)refs_find(r, unit - 1)) ||
	    ln->count != rn->count || ln->pin != rn->pin || ln->live != rn->live)
		return;
	split(r->root, rn->first, &a, &mid);
	if (rn->last != UINT64_MAX)
		split(mid, rn->last + 1, &mid, &b);
	else
		b = NULL;
	ln->last = rn->last;
	free(mid); /* exactly rn */
	r->nodes--;
	r->root = merge(a, b);
}

void refs_add(struct refs *r, uint64_t first, uint64_t last, int delta, bool pin, refs_fn *fn,
	      void *ctx)
{
	struct refs_node *a, *mid, *b, *m = NULL, *prev = NULL;
	struct flat f = { 0 };
	struct runs rn = { fn, ctx, false, false, 0, 0 };
	uint64_t at = first;

	cut(r, first);
	if (last != UINT64_MAX)
		cut(r, last + 1);
	split(r->root, first, &a, &mid);
	if (last != UINT64_MAX)
		split(mid, last + 1, &mid, &b);
	else
		b = NULL;
	flatten(mid, &f);
	for (size_t i = 0; i <= f.n; i++) {
		struct refs_node *n = i < f.n ? f.v[i] : NULL;
		uint64_t gap_end = n ? n->first - 1 : last;

		if (delta > 0 && at <= gap_end && (n ? at < n->first : true)) {
			struct refs_node *g = new_node(r, at, gap_end, 1, pin ? 1 : 0);
			g->live = !pin;
			m = append(r, m, g, &prev);
			if (!pin)
				run_add(&rn, true, at, gap_end);
		}
		if (!n)
			break;
		if (delta > 0) {
			n->count++;
			n->pin += pin;
			/* A BAR over pinned pages maps them once; they are never unmapped. */
			if (!pin && !n->live) {
				n->live = true;
				run_add(&rn, true, n->first, n->last);
			}
		} else if (n->count > 0 && (!pin || n->pin > 0)) {
			n->count--;
			n->pin -= pin;
		}
		uint64_t n_last = n->last;
		if (n->count == 0) {
			if (n->live)
				run_add(&rn, false, n->first, n->last);
			free(n);
			r->nodes--;
		} else {
			m = append(r, m, n, &prev);
		}
		if (n_last == UINT64_MAX)
			break;
		at = n_last + 1;
	}
	if (rn.have && rn.fn)
		rn.fn(rn.ctx, rn.up, rn.first, rn.last);
	free(f.v);
	r->root = merge(merge(a, m), b);
	join(r, first);
	if (last != UINT64_MAX)
		join(r, last + 1);
}

static void walk(const struct refs_node *n, void (*fn)(void *, const struct refs_node *), void *ctx)
{
	if (!n)
		return;
	walk(n->l, fn, ctx);
	fn(ctx, n);
	walk(n->r, fn, ctx);
}

void refs_walk(const struct refs *r, void (*fn)(void *ctx, const struct refs_node *n), void *ctx)
{
	walk(r->root, fn, ctx);
}
