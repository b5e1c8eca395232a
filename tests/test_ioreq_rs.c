/*
 * tests/test_ioreq_rs.c - the range sets behind claims, permissions and
 * mappings (ioreq/rangeset.c): Xen's rangeset semantics, checked against
 * a bitmap model.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <string.h>

#include "../ioreq/private.h"
#include "ioreq_test.h"

static const char *rs_str(const struct ioreq_rs *rs)
{
	static char buf[2048];
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < rs->n; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%llx-%llx", i ? " " : "",
				      (unsigned long long)rs->r[i].base, (unsigned long long)rs->r[i].last);
	return buf;
}

static void test_rs_merge_split(void)
{
	struct ioreq_rs rs;

	ioreq_rs_init(&rs, 0);
	ioreq_rs_add(&rs, 10, 19);
	ioreq_rs_add(&rs, 30, 39);
	TU_STREQ(rs_str(&rs), "a-13 1e-27");
	ioreq_rs_add(&rs, 20, 29); /* adjacent on both sides: one range, as Xen's rangeset merges */
	TU_STREQ(rs_str(&rs), "a-27");
	ioreq_rs_remove(&rs, 15, 15);
	TU_STREQ(rs_str(&rs), "a-e 10-27");
	ioreq_rs_remove(&rs, 0, 12);
	TU_STREQ(rs_str(&rs), "d-e 10-27");
	ioreq_rs_add(&rs, 0, UINT64_MAX);
	TU_STREQ(rs_str(&rs), "0-ffffffffffffffff");
	ioreq_rs_remove(&rs, UINT64_MAX, UINT64_MAX);
	TU_STREQ(rs_str(&rs), "0-fffffffffffffffe");
	TI_EQ(ioreq_rs_add(&rs, 5, 4), -EINVAL);
	ioreq_rs_free(&rs);
}

static void test_rs_limit(void)
{
	struct ioreq_rs rs;

	ioreq_rs_init(&rs, 2);
	TI_EQ(ioreq_rs_add(&rs, 0, 0), 0);
	TI_EQ(ioreq_rs_add(&rs, 2, 2), 0);
	TI_EQ(ioreq_rs_add(&rs, 4, 4), -ENOMEM);
	TU_STREQ(rs_str(&rs), "0-0 2-2");
	TI_EQ(ioreq_rs_add(&rs, 3, 3), 0); /* merges: no new range */
	TI_EQ(ioreq_rs_add(&rs, 1, 1), 0);
	TU_STREQ(rs_str(&rs), "0-3");
	TI_EQ(ioreq_rs_add(&rs, 9, 9), 0);
	TI_EQ(ioreq_rs_remove(&rs, 1, 1), -ENOMEM); /* a split needs a third range */
	TU_STREQ(rs_str(&rs), "0-3 9-9");
	ioreq_rs_free(&rs);
}

/* Against a bitmap: every operation, then contents, containment and weight. */
static void test_rs_model(void)
{
	enum { U = 300 };
	bool bit[U] = { false };
	struct ioreq_rs rs;
	uint64_t seed = 42;
	unsigned bad = 0;

	ioreq_rs_init(&rs, 0);
	for (int op = 0; op < 20000 && bad < 5; op++) {
		uint64_t a = tu_rand(&seed) % U, b = a + tu_rand(&seed) % 12;
		bool add = tu_rand(&seed) & 1;

		if (b >= U)
			b = U - 1;
		if (add ? ioreq_rs_add(&rs, a, b) : ioreq_rs_remove(&rs, a, b))
			bad++;
		for (uint64_t x = a; x <= b; x++)
			bit[x] = add;
		for (size_t i = 0; i < rs.n; i++) /* canonical: sorted, neither touching nor empty */
			if (rs.r[i].last < rs.r[i].base || (i && rs.r[i].base <= rs.r[i - 1].last + 1))
				bad++;
		uint64_t q = tu_rand(&seed) % U, w = 0;
		bool all = true, any = false;

		for (uint64_t x = q; x < q + 5 && x < U; x++) {
			all &= bit[x];
			any |= bit[x];
			w += bit[x];
		}
		uint64_t ql = q + 4 < U ? q + 4 : U - 1;
		if (ioreq_rs_contains(&rs, q, ql) != all || ioreq_rs_overlaps(&rs, q, ql) != any ||
		    ioreq_rs_weight(&rs, q, ql) != w)
			bad++;
	}
	TU_CHECK(bad == 0, "%u disagreements with the bitmap model: %s", bad, rs_str(&rs));
	ioreq_rs_free(&rs);
}

static void test_rs_subtract(void)
{
	struct ioreq_rs a, b, d;

	ioreq_rs_init(&a, 0);
	ioreq_rs_init(&b, 0);
	ioreq_rs_init(&d, 1); /* subtract ignores the output's limit */
	ioreq_rs_add(&a, 0, 99);
	ioreq_rs_add(&b, 10, 19);
	ioreq_rs_add(&b, 50, 200);
	TI_EQ(ioreq_rs_subtract(&a, &b, &d), 0);
	TU_STREQ(rs_str(&d), "0-9 14-31");
	TI_EQ(d.limit, 1);
	ioreq_rs_free(&a);
	ioreq_rs_free(&b);
	ioreq_rs_free(&d);
}

CU_TestInfo ti_rs_tests[] = {
	{ "merge adjacent, split on remove", test_rs_merge_split },
	{ "range limit: -ENOMEM, unchanged", test_rs_limit },
	{ "20000 random operations vs a bitmap", test_rs_model },
	{ "subtract", test_rs_subtract },
	CU_TEST_INFO_NULL,
};

