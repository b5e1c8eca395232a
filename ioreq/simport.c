/*
 * ioreq/simport.c - the server's side of the simulated hypervisor without
 * any Xen library: what `vpcitrap serve --sim` runs on, on every build.
 * Step for step what ioreq/xen.c does on Xen (same calls, same order), so
 * the sim's call log reads the same for both.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>

#include "sim.h"

struct ioreq_simport {
	struct ioreq_sim *sim;
	uint16_t domid, id;
	unsigned nvcpu;
	struct shared_iopage *page;
	struct ioreq_sim_evtchn *h;
	int *local;                /* bound local port per vCPU, -1: none */
	bool created, enabled;
	struct ioreq_rs mapped[2]; /* by enum vt_space: what map_ops_sim mapped */
};

int ioreq_simport_open(struct ioreq_sim *sim, uint16_t domid, struct ioreq_simport **out)
{
	struct ioreq_simport *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	p->sim = sim;
	p->domid = domid;
	ioreq_rs_init(&p->mapped[0], 0);
	ioreq_rs_init(&p->mapped[1], 0);
	rc = ioreq_sim_domain_info(sim, domid, &p->nvcpu);
	p->local = rc ? NULL : malloc(p->nvcpu * sizeof(*p->local));
	if (!rc && !p->local)
		rc = -ENOMEM;
	for (unsigned v = 0; !rc && v < p->nvcpu; v++)
		p->local[v] = -1;
	if (!rc)
		rc = ioreq_sim_server_create(sim, domid, 0, &p->id);
	p->created = !rc;
	if (!rc)
		rc = ioreq_sim_server_page(sim, domid, p->id, 1, 1, &p->page);
	if (!rc) {
		p->h = ioreq_sim_evtchn_open(sim);
		rc = p->h ? 0 : -ENOMEM;
	}
	if (rc) {
		ioreq_simport_close(p);
		return rc;
	}
	*out = p;
	return 0;
}

int ioreq_simport_enable(struct ioreq_simport *p)
{
	int rc = ioreq_sim_server_enable(p->sim, p->domid, p->id, true);

	p->enabled = !rc;
	for (unsigned v = 0; !rc && v < p->nvcpu; v++) {
		rc = ioreq_sim_evtchn_bind(p->h, p->domid, ioreq_abi_slot(p->page, v)->vp_eport);
		p->local[v] = rc;
		rc = rc < 0 ? rc : 0;
	}
	return rc;
}

struct shared_iopage *ioreq_simport_page(const struct ioreq_simport *p)
{
	return p->page;
}

unsigned ioreq_simport_nvcpu(const struct ioreq_simport *p)
{
	return p->nvcpu;
}

void ioreq_simport_disable(struct ioreq_simport *p)
{
	for (unsigned v = 0; p->local && v < p->nvcpu; v++) {
		if (p->local[v] >= 0)
			ioreq_sim_evtchn_unbind(p->h, (uint32_t)p->local[v]);
		p->local[v] = -1;
	}
	if (p->enabled)
		ioreq_sim_server_enable(p->sim, p->domid, p->id, false);
	p->enabled = false;
}

static int simport_unmap(void *ctx, enum vt_space space, uint64_t first, uint64_t nr);

void ioreq_simport_close(struct ioreq_simport *p)
{
	if (!p)
		return;
	ioreq_simport_disable(p);
	for (int sp = 0; sp < 2; sp++)
		while (p->mapped[sp].n) {
			const struct vt_range r = p->mapped[sp].r[0];

			if (simport_unmap(p, (enum vt_space)sp, r.base, r.last - r.base + 1))
				ioreq_rs_remove(&p->mapped[sp], r.base, r.last); /* reported; go on */
		}
	if (p->page)
		ioreq_sim_server_unpage(p->sim, p->domid, p->id);
	if (p->created)
		ioreq_sim_server_destroy(p->sim, p->domid, p->id);
	ioreq_sim_evtchn_close(p->h);
	ioreq_rs_free(&p->mapped[0]);
	ioreq_rs_free(&p->mapped[1]);
	free(p->local);
	free(p);
}

/* ---- claims ---- */

static int simport_pcidev(void *ctx, uint32_t sbdf, bool map)
{
	struct ioreq_simport *p = ctx;

	return ioreq_sim_claim(p->sim, p->domid, p->id, IOREQ_CLAIM_PCI, sbdf, sbdf, map);
}

static int simport_claim(void *ctx, enum ioreq_claim_kind kind, uint64_t first, uint64_t last,
			 bool map)
{
	struct ioreq_simport *p = ctx;

	if (kind == IOREQ_CLAIM_PCI)
		return ioreq_claim_pci_each(first, last, map, simport_pcidev, p);
	return ioreq_sim_claim(p->sim, p->domid, p->id, kind, first, last, map);
}

static int simport_claim_map(void *ctx, enum ioreq_claim_kind kind, uint64_t first, uint64_t last)
{
	return simport_claim(ctx, kind, first, last, true);
}

static int simport_claim_unmap(void *ctx, enum ioreq_claim_kind kind, uint64_t first, uint64_t last)
{
	return simport_claim(ctx, kind, first, last, false);
}

const struct ioreq_claim_ops ioreq_claim_sim = {
	.name = "sim",
	.map = simport_claim_map,
	.unmap = simport_claim_unmap,
};

/* ---- 1:1 mappings: permission first, then the mapping; removal in reverse ---- */

static int simport_map(void *ctx, enum vt_space space, uint64_t first, uint64_t nr)
{
	struct ioreq_simport *p = ctx;
	int rc;

	if (space == VT_SPACE_MEM) {
		rc = ioreq_sim_iomem_permission(p->sim, p->domid, first, nr, true);
		if (!rc && (rc = ioreq_sim_memory_mapping(p->sim, p->domid, first, first, nr, true)))
			ioreq_sim_iomem_permission(p->sim, p->domid, first, nr, false);
	} else {
		rc = ioreq_sim_ioport_permission(p->sim, p->domid, (uint32_t)first, (uint32_t)nr, true);
		if (!rc && (rc = ioreq_sim_ioport_mapping(p->sim, p->domid, (uint32_t)first,
							  (uint32_t)first, (uint32_t)nr, true)))
			ioreq_sim_ioport_permission(p->sim, p->domid, (uint32_t)first, (uint32_t)nr,
						    false);
	}
	return rc ? rc : ioreq_rs_add(&p->mapped[space], first, first + nr - 1);
}

static int simport_unmap(void *ctx, enum vt_space space, uint64_t first, uint64_t nr)
{
	struct ioreq_simport *p = ctx;
	int rc;

	if (space == VT_SPACE_MEM) {
		rc = ioreq_sim_memory_mapping(p->sim, p->domid, first, first, nr, false);
		if (!rc)
			rc = ioreq_sim_iomem_permission(p->sim, p->domid, first, nr, false);
	} else {
		rc = ioreq_sim_ioport_mapping(p->sim, p->domid, (uint32_t)first, (uint32_t)first,
					      (uint32_t)nr, false);
		if (!rc)
			rc = ioreq_sim_ioport_permission(p->sim, p->domid, (uint32_t)first,
							 (uint32_t)nr, false);
	}
	return rc ? rc : ioreq_rs_remove(&p->mapped[space], first, first + nr - 1);
}

const struct map_ops map_ops_sim = {
	.name = "sim",
	.map = simport_map,
	.unmap = simport_unmap,
	.max_nr = 0,
};

/* ---- notifications ---- */

static int simport_fd(void *ctx)
{
	return ioreq_sim_evtchn_fd(((struct ioreq_simport *)ctx)->h);
}

static int simport_pending(void *ctx, unsigned *vcpu)
{
	struct ioreq_simport *p = ctx;
	int port = ioreq_sim_evtchn_pending(p->h);

	if (port < 0)
		return port;
	ioreq_sim_evtchn_unmask(p->h, (uint32_t)port);
	for (unsigned v = 0; v < p->nvcpu; v++) {
		if (p->local[v] == port) {
			*vcpu = v;
			return 0;
		}
	}
	return -EAGAIN;
}

static int simport_notify(void *ctx, unsigned vcpu)
{
	struct ioreq_simport *p = ctx;

	return ioreq_sim_evtchn_notify(p->h, (uint32_t)p->local[vcpu]);
}

const struct ioreq_port_ops ioreq_port_sim = {
	.fd = simport_fd,
	.pending = simport_pending,
	.notify = simport_notify,
};
