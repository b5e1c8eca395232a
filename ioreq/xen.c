/*
 * ioreq/xen.c - the Xen backend: an ioreq server for another domain, over
 * Xen 4.17's stable libraries (libxendevicemodel, libxenforeignmemory,
 * libxenevtchn) and libxenctrl for the 1:1 mappings.
 *
 * Set-up, as QEMU (xen_register_ioreq) and varstored do it, and as the lab
 * proved on 4.17.7 (shared/xenlab/REPORT.md):
 *   create_ioreq_server(HVM_IOREQSRV_BUFIOREQ_OFF)
 *   map_resource(XENMEM_resource_ioreq_server, id, frame_ioreq(0), 1 frame)
 *   claims (map_io_range / map_pcidev; ioreq_server_claim does those)
 *   set_ioreq_server_state(1)   vp_eport is written only now (ioreq_server_enable)
 *   bind_interdomain(vp_eport) per vCPU
 * Teardown in reverse. Every call's failure is returned as -errno; the
 * Xen libraries return -1 and set errno.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* xenctrl.h first: it defines __XEN_TOOLS__, which HVM_IOREQSRV_BUFIOREQ_OFF needs. */
#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xen/memory.h>

#include "abi.h"
#include "private.h"

struct ioreq_xen {
	uint16_t domid;
	ioservid_t id;
	unsigned nvcpu;
	xc_interface *xch;
	xendevicemodel_handle *dm;
	xenforeignmemory_handle *fm;
	xenevtchn_handle *xce;
	xenforeignmemory_resource_handle *fres;
	struct shared_iopage *page;
	xenevtchn_port_or_error_t *local; /* per vCPU, -1: not bound */
	bool created, enabled;
	struct ioreq_rs mapped[2];     /* by enum vt_space: what map_ops_xen mapped */
	struct ioreq_rs keep;          /* frames never unmapped: the platform's RMRRs */
};

static int xerr(void)
{
	return errno ? -errno : -EIO;
}

static int xen_handles(struct ioreq_xen *x, struct vt_err *err)
{
	x->xch = xc_interface_open(NULL, NULL, 0);
	if (!x->xch)
		return vt_errf(err, errno ? errno : EIO,
			       "cannot open the hypervisor interface (xc_interface_open): %s;"
			       " run in dom0 as root with xenfs and privcmd loaded",
			       strerror(errno ? errno : EIO));
	x->dm = xendevicemodel_open(NULL, 0);
	x->fm = x->dm ? xenforeignmemory_open(NULL, 0) : NULL;
	x->xce = x->fm ? xenevtchn_open(NULL, 0) : NULL;
	if (!x->xce)
		return vt_errf(err, errno ? errno : EIO, "cannot open %s: %s",
			       !x->dm ? "libxendevicemodel" : !x->fm ? "libxenforeignmemory"
								 : "libxenevtchn (/dev/xen/evtchn)",
			       strerror(errno ? errno : EIO));
	return 0;
}

static int xen_domain(struct ioreq_xen *x, struct vt_err *err)
{
	xc_dominfo_t info;

	memset(&info, 0, sizeof(info));
	/* xc_domain_getinfo returns the first domain >= domid: check it is ours. */
	if (xc_domain_getinfo(x->xch, x->domid, 1, &info) != 1 || info.domid != x->domid)
		return vt_errf(err, ESRCH, "domain %u does not exist", x->domid);
	if (!info.hvm)
		return vt_errf(err, EINVAL, "domain %u is PV: ioreq servers serve HVM and PVH domains",
			       x->domid);
	x->nvcpu = info.max_vcpu_id + 1;
	if (x->nvcpu > IOREQ_MAX_VCPUS)
		return vt_errf(err, E2BIG, "domain %u has %u vCPUs, one ioreq page serves %zu",
			       x->domid, x->nvcpu, (size_t)IOREQ_MAX_VCPUS);
	return 0;
}

static int xen_server(struct ioreq_xen *x, struct vt_err *err)
{
	void *addr = NULL;

	if (xendevicemodel_create_ioreq_server(x->dm, x->domid, HVM_IOREQSRV_BUFIOREQ_OFF, &x->id))
		return vt_errf(err, -xerr(), "cannot create an ioreq server for domain %u: %s%s",
			       x->domid, strerror(-xerr()),
			       x->domid == 0 ? " (a server cannot serve its own domain)" : "");
	x->created = true;
	x->fres = xenforeignmemory_map_resource(x->fm, x->domid, XENMEM_resource_ioreq_server, x->id,
						XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &addr,
						PROT_READ | PROT_WRITE, 0);
	if (!x->fres)
		return vt_errf(err, -xerr(), "cannot map the ioreq page of server %u: %s", x->id,
			       strerror(-xerr()));
	x->page = addr;
	return 0;
}

int ioreq_xen_open(uint16_t domid, struct ioreq_xen **out, struct vt_err *err)
{
	struct ioreq_xen *x = calloc(1, sizeof(*x));
	int rc;

	if (!x)
		return vt_errf(err, ENOMEM, "out of memory");
	if (domid == 0) {
		free(x);
		/* dm_op targets a remote domain (rcu_lock_remote_domain_by_id): not dom0 from dom0 */
		return vt_errf(err, EPERM, "domain 0: a server cannot serve its own domain");
	}
	x->domid = domid;
	ioreq_rs_init(&x->mapped[0], 0);
	ioreq_rs_init(&x->mapped[1], 0);
	ioreq_rs_init(&x->keep, 0);
	rc = xen_handles(x, err);
	if (!rc)
		rc = xen_domain(x, err);
	if (!rc) {
		x->local = malloc(x->nvcpu * sizeof(*x->local));
		rc = x->local ? 0 : vt_errf(err, ENOMEM, "out of memory");
		for (unsigned v = 0; !rc && v < x->nvcpu; v++)
			x->local[v] = -1;
	}
	if (!rc)
		rc = xen_server(x, err);
	if (rc) {
		ioreq_xen_close(x);
		return rc;
	}
	*out = x;
	return 0;
}

int ioreq_xen_enable(struct ioreq_xen *x, struct vt_err *err)
{
	if (xendevicemodel_set_ioreq_server_state(x->dm, x->domid, x->id, 1))
		return vt_errf(err, -xerr(), "cannot enable ioreq server %u: %s", x->id,
			       strerror(-xerr()));
	x->enabled = true;
	for (unsigned v = 0; v < x->nvcpu; v++) {
		uint32_t remote = ioreq_abi_slot(x->page, v)->vp_eport;

		x->local[v] = xenevtchn_bind_interdomain(x->xce, x->domid, remote);
		if (x->local[v] < 0)
			return vt_errf(err, -xerr(), "cannot bind vCPU %u's event channel %u: %s", v,
				       remote, strerror(-xerr()));
	}
	return 0;
}

struct shared_iopage *ioreq_xen_page(const struct ioreq_xen *x)
{
	return x->page;
}

unsigned ioreq_xen_nvcpu(const struct ioreq_xen *x)
{
	return x->nvcpu;
}

unsigned ioreq_xen_id(const struct ioreq_xen *x)
{
	return x->id;
}

int ioreq_xen_alive(struct ioreq_xen *x)
{
	xc_dominfo_t info;

	memset(&info, 0, sizeof(info));
	if (xc_domain_getinfo(x->xch, x->domid, 1, &info) != 1 || info.domid != x->domid)
		return 0;
	return !info.dying && !info.shutdown;
}

void ioreq_xen_disable(struct ioreq_xen *x)
{
	for (unsigned v = 0; x->local && v < x->nvcpu; v++) {
		if (x->local[v] >= 0 && xenevtchn_unbind(x->xce, (evtchn_port_t)x->local[v]))
			ioreq_logf(NULL, "xenevtchn_unbind(%d): %s", x->local[v], strerror(-xerr()));
		x->local[v] = -1;
	}
	if (x->enabled && xendevicemodel_set_ioreq_server_state(x->dm, x->domid, x->id, 0))
		ioreq_logf(NULL, "cannot disable ioreq server %u: %s", x->id, strerror(-xerr()));
	x->enabled = false;
}

static int xen_unmap(void *ctx, enum vt_space space, uint64_t first, uint64_t nr);

void ioreq_xen_close(struct ioreq_xen *x)
{
	if (!x)
		return;
	if (x->xce && x->dm)
		ioreq_xen_disable(x);
	/*
	 * An unmap removes the p2m entries whatever they point to: frames of the
	 * platform's RMRRs stay, even those a relaxed BAR made us map.
	 */
	for (size_t i = 0; i < x->keep.n; i++)
		ioreq_rs_remove(&x->mapped[VT_SPACE_MEM], x->keep.r[i].base, x->keep.r[i].last);
	for (int sp = 0; sp < 2; sp++)
		while (x->mapped[sp].n) {
			const struct vt_range r = x->mapped[sp].r[0];

			if (xen_unmap(x, (enum vt_space)sp, r.base, r.last - r.base + 1))
				ioreq_rs_remove(&x->mapped[sp], r.base, r.last); /* logged; go on */
		}
	if (x->fres && xenforeignmemory_unmap_resource(x->fm, x->fres))
		ioreq_logf(NULL, "cannot unmap the ioreq page: %s", strerror(-xerr()));
	if (x->created && xendevicemodel_destroy_ioreq_server(x->dm, x->domid, x->id))
		ioreq_logf(NULL, "cannot destroy ioreq server %u: %s", x->id, strerror(-xerr()));
	if (x->xce)
		xenevtchn_close(x->xce);
	if (x->fm)
		xenforeignmemory_close(x->fm);
	if (x->dm)
		xendevicemodel_close(x->dm);
	if (x->xch)
		xc_interface_close(x->xch);
	ioreq_rs_free(&x->mapped[0]);
	ioreq_rs_free(&x->mapped[1]);
	ioreq_rs_free(&x->keep);
	free(x->local);
	free(x);
}

int ioreq_xen_rdm(struct ioreq_xen *x, uint32_t sbdf, struct vt_range **out, size_t *n)
{
	struct xen_reserved_device_memory *e = NULL;
	uint32_t flags = sbdf == UINT32_MAX ? XENMEM_RDM_ALL : 0, max = 0;
	int rc;

	*out = NULL;
	*n = 0;
	/* Ask with no room first: -ENOBUFS says how many there are (as libxl does). */
	for (int tries = 0; tries < 3; tries++) {
		rc = xc_reserved_device_memory_map(x->xch, flags, VT_SBDF_SEG(sbdf), VT_SBDF_BUS(sbdf),
						   VT_SBDF_DEVFN(sbdf), e, &max);
		if (!rc || errno != ENOBUFS)
			break;
		free(e);
		e = calloc(max ? max : 1, sizeof(*e));
		if (!e)
			return -ENOMEM;
	}
	if (rc) {
		rc = xerr();
		goto out;
	}
	*out = calloc(max ? max : 1, sizeof(**out));
	if (!*out) {
		rc = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < max; i++) {
		(*out)[i].base = (uint64_t)e[i].start_pfn << VT_PAGE_SHIFT;
		(*out)[i].last = (((uint64_t)e[i].start_pfn + e[i].nr_pages) << VT_PAGE_SHIFT) - 1;
	}
	*n = max;
out:
	free(e);
	return rc;
}

/* ---- claims ---- */

static int xen_pcidev(void *ctx, uint32_t sbdf, bool map)
{
	struct ioreq_xen *x = ctx;
	int rc;

	if (map)
		rc = xendevicemodel_map_pcidev_to_ioreq_server(x->dm, x->domid, x->id,
							       VT_SBDF_SEG(sbdf), VT_SBDF_BUS(sbdf),
							       VT_SBDF_DEVFN(sbdf) >> 3,
							       VT_SBDF_DEVFN(sbdf) & 7);
	else
		rc = xendevicemodel_unmap_pcidev_from_ioreq_server(x->dm, x->domid, x->id,
								   VT_SBDF_SEG(sbdf), VT_SBDF_BUS(sbdf),
								   VT_SBDF_DEVFN(sbdf) >> 3,
								   VT_SBDF_DEVFN(sbdf) & 7);
	return rc ? xerr() : 0;
}

static int xen_claim(void *ctx, enum ioreq_claim_kind kind, uint64_t first, uint64_t last, bool map)
{
	struct ioreq_xen *x = ctx;
	int mmio = kind == IOREQ_CLAIM_MMIO, rc;

	if (kind == IOREQ_CLAIM_PCI)
		return ioreq_claim_pci_each(first, last, map, xen_pcidev, x);
	if (map)
		rc = xendevicemodel_map_io_range_to_ioreq_server(x->dm, x->domid, x->id, mmio, first,
								 last);
	else
		rc = xendevicemodel_unmap_io_range_from_ioreq_server(x->dm, x->domid, x->id, mmio,
								     first, last);
	return rc ? xerr() : 0;
}

static int xen_claim_map(void *ctx, enum ioreq_claim_kind kind, uint64_t first, uint64_t last)
{
	return xen_claim(ctx, kind, first, last, true);
}

static int xen_claim_unmap(void *ctx, enum ioreq_claim_kind kind, uint64_t first, uint64_t last)
{
	return xen_claim(ctx, kind, first, last, false);
}

const struct ioreq_claim_ops ioreq_claim_xen = {
	.name = "xen",
	.map = xen_claim_map,
	.unmap = xen_claim_unmap,
};

/*
 * ---- 1:1 mappings ----
 * XEN_DOMCTL_memory_mapping checks iomem_access_permitted() for the target
 * domain on add and on remove, so: permission, then mapping; remove the
 * mapping, then the permission. libxc splits large requests itself (it
 * halves the batch on -E2BIG), so map_ops_xen sets no max_nr.
 */
static int xen_map(void *ctx, enum vt_space space, uint64_t first, uint64_t nr)
{
	struct ioreq_xen *x = ctx;
	int rc;

	if (space == VT_SPACE_MEM) {
		rc = xc_domain_iomem_permission(x->xch, x->domid, first, nr, 1) ? xerr() : 0;
		if (!rc && xc_domain_memory_mapping(x->xch, x->domid, first, first, nr, DPCI_ADD_MAPPING)) {
			rc = xerr();
			xc_domain_iomem_permission(x->xch, x->domid, first, nr, 0);
		}
	} else {
		rc = xc_domain_ioport_permission(x->xch, x->domid, (uint32_t)first, (uint32_t)nr, 1)
			     ? xerr() : 0;
		if (!rc && xc_domain_ioport_mapping(x->xch, x->domid, (uint32_t)first, (uint32_t)first,
						    (uint32_t)nr, DPCI_ADD_MAPPING)) {
			rc = xerr();
			xc_domain_ioport_permission(x->xch, x->domid, (uint32_t)first, (uint32_t)nr, 0);
		}
	}
	if (rc)
		ioreq_logf(NULL, "cannot map %s 0x%llx+0x%llx 1:1 into domain %u: %s",
			   space == VT_SPACE_MEM ? "frames" : "ports", (unsigned long long)first,
			   (unsigned long long)nr, x->domid, strerror(-rc));
	return rc ? rc : ioreq_rs_add(&x->mapped[space], first, first + nr - 1);
}

static int xen_unmap(void *ctx, enum vt_space space, uint64_t first, uint64_t nr)
{
	struct ioreq_xen *x = ctx;
	int rc;

	if (space == VT_SPACE_MEM) {
		rc = xc_domain_memory_mapping(x->xch, x->domid, first, first, nr, DPCI_REMOVE_MAPPING)
			     ? xerr() : 0;
		if (!rc && xc_domain_iomem_permission(x->xch, x->domid, first, nr, 0))
			rc = xerr();
	} else {
		rc = xc_domain_ioport_mapping(x->xch, x->domid, (uint32_t)first, (uint32_t)first,
					      (uint32_t)nr, DPCI_REMOVE_MAPPING) ? xerr() : 0;
		if (!rc && xc_domain_ioport_permission(x->xch, x->domid, (uint32_t)first, (uint32_t)nr, 0))
			rc = xerr();
	}
	if (rc)
		ioreq_logf(NULL, "cannot unmap %s 0x%llx+0x%llx from domain %u: %s",
			   space == VT_SPACE_MEM ? "frames" : "ports", (unsigned long long)first,
			   (unsigned long long)nr, x->domid, strerror(-rc));
	return rc ? rc : ioreq_rs_remove(&x->mapped[space], first, first + nr - 1);
}

int ioreq_xen_keep(struct ioreq_xen *x, uint64_t first, uint64_t last)
{
	return ioreq_rs_add(&x->keep, first, last);
}

const struct map_ops map_ops_xen = {
	.name = "xen",
	.map = xen_map,
	.unmap = xen_unmap,
	.max_nr = 0,
};

/* ---- notifications ---- */

static int xen_fd(void *ctx)
{
	return xenevtchn_fd(((struct ioreq_xen *)ctx)->xce);
}

static int xen_pending(void *ctx, unsigned *vcpu)
{
	struct ioreq_xen *x = ctx;
	xenevtchn_port_or_error_t port = xenevtchn_pending(x->xce);

	if (port < 0)
		return errno == EAGAIN ? -EAGAIN : xerr();
	/* The evtchn driver masked the port on delivery: unmask before serving (QEMU does so). */
	if (xenevtchn_unmask(x->xce, (evtchn_port_t)port))
		return xerr();
	for (unsigned v = 0; v < x->nvcpu; v++) {
		if (x->local[v] == port) {
			*vcpu = v;
			return 0;
		}
	}
	return -EAGAIN;
}

static int xen_notify(void *ctx, unsigned vcpu)
{
	struct ioreq_xen *x = ctx;

	return xenevtchn_notify(x->xce, (evtchn_port_t)x->local[vcpu]) ? xerr() : 0;
}

const struct ioreq_port_ops ioreq_port_xen = {
	.fd = xen_fd,
	.pending = xen_pending,
	.notify = xen_notify,
};
