/*
 * bench/bench_trap.c - measurements 1 and 2 of issue 7: the whole trap path
 * (cf8 latch + data port decode, ECAM and pre-decoded accesses; device
 * lookup; register emulation; no mapping change) on machines of 1 to 65536
 * functions at the first, a header, a capability and the last register,
 * each against the Xen-style baseline of bench_xen.c.
 *
 * Each sample cycles through a hot set of 16 functions scattered over
 * the machine (the same one 16 times on a 1-function machine), so the
 * baseline's device walk is the average over the machine, not a best or
 * worst case, and ours is measured with the caches as a running guest keeps
 * them. A sweep over every function (enumeration order) shows the cold side.
 * Writes store back what was read: emulation runs, nothing is remapped (the
 * counting backend checks it).
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define NHOT 16
#define NREG_DEFAULT 64 /* registers per function in the baseline's lists */

static const unsigned machine_sizes[] = { 1, 64, 4096, 65536 };
#define NSIZES VT_ARRAY_SIZE(machine_sizes)

enum mech { M_PIO, M_ECAM, M_CFG, M_N };
static const char *const mech_name[M_N] = { "cf8/cfc", "ecam", "cfg" };

/* cf8/cfc reaches only the first 256 bytes: its "last" register is 0xfc. */
static const struct pos {
	const char *name;
	uint16_t reg, pio_reg;
	uint8_t size;
} positions[] = {
	{ "first", 0x000, 0x00, 4 },                           /* vendor/device ID */
	{ "header", 0x004, 0x04, 4 },                          /* command/status: a write handler */
	{ "cap", BENCH_CAP_MSI + 2, BENCH_CAP_MSI + 2, 2 },    /* MSI message control */
	{ "last", 0xffc, 0xfc, 4 },                            /* last dword reachable */
};
#define NPOS VT_ARRAY_SIZE(positions)

struct tctx {
	struct trap *t;
	struct xb *x;
	uint16_t port;
	unsigned reg, size;
	uint32_t cf8[NHOT], sbdf[NHOT], val[NHOT];
	uint64_t ecam[NHOT];
	const uint32_t *sweep; /* cf8 values of every function */
	unsigned nsweep;
};

/*
 * One loop per (implementation, mechanism, direction); k cycles the hot set.
 * The loop works on copies of its context and of the trap (a decoder state
 * and a machine pointer) in its own frame, which lies deeper with every
 * sample (bench_measure_jobs): what it loads on every access then falls
 * 4 KiB apart from a device byte it stores (4K aliasing) in a sample or two,
 * not in every sample of one run.
 */
#define LOOP(name, body)                                                \
	static void name(void *p, unsigned long n)                      \
	{                                                               \
		struct tctx cl = *(const struct tctx *)p, *c = &cl;     \
		struct trap tl = *c->t;                                 \
		c->t = &tl;                                             \
		uint32_t acc = 0;                                       \
		for (unsigned long i = 0; i < n; i++) {                 \
			unsigned k = (unsigned)i & (NHOT - 1);          \
			body;                                           \
		}                                                       \
		BENCH_SINK(acc);                                        \
	}
LOOP(our_pio_rd, trap_pio_write(c->t, 0xcf8, 4, c->cf8[k]); acc += trap_pio_read(c->t, c->port, c->size))
LOOP(our_pio_wr, trap_pio_write(c->t, 0xcf8, 4, c->cf8[k]); trap_pio_write(c->t, c->port, c->size, c->val[k]))
LOOP(our_ecam_rd, acc += trap_mmio_read(c->t, c->ecam[k], c->size))
LOOP(our_ecam_wr, trap_mmio_write(c->t, c->ecam[k], c->size, c->val[k]))
LOOP(our_cfg_rd, acc += trap_cfg_read(c->t, c->sbdf[k], c->reg, c->size))
LOOP(our_cfg_wr, trap_cfg_write(c->t, c->sbdf[k], c->reg, c->size, c->val[k]))
LOOP(xb_pio_rd, xb_pio_write(c->x, 0xcf8, 4, c->cf8[k]); acc += xb_pio_read(c->x, c->port, c->size))
LOOP(xb_pio_wr, xb_pio_write(c->x, 0xcf8, 4, c->cf8[k]); xb_pio_write(c->x, c->port, c->size, c->val[k]))
LOOP(xb_ecam_rd, acc += xb_mmio_read(c->x, c->ecam[k], c->size))
LOOP(xb_ecam_wr, xb_mmio_write(c->x, c->ecam[k], c->size, c->val[k]))
LOOP(xb_cfg_rd, acc += xb_cfg_read(c->x, c->sbdf[k], c->reg, c->size))
LOOP(xb_cfg_wr, xb_cfg_write(c->x, c->sbdf[k], c->reg, c->size, c->val[k]))

static void (*const loops[2][M_N][2])(void *, unsigned long) = {
	{ { our_pio_rd, our_pio_wr }, { our_ecam_rd, our_ecam_wr }, { our_cfg_rd, our_cfg_wr } },
	{ { xb_pio_rd, xb_pio_wr }, { xb_ecam_rd, xb_ecam_wr }, { xb_cfg_rd, xb_cfg_wr } },
};

static void sweep_rd(void *p, unsigned long n)
{
	const struct tctx *c = p;
	struct trap tl = *c->t; /* as in LOOP */
	uint32_t acc = 0;
	unsigned j = 0;

	for (unsigned long i = 0; i < n; i++) {
		trap_pio_write(&tl, 0xcf8, 4, c->sweep[j]);
		acc += trap_pio_read(&tl, 0xcfc, 4);
		if (++j == c->nsweep)
			j = 0;
	}
	BENCH_SINK(acc);
}

/* Per machine size: what the summary and the flatness check need. */
struct trap_results {
	double ours[NSIZES][NPOS][M_N][2];
	bool have[NSIZES];
	unsigned disagree, remapped;
};

static void ctx_setup(struct tctx *c, struct bench_machine *bm, const unsigned *hot, enum mech mech,
		      const struct pos *p)
{
	c->t = &bm->trap;
	c->size = p->size;
	c->reg = mech == M_PIO ? p->pio_reg : p->reg;
	c->port = (uint16_t)(0xcfc + (c->reg & 3));
	for (unsigned k = 0; k < NHOT; k++) {
		uint32_t sbdf = bm->sbdf[hot[k]];
		c->sbdf[k] = sbdf;
		c->cf8[k] = 0x80000000u | VT_SBDF_BUS(sbdf) << 16 | VT_SBDF_DEVFN(sbdf) << 8 | (c->reg & 0xfc);
		c->ecam[k] = BENCH_ECAM_BASE + ((uint64_t)(sbdf & 0xffff) << 12) + c->reg;
		c->val[k] = trap_cfg_read(c->t, sbdf, c->reg, c->size);
	}
}

/* The baseline must read what we read, or the comparison means nothing. */
static unsigned cross_check(const struct tctx *c)
{
	unsigned bad = 0;

	for (unsigned k = 0; k < NHOT; k++)
		bad += xb_cfg_read(c->x, c->sbdf[k], c->reg, c->size) != c->val[k];
	return bad;
}

static void print_cell(FILE *f, unsigned nfn, const struct pos *p, const struct tctx *c, enum mech mech,
		       struct bench_stat st[2][2])
{
	char a[40], b[40], d[40], e[40];

	fprintf(f, "%-6u %-6s 0x%03x/%u  %-8s %-18s %-20s %6.1f   %-18s %-20s %6.1f\n", nfn, p->name,
		c->reg, p->size, mech_name[mech], bench_fmt_stat(&st[0][0], a), bench_fmt_stat(&st[1][0], b),
		st[1][0].med / st[0][0].med, bench_fmt_stat(&st[0][1], d), bench_fmt_stat(&st[1][1], e),
		st[1][1].med / st[0][1].med);
}

/*
 * 16 endpoints scattered over the machine by a multiplicative hash (uniform,
 * so the baseline walks half its device list on average). Not evenly spaced:
 * at 65536 functions an even spacing puts the 16 functions ~23 MiB apart,
 * congruent modulo 4 KiB, all in the same few L1 sets: +0.8 ns per access
 * that measures the spacing, not the machine (docs/performance.md).
 */
static void hot_set(const struct bench_machine *bm, unsigned hot[NHOT])
{
	for (unsigned k = 0; k < NHOT; k++)
		hot[k] = bm->ep[(unsigned)(((uint64_t)k * 2654435761u) % bm->nep)];
}

/* One machine size: the machine, the baseline built over it, every cell's context and figures. */
struct size_run {
	struct bench_machine bm;
	struct xb *x;
	struct tctx c[NPOS][M_N];
	struct bench_stat st[NPOS][M_N][2][2]; /* [impl][read/write] */
	unsigned long calls;                    /* backend calls before: no cell may add one */
	bool built;
};

/* The 48 figures of one size (4 registers x 3 mechanisms x read/write x ours/baseline) as jobs. */
static int size_jobs(struct size_run *r, struct bench_job *jobs, unsigned *nj)
{
	unsigned hot[NHOT];

	hot_set(&r->bm, hot);
	if (!(r->x = xb_create(&r->bm, hot, NHOT, NREG_DEFAULT)))
		return -1;
	r->calls = r->bm.cnt.maps + r->bm.cnt.unmaps;
	for (unsigned pi = 0; pi < NPOS; pi++)
		for (unsigned mech = 0; mech < M_N; mech++) {
			r->c[pi][mech] = (struct tctx){ .x = r->x };
			ctx_setup(&r->c[pi][mech], &r->bm, hot, mech, &positions[pi]);
			for (unsigned impl = 0; impl < 2; impl++)
				for (unsigned w = 0; w < 2; w++)
					jobs[(*nj)++] = (struct bench_job){ loops[impl][mech][w], &r->c[pi][mech], 1,
									    &r->st[pi][mech][impl][w], 0 };
		}
	return 0;
}

static void size_report(const struct bench_opts *o, struct size_run *r, unsigned si, struct trap_results *res)
{
	res->remapped += r->bm.cnt.maps + r->bm.cnt.unmaps != r->calls;
	for (unsigned pi = 0; pi < NPOS; pi++)
		for (unsigned mech = 0; mech < M_N; mech++) {
			res->disagree += cross_check(&r->c[pi][mech]);
			print_cell(o->out, r->bm.nfn, &positions[pi], &r->c[pi][mech], mech, r->st[pi][mech]);
			res->ours[si][pi][mech][0] = r->st[pi][mech][0][0].med;
			res->ours[si][pi][mech][1] = r->st[pi][mech][0][1].med;
		}
	res->have[si] = true;
}

/* Every function in bus order through cf8/cfc, as enumeration reads them. */
static void sweep(const struct bench_opts *o, struct bench_machine *bm, struct bench_stat *st)
{
	struct tctx c = { .t = &bm->trap, .nsweep = bm->nfn };
	uint32_t *cf8 = malloc(bm->nfn * sizeof(*cf8));

	if (!cf8)
		abort();
	for (unsigned i = 0; i < bm->nfn; i++)
		cf8[i] = 0x80000000u | (bm->sbdf[i] & 0xffff) << 8;
	c.sweep = cf8;
	bench_measure(o, sweep_rd, &c, 1, st);
	free(cf8);
}

struct machine_row {
	unsigned nfn;
	double build_ms, finish_ms, heap_mib, per_fn, add_first_us, add_last_us;
	struct bench_stat sweep;
	bool skipped;
};

static void print_machines(const struct bench_opts *o, const struct machine_row *rows, unsigned n)
{
	char a[40];

	fprintf(o->out, "\nmachines: build = add_dev + finish; add us = per add_dev, median of the first and of the last 256; "
		"heap held per function; sweep = cf8/cfc read of every function in bus order, ns per access\n");
	fprintf(o->out, "%-6s %10s %10s %15s %10s %8s  %s\n", "fns", "build ms", "finish ms", "add us", "heap MiB",
		"B/fn", "sweep ns");
	for (unsigned i = 0; i < n; i++) {
		if (rows[i].skipped) {
			fprintf(o->out, "%-6u skipped (see above)\n", rows[i].nfn);
			continue;
		}
		fprintf(o->out, "%-6u %10.1f %10.1f %7.1f %7.1f %10.1f %8.0f  %s\n", rows[i].nfn, rows[i].build_ms,
			rows[i].finish_ms, rows[i].add_first_us, rows[i].add_last_us, rows[i].heap_mib,
			rows[i].per_fn, bench_fmt_stat(&rows[i].sweep, a));
	}
}

/*
 * Register-list length alone: one function, pre-decoded accesses to the
 * last register (the baseline walks its whole list; we index a table).
 */
static int list_scaling(const struct bench_opts *o, struct bench_summary *s)
{
	static const unsigned nregs[] = { 16, 64, 256, 1024 };
	struct bench_machine bm;
	struct vt_err err;
	struct tctx c = { 0 };
	struct bench_stat ours[2], base[2];
	unsigned hot[NHOT];
	char a[40], b[40], d[40], e[40];

	if (bench_machine_gen(&bm, 1, &err))
		return -1;
	hot_set(&bm, hot);
	ctx_setup(&c, &bm, hot, M_CFG, &positions[NPOS - 1]);
	bench_measure(o, our_cfg_rd, &c, 1, &ours[0]);
	bench_measure(o, our_cfg_wr, &c, 1, &ours[1]);
	fprintf(o->out, "\nregister list length (1 function, cfg access to 0xffc/4, ns per access); "
		"x = base / ours\n");
	fprintf(o->out, "%-6s %-18s %-20s %7s   %-18s %-20s %7s\n", "regs", "read", "base read", "x", "write",
		"base write", "x");
	for (unsigned i = 0; i < VT_ARRAY_SIZE(nregs); i++) {
		if (!(c.x = xb_create(&bm, hot, NHOT, nregs[i])))
			return -1;
		bench_measure(o, xb_cfg_rd, &c, 1, &base[0]);
		bench_measure(o, xb_cfg_wr, &c, 1, &base[1]);
		xb_destroy(c.x);
		fprintf(o->out, "%-6u %-18s %-20s %7.1f   %-18s %-20s %7.1f\n", nregs[i],
			bench_fmt_stat(&ours[0], a), bench_fmt_stat(&base[0], b), base[0].med / ours[0].med,
			bench_fmt_stat(&ours[1], d), bench_fmt_stat(&base[1], e), base[1].med / ours[1].med);
		if (nregs[i] == 64)
			s->list_ratio_64 = base[0].med / ours[0].med;
	}
	bench_machine_free(&bm);
	return 0;
}

/* Worst max/min ratio of one mechanism and direction, over sizes (by_size) or registers. */
static double flat_ratio(const struct trap_results *r, unsigned m, unsigned w, bool by_size)
{
	double worst = 1;

	for (unsigned i = 0; i < (by_size ? NPOS : NSIZES); i++) {
		double lo = 1e300, hi = 0;
		for (unsigned j = 0; j < (by_size ? NSIZES : NPOS); j++) {
			unsigned si = by_size ? j : i, pi = by_size ? i : j;
			double v = r->ours[si][pi][m][w];
			if (!r->have[si])
				continue;
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
		if (hi > 0 && hi / lo > worst)
			worst = hi / lo;
	}
	return worst;
}

static void summarize(const struct bench_opts *o, const struct trap_results *r, struct bench_summary *s)
{
	double all[NSIZES * NPOS * M_N * 2];
	unsigned n = 0;
	struct bench_stat st;

	fprintf(o->out, "\nflatness: worst median / best median of the same access, over machine sizes "
		"(each register) and over registers (each size)\n");
	for (unsigned m = 0; m < M_N; m++) {
		for (unsigned w = 0; w < 2; w++) {
			double fs = flat_ratio(r, m, w, true), fr = flat_ratio(r, m, w, false);
			fprintf(o->out, "  %-8s %-5s over sizes %.2f, over registers %.2f\n", mech_name[m],
				w ? "write" : "read", fs, fr);
			s->flat_sizes = fs > s->flat_sizes ? fs : s->flat_sizes;
			if (w)
				s->flat_regs_wr = fr > s->flat_regs_wr ? fr : s->flat_regs_wr;
			else
				s->flat_regs_rd = fr > s->flat_regs_rd ? fr : s->flat_regs_rd;
			for (unsigned si = 0; si < NSIZES; si++)
				for (unsigned pi = 0; pi < NPOS && r->have[si]; pi++)
					all[n++] = r->ours[si][pi][m][w];
		}
	}
	bench_stat_of(all, n, &st);
	s->trap_med = st.med;
	s->trap_worst = st.max;
	s->trap_best = st.min;
	fprintf(o->out, "  all %u cells: median %.1f ns, best %.1f, worst %.1f\n", n, st.med, st.min, st.max);
	if (r->disagree || r->remapped)
		fprintf(o->out, "  WARNING: %u baseline disagreements, %u cells changed the mapping\n", r->disagree,
			r->remapped);
}

/*
 * --quick skips 65536 functions when adding a function costs more the more
 * there are (vpci_machine_add_dev's duplicate check is a linear search
 * today): projected from the 4096 build, it would take too long for CI.
 */
static bool skip_big(const struct bench_opts *o, unsigned nfn, const struct machine_row *prev)
{
	double a, b, secs;

	if (!o->quick || nfn < 65536 || !prev || prev->nfn != 4096 || prev->add_last_us < 3 * prev->add_first_us)
		return false;
	a = prev->add_first_us;
	b = (prev->add_last_us - a) / 4096; /* us per add, per function already there */
	secs = (65536 * a + b * 65536.0 * 65536.0 / 2) / 1e6;
	fprintf(o->out, "%-6u skipped in --quick: adding a function costs %.1f us with 256 and %.1f us with "
		"4096 already there (a linear search), so 65536 would take ~%.0f s\n", nfn, prev->add_first_us,
		prev->add_last_us, secs);
	return true;
}

static int build_size(unsigned si, struct size_run *r, struct machine_row *row, struct bench_summary *s)
{
	struct vt_err err;

	if (bench_machine_gen(&r->bm, machine_sizes[si], &err)) {
		fprintf(stderr, "vpcitrap bench: %s\n", err.msg);
		return -1;
	}
	r->built = true;
	row->build_ms = r->bm.build_ms;
	row->add_first_us = r->bm.add_first_us;
	row->add_last_us = r->bm.add_last_us;
	row->finish_ms = r->bm.finish_ms;
	row->heap_mib = (double)r->bm.heap / (1 << 20);
	row->per_fn = (double)r->bm.heap / r->bm.nfn;
	s->per_fn_bytes = row->per_fn;
	return 0;
}

/*
 * Every cell of every machine size, measured together: the samples of all
 * 4 x 48 figures are taken in interleaved rounds (bench_measure_jobs), so
 * neither a disturbance of the shared machine nor a drift of its speed
 * falls on all the samples of one cell, or of one size.
 */
int bench_trap(const struct bench_opts *o, struct bench_summary *s)
{
	struct trap_results *res = calloc(1, sizeof(*res));
	struct size_run *runs = calloc(NSIZES, sizeof(*runs));
	struct bench_job jobs[NSIZES * NPOS * M_N * 4];
	struct machine_row rows[NSIZES] = { { 0 } };
	unsigned nj = 0;
	int rc = 0;

	if (!res || !runs) {
		free(res);
		free(runs);
		return -1;
	}
	fprintf(o->out, "\n== 1-2. trap path, ns per access: median [min-max] of %u samples; base = Xen-style "
		"lists (%u registers per function, device list); x = base / ours ==\n", o->reps, NREG_DEFAULT);
	fprintf(o->out, "%-6s %-6s %-7s %-8s %-18s %-20s %6s   %-18s %-20s %6s\n", "fns", "reg", "off/sz",
		"mech", "read", "base read", "x", "write", "base write", "x");
	for (unsigned si = 0; si < NSIZES && !rc; si++) {
		rows[si].nfn = machine_sizes[si];
		if ((rows[si].skipped = skip_big(o, machine_sizes[si], si ? &rows[si - 1] : NULL)))
			continue;
		if (!(rc = build_size(si, &runs[si], &rows[si], s)))
			rc = size_jobs(&runs[si], jobs, &nj);
	}
	if (!rc) {
		bench_measure_jobs(o, jobs, nj);
		for (unsigned si = 0; si < NSIZES; si++)
			if (runs[si].built) {
				size_report(o, &runs[si], si, res);
				sweep(o, &runs[si].bm, &rows[si].sweep);
			}
		print_machines(o, rows, NSIZES);
		rc = list_scaling(o, s);
	}
	if (!rc)
		summarize(o, res, s);
	for (unsigned si = 0; si < NSIZES; si++) {
		if (runs[si].x)
			xb_destroy(runs[si].x);
		if (runs[si].built)
			bench_machine_free(&runs[si].bm);
	}
	free(runs);
	free(res);
	return rc;
}
