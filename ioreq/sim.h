/*
 * ioreq/sim.h - the simulated hypervisor's insides (sim.c, sim_evtchn.c,
 * sim_guest.c). Private to ioreq/.
 *
 * One lock guards the tables; the shared pages are not under it: as in
 * Xen, a slot belongs to the vCPU while STATE_IOREQ_NONE/IORESP_READY and
 * to the server while READY/INPROCESS, handed over with barriers.
 */
#ifndef VT_IOREQ_SIM_H
#define VT_IOREQ_SIM_H

#include <pthread.h>

#include "abi.h"
#include "private.h"

#define SIM_MAX_SERVERS 8   /* Xen: MAX_NR_IOREQ_SERVERS */
#define SIM_MAX_BINDS   1024
#define SIM_QUEUE       1024

struct sim_server {
	bool used, enabled, page_mapped;
	uint16_t id;
	struct shared_iopage *page;      /* kept until the sim is destroyed */
	uint32_t *gport;                 /* the guest-side port of each vCPU */
	struct ioreq_rs range[IOREQ_CLAIM_KINDS];
};

struct sim_vcpu {
	int efd;                         /* the server notified this vCPU */
	bool stuck;                      /* gave up waiting: no more requests */
};

/* One interdomain binding: a handle's local port to a guest port. */
struct sim_bind {
	bool used, masked, pending;
	struct ioreq_sim_evtchn *h;
	uint32_t local, remote;
};

struct ioreq_sim_evtchn {
	struct ioreq_sim *sim;
	int efd;                         /* semaphore eventfd: one count per queued port */
	uint32_t queue[SIM_QUEUE];
	size_t head, n;
};

struct ioreq_sim {
	pthread_mutex_t lock;
	uint16_t domid;
	unsigned nvcpu;
	int timeout_ms;
	uint32_t cf8;                    /* d->arch.hvm.pci_cf8 */
	struct sim_server srv[SIM_MAX_SERVERS];
	struct sim_vcpu *vcpu;
	struct sim_bind bind[SIM_MAX_BINDS];
	uint32_t next_port;
	unsigned handles, pages;
	struct ioreq_rs iomem_perm, p2m, io_perm, io_map;
	struct ioreq_sim_state st;
	pthread_mutex_t log_lock;
	char **log;
	size_t nlog, caplog;
};

/* Under sim->lock: the enabled server claiming [first, last] of kind, or NULL. */
struct sim_server *sim_server_for(struct ioreq_sim *sim, enum ioreq_claim_kind kind, uint64_t first,
				  uint64_t last);
/* Under sim->lock: a guest port fired (the vCPU's request is READY). */
void sim_evtchn_guest_notify(struct ioreq_sim *sim, uint32_t remote);
/* Under sim->lock: forget every binding of a handle. */
void sim_evtchn_drop(struct ioreq_sim *sim, struct ioreq_sim_evtchn *h);
/* Under sim->lock: the server and vCPU owning a guest port. */
bool sim_port_owner(struct ioreq_sim *sim, uint32_t remote, struct sim_server **s, unsigned *vcpu);
int sim_dom_check(const struct ioreq_sim *sim, uint16_t domid);

#endif
