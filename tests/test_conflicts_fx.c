/*
 * tests/test_conflicts_fx.c - the issue-4 fixture: machines from text,
 * exact event and backend-call checks, and the per-page p2m model (see
 * conflicts_fx.h for what the model enforces and why).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "conflicts_fx.h"

struct fx F;

static void fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail_at(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	int n = snprintf(msg, sizeof(msg), "%s%s", F.label ? F.label : "", F.label ? ": " : "");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s:%d: %s\n", file, line, msg);
	CU_assertImplementation(CU_FALSE, (unsigned)line, msg, file, "", CU_FALSE);
}

static void pass_at(const char *file, int line)
{
	CU_assertImplementation(CU_TRUE, (unsigned)line, "ok", file, "", CU_FALSE);
}

void fx_add(struct fx_lines *l, const char *fmt, ...)
{
	va_list ap;

	CU_ASSERT_FATAL(l->n < FX_MAX_EV);
	va_start(ap, fmt);
	vsnprintf(l->s[l->n++], FX_LINE_LEN, fmt, ap);
	va_end(ap);
}

/* ---- the p2m model ---- */

static uint64_t overlap(const struct vt_range *a, const struct vt_range *b)
{
	uint64_t lo = a->base > b->base ? a->base : b->base, hi = a->last < b->last ? a->last : b->last;

	return lo <= hi ? hi - lo + 1 : 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct vt_range *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

static void model_norm(struct fx_model *md)
{
	size_t k = 0;

	qsort(md->run, md->n, sizeof(md->run[0]), cmp_range);
	for (size_t i = 0; i < md->n; i++) {
		if (k && md->run[k - 1].last + 1 >= md->run[i].base) {
			if (md->run[i].last > md->run[k - 1].last)
				md->run[k - 1].last = md->run[i].last;
		} else {
			md->run[k++] = md->run[i];
		}
	}
	md->n = k;
}

static void model_sub(struct fx_model *md, const struct vt_range *r)
{
	struct fx_model out;

	out.n = 0;
	for (size_t i = 0; i < md->n; i++) {
		struct vt_range x = md->run[i];
		if (!overlap(&x, r)) {
			out.run[out.n++] = x;
			continue;
		}
		if (x.base < r->base)
			out.run[out.n++] = (struct vt_range){ x.base, r->base - 1 };
		if (x.last > r->last)
			out.run[out.n++] = (struct vt_range){ r->last + 1, x.last };
	}
	memcpy(md->run, out.run, out.n * sizeof(out.run[0]));
	md->n = out.n;
}

void fx_pages_add(struct fx_model *set, uint64_t base, uint64_t last)
{
	CU_ASSERT_FATAL(set->n < FX_MAX_RUNS);
	set->run[set->n++] = (struct vt_range){ base >> 12, last >> 12 };
	model_norm(set);
}

void fx_add_pages_except(struct fx_lines *l, const char *op, const struct vt_range *r,
			 const struct fx_model *except)
{
	uint64_t at = r->base >> 12, t = r->last >> 12;

	for (size_t i = 0; i < except->n && at <= t; i++) {
		const struct vt_range *x = &except->run[i];
		if (x->last < at)
			continue;
		if (x->base > t)
			break;
		if (x->base > at)
			fx_add(l, "%s mem 0x%llx-0x%llx", op, (unsigned long long)at, (unsigned long long)x->base - 1);
		if (x->last >= t)
			return;
		at = x->last + 1;
	}
	if (at <= t)
		fx_add(l, "%s mem 0x%llx-0x%llx", op, (unsigned long long)at, (unsigned long long)t);
}

void fx_add_pages(struct fx_lines *l, const char *op, const struct vt_range *r,
		  const struct vt_range *c)
{
	static struct fx_model set;

	set.n = 0;
	if (c)
		fx_pages_add(&set, c->base, c->last);
	fx_add_pages_except(l, op, r, &set);
}

bool fx_model_is(enum vt_space sp, const struct fx_model *set)
{
	const struct fx_model *md = &F.model[sp];

	if (md->n != set->n)
		return false;
	for (size_t i = 0; i < md->n; i++)
		if (md->run[i].base != set->run[i].base || md->run[i].last != set->run[i].last)
			return false;
	return true;
}

/* One backend call, as Xen's p2m would take it. */
static void model_call(const struct map_call *c, const char *file, int line)
{
	struct fx_model *md = &F.model[c->space];
	struct vt_range r = { c->first, c->first + c->nr - 1 };
	uint64_t covered = 0;

	for (size_t i = 0; i < md->n; i++)
		covered += overlap(&md->run[i], &r);
	if (c->map && covered)
		fail_at(file, line, "p2m: map of 0x%llx-0x%llx: %llu unit(s) already mapped",
			(unsigned long long)r.base, (unsigned long long)r.last, (unsigned long long)covered);
	if (!c->map && covered != c->nr)
		fail_at(file, line, "p2m: unmap of 0x%llx-0x%llx: %llu unit(s) were not mapped by us",
			(unsigned long long)r.base, (unsigned long long)r.last,
			(unsigned long long)(c->nr - covered));
	for (size_t i = 0; c->space == VT_SPACE_MEM && i < F.nforbid; i++)
		if (overlap(&F.forbid[i], &r))
			fail_at(file, line, "p2m: %s of pages 0x%llx-0x%llx touches platform pages 0x%llx-0x%llx",
				c->map ? "map" : "unmap", (unsigned long long)r.base,
				(unsigned long long)r.last, (unsigned long long)F.forbid[i].base,
				(unsigned long long)F.forbid[i].last);
	/* A pinned page may be mapped (identity over the platform's identity), never unmapped. */
	for (size_t i = 0; c->space == VT_SPACE_MEM && !c->map && i < F.npinned; i++)
		if (overlap(&F.pinned[i], &r))
			fail_at(file, line, "p2m: unmap of pages 0x%llx-0x%llx removes pinned pages 0x%llx-0x%llx",
				(unsigned long long)r.base, (unsigned long long)r.last,
				(unsigned long long)F.pinned[i].base, (unsigned long long)F.pinned[i].last);
	if (c->map) {
		CU_ASSERT_FATAL(md->n < FX_MAX_RUNS);
		md->run[md->n++] = r;
		model_norm(md);
	} else {
		model_sub(md, &r);
	}
}

static void walk_cb(void *ctx, uint64_t first, uint64_t last, uint64_t refs)
{
	struct fx_model *md = ctx;

	if (md->n < FX_MAX_RUNS)
		md->run[md->n++] = (struct vt_range){ first, last };
}

/* The model (what the backend was told) must equal what the mapper believes. */
static void model_vs_mapper(const char *file, int line)
{
	static struct fx_model w;

	for (int sp = 0; sp < 2; sp++) {
		w.n = 0;
		map_walk(vpci_machine_mapper(F.m), (enum vt_space)sp, walk_cb, &w);
		model_norm(&w);
		bool same = w.n == F.model[sp].n;
		for (size_t i = 0; same && i < w.n; i++)
			same = w.run[i].base == F.model[sp].run[i].base &&
			       w.run[i].last == F.model[sp].run[i].last;
		if (!same)
			fail_at(file, line, "p2m model (%zu runs) differs from the mapper's %s set (%zu runs)",
				F.model[sp].n, sp ? "io" : "mem", w.n);
	}
}

/* ---- exact checks ---- */

static void check_list(const char *what, char (*got)[FX_LINE_LEN], size_t ngot,
		       const char *const *want, size_t n, const char *file, int line)
{
	bool same = ngot == n;

	for (size_t i = 0; same && i < n; i++)
		same = !strcmp(got[i], want[i]);
	if (same) {
		pass_at(file, line);
		return;
	}
	fprintf(stderr, "\n%s:%d: %s%s%s differ\n  expected:\n", file, line, F.label ? F.label : "",
		F.label ? ": " : "", what);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "    %s\n", want[i]);
	fprintf(stderr, "  got:\n");
	for (size_t i = 0; i < ngot; i++)
		fprintf(stderr, "    %s\n", got[i]);
	fail_at(file, line, "%s differ (%zu expected, %zu got)", what, n, ngot);
}

void fx_check_events(const char *const *want, size_t n, const char *file, int line)
{
	if (F.nev > FX_MAX_EV)
		fail_at(file, line, "too many events (%zu)", F.nev);
	check_list("events", F.evs, F.nev < FX_MAX_EV ? F.nev : FX_MAX_EV, want, n, file, line);
	F.nev = 0;
}

void fx_check_calls(const char *const *want, size_t n, const char *file, int line)
{
	static char got[FX_MAX_EV][FX_LINE_LEN];
	size_t ngot = 0;

	for (size_t i = F.rec_seen; i < F.rec.n; i++) {
		const struct map_call *c = &F.rec.call[i];
		if (ngot < FX_MAX_EV)
			snprintf(got[ngot++], FX_LINE_LEN, "%s %s 0x%llx-0x%llx", c->map ? "map" : "unmap",
				 c->space == VT_SPACE_IO ? "io" : "mem", (unsigned long long)c->first,
				 (unsigned long long)(c->first + c->nr - 1));
		model_call(c, file, line);
	}
	F.rec_seen = F.rec.n;
	check_list("backend calls", got, ngot, want, n, file, line);
	model_vs_mapper(file, line);
}

size_t fx_consume_calls(const char *file, int line)
{
	size_t n = F.rec.n - F.rec_seen;

	for (size_t i = F.rec_seen; i < F.rec.n; i++)
		model_call(&F.rec.call[i], file, line);
	F.rec_seen = F.rec.n;
	model_vs_mapper(file, line);
	return n;
}

size_t fx_count_events(const char *prefix)
{
	size_t n = 0;

	for (size_t i = 0; i < F.nev && i < FX_MAX_EV; i++)
		n += !strncmp(F.evs[i], prefix, strlen(prefix));
	return n;
}

static void check_l(bool calls, const struct fx_lines *l, const char *file, int line)
{
	static const char *p[FX_MAX_EV];

	for (size_t i = 0; i < l->n; i++)
		p[i] = l->s[i];
	if (calls)
		fx_check_calls(p, l->n, file, line);
	else
		fx_check_events(p, l->n, file, line);
}

void fx_check_events_l(const struct fx_lines *l, const char *file, int line)
{
	check_l(false, l, file, line);
}

void fx_check_calls_l(const struct fx_lines *l, const char *file, int line)
{
	check_l(true, l, file, line);
}

/* ---- set-up ---- */

static void on_event(void *ctx, const struct vt_event *e)
{
	if (F.nev < FX_MAX_EV)
		vt_event_format(e, F.evs[F.nev], FX_LINE_LEN);
	F.nev++;
}

const char *fx_put(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", F.dir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	CU_ASSERT_EQUAL_FATAL(fclose(f), 0);
	return path;
}

void fx_mkdir(void)
{
	memset(&F, 0, sizeof(F));
	strcpy(F.dir, "/tmp/vt-conflicts-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(F.dir));
	vt_events_init(&F.ev);
	CU_ASSERT_EQUAL_FATAL(vt_events_subscribe(&F.ev, on_event, NULL), 0);
	F.rec.keep = true;
	F.m = vpci_machine_create(&F.ev, &map_ops_record, &F.rec);
	CU_ASSERT_PTR_NOT_NULL_FATAL(F.m);
}

void fx_load_path(const char *path, const char *sizes)
{
	struct vt_err err = { "" };
	int rc = vpci_machine_load(F.m, path, sizes, &err);

	if (rc)
		fprintf(stderr, "\nload: %s\n", err.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
}

void fx_load_text(const char *text)
{
	snprintf(F.file, sizeof(F.file), "%s", fx_put("machine", text));
	fx_load_path(F.file, NULL);
}

void fx_begin(const char *text)
{
	fx_mkdir();
	fx_load_text(text);
}

void fx_finish(void)
{
	struct vt_err err = { "" };
	int rc = vpci_machine_finish(F.m, &err);

	if (rc)
		fprintf(stderr, "\nfinish: %s\n", err.msg);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	trap_init(&F.t, F.m);
}

void fx_open(const char *text)
{
	fx_begin(text);
	fx_finish();
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void fx_close(void)
{
	if (F.nev)
		fail_at(__FILE__, __LINE__, "%zu event(s) left unchecked, first: %s", F.nev, F.evs[0]);
	if (F.rec_seen != F.rec.n)
		fail_at(__FILE__, __LINE__, "%zu backend call(s) left unchecked", F.rec.n - F.rec_seen);
	F.rec_seen = F.rec.n;
	vpci_machine_destroy(F.m);
	F.m = NULL;
	for (size_t i = F.rec_seen; i < F.rec.n; i++)
		model_call(&F.rec.call[i], __FILE__, __LINE__);
	if (F.rec_seen != F.rec.n)
		fail_at(__FILE__, __LINE__, "teardown made %zu backend call(s)", F.rec.n - F.rec_seen);
	map_record_reset(&F.rec);
	CU_ASSERT_EQUAL(nftw(F.dir, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
	F.label = NULL;
}

void fx_forbid(uint64_t base, uint64_t last)
{
	CU_ASSERT_FATAL(F.nforbid < VT_ARRAY_SIZE(F.forbid));
	F.forbid[F.nforbid++] = (struct vt_range){ base >> VT_PAGE_SHIFT, last >> VT_PAGE_SHIFT };
}

void fx_pinned(uint64_t base, uint64_t last)
{
	CU_ASSERT_FATAL(F.npinned < VT_ARRAY_SIZE(F.pinned));
	F.pinned[F.npinned++] = (struct vt_range){ base >> VT_PAGE_SHIFT, last >> VT_PAGE_SHIFT };
}

struct kind_q {
	struct vt_range r;
	int kind;
};

static void kind_cb(void *ctx, enum map_region kind, const struct vt_range *r)
{
	struct kind_q *q = ctx;

	if (r->base == q->r.base && r->last == q->r.last)
		q->kind = (int)kind;
}

int fx_region_kind(uint64_t base, uint64_t last)
{
	struct kind_q q = { { base, last }, -1 };

	map_region_walk(vpci_machine_mapper(F.m), kind_cb, &q);
	return q.kind;
}

/* ---- accesses ---- */

void fx_cfgw(uint32_t sbdf, unsigned reg, unsigned size, uint32_t val)
{
	F.ev.line++;
	trap_cfg_write(&F.t, sbdf, reg, size, val);
}

static void latch(uint32_t sbdf, unsigned reg)
{
	trap_pio_write(&F.t, TRAP_PORT_ADDR, 4,
		       0x80000000u | (uint32_t)VT_SBDF_BUS(sbdf) << 16 |
			       (uint32_t)VT_SBDF_DEVFN(sbdf) << 8 | (reg & 0xfc));
}

void fx_piow(uint32_t sbdf, unsigned reg, unsigned size, uint32_t val)
{
	F.ev.line++;
	latch(sbdf, reg);
	trap_pio_write(&F.t, (uint16_t)(TRAP_PORT_DATA + (reg & 3)), size, val);
}

uint32_t fx_pior(uint32_t sbdf, unsigned reg, unsigned size)
{
	latch(sbdf, reg);
	return trap_pio_read(&F.t, (uint16_t)(TRAP_PORT_DATA + (reg & 3)), size);
}

int fx_run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int st;

	if (!p)
		return -1;
	while (n + 1 < len && !feof(p)) {
		size_t k = fread(out + n, 1, len - 1 - n, p);
		if (!k)
			break;
		n += k;
	}
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
