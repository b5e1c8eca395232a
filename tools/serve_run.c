/*
 * tools/serve_run.c - running the server: on Xen (--domid) or on the
 * simulated hypervisor (--sim), set-up, the request loop, and teardown in
 * reverse order on the way out, whether the loop ended by SIGINT/SIGTERM,
 * the end of the --sim trace, the domain going away, or a fatal error.
 *
 * Order (both backends): open -> build the machine (its initial mappings
 * happen in vpci_machine_finish) -> claims -> enable + bind -> serve.
 * Teardown: unbind + disable -> release claims -> unmap every 1:1 mapping
 * -> unmap the ioreq page -> destroy the server -> close.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include "serve.h"

static int stop_pipe[2] = { -1, -1 };

/* What a fatal libpci error must tear down before exiting. */
static struct ioreq_xen *fatal_xen;
static struct ioreq_simport *fatal_sim;

static void on_signal(int sig)
{
	char c = (char)sig;

	if (write(stop_pipe[1], &c, 1) < 0) {
		/* the pipe is full: a stop is already pending */
	}
}

static int signals_install(void)
{
	struct sigaction sa;

	if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK))
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR and sees the pipe */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void signals_remove(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	stop_pipe[0] = stop_pipe[1] = -1;
}

/*
 * libpci's error() must not return (lib/pci.h: "Write error message and
 * quit"). The front end may exit, but not before undoing what Xen holds.
 */
static void __attribute__((noreturn, format(printf, 1, 2))) pci_fatal(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	fputs("vpcitrap: libpci: ", stderr);
	vfprintf(stderr, msg, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (fatal_xen) {
		ioreq_xen_close(fatal_xen);
		fputs("vpcitrap: ioreq server destroyed, mappings removed\n", stderr);
	}
	if (fatal_sim)
		ioreq_simport_close(fatal_sim);
	exit(2);
}

struct pci_access *serve_pci_open(const struct serve_opts *o, struct vt_err *err)
{
	struct pci_access *a = pci_alloc();

	if (!a) {
		vt_errf(err, ENOMEM, "out of memory");
		return NULL;
	}
	a->error = pci_fatal;
	if (o->pci_method) {
		int id = pci_lookup_method((char *)o->pci_method);

		if (id < 0) {
			vt_errf(err, EINVAL, "unknown libpci method '%s' (lspci -A help lists them)",
				o->pci_method);
			pci_cleanup(a);
			return NULL;
		}
		a->method = (unsigned)id;
	}
	for (unsigned i = 0; i < o->npci_param; i++) {
		char buf[512], *eq;

		snprintf(buf, sizeof(buf), "%s", o->pci_param[i]);
		eq = strchr(buf, '=');
		if (!eq || (*eq = 0, pci_set_param(a, buf, eq + 1))) {
			vt_errf(err, EINVAL, "bad libpci parameter '%s' (PARAM=VALUE)", o->pci_param[i]);
			pci_cleanup(a);
			return NULL;
		}
	}
	pci_init(a);
	/* The dump method serves only functions its scan created. */
	pci_scan_bus(a);
	return a;
}

void serve_pci_close(struct pci_access *pacc)
{
	if (pacc)
		pci_cleanup(pacc);
}

struct serve_ctx {
	const struct serve_opts *o;
	struct vt_events ev;
	struct serve_machine sm;
	FILE *record;
	struct vt_err err;
	char *summary;
	bool started;  /* set up and claimed: a summary is due at exit */
};

/* Create machine and server, build the machine, finish it, claim. 0 or 2 (message printed). */
static int ctx_setup(struct serve_ctx *c, const struct map_ops *mops, const struct ioreq_claim_ops *cops,
		     void *bctx, const struct serve_rmrr *rdm, size_t nrdm, const char *what)
{
	const struct serve_opts *o = c->o;
	struct ioreq_opts io = { 0 };
	char head[256];
	int rc = 0;

	vt_events_init(&c->ev);
	if (o->record && !(c->record = fopen(o->record, "w")))
		rc = vt_errf(&c->err, errno, "%s: %s", o->record, strerror(errno));
	if (!rc && !(c->sm.m = vpci_machine_create(&c->ev, mops, bctx)))
		rc = vt_errf(&c->err, ENOMEM, "out of memory");
	io.out = o->quiet ? NULL : stdout;
	io.record = c->record;
	io.claim_buses = o->claim_buses;
	io.nclaim_buses = o->nclaim_buses;
	io.leave_ports = o->leave_ports;
	if (!rc && !(c->sm.srv = ioreq_server_create(c->sm.m, cops, bctx, &io)))
		rc = vt_errf(&c->err, ENOMEM, "out of memory");
	if (!rc && o->nhost && !(c->sm.pacc = serve_pci_open(o, &c->err)))
		rc = -EINVAL;
	if (!rc) {
		snprintf(head, sizeof(head), "# vpcitrap serve %s: recording (replay: vpcitrap replay FILE)", what);
		ioreq_server_record_text(c->sm.srv, head);
		rc = serve_machine_build(&c->sm, o, rdm, nrdm, &c->err);
	}
	if (!rc)
		rc = vpci_machine_finish(c->sm.m, &c->err);
	if (!rc)
		rc = ioreq_server_claim(c->sm.srv, &c->err);
	if (rc)
		fprintf(stderr, "vpcitrap serve: %s\n", c->err.msg);
	c->started = !rc;
	return rc ? 2 : 0;
}

/*
 * Teardown's first server step: the summary as replay of the recording
 * would print it (the accesses' events only), then the teardown unmaps.
 */
static void ctx_release(struct serve_ctx *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!c->sm.srv)
		return;
	m = open_memstream(&buf, &len);
	if (m) {
		ioreq_server_summary(c->sm.srv, m);
		fclose(m);
	}
	c->summary = buf;
	if (c->sm.m && vpci_machine_finished(c->sm.m))
		ioreq_server_release(c->sm.srv);
}

/* The last steps of teardown, common to both backends. */
static void ctx_free(struct serve_ctx *c)
{
	const struct ioreq_stats *st;

	if (c->started && c->summary)
		fputs(c->summary, stdout);
	free(c->summary);
	if (c->sm.srv) {
		st = ioreq_server_stats(c->sm.srv);
		if (st->refused || st->claim_errors || st->record_errors)
			fprintf(stderr, "vpcitrap: %lu requests refused, %lu claim errors, %lu record errors\n",
				st->refused, st->claim_errors, st->record_errors);
	}
	fflush(stdout);
	ioreq_server_destroy(c->sm.srv);
	vpci_machine_destroy(c->sm.m);
	serve_pci_close(c->sm.pacc);
	serve_machine_free(&c->sm);
	if (c->record && fclose(c->record))
		fprintf(stderr, "vpcitrap: %s: %s\n", c->o->record, strerror(errno));
}

static void print_claims(struct ioreq_server *srv, const char *who)
{
	char buf[4096];

	ioreq_server_describe(srv, buf, sizeof(buf));
	fprintf(stderr, "vpcitrap: serving %s; %s\n", who, buf);
}

/*
 * Serve until the guest has played the trace. A signal stops the guest
 * (each vCPU finishes its access in flight, which is still answered),
 * then the last thread's write on the pipe ends the loop.
 */
static int sim_serve(struct ioreq_loop *lp, struct ioreq_sim_guest *g, bool *stopped)
{
	for (;;) {
		char buf[64];
		int rc = ioreq_loop_run(lp);

		if (rc)
			return rc;
		while (read(stop_pipe[0], buf, sizeof(buf)) > 0)
			;
		if (ioreq_sim_guest_done(g))
			return 0;
		if (!*stopped)
			fprintf(stderr, "vpcitrap: stopping: the simulated guest finishes its accesses in flight\n");
		*stopped = true;
		ioreq_sim_guest_abort(g);
	}
}

int serve_run_sim(const struct serve_opts *o)
{
	struct serve_ctx c = { .o = o };
	struct ioreq_sim *sim = ioreq_sim_create(1, o->vcpus);
	struct ioreq_simport *sp = NULL;
	struct ioreq_sim_guest *g = NULL;
	struct ioreq_sim_result res = { 0 };
	struct ioreq_loop lp = { 0 };
	bool stopped = false;
	char who[128];
	int rc, status = 2;

	if (!sim || signals_install()) {
		fprintf(stderr, "vpcitrap serve: cannot create the simulated hypervisor\n");
		ioreq_sim_destroy(sim);
		return 2;
	}
	if (o->sim_timeout_ms)
		ioreq_sim_set_timeout(sim, o->sim_timeout_ms);
	rc = ioreq_simport_open(sim, 1, &sp);
	fatal_sim = sp;
	snprintf(who, sizeof(who), "--sim %s", o->sim);
	if (rc)
		fprintf(stderr, "vpcitrap serve: sim: %s\n", strerror(-rc));
	else if (!(rc = ctx_setup(&c, &map_ops_sim, &ioreq_claim_sim, sp, NULL, 0, who)))
		rc = ioreq_simport_enable(sp);
	if (!rc) {
		lp = (struct ioreq_loop){ .srv = c.sm.srv, .page = ioreq_simport_page(sp),
					  .nvcpu = ioreq_simport_nvcpu(sp), .ops = &ioreq_port_sim,
					  .ctx = sp, .stop_fd = stop_pipe[0] };
		snprintf(who, sizeof(who), "simulated domain 1 (%u vCPUs)", o->vcpus);
		print_claims(c.sm.srv, who);
		rc = ioreq_sim_guest_start(sim, c.sm.acc, c.sm.nacc, o->vcpus, stop_pipe[1], stderr, &g);
	}
	if (!rc)
		rc = sim_serve(&lp, g, &stopped);
	if (g)
		ioreq_sim_guest_join(g, &res);
	if (rc < 0)
		fprintf(stderr, "vpcitrap serve: request loop: %s\n", strerror(-rc));
	else if (!rc)
		status = stopped ? 0 : res.errors ? 2 : res.mismatches ? 1 : 0; /* stopped: not a completed run */
	if (sp)
		ioreq_simport_disable(sp);
	if (c.sm.srv)
		ioreq_server_unclaim(c.sm.srv);
	ctx_release(&c);
	ioreq_simport_close(sp);
	fatal_sim = NULL;
	if (g)
		fprintf(stderr, "vpcitrap: sim: %lu accesses played, %lu reads differed from the trace, %lu failed\n",
			res.done, res.mismatches, res.errors);
	ctx_free(&c);
	ioreq_sim_destroy(sim);
	signals_remove();
	return status;
}

#ifdef HAVE_XEN
static int xen_idle(void *ctx)
{
	int alive = ioreq_xen_alive(ctx);

	if (alive == 0)
		fprintf(stderr, "vpcitrap: the domain is shutting down or gone: stopping\n");
	return alive < 0 ? alive : !alive;
}

struct xen_rdm {
	struct serve_rmrr *r;
	size_t n;
	char (*path)[VPCI_PATH_MAX];
};

static void xen_rdm_push(struct xen_rdm *l, const struct vt_range *r, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->r[i].range.base == r->base && l->r[i].range.last == r->last)
			return; /* already known with a device scope */
	l->r[l->n].range = *r;
	l->r[l->n++].path = path;
}

/*
 * On Xen, dom0 does not see the DMAR (Xen hides it): the RMRRs come from
 * XENMEM_reserved_device_memory_map, per --host device (scoped to where the
 * guest sees it) and then all of them (unscoped: strategy=host checks them).
 */
static int xen_rdm_collect(struct ioreq_xen *x, const struct serve_opts *o, struct xen_rdm *l)
{
	struct vt_range *r;
	size_t n, cap = 0;
	int rc;

	memset(l, 0, sizeof(*l));
	l->path = calloc(o->nhost ? o->nhost : 1, sizeof(*l->path));
	if (!l->path)
		return -ENOMEM;
	for (unsigned pass = 0; pass <= o->nhost; pass++) {
		bool all = pass == o->nhost;
		uint32_t sbdf = all ? UINT32_MAX : o->host[pass].sbdf;
		void *p;

		rc = ioreq_xen_rdm(x, sbdf, &r, &n);
		if (rc)
			return rc;
		p = realloc(l->r, (cap + n + 1) * sizeof(*l->r));
		if (!p) {
			free(r);
			return -ENOMEM;
		}
		l->r = p;
		cap += n;
		if (!all) {
			if (o->host[pass].path)
				snprintf(l->path[pass], VPCI_PATH_MAX, "%s", o->host[pass].path);
			else
				snprintf(l->path[pass], VPCI_PATH_MAX, "%02x:%02x.%x", VT_SBDF_BUS(sbdf),
					 VT_SBDF_DEVFN(sbdf) >> 3, VT_SBDF_DEVFN(sbdf) & 7);
		}
		for (size_t i = 0; i < n; i++)
			xen_rdm_push(l, &r[i], all ? NULL : l->path[pass]);
		free(r);
	}
	return 0;
}

static void keep_rmrr(void *ctx, enum map_region kind, const struct vt_range *r)
{
	if (kind == MAP_REGION_RMRR)
		ioreq_xen_keep(ctx, r->base >> VT_PAGE_SHIFT, r->last >> VT_PAGE_SHIFT);
}

static int xen_serve(struct serve_ctx *c, struct ioreq_xen *x)
{
	const struct serve_opts *o = c->o;
	struct xen_rdm rdm = { 0 };
	struct ioreq_loop lp;
	char who[128];
	int rc = 0;

	if (!o->dmar && !o->ivrs && (rc = xen_rdm_collect(x, o, &rdm)))
		fprintf(stderr, "vpcitrap: cannot read Xen's reserved device memory (RMRRs): %s;"
			" give them with --dmar or --rmrr\n", strerror(-rc));
	snprintf(who, sizeof(who), "--domid %ld", o->domid);
	rc = ctx_setup(c, &map_ops_xen, &ioreq_claim_xen, x, rdm.r, rdm.n, who);
	free(rdm.r);
	free(rdm.path);
	if (rc)
		return rc;
	/* The platform identity-maps this machine's RMRRs: teardown leaves them. */
	map_region_walk(vpci_machine_mapper(c->sm.m), keep_rmrr, x);
	if (ioreq_xen_enable(x, &c->err)) {
		fprintf(stderr, "vpcitrap serve: %s\n", c->err.msg);
		return 2;
	}
	lp = (struct ioreq_loop){ .srv = c->sm.srv, .page = ioreq_xen_page(x), .nvcpu = ioreq_xen_nvcpu(x),
				  .ops = &ioreq_port_xen, .ctx = x, .stop_fd = stop_pipe[0],
				  .idle = xen_idle, .idle_ms = 1000 };
	rc = ioreq_loop_scan(&lp);
	snprintf(who, sizeof(who), "domain %ld (ioreq server %u, %u vCPUs)", o->domid, ioreq_xen_id(x),
		 ioreq_xen_nvcpu(x));
	print_claims(c->sm.srv, who);
	if (!rc)
		rc = ioreq_loop_run(&lp);
	if (rc < 0) {
		fprintf(stderr, "vpcitrap serve: request loop: %s: tearing down\n", strerror(-rc));
		return 2;
	}
	return 0;
}
#endif

int serve_run_xen(const struct serve_opts *o)
{
#ifdef HAVE_XEN
	struct serve_ctx c = { .o = o };
	struct ioreq_xen *x = NULL;
	int status;

	if (signals_install()) {
		fprintf(stderr, "vpcitrap serve: %s\n", strerror(errno));
		return 2;
	}
	if (ioreq_xen_open((uint16_t)o->domid, &x, &c.err)) {
		fprintf(stderr, "vpcitrap serve: %s\n", c.err.msg);
		signals_remove();
		return 2;
	}
	fatal_xen = x;
	status = xen_serve(&c, x);
	ioreq_xen_disable(x);
	if (c.sm.srv)
		ioreq_server_unclaim(c.sm.srv);
	ctx_release(&c);
	ioreq_xen_close(x);
	fatal_xen = NULL;
	fprintf(stderr, "vpcitrap: ioreq server destroyed, 1:1 mappings removed\n");
	ctx_free(&c);
	signals_remove();
	return status;
#else
	(void)o;
	fprintf(stderr, "vpcitrap serve: built without Xen (configure found no libxen): only --sim\n");
	return 2;
#endif
}
