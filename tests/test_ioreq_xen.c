/*
 * tests/test_ioreq_xen.c - the real Xen backend (ioreq/xen.c, as built into
 * libvtioreq.a) linked against libxensim.a instead of libxen*: its calls,
 * their order and their arguments, read back from the simulated
 * hypervisor's call log; failures injected into single calls; teardown
 * that leaves nothing behind.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ioreq_test.h"

#ifdef HAVE_XEN
#include "../ioreq/xensim.h"

#define DOM 5

struct xrig {
	struct ioreq_sim *sim;
	struct ioreq_xen *x;
	struct ti_core c;
	struct ioreq_loop lp;
	pthread_t th;
	int stop[2];
	bool running, open;
	int loop_rc;
};

static void *xloop(void *arg)
{
	struct xrig *r = arg;

	r->loop_rc = ioreq_loop_run(&r->lp);
	return NULL;
}

/* The machine with 00:02.0 decoding memory and I/O from the start (mapped at finish). */
static const char *decoding_machine(void)
{
	static char *text;
	char *p;

	if (text)
		return text;
	text = strdup(ti_machine_text());
	p = strstr(strstr(text, "device 00:02.0\n"), "\n00: ") + 1 + 3 + 4 * 3;
	memcpy(p, " 03", 3);
	return text;
}

static int xrig_start(struct xrig *r, unsigned nvcpu, const char *machine, bool loop)
{
	struct vt_err err = { "" };
	int rc;

	memset(r, 0, sizeof(*r));
	r->stop[0] = r->stop[1] = -1;
	r->sim = ioreq_sim_create(DOM, nvcpu);
	xensim_attach(r->sim);
	ioreq_sim_set_timeout(r->sim, 3000);
	rc = ioreq_xen_open(DOM, &r->x, &err);
	TU_CHECK(!rc, "ioreq_xen_open: %s", err.msg);
	if (rc)
		return rc;
	r->open = true;
	rc = ti_core_open(&r->c, machine, &map_ops_xen, r->x, &ioreq_claim_xen, r->x, NULL);
	if (!rc)
		rc = ioreq_xen_enable(r->x, &err);
	TU_CHECK(!rc, "enable: %s", err.msg);
	if (rc)
		return rc;
	r->lp = (struct ioreq_loop){ .srv = r->c.srv, .page = ioreq_xen_page(r->x),
				     .nvcpu = ioreq_xen_nvcpu(r->x), .ops = &ioreq_port_xen,
				     .ctx = r->x, .stop_fd = -1 };
	if (pipe(r->stop))
		return -errno;
	r->lp.stop_fd = r->stop[0];
	if (!loop)
		return 0;
	rc = pthread_create(&r->th, NULL, xloop, r);
	r->running = !rc;
	return rc;
}

static void xrig_stop_loop(struct xrig *r)
{
	if (!r->running)
		return;
	if (write(r->stop[1], "x", 1) != 1)
		abort();
	pthread_join(r->th, NULL);
	r->running = false;
}

/* Teardown as vpcitrap serve does it; the sim stays for inspection. */
static void xrig_teardown(struct xrig *r)
{
	xrig_stop_loop(r);
	if (r->open) {
		ioreq_xen_disable(r->x);
		if (r->c.srv) {
			ioreq_server_unclaim(r->c.srv);
			ioreq_server_release(r->c.srv);
		}
		ioreq_xen_close(r->x);
		r->open = false;
	}
}

static void xrig_free(struct xrig *r)
{
	xrig_teardown(r);
	ti_core_close(&r->c);
	xensim_attach(NULL);
	ioreq_sim_destroy(r->sim);
	if (r->stop[0] >= 0) {
		close(r->stop[0]);
		close(r->stop[1]);
	}
	memset(r, 0, sizeof(*r));
}

static bool all_gone(const struct ioreq_sim_state *st)
{
	return !st->servers && !st->pages && !st->handles && !st->bound && !st->p2m_pages &&
	       !st->iomem_perm_pages && !st->io_perm_ports && !st->io_mapped_ports && !st->nonidentity &&
	       !st->double_maps && !st->bad_unmaps;
}

#define GONE(st)                                                                                   \
	TU_CHECK(all_gone(&(st)), "left: servers %u pages %u handles %u bound %u p2m %llu iomem %llu " \
		 "io %llu/%llu nonid %lu dbl %lu bad %lu", (st).servers, (st).pages, (st).handles,    \
		 (st).bound, (unsigned long long)(st).p2m_pages,                                     \
		 (unsigned long long)(st).iomem_perm_pages, (unsigned long long)(st).io_perm_ports,   \
		 (unsigned long long)(st).io_mapped_ports, (st).nonidentity, (st).double_maps,        \
		 (st).bad_unmaps)

/* Each line must be found after the previous one; returns the index of the last. */
static long in_order(struct ioreq_sim *sim, const char *const *want, size_t n, long from)
{
	for (size_t i = 0; i < n; i++) {
		long at = ioreq_sim_log_find(sim, want[i], (size_t)(from + 1));

		TU_CHECK(at > from, "'%s' not found after log line %ld", want[i], from);
		if (at <= from)
			return from;
		from = at;
	}
	return from;
}

static void dump_log(struct ioreq_sim *sim)
{
	for (size_t i = 0; i < ioreq_sim_log_count(sim); i++)
		fprintf(stderr, "  log %zu: %s\n", i, ioreq_sim_log_line(sim, i));
}

/* What the backend must call, in this order, around a guest that renumbers a bridge. */
static const char *const life_setup[] = {
	"xc_interface_open() = ok",
	"xendevicemodel_open() = ok",
	"xenforeignmemory_open() = ok",
	"xenevtchn_open() = ok",
	"xc_domain_getinfo(5) = 0 vcpus=2",
	"xendevicemodel_create_ioreq_server(5, 0) = 0 id=0",
	"xenforeignmemory_map_resource(5, 0, 0, 1, 1) = 0",
	"xc_domain_iomem_permission(5, 0xe8000, 0x20, 1) = 0",
	"xc_domain_memory_mapping(5, 0xe8000, 0xe8000, 0x20, 1) = 0",
	"xendevicemodel_map_io_range_to_ioreq_server(5, 0, port, 0xcf8, 0xcff) = 0",
	"xendevicemodel_map_io_range_to_ioreq_server(5, 0, mmio, 0xb0000000, 0xb0ffffff) = 0",
	"xendevicemodel_map_pcidev_to_ioreq_server(5, 0, 0000:00:00.0) = 0",
	"xendevicemodel_map_pcidev_to_ioreq_server(5, 0, 0000:00:02.0) = 0",
	"xendevicemodel_map_pcidev_to_ioreq_server(5, 0, 0000:00:1c.0) = 0",
	"xendevicemodel_map_pcidev_to_ioreq_server(5, 0, 0000:01:00.0) = 0",
	"xendevicemodel_set_ioreq_server_state(5, 0, 1) = 0",
};
static const char *const life_io[] = {
	"xc_domain_ioport_permission(5, 0xd000, 0x20, 1) = 0",
	"xc_domain_ioport_mapping(5, 0xd000, 0xd000, 0x20, 1) = 0",
	"xendevicemodel_map_io_range_to_ioreq_server(5, 0, port",
};
static const char *const life_renumber[] = {
	"xendevicemodel_unmap_pcidev_from_ioreq_server(5, 0, 0000:01:00.0) = 0",
	"xendevicemodel_map_pcidev_to_ioreq_server(5, 0, 0000:09:00.0) = 0",
};
static const char *const life_down[] = {
	"xendevicemodel_set_ioreq_server_state(5, 0, 0) = 0",
	"xendevicemodel_unmap_pcidev_from_ioreq_server(5, 0, 0000:00:00.0) = 0",
	"xendevicemodel_unmap_pcidev_from_ioreq_server(5, 0, 0000:09:00.0) = 0",
	"xendevicemodel_unmap_io_range_from_ioreq_server(5, 0, mmio, 0xb0000000, 0xb0ffffff) = 0",
	"xendevicemodel_unmap_io_range_from_ioreq_server(5, 0, port, 0xcf8, 0xcff) = 0",
	"xc_domain_memory_mapping(5, 0xe8000, 0xe8000, 0x20, 0) = 0",
	"xc_domain_iomem_permission(5, 0xe8000, 0x20, 0) = 0",
	"xenforeignmemory_unmap_resource(5, 0) = 0",
	"xendevicemodel_destroy_ioreq_server(5, 0) = 0",
	"xenevtchn_close() = 0",
	"xenforeignmemory_close() = 0",
	"xendevicemodel_close() = 0",
	"xc_interface_close() = 0",
};
static const char *const life_io_down[] = {
	"xendevicemodel_set_ioreq_server_state(5, 0, 0) = 0",
	"xc_domain_ioport_mapping(5, 0xd000, 0xd000, 0x20, 0) = 0",
	"xc_domain_ioport_permission(5, 0xd000, 0x20, 0) = 0",
	"xendevicemodel_destroy_ioreq_server(5, 0) = 0",
};

static void test_xen_lifecycle(void)
{
	struct ioreq_sim_state st;
	struct xrig r;
	char bind[2][64], unbind[2][64];
	const char *b[2], *u[3];
	long setup_end, moved;

	if (xrig_start(&r, 2, decoding_machine(), true))
		goto out;
	setup_end = in_order(r.sim, life_setup, VT_ARRAY_SIZE(life_setup), -1);
	in_order(r.sim, life_io, VT_ARRAY_SIZE(life_io), -1); /* I/O BAR: permission, mapping, before claims */
	/* bind after enabling, to the port Xen wrote into each vCPU's slot */
	for (unsigned v = 0; v < 2; v++) {
		snprintf(bind[v], sizeof(bind[v]), "xenevtchn_bind_interdomain(5, %u) = ",
			 ioreq_abi_slot(ioreq_xen_page(r.x), v)->vp_eport);
		b[v] = bind[v];
	}
	in_order(r.sim, b, 2, setup_end);
	/* the guest renumbers the bridge: claims move, the old one released first */
	ti_conf1_write(r.sim, 1, 0, 0x1c, 0, 0x18, 4, 0x00090900);
	TI_EQ(ti_conf1_read(r.sim, 0, 9, 0, 0, 0, 4), 0x816810ec);
	moved = in_order(r.sim, life_renumber, 2, setup_end);
	for (unsigned v = 0; v < 2; v++) {
		long at = ioreq_sim_log_find(r.sim, bind[v], 0);
		const char *line = at >= 0 ? ioreq_sim_log_line(r.sim, (size_t)at) : "= -1";

		snprintf(unbind[v], sizeof(unbind[v]), "xenevtchn_unbind(%s) = 0", strrchr(line, '=') + 2);
		u[v] = unbind[v];
	}
	u[2] = "xendevicemodel_set_ioreq_server_state(5, 0, 0) = 0";
	xrig_teardown(&r);
	in_order(r.sim, u, 3, moved);                   /* unbind, then disable */
	in_order(r.sim, life_down, VT_ARRAY_SIZE(life_down), moved); /* then claims, mappings, page, server, handles */
	in_order(r.sim, life_io_down, VT_ARRAY_SIZE(life_io_down), moved);
	ioreq_sim_state(r.sim, &st);
	GONE(st);
	if (!all_gone(&st))
		dump_log(r.sim);
out:
	xrig_free(&r);
}

/* A BAR moved while decoding: the old frames removed before the new ones are added. */
static void test_xen_bar_move(void)
{
	static const char *const seq[] = {
		"xc_domain_memory_mapping(5, 0xe8000, 0xe8000, 0x20, 0) = 0",
		"xc_domain_iomem_permission(5, 0xe8000, 0x20, 0) = 0",
		"xc_domain_iomem_permission(5, 0xe8100, 0x20, 1) = 0",
		"xc_domain_memory_mapping(5, 0xe8100, 0xe8100, 0x20, 1) = 0",
	};
	struct ioreq_sim_state st;
	struct xrig r;
	uint64_t v = 0;
	long from;

	if (xrig_start(&r, 1, decoding_machine(), true))
		goto out;
	from = (long)ioreq_sim_log_count(r.sim) - 1;
	ti_conf1_write(r.sim, 0, 0, 2, 0, 0x10, 4, 0xe8100000);
	in_order(r.sim, seq, VT_ARRAY_SIZE(seq), from);
	TI_EQ(ioreq_sim_mmio(r.sim, 0, false, 0xe8100ff0, 4, &v), 0);
	TI_EQ(v, IOREQ_SIM_MEM_MARK(0xe8100ff0));
	TI_EQ(ioreq_sim_mmio(r.sim, 0, false, 0xe8000ff0, 4, &v), 0);
	TI_EQ(v, 0xffffffff);
	xrig_teardown(&r);
	ioreq_sim_state(r.sim, &st);
	GONE(st);
out:
	xrig_free(&r);
}

static void keep_rmrr_cb(void *ctx, enum map_region kind, const struct vt_range *rg)
{
	if (kind == MAP_REGION_RMRR)
		ioreq_xen_keep(ctx, rg->base >> VT_PAGE_SHIFT, rg->last >> VT_PAGE_SHIFT);
}

/*
 * A relaxed BAR over this machine's own RMRR maps the RMRR's frame too; the
 * BAR's move and the teardown unmap the BAR's other frames but never the
 * RMRR's, which the platform identity-maps (an unmap removes the entry
 * whatever it points to).
 */
static void test_xen_rmrr_kept(void)
{
	static const char *const seq[] = {
		"xc_domain_memory_mapping(5, 0xe8000, 0xe8000, 0x10, 0) = 0",
		"xc_domain_memory_mapping(5, 0xe8011, 0xe8011, 0xf, 0) = 0",
	};
	char *text = malloc(strlen(decoding_machine()) + 128);
	struct xrig r;
	uint64_t v = 0;
	long from;

	sprintf(text, "rdm strategy=host,policy=relaxed\nrmrr 0xe8010000-0xe8010fff 00:02.0\n%s",
		decoding_machine());
	if (xrig_start(&r, 1, text, true))
		goto out;
	map_region_walk(vpci_machine_mapper(r.c.m), keep_rmrr_cb, r.x);
	TI_EQ(ioreq_sim_mmio(r.sim, 0, false, 0xe8010010, 4, &v), 0);
	TI_EQ(v, IOREQ_SIM_MEM_MARK(0xe8010010)); /* mapped with the BAR, warned */
	from = (long)ioreq_sim_log_count(r.sim) - 1;
	ti_conf1_write(r.sim, 0, 0, 2, 0, 0x10, 4, 0xe8100000); /* moved away */
	in_order(r.sim, seq, VT_ARRAY_SIZE(seq), from);
	CU_ASSERT(ioreq_sim_log_find(r.sim, "xc_domain_memory_mapping(5, 0xe8010,", from) < 0);
	xrig_teardown(&r);
	TI_EQ(ioreq_sim_mmio(r.sim, 0, false, 0xe8010010, 4, &v), 0);
	TI_EQ(v, IOREQ_SIM_MEM_MARK(0xe8010010)); /* still there after teardown */
	TI_EQ(ioreq_sim_mmio(r.sim, 0, false, 0xe8100010, 4, &v), 0);
	TI_EQ(v, 0xffffffff);
out:
	xrig_free(&r);
	free(text);
}

static void test_xen_open_errors(void)
{
	struct ioreq_sim *sim = ioreq_sim_create(DOM, 1);
	struct ioreq_sim_state st;
	struct ioreq_xen *x = NULL;
	struct vt_err err = { "" };

	xensim_attach(NULL);
	TU_CHECK(ioreq_xen_open(DOM, &x, &err) < 0 && strstr(err.msg, "xc_interface_open"), "%s", err.msg);
	xensim_attach(sim);
	TU_CHECK(ioreq_xen_open(0, &x, &err) < 0 && strstr(err.msg, "cannot serve its own domain"),
		 "%s", err.msg);
	TU_CHECK(ioreq_xen_open(9, &x, &err) < 0 && strstr(err.msg, "domain 9 does not exist"), "%s",
		 err.msg);
	/* the page cannot be mapped: the server just created is destroyed again */
	xensim_fail_next("xenforeignmemory_map_resource", ENOMEM);
	TU_CHECK(ioreq_xen_open(DOM, &x, &err) == -ENOMEM && strstr(err.msg, "ioreq page"), "%s",
		 err.msg);
	TU_CHECK(ioreq_sim_log_find(sim, "xendevicemodel_destroy_ioreq_server(5, 0) = 0", 0) >= 0,
		 "no destroy after a failed map_resource");
	ioreq_sim_state(sim, &st);
	GONE(st);
	xensim_attach(NULL);
	ioreq_sim_destroy(sim);
}

/* Binding fails: enable reports it, teardown still undoes everything. */
static void test_xen_bind_fails(void)
{
	struct ioreq_sim_state st;
	struct vt_err err = { "" };
	struct xrig r;

	memset(&r, 0, sizeof(r));
	r.stop[0] = r.stop[1] = -1;
	r.sim = ioreq_sim_create(DOM, 2);
	xensim_attach(r.sim);
	TI_EQ(ioreq_xen_open(DOM, &r.x, &err), 0);
	r.open = true;
	if (ti_core_open(&r.c, decoding_machine(), &map_ops_xen, r.x, &ioreq_claim_xen, r.x, NULL))
		goto out;
	xensim_fail_next("xenevtchn_bind_interdomain", EINVAL);
	TU_CHECK(ioreq_xen_enable(r.x, &err) == -EINVAL && strstr(err.msg, "event channel"), "%s",
		 err.msg);
	xrig_teardown(&r);
	ioreq_sim_state(r.sim, &st);
	GONE(st);
out:
	xrig_free(&r);
}

/* A mapping Xen refuses: the permission is taken back, the guest does not reach the BAR. */
static void test_xen_mapping_fails(void)
{
	static const char *const seq[] = {
		"xc_domain_iomem_permission(5, 0xe8000, 0x20, 1) = 0",
		"xc_domain_memory_mapping: injected failure",
		"xc_domain_iomem_permission(5, 0xe8000, 0x20, 0) = 0",
	};
	struct ioreq_sim_state st;
	struct xrig r;
	uint64_t v = 0;

	if (xrig_start(&r, 1, ti_machine_text(), true))
		goto out;
	xensim_fail_next("xc_domain_memory_mapping", EPERM);
	ti_conf1_write(r.sim, 0, 0, 2, 0, 4, 2, 0x2);
	in_order(r.sim, seq, VT_ARRAY_SIZE(seq), -1);
	TI_EQ(map_backend_errors(vpci_machine_mapper(r.c.m)), 1);
	TI_EQ(ioreq_sim_mmio(r.sim, 0, false, 0xe8000000, 4, &v), 0);
	TI_EQ(v, 0xffffffff);
	ioreq_sim_state(r.sim, &st);
	TI_EQ(st.p2m_pages, 0);
	TI_EQ(st.iomem_perm_pages, 0);
	xrig_teardown(&r);
	ioreq_sim_state(r.sim, &st);
	GONE(st);
out:
	xrig_free(&r);
}

/* The event channel fails under the loop: the loop returns the error, teardown is clean. */
static void test_xen_loop_error(void)
{
	struct ioreq_sim_state st;
	struct xrig r;
	uint32_t v = 0;

	if (xrig_start(&r, 1, ti_machine_text(), true))
		goto out;
	TI_EQ(ti_conf1_read(r.sim, 0, 0, 2, 0, 0, 2), 0x8086);
	xensim_fail_next("xenevtchn_pending", EIO);
	ioreq_sim_set_timeout(r.sim, 200);
	TI_EQ(ioreq_sim_cfg(r.sim, 0, false, 0x10, 0, 4, &v), -ETIMEDOUT);
	pthread_join(r.th, NULL);
	r.running = false;
	TI_EQ(r.loop_rc, -EIO);
	xrig_teardown(&r);
	ioreq_sim_state(r.sim, &st);
	GONE(st);
out:
	xrig_free(&r);
}

struct waiter {
	struct ioreq_sim *sim;
	uint32_t v;
	int rc;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->rc = ioreq_sim_cfg(w->sim, 0, false, 0x100, 0, 4, &w->v);
	return NULL;
}

/* SIGTERM with a request in flight: the stop answers it before returning. */
static void test_xen_stop_answers_in_flight(void)
{
	struct ioreq_sim_state st;
	struct waiter w;
	struct xrig r;
	pthread_t th;

	if (xrig_start(&r, 1, ti_machine_text(), false))
		goto out;
	w = (struct waiter){ r.sim, 0, -1 };
	pthread_create(&th, NULL, waiter_main, &w);
	while (ioreq_abi_state(ioreq_abi_slot(ioreq_xen_page(r.x), 0)) != STATE_IOREQ_READY)
		usleep(1000);
	if (write(r.stop[1], "x", 1) != 1) /* stop already pending when the loop starts */
		abort();
	TI_EQ(ioreq_loop_run(&r.lp), 0);
	pthread_join(th, NULL);
	TI_EQ(w.rc, 0);
	TI_EQ(w.v, 0x816810ec);
	xrig_teardown(&r);
	ioreq_sim_state(r.sim, &st);
	GONE(st);
out:
	xrig_free(&r);
}

static void test_xen_rdm_alive(void)
{
	struct vt_range a = { 0xd0000000, 0xd0ffffff }, b = { 0x7d000000, 0x7d0fffff }, *out = NULL;
	struct xrig r;
	size_t n = 0;
	long at;

	if (xrig_start(&r, 1, ti_machine_text(), false))
		goto out;
	xensim_clear_rdm();
	xensim_add_rdm(&a, 0x20);
	xensim_add_rdm(&b, UINT32_MAX);
	TI_EQ(ioreq_xen_rdm(r.x, UINT32_MAX, &out, &n), 0);
	TI_EQ(n, 2);
	if (n == 2) {
		TI_EQ(out[0].base, a.base);
		TI_EQ(out[0].last, a.last);
		TI_EQ(out[1].base, b.base);
	}
	free(out);
	/* asked with no room first: -ENOBUFS says how many (as libxl does) */
	at = ioreq_sim_log_find(r.sim, "xc_reserved_device_memory_map(1, all) = ENOBUFS n=2", 0);
	TU_CHECK(at >= 0 && ioreq_sim_log_find(r.sim, "xc_reserved_device_memory_map(1, all) = 0 n=2",
					       (size_t)at) > at, "ENOBUFS protocol not followed");
	TI_EQ(ioreq_xen_rdm(r.x, 0x20, &out, &n), 0);
	TI_EQ(n, 1);
	free(out);
	TI_EQ(ioreq_xen_rdm(r.x, 0x18, &out, &n), 0);
	TI_EQ(n, 0);
	free(out);
	TI_EQ(ioreq_xen_alive(r.x), 1);
	xensim_clear_rdm();
out:
	xrig_free(&r);
}

CU_TestInfo ti_xen_tests[] = {
	{ "set-up, requests, teardown: calls in order", test_xen_lifecycle },
	{ "BAR move: unmap old before map new", test_xen_bar_move },
	{ "relaxed BAR over the machine's RMRR: its frame never unmapped", test_xen_rmrr_kept },
	{ "open: no Xen, dom0, no domain, page fails", test_xen_open_errors },
	{ "bind fails: reported, teardown clean", test_xen_bind_fails },
	{ "mapping refused: permission taken back", test_xen_mapping_fails },
	{ "event channel error ends the loop", test_xen_loop_error },
	{ "stop answers the request in flight", test_xen_stop_answers_in_flight },
	{ "reserved device memory; domain alive", test_xen_rdm_alive },
	CU_TEST_INFO_NULL,
};
#else
CU_TestInfo ti_xen_tests[] = {
	CU_TEST_INFO_NULL, /* built without the Xen headers: nothing to link against */
};
#endif
