/*
 * ioreq/sim_guest.c - the guest side of the simulated hypervisor: what
 * Xen does when a vCPU touches a port or a frame.
 *
 * Routing, as in Xen 4.17 (xen/arch/x86/hvm/io.c, ioreq.c):
 *  1. A 1:1 mapped frame (p2m_mmio_direct) or port (g2m_ioport, handled
 *     by an internal intercept) reaches the device, before any server.
 *  2. hvm_access_cf8: a 4-byte write to 0xcf8 latches d->arch.hvm.pci_cf8
 *     and falls through to the servers.
 *  3. arch_ioreq_server_get_type_addr: a 0xcfc-0xcff access while the latch
 *     has the enable bit becomes a PCI access for SBDF (cf8 >> 8) & 0xffff,
 *     register (cf8 & 0xfc) | (port & 3); the server that claimed the SBDF
 *     gets IOREQ_TYPE_PCI_CONFIG with addr = SBDF << 32 | reg. Nobody
 *     claimed it: no server, even if one claimed port 0xcfc.
 *  4. Otherwise the server whose port/memory range holds the whole access.
 *  5. No server: reads all ones, writes are dropped.
 * Sending: fill the slot, write barrier, STATE_IOREQ_READY, notify the
 * vCPU's port; wait for STATE_IORESP_READY, read barrier, take the data,
 * STATE_IOREQ_NONE (ioreq_send, hvm_wait_for_io, ioreq_complete).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>

#include "sim.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Wait for the answer in slot; 0 or -ETIMEDOUT. */
static int sim_wait(struct ioreq_sim *sim, unsigned v, struct ioreq *slot)
{
	long deadline = now_ms() + sim->timeout_ms;
	struct pollfd p = { .fd = sim->vcpu[v].efd, .events = POLLIN };

	for (;;) {
		eventfd_t cnt;
		long left;

		if (ioreq_abi_state(slot) == STATE_IORESP_READY)
			return 0;
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) > 0)
			eventfd_read(p.fd, &cnt);
	}
}

/* Send req to server s on vCPU v and wait; req->data gets the answer. */
static int sim_send(struct ioreq_sim *sim, unsigned v, struct sim_server *s, struct ioreq *req)
{
	struct ioreq *slot = ioreq_abi_slot(s->page, v);
	uint32_t port = s->gport[v];
	int rc;

	if (sim->vcpu[v].stuck || ioreq_abi_state(slot) != STATE_IOREQ_NONE)
		return -EBUSY;
	slot->addr = req->addr;
	slot->data = req->data;
	slot->count = req->count;
	slot->size = req->size;
	slot->data_is_ptr = req->data_is_ptr;
	slot->dir = req->dir;
	slot->df = req->df;
	slot->type = req->type;
	ioreq_abi_wmb();
	ioreq_abi_set_state(slot, STATE_IOREQ_READY);
	pthread_mutex_lock(&sim->lock);
	sim_evtchn_guest_notify(sim, port);
	pthread_mutex_unlock(&sim->lock);
	rc = sim_wait(sim, v, slot);
	if (rc) {
		sim->vcpu[v].stuck = true;
		pthread_mutex_lock(&sim->lock);
		sim->st.timeouts++;
		pthread_mutex_unlock(&sim->lock);
		ioreq_sim_logf(sim, "vcpu %u: no answer within %d ms: vcpu stuck", v, sim->timeout_ms);
		return rc;
	}
	ioreq_abi_rmb();
	req->data = slot->data;
	ioreq_abi_set_state(slot, STATE_IOREQ_NONE);
	return 0;
}

static void req_init(struct ioreq *req, unsigned type, bool write, uint64_t addr, unsigned size,
		     uint64_t data)
{
	memset(req, 0, sizeof(*req));
	req->type = (uint8_t)type;
	req->dir = write ? IOREQ_WRITE : IOREQ_READ;
	req->addr = addr;
	req->size = size;
	req->count = 1;
	req->data = write ? data : 0;
}

static uint64_t ones(unsigned size)
{
	return size < 8 ? (1ULL << (8 * size)) - 1 : ~0ULL;
}

/* Finish an access: send it if a server takes it; otherwise *val is fallback. */
static int sim_finish(struct ioreq_sim *sim, unsigned v, struct sim_server *s, struct ioreq *req,
		      uint64_t fallback, uint64_t *val)
{
	int rc;

	pthread_mutex_unlock(&sim->lock);
	if (!s) {
		if (req->dir == IOREQ_READ)
			*val = fallback;
		return 0;
	}
	rc = sim_send(sim, v, s, req);
	if (!rc && req->dir == IOREQ_READ)
		*val = req->data & ones(req->size);
	return rc;
}

static bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4;
}

int ioreq_sim_pio(struct ioreq_sim *sim, unsigned vcpu, bool write, uint16_t port, unsigned size,
		  uint32_t *val)
{
	struct sim_server *s = NULL;
	struct ioreq req;
	uint64_t v64 = write ? *val : 0;
	int rc;

	if (vcpu >= sim->nvcpu || !size_ok(size) || port + size > 0x10000)
		return -EINVAL;
	req_init(&req, IOREQ_TYPE_PIO, write, port, size, write ? *val & ones(size) : 0);
	pthread_mutex_lock(&sim->lock);
	if (ioreq_rs_contains(&sim->io_map, port, port + size - 1)) {
		pthread_mutex_unlock(&sim->lock);
		if (!write)
			*val = IOREQ_SIM_IO_MARK(port) & (uint32_t)ones(size);
		return 0;
	}
	if (write && port == 0xcf8 && size == 4)
		sim->cf8 = *val;
	if ((port & ~3u) == 0xcfc && (sim->cf8 & 0x80000000u)) {
		uint32_t sbdf = (sim->cf8 >> 8) & 0xffff;

		s = sim_server_for(sim, IOREQ_CLAIM_PCI, sbdf, sbdf);
		req.type = IOREQ_TYPE_PCI_CONFIG;
		req.addr = (uint64_t)sbdf << 32 | ((sim->cf8 & 0xfc) | (port & 3u));
	} else {
		s = sim_server_for(sim, IOREQ_CLAIM_PORT, port, port + size - 1);
	}
	rc = sim_finish(sim, vcpu, s, &req, ones(size), &v64);
	if (!write)
		*val = (uint32_t)v64;
	return rc;
}

int ioreq_sim_mmio(struct ioreq_sim *sim, unsigned vcpu, bool write, uint64_t addr, unsigned size,
		   uint64_t *val)
{
	struct sim_server *s;
	struct ioreq req;

	if (vcpu >= sim->nvcpu || (!size_ok(size) && size != 8) || addr + size - 1 < addr)
		return -EINVAL;
	req_init(&req, IOREQ_TYPE_COPY, write, addr, size, write ? *val & ones(size) : 0);
	pthread_mutex_lock(&sim->lock);
	if (ioreq_rs_contains(&sim->p2m, addr >> 12, (addr + size - 1) >> 12)) {
		pthread_mutex_unlock(&sim->lock);
		if (!write)
			*val = IOREQ_SIM_MEM_MARK(addr) & ones(size);
		return 0;
	}
	s = sim_server_for(sim, IOREQ_CLAIM_MMIO, addr, addr + size - 1);
	return sim_finish(sim, vcpu, s, &req, ones(size), val);
}

int ioreq_sim_cfg(struct ioreq_sim *sim, unsigned vcpu, bool write, uint32_t sbdf, unsigned reg,
		  unsigned size, uint32_t *val)
{
	struct sim_server *s;
	struct ioreq req;
	uint64_t v64 = 0;
	int rc;

	if (vcpu >= sim->nvcpu || !size_ok(size) || reg + size > VPCI_CFG_SIZE)
		return -EINVAL;
	req_init(&req, IOREQ_TYPE_PCI_CONFIG, write, (uint64_t)sbdf << 32 | reg, size,
		 write ? *val & ones(size) : 0);
	pthread_mutex_lock(&sim->lock);
	s = sim_server_for(sim, IOREQ_CLAIM_PCI, sbdf, sbdf);
	rc = sim_finish(sim, vcpu, s, &req, ones(size), &v64);
	if (!write)
		*val = (uint32_t)v64;
	return rc;
}

static struct sim_server *first_enabled(struct ioreq_sim *sim)
{
	for (int i = 0; i < SIM_MAX_SERVERS; i++)
		if (sim->srv[i].used && sim->srv[i].enabled)
			return &sim->srv[i];
	return NULL;
}

int ioreq_sim_raw(struct ioreq_sim *sim, unsigned vcpu, const struct ioreq *req, uint64_t *data)
{
	struct ioreq r = *req;
	struct sim_server *s;
	int rc;

	if (vcpu >= sim->nvcpu)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	s = first_enabled(sim);
	pthread_mutex_unlock(&sim->lock);
	if (!s)
		return -ENOENT;
	rc = sim_send(sim, vcpu, s, &r);
	if (!rc)
		*data = r.data;
	return rc;
}

int ioreq_sim_kick(struct ioreq_sim *sim, unsigned vcpu)
{
	struct sim_server *s;

	if (vcpu >= sim->nvcpu)
		return -EINVAL;
	pthread_mutex_lock(&sim->lock);
	s = first_enabled(sim);
	if (s)
		sim_evtchn_guest_notify(sim, s->gport[vcpu]);
	pthread_mutex_unlock(&sim->lock);
	return s ? 0 : -ENOENT;
}

int ioreq_sim_invalidate(struct ioreq_sim *sim, unsigned vcpu)
{
	int rc = 0;

	if (vcpu >= sim->nvcpu)
		return -EINVAL;
	for (int i = 0; i < SIM_MAX_SERVERS && !rc; i++) {
		struct sim_server *s = &sim->srv[i];
		struct ioreq req;
		bool on;

		pthread_mutex_lock(&sim->lock);
		on = s->used && s->enabled;
		pthread_mutex_unlock(&sim->lock);
		if (!on)
			continue;
		/* send_invalidate_ioreq(): a write of ~0, size 4, to every server. */
		req_init(&req, IOREQ_TYPE_INVALIDATE, true, 0, 4, ~0ULL);
		req.data = ~0ULL;
		rc = sim_send(sim, vcpu, s, &req);
	}
	return rc;
}
