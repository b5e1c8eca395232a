/*
 * mapper/regions.c - platform ranges (RAM, reserved, RMRR) and overlap
 * queries in O(log n + k): the ranges sorted by base form an implicit
 * balanced tree (the middle of each index interval is its root), each node
 * augmented with the largest `last` of its subtree, so whole subtrees that
 * end before the query or start after it are skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

int regions_add(struct regions *rs, enum map_region kind, const struct vt_range *r)
{
	if (r->last < r->base)
		return -EINVAL;
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;
		struct region *nr = realloc(rs->r, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		rs->r = nr;
		rs->cap = cap;
	}
	rs->r[rs->n].range = *r;
	rs->r[rs->n].kind = kind;
	rs->r[rs->n].pinned = false;
	rs->n++;
	rs->sorted = false;
	return 0;
}

static int cmp_region(const void *a, const void *b)
{
	const struct region *x = a, *y = b;

	if (x->range.base != y->range.base)
		return x->range.base < y->range.base ? -1 : 1;
	if (x->range.last != y->range.last)
		return x->range.last < y->range.last ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

static uint64_t build(struct regions *rs, size_t lo, size_t hi)
{
	if (lo >= hi)
		return 0;
	size_t mid = lo + (hi - lo) / 2;
	uint64_t m = rs->r[mid].range.last, l = build(rs, lo, mid), r = build(rs, mid + 1, hi);

	if (lo < mid && l > m)
		m = l;
	if (mid + 1 < hi && r > m)
		m = r;
	rs->maxlast[mid] = m;
	return m;
}

void regions_build(struct regions *rs)
{
	if (rs->sorted)
		return;
	if (rs->n)
		qsort(rs->r, rs->n, sizeof(*rs->r), cmp_region);
	free(rs->maxlast);
	rs->maxlast = rs->n ? malloc(rs->n * sizeof(*rs->maxlast)) : NULL;
	if (rs->n && !rs->maxlast)
		abort();
	build(rs, 0, rs->n);
	rs->sorted = true;
}

static void query(const struct regions *rs, size_t lo, size_t hi, const struct vt_range *q,
		  void (*fn)(void *, const struct region *), void *ctx)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rs->maxlast[mid] < q->base)
			return;
		query(rs, lo, mid, q, fn, ctx);
		if (rs->r[mid].range.base > q->last)
			return;
		if (rs->r[mid].range.last >= q->base)
			fn(ctx, &rs->r[mid]);
		lo = mid + 1; /* the right subtree, iteratively */
	}
}

void regions_query(const struct regions *rs, const struct vt_range *q,
		   void (*fn)(void *ctx, const struct region *r), void *ctx)
{
	query(rs, 0, rs->n, q, fn, ctx);
}

void regions_free(struct regions *rs)
{
	free(rs->r);
	free(rs->maxlast);
	memset(rs, 0, sizeof(*rs));
}
