/*
 * ioreq/sim_trace.c - a guest that plays a trace from N vCPU threads.
 *
 * An OS serialises type 1 config cycles: Linux's pci_conf1_read/write hold
 * pci_config_lock across the 0xcf8 write and the data-port access, since
 * the latch is one per machine (and one per domain in Xen). So a 4-byte
 * 0xcf8 write and the port accesses after it are one transaction that runs
 * whole on one vCPU. Transaction t runs on vCPU t % N, in trace order:
 * the turn passes when it completes, except for a lone ECAM or `cfg` read,
 * which has no side effect: its turn passes as soon as it is issued, so
 * runs of such reads (lspci reading every function) are in flight on
 * several vCPUs at once. A transaction with a write waits for every read
 * in flight, so no answer depends on the interleaving.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

#define SIM_MISMATCH_LOG 10

struct sim_txn {
	size_t first, n;
	bool concurrent;
};

struct sim_thread {
	struct ioreq_sim_guest *g;
	unsigned vcpu;
	pthread_t th;
	bool started;
};

struct ioreq_sim_guest {
	struct ioreq_sim *sim;
	const struct ioreq_sim_access *acc;
	struct sim_txn *txn;
	size_t ntxn;
	unsigned nvcpu, running;
	int done_fd;
	FILE *log;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t turn;       /* the next transaction allowed to start */
	unsigned inflight; /* concurrent reads issued and not answered */
	bool abort;
	struct ioreq_sim_result res;
	struct sim_thread *t;
};

static bool is_latch(const struct vt_rec *r)
{
	return r->kind == VT_REC_PIO && r->write && r->addr == 0xcf8 && r->size == 4;
}

static bool is_port_cycle(const struct vt_rec *r)
{
	return r->kind == VT_REC_PIO && r->addr >= 0xcf8 && r->addr <= 0xcff;
}

static int group(struct ioreq_sim_guest *g, const struct ioreq_sim_access *acc, size_t n)
{
	bool open = false; /* the last transaction began with a latch write */

	g->txn = calloc(n ? n : 1, sizeof(*g->txn));
	if (!g->txn)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct vt_rec *r = &acc[i].rec;

		if (open && !is_latch(r) && is_port_cycle(r)) {
			g->txn[g->ntxn - 1].n++;
			continue;
		}
		g->txn[g->ntxn].first = i;
		g->txn[g->ntxn].n = 1;
		g->txn[g->ntxn].concurrent = !r->write && (r->kind == VT_REC_MMIO || r->kind == VT_REC_CFG);
		g->ntxn++;
		open = is_latch(r);
	}
	return 0;
}

/* One access; 0, or -errno when the vCPU could not complete it. */
static int play_one(struct ioreq_sim_guest *g, unsigned v, const struct ioreq_sim_access *a,
		    struct ioreq_sim_result *res)
{
	const struct vt_rec *r = &a->rec;
	uint32_t mask = vt_size_mask(r->size), v32 = r->value;
	uint64_t v64 = r->value;
	int rc;

	switch (r->kind) {
	case VT_REC_PIO:
		rc = ioreq_sim_pio(g->sim, v, r->write, (uint16_t)r->addr, r->size, &v32);
		v64 = v32;
		break;
	case VT_REC_MMIO:
		rc = ioreq_sim_mmio(g->sim, v, r->write, r->addr, r->size, &v64);
		break;
	default:
		rc = ioreq_sim_cfg(g->sim, v, r->write, (uint32_t)r->addr, r->reg, r->size, &v32);
		v64 = v32;
		break;
	}
	if (rc) {
		ioreq_logf(g->log, "sim: trace line %lu: vcpu %u: access failed: %s", a->line, v,
			   strerror(-rc));
		return rc;
	}
	res->done++;
	if (!r->write && r->has_value && ((uint32_t)v64 & mask) != (r->value & mask)) {
		if (++res->mismatches <= SIM_MISMATCH_LOG)
			ioreq_logf(g->log, "sim: trace line %lu: vcpu %u read 0x%" PRIx64
				   ", the trace says 0x%x", a->line, v, v64 & mask, r->value & mask);
	}
	return 0;
}

static int play_txn(struct ioreq_sim_guest *g, unsigned v, const struct sim_txn *t,
		    struct ioreq_sim_result *res)
{
	for (size_t i = 0; i < t->n; i++) {
		int rc = play_one(g, v, &g->acc[t->first + i], res);

		if (rc)
			return rc;
	}
	return 0;
}

/* Wait for transaction t's turn; false when the run is aborted. */
static bool take_turn(struct ioreq_sim_guest *g, size_t t)
{
	while (!g->abort && (g->turn != t || (!g->txn[t].concurrent && g->inflight)))
		pthread_cond_wait(&g->cond, &g->lock);
	return !g->abort;
}

static void *vcpu_main(void *arg)
{
	struct sim_thread *st = arg;
	struct ioreq_sim_guest *g = st->g;
	struct ioreq_sim_result res = { 0 };
	bool last;

	for (size_t t = st->vcpu; t < g->ntxn; t += g->nvcpu) {
		bool conc = g->txn[t].concurrent;
		int rc;

		pthread_mutex_lock(&g->lock);
		if (!take_turn(g, t)) {
			pthread_mutex_unlock(&g->lock);
			break;
		}
		if (conc) {
			g->inflight++;
			g->turn++;
			pthread_cond_broadcast(&g->cond);
		}
		pthread_mutex_unlock(&g->lock);
		rc = play_txn(g, st->vcpu, &g->txn[t], &res);
		pthread_mutex_lock(&g->lock);
		if (conc)
			g->inflight--;
		else
			g->turn++;
		if (rc) {
			res.errors++;
			g->abort = true;
		}
		pthread_cond_broadcast(&g->cond);
		pthread_mutex_unlock(&g->lock);
	}
	pthread_mutex_lock(&g->lock);
	g->res.done += res.done;
	g->res.mismatches += res.mismatches;
	g->res.errors += res.errors;
	last = --g->running == 0;
	pthread_mutex_unlock(&g->lock);
	if (last && g->done_fd >= 0) {
		uint64_t one = 1;

		if (write(g->done_fd, &one, sizeof(one)) < 0)
			ioreq_logf(g->log, "sim: cannot signal the end of the trace");
	}
	return NULL;
}

int ioreq_sim_guest_start(struct ioreq_sim *sim, const struct ioreq_sim_access *acc, size_t n,
			  unsigned nvcpu, int done_fd, FILE *log, struct ioreq_sim_guest **out)
{
	struct ioreq_sim_guest *g;
	int rc;

	if (!nvcpu || nvcpu > sim->nvcpu)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->sim = sim;
	g->acc = acc;
	g->nvcpu = nvcpu;
	g->done_fd = done_fd;
	g->log = log;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->t = calloc(nvcpu, sizeof(*g->t));
	rc = g->t ? group(g, acc, n) : -ENOMEM;
	g->running = nvcpu;
	for (unsigned v = 0; !rc && v < nvcpu; v++) {
		g->t[v].g = g;
		g->t[v].vcpu = v;
		rc = -pthread_create(&g->t[v].th, NULL, vcpu_main, &g->t[v]);
		g->t[v].started = !rc;
	}
	if (rc) {
		ioreq_sim_guest_abort(g);
		ioreq_sim_guest_join(g, NULL);
		return rc;
	}
	*out = g;
	return 0;
}

bool ioreq_sim_guest_done(struct ioreq_sim_guest *g)
{
	bool done;

	pthread_mutex_lock(&g->lock);
	done = g->running == 0;
	pthread_mutex_unlock(&g->lock);
	return done;
}

void ioreq_sim_guest_abort(struct ioreq_sim_guest *g)
{
	pthread_mutex_lock(&g->lock);
	g->abort = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

void ioreq_sim_guest_join(struct ioreq_sim_guest *g, struct ioreq_sim_result *res)
{
	if (!g)
		return;
	for (unsigned v = 0; g->t && v < g->nvcpu; v++)
		if (g->t[v].started)
			pthread_join(g->t[v].th, NULL);
	if (res)
		*res = g->res;
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->cond);
	free(g->txn);
	free(g->t);
	free(g);
}
