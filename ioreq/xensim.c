/*
 * ioreq/xensim.c - libxensim.a (see xensim.h). Each function checks what
 * the real library or Xen would check, calls the sim, and returns -1 with
 * errno set on failure, as the real libraries do.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xen/memory.h>

#include "sim.h"
#include "xensim.h"

struct xc_interface_core { int unused; };
struct xendevicemodel_handle { int unused; };
struct xenforeignmemory_handle { int unused; };
struct xenforeignmemory_resource_handle { uint16_t domid, id; };
struct xenevtchn_handle { struct ioreq_sim_evtchn *h; };

static struct ioreq_sim *cur;
static pthread_mutex_t fail_lock = PTHREAD_MUTEX_INITIALIZER;
static struct { char name[64]; int err; } fail[8];
static struct { struct vt_range r; uint32_t sbdf; } rdm[64];
static size_t nrdm;

void xensim_attach(struct ioreq_sim *sim)
{
	cur = sim;
}

int xensim_add_rdm(const struct vt_range *r, uint32_t sbdf)
{
	if (nrdm == VT_ARRAY_SIZE(rdm))
		return -ENOSPC;
	rdm[nrdm].r = *r;
	rdm[nrdm++].sbdf = sbdf;
	return 0;
}

void xensim_clear_rdm(void)
{
	nrdm = 0;
}

void xensim_fail_next(const char *name, int err)
{
	pthread_mutex_lock(&fail_lock);
	for (size_t i = 0; i < VT_ARRAY_SIZE(fail); i++) {
		if (!fail[i].err) {
			snprintf(fail[i].name, sizeof(fail[i].name), "%s", name);
			fail[i].err = err;
			break;
		}
	}
	pthread_mutex_unlock(&fail_lock);
}

/* An injected failure for this call: its errno, or 0. */
static int injected(const char *name)
{
	int err = 0;

	pthread_mutex_lock(&fail_lock);
	for (size_t i = 0; i < VT_ARRAY_SIZE(fail) && !err; i++) {
		if (fail[i].err && !strcmp(fail[i].name, name)) {
			err = fail[i].err;
			fail[i].err = 0;
		}
	}
	pthread_mutex_unlock(&fail_lock);
	if (err && cur)
		ioreq_sim_logf(cur, "%s: injected failure %d", name, err);
	return err;
}

/* The libraries' convention: 0, or -1 with errno. */
static int ret(int rc)
{
	if (rc >= 0)
		return rc;
	errno = -rc;
	return -1;
}

#define INJECT(name, fail_value)                                                                   \
	do {                                                                                       \
		int e_ = injected(name);                                                           \
		if (e_) {                                                                          \
			errno = e_;                                                                \
			return fail_value;                                                         \
		}                                                                                  \
	} while (0)

static void *open_handle(const char *name, size_t size)
{
	void *h;

	if (!cur) {
		errno = ENOENT; /* as without /dev/xen/privcmd */
		return NULL;
	}
	INJECT(name, NULL);
	h = calloc(1, size);
	ioreq_sim_logf(cur, "%s() = %s", name, h ? "ok" : "ENOMEM");
	return h;
}

/* ---- libxenctrl ---- */

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
				unsigned open_flags)
{
	return open_handle("xc_interface_open", sizeof(struct xc_interface_core));
}

int xc_interface_close(xc_interface *xch)
{
	if (cur)
		ioreq_sim_logf(cur, "xc_interface_close() = 0");
	free(xch);
	return 0;
}

int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
		      xc_dominfo_t *info)
{
	unsigned nvcpu;

	INJECT("xc_domain_getinfo", -1);
	/* The first domain at or after first_domid: the sim knows one. */
	if (!max_doms || first_domid > cur->domid)
		return 0;
	if (ioreq_sim_domain_info(cur, cur->domid, &nvcpu))
		return 0;
	memset(info, 0, sizeof(*info));
	info->domid = cur->domid;
	info->hvm = 1;
	info->hap = 1;
	info->max_vcpu_id = nvcpu - 1;
	info->nr_online_vcpus = nvcpu;
	return 1;
}

int xc_domain_iomem_permission(xc_interface *xch, uint32_t domid, unsigned long first_mfn,
			       unsigned long nr_mfns, uint8_t allow_access)
{
	INJECT("xc_domain_iomem_permission", -1);
	return ret(ioreq_sim_iomem_permission(cur, (uint16_t)domid, first_mfn, nr_mfns, allow_access));
}

int xc_domain_memory_mapping(xc_interface *xch, uint32_t domid, unsigned long first_gfn,
			     unsigned long first_mfn, unsigned long nr_mfns, uint32_t add_mapping)
{
	INJECT("xc_domain_memory_mapping", -1);
	if (add_mapping != DPCI_ADD_MAPPING && add_mapping != DPCI_REMOVE_MAPPING)
		return ret(-EINVAL);
	return ret(ioreq_sim_memory_mapping(cur, (uint16_t)domid, first_gfn, first_mfn, nr_mfns,
					    add_mapping == DPCI_ADD_MAPPING));
}

int xc_domain_ioport_permission(xc_interface *xch, uint32_t domid, uint32_t first_port,
				uint32_t nr_ports, uint32_t allow_access)
{
	INJECT("xc_domain_ioport_permission", -1);
	return ret(ioreq_sim_ioport_permission(cur, (uint16_t)domid, first_port, nr_ports,
					       allow_access != 0));
}

int xc_domain_ioport_mapping(xc_interface *xch, uint32_t domid, uint32_t first_gport,
			     uint32_t first_mport, uint32_t nr_ports, uint32_t add_mapping)
{
	INJECT("xc_domain_ioport_mapping", -1);
	if (add_mapping != DPCI_ADD_MAPPING && add_mapping != DPCI_REMOVE_MAPPING)
		return ret(-EINVAL);
	return ret(ioreq_sim_ioport_mapping(cur, (uint16_t)domid, first_gport, first_mport, nr_ports,
					    add_mapping == DPCI_ADD_MAPPING));
}

/* XENMEM_reserved_device_memory_map: -ENOBUFS with the count when entries is too small. */
int xc_reserved_device_memory_map(xc_interface *xch, uint32_t flags, uint16_t seg, uint8_t bus,
				  uint8_t devfn, struct xen_reserved_device_memory entries[],
				  uint32_t *max_entries)
{
	uint32_t n = 0, sbdf = VT_SBDF(seg, bus, devfn);

	INJECT("xc_reserved_device_memory_map", -1);
	for (size_t i = 0; i < nrdm; i++) {
		if (!(flags & XENMEM_RDM_ALL) && rdm[i].sbdf != sbdf)
			continue;
		if (n < *max_entries) {
			entries[n].start_pfn = rdm[i].r.base >> 12;
			entries[n].nr_pages = (rdm[i].r.last >> 12) - (rdm[i].r.base >> 12) + 1;
		}
		n++;
	}
	ioreq_sim_logf(cur, "xc_reserved_device_memory_map(%u, %s) = %s n=%u", flags,
		       flags & XENMEM_RDM_ALL ? "all" : "dev", n > *max_entries ? "ENOBUFS" : "0", n);
	if (n > *max_entries) {
		*max_entries = n;
		return ret(-ENOBUFS);
	}
	*max_entries = n;
	return 0;
}

/* ---- libxendevicemodel ---- */

xendevicemodel_handle *xendevicemodel_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
	return open_handle("xendevicemodel_open", sizeof(struct xendevicemodel_handle));
}

int xendevicemodel_close(xendevicemodel_handle *dmod)
{
	if (cur)
		ioreq_sim_logf(cur, "xendevicemodel_close() = 0");
	free(dmod);
	return 0;
}

int xendevicemodel_create_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
				       int handle_bufioreq, ioservid_t *id)
{
	INJECT("xendevicemodel_create_ioreq_server", -1);
	return ret(ioreq_sim_server_create(cur, domid, handle_bufioreq, id));
}

int xendevicemodel_destroy_ioreq_server(xendevicemodel_handle *dmod, domid_t domid, ioservid_t id)
{
	INJECT("xendevicemodel_destroy_ioreq_server", -1);
	return ret(ioreq_sim_server_destroy(cur, domid, id));
}

int xendevicemodel_set_ioreq_server_state(xendevicemodel_handle *dmod, domid_t domid,
					  ioservid_t id, int enabled)
{
	INJECT("xendevicemodel_set_ioreq_server_state", -1);
	return ret(ioreq_sim_server_enable(cur, domid, id, enabled != 0));
}

int xendevicemodel_map_io_range_to_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
						ioservid_t id, int is_mmio, uint64_t start,
						uint64_t end)
{
	INJECT("xendevicemodel_map_io_range_to_ioreq_server", -1);
	return ret(ioreq_sim_claim(cur, domid, id, is_mmio ? IOREQ_CLAIM_MMIO : IOREQ_CLAIM_PORT,
				   start, end, true));
}

int xendevicemodel_unmap_io_range_from_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
						    ioservid_t id, int is_mmio, uint64_t start,
						    uint64_t end)
{
	INJECT("xendevicemodel_unmap_io_range_from_ioreq_server", -1);
	return ret(ioreq_sim_claim(cur, domid, id, is_mmio ? IOREQ_CLAIM_MMIO : IOREQ_CLAIM_PORT,
				   start, end, false));
}

/* XEN_DMOP_PCI_SBDF(s, b, d, f): the libraries mask each field (dm_op.h). */
static uint32_t dm_sbdf(uint16_t segment, uint8_t bus, uint8_t device, uint8_t function)
{
	return XEN_DMOP_PCI_SBDF(segment, bus, device, function);
}

int xendevicemodel_map_pcidev_to_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
					      ioservid_t id, uint16_t segment, uint8_t bus,
					      uint8_t device, uint8_t function)
{
	uint32_t sbdf = dm_sbdf(segment, bus, device, function);

	INJECT("xendevicemodel_map_pcidev_to_ioreq_server", -1);
	if (device > 0x1f || function > 7)
		return ret(-EINVAL);
	return ret(ioreq_sim_claim(cur, domid, id, IOREQ_CLAIM_PCI, sbdf, sbdf, true));
}

int xendevicemodel_unmap_pcidev_from_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
						  ioservid_t id, uint16_t segment, uint8_t bus,
						  uint8_t device, uint8_t function)
{
	uint32_t sbdf = dm_sbdf(segment, bus, device, function);

	INJECT("xendevicemodel_unmap_pcidev_from_ioreq_server", -1);
	if (device > 0x1f || function > 7)
		return ret(-EINVAL);
	return ret(ioreq_sim_claim(cur, domid, id, IOREQ_CLAIM_PCI, sbdf, sbdf, false));
}

/* ---- libxenforeignmemory ---- */

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	return open_handle("xenforeignmemory_open", sizeof(struct xenforeignmemory_handle));
}

int xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
	if (cur)
		ioreq_sim_logf(cur, "xenforeignmemory_close() = 0");
	free(fmem);
	return 0;
}

xenforeignmemory_resource_handle *xenforeignmemory_map_resource(xenforeignmemory_handle *fmem,
								domid_t domid, unsigned int type,
								unsigned int id, unsigned long frame,
								unsigned long nr_frames, void **paddr,
								int prot, int flags)
{
	struct xenforeignmemory_resource_handle *fres;
	struct shared_iopage *page;
	int rc;

	INJECT("xenforeignmemory_map_resource", NULL);
	/* The server writes states and answers: the page must be mapped writable. */
	if (type != XENMEM_resource_ioreq_server || prot != (PROT_READ | PROT_WRITE) || flags ||
	    id > 0xffff) {
		ioreq_sim_logf(cur, "xenforeignmemory_map_resource: type %u prot %d flags %d refused",
			       type, prot, flags);
		errno = EINVAL;
		return NULL;
	}
	rc = ioreq_sim_server_page(cur, domid, (uint16_t)id, frame, nr_frames, &page);
	fres = rc ? NULL : calloc(1, sizeof(*fres));
	if (!fres) {
		errno = rc ? -rc : ENOMEM;
		return NULL;
	}
	fres->domid = domid;
	fres->id = (uint16_t)id;
	*paddr = page;
	return fres;
}

int xenforeignmemory_unmap_resource(xenforeignmemory_handle *fmem,
				    xenforeignmemory_resource_handle *fres)
{
	int rc;

	if (!fres)
		return 0;
	INJECT("xenforeignmemory_unmap_resource", -1);
	rc = ioreq_sim_server_unpage(cur, fres->domid, fres->id);
	free(fres);
	return ret(rc);
}

/* ---- libxenevtchn ---- */

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)
{
	struct xenevtchn_handle *x = open_handle("xenevtchn_open", sizeof(*x));

	if (!x)
		return NULL;
	x->h = ioreq_sim_evtchn_open(cur);
	if (!x->h) {
		free(x);
		errno = ENOMEM;
		return NULL;
	}
	return x;
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	if (!xce)
		return 0;
	ioreq_sim_logf(xce->h->sim, "xenevtchn_close() = 0");
	ioreq_sim_evtchn_close(xce->h);
	free(xce);
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	return ioreq_sim_evtchn_fd(xce->h);
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
						     evtchn_port_t remote_port)
{
	INJECT("xenevtchn_bind_interdomain", -1);
	return ret(ioreq_sim_evtchn_bind(xce->h, (uint16_t)domid, remote_port));
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	INJECT("xenevtchn_unbind", -1);
	return ret(ioreq_sim_evtchn_unbind(xce->h, port));
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	INJECT("xenevtchn_pending", -1);
	return ret(ioreq_sim_evtchn_pending(xce->h));
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	return ret(ioreq_sim_evtchn_unmask(xce->h, port));
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	INJECT("xenevtchn_notify", -1);
	return ret(ioreq_sim_evtchn_notify(xce->h, port));
}
