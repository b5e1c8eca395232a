/* bench/bench_util.c - timing, statistics, memory figures, a counting backend. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void bench_stat_of(double *v, unsigned n, struct bench_stat *st)
{
	if (!n) {
		st->med = st->min = st->max = 0;
		return;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	st->min = v[0];
	st->max = v[n - 1];
	st->med = n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static __attribute__((noinline)) uint64_t run_once(void (*fn)(void *, unsigned long), void *ctx,
						   unsigned long iters)
{
	uint64_t t0 = bench_now_ns();

	fn(ctx, iters);
	return bench_now_ns() - t0;
}

/*
 * Sample i of n runs with the stack i/n of a page deeper. A load that
 * follows a store to an address 4 KiB apart (the stack slots of the calls,
 * a device's bytes on the heap) waits for it ("4K aliasing"); where the
 * stack lies within its page changes with every run (ASLR), so one cell of
 * one run could be steadily twice as slow, for a reason that is neither the
 * machine nor the register. Spread over a page, such a layout falls on one
 * sample of a figure, which its median drops (docs/performance.md).
 */
static uint64_t run_at_depth(unsigned i, unsigned n, void (*fn)(void *, unsigned long), void *ctx,
			     unsigned long iters)
{
	size_t depth = ((size_t)i * 4096 / (n ? n : 1) & ~(size_t)15) + 16;
	volatile char pad[depth];

	pad[0] = 0;
	__asm__ volatile("" : : "r"(pad) : "memory");
	return run_once(fn, ctx, iters);
}

/*
 * Calibrate: double the iterations until a run takes a quarter of a sample
 * (this also warms caches and branch predictors), then scale up.
 */
static unsigned long calibrate(const struct bench_opts *o, void (*fn)(void *, unsigned long), void *ctx)
{
	unsigned long iters = 1;
	uint64_t t;

	for (;;) {
		t = run_once(fn, ctx, iters);
		if (t >= o->sample_ns / 4 || iters >= (1ul << 40))
			break;
		iters *= t < o->sample_ns / 64 ? 8 : 2;
	}
	if (t == 0)
		t = 1;
	iters = (unsigned long)((double)iters * (double)o->sample_ns / (double)t);
	return iters ? iters : 1;
}

void bench_measure(const struct bench_opts *o, void (*fn)(void *ctx, unsigned long iters), void *ctx,
		   unsigned ops, struct bench_stat *st)
{
	struct bench_job j = { fn, ctx, ops, st, 0 };

	bench_measure_jobs(o, &j, 1);
}

/*
 * Calibrate every job, then take the samples in rounds, one sample of each
 * job per round: a disturbance of the shared machine (another process
 * taking the CPU for tens of milliseconds) then costs one sample of many
 * figures, which their medians drop, rather than every sample of one.
 */
void bench_measure_jobs(const struct bench_opts *o, struct bench_job *jobs, unsigned n)
{
	double *v = calloc((size_t)o->reps * (n ? n : 1), sizeof(*v));

	if (!v)
		abort();
	for (unsigned k = 0; k < n; k++)
		jobs[k].iters = calibrate(o, jobs[k].fn, jobs[k].ctx);
	for (unsigned i = 0; i < o->reps; i++)
		for (unsigned k = 0; k < n; k++) {
			const struct bench_job *j = &jobs[k];
			v[(size_t)k * o->reps + i] = (double)run_at_depth(i, o->reps, j->fn, j->ctx, j->iters) /
						     ((double)j->iters * (j->ops ? j->ops : 1));
		}
	for (unsigned k = 0; k < n; k++)
		bench_stat_of(v + (size_t)k * o->reps, o->reps, jobs[k].st);
	free(v);
}

char *bench_fmt_stat(const struct bench_stat *st, char *buf)
{
	if (st->med >= 100000) /* the baseline on big machines: thousands, to keep the columns */
		snprintf(buf, 40, "%.0fk [%.0fk-%.0fk]", st->med / 1e3, st->min / 1e3, st->max / 1e3);
	else
		snprintf(buf, 40, st->med < 100 ? "%.1f [%.1f-%.1f]" : "%.0f [%.0f-%.0f]", st->med, st->min,
			 st->max);
	return buf;
}

size_t bench_heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

uint64_t bench_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static int count_call(struct bench_counter *c, bool map, uint64_t nr)
{
	if (map)
		c->maps++, c->map_units += nr;
	else
		c->unmaps++, c->unmap_units += nr;
	if (nr > c->largest)
		c->largest = nr;
	return 0;
}

static int count_map(void *ctx, enum vt_space space, uint64_t first, uint64_t nr)
{
	return count_call(ctx, true, nr);
}

static int count_unmap(void *ctx, enum vt_space space, uint64_t first, uint64_t nr)
{
	return count_call(ctx, false, nr);
}

void bench_counter_init(struct bench_counter *c, uint64_t max_nr)
{
	memset(c, 0, sizeof(*c));
	c->ops.name = "count";
	c->ops.map = count_map;
	c->ops.unmap = count_unmap;
	c->ops.max_nr = max_nr;
}
