/*
 * ioreq/server.c - the transport independent server: one struct ioreq in,
 * one trap call, one answer out; events printed and recorded per request.
 *
 * What Xen sends (xen/include/public/hvm/ioreq.h, xen/arch/x86/hvm/ioreq.c):
 *   IOREQ_TYPE_PIO         addr = port, for the ports we claimed (0xcf8-0xcff)
 *   IOREQ_TYPE_COPY        addr = guest physical address (the ECAM window)
 *   IOREQ_TYPE_PCI_CONFIG  addr = SBDF << 32 | reg, a 0xcfc-0xcff access
 *                          that Xen decoded with its own cf8 latch, for an
 *                          SBDF we claimed with map_pcidev
 *   IOREQ_TYPE_INVALIDATE  broadcast by send_invalidate_ioreq() to every
 *                          server on a mapcache flush: just answered
 * count > 1 (rep prefixes) and data_is_ptr (the data lives in guest memory)
 * come from string instructions, which no config-space driver uses; we do
 * not map guest memory, so they are refused with a defined result.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "private.h"

/*
 * Events are kept per request and written after its access line as
 * `expect` lines. Those emitted outside a request are only printed: the
 * initial mappings of vpci_machine_finish (line 0), which replay makes
 * again from the machine section and compares with no expect line (it
 * refuses an `expect` before the first access), and the teardown unmaps.
 */
static void server_on_event(void *ctx, const struct vt_event *e)
{
	struct ioreq_server *s = ctx;
	char text[IOREQ_EV_TEXT];

	if (e->type == VT_EV_RENUMBER)
		s->claims.dirty = true;
	vt_event_format(e, text, sizeof(text));
	if (!s->in_request) {
		if (s->out) {
			fprintf(s->out, "%lu: %s\n", e->line, text);
			fflush(s->out);
		}
		return;
	}
	if (s->nev == s->evcap) {
		size_t cap = s->evcap ? s->evcap * 2 : 16;
		void *p = realloc(s->evtext, cap * sizeof(*s->evtext));

		if (!p) {
			ioreq_logf(s->log, "out of memory: event not recorded: %s", text);
			s->st.record_errors++;
			return;
		}
		s->evtext = p;
		s->evcap = cap;
	}
	memcpy(s->evtext[s->nev++], text, sizeof(text));
}

/* After the access line: its events as `expect` lines, and printed. */
static void server_flush_events(struct ioreq_server *s, unsigned long line)
{
	for (size_t i = 0; i < s->nev; i++) {
		s->line++;
		if (s->record && fprintf(s->record, "expect %s\n", s->evtext[i]) < 0)
			s->st.record_errors++;
		if (s->out)
			fprintf(s->out, "%lu: %s\n", line, s->evtext[i]);
	}
	s->nev = 0;
}

struct ioreq_server *ioreq_server_create(struct vpci_machine *m, const struct ioreq_claim_ops *ops,
					 void *ctx, const struct ioreq_opts *o)
{
	struct ioreq_server *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->m = m;
	s->ev = vpci_machine_events(m);
	s->out = o ? o->out : NULL;
	s->record = o ? o->record : NULL;
	s->log = o && o->log ? o->log : stderr;
	ioreq_claims_init(&s->claims, ops, ctx);
	s->claims.leave_ports = o && o->leave_ports;
	if ((o && ioreq_claims_add_buses(&s->claims, o->claim_buses, o->nclaim_buses)) ||
	    vt_events_subscribe(s->ev, server_on_event, s)) {
		ioreq_claims_free(&s->claims);
		free(s);
		return NULL;
	}
	return s;
}

void ioreq_server_destroy(struct ioreq_server *s)
{
	if (!s)
		return;
	vt_events_unsubscribe(s->ev, server_on_event, s);
	ioreq_claims_free(&s->claims);
	free(s->evtext);
	free(s);
}

int ioreq_server_record_text(struct ioreq_server *s, const char *line)
{
	s->line++;
	if (s->record && fprintf(s->record, "%s\n", line) < 0) {
		s->st.record_errors++;
		return -EIO;
	}
	return 0;
}

int ioreq_server_claim(struct ioreq_server *s, struct vt_err *err)
{
	struct vt_rec cmp;

	trap_init(&s->trap, s->m);
	s->trap_ready = true;
	/* Replay compares every kind of event a recording holds. */
	memset(&cmp, 0, sizeof(cmp));
	cmp.kind = VT_REC_COMPARE;
	cmp.compare_mask = (1u << VT_EV_MISMATCH) - 1;
	s->line++;
	if (s->record) {
		if (vt_trace_write(s->record, &cmp))
			s->st.record_errors++;
		fflush(s->record);
	}
	return ioreq_claims_sync(s, true, err);
}

size_t ioreq_server_release(struct ioreq_server *s)
{
	struct vpci_mapped *v = NULL;
	size_t n = vpci_machine_mapped(s->m, &v);

	s->ev->line = s->line + 1;
	for (size_t i = 0; i < n; i++) {
		struct vt_event e;

		memset(&e, 0, sizeof(e));
		e.type = VT_EV_UNMAP;
		e.sbdf = v[i].sbdf;
		e.bar = v[i].bar;
		e.space = v[i].space;
		e.range = v[i].range;
		vt_events_emit(s->ev, &e);
	}
	free(v);
	if (s->out)
		fflush(s->out);
	return n;
}

const struct ioreq_stats *ioreq_server_stats(const struct ioreq_server *s)
{
	return &s->st;
}

int ioreq_server_summary(const struct ioreq_server *s, FILE *f)
{
	const unsigned long *c = s->ev->count;

	return fprintf(f,
		       "summary accesses=%lu reads=%lu writes=%lu mismatches=%lu maps=%lu unmaps=%lu "
		       "refusals=%lu renumbers=%lu\n",
		       s->st.accesses, s->st.reads, s->st.writes, c[VT_EV_MISMATCH], c[VT_EV_MAP],
		       c[VT_EV_UNMAP], c[VT_EV_REFUSE], c[VT_EV_RENUMBER]) < 0
		       ? -EIO
		       : 0;
}

static const char *server_type_name(unsigned type)
{
	switch (type) {
	case IOREQ_TYPE_PIO: return "pio";
	case IOREQ_TYPE_COPY: return "mmio";
	case IOREQ_TYPE_PCI_CONFIG: return "pci-config";
	case IOREQ_TYPE_TIMEOFFSET: return "timeoffset";
	case IOREQ_TYPE_INVALIDATE: return "invalidate";
	default: return "unknown";
	}
}

/*
 * The defined result of a refusal: a read answers all ones of its size (a
 * master abort) unless the data is a guest pointer, which we never write
 * through; a write is dropped. The guest sees a failed access, never a hang.
 */
static void server_refuse(struct ioreq_server *s, struct ioreq *req, const char *why)
{
	s->st.refused++;
	if (req->dir == IOREQ_READ && !req->data_is_ptr)
		req->data = req->size >= 1 && req->size < 8 ? (1ULL << (8 * req->size)) - 1 : ~0ULL;
	if (s->st.refused <= IOREQ_LOG_QUOTA)
		ioreq_logf(s->log,
			   "refused %s %s request: addr=0x%" PRIx64 " size=%u count=%u data_is_ptr=%u df=%u:"
			   " %s; %s",
			   server_type_name(req->type), req->dir == IOREQ_READ ? "read" : "write", req->addr,
			   req->size, req->count, req->data_is_ptr, req->df, why,
			   req->dir == IOREQ_READ ? (req->data_is_ptr ? "guest memory left untouched"
								      : "reads all ones")
						  : "dropped");
	if (s->st.refused == IOREQ_LOG_QUOTA)
		ioreq_logf(s->log, "further refusals are counted, not logged");
}

/* Why a request cannot be served, or NULL. */
static const char *server_check(const struct ioreq_server *s, const struct ioreq *req)
{
	if (req->data_is_ptr)
		return "data_is_ptr (a string instruction into guest memory) is not supported";
	if (req->count != 1)
		return "rep count other than 1 is not supported";
	if (req->size != 1 && req->size != 2 && req->size != 4)
		return "size must be 1, 2 or 4";
	if (!s->trap_ready)
		return "server not started";
	switch (req->type) {
	case IOREQ_TYPE_PIO:
		return req->addr > 0xffff ? "port beyond 0xffff" : NULL;
	case IOREQ_TYPE_PCI_CONFIG:
		return (req->addr & 0xffffffffu) + req->size > VPCI_CFG_SIZE ? "register beyond 4 KiB"
									   : NULL;
	default:
		return NULL;
	}
}

/* Dispatch to traps; fills rec (kind, address, value). */
static void server_dispatch(struct ioreq_server *s, struct ioreq *req, struct vt_rec *rec)
{
	bool rd = req->dir == IOREQ_READ;
	uint32_t val = rd ? 0 : (uint32_t)req->data & vt_size_mask(req->size);
	unsigned size = req->size;

	switch (req->type) {
	case IOREQ_TYPE_PIO:
		rec->kind = VT_REC_PIO;
		rec->addr = req->addr;
		if (rd)
			val = trap_pio_read(&s->trap, (uint16_t)req->addr, size);
		else
			trap_pio_write(&s->trap, (uint16_t)req->addr, size, val);
		break;
	case IOREQ_TYPE_COPY:
		rec->kind = VT_REC_MMIO;
		rec->addr = req->addr;
		if (rd)
			val = trap_mmio_read(&s->trap, req->addr, size);
		else
			trap_mmio_write(&s->trap, req->addr, size, val);
		break;
	default: /* IOREQ_TYPE_PCI_CONFIG: addr = SBDF << 32 | reg (ioreq.h) */
		rec->kind = VT_REC_CFG;
		rec->addr = req->addr >> 32;
		rec->reg = (uint16_t)req->addr;
		if (rd)
			val = trap_cfg_read(&s->trap, (uint32_t)(req->addr >> 32), (uint16_t)req->addr, size);
		else
			trap_cfg_write(&s->trap, (uint32_t)(req->addr >> 32), (uint16_t)req->addr, size,
				       val);
		break;
	}
	rec->value = val & vt_size_mask(size);
	if (rd)
		req->data = rec->value;
}

/* One access: dispatched, then written as a trace line and its events. */
static void server_access(struct ioreq_server *s, struct ioreq *req)
{
	struct vt_rec rec;
	unsigned long line = ++s->line;

	memset(&rec, 0, sizeof(rec));
	rec.write = req->dir != IOREQ_READ;
	rec.has_value = true;
	rec.size = (uint8_t)req->size;
	s->ev->line = line;
	s->nev = 0;
	s->in_request = true;
	server_dispatch(s, req, &rec);
	s->in_request = false;
	s->st.accesses++;
	if (rec.write)
		s->st.writes++;
	else
		s->st.reads++;
	if (s->record && vt_trace_write(s->record, &rec))
		s->st.record_errors++;
	server_flush_events(s, line);
	/* Flushed per request: a kill loses at most the request in flight. */
	if (s->record)
		fflush(s->record);
	if (s->out)
		fflush(s->out);
	if (s->claims.dirty)
		ioreq_claims_sync(s, false, NULL);
}

void ioreq_server_handle(struct ioreq_server *s, struct ioreq *req)
{
	const char *why;

	s->st.requests++;
	switch (req->type) {
	case IOREQ_TYPE_INVALIDATE:
		/* A mapcache flush: we cache no guest memory, nothing to drop. */
		s->st.invalidates++;
		return;
	case IOREQ_TYPE_PIO:
	case IOREQ_TYPE_COPY:
	case IOREQ_TYPE_PCI_CONFIG:
		why = server_check(s, req);
		if (why)
			server_refuse(s, req, why);
		else
			server_access(s, req);
		return;
	default:
		server_refuse(s, req, "request type not served");
		return;
	}
}
