/*
 * tests/test_ioreq_sim.c - the server on the simulated hypervisor: the
 * shared page and its states, Xen's routing of cf8/cfc, claims that follow
 * renumbering as seen by the guest, 1:1 mappings the guest reaches, many
 * vCPUs at once, malformed requests, spurious and lost notifications, a
 * server that never answers; and the trace-driven guest.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ioreq_test.h"

/* ------------------------------------------------------------------ */
/* The rig                                                             */

static void *loop_main(void *arg)
{
	struct ti_rig *r = arg;

	r->loop_rc = ioreq_loop_run(&r->lp);
	return NULL;
}

int ti_rig_start(struct ti_rig *r, unsigned nvcpu, const char *machine, const struct ioreq_opts *extra)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->sim = ioreq_sim_create(7, nvcpu);
	if (!r->sim || pipe(r->stop))
		return -ENOMEM;
	ioreq_sim_set_timeout(r->sim, 3000);
	rc = ioreq_simport_open(r->sim, 7, &r->sp);
	TU_CHECK(!rc, "simport_open: %d", rc);
	if (rc)
		return rc;
	rc = ti_core_open(&r->c, machine, &map_ops_sim, r->sp, &ioreq_claim_sim, r->sp, extra);
	if (!rc)
		rc = ioreq_simport_enable(r->sp);
	TU_CHECK(!rc, "enable: %d", rc);
	if (rc)
		return rc;
	r->lp = (struct ioreq_loop){ .srv = r->c.srv, .page = ioreq_simport_page(r->sp),
				     .nvcpu = nvcpu, .ops = &ioreq_port_sim, .ctx = r->sp,
				     .stop_fd = r->stop[0] };
	rc = pthread_create(&r->th, NULL, loop_main, r);
	r->running = !rc;
	return rc;
}

void ti_rig_stop_loop(struct ti_rig *r)
{
	if (!r->running)
		return;
	if (write(r->stop[1], "x", 1) != 1)
		abort();
	pthread_join(r->th, NULL);
	r->running = false;
}

void ti_rig_close(struct ti_rig *r, struct ioreq_sim_state *after)
{
	ti_rig_stop_loop(r);
	if (r->sp) {
		ioreq_simport_disable(r->sp);
		if (r->c.srv)
			ioreq_server_unclaim(r->c.srv);
		ioreq_simport_close(r->sp);
	}
	if (after && r->sim)
		ioreq_sim_state(r->sim, after);
	ti_core_close(&r->c);
	ioreq_sim_destroy(r->sim);
	close(r->stop[0]);
	close(r->stop[1]);
	memset(r, 0, sizeof(*r));
}

uint32_t ti_conf1_read(struct ioreq_sim *sim, unsigned v, uint8_t bus, uint8_t dev, uint8_t fn,
		       unsigned reg, unsigned size)
{
	uint32_t a = TI_CF8(bus, dev, fn, reg & 0xfc), val = 0;

	TI_EQ(ioreq_sim_pio(sim, v, true, 0xcf8, 4, &a), 0);
	TI_EQ(ioreq_sim_pio(sim, v, false, (uint16_t)(0xcfc + (reg & 3)), size, &val), 0);
	return val;
}

void ti_conf1_write(struct ioreq_sim *sim, unsigned v, uint8_t bus, uint8_t dev, uint8_t fn,
		    unsigned reg, unsigned size, uint32_t val)
{
	uint32_t a = TI_CF8(bus, dev, fn, reg & 0xfc);

	TI_EQ(ioreq_sim_pio(sim, v, true, 0xcf8, 4, &a), 0);
	TI_EQ(ioreq_sim_pio(sim, v, true, (uint16_t)(0xcfc + (reg & 3)), size, &val), 0);
}

static bool clean(const struct ioreq_sim_state *st)
{
	return !st->servers && !st->enabled && !st->pages && !st->handles && !st->bound &&
	       !st->p2m_pages && !st->iomem_perm_pages && !st->io_perm_ports && !st->io_mapped_ports &&
	       !st->nonidentity && !st->double_maps && !st->bad_unmaps;
}

#define TI_CLEAN(st)                                                                              \
	TU_CHECK(clean(&(st)),                                                                    \
		 "left behind: servers %u enabled %u pages %u handles %u bound %u p2m %llu iomem %llu " \
		 "ioperm %llu iomap %llu nonidentity %lu double %lu bad_unmap %lu",                \
		 (st).servers, (st).enabled, (st).pages, (st).handles, (st).bound,                 \
		 (unsigned long long)(st).p2m_pages, (unsigned long long)(st).iomem_perm_pages,     \
		 (unsigned long long)(st).io_perm_ports, (unsigned long long)(st).io_mapped_ports,  \
		 (st).nonidentity, (st).double_maps, (st).bad_unmaps)

/* ------------------------------------------------------------------ */
/* The simulated hypervisor                                            */

static void test_sim_page_abi(void)
{
	struct ioreq_sim *sim = ioreq_sim_create(3, 4);
	struct shared_iopage *page;
	uint16_t id;

	TI_EQ(ioreq_sim_server_create(sim, 0, 0, &id), -EPERM); /* dm_op on oneself */
	TI_EQ(ioreq_sim_server_create(sim, 4, 0, &id), -ESRCH);
	TI_EQ(ioreq_sim_server_create(sim, 3, 1, &id), -EOPNOTSUPP);
	TI_EQ(ioreq_sim_server_create(sim, 3, 0, &id), 0);
	TI_EQ(ioreq_sim_server_page(sim, 3, id, 0, 1, &page), -EINVAL); /* frame 0: bufioreq */
	TI_EQ(ioreq_sim_server_page(sim, 3, id, 1, 1, &page), 0);
	TI_EQ((uintptr_t)page % IOREQ_PAGE_SIZE, 0);
	for (unsigned v = 0; v < 4; v++) /* vp_eport is written only when enabled */
		TI_EQ(ioreq_abi_slot(page, v)->vp_eport, 0);
	TI_EQ(ioreq_sim_server_enable(sim, 3, id, true), 0);
	for (unsigned v = 0; v < 4; v++) {
		struct ioreq *s = ioreq_abi_slot(page, v);

		TI_EQ((char *)s - (char *)page, 32 * v);
		TU_CHECK(s->vp_eport != 0, "vcpu %u has no port", v);
		TI_EQ(ioreq_abi_state(s), STATE_IOREQ_NONE);
	}
	TI_EQ(ioreq_sim_claim(sim, 3, id, IOREQ_CLAIM_PORT, 0xcf8, 0xcff, true), 0);
	TI_EQ(ioreq_sim_claim(sim, 3, id, IOREQ_CLAIM_PORT, 0xcfc, 0xcfc, true), -EEXIST);
	TI_EQ(ioreq_sim_claim(sim, 3, id, IOREQ_CLAIM_PORT, 0xcf0, 0xcf0, false), -ENOENT);
	TI_EQ(ioreq_sim_memory_mapping(sim, 3, 0x100, 0x100, 1, true), -EPERM); /* no permission */
	TI_EQ(ioreq_sim_server_unpage(sim, 3, id), 0);
	TI_EQ(ioreq_sim_server_destroy(sim, 3, id), 0);
	ioreq_sim_destroy(sim);
}

static void test_sim_routing(void)
{
	struct ti_rig r;
	uint32_t v = 0;
	uint64_t v64 = 0;

	if (ti_rig_start(&r, 2, ti_machine_text(), NULL))
		goto out;
	TI_EQ(ti_conf1_read(r.sim, 0, 0, 2, 0, 0, 4), 0x10d38086);
	TI_EQ(ti_conf1_read(r.sim, 1, 1, 0, 0, 2, 2), 0x8168);
	/* unclaimed SBDF: Xen answers all ones itself, the server never sees it */
	TI_EQ(ti_conf1_read(r.sim, 0, 0, 3, 0, 0, 4), 0xffffffff);
	/* cfc with the enable bit clear arrives as port I/O */
	TI_EQ(ioreq_sim_pio(r.sim, 0, true, 0xcf8, 4, &v), 0);
	TI_EQ(ioreq_sim_pio(r.sim, 0, false, 0xcfc, 4, &v), 0);
	TI_EQ(v, 0xffffffff);
	/* ECAM and pre-decoded */
	TI_EQ(ioreq_sim_mmio(r.sim, 1, false, TI_ECAM_ADDR(1, 0, 0, 0), 4, &v64), 0);
	TI_EQ(v64, 0x816810ec);
	TI_EQ(ioreq_sim_cfg(r.sim, 0, false, 0x10, 0, 4, &v), 0);
	TI_EQ(v, 0x10d38086);
	/* an address nobody claimed */
	TI_EQ(ioreq_sim_mmio(r.sim, 1, false, 0xc0000000, 4, &v64), 0);
	TI_EQ(v64, 0xffffffff);
	TU_STREQ(ti_core_rec(&r.c), "compare sizing map unmap move renumber refuse warn\n"
				    "pio w 0xcf8 4 0x80001000\n"
				    "cfg r 0000:00:02.0 0x0 4 0x10d38086\n"
				    "pio w 0xcf8 4 0x80010000\n"
				    "cfg r 0000:01:00.0 0x2 2 0x8168\n"
				    "pio w 0xcf8 4 0x80001800\n"
				    "pio w 0xcf8 4 0x0\n"
				    "pio r 0xcfc 4 0xffffffff\n"
				    "mmio r 0xb0100000 4 0x816810ec\n"
				    "cfg r 0000:00:02.0 0x0 4 0x10d38086\n");
out:
	ti_rig_close(&r, NULL);
}

/*
 * --leave-ports (an HVM guest, whose device model owns 0xcf8-0xcff): no port
 * is claimed, yet Xen's own latch still routes 0xcfc accesses for our SBDFs
 * to us as pre-decoded requests; the latch itself, 0xcf9 and data cycles
 * with the enable bit clear never reach the server.
 */
static void test_sim_leave_ports(void)
{
	struct ioreq_opts o = { .leave_ports = true };
	struct ti_rig r;
	uint32_t v = 0x80001000;
	char d[512];

	if (ti_rig_start(&r, 1, ti_machine_text(), &o))
		goto out;
	TI_EQ(ioreq_server_describe(r.c.srv, d, sizeof(d)), 0);
	TU_CHECK(strstr(d, "no ports") && !strstr(d, " ports 0x"), "%s", d);
	TI_EQ(ti_conf1_read(r.sim, 0, 0, 2, 0, 0, 4), 0x10d38086);
	TI_EQ(ti_conf1_read(r.sim, 0, 1, 0, 0, 2, 2), 0x8168);
	/* the latch read back and the reset register belong to the device model */
	TI_EQ(ioreq_sim_pio(r.sim, 0, false, 0xcf8, 4, &v), 0);
	TI_EQ(v, 0xffffffff);
	v = 0x06;
	TI_EQ(ioreq_sim_pio(r.sim, 0, true, 0xcf9, 1, &v), 0);
	v = 0;
	TI_EQ(ioreq_sim_pio(r.sim, 0, true, 0xcf8, 4, &v), 0);
	TI_EQ(ioreq_sim_pio(r.sim, 0, false, 0xcfc, 4, &v), 0);
	TI_EQ(v, 0xffffffff);
	TU_STREQ(ti_core_rec(&r.c), "compare sizing map unmap move renumber refuse warn\n"
				    "cfg r 0000:00:02.0 0x0 4 0x10d38086\n"
				    "cfg r 0000:01:00.0 0x2 2 0x8168\n");
out:
	ti_rig_close(&r, NULL);
}

static void test_sim_renumber_seen_by_guest(void)
{
	struct ti_rig r;

	if (ti_rig_start(&r, 1, ti_machine_text(), NULL))
		goto out;
	TI_EQ(ti_conf1_read(r.sim, 0, 1, 0, 0, 0, 4), 0x816810ec);
	ti_conf1_write(r.sim, 0, 0, 0x1c, 0, 0x18, 4, 0x00090900);
	TI_EQ(ti_conf1_read(r.sim, 0, 9, 0, 0, 0, 4), 0x816810ec);
	TI_EQ(ti_conf1_read(r.sim, 0, 1, 0, 0, 0, 4), 0xffffffff);
	TU_CHECK(strstr(ti_core_out(&r.c), "renumber 0000:00:1c.0 secondary 01->09 subordinate 01->09"),
		 "%s", ti_core_out(&r.c));
out:
	ti_rig_close(&r, NULL);
}

static void test_sim_mapping_seen_by_guest(void)
{
	struct ti_rig r;
	struct ioreq_sim_state st;
	uint64_t v64 = 0;
	uint32_t v = 0;

	if (ti_rig_start(&r, 2, ti_machine_text(), NULL))
		goto out;
	TI_EQ(ioreq_sim_mmio(r.sim, 0, false, 0xe8000010, 4, &v64), 0);
	TI_EQ(v64, 0xffffffff); /* not mapped yet */
	ti_conf1_write(r.sim, 1, 0, 2, 0, 4, 2, 0x3); /* memory and I/O decode on */
	TI_EQ(ioreq_sim_mmio(r.sim, 0, false, 0xe8000010, 4, &v64), 0);
	TI_EQ(v64, IOREQ_SIM_MEM_MARK(0xe8000010));
	TI_EQ(ioreq_sim_pio(r.sim, 0, false, 0xd004, 2, &v), 0);
	TI_EQ(v, IOREQ_SIM_IO_MARK(0xd004) & 0xffff);
	ioreq_sim_state(r.sim, &st);
	TI_EQ(st.p2m_pages, 0x20);
	TI_EQ(st.iomem_perm_pages, 0x20);
	TI_EQ(st.io_mapped_ports, 0x20);
	TI_EQ(st.nonidentity, 0);
	/* move BAR0 with decode on: unmap old, map new */
	ti_conf1_write(r.sim, 1, 0, 2, 0, 0x10, 4, 0xe8100000);
	TI_EQ(ioreq_sim_mmio(r.sim, 0, false, 0xe8000010, 4, &v64), 0);
	TI_EQ(v64, 0xffffffff);
	TI_EQ(ioreq_sim_mmio(r.sim, 0, false, 0xe8100010, 4, &v64), 0);
	TI_EQ(v64, IOREQ_SIM_MEM_MARK(0xe8100010));
	ioreq_sim_state(r.sim, &st);
	TI_EQ(st.p2m_pages, 0x20);
	ti_rig_close(&r, &st);
	TI_CLEAN(st);
	return;
out:
	ti_rig_close(&r, NULL);
}

struct hammer {
	struct ioreq_sim *sim;
	unsigned vcpu, n, bad, failed;
};

static void *hammer_main(void *arg)
{
	struct hammer *h = arg;
	static const struct { uint32_t sbdf, id; } dev[] = {
		{ 0x000, 0x29c08086 }, { 0x010, 0x10d38086 }, { 0x0e0, 0xa1108086 }, { 0x100, 0x816810ec },
	};

	for (unsigned i = 0; i < h->n; i++) {
		unsigned k = (i + h->vcpu) % 4;
		uint32_t v = 0;
		uint64_t v64 = 0;
		int rc;

		if (i & 1) {
			rc = ioreq_sim_cfg(h->sim, h->vcpu, false, dev[k].sbdf, 0, 4, &v);
		} else {
			rc = ioreq_sim_mmio(h->sim, h->vcpu, false, TI_ECAM + ((uint64_t)dev[k].sbdf << 12),
					    4, &v64);
			v = (uint32_t)v64;
		}
		h->failed += rc != 0;
		h->bad += v != dev[k].id;
	}
	return NULL;
}

static void test_sim_many_vcpus(void)
{
	enum { NV = 8, N = 1500 };
	struct hammer h[NV];
	pthread_t th[NV];
	struct ti_rig r;
	struct ioreq_sim_state st;
	unsigned bad = 0, failed = 0;

	if (ti_rig_start(&r, NV, ti_machine_text(), NULL))
		goto out;
	for (unsigned v = 0; v < NV; v++) {
		h[v] = (struct hammer){ r.sim, v, N, 0, 0 };
		pthread_create(&th[v], NULL, hammer_main, &h[v]);
	}
	for (unsigned v = 0; v < NV; v++) {
		pthread_join(th[v], NULL);
		bad += h[v].bad;
		failed += h[v].failed;
	}
	TI_EQ(failed, 0);
	TI_EQ(bad, 0);
	TI_EQ(ioreq_server_stats(r.c.srv)->accesses, NV * N);
	ioreq_sim_state(r.sim, &st);
	TI_EQ(st.timeouts, 0);
	TI_EQ(st.lost_events, 0);
out:
	ti_rig_close(&r, NULL);
}

static void test_sim_malformed(void)
{
	struct ti_rig r;
	struct {
		struct ioreq q;
		uint64_t want;
	} k[] = {
		{ ti_req(IOREQ_TYPE_PIO, false, 0xcfc, 4, 0x5000), 0x5000 },  /* data_is_ptr */
		{ ti_req(IOREQ_TYPE_PIO, false, 0xcfc, 2, 0), 0xffff },       /* count 4 */
		{ ti_req(IOREQ_TYPE_COPY, false, TI_ECAM, 8, 0), ~0ULL },
		{ ti_req(IOREQ_TYPE_COPY, false, TI_ECAM, 0, 9), ~0ULL },
		{ ti_req(IOREQ_TYPE_PCI_CONFIG, false, 0x10ULL << 32 | 0x1000, 4, 0), 0xffffffff },
		{ ti_req(IOREQ_TYPE_TIMEOFFSET, true, 0, 8, 42), 42 },
		{ ti_req(0x7f, false, 0, 1, 0), 0xff },
		{ ti_req(IOREQ_TYPE_INVALIDATE, true, 0, 4, ~0ULL), ~0ULL },
	};
	uint64_t data;

	if (ti_rig_start(&r, 2, ti_machine_text(), NULL))
		goto out;
	k[0].q.data_is_ptr = 1;
	k[1].q.count = 4;
	for (size_t i = 0; i < VT_ARRAY_SIZE(k); i++) {
		data = 0x1111;
		TI_EQ(ioreq_sim_raw(r.sim, i & 1, &k[i].q, &data), 0);
		TU_CHECK(data == k[i].want, "case %zu: 0x%llx want 0x%llx", i, (unsigned long long)data,
			 (unsigned long long)k[i].want);
	}
	TI_EQ(ioreq_server_stats(r.c.srv)->refused, 7);
	TI_EQ(ioreq_server_stats(r.c.srv)->invalidates, 1);
	TI_EQ(ioreq_sim_invalidate(r.sim, 1), 0);
	TI_EQ(ioreq_server_stats(r.c.srv)->invalidates, 2);
	TI_EQ(ti_conf1_read(r.sim, 0, 0, 2, 0, 0, 2), 0x8086); /* still serving */
out:
	ti_rig_close(&r, NULL);
}

static void test_sim_spurious_kick(void)
{
	struct ti_rig r;

	if (ti_rig_start(&r, 2, ti_machine_text(), NULL))
		goto out;
	TI_EQ(ioreq_sim_kick(r.sim, 1), 0);
	TI_EQ(ti_conf1_read(r.sim, 1, 0, 2, 0, 0, 2), 0x8086);
	TI_EQ(ti_conf1_read(r.sim, 0, 0, 2, 0, 0, 2), 0x8086);
	ti_rig_stop_loop(&r);
	TI_EQ(ioreq_server_stats(r.c.srv)->not_ready, 1);
	TI_EQ(r.loop_rc, 0);
out:
	ti_rig_close(&r, NULL);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The server stops answering: the vCPU gives up after its timeout, nothing hangs. */
static void test_sim_no_answer(void)
{
	struct ti_rig r;
	struct ioreq_sim_state st;
	struct timespec t0;
	uint32_t v = 0;

	if (ti_rig_start(&r, 2, ti_machine_text(), NULL))
		goto out;
	ti_rig_stop_loop(&r);
	ioreq_sim_set_timeout(r.sim, 200);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	TI_EQ(ioreq_sim_cfg(r.sim, 0, false, 0x10, 0, 4, &v), -ETIMEDOUT);
	TU_CHECK(ms_since(&t0) < 2000, "took %ld ms", ms_since(&t0));
	TI_EQ(ioreq_sim_cfg(r.sim, 0, false, 0x10, 0, 4, &v), -EBUSY); /* that vCPU is stuck */
	ioreq_sim_state(r.sim, &st);
	TI_EQ(st.timeouts, 1);
	/* unclaimed accesses never need the server */
	TI_EQ(ioreq_sim_cfg(r.sim, 1, false, 0x18, 0, 4, &v), 0);
	TI_EQ(v, 0xffffffff);
out:
	ti_rig_close(&r, NULL);
}

struct one_read {
	struct ioreq_sim *sim;
	uint32_t v;
	int rc;
};

static void *one_read_main(void *arg)
{
	struct one_read *o = arg;

	o->rc = ioreq_sim_cfg(o->sim, 0, false, 0x10, 0, 4, &o->v);
	return NULL;
}

/* A notification before the port is bound is lost (Xen: ECS_UNBOUND); the scan after binding answers it. */
static void test_sim_lost_event_scan(void)
{
	struct ioreq_sim *sim = ioreq_sim_create(2, 1);
	struct ti_core c;
	struct ioreq_simport *sp = NULL;
	struct ioreq_sim_state st;
	struct ioreq_loop lp;
	struct one_read o = { .sim = sim };
	pthread_t th;
	uint16_t id = 0;

	TI_EQ(ioreq_simport_open(sim, 2, &sp), 0);
	if (ti_core_open(&c, ti_machine_text(), &map_ops_sim, sp, &ioreq_claim_sim, sp, NULL))
		return;
	/* enable without binding: what simport_enable does, minus the bind */
	TI_EQ(ioreq_sim_server_enable(sim, 2, id, true), 0);
	pthread_create(&th, NULL, one_read_main, &o);
	for (int i = 0; i < 200; i++) {
		ioreq_sim_state(sim, &st);
		if (st.lost_events)
			break;
		usleep(5000);
	}
	TI_EQ(st.lost_events, 1);
	TI_EQ(ioreq_simport_enable(sp), 0);
	lp = (struct ioreq_loop){ .srv = c.srv, .page = ioreq_simport_page(sp), .nvcpu = 1,
				  .ops = &ioreq_port_sim, .ctx = sp, .stop_fd = -1 };
	TI_EQ(ioreq_loop_scan(&lp), 0);
	pthread_join(th, NULL);
	TI_EQ(o.rc, 0);
	TI_EQ(o.v, 0x10d38086);
	ioreq_simport_disable(sp);
	ioreq_server_unclaim(c.srv);
	ioreq_simport_close(sp);
	ti_core_close(&c);
	ioreq_sim_state(sim, &st);
	TI_CLEAN(st);
	ioreq_sim_destroy(sim);
}

CU_TestInfo ti_sim_tests[] = {
	{ "page layout, states, Xen's errors", test_sim_page_abi },
	{ "routing: cf8 latch, PCI_CONFIG, unclaimed", test_sim_routing },
	{ "--leave-ports: Xen latches 0xcf8, the rest is the device model's", test_sim_leave_ports },
	{ "guest sees renumbered devices", test_sim_renumber_seen_by_guest },
	{ "guest reaches 1:1 mappings; teardown clean", test_sim_mapping_seen_by_guest },
	{ "8 vCPUs concurrently, 12000 reads", test_sim_many_vcpus },
	{ "malformed requests answered", test_sim_malformed },
	{ "spurious notification", test_sim_spurious_kick },
	{ "no answer: vCPU times out, no hang", test_sim_no_answer },
	{ "lost notification, scan after bind", test_sim_lost_event_scan },
	CU_TEST_INFO_NULL,
};

/* ------------------------------------------------------------------ */
/* The trace-driven guest                                              */

/* A small trace: program 00:02.0's BARs and decode, size BAR0, read IDs over ECAM. */
static size_t trace_accesses(struct ioreq_sim_access *a, size_t max)
{
	static const char *const lines[] = {
		"pio w 0xcf8 4 0x80001010", "pio w 0xcfc 4 0xffffffff", "pio r 0xcfc 4 0xfffe0000",
		"pio w 0xcfc 4 0xe8000000", "pio r 0xcfc 4 0xe8000000",
		"mmio r 0xb0000000 4 0x29c08086", "mmio r 0xb0010000 4 0x10d38086",
		"cfg r 0000:00:1c.0 0x0 4 0xa1108086", "mmio r 0xb0100000 4 0x816810ec",
		"pio w 0xcf8 4 0x80001004", "pio w 0xcfc 2 0x2", "pio r 0xcfc 2 0x2",
		"mmio r 0xb0010004 2 0x2", "cfg r 0000:00:02.0 0x10 4 0xe8000000",
		"mmio r 0xb0000000 2 0x8086", "mmio r 0xb0100002 2 0x8168",
		"mmio w 0xb0010004 2 0x0", "mmio r 0xb0010004 2 0x0",
		"pio w 0xcf8 4 0x80001800", "pio r 0xcfc 4 0xffffffff",
	};
	size_t n = 0;

	for (int rep = 0; rep < 40; rep++)
		for (size_t i = 0; i < VT_ARRAY_SIZE(lines) && n < max; i++) {
			char buf[128];
			struct vt_err err;

			snprintf(buf, sizeof(buf), "%s", lines[i]);
			if (vt_trace_parse(buf, "t", i + 1, &a[n].rec, &err))
				abort();
			a[n++].line = i + 1;
		}
	return n;
}

static void test_trace_vcpus(void)
{
	static struct ioreq_sim_access acc[1000];
	size_t n = trace_accesses(acc, VT_ARRAY_SIZE(acc));
	char first[4096] = "";

	for (unsigned nv = 1; nv <= 8; nv *= 2) {
		struct ioreq_sim_guest *g = NULL;
		struct ioreq_sim_result res = { 0 };
		struct ti_rig r;
		const char *out;

		if (ti_rig_start(&r, nv, ti_machine_text(), NULL)) {
			ti_rig_close(&r, NULL);
			return;
		}
		TI_EQ(ioreq_sim_guest_start(r.sim, acc, n, nv, -1, stderr, &g), 0);
		ioreq_sim_guest_join(g, &res);
		TI_EQ(res.done, n);
		TI_EQ(res.mismatches, 0);
		TI_EQ(res.errors, 0);
		out = ti_core_out(&r.c);
		TI_EQ(ti_count(out, ": sizing 0000:00:02.0 bar0"), 40);
		TI_EQ(ti_count(out, ": map 0000:00:02.0 bar0 mem 0xe8000000-0xe801ffff"), 40);
		TI_EQ(ti_count(out, ": unmap 0000:00:02.0 bar0 mem 0xe8000000-0xe801ffff"), 40);
		if (!first[0])
			snprintf(first, sizeof(first), "%s", ti_core_rec(&r.c));
		ti_rig_close(&r, NULL);
	}
}

/* A trace whose reads disagree, and a server that goes away mid-run. */
static void test_trace_mismatch_and_abort(void)
{
	struct ioreq_sim_access acc[3];
	struct ioreq_sim_guest *g = NULL;
	struct ioreq_sim_result res = { 0 };
	struct vt_err err;
	struct ti_rig r;
	char l0[] = "cfg r 0000:00:02.0 0x0 2 0x1234", l1[] = "cfg r 0000:00:02.0 0x2 2 0x10d3",
	     l2[] = "cfg r 0000:00:1c.0 0x0 2 0x8086";

	vt_trace_parse(l0, "t", 1, &acc[0].rec, &err);
	vt_trace_parse(l1, "t", 2, &acc[1].rec, &err);
	vt_trace_parse(l2, "t", 3, &acc[2].rec, &err);
	for (unsigned i = 0; i < 3; i++)
		acc[i].line = i + 1;
	if (ti_rig_start(&r, 2, ti_machine_text(), NULL))
		goto out;
	TI_EQ(ioreq_sim_guest_start(r.sim, acc, 3, 2, -1, stderr, &g), 0);
	ioreq_sim_guest_join(g, &res);
	TI_EQ(res.mismatches, 1);
	TI_EQ(res.done, 3);
	ti_rig_stop_loop(&r);
	ioreq_sim_set_timeout(r.sim, 100);
	TI_EQ(ioreq_sim_guest_start(r.sim, acc, 3, 2, -1, NULL, &g), 0);
	ioreq_sim_guest_join(g, &res);
	TU_CHECK(res.errors >= 1 && res.done == 0, "errors %lu done %lu", res.errors, res.done);
out:
	ti_rig_close(&r, NULL);
}

CU_TestInfo ti_trace_tests[] = {
	{ "800 accesses on 1, 2, 4, 8 vCPUs", test_trace_vcpus },
	{ "mismatches counted; dead server: errors, no hang", test_trace_mismatch_and_abort },
	CU_TEST_INFO_NULL,
};
