/*
 * ioreq/rangeset.c - merged sorted inclusive ranges with Xen's rangeset
 * semantics (xen/common/rangeset.c), for claims, the sim's permissions and
 * p2m, and the backends' record of what they mapped. O(n) per operation:
 * the sets are small (Xen caps claims at 256 ranges).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

void ioreq_rs_init(struct ioreq_rs *rs, size_t limit)
{
	memset(rs, 0, sizeof(*rs));
	rs->limit = limit;
}

void ioreq_rs_free(struct ioreq_rs *rs)
{
	free(rs->r);
	rs->r = NULL;
	rs->n = rs->cap = 0;
}

void ioreq_rs_clear(struct ioreq_rs *rs)
{
	rs->n = 0;
}

static int rs_reserve(struct ioreq_rs *rs, size_t n)
{
	struct vt_range *r;
	size_t cap;

	if (n <= rs->cap)
		return 0;
	cap = rs->cap ? rs->cap * 2 : 8;
	while (cap < n)
		cap *= 2;
	r = realloc(rs->r, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	rs->r = r;
	rs->cap = cap;
	return 0;
}

/* Index of the first range whose last >= x - 1 (so adjacency counts), i.e. that may touch x. */
static size_t rs_lower(const struct ioreq_rs *rs, uint64_t x)
{
	size_t lo = 0, hi = rs->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rs->r[mid].last != UINT64_MAX && rs->r[mid].last + 1 < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int ioreq_rs_add(struct ioreq_rs *rs, uint64_t first, uint64_t last)
{
	size_t i, j;
	uint64_t lo = first, hi = last;
	int rc;

	if (last < first)
		return -EINVAL;
	i = rs_lower(rs, first);
	/* Ranges i..j-1 overlap or touch [first, last]: they merge into one. */
	for (j = i; j < rs->n && (last == UINT64_MAX || rs->r[j].base <= last + 1); j++) {
		if (rs->r[j].base < lo)
			lo = rs->r[j].base;
		if (rs->r[j].last > hi)
			hi = rs->r[j].last;
	}
	if (j == i) {
		if (rs->limit && rs->n + 1 > rs->limit)
			return -ENOMEM;
		rc = rs_reserve(rs, rs->n + 1);
		if (rc)
			return rc;
		memmove(&rs->r[i + 1], &rs->r[i], (rs->n - i) * sizeof(*rs->r));
		rs->n++;
	} else if (j > i + 1) {
		memmove(&rs->r[i + 1], &rs->r[j], (rs->n - j) * sizeof(*rs->r));
		rs->n -= j - i - 1;
	}
	rs->r[i].base = lo;
	rs->r[i].last = hi;
	return 0;
}

int ioreq_rs_remove(struct ioreq_rs *rs, uint64_t first, uint64_t last)
{
	size_t i;
	int rc;

	if (last < first)
		return -EINVAL;
	for (i = rs_lower(rs, first); i < rs->n && rs->r[i].base <= last;) {
		struct vt_range *r = &rs->r[i];

		if (r->last < first) {
			i++;
		} else if (r->base < first && r->last > last) {
			/* Split: [base, first-1] and [last+1, old last]. */
			if (rs->limit && rs->n + 1 > rs->limit)
				return -ENOMEM;
			rc = rs_reserve(rs, rs->n + 1);
			if (rc)
				return rc;
			r = &rs->r[i];
			memmove(&rs->r[i + 1], r, (rs->n - i) * sizeof(*r));
			rs->n++;
			rs->r[i].last = first - 1;
			rs->r[i + 1].base = last + 1;
			return 0;
		} else if (r->base < first) {
			r->last = first - 1;
			i++;
		} else if (r->last > last) {
			r->base = last + 1;
			i++;
		} else {
			memmove(r, r + 1, (rs->n - i - 1) * sizeof(*r));
			rs->n--;
		}
	}
	return 0;
}

bool ioreq_rs_contains(const struct ioreq_rs *rs, uint64_t first, uint64_t last)
{
	size_t i = rs_lower(rs, first);

	for (; i < rs->n && rs->r[i].base <= last; i++)
		if (rs->r[i].base <= first && rs->r[i].last >= last)
			return true;
	return false;
}

bool ioreq_rs_overlaps(const struct ioreq_rs *rs, uint64_t first, uint64_t last)
{
	size_t i = rs_lower(rs, first);

	for (; i < rs->n && rs->r[i].base <= last; i++)
		if (rs->r[i].last >= first)
			return true;
	return false;
}

uint64_t ioreq_rs_weight(const struct ioreq_rs *rs, uint64_t first, uint64_t last)
{
	uint64_t w = 0;
	size_t i = rs_lower(rs, first);

	for (; i < rs->n && rs->r[i].base <= last; i++) {
		uint64_t lo = rs->r[i].base > first ? rs->r[i].base : first;
		uint64_t hi = rs->r[i].last < last ? rs->r[i].last : last;

		if (lo <= hi)
			w += hi - lo + 1;
	}
	return w;
}

int ioreq_rs_copy(struct ioreq_rs *dst, const struct ioreq_rs *src)
{
	int rc = rs_reserve(dst, src->n);

	if (rc)
		return rc;
	if (src->n)
		memcpy(dst->r, src->r, src->n * sizeof(*src->r));
	dst->n = src->n;
	return 0;
}

int ioreq_rs_subtract(const struct ioreq_rs *a, const struct ioreq_rs *b, struct ioreq_rs *out)
{
	size_t limit = out->limit;
	int rc;

	out->limit = 0;
	rc = ioreq_rs_copy(out, a);
	for (size_t i = 0; !rc && i < b->n; i++)
		rc = ioreq_rs_remove(out, b->r[i].base, b->r[i].last);
	out->limit = limit;
	return rc;
}

void ioreq_logf(FILE *log, const char *fmt, ...)
{
	va_list ap;
	FILE *f = log ? log : stderr;

	va_start(ap, fmt);
	fputs("vpcitrap: ", f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
	va_end(ap);
}

const char *ioreq_claim_name(enum ioreq_claim_kind kind)
{
	switch (kind) {
	case IOREQ_CLAIM_PORT: return "port";
	case IOREQ_CLAIM_MMIO: return "mmio";
	case IOREQ_CLAIM_PCI: return "pci";
	default: return "?";
	}
}
