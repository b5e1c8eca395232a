/*
 * tools/replay.c - re-running a trace against the emulator and checking
 * every read that carries a value and every `expect` line (CONTRACT §4-6).
 *
 * Streams: memory is bounded by the machine, not the trace. Expectations
 * are compared per access: the events an access produces are matched
 * against the `expect` lines that follow it, in any order; what is left
 * over on either side is `unexpected` / `missing`. Which event kinds are
 * compared: those of a `compare` line, or every kind from the first
 * `expect` line on when there is no `compare` line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/trace.h"
#include "../traps/traps.h"
#include "replay.h"

#define ALL_KINDS ((1u << VT_EV_MISMATCH) - 1)

struct pending {
	struct vt_event ev;
	char text[160];
	bool matched;
};

struct replay {
	const struct replay_opts *o;
	FILE *out;
	struct vt_events ev;
	struct map_record rec;
	struct vpci_machine *m;
	struct vpci_parser *parser;
	struct trap trap;
	bool in_machine, have_compare;
	uint32_t compare;
	struct pending *pend;
	size_t npend, cappend;
	struct replay_stats st;
};

static void print_event(struct replay *r, const struct vt_event *e)
{
	char buf[256];

	if (r->o->silent)
		return;
	if (r->o->quiet && e->type < VT_EV_MISMATCH)
		return;
	vt_event_format(e, buf, sizeof(buf));
	fprintf(r->out, "%lu: %s\n", e->line, buf);
}

static void on_event(void *ctx, const struct vt_event *e)
{
	struct replay *r = ctx;

	print_event(r, e);
	/*
	 * Without a compare line, kinds are compared from the first expect
	 * line on, and that line belongs to the access being run now: keep its
	 * events until the window closes (close_window() applies the mask).
	 */
	if (e->type >= VT_EV_MISMATCH || (r->have_compare && !(r->compare & (1u << e->type))))
		return;
	if (r->npend == r->cappend) {
		size_t cap = r->cappend ? r->cappend * 2 : 16;
		struct pending *np = realloc(r->pend, cap * sizeof(*np));
		if (!np)
			return;
		r->pend = np;
		r->cappend = cap;
	}
	r->pend[r->npend].ev = *e;
	r->pend[r->npend].matched = false;
	r->npend++;
}

static void problem(struct replay *r, enum vt_ev_type type, unsigned long line, const struct vt_event *e)
{
	char text[200];
	struct vt_event p = { .type = type, .text = text };

	vt_event_format(e, text, sizeof(text));
	r->ev.line = line;
	vt_events_emit(&r->ev, &p);
	r->st.mismatches++;
}

/* The access that produced the pending events is over. */
static void close_window(struct replay *r, unsigned long access_line)
{
	for (size_t i = 0; i < r->npend; i++)
		if (!r->pend[i].matched && (r->compare & (1u << r->pend[i].ev.type)))
			problem(r, VT_EV_UNEXPECTED, access_line, &r->pend[i].ev);
	r->npend = 0;
}

static void expect(struct replay *r, const struct vt_event *want, unsigned long line)
{
	if (!r->have_compare && !r->compare)
		r->compare = ALL_KINDS;
	for (size_t i = 0; i < r->npend; i++) {
		if (!r->pend[i].matched && vt_event_equal(&r->pend[i].ev, want)) {
			r->pend[i].matched = true;
			return;
		}
	}
	problem(r, VT_EV_MISSING, line, want);
}

static int start(struct replay *r, struct vt_err *err)
{
	int rc;

	if ((rc = vpci_parser_end(r->parser, err)))
		return rc;
	if (r->o->rdm) {
		struct vpci_rdm rdm;
		if (vpci_rdm_parse(r->o->rdm, &rdm))
			return vt_errf(err, EINVAL, "bad --rdm '%s' (strategy=host,policy=strict|relaxed)",
				       r->o->rdm);
		vpci_machine_set_rdm(r->m, &rdm);
	}
	r->ev.line = 0;
	/* Its errors name the file and line of the device at fault (trace or --machine). */
	if ((rc = vpci_machine_finish(r->m, err)))
		return rc;
	trap_init(&r->trap, r->m);
	r->in_machine = false;
	return 0;
}

static void check_read(struct replay *r, const struct vt_rec *a, uint32_t got)
{
	struct trap_cfg c = { 0 };
	struct vt_event e = { .type = VT_EV_MISMATCH };
	uint32_t want = a->value & vt_size_mask(a->size);

	if (!a->has_value || got == want)
		return;
	if (a->kind == VT_REC_CFG)
		c.sbdf = (uint32_t)a->addr, c.reg = a->reg;
	else if (a->kind == VT_REC_MMIO)
		trap_ecam_decode(&r->trap, a->addr, a->size, &c);
	else if (trap_pio_decode(r->trap.cf8, (uint16_t)a->addr, a->size, &c) != TRAP_CFG)
		c.reg = (uint16_t)a->addr;
	e.sbdf = c.sbdf, e.reg = c.reg, e.size = a->size;
	e.expected = want, e.got = got;
	vt_events_emit(&r->ev, &e);
	r->st.mismatches++;
}

static void run_access(struct replay *r, const struct vt_rec *a)
{
	uint32_t got = 0;

	r->st.accesses++;
	if (a->write)
		r->st.writes++;
	else
		r->st.reads++;
	switch (a->kind) {
	case VT_REC_PIO:
		if (a->write)
			trap_pio_write(&r->trap, (uint16_t)a->addr, a->size, a->value);
		else
			got = trap_pio_read(&r->trap, (uint16_t)a->addr, a->size);
		break;
	case VT_REC_MMIO:
		if (a->write)
			trap_mmio_write(&r->trap, a->addr, a->size, a->value);
		else
			got = trap_mmio_read(&r->trap, a->addr, a->size);
		break;
	default:
		if (a->write)
			trap_cfg_write(&r->trap, (uint32_t)a->addr, a->reg, a->size, a->value);
		else
			got = trap_cfg_read(&r->trap, (uint32_t)a->addr, a->reg, a->size);
		break;
	}
	if (!a->write)
		check_read(r, a, got);
}

static int line_one(struct replay *r, char *line, unsigned long ln, unsigned long *last_access,
		    struct vt_err *err)
{
	struct vt_rec rec;
	int rc = vt_trace_parse(line, r->o->trace, ln, &rec, err);

	if (rc)
		return rc;
	switch (rec.kind) {
	case VT_REC_EMPTY:
		return 0;
	case VT_REC_OTHER:
		if (!r->in_machine)
			return vt_err_at(err, EINVAL, r->o->trace, ln, "not a trace line (machine lines "
					 "must come before the first access)");
		rc = vpci_parser_line(r->parser, r->o->trace, ln, line, err);
		return rc < 0 ? rc : rc == 0 ? vt_err_at(err, EINVAL, r->o->trace, ln, "unknown line") : 0;
	case VT_REC_COMPARE:
		r->have_compare = true;
		r->compare = rec.compare_mask;
		return 0;
	case VT_REC_EXPECT:
		if (!*last_access)
			return vt_err_at(err, EINVAL, r->o->trace, ln, "'expect' before any access");
		expect(r, &rec.expect, ln);
		return 0;
	default:
		if (r->in_machine && (rc = start(r, err)))
			return rc;
		if (*last_access)
			close_window(r, *last_access);
		else
			r->npend = 0; /* the machine's initial events: no expect line can name them */
		*last_access = ln;
		r->ev.line = ln;
		run_access(r, &rec);
		return 0;
	}
}

static void print_final(struct replay *r)
{
	struct vpci_mapped *v;
	size_t n = vpci_machine_mapped(r->m, &v);
	char s[16], rg[48];

	for (size_t i = 0; i < n; i++)
		fprintf(r->out, "mapped %s %s %s %s\n", vt_fmt_sbdf(v[i].sbdf, s), vt_bar_name(v[i].bar),
			v[i].space == VT_SPACE_IO ? "io" : "mem", vt_fmt_range(&v[i].range, rg));
	free(v);
}

static int replay_body(struct replay *r, struct vt_err *err)
{
	struct vt_lines lr;
	unsigned long last_access = 0;
	char *line;
	int rc;

	if (r->o->machine && (rc = vpci_machine_load(r->m, r->o->machine, r->o->sizes, err)))
		return rc;
	for (unsigned i = 0; i < r->o->nacpi; i++)
		if ((rc = vpci_machine_load_acpi(r->m, r->o->acpi[i], err)))
			return rc;
	if (r->o->memmap && (rc = vpci_machine_load_memmap(r->m, r->o->memmap, err)))
		return rc;
	if ((rc = vt_lines_open(&lr, r->o->trace, err)))
		return rc;
	while ((line = vt_lines_next(&lr)))
		if ((rc = line_one(r, line, lr.line, &last_access, err)))
			break;
	vt_lines_close(&lr);
	if (rc)
		return rc;
	if (r->in_machine && (rc = start(r, err)))
		return rc;
	if (last_access)
		close_window(r, last_access);
	return 0;
}

int replay_run(const struct replay_opts *o, FILE *out, struct replay_stats *st, struct vt_err *err)
{
	struct replay r = { .o = o, .out = out, .in_machine = true };
	int rc;

	vt_events_init(&r.ev);
	vt_events_subscribe(&r.ev, on_event, &r);
	r.m = vpci_machine_create(&r.ev, &map_ops_record, &r.rec);
	r.parser = r.m ? vpci_parser_create(r.m) : NULL;
	if (!r.parser) {
		rc = vt_errf(err, ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = replay_body(&r, err)))
		goto out;
	if (o->final && !o->silent)
		print_final(&r);
	r.st.maps = r.ev.count[VT_EV_MAP];
	r.st.unmaps = r.ev.count[VT_EV_UNMAP];
	r.st.refusals = r.ev.count[VT_EV_REFUSE];
	r.st.renumbers = r.ev.count[VT_EV_RENUMBER];
	if (!o->silent)
		fprintf(out, "summary accesses=%lu reads=%lu writes=%lu mismatches=%lu maps=%lu "
			"unmaps=%lu refusals=%lu renumbers=%lu\n", r.st.accesses, r.st.reads, r.st.writes,
			r.st.mismatches, r.st.maps, r.st.unmaps, r.st.refusals, r.st.renumbers);
out:
	if (st)
		*st = r.st;
	vpci_parser_destroy(r.parser);
	vpci_machine_destroy(r.m);
	map_record_reset(&r.rec);
	free(r.pend);
	if (rc)
		return 2;
	return r.st.mismatches ? 1 : 0;
}
