/*
 * tests/ioreq_test.h - shared by the ioreq suites: test_ioreq.c (range
 * sets, the server core), test_ioreq_sim.c (the simulated hypervisor and
 * the request loop), test_ioreq_xen.c (the real Xen backend linked
 * against libxensim), test_ioreq_cli.c (vpcitrap serve and snapshot).
 */
#ifndef VT_IOREQ_TEST_H
#define VT_IOREQ_TEST_H

#include <pthread.h>

#include "../ioreq/abi.h"
#include "../ioreq/ioreq.h"
#include "core_util.h"

extern CU_TestInfo ti_rs_tests[], ti_core_tests[], ti_sim_tests[], ti_trace_tests[],
	ti_xen_tests[], ti_cli_tests[];

/*
 * The standard machine of these tests:
 *   00:00.0       host bridge 8086:29c0
 *   00:02.0       endpoint 8086:10d3, BAR0 mem32 128K (0xe8000000), BAR2 I/O 32 (0xd000), decode off
 *   00:1c.0       bridge 8086:a110, buses 00/01/01
 *   00:1c.0/00.0  endpoint 10ec:8168, BAR0 I/O 256 (0xe000), BAR2 mem64 4K (0xea000000)
 *   ecam 0xb0000000, buses 0x00-0x0f
 */
const char *ti_machine_text(void);
#define TI_ECAM 0xb0000000ULL
#define TI_ECAM_ADDR(bus, dev, fn, reg) \
	(TI_ECAM + ((uint64_t)(bus) << 20 | (uint64_t)(dev) << 15 | (uint64_t)(fn) << 12 | (reg)))
#define TI_CF8(bus, dev, fn, reg) \
	(0x80000000u | (uint32_t)(bus) << 16 | (uint32_t)(dev) << 11 | (uint32_t)(fn) << 8 | (reg))

/* A machine from text, finished, with the server already subscribed. */
struct ti_core {
	struct vt_events ev;
	struct vpci_machine *m;
	struct ioreq_server *srv;
	char *out, *rec;
	size_t outlen, reclen;
	FILE *outf, *recf;
};
int ti_core_open(struct ti_core *c, const char *machine, const struct map_ops *mops, void *mctx,
		 const struct ioreq_claim_ops *cops, void *cctx, const struct ioreq_opts *extra);
void ti_core_close(struct ti_core *c);
/* What the server printed / recorded so far. */
const char *ti_core_out(struct ti_core *c);
const char *ti_core_rec(struct ti_core *c);
/* A request as Xen would write it. */
struct ioreq ti_req(unsigned type, bool write, uint64_t addr, unsigned size, uint64_t data);

/* A running server over the simulated hypervisor (simport), its loop in a thread. */
struct ti_rig {
	struct ti_core c;
	struct ioreq_sim *sim;
	struct ioreq_simport *sp;
	struct ioreq_loop lp;
	pthread_t th;
	bool running;
	int loop_rc;
	int stop[2];
};
int ti_rig_start(struct ti_rig *r, unsigned nvcpu, const char *machine, const struct ioreq_opts *extra);
/* Stop the loop thread (its final scan answers what is in flight). */
void ti_rig_stop_loop(struct ti_rig *r);
/* Stop and tear down everything; returns the sim state after teardown (before destroying it). */
void ti_rig_close(struct ti_rig *r, struct ioreq_sim_state *after);

/* Guest helpers on vCPU v: type 1 config read/write through 0xcf8/0xcfc. */
uint32_t ti_conf1_read(struct ioreq_sim *sim, unsigned v, uint8_t bus, uint8_t dev, uint8_t fn,
		       unsigned reg, unsigned size);
void ti_conf1_write(struct ioreq_sim *sim, unsigned v, uint8_t bus, uint8_t dev, uint8_t fn,
		    unsigned reg, unsigned size, uint32_t val);

/* TU_EQ evaluates its arguments twice: this one once (they are calls with effects here). */
#define TI_EQ(got, want)                                                                          \
	do {                                                                                      \
		uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                             \
		tu_check(g_ == w_, __LINE__, __FILE__, "%s: got 0x%llx want 0x%llx", #got,        \
			 (unsigned long long)g_, (unsigned long long)w_);                         \
	} while (0)

/* How many times needle occurs in text. */
size_t ti_count(const char *text, const char *needle);

#endif
