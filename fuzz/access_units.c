/*
 * fuzz/access_units.c - counted interval sets of pages or ports.
 *
 * Deliberately simple (a sorted array rebuilt on every change): it is the
 * harness's own bookkeeping, to compare against the mapper's treap, so it
 * shares nothing with it.
 */
#include <stdlib.h>
#include <string.h>

#include "access.h"

void ax_units_clear(struct ax_units *u)
{
	u->n = 0;
}

void ax_units_free(struct ax_units *u)
{
	free(u->v);
	memset(u, 0, sizeof(*u));
}

static void push(struct ax_units *u, uint64_t first, uint64_t last, uint64_t count)
{
	if (!count)
		return;
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 32;
		struct ax_run *v = realloc(u->v, cap * sizeof(*v));
		if (!v)
			abort();
		u->v = v;
		u->cap = cap;
	}
	u->v[u->n++] = (struct ax_run){ first, last, count };
}

/* Split the run holding `unit` so that `unit` starts a run. */
static void cut(struct ax_units *u, uint64_t unit)
{
	for (size_t i = 0; i < u->n; i++) {
		struct ax_run *r = &u->v[i];
		if (unit <= r->first || unit > r->last)
			continue;
		push(u, unit, r->last, r->count); /* may move u->v */
		r = &u->v[i];
		r->last = unit - 1;
		/* keep the array sorted: move the new tail right after i */
		struct ax_run tail = u->v[u->n - 1];
		memmove(&u->v[i + 2], &u->v[i + 1], (u->n - 2 - i) * sizeof(tail));
		u->v[i + 1] = tail;
		return;
	}
}

void ax_units_add(struct ax_units *u, uint64_t first, uint64_t last, int64_t delta)
{
	struct ax_units out = { 0 };
	uint64_t at = first;
	bool done = false;

	cut(u, first);
	if (last != UINT64_MAX)
		cut(u, last + 1);
	for (size_t i = 0; i < u->n; i++) {
		struct ax_run r = u->v[i];
		if (r.last < first || r.first > last) {
			if (r.first > last && !done && at <= last) {
				if (delta < 0)
					FZ_FAIL("harness: unit set underflow at 0x%llx", (unsigned long long)at);
				push(&out, at, last, (uint64_t)delta);
				done = true;
			}
			push(&out, r.first, r.last, r.count);
			continue;
		}
		if (!done && at < r.first) {
			if (delta < 0)
				FZ_FAIL("harness: unit set underflow at 0x%llx", (unsigned long long)at);
			push(&out, at, r.first - 1, (uint64_t)delta);
		}
		if (delta < 0 && r.count < (uint64_t)-delta)
			FZ_FAIL("harness: unit set underflow at 0x%llx", (unsigned long long)r.first);
		push(&out, r.first, r.last, r.count + (uint64_t)delta);
		if (r.last == last)
			done = true;
		else
			at = r.last + 1;
	}
	if (!done && at <= last) {
		if (delta < 0)
			FZ_FAIL("harness: unit set underflow at 0x%llx", (unsigned long long)at);
		push(&out, at, last, (uint64_t)delta);
	}
	free(u->v);
	*u = out;
}

uint64_t ax_units_count(const struct ax_units *u, uint64_t unit)
{
	for (size_t i = 0; i < u->n; i++)
		if (unit >= u->v[i].first && unit <= u->v[i].last)
			return u->v[i].count;
	return 0;
}

bool ax_units_overlap(const struct ax_units *u, uint64_t first, uint64_t last)
{
	for (size_t i = 0; i < u->n; i++)
		if (u->v[i].first <= last && first <= u->v[i].last)
			return true;
	return false;
}

void ax_units_normalize(struct ax_units *u)
{
	size_t k = 0;

	for (size_t i = 0; i < u->n; i++) {
		if (k && u->v[k - 1].last + 1 == u->v[i].first && u->v[k - 1].count == u->v[i].count &&
		    u->v[k - 1].last != UINT64_MAX)
			u->v[k - 1].last = u->v[i].last;
		else
			u->v[k++] = u->v[i];
	}
	u->n = k;
}

bool ax_units_equal(const struct ax_units *a, const struct ax_units *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->v, b->v, a->n * sizeof(*a->v)));
}

void ax_units_drop(struct ax_units *u, uint64_t first, uint64_t last)
{
	size_t k = 0;

	cut(u, first);
	if (last != UINT64_MAX)
		cut(u, last + 1);
	for (size_t i = 0; i < u->n; i++)
		if (u->v[i].last < first || u->v[i].first > last)
			u->v[k++] = u->v[i];
	u->n = k;
}

void ax_units_flatten(struct ax_units *u)
{
	for (size_t i = 0; i < u->n; i++)
		u->v[i].count = 1;
	ax_units_normalize(u);
}

bool ax_units_covers(const struct ax_units *u, uint64_t first, uint64_t last)
{
	uint64_t at = first;

	for (size_t i = 0; i < u->n; i++) {
		const struct ax_run *r = &u->v[i];
		if (r->last < at)
			continue;
		if (r->first > at)
			return false;
		if (r->last >= last)
			return true;
		at = r->last + 1;
	}
	return false;
}

void ax_units_copy(struct ax_units *dst, const struct ax_units *src)
{
	ax_units_clear(dst);
	for (size_t i = 0; i < src->n; i++)
		push(dst, src->v[i].first, src->v[i].last, src->v[i].count);
}
